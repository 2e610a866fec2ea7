//! The data phase of the file copy on the server, the same in both
//! protocols: the bytes of the file as they arrive ([`Incoming`], with the
//! optional slow reader), written and hashed as they come ([`TempWriter`]),
//! read up to the sender's FIN ([`receive_lines`]) or as one A-PDU
//! ([`receive_whole`]).
//!
//! In: the connection's read half (and any bytes already read past an
//! earlier message). Out: the file's bytes in the temporary file and their
//! [`FileDigest`]; `Err` is a one-line reason for the log (and, in the
//! verified exchange, for the sender).

use super::protocol::{FileDigest, FileDigestHasher};
use crate::event::Departure;
use crate::framing::{parse_header, HeaderWidth};
use crate::server::{read_chunk, Chunk};
use std::io;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWriteExt};

pub const CHUNK: usize = 64 * 1024;

/// `lines` mode: everything up to the sender's FIN, at most `max` bytes
/// (`too_much` says why more is refused).
pub async fn receive_lines<R: AsyncRead + Unpin>(
    incoming: &mut Incoming<R>,
    copy: &mut TempWriter,
    max: u64,
    too_much: impl Fn() -> String,
) -> Result<(), String> {
    loop {
        let chunk = incoming.next_chunk().await?;
        if chunk.is_empty() {
            return Ok(());
        }
        if copy.bytes() + chunk.len() as u64 > max {
            return Err(too_much());
        }
        copy.write(chunk).await?;
    }
}

/// The header of a `whole`-mode message (`width` digits, at most `max`
/// bytes announced, starting at stream byte `offset`): the length it
/// announces and the bytes that came after it in the same reads.
pub async fn whole_header<R: AsyncRead + Unpin>(
    incoming: &mut Incoming<R>,
    width: HeaderWidth,
    max: u64,
    offset: u64,
) -> Result<(u64, Vec<u8>), String> {
    let mut pending = Vec::new();
    loop {
        if let Some(len) = parse_header(width, max, &pending, offset).map_err(|e| e.to_string())? {
            return Ok((len, pending.split_off(width.header_len())));
        }
        let chunk = incoming.next_chunk().await?;
        if chunk.is_empty() {
            let got = pending.len();
            return Err(format!(
                "the connection closed after {got} bytes, inside the message's {}-byte header",
                width.header_len()
            ));
        }
        pending.extend_from_slice(chunk);
    }
}

/// The body of a `whole`-mode message of `len` bytes, `first` of which
/// were read with its header.
pub async fn whole_body<R: AsyncRead + Unpin>(
    incoming: &mut Incoming<R>,
    copy: &mut TempWriter,
    len: u64,
    first: Vec<u8>,
) -> Result<(), String> {
    let mut body = first;
    loop {
        let missing = len - copy.bytes();
        if body.len() as u64 > missing {
            return Err(format!(
                "received bytes past the end of the {len}-byte data message"
            ));
        }
        copy.write(&body).await?;
        if copy.bytes() == len {
            return Ok(());
        }
        body = incoming.next_chunk().await?.to_vec();
        if body.is_empty() {
            let got = copy.bytes();
            return Err(format!("the connection closed after {got} of {len} bytes"));
        }
    }
}

/// The rest of the stream, as chunks; empty at its end (the sender's FIN).
pub struct Incoming<R> {
    reader: R,
    /// The bytes last returned; at first, those read along with a message.
    buf: Vec<u8>,
    fresh: bool,
    idle: Option<Duration>,
    throttle: Option<Throttle>,
}

impl<R: AsyncRead + Unpin> Incoming<R> {
    /// `leftover`: bytes already read from `reader` (returned first).
    pub fn new(
        reader: R,
        leftover: Vec<u8>,
        idle: Option<Duration>,
        read_rate: Option<u64>,
    ) -> Self {
        Incoming {
            reader,
            buf: leftover,
            fresh: true,
            idle,
            throttle: read_rate.map(Throttle::new),
        }
    }

    pub async fn next_chunk(&mut self) -> Result<&[u8], String> {
        if std::mem::take(&mut self.fresh) && !self.buf.is_empty() {
            return Ok(&self.buf);
        }
        let size = match &mut self.throttle {
            Some(t) => {
                t.wait().await;
                t.chunk()
            }
            None => CHUNK,
        };
        self.buf.resize(size, 0);
        match read_chunk(&mut self.reader, &mut self.buf, self.idle).await {
            Chunk::Data(n) => Ok(&self.buf[..n]),
            Chunk::End(Departure::Closed) => Ok(&[]),
            Chunk::End(Departure::Idle(limit)) => Err(format!("nothing received for {limit:?}")),
            Chunk::End(why) => Err(why.to_string()),
        }
    }
}

/// A slow reader: every half second it reads at most half a second's worth
/// of bytes at its rate, and never catches up on what it did not get. Like
/// a busy application, it lets a small receive buffer fill between reads:
/// zero windows, the sender's window probes and the window updates show in
/// the capture. The data rate is at most the given rate (less when the
/// receive buffer holds less than one read).
struct Throttle {
    per_read: usize,
    next: tokio::time::Instant,
}

/// How often the slow reader reads.
const SLOW_READ_EVERY: Duration = Duration::from_millis(500);

impl Throttle {
    fn new(rate: u64) -> Throttle {
        let per_read = (rate as f64 * SLOW_READ_EVERY.as_secs_f64()).max(1.0) as usize;
        Throttle {
            per_read: per_read.min(CHUNK),
            next: tokio::time::Instant::now(),
        }
    }

    fn chunk(&self) -> usize {
        self.per_read
    }

    /// Waits for the next read's turn.
    async fn wait(&mut self) {
        tokio::time::sleep_until(self.next).await;
        self.next = tokio::time::Instant::now() + SLOW_READ_EVERY;
    }
}

/// The temporary file being written, hashed as it goes.
pub struct TempWriter {
    file: tokio::fs::File,
    hasher: FileDigestHasher,
}

impl TempWriter {
    pub fn new(file: tokio::fs::File) -> Self {
        TempWriter {
            file,
            hasher: FileDigestHasher::default(),
        }
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.hasher.bytes()
    }

    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), String> {
        self.file
            .write_all(chunk)
            .await
            .map_err(|e| format!("writing: {e}"))?;
        self.hasher.update(chunk);
        Ok(())
    }

    /// Flushes the file to disk; the digest of everything written.
    pub async fn finish(mut self) -> io::Result<FileDigest> {
        self.file.flush().await?;
        self.file.sync_all().await?;
        Ok(self.hasher.finish())
    }
}

/// Runs `work` unless the sender stays silent for `idle`.
pub async fn within<F: std::future::Future>(
    idle: Option<Duration>,
    work: F,
) -> Result<F::Output, String> {
    match idle {
        Some(limit) => tokio::time::timeout(limit, work)
            .await
            .map_err(|_| format!("nothing received for {limit:?}")),
        None => Ok(work.await),
    }
}
