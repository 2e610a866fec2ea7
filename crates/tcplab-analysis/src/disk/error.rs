//! The one error of the disk tier, for both of its temporary files.
//!
//! In: what went wrong (an `io::Error` of `TempFile`, bytes that do not
//! decode, a spill file at its size limit) and which file it was
//! (`DiskFile`). Out: a message that names the file by what it holds, says
//! where and what to do (`TMPDIR`), and `is_write`: whether the data simply
//! stayed in memory (a failed write) or is lost (a failed read). Not here:
//! deciding what to do about it; the owner of the file does that.

use std::fmt;
use std::io;
use std::path::PathBuf;
use thiserror::Error;

/// Which temporary file failed: each message names it by what it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiskFile {
    /// The analysis state of the connections that do not fit in memory
    /// (`disk::SpillFile`).
    SpilledConnections,
    /// What is kept per stream, for the streams older than the newest
    /// `max_hot_streams`: records, index runs and the connections' places
    /// (`disk::PagedVec`, `disk::RunIndex`).
    OldStreams,
}

impl DiskFile {
    /// What the file holds, as in "the temporary file of old streams".
    fn holds(self) -> &'static str {
        match self {
            DiskFile::SpilledConnections => "connections",
            DiskFile::OldStreams => "old streams",
        }
    }

    /// What goes to the file, as in "for the streams that do not fit in
    /// memory".
    fn overflow(self) -> &'static str {
        match self {
            DiskFile::SpilledConnections => "connections",
            DiskFile::OldStreams => "streams",
        }
    }
}

impl fmt::Display for DiskFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.holds())
    }
}

/// A failure of a temporary file of the disk tier.
#[derive(Debug, Error)]
pub enum DiskError {
    #[error("cannot create a temporary file in {} for the {} that do not fit in memory: {source}; set TMPDIR to a writable directory", dir.display(), file.overflow())]
    Create {
        file: DiskFile,
        dir: PathBuf,
        source: io::Error,
    },
    #[error("writing the temporary file of {file} at byte {offset}: {source}; set TMPDIR to a directory with more free space")]
    Write {
        file: DiskFile,
        offset: u64,
        source: io::Error,
    },
    #[error("reading back the temporary file of {file} at byte {offset}: {source}")]
    Read {
        file: DiskFile,
        offset: u64,
        source: io::Error,
    },
    #[error("the temporary file of {file} is damaged at byte {offset} (changed by someone else?)")]
    Corrupt { file: DiskFile, offset: u64 },
    /// Only the spill file has a limit (its slot numbers are `u32`s).
    #[error(
        "the temporary file of {} reached its limit of {} GiB",
        DiskFile::SpilledConnections,
        super::spill_file::LIMIT_BYTES >> 30
    )]
    Full,
}

impl DiskError {
    /// Writing failed: the data is still in memory, nothing is lost.
    pub fn is_write(&self) -> bool {
        matches!(self, DiskError::Create { .. } | DiskError::Write { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_and_the_limit() {
        let io = || io::Error::other("no space");
        let create = |file| DiskError::Create {
            file,
            dir: PathBuf::from("/tmp"),
            source: io(),
        };
        assert_eq!(
            create(DiskFile::OldStreams).to_string(),
            "cannot create a temporary file in /tmp for the streams that do not fit in memory: no space; set TMPDIR to a writable directory"
        );
        assert!(create(DiskFile::SpilledConnections)
            .to_string()
            .contains("for the connections that do not fit in memory"));
        let read = DiskError::Read {
            file: DiskFile::OldStreams,
            offset: 4096,
            source: io(),
        };
        assert_eq!(
            read.to_string(),
            "reading back the temporary file of old streams at byte 4096: no space"
        );
        let corrupt = DiskError::Corrupt {
            file: DiskFile::SpilledConnections,
            offset: 64,
        };
        assert_eq!(
            corrupt.to_string(),
            "the temporary file of connections is damaged at byte 64 (changed by someone else?)"
        );
        assert_eq!(
            DiskError::Full.to_string(),
            "the temporary file of connections reached its limit of 128 GiB"
        );
        assert!(create(DiskFile::OldStreams).is_write() && !read.is_write());
    }
}
