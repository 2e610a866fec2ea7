//! The file copy (final exercise 2) under capture: file server and sender
//! in this process, over `lo` or across the emulated path (the sender in
//! its namespace, the server in the other). The sender's `TCP_INFO` is
//! sampled from connect to close.
//!
//! The two ends speak the lab's protocol, so the capture carries the file's
//! bytes (and, in `whole` mode, the header) and nothing else; the copy is
//! checked out of band: the SHA-256 of what was sent against that of the
//! file the server stored, read back from its directory.

use super::net::Net;
use super::{payload, RunError, RunOptions, ScenarioResult, Snapshot};
use std::net::SocketAddr;
use std::os::fd::AsFd;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tcplab_analysis::record::run_meta::{FileEnd, RunMeta};
use tcplab_lab::event::{Event, EventSink};
use tcplab_lab::file_copy::{
    self, Contents, FileContents, FileDigest, FileServerOptions, Protocol, SendRequest,
    ServerProtocol, Store,
};
use tcplab_lab::framing::HeaderWidth;
use tcplab_lab::Limits;
use tcplab_net::scratch::ScratchDir;
use tcplab_net::tcpinfo;

pub(crate) async fn run(
    opts: &RunOptions,
    net: Net<'_>,
    pcap: &Path,
) -> Result<ScenarioResult, RunError> {
    // Read (or generated) as it is sent: memory does not grow with the file.
    let (name, contents): (String, Box<dyn Contents>) = match &opts.file {
        Some(path) => {
            let file = FileContents::new(path).map_err(super::io_err(path))?;
            let name = path
                .file_name()
                .map_or("file".into(), |n| n.to_string_lossy().into_owned());
            (name, Box::new(file))
        }
        None => (
            payload::DEFAULT_NAME.to_string(),
            Box::new(payload::Generated {
                size: opts.payload_size,
            }),
        ),
    };
    let size = contents.size();
    // The lab's 6-digit header when the file fits, a wider one otherwise.
    let width = if size <= HeaderWidth::LAB.max_len() {
        HeaderWidth::LAB
    } else {
        HeaderWidth::fitting(size).map_err(|e| RunError::Lab(e.to_string()))?
    };
    let listener = net.listener(&opts.tuning)?;
    let addr = listener
        .local_addr()
        .map_err(|e| RunError::Lab(e.to_string()))?;
    let received_dir = received_dir()?;
    let capture = net.capture(pcap, addr.port(), 1, opts.live.clone())?;
    let snapshotter = net.snapshotter();

    let snapshot: Snapshot = Arc::new(Mutex::new(Vec::new()));
    // The lab's protocol starts with the data: the sender waits until the
    // socket table has been read with the connection established (exercise
    // 4), which takes no bytes on the wire, only a moment.
    let tabled = Arc::new(tokio::sync::Notify::new());
    let stored: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let refused: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let sink: EventSink = {
        let (snapshot, stored, refused) = (snapshot.clone(), stored.clone(), refused.clone());
        let tabled = tabled.clone();
        let port = addr.port();
        Arc::new(move |e: &Event| match e {
            Event::Connected { .. } => {
                if let Ok(mut s) = snapshot.lock() {
                    *s = snapshotter(port);
                }
                tabled.notify_one();
            }
            Event::FileStored { name, .. } => {
                if let Ok(mut s) = stored.lock() {
                    *s = Some(name.clone());
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
            ..Limits::default()
        },
        protocol: ServerProtocol::Lab {
            mode: opts.mode,
            width,
        },
        max_files: Some(1),
        // Its one sender sends exactly this much (or fails).
        max_size: size,
        read_rate: opts.tuning.slow_reader,
        ..FileServerOptions::default()
    };
    let store = Store::Dir(received_dir.path().to_path_buf());
    let server =
        tokio::spawn(async move { file_copy::serve(listener, &store, server_opts, sink).await });
    let request = SendRequest {
        name: &name,
        contents: &*contents,
        mode: opts.mode,
        width,
        protocol: Protocol::Lab,
        // The server closes once it has the file; MAX_RUN bounds the run.
        close_wait: None,
    };
    let (sent, tcp_info, cc, sampled) = send_sampled(net, addr, &request, opts, &tabled).await;
    if let Err(e) = &sent {
        // Nothing reached the server: stop it and the capture now.
        server.abort();
        drop(capture);
        return Err(RunError::Lab(format!("sending {name}: {e}")));
    }
    let served = server.await;
    let stats = capture.finish()?;
    let sent = sent.map_err(|e| RunError::Lab(format!("sending {name}: {e}")))?;
    match served {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return Err(RunError::Lab(format!("file server: {e}"))),
        Err(e) => return Err(RunError::Lab(format!("file server task: {e}"))),
    }
    let stored_name = stored.lock().ok().and_then(|s| s.clone());
    let mut warnings: Vec<String> = refused.lock().map(|r| r.clone()).unwrap_or_default();
    let received = match &stored_name {
        Some(stored) => {
            let path = received_dir.path().join(stored);
            let copy = FileDigest::of_file(&path).await;
            Some(copy.map_err(super::io_err(&path))?)
        }
        None => {
            warnings.push("the server stored no file".into());
            None
        }
    };
    drop(received_dir);
    let end = |s: &FileDigest| FileEnd {
        bytes: s.bytes,
        sha256: s.sha256_hex(),
    };
    let sockets = snapshot.lock().map(|s| s.clone()).unwrap_or_default();
    let meta = RunMeta {
        tcplab_version: env!("CARGO_PKG_VERSION").to_string(),
        command_line: opts.command_line.clone(),
        scenario: "file".into(),
        mode: Some(format!("{:?}", opts.mode).to_lowercase()),
        file_name: Some(name),
        sent: Some(end(&sent)),
        received: received.as_ref().map(end),
        identical: received.map(|r| r == sent),
        server_port: Some(addr.port()),
        path: Some(opts.path_label.clone()),
        capture_file: pcap.display().to_string(),
        capture: Some(stats),
        sockets,
        warnings,
        tuning: opts.tuning.clone(),
        congestion_control: cc,
        link: None,
        tcp_info_file: None,
        tcp_info_socket: sampled,
        drops_file: None,
    };
    Ok(ScenarioResult {
        meta,
        connections: 1,
        tcp_info,
    })
}

type Sent = Result<FileDigest, String>;

/// How long the sender waits for the socket table before sending anyway.
const TABLE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Connects (with the run's socket settings), waits until the server has
/// read the socket table (`tabled`), sends the file while sampling
/// the socket's `TCP_INFO`, and returns the outcome, the series, the
/// congestion control the socket used and the socket's address.
async fn send_sampled(
    net: Net<'_>,
    addr: SocketAddr,
    request: &SendRequest<'_>,
    opts: &RunOptions,
    tabled: &tokio::sync::Notify,
) -> (Sent, Vec<tcpinfo::TcpInfo>, Option<String>, Option<String>) {
    if let Err(e) = request.check() {
        return (Err(e.to_string()), Vec::new(), None, None);
    }
    let socket = net.client_socket(&opts.tuning);
    let stream = match async { super::net::connect(socket?, addr, opts.tuning.nodelay).await }.await
    {
        Ok(s) => s,
        Err(e) => return (Err(e.to_string()), Vec::new(), None, None),
    };
    let local = stream.local_addr().ok().map(|a| a.to_string());
    // Sending anyway after the wait: the table may then miss the connection.
    let _ = tokio::time::timeout(TABLE_WAIT, tabled.notified()).await;
    let cc = tcpinfo::congestion(stream.as_fd()).ok();
    let sampler = tcpinfo::dup(stream.as_fd())
        .ok()
        .map(|fd| super::live::sampler(fd, opts.live.as_ref()));
    let sent = file_copy::send_over(stream, request)
        .await
        .map(|sent| sent.digest)
        .map_err(|e| e.to_string());
    let series = match sampler {
        Some(s) => s.finish().await,
        None => Vec::new(),
    };
    (sent, series, cc, local)
}

/// The server's directory (private, `tcplab_net::scratch`), removed when
/// dropped (also when the run is interrupted or fails).
fn received_dir() -> Result<ScratchDir, RunError> {
    super::remove_stale();
    ScratchDir::create().map_err(super::io_err(&std::env::temp_dir()))
}
