//! The file server: receives files into one directory, verifies them, and
//! answers each sender with what it stored.
//!
//! In: a bound `TcpListener`, the target directory, [`FileServerOptions`], an
//! [`EventSink`]. Out: files in the directory (only complete, verified ones;
//! see the parent module for the protocol), one `FileStored` or `FileRefused`
//! event per sender, and the reason the server stopped. A failed transfer
//! never stops the server.

use super::names::check_file_name;
use super::part_file::{sweep, PartialFile, Receiving};
use super::protocol::{FileDigest, FileDigestHasher, Hello, Mode, Reply};
use super::FileCopyError;
use crate::event::{Departure, Event, EventSink, StopReason};
use crate::framed_stream::{write_frame, FramedReader};
use crate::framing::{parse_header, Decoder, HeaderWidth};
use crate::server::{read_chunk, serve_each, Acceptor, Chunk, Limits};
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A sender silent this long is dropped.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(30);
/// Largest file accepted unless configured otherwise: 1 GiB.
pub const DEFAULT_MAX_SIZE: u64 = 1 << 30;
/// The hello is short: a name and a few numbers.
const HELLO_MAX: u64 = 4096;
const CHUNK: usize = 64 * 1024;
/// After refusing, read (and drop) what the sender still sends for this long,
/// so that closing with unread data does not reset the connection and destroy
/// the error reply before the sender reads it.
const LINGER: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileServerOptions {
    pub limits: Limits,
    /// Stop once this many files have been stored.
    pub max_files: Option<u64>,
    pub idle_timeout: Option<Duration>,
    /// Refuse files announced larger than this.
    pub max_size: u64,
    /// Read the data at most this many bytes per second (a slow reader, to
    /// see the receive window fill). `None`: as fast as it arrives.
    pub read_rate: Option<u64>,
}

impl Default for FileServerOptions {
    fn default() -> Self {
        FileServerOptions {
            limits: Limits::default(),
            max_files: None,
            idle_timeout: Some(DEFAULT_IDLE),
            max_size: DEFAULT_MAX_SIZE,
            read_rate: None,
        }
    }
}

/// Receives files into `dir` until the limits stop the server.
pub async fn serve(
    listener: TcpListener,
    dir: &Path,
    options: FileServerOptions,
    sink: EventSink,
) -> Result<StopReason, FileCopyError> {
    let directory_error = |source| FileCopyError::Directory {
        dir: dir.to_owned(),
        source,
    };
    let meta = tokio::fs::metadata(dir).await.map_err(directory_error)?;
    if !meta.is_dir() {
        return Err(directory_error(io::Error::other("not a directory")));
    }
    sweep(dir, &sink);
    let dir: Arc<Path> = dir.into();
    let receiving = Receiving::default();
    let acceptor = Acceptor::new(listener, options.limits, sink.clone());
    let handler = move |stream, peer| {
        let job = Job {
            dir: dir.clone(),
            options,
            receiving: receiving.clone(),
        };
        receive(stream, peer, job, sink.clone())
    };
    let mut stored = 0;
    let enough = |&ok: &bool| {
        stored += u64::from(ok);
        let max = options.max_files?;
        (stored >= max).then_some(StopReason::MaxFiles(max))
    };
    Ok(serve_each(acceptor, handler, enough).await)
}

/// What a connection's handler needs from its server.
struct Job {
    dir: Arc<Path>,
    options: FileServerOptions,
    receiving: Receiving,
}

/// One sender: receive, reply, report. True if a file was stored.
async fn receive(mut stream: TcpStream, peer: SocketAddr, job: Job, sink: EventSink) -> bool {
    let (reply, stored) = match receive_file(&mut stream, &job).await {
        Ok((name, summary)) => {
            sink(&Event::FileStored {
                peer,
                name,
                summary,
            });
            (Reply::Stored(summary), true)
        }
        Err(reason) => {
            sink(&Event::FileRefused {
                peer,
                reason: reason.clone(),
            });
            (Reply::Error(reason), false)
        }
    };
    // Best effort: the sender may be gone.
    let _ = write_frame(&mut stream, HeaderWidth::LAB, reply.to_text().as_bytes()).await;
    if !stored {
        linger(&mut stream).await;
    }
    stored
}

/// Receives one file; `Err` is the reason sent back to the sender.
async fn receive_file(stream: &mut TcpStream, job: &Job) -> Result<(String, FileDigest), String> {
    let (dir, options) = (&*job.dir, &job.options);
    let (read_half, mut write_half) = stream.split();
    let decoder = Decoder::new(HeaderWidth::LAB).with_max_len(HELLO_MAX);
    let mut reader = FramedReader::with_decoder(read_half, decoder);
    let hello = match within(options.idle_timeout, reader.next()).await? {
        Ok(Some(payload)) => Hello::parse(&payload).map_err(|e| e.to_string())?,
        Ok(None) => return Err("the sender closed the connection before the file header".into()),
        Err(err) => return Err(err.to_string()),
    };
    let name = check_file_name(&hello.name)
        .map_err(|e| e.to_string())?
        .to_owned();
    let size = hello.expected.bytes;
    if size > options.max_size {
        let max = options.max_size;
        return Err(format!(
            "{name} has {size} bytes; this server accepts at most {max}"
        ));
    }
    if hello.mode == Mode::Whole && size > hello.width.max_len() {
        let digits = hello.width.digits();
        return Err(format!(
            "{name} has {size} bytes, more than a {digits}-digit header can announce"
        ));
    }
    // Held until the file is stored or refused: a second sender of the same
    // name meanwhile is refused rather than racing this one to the rename.
    let _claim = job.receiving.claim(&name).ok_or_else(|| {
        format!("{name} is already being received from another sender; send it again once that transfer is over")
    })?;
    let (partial, file) = PartialFile::create(dir, &name)
        .await
        .map_err(|e| format!("cannot create a temporary file in {}: {e}", dir.display()))?;
    write_frame(
        &mut write_half,
        HeaderWidth::LAB,
        Reply::Go.to_text().as_bytes(),
    )
    .await
    .map_err(|e| e.to_string())?;
    let offset = reader.offset();
    let (read_half, leftover) = reader.into_parts();
    let mut incoming = Incoming {
        reader: read_half,
        buf: leftover,
        fresh: true,
        idle: options.idle_timeout,
        throttle: options.read_rate.map(Throttle::new),
    };
    let mut copy = TempWriter {
        file,
        hasher: FileDigestHasher::default(),
    };
    match hello.mode {
        Mode::Whole => receive_whole(&mut incoming, &mut copy, hello.width, size, offset).await?,
        Mode::Lines => receive_lines(&mut incoming, &mut copy, size).await?,
    }
    let summary = copy
        .finish()
        .await
        .map_err(|e| format!("writing {name}: {e}"))?;
    if summary != hello.expected {
        let expected = hello.expected;
        return Err(format!(
            "received {summary} but the sender announced {expected}"
        ));
    }
    let target = dir.join(&name);
    partial
        .commit(&target)
        .await
        .map_err(|e| format!("storing {}: {e}", target.display()))?;
    Ok((name, summary))
}

/// `whole` mode: one A-PDU of `width` digits carrying exactly `size` bytes.
async fn receive_whole<R: AsyncRead + Unpin>(
    incoming: &mut Incoming<R>,
    copy: &mut TempWriter,
    width: HeaderWidth,
    size: u64,
    offset: u64,
) -> Result<(), String> {
    let mut pending = Vec::new();
    let len = loop {
        if let Some(len) =
            parse_header(width, width.max_len(), &pending, offset).map_err(|e| e.to_string())?
        {
            break len;
        }
        let chunk = incoming.next_chunk().await?;
        if chunk.is_empty() {
            return Err("the connection closed before the data message's header".into());
        }
        pending.extend_from_slice(chunk);
    };
    if len != size {
        return Err(format!(
            "the data message announces {len} bytes but the file header announced {size}"
        ));
    }
    let mut body = pending.split_off(width.header_len());
    loop {
        let missing = size - copy.hasher.bytes();
        if body.len() as u64 > missing {
            return Err(format!(
                "received bytes past the end of the {size}-byte data message"
            ));
        }
        copy.write(&body).await?;
        if copy.hasher.bytes() == size {
            return Ok(());
        }
        body = incoming.next_chunk().await?.to_vec();
        if body.is_empty() {
            let got = copy.hasher.bytes();
            return Err(format!("the connection closed after {got} of {size} bytes"));
        }
    }
}

/// `lines` mode: everything up to the sender's FIN, at most `size` bytes.
async fn receive_lines<R: AsyncRead + Unpin>(
    incoming: &mut Incoming<R>,
    copy: &mut TempWriter,
    size: u64,
) -> Result<(), String> {
    loop {
        let chunk = incoming.next_chunk().await?;
        if chunk.is_empty() {
            return Ok(());
        }
        if copy.hasher.bytes() + chunk.len() as u64 > size {
            return Err(format!("received more than the announced {size} bytes"));
        }
        copy.write(chunk).await?;
    }
}

/// The rest of the stream after the hello, as chunks; empty at its end.
struct Incoming<R> {
    reader: R,
    /// The bytes last returned; at first, those read along with the hello.
    buf: Vec<u8>,
    fresh: bool,
    idle: Option<Duration>,
    throttle: Option<Throttle>,
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

impl<R: AsyncRead + Unpin> Incoming<R> {
    async fn next_chunk(&mut self) -> Result<&[u8], String> {
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

/// The temporary file being written, hashed as it goes.
struct TempWriter {
    file: tokio::fs::File,
    hasher: FileDigestHasher,
}

impl TempWriter {
    async fn write(&mut self, chunk: &[u8]) -> Result<(), String> {
        self.file
            .write_all(chunk)
            .await
            .map_err(|e| format!("writing: {e}"))?;
        self.hasher.update(chunk);
        Ok(())
    }

    async fn finish(mut self) -> io::Result<FileDigest> {
        self.file.flush().await?;
        self.file.sync_all().await?;
        Ok(self.hasher.finish())
    }
}

/// Runs `work` unless the sender stays silent for `idle`.
async fn within<F: std::future::Future>(
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

/// Closes our side and drains the sender's for a moment (see [`LINGER`]).
async fn linger(stream: &mut TcpStream) {
    let _ = stream.shutdown().await;
    let mut sink = vec![0u8; CHUNK];
    let drain = async {
        while let Ok(n) = stream.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(LINGER, drain).await;
}
