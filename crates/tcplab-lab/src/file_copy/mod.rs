//! Remote file copy (final exercise 2): [`send`] a file, [`serve`] stores it.
//!
//! In: the file's bytes and name on the sender; a directory on the server.
//! Out: a byte-identical copy in that directory, and on both sides the
//! [`FileDigest`] (size and SHA-256) of what was sent and what was stored.
//!
//! # Protocol
//!
//! Control messages are the lab's A-PDUs with 6-digit headers; text is ASCII.
//!
//! 1. Sender: `TCPLAB-FILE/1 <mode> <digits> <size> <sha256> <name>` where
//!    `mode` is `lines` or `whole`, `digits` the header width of the data
//!    message (`whole` mode), `size`/`sha256` (hex) describe the file, and
//!    `name` (the rest of the message) is a plain file name.
//! 2. Server: `go`, or `error <why>` and it closes (a name with a path in it,
//!    an unknown mode, a file larger than the server accepts ...).
//! 3. Data. `whole`: one A-PDU with a `digits`-digit header holding the whole
//!    file, sent with one `write_all` (the lab's `sendall`). `lines`: each line
//!    of the file in its own write, raw (the lab's line-by-line exercise), and
//!    the end of the file is the sender's FIN. Both then close their side.
//! 4. Server: `ok <size> <sha256>` once the copy is complete, matches the
//!    announced size and hash, and has been renamed into place; `error <why>`
//!    otherwise. The sender compares it with its own summary.
//!
//! The server never writes outside its directory: a name with a separator,
//! `.`/`..`, a leading `.`, control characters or invisible
//! formatting characters (bidirectional overrides, zero-width marks) is refused (see [`names`]).
//! It writes to a hidden temporary file and renames it only when complete and
//! verified; on any error or disconnect the temporary file is removed.

mod names;
mod part_file;
mod protocol;
mod receive;
mod send;

pub use names::{check_file_name, NameError};
pub use protocol::{FileDigest, FileDigestHasher, Hello, Mode, Reply};
pub use receive::{serve, FileServerOptions};
pub use send::{send, send_over, SendRequest};

use super::framed_stream::{RecvError, SendError};
use std::io;
use std::path::PathBuf;

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
    #[error(transparent)]
    Send(#[from] SendError),
    #[error(transparent)]
    Recv(#[from] RecvError),
    #[error("the server refused the file: {0}")]
    Refused(String),
    #[error("the server closed the connection without answering")]
    NoReply,
    #[error("malformed message: {0}")]
    Protocol(String),
    #[error("the copy differs: sent {local}, the server stored {remote}")]
    Mismatch {
        local: FileDigest,
        remote: FileDigest,
    },
}
