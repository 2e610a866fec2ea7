//! The SHA-256 of a capture read once, as a stream (standard input): a
//! reader that hashes the bytes as they pass on their way to the
//! analyzer, and a handle that gives the size and hash once they have
//! all passed. The reader may be moved to another thread (the capture
//! reader's read-ahead), hence the shared state.

use crate::dataset::hex;
use sha2::{Digest, Sha256};
use std::io::{self, Read};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct State {
    hasher: Sha256,
    size: u64,
}

/// Reads `inner`, hashing what it reads.
pub struct HashingReader<R> {
    inner: R,
    state: Arc<Mutex<State>>,
}

/// What a `HashingReader` has read so far.
#[derive(Clone)]
pub struct StreamHash(Arc<Mutex<State>>);

impl<R: Read> HashingReader<R> {
    pub fn new(inner: R) -> (HashingReader<R>, StreamHash) {
        let state = Arc::new(Mutex::new(State::default()));
        (
            HashingReader {
                inner,
                state: state.clone(),
            },
            StreamHash(state),
        )
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.hasher.update(&buf[..n]);
        state.size += n as u64;
        Ok(n)
    }
}

impl StreamHash {
    /// Bytes read and their SHA-256 (lowercase hex).
    pub fn finish(&self) -> (u64, String) {
        let state = self.0.lock().unwrap_or_else(|e| e.into_inner());
        (state.size, hex(&state.hasher.clone().finalize()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_hash_is_the_files() {
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let tmp = tempfile::NamedTempFile::new().expect("temp file");
        std::fs::write(tmp.path(), &bytes).expect("write");
        let (mut reader, hash) = HashingReader::new(&bytes[..]);
        let mut sink = Vec::new();
        reader.read_to_end(&mut sink).expect("read");
        assert_eq!(
            hash.finish(),
            crate::dataset::sha256_of(tmp.path()).expect("hashed")
        );
    }
}
