//! What the lab servers report as they run: one [`Event`] per connection,
//! message, departure or stop.
//!
//! In: nothing (the servers build events). Out: events handed to an
//! [`EventSink`], a callback the caller chooses: the CLI prints each one as a
//! line on stderr; `run-and-capture` or a test may collect them. The library
//! itself never prints.

use super::file_copy::FileDigest;
use super::framing::Partial;
use super::server::{ACCEPT_RETRY, REPORT_EVERY};
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Receives the servers' events; must be cheap and must not block.
pub type EventSink = Arc<dyn Fn(&Event) + Send + Sync>;

/// A sink that drops every event.
pub fn discard() -> EventSink {
    Arc::new(|_| {})
}

/// At most this many payload bytes are shown in a [`Event::Data`] line.
const PREVIEW: usize = 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Connected {
        peer: SocketAddr,
    },
    /// Bytes (or a whole message, for framed servers) received from `peer`.
    Data {
        peer: SocketAddr,
        bytes: Vec<u8>,
    },
    Left {
        peer: SocketAddr,
        why: Departure,
    },
    /// A chat client gave the right password.
    Authenticated {
        peer: SocketAddr,
    },
    /// A file was received completely and renamed into place (verified
    /// exchange: it matched the size and SHA-256 the sender announced).
    FileStored {
        peer: SocketAddr,
        name: String,
        summary: FileDigest,
    },
    /// A transfer failed; nothing was left behind.
    FileRefused {
        peer: SocketAddr,
        reason: String,
    },
    /// A part file left by a file server that no longer runs was removed.
    PartFileRemoved {
        name: String,
        pid: u32,
    },
    /// Such a part file could not be removed.
    PartFileKept {
        name: String,
        pid: u32,
        reason: String,
    },
    /// A connection could not be accepted (the server waits a moment and
    /// tries again). Reported at the first failure, then at most every few
    /// seconds while they go on; `failures` so far.
    AcceptFailed {
        reason: String,
        failures: u64,
    },
    /// `accept` works again after `failures` failed attempts.
    AcceptRecovered {
        failures: u64,
    },
    /// `open` clients are connected, the `max_connections` cap: new ones
    /// wait in the listen queue until one leaves.
    Full {
        open: usize,
    },
    Stopped {
        why: StopReason,
    },
}

/// Why a client's connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Departure {
    /// The client closed its side (FIN).
    Closed,
    /// The client sent exactly `.` (echo v1).
    SentDot,
    /// The server closes after its first reply (echo v1_3).
    Replied,
    /// Silent for longer than this: expelled.
    Idle(Duration),
    /// Silent for longer than `limit` in the middle of a message (framed):
    /// expelled with part of it received.
    IdleInMessage { limit: Duration, partial: Partial },
    /// Silent for longer than `limit` in the middle of a line (chat): expelled
    /// with the line's first `got` bytes received, no line end.
    IdleInLine { limit: Duration, got: u64 },
    /// Announced a message longer than the server accepts (framed): closed
    /// before its body was read.
    TooLarge { len: u64, max: u64 },
    /// A malformed A-PDU header: this connection cannot go on.
    Malformed(String),
    /// Chat: the password was wrong.
    WrongPassword,
    /// Chat: more than this many bytes were waiting for the client: expelled.
    TooSlow(usize),
    /// Chat: the client's socket took no data for this long: expelled.
    NotReading(Duration),
    /// The server stopped (its time was up) while the client was connected.
    ServerStopped,
    /// A socket error.
    Failed(String),
}

/// Why a server stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// Served the one client of echo v1.
    SingleClientDone,
    /// `--max-clients` connections were accepted and have all ended.
    MaxClients(u64),
    /// `--max-files` files were stored.
    MaxFiles(u64),
    /// `--max-time` has passed.
    MaxTime(Duration),
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Connected { peer } => write!(f, "connected with {peer}"),
            Event::Data { peer, bytes } => {
                let shown = &bytes[..bytes.len().min(PREVIEW)];
                let more = if bytes.len() > PREVIEW { "..." } else { "" };
                let n = bytes.len();
                write!(
                    f,
                    "client {peer} data ({n} bytes): \"{}{more}\"",
                    shown.escape_ascii()
                )
            }
            Event::Left { peer, why } => write!(f, "client left {peer}: {why}"),
            Event::Authenticated { peer } => write!(f, "client {peer} gave the right password"),
            Event::FileStored {
                peer,
                name,
                summary,
            } => write!(f, "stored {name} from {peer}: {summary}"),
            Event::FileRefused { peer, reason } => write!(f, "file from {peer} refused: {reason}"),
            Event::PartFileRemoved { name, pid } => write!(
                f,
                "removed {name:?}, a part file left by file server process {pid} \
                 that no longer runs (killed?)"
            ),
            Event::PartFileKept { name, pid, reason } => write!(
                f,
                "could not remove {name:?}, a part file left by file server process \
                 {pid} that no longer runs: {reason}"
            ),
            Event::AcceptFailed {
                reason,
                failures: 1,
            } => write!(
                f,
                "accept failed: {reason}; retrying every {ACCEPT_RETRY:?} \
                 (reported again every {REPORT_EVERY:?} while it lasts)"
            ),
            Event::AcceptFailed { reason, failures } => {
                write!(f, "accept still failing ({failures} attempts): {reason}")
            }
            Event::AcceptRecovered { failures } => {
                write!(f, "accepting again after {failures} failed attempts")
            }
            Event::Full { open } => write!(
                f,
                "{open} clients connected (--max-connections): new ones wait \
                 until one leaves"
            ),
            Event::Stopped { why } => write!(f, "server stopped: {why}"),
        }
    }
}

impl fmt::Display for Departure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Departure::Closed => write!(f, "closed the connection"),
            Departure::SentDot => write!(f, "sent \".\""),
            Departure::Replied => write!(f, "closed after the first reply"),
            Departure::Idle(limit) => {
                write!(f, "expelled after {limit:?} without sending anything")
            }
            Departure::IdleInMessage { limit, partial } => write!(
                f,
                "expelled after {limit:?} without sending more, in the middle of a \
                 message (it had sent {partial})"
            ),
            Departure::IdleInLine { limit, got } => write!(
                f,
                "expelled after {limit:?} without sending more, in the middle of a \
                 line (it had sent {got} bytes of it, no line end yet)"
            ),
            Departure::TooLarge { len, max } => write!(
                f,
                "closed, it announced a {len}-byte message, more than the {max} bytes \
                 this server accepts (--max-message); the message was not read"
            ),
            Departure::Malformed(why) => write!(f, "closed, {why}"),
            Departure::WrongPassword => write!(f, "wrong password"),
            Departure::TooSlow(max) => {
                write!(
                    f,
                    "expelled, more than {max} bytes were waiting for it to read"
                )
            }
            Departure::NotReading(limit) => {
                write!(f, "expelled, its socket took no data for {limit:?}")
            }
            Departure::ServerStopped => write!(f, "server stopped"),
            Departure::Failed(why) => write!(f, "connection failed: {why}"),
        }
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::SingleClientDone => write!(f, "its one client is done"),
            StopReason::MaxClients(n) => write!(f, "served --max-clients {n}"),
            StopReason::MaxFiles(n) => write!(f, "stored --max-files {n}"),
            StopReason::MaxTime(t) => write!(f, "--max-time {t:?} reached"),
        }
    }
}
