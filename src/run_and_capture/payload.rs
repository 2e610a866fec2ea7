//! The built-in payload sent when no file is given: about 150 KB of text,
//! the same bytes on every run (a fixed-seed generator), with numbered lines
//! so that a student can find any byte of it in the capture. It is
//! generated as it is sent ([`Generated`]), a line at a time: memory does
//! not grow with `--payload-size`.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tcplab_lab::file_copy::{Contents, ContentsReader};
use tokio::io::{AsyncRead, ReadBuf};

/// Size of the built-in payload (close to the lab's alice30.txt, 148,495 bytes).
pub const DEFAULT_SIZE: u64 = 150_000;
pub const DEFAULT_NAME: &str = "tcplab-payload.txt";

const WORDS: [&str; 24] = [
    "segment",
    "window",
    "ack",
    "sequence",
    "handshake",
    "socket",
    "stream",
    "byte",
    "timer",
    "retransmit",
    "congestion",
    "slow",
    "start",
    "receiver",
    "sender",
    "buffer",
    "flow",
    "control",
    "port",
    "listen",
    "accept",
    "connect",
    "close",
    "echo",
];

/// A file tcplab can copy (`run-and-capture`, `compare`, `send-file`): a
/// regular file of any size (it is read as it is sent); a device such as
/// `/dev/zero`, a pipe or a directory is refused at once, before anything is
/// made. Its size.
pub fn check_file(path: &std::path::Path) -> Result<u64, super::RunError> {
    let meta = std::fs::metadata(path).map_err(super::io_err(path))?;
    let kind = meta.file_type();
    let what = if kind.is_dir() {
        "a directory"
    } else if kind.is_file() {
        ""
    } else {
        use std::os::unix::fs::FileTypeExt;
        match () {
            _ if kind.is_char_device() || kind.is_block_device() => "a device",
            _ if kind.is_fifo() => "a pipe",
            _ if kind.is_socket() => "a socket",
            _ => "not a file",
        }
    };
    if !what.is_empty() {
        return Err(super::RunError::NotAFile {
            path: path.to_path_buf(),
            what,
        });
    }
    Ok(meta.len())
}

/// The generated payload of `size` bytes, made as it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generated {
    pub size: u64,
}

impl Contents for Generated {
    fn size(&self) -> u64 {
        self.size
    }
    fn open(&self) -> io::Result<ContentsReader<'_>> {
        Ok(Box::new(Generator::new(self.size)))
    }
}

/// Deterministic text of exactly `size` bytes, in lines ending in `\n`
/// (all of it in memory: for tests and short payloads).
pub fn generate(size: u64) -> Vec<u8> {
    let mut out = vec![0u8; usize::try_from(size).unwrap_or(usize::MAX)];
    let filled = Generator::new(size).fill(&mut out);
    out.truncate(filled);
    out
}

/// The payload's bytes, one line at a time.
struct Generator {
    /// xorshift64: small, fast, and the same everywhere.
    state: u64,
    line: u64,
    /// The current line and how much of it was handed out.
    text: Vec<u8>,
    taken: usize,
    left: u64,
}

impl Generator {
    fn new(size: u64) -> Self {
        Generator {
            state: 0x7463_706c_6162_2021,
            line: 1,
            text: Vec::new(),
            taken: 0,
            left: size,
        }
    }

    /// Fills `out` with the next bytes; how many (0 at the end).
    fn fill(&mut self, out: &mut [u8]) -> usize {
        let mut filled = 0;
        while filled < out.len() && self.left > 0 {
            if self.taken == self.text.len() {
                self.next_line();
            }
            let room = (out.len() - filled).min(usize::try_from(self.left).unwrap_or(usize::MAX));
            let n = (self.text.len() - self.taken).min(room);
            out[filled..filled + n].copy_from_slice(&self.text[self.taken..self.taken + n]);
            self.taken += n;
            self.left -= n as u64;
            filled += n;
        }
        // The payload always ends a line, even where its size cuts one.
        if self.left == 0 && filled > 0 {
            out[filled - 1] = b'\n';
        }
        filled
    }

    fn next_line(&mut self) {
        use std::fmt::Write;
        self.text.clear();
        self.taken = 0;
        let mut text = format!("{:05} tcplab payload:", self.line);
        for _ in 0..8 {
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            let word = WORDS[(self.state % WORDS.len() as u64) as usize];
            let _ = write!(text, " {word}");
        }
        text.push('\n');
        self.text.extend_from_slice(text.as_bytes());
        self.line += 1;
    }
}

impl AsyncRead for Generator {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = self.fill(buf.initialize_unfilled());
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_deterministic_text_of_the_requested_size() {
        let a = generate(DEFAULT_SIZE);
        assert_eq!(a.len() as u64, DEFAULT_SIZE);
        assert_eq!(a, generate(DEFAULT_SIZE));
        assert!(a.starts_with(b"00001 tcplab payload: "));
        assert!(a.ends_with(b"\n"));
        assert!(a.iter().all(|b| b.is_ascii()));
    }
}

#[cfg(test)]
mod stream_tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    /// Read in pieces of any size, the stream is the same text; a size that
    /// cuts a line still ends in a line end.
    #[tokio::test]
    async fn the_stream_is_the_same_text_however_it_is_read() {
        let whole = generate(10_007);
        assert_eq!(whole.len(), 10_007);
        assert!(whole.ends_with(b"\n"));
        for piece in [1usize, 7, 64, 4096] {
            let mut reader = Generated { size: 10_007 }.open().unwrap();
            let mut got = Vec::new();
            let mut buf = vec![0u8; piece];
            loop {
                let n = reader.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            assert_eq!(got, whole, "pieces of {piece}");
        }
        assert_eq!(generate(0), b"");
    }
}
