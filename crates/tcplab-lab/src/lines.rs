//! Bounded line reading for the text protocols (chat).
//!
//! In: an `AsyncBufRead` and a buffer the caller keeps between calls. Out: one
//! line without its `\n` / `\r\n`, the end of the stream, or a notice that the
//! line grew past the limit (a client cannot make us buffer without end).
//! Cancel-safe: bytes read before a timeout stay in the caller's buffer.

use std::io;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineRead {
    Line(Vec<u8>),
    /// The stream ended (a last line without `\n` is still returned first).
    Eof,
    /// More than the limit arrived without a line end.
    TooLong,
}

/// Reads the next line into a fresh `Vec`, keeping partial input in `pending`.
pub async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    pending: &mut Vec<u8>,
    max: usize,
) -> io::Result<LineRead> {
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            if pending.is_empty() {
                return Ok(LineRead::Eof);
            }
            return Ok(LineRead::Line(std::mem::take(pending)));
        }
        if let Some(end) = available.iter().position(|&b| b == b'\n') {
            pending.extend_from_slice(&available[..end]);
            reader.consume(end + 1);
            let mut line = std::mem::take(pending);
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(LineRead::Line(line));
        }
        let n = available.len();
        pending.extend_from_slice(available);
        reader.consume(n);
        if pending.len() > max {
            pending.clear();
            return Ok(LineRead::TooLong);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_crlf_last_line_and_limit() {
        let mut input: &[u8] = b"hola\r\nadios\nfin";
        let mut pending = Vec::new();
        assert_eq!(
            read_line(&mut input, &mut pending, 8).await.unwrap(),
            LineRead::Line(b"hola".to_vec())
        );
        assert_eq!(
            read_line(&mut input, &mut pending, 8).await.unwrap(),
            LineRead::Line(b"adios".to_vec())
        );
        assert_eq!(
            read_line(&mut input, &mut pending, 8).await.unwrap(),
            LineRead::Line(b"fin".to_vec())
        );
        assert_eq!(
            read_line(&mut input, &mut pending, 8).await.unwrap(),
            LineRead::Eof
        );
        let mut long: &[u8] = b"0123456789abcdef\n";
        let mut tiny = tokio::io::BufReader::with_capacity(4, &mut long);
        assert_eq!(
            read_line(&mut tiny, &mut pending, 8).await.unwrap(),
            LineRead::TooLong
        );
    }
}
