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
//! [`MAX_LINE`] bytes close the connection. A client too slow to read loses
//! messages rather than slowing the room down.

use super::event::{Departure, Event, EventSink, StopReason};
use super::lines::{read_line, LineRead};
use super::server::{serve_each, Acceptor, Limits};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// The exercise's "more than 1 minute inactive".
pub const DEFAULT_IDLE: Duration = Duration::from_secs(60);
/// Longest accepted line.
pub const MAX_LINE: usize = 4096;
/// Messages queued for one client before further ones are dropped.
const QUEUE: usize = 256;

pub const PROMPT: &str = "Password:\n";
pub const WRONG_PASSWORD: &str = "Wrong password. Bye.\n";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatOptions {
    pub password: String,
    pub idle_timeout: Option<Duration>,
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

/// The authenticated clients and the queue feeding each one's socket.
#[derive(Default)]
struct Room {
    members: Mutex<HashMap<SocketAddr, mpsc::Sender<Arc<str>>>>,
}

impl Room {
    fn members(&self) -> std::sync::MutexGuard<'_, HashMap<SocketAddr, mpsc::Sender<Arc<str>>>> {
        // A panic elsewhere leaves the map consistent (single inserts/removes).
        self.members.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `peer`; returns how many others are in the room.
    fn join(&self, peer: SocketAddr, queue: mpsc::Sender<Arc<str>>) -> usize {
        let mut members = self.members();
        members.insert(peer, queue);
        members.len() - 1
    }

    fn leave(&self, peer: SocketAddr) {
        self.members().remove(&peer);
    }

    /// Queues `text` for everyone but `from`; a full queue drops it.
    fn broadcast(&self, from: SocketAddr, text: String) {
        let text: Arc<str> = text.into();
        for (peer, queue) in self.members().iter() {
            if *peer != from {
                let _ = queue.try_send(text.clone());
            }
        }
    }
}

/// Removes its client from the room however the connection ends.
struct Membership<'a> {
    room: &'a Room,
    peer: SocketAddr,
}

impl Drop for Membership<'_> {
    fn drop(&mut self) {
        self.room.leave(self.peer);
    }
}

async fn serve_client(
    stream: TcpStream,
    peer: SocketAddr,
    room: Arc<Room>,
    options: Arc<ChatOptions>,
    sink: EventSink,
) -> Departure {
    let (read_half, write_half) = stream.into_split();
    let (queue, outbox) = mpsc::channel(QUEUE);
    let talk = converse(read_half, peer, queue, &room, &options, &sink);
    let (why, ()) = tokio::join!(talk, deliver(write_half, outbox));
    sink(&Event::Left {
        peer,
        why: why.clone(),
    });
    why
}

/// Writes queued messages until every sender is gone, then closes (FIN).
async fn deliver(mut socket: OwnedWriteHalf, mut outbox: mpsc::Receiver<Arc<str>>) {
    while let Some(text) = outbox.recv().await {
        if socket.write_all(text.as_bytes()).await.is_err() {
            return;
        }
    }
    let _ = socket.shutdown().await;
}

/// One client's conversation: password, then relaying lines.
async fn converse(
    read_half: OwnedReadHalf,
    peer: SocketAddr,
    queue: mpsc::Sender<Arc<str>>,
    room: &Room,
    options: &ChatOptions,
    sink: &EventSink,
) -> Departure {
    let tell = |text: String| {
        let queue = queue.clone();
        async move {
            let _ = queue.send(text.into()).await;
        }
    };
    let mut reader = BufReader::new(read_half);
    let mut pending = Vec::new();
    let idle = options.idle_timeout;
    tell(PROMPT.to_owned()).await;
    match next_line(&mut reader, &mut pending, idle).await {
        Ok(line) if line == options.password.as_bytes() => {}
        Ok(_) => {
            tell(WRONG_PASSWORD.to_owned()).await;
            return Departure::WrongPassword;
        }
        Err(why) => {
            if let Departure::Idle(limit) = why {
                tell(expelled(limit)).await;
            }
            return why;
        }
    }
    sink(&Event::Authenticated { peer });
    let others = room.join(peer, queue.clone());
    let _membership = Membership { room, peer };
    tell(format!(
        "Welcome, you are {peer}. {others} other(s) in the room.\n"
    ))
    .await;
    room.broadcast(peer, format!("* {peer} entered the room\n"));
    let why = loop {
        match next_line(&mut reader, &mut pending, idle).await {
            Ok(line) => {
                sink(&Event::Data {
                    peer,
                    bytes: line.clone(),
                });
                if !line.is_empty() {
                    let text = String::from_utf8_lossy(&line);
                    room.broadcast(peer, format!("[{peer}] {text}\n"));
                }
            }
            Err(why) => break why,
        }
    };
    let farewell = match &why {
        Departure::Idle(limit) => {
            tell(expelled(*limit)).await;
            format!("was expelled (idle for more than {limit:?})")
        }
        _ => "left the room".to_owned(),
    };
    room.broadcast(peer, format!("* {peer} {farewell}\n"));
    why
}

fn expelled(limit: Duration) -> String {
    format!("Expelled: idle for more than {limit:?}.\n")
}

/// The next line, or why the conversation is over.
async fn next_line(
    reader: &mut BufReader<OwnedReadHalf>,
    pending: &mut Vec<u8>,
    idle: Option<Duration>,
) -> Result<Vec<u8>, Departure> {
    let read = read_line(reader, pending, MAX_LINE);
    let result = match idle {
        Some(limit) => tokio::time::timeout(limit, read)
            .await
            .map_err(|_| Departure::Idle(limit))?,
        None => read.await,
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
