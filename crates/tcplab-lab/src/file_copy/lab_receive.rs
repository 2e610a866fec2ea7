//! The server's side of the lab's protocol: the file's bytes, line by line
//! up to the sender's FIN or as one A-PDU, stored under a name the server
//! makes (or the `--out` file).
//!
//! In: an accepted connection, the mode and header width agreed beforehand.
//! Out: the file stored when the connection ends cleanly (FIN; in `whole`
//! mode, after exactly the announced length), one event, and our FIN.
//! Nothing is sent back: the lab's protocol has no reply.

use super::incoming::{receive_lines, whole_body, whole_header, Incoming, TempWriter};
use super::part_file::PartialFile;
use super::protocol::{FileDigest, Mode};
use super::receive::{report, Job, Store};
use crate::event::EventSink;
use crate::framing::HeaderWidth;
use std::net::SocketAddr;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// Names tried in a directory after `received-IP-PORT` itself: `-2` to `-99`.
const MORE_NAMES: u32 = 98;

/// Receives one file and closes; true if it was stored.
pub async fn receive(
    mut stream: TcpStream,
    peer: SocketAddr,
    job: &Job,
    mode: Mode,
    width: HeaderWidth,
    sink: &EventSink,
) -> bool {
    let outcome = receive_file(&mut stream, peer, job, mode, width).await;
    // Our FIN; best effort, the sender may be gone.
    let _ = stream.shutdown().await;
    report(sink, peer, &outcome)
}

async fn receive_file(
    stream: &mut TcpStream,
    peer: SocketAddr,
    job: &Job,
    mode: Mode,
    width: HeaderWidth,
) -> Result<(String, FileDigest), String> {
    let (store, options) = (&*job.store, &job.options);
    let names = names_for(store, peer);
    let dir = store.dir();
    let (partial, file) = PartialFile::create(dir, &names[0])
        .await
        .map_err(|e| format!("cannot create a temporary file in {}: {e}", dir.display()))?;
    let mut copy = TempWriter::new(file);
    let (read_half, _write_half) = stream.split();
    let mut incoming = Incoming::new(
        read_half,
        Vec::new(),
        options.idle_timeout,
        options.read_rate,
    );
    match mode {
        Mode::Lines => {
            let max = options.max_size;
            let too_much = || {
                format!("received more than {max} bytes, the most this server accepts (--max-size)")
            };
            receive_lines(&mut incoming, &mut copy, max, too_much).await?;
        }
        Mode::Whole => {
            let max = options.max_size.min(width.max_len());
            let (len, first) = whole_header(&mut incoming, width, max, 0).await?;
            whole_body(&mut incoming, &mut copy, len, first).await?;
            // The sender's FIN must follow the message.
            if !incoming.next_chunk().await?.is_empty() {
                return Err(format!(
                    "received bytes past the end of the {len}-byte data message"
                ));
            }
        }
    }
    let summary = copy
        .finish()
        .await
        .map_err(|e| format!("writing {}: {e}", dir.display()))?;
    let name = partial
        .commit(names)
        .map_err(|e| format!("storing the file in {}: {e}", dir.display()))?;
    Ok((name, summary))
}

/// The names the file may take, in order of preference.
fn names_for(store: &Store, peer: SocketAddr) -> Vec<String> {
    if let Some(name) = store.file_name() {
        return vec![name];
    }
    // IPv6 colons are legal in names but awkward in shells.
    let ip = peer.ip().to_string().replace(':', "_");
    let base = format!("received-{ip}-{}", peer.port());
    let more = (2..=MORE_NAMES + 1).map(|n| format!("{base}-{n}"));
    std::iter::once(base.clone()).chain(more).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_sender_or_the_out_file() {
        let v4: SocketAddr = "127.0.0.1:39490".parse().unwrap();
        let names = names_for(&Store::Dir("in".into()), v4);
        assert_eq!(names[0], "received-127.0.0.1-39490");
        assert_eq!(names[1], "received-127.0.0.1-39490-2");
        assert_eq!(names.len(), 99);
        let v6: SocketAddr = "[::1]:5000".parse().unwrap();
        assert_eq!(
            names_for(&Store::Dir("in".into()), v6)[0],
            "received-__1-5000"
        );
        let out = Store::File("in/copia.txt".into());
        assert_eq!(names_for(&out, v4), ["copia.txt"]);
        assert_eq!(out.dir(), std::path::Path::new("in"));
        assert_eq!(Store::File("x".into()).dir(), std::path::Path::new("."));
    }
}
