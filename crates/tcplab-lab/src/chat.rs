//! The group chat server of final exercise 1 ("Whatsapp de grupo"), with the
//! exercise's changes: a password before anyone may talk, and expulsion of
//! clients idle for too long.
//!
//! In: a bound `TcpListener`, [`ChatOptions`], an [`EventSink`]. Out: a
//! line-based text conversation any `nc` can join:
//!
//! ```text
//! server: Password:
//! client: <secret>
//! server: Welcome, you are 127.0.0.1:40000. 1 other(s) in the room.
//! (others see "* 127.0.0.1:40000 entered the room")
//! client: hola
//! (others see "[127.0.0.1:40000] hola")
//! ```
//!
//! A wrong password gets `Wrong password. Bye.` and the connection closes.
//! A client silent for `idle_timeout` (also while asked for the password) gets
//! `Expelled: ...` and is closed; the others are told. Lines longer than
//! [`MAX_LINE`] bytes close the connection. Relayed text shows control
//! characters instead of passing them on (`\x1b` as `^[`, see [`visible`]).
//!
//! Every client that keeps reading gets every line, in order. Each client's
//! output waiting to be written is bounded in bytes (`max_pending`) and each
//! write has a deadline (`write_timeout`): a client that passes either is
//! told why (when its socket still takes it) and expelled, the room is told,
//! and the server logs it. Nobody waits for a slow client, and nothing is
//! dropped silently.

use super::chat_outbox::{Next, Outbox};
use super::event::{Departure, Event, EventSink, StopReason};
use super::lines::{read_line, LineRead};
use super::server::{serve_each, Acceptor, Limits};
use super::visible::visible;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

/// The exercise's "more than 1 minute inactive".
pub const DEFAULT_IDLE: Duration = Duration::from_secs(60);
/// Longest accepted line.
pub const MAX_LINE: usize = 4096;
/// Bytes waiting for one client before it is expelled as too slow.
pub const DEFAULT_MAX_PENDING: usize = 1 << 20;
/// Longest one line's write may take before the client is expelled.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest we try to tell an expelled client why.
const NOTICE_GRACE: Duration = Duration::from_secs(1);

pub const PROMPT: &str = "Password:\n";
pub const WRONG_PASSWORD: &str = "Wrong password. Bye.\n";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatOptions {
    pub password: String,
    pub idle_timeout: Option<Duration>,
    /// Bytes waiting to be written to one client before it is expelled
    /// (one line is always accepted, however long).
    pub max_pending: usize,
    /// Longest the client's socket may take to accept one line.
    pub write_timeout: Duration,
    pub limits: Limits,
}

/// Runs the chat server until its limits stop it.
pub async fn serve(listener: TcpListener, options: ChatOptions, sink: EventSink) -> StopReason {
    let room = Arc::new(Room::default());
    let acceptor = Acceptor::new(listener, options.limits, sink.clone());
    let options = Arc::new(options);
    let handler =
        move |stream, peer| serve_client(stream, peer, room.clone(), options.clone(), sink.clone());
    serve_each(acceptor, handler, |_| None).await
}

/// The authenticated clients and the outbox feeding each one's socket.
#[derive(Default)]
struct Room {
    members: Mutex<HashMap<SocketAddr, Arc<Outbox>>>,
}

impl Room {
    fn members(&self) -> MutexGuard<'_, HashMap<SocketAddr, Arc<Outbox>>> {
        // A panic elsewhere leaves the map consistent (single inserts/removes).
        self.members.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `peer`; returns how many others are in the room.
    fn join(&self, peer: SocketAddr, outbox: Arc<Outbox>) -> usize {
        let mut members = self.members();
        members.insert(peer, outbox);
        members.len() - 1
    }

    /// Removes `peer`; returns whether it was in the room.
    fn leave(&self, peer: SocketAddr) -> bool {
        self.members().remove(&peer).is_some()
    }

    /// Queues `text` for everyone but `from`, without waiting: a member whose
    /// outbox overflows is expelled by its own writer.
    fn broadcast(&self, from: SocketAddr, text: String) {
        let text: Arc<str> = text.into();
        for (peer, outbox) in self.members().iter() {
            if *peer != from {
                outbox.push(text.clone());
            }
        }
    }
}

/// Removes its client from the room however the connection ends (also when
/// `max_time` aborts the task).
struct Membership<'a> {
    room: &'a Room,
    peer: SocketAddr,
}

impl Drop for Membership<'_> {
    fn drop(&mut self) {
        self.room.leave(self.peer);
    }
}

/// Which half of a client's connection ended first.
enum Ended {
    Talk(Departure),
    Delivery(Option<Departure>),
}

async fn serve_client(
    stream: TcpStream,
    peer: SocketAddr,
    room: Arc<Room>,
    options: Arc<ChatOptions>,
    sink: EventSink,
) -> Departure {
    let (read_half, write_half) = stream.into_split();
    let outbox = Arc::new(Outbox::new(options.max_pending));
    let _membership = Membership { room: &room, peer };
    let talk = converse(read_half, peer, &outbox, &room, &options, &sink);
    let delivery = deliver(write_half, &outbox, options.write_timeout);
    tokio::pin!(talk, delivery);
    let ended = tokio::select! {
        why = &mut talk => Ended::Talk(why),
        failed = &mut delivery => Ended::Delivery(failed),
    };
    let why = match ended {
        Ended::Talk(why) => {
            // Flush what is queued (a farewell, say), within the deadline.
            outbox.close();
            let _ = tokio::time::timeout(options.write_timeout, delivery).await;
            why
        }
        Ended::Delivery(failed) => failed.unwrap_or(Departure::Closed),
    };
    if room.leave(peer) {
        room.broadcast(peer, format!("* {peer} {}\n", farewell(&why)));
    }
    sink(&Event::Left {
        peer,
        why: why.clone(),
    });
    why
}

/// What the room is told when `why` ends a member's connection.
fn farewell(why: &Departure) -> String {
    match why {
        Departure::Idle(limit) | Departure::IdleInLine { limit, .. } => {
            format!("was expelled (idle for more than {limit:?})")
        }
        Departure::TooSlow(_) => "was expelled (it fell behind reading)".to_owned(),
        Departure::NotReading(limit) => format!("was expelled (took no data for {limit:?})"),
        _ => "left the room".to_owned(),
    }
}

/// Writes the outbox's lines in order, each within `write_timeout`, until the
/// outbox is closed and empty (then closes, FIN: `None`) or the client must go:
/// its outbox overflowed, a write took too long or failed.
async fn deliver(
    mut socket: OwnedWriteHalf,
    outbox: &Outbox,
    write_timeout: Duration,
) -> Option<Departure> {
    loop {
        let text = match outbox.next().await {
            Next::Line(text) => text,
            Next::Closed => {
                let _ = tokio::time::timeout(write_timeout, socket.shutdown()).await;
                return None;
            }
            Next::Overflowed => {
                let why = Departure::TooSlow(outbox.max_bytes());
                return Some(expel(socket, why, false).await);
            }
        };
        let bytes = text.as_bytes();
        let mut done = 0;
        let write = async {
            while done < bytes.len() {
                match socket.write(&bytes[done..]).await {
                    Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
                    Ok(n) => done += n,
                    Err(err) => return Err(err),
                }
            }
            Ok(())
        };
        let outcome = tokio::select! {
            biased;
            () = outbox.overflowed() => Err(Departure::TooSlow(outbox.max_bytes())),
            written = tokio::time::timeout(write_timeout, write) => match written {
                Ok(Ok(())) => Ok(()),
                Ok(Err(err)) => return Some(Departure::Failed(err.to_string())),
                Err(_) => Err(Departure::NotReading(write_timeout)),
            },
        };
        if let Err(why) = outcome {
            let cut = done > 0 && done < bytes.len();
            return Some(expel(socket, why, cut).await);
        }
    }
}

/// Tells the client why it is expelled, if its socket takes the line soon,
/// and closes. `cut`: a line was half written, so start a new one.
async fn expel(mut socket: OwnedWriteHalf, why: Departure, cut: bool) -> Departure {
    let reason = match &why {
        Departure::TooSlow(max) => {
            format!("you fell behind, more than {max} bytes were waiting for you")
        }
        Departure::NotReading(limit) => format!("you took no data for {limit:?}"),
        other => other.to_string(),
    };
    let newline = if cut { "\n" } else { "" };
    let notice = format!("{newline}Expelled: {reason}.\n");
    let _ = tokio::time::timeout(NOTICE_GRACE, socket.write_all(notice.as_bytes())).await;
    why
}

/// One client's conversation: password, then relaying lines.
async fn converse(
    read_half: OwnedReadHalf,
    peer: SocketAddr,
    outbox: &Arc<Outbox>,
    room: &Room,
    options: &ChatOptions,
    sink: &EventSink,
) -> Departure {
    let tell = |text: String| {
        outbox.push(text.into());
    };
    let mut reader = BufReader::new(read_half);
    let mut pending = Vec::new();
    let idle = options.idle_timeout;
    tell(PROMPT.to_owned());
    match next_line(&mut reader, &mut pending, idle).await {
        Ok(line) if line == options.password.as_bytes() => {}
        Ok(_) => {
            tell(WRONG_PASSWORD.to_owned());
            return Departure::WrongPassword;
        }
        Err(why) => {
            if let Departure::Idle(limit) | Departure::IdleInLine { limit, .. } = why {
                tell(expelled(limit));
            }
            return why;
        }
    }
    sink(&Event::Authenticated { peer });
    let others = room.join(peer, outbox.clone());
    tell(format!(
        "Welcome, you are {peer}. {others} other(s) in the room.\n"
    ));
    room.broadcast(peer, format!("* {peer} entered the room\n"));
    loop {
        match next_line(&mut reader, &mut pending, idle).await {
            Ok(line) => {
                if !line.is_empty() {
                    room.broadcast(peer, format!("[{peer}] {}\n", visible(&line)));
                }
                sink(&Event::Data { peer, bytes: line });
            }
            Err(why) => {
                if let Departure::Idle(limit) | Departure::IdleInLine { limit, .. } = why {
                    tell(expelled(limit));
                }
                return why;
            }
        }
    }
}

fn expelled(limit: Duration) -> String {
    format!("Expelled: idle for more than {limit:?}.\n")
}

/// The next line, or why the conversation is over. The idle limit counts
/// silence: a client still sending a long line (no line end yet) is not
/// idle, and one that stops in the middle of a line is told apart.
async fn next_line(
    reader: &mut BufReader<OwnedReadHalf>,
    pending: &mut Vec<u8>,
    idle: Option<Duration>,
) -> Result<Vec<u8>, Departure> {
    let result = match idle {
        Some(limit) => loop {
            let before = pending.len();
            // read_line is cancel-safe: what it read stays in `pending`.
            match tokio::time::timeout(limit, read_line(reader, pending, MAX_LINE)).await {
                Ok(result) => break result,
                Err(_) if pending.len() > before => continue,
                Err(_) if pending.is_empty() => return Err(Departure::Idle(limit)),
                Err(_) => {
                    let got = pending.len() as u64;
                    return Err(Departure::IdleInLine { limit, got });
                }
            }
        },
        None => read_line(reader, pending, MAX_LINE).await,
    };
    match result {
        Ok(LineRead::Line(line)) => Ok(line),
        Ok(LineRead::Eof) => Err(Departure::Closed),
        Ok(LineRead::TooLong) => Err(Departure::Malformed(format!(
            "sent a line longer than {MAX_LINE} bytes"
        ))),
        Err(err) => Err(Departure::Failed(err.to_string())),
    }
}
