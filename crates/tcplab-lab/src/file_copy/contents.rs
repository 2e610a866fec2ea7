//! What the sender sends: [`Contents`], something of known size that it can
//! read from its first byte as often as it needs, a piece at a time (the
//! verified exchange reads it twice: once for the hello's SHA-256, once to
//! send it). Nothing here holds a file in memory.
//!
//! In: a path ([`FileContents`]) or bytes already in memory (`&[u8]`, `Vec<u8>`, for
//! short texts and tests); the binary adds its generated payload. Out: a
//! fresh reader on each [`Contents::open`]. Whether a path names a regular
//! file is the caller's check; a file that changes while it is sent is
//! caught by the sender (see `outgoing`).

use std::io;
use std::path::{Path, PathBuf};
use tokio::io::AsyncRead;

/// A reader of the contents from their first byte.
pub type ContentsReader<'a> = Box<dyn AsyncRead + Send + Unpin + 'a>;

/// Something the sender can send: its size, known beforehand (the `whole`
/// header and the verified hello announce it), and its bytes, read again
/// from the start on each [`open`](Contents::open).
pub trait Contents: Send + Sync {
    /// Size in bytes, as announced.
    fn size(&self) -> u64;
    /// A reader from the first byte.
    fn open(&self) -> io::Result<ContentsReader<'_>>;
}

impl Contents for &[u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }
    fn open(&self) -> io::Result<ContentsReader<'_>> {
        Ok(Box::new(*self))
    }
}

impl Contents for Vec<u8> {
    fn size(&self) -> u64 {
        self.len() as u64
    }
    fn open(&self) -> io::Result<ContentsReader<'_>> {
        Ok(Box::new(self.as_slice()))
    }
}

impl<const N: usize> Contents for [u8; N] {
    fn size(&self) -> u64 {
        self.len() as u64
    }
    fn open(&self) -> io::Result<ContentsReader<'_>> {
        Ok(Box::new(self.as_slice()))
    }
}

/// A file on disk, read as it is sent (memory does not grow with its size).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileContents {
    path: PathBuf,
    size: u64,
}

impl FileContents {
    /// The file at `path` with the size it has now.
    pub fn new(path: &Path) -> io::Result<Self> {
        let size = std::fs::metadata(path)?.len();
        Ok(FileContents {
            path: path.to_owned(),
            size,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Contents for FileContents {
    fn size(&self) -> u64 {
        self.size
    }
    fn open(&self) -> io::Result<ContentsReader<'_>> {
        let file = std::fs::File::open(&self.path)?;
        Ok(Box::new(tokio::fs::File::from_std(file)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    #[tokio::test]
    async fn a_file_is_read_again_from_the_start_on_each_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"uno\ndos\n").unwrap();
        let file = FileContents::new(&path).unwrap();
        assert_eq!(file.size(), 8);
        for _ in 0..2 {
            let mut text = Vec::new();
            file.open().unwrap().read_to_end(&mut text).await.unwrap();
            assert_eq!(text, b"uno\ndos\n");
        }
    }
}
