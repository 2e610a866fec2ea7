//! The file copy (final exercise 2) under capture: file server and sender
//! in this process, over `lo`.

use super::meta::{FileEnd, RunMeta};
use super::{payload, CaptureThread, RunError, RunOptions, ScenarioResult, Snapshot};
use crate::lab::event::{Event, EventSink};
use crate::lab::file_copy::{self, FileServerOptions, SendRequest};
use crate::lab::framing::HeaderWidth;
use crate::lab::{bind, Limits};
use crate::netlab::sockets;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex};

pub(crate) async fn run(opts: &RunOptions, pcap: &Path) -> Result<ScenarioResult, RunError> {
    let (name, contents) = match &opts.file {
        Some(path) => {
            let bytes = tokio::fs::read(path).await.map_err(super::io_err(path))?;
            let name = path
                .file_name()
                .map_or("file".into(), |n| n.to_string_lossy().into_owned());
            (name, bytes)
        }
        None => (
            payload::DEFAULT_NAME.to_string(),
            payload::generate(payload::DEFAULT_SIZE),
        ),
    };
    // The lab's 6-digit header when the file fits, a wider one otherwise.
    let width = if contents.len() as u64 <= HeaderWidth::LAB.max_len() {
        HeaderWidth::LAB
    } else {
        HeaderWidth::fitting(contents.len() as u64).map_err(|e| RunError::Lab(e.to_string()))?
    };
    let listener = bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .map_err(|e| RunError::Lab(format!("cannot listen on 127.0.0.1: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| RunError::Lab(e.to_string()))?;
    let received_dir = tempfile_dir()?;
    let capture = CaptureThread::start(pcap, addr.port(), 1)?;

    let snapshot: Snapshot = Arc::new(Mutex::new(Vec::new()));
    let stored: Arc<Mutex<Option<file_copy::Summary>>> = Arc::new(Mutex::new(None));
    let refused: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let sink: EventSink = {
        let (snapshot, stored, refused) = (snapshot.clone(), stored.clone(), refused.clone());
        let port = addr.port();
        Arc::new(move |e: &Event| match e {
            Event::Connected { .. } => {
                if let Ok(mut s) = snapshot.lock() {
                    *s = sockets::snapshot(port);
                }
            }
            Event::FileStored { summary, .. } => {
                if let Ok(mut s) = stored.lock() {
                    *s = Some(*summary);
                }
            }
            Event::FileRefused { reason, .. } => {
                if let Ok(mut r) = refused.lock() {
                    r.push(reason.clone());
                }
            }
            _ => {}
        })
    };
    let server_opts = FileServerOptions {
        limits: Limits {
            max_clients: Some(1),
            max_time: Some(super::MAX_RUN),
        },
        max_files: Some(1),
        ..FileServerOptions::default()
    };
    let dir = received_dir.clone();
    let server =
        tokio::spawn(async move { file_copy::serve(listener, &dir, server_opts, sink).await });
    let request = SendRequest {
        name: &name,
        contents: &contents,
        mode: opts.mode,
        width,
    };
    let sent = file_copy::send(addr, &request).await;
    let served = server.await;
    let stats = capture.finish()?;
    let _ = std::fs::remove_dir_all(&received_dir);
    let sent = sent.map_err(|e| RunError::Lab(format!("sending {name}: {e}")))?;
    match served {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return Err(RunError::Lab(format!("file server: {e}"))),
        Err(e) => return Err(RunError::Lab(format!("file server task: {e}"))),
    }
    let received = stored.lock().ok().and_then(|s| *s);
    let mut warnings: Vec<String> = refused.lock().map(|r| r.clone()).unwrap_or_default();
    if received.is_none() {
        warnings.push("the server stored no file".into());
    }
    let end = |s: &file_copy::Summary| FileEnd {
        bytes: s.bytes,
        sha256: s.sha256_hex(),
    };
    let sockets = snapshot.lock().map(|s| s.clone()).unwrap_or_default();
    let meta = RunMeta {
        tcplab_version: env!("CARGO_PKG_VERSION"),
        command_line: opts.command_line.clone(),
        scenario: "file".into(),
        mode: Some(format!("{:?}", opts.mode).to_lowercase()),
        file_name: Some(name),
        sent: Some(end(&sent)),
        received: received.as_ref().map(end),
        identical: received.map(|r| r == sent),
        server_port: addr.port(),
        path: opts.path_label.clone(),
        capture_file: pcap.display().to_string(),
        capture: stats,
        sockets,
        warnings,
    };
    Ok(ScenarioResult {
        meta,
        connections: 1,
    })
}

/// Where the process `pid` keeps the server's copy (compared, then removed);
/// the parent of an interrupted run removes it too.
pub fn received_dir_of(pid: u32) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("tcplab-received-{pid}"))
}

fn tempfile_dir() -> Result<std::path::PathBuf, RunError> {
    let dir = received_dir_of(std::process::id());
    std::fs::create_dir_all(&dir).map_err(super::io_err(&dir))?;
    Ok(dir)
}
