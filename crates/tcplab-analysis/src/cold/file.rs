//! An unnamed temporary file (`tempfile::tempfile()`: in `$TMPDIR`, else
//! /tmp; the kernel deletes it when tcplab exits, even when killed), made
//! at the first write, with positioned reads and writes.

use super::ColdError;
use std::fs::File;
use std::os::unix::fs::FileExt;

#[derive(Default)]
pub(super) struct TempFile {
    file: Option<File>,
}

impl TempFile {
    pub fn write_at(&mut self, bytes: &[u8], offset: u64) -> Result<(), ColdError> {
        let file = match &mut self.file {
            Some(file) => file,
            None => self
                .file
                .insert(tempfile::tempfile().map_err(|source| ColdError::Create {
                    dir: std::env::temp_dir(),
                    source,
                })?),
        };
        file.write_all_at(bytes, offset)
            .map_err(|source| ColdError::Write { offset, source })
    }

    pub fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<(), ColdError> {
        let file = self.file.as_ref().ok_or(ColdError::Corrupt { offset })?;
        file.read_exact_at(buf, offset)
            .map_err(|source| ColdError::Read { offset, source })
    }

    /// Empties the file, as a failing disk would lose it (for tests).
    #[cfg(test)]
    pub fn damage(&self) {
        if let Some(file) = &self.file {
            file.set_len(0).expect("truncated");
        }
    }
}
