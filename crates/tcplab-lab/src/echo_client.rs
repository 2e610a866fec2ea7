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
//! `000000:`. A raw reply is whatever arrives for the line: the first read,
//! topped up while it is shorter than the line sent and more keeps coming
//! within [`QUIET_GAP`] (an echo may be split across segments; `nc` as server
//! may answer anything).

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
    /// `once`: the first reply arrived.
    FirstReply,
    /// The server closed (or reset) the connection.
    ServerClosed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientReport {
    pub sent: u64,
    pub replies: u64,
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

/// Runs the client over `stream` until the input ends, the server closes, or
/// (with `once`) the first reply.
pub async fn run<I, O>(
    stream: TcpStream,
    mut input: I,
    mut output: O,
    options: ClientOptions,
) -> Result<ClientReport, ClientError>
where
    I: AsyncBufRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let (read_half, mut write_half) = stream.into_split();
    let mut replies = Replies::new(read_half, options.framing);
    let mut report = ClientReport {
        sent: 0,
        replies: 0,
        end: ClientEnd::InputDone,
    };
    let mut line = Vec::new();
    loop {
        line.clear();
        if input
            .read_until(b'\n', &mut line)
            .await
            .map_err(ClientError::Input)?
            == 0
        {
            // Our FIN; the server sees the end of the conversation.
            let _ = write_half.shutdown().await;
            return Ok(report);
        }
        if !options.keep_newline {
            strip_line_end(&mut line);
        }
        if line.is_empty() && options.framing.is_none() {
            continue;
        }
        if let Err(err) = send(&mut write_half, options.framing, &line).await {
            return match err {
                SendError::Io(e) if is_disconnect(&e) => Ok(closed(report)),
                other => Err(other.into()),
            };
        }
        report.sent += 1;
        let Some(reply) = replies.next(line.len()).await? else {
            return Ok(closed(report));
        };
        report.replies += 1;
        print_reply(&mut output, &reply).await?;
        if options.once {
            report.end = ClientEnd::FirstReply;
            return Ok(report);
        }
    }
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

impl Replies {
    fn new(read_half: OwnedReadHalf, framing: Option<HeaderWidth>) -> Self {
        match framing {
            Some(width) => Replies::Framed(FramedReader::new(read_half, width)),
            None => Replies::Raw(read_half),
        }
    }

    /// The reply to a message of `sent` bytes; `None` if the server closed.
    async fn next(&mut self, sent: usize) -> Result<Option<Vec<u8>>, RecvError> {
        match self {
            Replies::Framed(reader) => match reader.next().await {
                Err(RecvError::Io(e)) if is_disconnect(&e) => Ok(None),
                other => other,
            },
            Replies::Raw(reader) => raw_reply(reader, sent).await,
        }
    }
}

async fn raw_reply(reader: &mut OwnedReadHalf, sent: usize) -> Result<Option<Vec<u8>>, RecvError> {
    let mut reply = vec![0u8; sent.max(1024)];
    let mut got = match reader.read(&mut reply).await {
        Ok(0) => return Ok(None),
        Ok(n) => n,
        Err(e) if is_disconnect(&e) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    while got < sent {
        match tokio::time::timeout(QUIET_GAP, reader.read(&mut reply[got..])).await {
            Ok(Ok(n)) if n > 0 => got += n,
            _ => break,
        }
    }
    reply.truncate(got);
    Ok(Some(reply))
}
