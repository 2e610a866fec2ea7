//! Remote file copy (final exercise 2): [`send`] a file, [`serve`] stores it.
//!
//! In: the file on the sender ([`Contents`]: a path, read a piece at a time
//! as it is sent, or bytes in memory); on the server, where to store what
//! arrives ([`Store`]: a directory, or one file). Out: a byte-identical copy,
//! and the [`FileDigest`] (size and SHA-256) of what was sent and of what was
//! stored.
//!
//! # The lab's protocol ([`Protocol::Lab`], the default)
//!
//! Exactly what the exercise asks, nothing around it, so `nc` and a
//! student's Python program work at either end:
//!
//! - `lines`: the sender writes the file one line at a time (one write per
//!   line, each with the file's own line end; a last line without one is sent
//!   as it is; a line over [`LINE_PIECE_MAX`] bytes in pieces of that size)
//!   and then closes its side (FIN): the end of the file.
//! - `whole`: the sender writes one A-PDU, the header of the framing exercise
//!   (`NNNNNN:`, or `--header-digits N` digits) followed by the whole file,
//!   as the lab's `sendall` does (the header with the first
//!   [`WRITE_CHUNK`] bytes, then writes of that size: the same segments),
//!   then closes its side.
//!
//! Neither end holds the file in memory: the sender reads and hashes it a
//! piece at a time, the server writes and hashes what arrives as it comes.
//!
//! The server knows the mode (and header width) beforehand, as the lab's
//! server does. It writes what arrives to a hidden temporary file and gives
//! it its name only when the sender's FIN ends the connection cleanly (and,
//! in `whole` mode, the message had exactly the length its header
//! announced); it then closes its side. Nothing travels back: the sender
//! learns only that the server closed. Names: [`Store`].
//!
//! # tcplab's verified exchange ([`Protocol::Verified`])
//!
//! Control messages are the lab's A-PDUs with 6-digit headers; text is ASCII.
//!
//! 1. Sender: `TCPLAB-FILE/1 <mode> <digits> <size> <sha256> <name>` where
//!    `mode` is `lines` or `whole`, `digits` the header width of the data
//!    message (`whole` mode), `size`/`sha256` (hex) describe the file, and
//!    `name` (the rest of the message) is a plain file name.
//! 2. Server: `go`, or `error <why>` and it closes (a name with a path in it,
//!    an unknown mode, a file larger than the server accepts, a name that
//!    exists ...).
//! 3. Data, as in the lab's protocol.
//! 4. Server: `ok <size> <sha256>` once the copy is complete, matches the
//!    announced size and hash, and has been renamed into place; `error <why>`
//!    otherwise. The sender compares it with its own summary.
//!
//! The server never writes outside its directory: a name with a separator,
//! `.`/`..`, a leading `.`, control characters or invisible
//! formatting characters (bidirectional overrides, zero-width marks) is refused (see [`names`]).
//! It never replaces a file that exists, nor follows a link planted under
//! the temporary or the final name; on any error or disconnect the temporary
//! file is removed.

mod contents;
mod incoming;
mod lab_receive;
mod names;
mod outgoing;
mod part_file;
mod protocol;
mod receive;
mod send;
mod verified;

pub use contents::{Contents, ContentsReader, FileContents};
pub use names::{check_file_name, NameError};
pub use outgoing::{LINE_PIECE_MAX, WRITE_CHUNK};
pub use protocol::{FileDigest, FileDigestHasher, Hello, Mode, Reply};
pub use receive::{serve, FileServerOptions, ServerProtocol, Store};
pub use send::{send, send_over, SendEnd, SendRequest, Sent};

use super::framed_stream::{RecvError, SendError};
use std::io;
use std::path::PathBuf;

/// Which exchange carries the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Protocol {
    /// The lab's: the file's bytes (line by line, or one A-PDU), then FIN.
    #[default]
    Lab,
    /// tcplab's: name, size and SHA-256 first, the server's verdict last.
    Verified,
}

/// What can go wrong copying a file.
#[derive(Debug, thiserror::Error)]
pub enum FileCopyError {
    #[error(
        "{name} has {len} bytes but a {digits}-digit header allows at most {max}; \
         use --header-digits {needed} or more"
    )]
    TooLarge {
        name: String,
        len: u64,
        digits: u8,
        max: u64,
        needed: u8,
    },
    #[error("connecting to {addr}: {source}")]
    Connect {
        addr: std::net::SocketAddr,
        source: io::Error,
    },
    #[error("{dir}: not a usable directory: {source}")]
    Directory { dir: PathBuf, source: io::Error },
    #[error("{path}: {why}; choose another --out")]
    Target { path: PathBuf, why: String },
    #[error(transparent)]
    Send(#[from] SendError),
    #[error(transparent)]
    Recv(#[from] RecvError),
    #[error("the server refused the file: {0}")]
    Refused(String),
    #[error("the server closed the connection without answering")]
    NoReply,
    #[error("waiting for the server to close the connection: {0}")]
    Closing(io::Error),
    #[error("reading the file to send: {0}")]
    Read(io::Error),
    #[error(
        "the file changed while it was being sent: {0}; send it again once nothing writes to it"
    )]
    Changed(String),
    #[error("malformed message: {0}")]
    Protocol(String),
    #[error("the copy differs: sent {local}, the server stored {remote}")]
    Mismatch {
        local: FileDigest,
        remote: FileDigest,
    },
}

/// Records each write separately (the sender's tests).
#[cfg(test)]
mod test_writer {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    #[derive(Default)]
    pub struct Recorder {
        pub writes: Vec<Vec<u8>>,
        pub shut: bool,
    }

    impl tokio::io::AsyncWrite for Recorder {
        fn poll_write(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            self.writes.push(buf.to_vec());
            Poll::Ready(Ok(buf.len()))
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<std::io::Result<()>> {
            self.shut = true;
            Poll::Ready(Ok(()))
        }
    }
}
