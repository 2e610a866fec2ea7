//! The lab's echo client (`cliente_eco_tcp` v1, v1_3 with `once`, v3_7 with
//! framing): send a line, print the reply, repeat.
//!
//! In: a connected stream, lines of input (the terminal), [`ClientOptions`].
//! Out: each reply written to `output` (a line end added if it has none) and a
//! [`ClientReport`] saying how the session ended.
//!
//! Lines are sent without their line end, as the lab's `raw_input()` client
//! does (so the v1 server sees exactly `.`), unless `keep_newline` is set. Raw mode cannot send an empty
//! line (TCP carries no empty message) and skips it; framed mode sends it as
//! `000000:`. A line that is just `.` is sent and ends the client: the lab's
//! v1 server stops at it without answering. A raw reply is whatever arrives
//! for the line: the first read, topped up while it is shorter than the line
//! sent and more keeps coming within [`QUIET_GAP`] (an echo may be split
//! across segments; `nc` as server may answer anything).
//!
//! The server is read while the client waits for the next line, so an
//! expulsion notice or the server closing shows at once, not when the next
//! line is typed; what the server sends unasked is printed but not counted
//! as the reply to any line. A reply that is not the same bytes as its line
//! (a notice that crossed the line on its way, or `nc` answering something
//! else) is counted as a reply that is not an echo.

use super::framed_stream::{write_frame, FramedReader, RecvError, SendError};
use super::framing::HeaderWidth;
use std::io;
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

/// How long a raw reply may pause before it is considered complete.
pub const QUIET_GAP: Duration = Duration::from_millis(200);

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientOptions {
    /// Send and expect A-PDUs of this width (v3_7).
    pub framing: Option<HeaderWidth>,
    /// Close after the first reply (v1_3).
    pub once: bool,
    /// Send each line with its line end (for line-based peers such as `nc -l`).
    pub keep_newline: bool,
}

/// How the session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientEnd {
    /// The input ran out; we closed the connection.
    InputDone,
    /// A `.` line was sent (the lab's v1 server stops at it); we closed.
    SentDot,
    /// `once`: the first reply arrived.
    FirstReply,
    /// The server closed (or reset) the connection.
    ServerClosed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientReport {
    /// Lines sent (the ending `.` not counted).
    pub sent: u64,
    /// Replies to them.
    pub replies: u64,
    /// Replies that are not the same bytes as their line: not an echo (a
    /// notice that crossed the line on its way, or a server that answers
    /// something else, such as `nc` with a person typing).
    pub not_echo: u64,
    /// Messages the server sent while no line waited for a reply (an
    /// expulsion notice, say): printed, not counted as replies.
    pub unasked: u64,
    pub end: ClientEnd,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("reading the input: {0}")]
    Input(io::Error),
    #[error("writing the output: {0}")]
    Output(io::Error),
    #[error(transparent)]
    Send(#[from] SendError),
    #[error("receiving the reply: {0}")]
    Recv(#[from] RecvError),
}

/// Runs the client over `stream` until the input ends, a `.` line, the
/// server closes, or (with `once`) the first reply.
pub async fn run<I, O>(
    stream: TcpStream,
    input: I,
    mut output: O,
    options: ClientOptions,
) -> Result<ClientReport, ClientError>
where
    I: AsyncBufRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let (read_half, mut write_half) = stream.into_split();
    let mut report = ClientReport {
        sent: 0,
        replies: 0,
        not_echo: 0,
        unasked: 0,
        end: ClientEnd::InputDone,
    };
    // Both reads own their reader and live across the loop's turns, so that
    // neither loses bytes when the other one wins the race.
    let mut from_server = Box::pin(next_from_server(Replies::new(read_half, options.framing)));
    let mut from_user = Box::pin(next_line(input));
    // The line whose reply we wait for, as it was sent.
    let mut waiting: Option<Vec<u8>> = None;
    loop {
        tokio::select! {
            biased;
            (mut replies, got) = &mut from_server => {
                let Some(mut reply) = got? else {
                    return Ok(ClientReport { end: ClientEnd::ServerClosed, ..report });
                };
                match waiting.take() {
                    Some(sent) => {
                        replies.top_up(&mut reply, sent.len()).await;
                        report.replies += 1;
                        report.not_echo += u64::from(reply != sent);
                    }
                    None => report.unasked += 1,
                }
                print_reply(&mut output, &reply).await?;
                if options.once && report.replies > 0 {
                    report.end = ClientEnd::FirstReply;
                    return Ok(report);
                }
                from_server = Box::pin(next_from_server(replies));
            }
            (input, line) = &mut from_user, if waiting.is_none() => {
                let Some(line) = line.map_err(ClientError::Input)? else {
                    // Our FIN; the server sees the end of the conversation.
                    let _ = write_half.shutdown().await;
                    return Ok(report);
                };
                from_user = Box::pin(next_line(input));
                let mut bare = line.clone();
                strip_line_end(&mut bare);
                let dot = bare == b".";
                let line = if options.keep_newline { line } else { bare };
                if line.is_empty() && options.framing.is_none() {
                    continue;
                }
                if let Err(err) = send(&mut write_half, options.framing, &line).await {
                    return match err {
                        SendError::Io(e) if is_disconnect(&e) => Ok(closed(report)),
                        other => Err(other.into()),
                    };
                }
                if dot {
                    let _ = write_half.shutdown().await;
                    report.end = ClientEnd::SentDot;
                    return Ok(report);
                }
                report.sent += 1;
                waiting = Some(line);
            }
        }
    }
}

/// The next line of input with its line end; `None` at the end of input.
/// Takes the reader and gives it back, so the read can outlive a turn of
/// the client's loop.
async fn next_line<I: AsyncBufRead + Unpin>(mut input: I) -> (I, io::Result<Option<Vec<u8>>>) {
    let mut line = Vec::new();
    let read = match input.read_until(b'\n', &mut line).await {
        Ok(0) => Ok(None),
        Ok(_) => Ok(Some(line)),
        Err(err) => Err(err),
    };
    (input, read)
}

/// The next thing the server sends (see [`Replies::next`]), with the reader.
async fn next_from_server(mut replies: Replies) -> (Replies, Result<Option<Vec<u8>>, RecvError>) {
    let got = replies.next().await;
    (replies, got)
}

fn closed(report: ClientReport) -> ClientReport {
    ClientReport {
        end: ClientEnd::ServerClosed,
        ..report
    }
}

fn strip_line_end(line: &mut Vec<u8>) {
    if line.last() == Some(&b'\n') {
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
    }
}

async fn send(
    writer: &mut OwnedWriteHalf,
    framing: Option<HeaderWidth>,
    line: &[u8],
) -> Result<(), SendError> {
    match framing {
        Some(width) => write_frame(writer, width, line).await,
        None => Ok(writer.write_all(line).await?),
    }
}

async fn print_reply<O: AsyncWrite + Unpin>(
    output: &mut O,
    reply: &[u8],
) -> Result<(), ClientError> {
    output.write_all(reply).await.map_err(ClientError::Output)?;
    if reply.last() != Some(&b'\n') {
        output.write_all(b"\n").await.map_err(ClientError::Output)?;
    }
    output.flush().await.map_err(ClientError::Output)
}

fn is_disconnect(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::BrokenPipe
            | io::ErrorKind::ConnectionAborted
    )
}

/// Where replies come from.
enum Replies {
    Raw(OwnedReadHalf),
    Framed(FramedReader<OwnedReadHalf>),
}

/// Bytes per raw read (the lab's client reads up to 1024 at a time).
const RAW_READ: usize = 1024;

impl Replies {
    fn new(read_half: OwnedReadHalf, framing: Option<HeaderWidth>) -> Self {
        match framing {
            Some(width) => Replies::Framed(FramedReader::new(read_half, width)),
            None => Replies::Raw(read_half),
        }
    }

    /// A message (framed) or what one read returns (raw); `None` once the
    /// server has closed (or reset) the connection.
    async fn next(&mut self) -> Result<Option<Vec<u8>>, RecvError> {
        match self {
            Replies::Framed(reader) => match reader.next().await {
                Err(RecvError::Io(e)) if is_disconnect(&e) => Ok(None),
                other => other,
            },
            Replies::Raw(reader) => {
                let mut chunk = vec![0u8; RAW_READ];
                match reader.read(&mut chunk).await {
                    Ok(0) => Ok(None),
                    Ok(n) => {
                        chunk.truncate(n);
                        Ok(Some(chunk))
                    }
                    Err(e) if is_disconnect(&e) => Ok(None),
                    Err(e) => Err(e.into()),
                }
            }
        }
    }

    /// Raw: the rest of a reply shorter than the `sent` bytes of its line,
    /// while more keeps coming within [`QUIET_GAP`]. Framed replies are whole.
    async fn top_up(&mut self, reply: &mut Vec<u8>, sent: usize) {
        let Replies::Raw(reader) = self else { return };
        while reply.len() < sent {
            let got = reply.len();
            reply.resize(sent, 0);
            match tokio::time::timeout(QUIET_GAP, reader.read(&mut reply[got..])).await {
                Ok(Ok(n)) if n > 0 => reply.truncate(got + n),
                _ => {
                    reply.truncate(got);
                    break;
                }
            }
        }
    }
}
