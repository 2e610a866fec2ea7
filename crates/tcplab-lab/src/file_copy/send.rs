//! The sender of the file copy: sends the file line by line or whole, in the
//! lab's protocol or tcplab's verified exchange (see the parent module).
//!
//! In: a [`SendRequest`] (the [`Contents`], read a piece at a time as they
//! are sent; mode, header width, protocol; the name for the verified
//! exchange) and the server's address or a connected stream. Out: a
//! [`Sent`]: the [`FileDigest`] of what was sent, the number of writes, and
//! how the exchange ended (the server's confirmation of an identical copy, or its
//! close); otherwise a `FileCopyError` (the server's refusal, a mismatch, a
//! lost connection).

use super::contents::Contents;
use super::outgoing::{send_contents, Outgoing};
use super::protocol::{FileDigest, Hello, Mode, Reply};
use super::{FileCopyError, Protocol};
use crate::framed_stream::{write_frame, FramedReader};
use crate::framing::{Decoder, HeaderWidth};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

/// Replies are short text.
const REPLY_MAX: u64 = 64 * 1024;

#[derive(Clone, Copy)]
pub struct SendRequest<'a> {
    /// The name the verified exchange asks the server to store the file
    /// under (a plain name, no directories); the lab's protocol sends none.
    pub name: &'a str,
    /// What is sent, read as it is sent (memory does not grow with it).
    pub contents: &'a dyn Contents,
    pub mode: Mode,
    /// Header width of the `whole`-mode data message.
    pub width: HeaderWidth,
    pub protocol: Protocol,
    /// Lab protocol: after our FIN, wait at most this long for the server's
    /// (`None`: as long as it takes). Our data is in the kernel's hands
    /// either way; the wait only tells whether the server took all of it.
    pub close_wait: Option<Duration>,
}

/// A file sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// Size and SHA-256 of what was sent.
    pub digest: FileDigest,
    /// Writes of file data (one per line, or piece of a long line, in
    /// `lines` mode).
    pub writes: u64,
    pub end: SendEnd,
}

/// How the exchange ended once the file was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendEnd {
    /// Verified exchange: the server stored an identical copy.
    Confirmed,
    /// Lab protocol: the server closed its side after reading ours; it sent
    /// `bytes_back` bytes meanwhile (the lab's server sends none).
    ServerClosed { bytes_back: u64 },
    /// Lab protocol: the server had not closed after this long; we closed.
    ServerStillOpen { waited: Duration, bytes_back: u64 },
}

impl SendRequest<'_> {
    /// Refuses, before connecting, a `whole` file its header cannot announce.
    pub fn check(&self) -> Result<(), FileCopyError> {
        let len = self.contents.size();
        let width = self.width;
        if self.mode == Mode::Whole && len > width.max_len() {
            let needed = HeaderWidth::fitting(len).map_or(u8::MAX, HeaderWidth::digits);
            return Err(FileCopyError::TooLarge {
                name: self.name.to_owned(),
                len,
                digits: width.digits(),
                max: width.max_len(),
                needed,
            });
        }
        Ok(())
    }
}

/// Connects to `addr` and sends the file.
pub async fn send(addr: SocketAddr, request: &SendRequest<'_>) -> Result<Sent, FileCopyError> {
    request.check()?;
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|source| FileCopyError::Connect { addr, source })?;
    send_over(stream, request).await
}

/// Sends the file over an established connection.
pub async fn send_over(
    stream: TcpStream,
    request: &SendRequest<'_>,
) -> Result<Sent, FileCopyError> {
    request.check()?;
    let (read_half, mut write_half) = stream.into_split();
    let (sent, end) = match request.protocol {
        Protocol::Lab => {
            let sent = send_data(&mut write_half, request).await?;
            (sent, wait_for_close(read_half, request.close_wait).await?)
        }
        Protocol::Verified => {
            let sent = verified(read_half, &mut write_half, request).await?;
            (sent, SendEnd::Confirmed)
        }
    };
    Ok(Sent {
        digest: sent.digest,
        writes: sent.writes,
        end,
    })
}

/// After our FIN: reads (and counts) whatever the server sends until it
/// closes, or until `limit`.
async fn wait_for_close(
    mut read_half: OwnedReadHalf,
    limit: Option<Duration>,
) -> Result<SendEnd, FileCopyError> {
    let mut bytes_back = 0u64;
    let mut buf = vec![0u8; 16 * 1024];
    let drain = async {
        loop {
            match read_half.read(&mut buf).await {
                Ok(0) => return Ok(()),
                Ok(n) => bytes_back += n as u64,
                Err(err) => return Err(err),
            }
        }
    };
    let outcome = match limit {
        Some(waited) => tokio::time::timeout(waited, drain).await.ok(),
        None => Some(drain.await),
    };
    match outcome {
        Some(Ok(())) => Ok(SendEnd::ServerClosed { bytes_back }),
        Some(Err(err)) => Err(FileCopyError::Closing(err)),
        None => Ok(SendEnd::ServerStillOpen {
            waited: limit.unwrap_or_default(),
            bytes_back,
        }),
    }
}

/// The verified exchange: hello (the contents read once for their SHA-256),
/// `go`, the data (read again), the server's verdict.
async fn verified(
    read_half: OwnedReadHalf,
    write_half: &mut OwnedWriteHalf,
    request: &SendRequest<'_>,
) -> Result<Outgoing, FileCopyError> {
    let reader = request.contents.open().map_err(FileCopyError::Read)?;
    let local = FileDigest::of_reader(reader)
        .await
        .map_err(FileCopyError::Read)?;
    let decoder = Decoder::new(HeaderWidth::LAB).with_max_len(REPLY_MAX);
    let mut replies = FramedReader::with_decoder(read_half, decoder);
    let hello = Hello {
        mode: request.mode,
        width: request.width,
        expected: local,
        name: request.name.to_owned(),
    };
    write_frame(write_half, HeaderWidth::LAB, hello.to_text().as_bytes()).await?;
    match next_reply(&mut replies).await? {
        Reply::Go => {}
        other => return Err(unexpected(other)),
    }
    let sent = match send_data(write_half, request).await {
        Ok(sent) => sent,
        // The server may have refused mid-way and said why.
        Err(err @ FileCopyError::Send(_)) => {
            return Err(match next_reply(&mut replies).await {
                Ok(Reply::Error(why)) => FileCopyError::Refused(why),
                _ => err,
            })
        }
        Err(err) => return Err(err),
    };
    if sent.digest != local {
        return Err(FileCopyError::Changed(format!(
            "{local} when read for the hello, {} when sent",
            sent.digest
        )));
    }
    match next_reply(&mut replies).await? {
        Reply::Stored(remote) if remote == local => Ok(sent),
        Reply::Stored(remote) => Err(FileCopyError::Mismatch { local, remote }),
        other => Err(unexpected(other)),
    }
}

/// The data, then our FIN (the end of the file in `lines` mode).
async fn send_data<W: AsyncWriteExt + Unpin>(
    writer: &mut W,
    request: &SendRequest<'_>,
) -> Result<Outgoing, FileCopyError> {
    let sent = send_contents(writer, request.contents, request.mode, request.width).await?;
    writer
        .shutdown()
        .await
        .map_err(|e| FileCopyError::Send(e.into()))?;
    Ok(sent)
}

async fn next_reply(replies: &mut FramedReader<OwnedReadHalf>) -> Result<Reply, FileCopyError> {
    match replies.next().await? {
        Some(payload) => Reply::parse(&payload),
        None => Err(FileCopyError::NoReply),
    }
}

fn unexpected(reply: Reply) -> FileCopyError {
    match reply {
        Reply::Error(why) => FileCopyError::Refused(why),
        other => FileCopyError::Protocol(format!("unexpected reply {:?}", other.to_text())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_copy::test_writer::Recorder;

    /// The data phase ends with our FIN.
    #[tokio::test]
    async fn the_data_ends_with_our_fin() {
        let request = SendRequest {
            name: "x",
            contents: b"uno\ndos\n",
            mode: Mode::Lines,
            width: HeaderWidth::LAB,
            protocol: Protocol::Lab,
            close_wait: None,
        };
        let mut writes = Recorder::default();
        let sent = send_data(&mut writes, &request).await.unwrap();
        assert_eq!(writes.writes, [b"uno\n".to_vec(), b"dos\n".to_vec()]);
        assert_eq!(sent.writes, 2);
        assert!(writes.shut);
    }
}
