//! `TempFile`: the one lazy temporary file of the disk tier, used by the
//! spill file, the paged arrays and the runs alike.
//!
//! In: bytes to write at an offset, buffers to fill from an offset. Out:
//! the bytes, or a `DiskError` naming the file (`DiskFile`) and the byte.
//! The file is unnamed (`tempfile::tempfile()`: in `$TMPDIR`, else /tmp;
//! the kernel deletes it when tcplab exits, even when killed) and made at
//! the first write, so that a capture that never needs it never makes it;
//! a failed creation is tried again at the next write. Not here: layout,
//! buffering and caching (the users do those).

use super::{DiskError, DiskFile};
use std::fs::File;
use std::os::unix::fs::FileExt;

pub(crate) struct TempFile {
    holds: DiskFile,
    /// Made at the first write.
    file: Option<File>,
}

impl TempFile {
    pub fn new(holds: DiskFile) -> TempFile {
        TempFile { holds, file: None }
    }

    /// Writes all of `bytes` at `offset`, making the file first if need be.
    pub fn write_at(&mut self, bytes: &[u8], offset: u64) -> Result<(), DiskError> {
        let file = match &mut self.file {
            Some(file) => file,
            None => self
                .file
                .insert(tempfile::tempfile().map_err(|source| DiskError::Create {
                    file: self.holds,
                    dir: std::env::temp_dir(),
                    source,
                })?),
        };
        file.write_all_at(bytes, offset)
            .map_err(|source| DiskError::Write {
                file: self.holds,
                offset,
                source,
            })
    }

    /// Fills `buf` from `offset`; an error when the bytes are not all there.
    pub fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<(), DiskError> {
        let file = self.file.as_ref().ok_or(self.corrupt(offset))?;
        file.read_exact_at(buf, offset)
            .map_err(|source| DiskError::Read {
                file: self.holds,
                offset,
                source,
            })
    }

    /// The bytes at `offset` do not make sense.
    pub fn corrupt(&self, offset: u64) -> DiskError {
        DiskError::Corrupt {
            file: self.holds,
            offset,
        }
    }

    /// Empties the file, as a failing disk would lose it (for tests).
    #[cfg(test)]
    pub fn damage(&self) {
        if let Some(file) = &self.file {
            file.set_len(0).expect("truncated");
        }
    }
}
