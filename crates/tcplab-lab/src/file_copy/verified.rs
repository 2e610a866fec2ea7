//! The server's side of tcplab's verified exchange: hello, `go`, the data,
//! the verdict (see the parent module).
//!
//! In: an accepted connection. Out: the file stored under the name the
//! sender gave (or the `--out` file) once it matches the announced size and
//! SHA-256, one event, and the verdict sent back: `ok <size> <sha256>` or
//! `error <why>`.

use super::incoming::{
    receive_lines, whole_body, whole_header, within, Incoming, TempWriter, CHUNK,
};
use super::names::check_file_name;
use super::part_file::PartialFile;
use super::protocol::{FileDigest, Hello, Mode, Reply};
use super::receive::{report, Job};
use crate::event::EventSink;
use crate::framed_stream::{write_frame, FramedReader};
use crate::framing::{Decoder, HeaderWidth};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The hello is short: a name and a few numbers.
const HELLO_MAX: u64 = 4096;
/// After refusing, read (and drop) what the sender still sends for this long,
/// so that closing with unread data does not reset the connection and destroy
/// the error reply before the sender reads it.
const LINGER: Duration = Duration::from_secs(1);

/// One sender: receive, reply, report. True if a file was stored.
pub async fn receive(mut stream: TcpStream, peer: SocketAddr, job: &Job, sink: &EventSink) -> bool {
    let outcome = receive_file(&mut stream, job).await;
    let stored = report(sink, peer, &outcome);
    let reply = match outcome {
        Ok((_, summary)) => Reply::Stored(summary),
        Err(reason) => Reply::Error(reason),
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
    let (store, options) = (&*job.store, &job.options);
    let dir = store.dir();
    let (read_half, mut write_half) = stream.split();
    let decoder = Decoder::new(HeaderWidth::LAB).with_max_len(HELLO_MAX);
    let mut reader = FramedReader::with_decoder(read_half, decoder);
    let hello = match within(options.idle_timeout, reader.next()).await? {
        Ok(Some(payload)) => Hello::parse(&payload).map_err(|e| e.to_string())?,
        Ok(None) => return Err("the sender closed the connection before the file header".into()),
        Err(err) => return Err(err.to_string()),
    };
    let asked = check_file_name(&hello.name).map_err(|e| e.to_string())?;
    let name = store.file_name().unwrap_or_else(|| asked.to_owned());
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
    if tokio::fs::symlink_metadata(dir.join(&name)).await.is_ok() {
        return Err(format!(
            "{name} already exists on the server, which never replaces a file; send it under another name (--name)"
        ));
    }
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
    let mut incoming = Incoming::new(read_half, leftover, options.idle_timeout, options.read_rate);
    let mut copy = TempWriter::new(file);
    match hello.mode {
        Mode::Whole => {
            let width = hello.width;
            let (len, first) = whole_header(&mut incoming, width, width.max_len(), offset).await?;
            if len != size {
                return Err(format!(
                    "the data message announces {len} bytes but the file header announced {size}"
                ));
            }
            whole_body(&mut incoming, &mut copy, len, first).await?;
        }
        Mode::Lines => {
            let too_much = || format!("received more than the announced {size} bytes");
            receive_lines(&mut incoming, &mut copy, size, too_much).await?;
        }
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
    let stored = partial
        .commit([name])
        .map_err(|e| format!("storing the file in {}: {e}", dir.display()))?;
    Ok((stored, summary))
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
