//! The data phase of the file copy on the sender, the same in both
//! protocols: the contents read a piece at a time, hashed as they go, and
//! written line by line ([`Mode::Lines`]) or as one A-PDU ([`Mode::Whole`]).
//! Memory holds one piece, never the file.
//!
//! In: a writer (the connection), the [`Contents`], the mode and header
//! width. Out: the [`FileDigest`] of exactly the `size()` bytes sent and the
//! number of writes; a file that ends early or grows while it is sent is an
//! error (what was announced would not be what was sent).
//!
//! `whole`: the header announces `size()`; it goes with the first
//! [`WRITE_CHUNK`] bytes in one `write_all`, the rest in further writes of
//! that size. Linux fills each segment across writes, so the segments are
//! those of one `sendall` (a file up to 1 MiB is a single write, as in the
//! lab); only with `TCP_NODELAY`, if the send buffer has drained between two
//! writes, may a segment end at a 1 MiB boundary.
//!
//! `lines`: one write per line with its own line end; a line longer than
//! [`LINE_PIECE_MAX`] bytes is written in pieces of that size.

use super::contents::Contents;
use super::protocol::{FileDigest, FileDigestHasher, Mode};
use super::FileCopyError;
use crate::framing::{encode_header, HeaderWidth};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// Bytes of the file per write in `whole` mode.
pub const WRITE_CHUNK: usize = 1 << 20;
/// The longest piece of a line written at once in `lines` mode.
pub const LINE_PIECE_MAX: usize = 64 * 1024;

/// What was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outgoing {
    pub digest: FileDigest,
    /// Writes (sends) of file data: one per line in `lines` mode.
    pub writes: u64,
}

/// Sends `contents` in `mode`: exactly `contents.size()` bytes, hashed as
/// they are read. Does not close the writer.
pub async fn send_contents<W: AsyncWrite + Unpin>(
    writer: &mut W,
    contents: &dyn Contents,
    mode: Mode,
    width: HeaderWidth,
) -> Result<Outgoing, FileCopyError> {
    let size = contents.size();
    let mut reader = contents.open().map_err(FileCopyError::Read)?;
    let mut hasher = FileDigestHasher::default();
    let writes = match mode {
        Mode::Whole => send_whole(writer, &mut reader, size, width, &mut hasher).await?,
        Mode::Lines => {
            let mut lines = BufReader::with_capacity(LINE_PIECE_MAX, &mut reader);
            let writes = send_lines(writer, &mut lines, size, &mut hasher).await?;
            check_ended(&mut lines, size).await?;
            return Ok(Outgoing {
                digest: hasher.finish(),
                writes,
            });
        }
    };
    check_ended(&mut reader, size).await?;
    Ok(Outgoing {
        digest: hasher.finish(),
        writes,
    })
}

/// The header with the first chunk, then the rest chunk by chunk.
async fn send_whole<W: AsyncWrite + Unpin, R: AsyncRead + Unpin>(
    writer: &mut W,
    reader: &mut R,
    size: u64,
    width: HeaderWidth,
    hasher: &mut FileDigestHasher,
) -> Result<u64, FileCopyError> {
    let mut out = encode_header(width, size).map_err(crate::framed_stream::SendError::from)?;
    out.reserve(WRITE_CHUNK);
    let mut writes = 0;
    loop {
        let start = out.len();
        let want = (size - hasher.bytes()).min(WRITE_CHUNK as u64) as usize;
        fill(reader, &mut out, start + want).await?;
        hasher.update(&out[start..]);
        if out.len() < start + want {
            return Err(shrank(size, hasher.bytes()));
        }
        writer.write_all(&out).await.map_err(send_error)?;
        writes += 1;
        out.clear();
        if hasher.bytes() == size {
            return Ok(writes);
        }
    }
}

/// One write per line (or piece of a long line), up to `size` bytes.
async fn send_lines<W: AsyncWrite + Unpin, R: AsyncRead + Unpin>(
    writer: &mut W,
    lines: &mut BufReader<R>,
    size: u64,
    hasher: &mut FileDigestHasher,
) -> Result<u64, FileCopyError> {
    let mut piece = Vec::with_capacity(LINE_PIECE_MAX);
    let mut writes = 0;
    while hasher.bytes() < size {
        let max = (size - hasher.bytes()).min(LINE_PIECE_MAX as u64) as usize;
        next_piece(lines, &mut piece, max).await?;
        if piece.is_empty() {
            return Err(shrank(size, hasher.bytes()));
        }
        hasher.update(&piece);
        writer.write_all(&piece).await.map_err(send_error)?;
        writes += 1;
    }
    Ok(writes)
}

/// The next line with its end, at most `max` bytes of it; empty at the end.
async fn next_piece<R: AsyncRead + Unpin>(
    lines: &mut BufReader<R>,
    piece: &mut Vec<u8>,
    max: usize,
) -> Result<(), FileCopyError> {
    piece.clear();
    while piece.len() < max {
        let buf = lines.fill_buf().await.map_err(FileCopyError::Read)?;
        if buf.is_empty() {
            break;
        }
        let window = &buf[..buf.len().min(max - piece.len())];
        let (taken, line_ends) = match window.iter().position(|&b| b == b'\n') {
            Some(end) => (end + 1, true),
            None => (window.len(), false),
        };
        piece.extend_from_slice(&window[..taken]);
        lines.consume(taken);
        if line_ends {
            break;
        }
    }
    Ok(())
}

/// Reads into `buf` until it holds `len` bytes or the reader ends.
async fn fill<R: AsyncRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    len: usize,
) -> Result<(), FileCopyError> {
    while buf.len() < len {
        let start = buf.len();
        buf.resize(len, 0);
        let read = reader.read(&mut buf[start..]).await;
        let n = read.as_ref().map_or(0, |n| *n);
        buf.truncate(start + n);
        read.map_err(FileCopyError::Read)?;
        if n == 0 {
            break;
        }
    }
    Ok(())
}

/// After `size` bytes the file must end: more means it grew meanwhile.
async fn check_ended<R: AsyncRead + Unpin>(reader: &mut R, size: u64) -> Result<(), FileCopyError> {
    let mut probe = [0u8; 1];
    match reader.read(&mut probe).await.map_err(FileCopyError::Read)? {
        0 => Ok(()),
        _ => Err(FileCopyError::Changed(format!(
            "it grew past the {size} bytes it had when sending began"
        ))),
    }
}

fn shrank(size: u64, got: u64) -> FileCopyError {
    FileCopyError::Changed(format!(
        "it ended after {got} of the {size} bytes it had when sending began"
    ))
}

fn send_error(err: std::io::Error) -> FileCopyError {
    FileCopyError::Send(err.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_copy::test_writer::Recorder;

    async fn sent(contents: &[u8], mode: Mode) -> (Vec<Vec<u8>>, Outgoing) {
        let mut writes = Recorder::default();
        let out = send_contents(&mut writes, &contents, mode, HeaderWidth::LAB)
            .await
            .unwrap();
        (writes.writes, out)
    }

    /// One write per line, each with its own line end; the last line as it is.
    #[tokio::test]
    async fn lines_are_written_one_by_one_with_their_own_ends() {
        let (writes, out) = sent(b"uno\r\ndos\n\ntres", Mode::Lines).await;
        assert_eq!(
            writes,
            [&b"uno\r\n"[..], b"dos\n", b"\n", b"tres"].map(<[u8]>::to_vec)
        );
        assert_eq!(out.writes, 4);
        assert_eq!(out.digest, FileDigest::of(b"uno\r\ndos\n\ntres"));
    }

    #[tokio::test]
    async fn a_line_longer_than_the_bound_goes_in_pieces() {
        let mut text = vec![b'x'; 2 * LINE_PIECE_MAX + 10];
        text.extend_from_slice(b"\nfin\n");
        let (writes, out) = sent(&text, Mode::Lines).await;
        let lens: Vec<usize> = writes.iter().map(Vec::len).collect();
        assert_eq!(lens, [LINE_PIECE_MAX, LINE_PIECE_MAX, 11, 4]);
        assert_eq!(writes.concat(), text);
        assert_eq!(out.digest, FileDigest::of(&text));
    }

    /// The header travels with the first chunk; the A-PDU is the lab's.
    #[tokio::test]
    async fn whole_is_the_header_with_the_file_in_chunks() {
        let small = b"hola\n";
        let (writes, _) = sent(small, Mode::Whole).await;
        assert_eq!(writes, [b"000005:hola\n".to_vec()]);
        let (writes, _) = sent(b"", Mode::Whole).await;
        assert_eq!(writes, [b"000000:".to_vec()]);

        let big: Vec<u8> = (0..WRITE_CHUNK + 100).map(|i| (i % 251) as u8).collect();
        let mut writes = Recorder::default();
        let width = HeaderWidth::new(8).unwrap();
        let out = send_contents(&mut writes, &big, Mode::Whole, width)
            .await
            .unwrap();
        let lens: Vec<usize> = writes.writes.iter().map(Vec::len).collect();
        assert_eq!(lens, [9 + WRITE_CHUNK, 100]);
        assert_eq!(
            writes.writes.concat(),
            crate::framing::encode(width, &big).unwrap()
        );
        assert_eq!((out.writes, out.digest), (2, FileDigest::of(&big)));
    }

    /// Announced contents that turn out shorter or longer are an error.
    #[tokio::test]
    async fn contents_that_change_while_sent_are_refused() {
        struct Liar(&'static [u8], u64);
        impl Contents for Liar {
            fn size(&self) -> u64 {
                self.1
            }
            fn open(&self) -> std::io::Result<crate::file_copy::ContentsReader<'_>> {
                Ok(Box::new(self.0))
            }
        }
        for mode in [Mode::Whole, Mode::Lines] {
            let mut writes = Recorder::default();
            let short = Liar(b"ab\ncd\n", 10);
            let err = send_contents(&mut writes, &short, mode, HeaderWidth::LAB)
                .await
                .unwrap_err()
                .to_string();
            assert!(err.contains("ended after 6 of the 10 bytes"), "{err}");
            let long = Liar(b"ab\ncd\n", 3);
            let err = send_contents(&mut writes, &long, mode, HeaderWidth::LAB)
                .await
                .unwrap_err()
                .to_string();
            assert!(err.contains("grew past the 3 bytes"), "{err}");
        }
    }
}
