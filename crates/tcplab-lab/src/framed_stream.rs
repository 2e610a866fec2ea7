//! A-PDUs over tokio streams: [`FramedReader`] turns reads into messages,
//! [`write_frame`] sends one message with a single `write_all` (the lab's
//! `sendall`).
//!
//! In: any `AsyncRead`/`AsyncWrite` (a `TcpStream` or one of its halves).
//! Out: whole messages; a clean end of stream between messages is `Ok(None)`,
//! an end inside a message is [`FrameError::Truncated`]. Timeouts are the
//! caller's business: [`FramedReader::next`] is cancel-safe, so it may be raced
//! against a timer without losing bytes.

use super::framing::{encode, Decoder, FrameError, HeaderWidth, Partial};
use std::io;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

const READ_CHUNK: usize = 16 * 1024;

/// Why a message could not be received.
#[derive(Debug, thiserror::Error)]
pub enum RecvError {
    #[error(transparent)]
    Frame(#[from] FrameError),
    #[error("reading from the connection: {0}")]
    Io(#[from] io::Error),
}

/// Why a message could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Frame(#[from] FrameError),
    #[error("writing to the connection: {0}")]
    Io(#[from] io::Error),
}

/// Reads A-PDUs from `R`.
#[derive(Debug)]
pub struct FramedReader<R> {
    inner: R,
    decoder: Decoder,
    chunk: Box<[u8]>,
}

impl<R: AsyncRead + Unpin> FramedReader<R> {
    pub fn new(inner: R, width: HeaderWidth) -> Self {
        Self::with_decoder(inner, Decoder::new(width))
    }

    /// Uses a configured decoder (e.g. one with a lower `max_len`).
    pub fn with_decoder(inner: R, decoder: Decoder) -> Self {
        FramedReader {
            inner,
            decoder,
            chunk: vec![0; READ_CHUNK].into_boxed_slice(),
        }
    }

    /// The next message; `Ok(None)` when the peer closed between messages.
    pub async fn next(&mut self) -> Result<Option<Vec<u8>>, RecvError> {
        loop {
            if let Some(message) = self.decoder.next_message()? {
                return Ok(Some(message));
            }
            let n = self.inner.read(&mut self.chunk).await?;
            if n == 0 {
                self.decoder.finish()?;
                return Ok(None);
            }
            self.decoder.feed(&self.chunk[..n]);
        }
    }

    /// Stream offset just past the last message returned.
    pub fn offset(&self) -> u64 {
        self.decoder.offset()
    }

    /// The incomplete message read so far, if any.
    pub fn partial(&self) -> Option<Partial> {
        self.decoder.partial()
    }

    /// The stream and the bytes already read past the last message.
    pub fn into_parts(mut self) -> (R, Vec<u8>) {
        let rest = self.decoder.take_buffered();
        (self.inner, rest)
    }
}

/// Sends `payload` as one A-PDU: header and payload in a single `write_all`.
pub async fn write_frame<W: AsyncWrite + Unpin>(
    writer: &mut W,
    width: HeaderWidth,
    payload: &[u8],
) -> Result<(), SendError> {
    let apdu = encode(width, payload)?;
    writer.write_all(&apdu).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::duplex;

    #[tokio::test]
    async fn round_trip_over_a_pipe_in_small_pieces() {
        let (mut near, far) = duplex(3);
        let writer = tokio::spawn(async move {
            for message in [&b"hola"[..], b"", b"a:b"] {
                write_frame(&mut near, HeaderWidth::LAB, message)
                    .await
                    .unwrap();
            }
        });
        let mut reader = FramedReader::new(far, HeaderWidth::LAB);
        assert_eq!(reader.next().await.unwrap(), Some(b"hola".to_vec()));
        assert_eq!(reader.next().await.unwrap(), Some(Vec::new()));
        assert_eq!(reader.next().await.unwrap(), Some(b"a:b".to_vec()));
        writer.await.unwrap();
        assert_eq!(reader.next().await.unwrap(), None);
    }

    #[tokio::test]
    async fn end_of_stream_inside_a_message_is_truncated() {
        let (mut near, far) = duplex(64);
        near.write_all(b"000010:abc").await.unwrap();
        drop(near);
        let mut reader = FramedReader::new(far, HeaderWidth::LAB);
        let err = reader.next().await.unwrap_err();
        assert!(matches!(
            err,
            RecvError::Frame(FrameError::Truncated { .. })
        ));
    }
}
