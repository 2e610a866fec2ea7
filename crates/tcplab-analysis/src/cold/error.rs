use std::io;
use std::path::PathBuf;
use thiserror::Error;

/// A failure of the temporary files that hold old streams.
#[derive(Debug, Error)]
pub enum ColdError {
    #[error("cannot create a temporary file in {} for the streams that do not fit in memory: {source}; set TMPDIR to a writable directory", dir.display())]
    Create { dir: PathBuf, source: io::Error },
    #[error("writing the temporary file of old streams at byte {offset}: {source}; set TMPDIR to a directory with more free space")]
    Write { offset: u64, source: io::Error },
    #[error("reading back the temporary file of old streams at byte {offset}: {source}")]
    Read { offset: u64, source: io::Error },
    #[error(
        "the temporary file of old streams is damaged at byte {offset} (changed by someone else?)"
    )]
    Corrupt { offset: u64 },
}

impl ColdError {
    /// Writing failed: the data is still in memory, nothing is lost.
    pub fn is_write(&self) -> bool {
        matches!(self, ColdError::Create { .. } | ColdError::Write { .. })
    }
}
