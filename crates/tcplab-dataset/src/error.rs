//! The one error type of the dataset writer and reader.

use std::path::PathBuf;

pub type Result<T> = std::result::Result<T, DatasetError>;

#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Parquet {
        path: PathBuf,
        source: parquet::errors::ParquetError,
    },
    #[error("{}: {source}", path.display())]
    Arrow {
        path: PathBuf,
        source: arrow_schema::ArrowError,
    },
    /// The dataset was written by another schema version.
    #[error("{}: dataset schema version {found}, this tcplab writes version {expected}; write to a new directory", path.display())]
    SchemaVersion {
        path: PathBuf,
        found: String,
        expected: u32,
    },
    /// A file in the captures table that tcplab did not write as expected.
    #[error("{}: not a tcplab dataset file ({what}); write to a new directory or remove it", path.display())]
    NotTcplab { path: PathBuf, what: String },
}

impl DatasetError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> DatasetError {
        let path = path.into();
        move |source| DatasetError::Io { path, source }
    }

    pub(crate) fn parquet(
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(parquet::errors::ParquetError) -> DatasetError {
        let path = path.into();
        move |source| DatasetError::Parquet { path, source }
    }

    pub(crate) fn arrow(
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(arrow_schema::ArrowError) -> DatasetError {
        let path = path.into();
        move |source| DatasetError::Arrow { path, source }
    }
}
