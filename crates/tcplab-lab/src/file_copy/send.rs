//! The sender of the file copy: announces the file, sends it line by line or
//! whole, and checks what the server says it stored.
//!
//! In: a [`SendRequest`] (name, contents, mode, header width) and the server's
//! address or a connected stream. Out: the [`FileDigest`] of the file once the
//! server has confirmed an identical copy; otherwise a `FileCopyError` (the
//! server's refusal, a mismatch, a lost connection).

use super::protocol::{FileDigest, Hello, Mode, Reply};
use super::FileCopyError;
use crate::framed_stream::{write_frame, FramedReader, SendError};
use crate::framing::{Decoder, HeaderWidth};
use std::net::SocketAddr;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedReadHalf;
use tokio::net::TcpStream;

/// Replies are short text.
const REPLY_MAX: u64 = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendRequest<'a> {
    /// The name to store the file under (a plain name, no directories).
    pub name: &'a str,
    pub contents: &'a [u8],
    pub mode: Mode,
    /// Header width of the `whole`-mode data message.
    pub width: HeaderWidth,
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
pub async fn send(
    addr: SocketAddr,
    request: &SendRequest<'_>,
) -> Result<FileDigest, FileCopyError> {
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
) -> Result<FileDigest, FileCopyError> {
    let local = request.check()?;
    let (read_half, mut write_half) = stream.into_split();
    let decoder = Decoder::new(HeaderWidth::LAB).with_max_len(REPLY_MAX);
    let mut replies = FramedReader::with_decoder(read_half, decoder);
    let hello = Hello {
        mode: request.mode,
        width: request.width,
        expected: local,
        name: request.name.to_owned(),
    };
    write_frame(
        &mut write_half,
        HeaderWidth::LAB,
        hello.to_text().as_bytes(),
    )
    .await?;
    match next_reply(&mut replies).await? {
        Reply::Go => {}
        other => return Err(unexpected(other)),
    }
    if let Err(err) = send_data(&mut write_half, request).await {
        // The server may have refused mid-way and said why.
        return Err(match next_reply(&mut replies).await {
            Ok(Reply::Error(why)) => FileCopyError::Refused(why),
            _ => err.into(),
        });
    }
    match next_reply(&mut replies).await? {
        Reply::Stored(remote) if remote == local => Ok(local),
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
