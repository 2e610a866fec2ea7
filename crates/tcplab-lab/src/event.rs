//! What the lab servers report as they run: one [`Event`] per connection,
//! message, departure or stop.
//!
//! In: nothing (the servers build events). Out: events handed to an
//! [`EventSink`], a callback the caller chooses: the CLI prints each one as a
//! line on stderr; `run-and-capture` or a test may collect them. The library
//! itself never prints.

use super::file_copy::FileDigest;
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
    /// A file was received, verified and renamed into place.
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
    /// A connection could not be accepted (the server goes on).
    AcceptFailed {
        reason: String,
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
            Event::AcceptFailed { reason } => write!(f, "accept failed: {reason}"),
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
