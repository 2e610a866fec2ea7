//! Per-client loops of the concurrent echo servers (v2 `multi` and v3_7
//! `framed`); `echo::serve` runs one per connection.
//!
//! In: a connected stream, the client's address, the idle timeout and (for
//! `framed`) the header width. Out: echoes, events, and the [`Departure`]
//! that ended the connection. A client silent for longer than the idle
//! timeout is told why before being closed (exercise 6); a framed client that
//! sends a malformed header is closed and the reason logged, since the stream
//! cannot be resynchronised, and so is one that announces a message longer
//! than the server accepts (before its body is read); other clients are
//! unaffected.

use super::event::{Departure, Event, EventSink};
use super::framed_stream::{write_frame, FramedReader, RecvError};
use super::framing::{Decoder, FrameError, HeaderWidth};
use super::server::{read_chunk, Chunk};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const RECV_SIZE: usize = 1024;

/// The notice an idle client receives before being closed.
pub fn idle_notice(limit: Duration) -> String {
    format!("expelled: nothing received for {limit:?}\n")
}

/// v2: echo each read back until the client closes or idles out.
pub async fn serve_raw_client(
    mut stream: TcpStream,
    peer: SocketAddr,
    idle: Option<Duration>,
    sink: EventSink,
) -> Departure {
    let mut buf = [0u8; RECV_SIZE];
    let why = loop {
        let data = match read_chunk(&mut stream, &mut buf, idle).await {
            Chunk::Data(n) => &buf[..n],
            Chunk::End(why) => break why,
        };
        sink(&Event::Data {
            peer,
            bytes: data.to_vec(),
        });
        if let Err(err) = stream.write_all(data).await {
            break Departure::Failed(err.to_string());
        }
    };
    if let Departure::Idle(limit) = why {
        // Best effort: the client may already be gone.
        let _ = stream.write_all(idle_notice(limit).as_bytes()).await;
    }
    sink(&Event::Left {
        peer,
        why: why.clone(),
    });
    why
}

/// How a framed client is read.
#[derive(Debug, Clone, Copy)]
pub struct FramedLimits {
    pub width: HeaderWidth,
    /// Longest message accepted (see `EchoOptions::max_message`).
    pub max_message: u64,
    pub idle: Option<Duration>,
}

/// v3_7: echo each A-PDU back as an A-PDU.
pub async fn serve_framed_client(
    mut stream: TcpStream,
    peer: SocketAddr,
    limits: FramedLimits,
    sink: EventSink,
) -> Departure {
    let FramedLimits {
        width,
        max_message,
        idle,
    } = limits;
    let (read_half, mut write_half) = stream.split();
    let decoder = Decoder::new(width).with_max_len(max_message);
    let mut reader = FramedReader::with_decoder(read_half, decoder);
    let why = loop {
        let next = match idle {
            // The limit counts silence: a client still sending a message
            // slowly is not idle (`next` is cancel-safe: nothing read is lost).
            Some(limit) => {
                let waited = loop {
                    let before = reader.partial().map_or(0, |p| p.got);
                    match tokio::time::timeout(limit, reader.next()).await {
                        Ok(next) => break Ok(next),
                        Err(_) => match reader.partial() {
                            Some(partial) if partial.got > before => continue,
                            Some(partial) => {
                                break Err(Departure::IdleInMessage { limit, partial })
                            }
                            None => break Err(Departure::Idle(limit)),
                        },
                    }
                };
                match waited {
                    Ok(next) => next,
                    Err(why) => break why,
                }
            }
            None => reader.next().await,
        };
        let message = match next {
            Ok(Some(message)) => message,
            Ok(None) => break Departure::Closed,
            Err(RecvError::Frame(FrameError::LengthOverMax { len, max, .. })) => {
                break Departure::TooLarge { len, max }
            }
            Err(RecvError::Frame(err)) => break Departure::Malformed(err.to_string()),
            Err(RecvError::Io(err)) => break Departure::Failed(err.to_string()),
        };
        sink(&Event::Data {
            peer,
            bytes: message.clone(),
        });
        if let Err(err) = write_frame(&mut write_half, width, &message).await {
            break Departure::Failed(err.to_string());
        }
    };
    if let Departure::Idle(limit) | Departure::IdleInMessage { limit, .. } = why {
        let notice = idle_notice(limit);
        let _ = write_frame(&mut write_half, width, notice.trim_end().as_bytes()).await;
    }
    sink(&Event::Left {
        peer,
        why: why.clone(),
    });
    why
}
