//! The sender of the file copy: sends the file line by line or whole, in the
//! lab's protocol or tcplab's verified exchange (see the parent module).
//!
//! In: a [`SendRequest`] (contents, mode, header width, protocol; the name
//! for the verified exchange) and the server's address or a connected
//! stream. Out: a [`Sent`]: the [`FileDigest`] of the file and how the
//! exchange ended (the server's confirmation of an identical copy, or its
//! close); otherwise a `FileCopyError` (the server's refusal, a mismatch, a
//! lost connection).

use super::protocol::{FileDigest, Hello, Mode, Reply};
use super::{FileCopyError, Protocol};
use crate::framed_stream::{write_frame, FramedReader, SendError};
use crate::framing::{Decoder, HeaderWidth};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

/// Replies are short text.
const REPLY_MAX: u64 = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendRequest<'a> {
    /// The name the verified exchange asks the server to store the file
    /// under (a plain name, no directories); the lab's protocol sends none.
    pub name: &'a str,
    pub contents: &'a [u8],
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
    pub fn check(&self) -> Result<FileDigest, FileCopyError> {
        let len = self.contents.len() as u64;
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
        Ok(FileDigest::of(self.contents))
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
    let digest = request.check()?;
    let (read_half, mut write_half) = stream.into_split();
    let end = match request.protocol {
        Protocol::Lab => {
            send_data(&mut write_half, request).await?;
            wait_for_close(read_half, request.close_wait).await?
        }
        Protocol::Verified => {
            verified(read_half, &mut write_half, request, digest).await?;
            SendEnd::Confirmed
        }
    };
    Ok(Sent { digest, end })
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

/// The verified exchange: hello, `go`, the data, the server's verdict.
async fn verified(
    read_half: OwnedReadHalf,
    write_half: &mut OwnedWriteHalf,
    request: &SendRequest<'_>,
    local: FileDigest,
) -> Result<(), FileCopyError> {
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
    if let Err(err) = send_data(write_half, request).await {
        // The server may have refused mid-way and said why.
        return Err(match next_reply(&mut replies).await {
            Ok(Reply::Error(why)) => FileCopyError::Refused(why),
            _ => err.into(),
        });
    }
    match next_reply(&mut replies).await? {
        Reply::Stored(remote) if remote == local => Ok(()),
        Reply::Stored(remote) => Err(FileCopyError::Mismatch { local, remote }),
        other => Err(unexpected(other)),
    }
}

/// The data, then our FIN (the end of the file in `lines` mode).
async fn send_data<W: AsyncWriteExt + Unpin>(
    writer: &mut W,
    request: &SendRequest<'_>,
) -> Result<(), SendError> {
    match request.mode {
        Mode::Whole => write_frame(writer, request.width, request.contents).await?,
        Mode::Lines => {
            for line in request.contents.split_inclusive(|&b| b == b'\n') {
                writer.write_all(line).await?;
            }
        }
    }
    writer.shutdown().await?;
    Ok(())
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

    /// One write per line, each with its own line end; the last line as it is.
    #[tokio::test]
    async fn lines_are_written_one_by_one_with_their_own_ends() {
        let contents = b"uno\r\ndos\n\ntres";
        let request = SendRequest {
            name: "x",
            contents,
            mode: Mode::Lines,
            width: HeaderWidth::LAB,
            protocol: Protocol::Lab,
            close_wait: None,
        };
        let mut writes = tokio_test_writer::Recorder::default();
        send_data(&mut writes, &request).await.unwrap();
        assert_eq!(
            writes.writes,
            [&b"uno\r\n"[..], b"dos\n", b"\n", b"tres"].map(<[u8]>::to_vec)
        );
        assert!(writes.shut);
    }

    /// Records each write separately.
    mod tokio_test_writer {
        use std::pin::Pin;
        use std::task::{Context, Poll};

        #[derive(Default)]
        pub struct Recorder {
            pub writes: Vec<Vec<u8>>,
            pub shut: bool,
        }

        impl tokio::io::AsyncWrite for Recorder {
            fn poll_write(
                mut self: Pin<&mut Self>,
                _: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<std::io::Result<usize>> {
                self.writes.push(buf.to_vec());
                Poll::Ready(Ok(buf.len()))
            }
            fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
                Poll::Ready(Ok(()))
            }
            fn poll_shutdown(
                mut self: Pin<&mut Self>,
                _: &mut Context<'_>,
            ) -> Poll<std::io::Result<()>> {
                self.shut = true;
                Poll::Ready(Ok(()))
            }
        }
    }
}
