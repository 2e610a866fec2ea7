//! The file-copy protocol's messages (see the parent module for the exchange)
//! and the size + SHA-256 summary both sides compute.
//!
//! In: message payloads (bytes from the peer) or values to send. Out: typed
//! [`Hello`] / [`Reply`] values or their text; a parse failure is a
//! `FileCopyError::Protocol` quoting what was wrong.

use super::FileCopyError;
use crate::framing::HeaderWidth;
use sha2::{Digest, Sha256};
use std::fmt;
use std::io;
use std::path::Path;
use tokio::io::{AsyncRead, AsyncReadExt};

/// First word of the hello: protocol name and version.
pub const MAGIC: &str = "TCPLAB-FILE/1";

/// How the file's bytes travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One write per line, raw; the end is the sender's FIN
    Lines,
    /// One A-PDU with the whole file, sent with a single write
    Whole,
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Mode::Lines => "lines",
            Mode::Whole => "whole",
        }
    }
}

/// Size and SHA-256 of a file's contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileDigest {
    pub bytes: u64,
    pub sha256: [u8; 32],
}

impl FileDigest {
    pub fn of(contents: &[u8]) -> Self {
        let mut hasher = FileDigestHasher::default();
        hasher.update(contents);
        hasher.finish()
    }

    /// The digest of everything `reader` yields, read a piece at a time.
    pub async fn of_reader<R: AsyncRead + Unpin>(mut reader: R) -> io::Result<Self> {
        let mut hasher = FileDigestHasher::default();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buf).await? {
                0 => return Ok(hasher.finish()),
                n => hasher.update(&buf[..n]),
            }
        }
    }

    /// The digest of the file at `path`, read a piece at a time.
    pub async fn of_file(path: &Path) -> io::Result<Self> {
        Self::of_reader(tokio::fs::File::open(path).await?).await
    }

    pub fn sha256_hex(&self) -> String {
        self.sha256.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn parse(size: &str, hex: &str) -> Result<Self, FileCopyError> {
        let bytes = size
            .parse()
            .map_err(|_| protocol(format!("size {size:?} is not a number")))?;
        let bad_hash = || protocol(format!("{hex:?} is not a hex SHA-256"));
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad_hash());
        }
        let mut sha256 = [0u8; 32];
        for (i, byte) in sha256.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad_hash())?;
        }
        Ok(FileDigest { bytes, sha256 })
    }
}

impl fmt::Display for FileDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} bytes, sha256 {}", self.bytes, self.sha256_hex())
    }
}

/// Computes a [`FileDigest`] piece by piece, as the bytes arrive.
#[derive(Debug, Clone, Default)]
pub struct FileDigestHasher {
    hasher: Sha256,
    bytes: u64,
}

impl FileDigestHasher {
    pub fn update(&mut self, chunk: &[u8]) {
        self.hasher.update(chunk);
        self.bytes += chunk.len() as u64;
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    pub fn finish(self) -> FileDigest {
        FileDigest {
            bytes: self.bytes,
            sha256: self.hasher.finalize().into(),
        }
    }
}

/// The sender's first message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    pub mode: Mode,
    /// Header width of the `whole`-mode data message.
    pub width: HeaderWidth,
    pub expected: FileDigest,
    pub name: String,
}

impl Hello {
    pub fn to_text(&self) -> String {
        let Hello {
            mode,
            width,
            expected,
            name,
        } = self;
        let (digits, bytes, sha) = (width.digits(), expected.bytes, expected.sha256_hex());
        format!("{MAGIC} {} {digits} {bytes} {sha} {name}", mode.as_str())
    }

    pub fn parse(payload: &[u8]) -> Result<Self, FileCopyError> {
        let text = std::str::from_utf8(payload)
            .map_err(|_| protocol("the file header is not UTF-8 text".to_owned()))?;
        let fields: Vec<&str> = text.splitn(6, ' ').collect();
        let [magic, mode, digits, size, sha, name] = fields[..] else {
            return Err(protocol(format!(
                "expected \"{MAGIC} <mode> <digits> <size> <sha256> <name>\", got {text:?}"
            )));
        };
        if magic != MAGIC {
            return Err(protocol(format!("expected {MAGIC}, got {magic:?}")));
        }
        let mode = match mode {
            "lines" => Mode::Lines,
            "whole" => Mode::Whole,
            other => return Err(protocol(format!("unknown mode {other:?} (lines or whole)"))),
        };
        let width = digits
            .parse()
            .ok()
            .and_then(|d| HeaderWidth::new(d).ok())
            .ok_or_else(|| protocol(format!("bad header width {digits:?}")))?;
        Ok(Hello {
            mode,
            width,
            expected: FileDigest::parse(size, sha)?,
            name: name.to_owned(),
        })
    }
}

/// The server's answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// Send the data.
    Go,
    /// Stored; this is what the server wrote.
    Stored(FileDigest),
    Error(String),
}

impl Reply {
    pub fn to_text(&self) -> String {
        match self {
            Reply::Go => "go".to_owned(),
            Reply::Stored(s) => format!("ok {} {}", s.bytes, s.sha256_hex()),
            Reply::Error(why) => format!("error {why}"),
        }
    }

    pub fn parse(payload: &[u8]) -> Result<Self, FileCopyError> {
        let text = String::from_utf8_lossy(payload);
        let mut words = text.splitn(3, ' ');
        match (words.next(), words.next(), words.next()) {
            (Some("go"), None, None) => Ok(Reply::Go),
            (Some("ok"), Some(size), Some(sha)) => Ok(Reply::Stored(FileDigest::parse(size, sha)?)),
            (Some("error"), ..) => Ok(Reply::Error(text["error".len()..].trim().to_owned())),
            _ => Err(protocol(format!("unexpected reply {text:?}"))),
        }
    }
}

fn protocol(why: String) -> FileCopyError {
    FileCopyError::Protocol(why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_known_text() {
        let s = FileDigest::of(b"abc");
        assert_eq!(s.bytes, 3);
        assert_eq!(
            s.sha256_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hello_round_trip_with_spaces_in_the_name() {
        let hello = Hello {
            mode: Mode::Whole,
            width: HeaderWidth::new(7).unwrap(),
            expected: FileDigest::of(b"hola\n"),
            name: "mi fichero.txt".into(),
        };
        assert_eq!(Hello::parse(hello.to_text().as_bytes()).unwrap(), hello);
    }

    #[test]
    fn bad_hellos_are_explained() {
        for (bad, says) in [
            (&b"hello"[..], "expected"),
            (b"TCPLAB-FILE/1 zip 6 1 00 x", "unknown mode"),
            (b"TCPLAB-FILE/1 lines 0 1 00 x", "header width"),
            (b"TCPLAB-FILE/1 lines 6 -1 00 x", "not a number"),
            (b"TCPLAB-FILE/1 lines 6 1 00 x", "SHA-256"),
            (b"TCPLAB-FILE/1 lines 6 1 \xff x", "UTF-8"),
        ] {
            let err = Hello::parse(bad).unwrap_err().to_string();
            assert!(err.contains(says), "{err}");
        }
    }

    #[test]
    fn replies_round_trip() {
        for reply in [
            Reply::Go,
            Reply::Stored(FileDigest::of(b"x")),
            Reply::Error("nope: bad name".into()),
        ] {
            assert_eq!(Reply::parse(reply.to_text().as_bytes()).unwrap(), reply);
        }
        assert!(Reply::parse(b"maybe").is_err());
    }
}
