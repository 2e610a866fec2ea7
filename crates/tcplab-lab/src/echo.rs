//! The lab's echo servers, one [`EchoVersion`] per version of the lab's
//! `servidor_eco_tcp`.
//!
//! In: a bound `TcpListener`, the version, [`EchoOptions`] (limits, idle
//! timeout, header width) and an [`EventSink`]. Out: every byte received is
//! written back to its sender; an [`Event`] is reported for each connection,
//! data and departure; [`serve`] returns why the server stopped.
//!
//! | version  | lab program   | behaviour |
//! |----------|---------------|-----------|
//! | `single` | v1            | one client; ends when it sends `.` or closes |
//! | `turns`  | v1_2          | clients one after another, each until `.` or close |
//! | `once`   | v1_3          | close after the first reply or after 5 s of silence |
//! | `multi`  | v2            | all clients at once; `idle_timeout` expels the silent |
//! | `framed` | v3_7          | `multi` with A-PDUs; a malformed header closes that client |
//!
//! `.` also counts when followed by `\n` or `\r\n`, so `nc` users can stop v1.
//! Raw versions echo each read as it comes (up to 1024 bytes, like the lab's
//! `recv(1024)`): TCP keeps no message boundaries, which is the point of v3.

use super::echo_multi::{serve_framed_client, serve_raw_client, FramedLimits};
use super::event::{Departure, Event, EventSink, StopReason};
use super::framing::HeaderWidth;
use super::server::{read_chunk, serve_each, Acceptor, Chunk, Limits};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

/// How long the `once` server waits for a client's first message (lab: 5 s).
pub const ONCE_SILENCE: Duration = Duration::from_secs(5);
/// Longest message the `framed` server accepts unless told otherwise: 1 MiB
/// (the lab's 6-digit header allows 999,999 bytes, so the lab is unaffected;
/// a wider header no longer lets a client make the server buffer gigabytes).
pub const DEFAULT_MAX_MESSAGE: u64 = 1 << 20;
/// Bytes per read for the raw versions (the lab's `recv(1024)`).
const RECV_SIZE: usize = 1024;

/// Which of the lab's echo servers to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EchoVersion {
    /// v1: one client, until it sends "." or closes
    Single,
    /// v1_2: queued clients served one after another
    Turns,
    /// v1_3: close after the first reply or after the idle timeout (5 s)
    Once,
    /// v2: all clients at once (select-style); --idle-timeout expels the silent
    Multi,
    /// v3_7: multi with the lab's length-prefixed A-PDUs
    Framed,
}

/// How an echo server behaves beyond its version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EchoOptions {
    pub limits: Limits,
    /// Close clients silent this long (`once`: defaults to [`ONCE_SILENCE`]).
    pub idle_timeout: Option<Duration>,
    /// A-PDU header width for `framed`.
    pub width: HeaderWidth,
    /// `framed`: a header announcing more bytes than this closes the
    /// connection before the body is read (nothing is buffered for it).
    pub max_message: u64,
}

impl Default for EchoOptions {
    fn default() -> Self {
        EchoOptions {
            limits: Limits::default(),
            idle_timeout: None,
            width: HeaderWidth::default(),
            max_message: DEFAULT_MAX_MESSAGE,
        }
    }
}

/// Runs the echo server `version` on `listener` until its limits stop it.
pub async fn serve(
    listener: TcpListener,
    version: EchoVersion,
    options: EchoOptions,
    sink: EventSink,
) -> StopReason {
    let idle = options.idle_timeout;
    match version {
        EchoVersion::Single => {
            let limits = Limits {
                max_clients: Some(1),
                ..options.limits
            };
            let acceptor = Acceptor::new(listener, limits, sink);
            one_at_a_time(acceptor, true, |s, p, k| echo_until_dot(s, p, idle, k)).await
        }
        EchoVersion::Turns => {
            let acceptor = Acceptor::new(listener, options.limits, sink);
            one_at_a_time(acceptor, false, |s, p, k| echo_until_dot(s, p, idle, k)).await
        }
        EchoVersion::Once => {
            let silence = idle.unwrap_or(ONCE_SILENCE);
            let acceptor = Acceptor::new(listener, options.limits, sink);
            one_at_a_time(acceptor, false, |s, p, k| echo_once(s, p, silence, k)).await
        }
        EchoVersion::Multi => {
            let acceptor = Acceptor::new(listener, options.limits, sink.clone());
            let handler = move |stream, peer| serve_raw_client(stream, peer, idle, sink.clone());
            serve_each(acceptor, handler, |_| None).await
        }
        EchoVersion::Framed => {
            let acceptor = Acceptor::new(listener, options.limits, sink.clone());
            let decoder = FramedLimits {
                width: options.width,
                max_message: options.max_message,
                idle,
            };
            let handler =
                move |stream, peer| serve_framed_client(stream, peer, decoder, sink.clone());
            serve_each(acceptor, handler, |_| None).await
        }
    }
}

/// The iterative servers: accept, serve until done, accept the next.
async fn one_at_a_time<F, Fut>(
    mut acceptor: Acceptor,
    single: bool,
    mut serve_client: F,
) -> StopReason
where
    F: FnMut(TcpStream, SocketAddr, EventSink) -> Fut,
    Fut: std::future::Future<Output = Departure>,
{
    let sink = acceptor.sink().clone();
    while let Some((stream, peer)) = acceptor.accept().await {
        let served = acceptor.within_deadline(serve_client(stream, peer, sink.clone()));
        let why = served.await.unwrap_or(Departure::ServerStopped);
        let stopped = why == Departure::ServerStopped;
        sink(&Event::Left { peer, why });
        if stopped {
            break;
        }
    }
    let why = match acceptor.stop_reason() {
        StopReason::MaxClients(1) if single => StopReason::SingleClientDone,
        other => other,
    };
    acceptor.stopped(why)
}

/// v1 and v1_2: echo until the client sends `.` or closes.
async fn echo_until_dot(
    mut stream: TcpStream,
    peer: SocketAddr,
    idle: Option<Duration>,
    sink: EventSink,
) -> Departure {
    let mut buf = [0u8; RECV_SIZE];
    loop {
        let data = match read_chunk(&mut stream, &mut buf, idle).await {
            Chunk::Data(n) => &buf[..n],
            Chunk::End(why) => return why,
        };
        sink(&Event::Data {
            peer,
            bytes: data.to_vec(),
        });
        if is_dot(data) {
            return Departure::SentDot;
        }
        if let Err(err) = stream.write_all(data).await {
            return Departure::Failed(err.to_string());
        }
    }
}

/// v1_3: one reply, or nothing if the client is silent for `silence`.
async fn echo_once(
    mut stream: TcpStream,
    peer: SocketAddr,
    silence: Duration,
    sink: EventSink,
) -> Departure {
    let mut buf = [0u8; RECV_SIZE];
    let data = match read_chunk(&mut stream, &mut buf, Some(silence)).await {
        Chunk::Data(n) => &buf[..n],
        Chunk::End(why) => return why,
    };
    sink(&Event::Data {
        peer,
        bytes: data.to_vec(),
    });
    match stream.write_all(data).await {
        Ok(()) => Departure::Replied,
        Err(err) => Departure::Failed(err.to_string()),
    }
}

/// The lab's end-of-session message, tolerating the line end `nc` adds.
fn is_dot(data: &[u8]) -> bool {
    matches!(data, b"." | b".\n" | b".\r\n")
}

#[cfg(test)]
mod tests {
    use super::is_dot;

    #[test]
    fn dot_with_or_without_line_end() {
        assert!(is_dot(b".") && is_dot(b".\n") && is_dot(b".\r\n"));
        assert!(!is_dot(b"..") && !is_dot(b"a.") && !is_dot(b""));
    }
}
