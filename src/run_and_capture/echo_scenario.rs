//! Exercises 4 and 5 under capture: two clients talk to the multiplexed
//! echo server (v2) at the same time, three messages each, then close.

use super::net::{self, Net};
use super::{RunError, RunOptions, ScenarioResult, Snapshot};
use std::net::SocketAddr;
use std::os::fd::AsFd;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tcplab_analysis::record::run_meta::RunMeta;
use tcplab_lab::echo::{self, EchoOptions, EchoVersion};
use tcplab_lab::event::{Event, EventSink};
use tcplab_lab::Limits;
use tcplab_net::tcpinfo::{self, TcpInfo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;
use tokio::sync::{Barrier, Notify};

const CLIENTS: usize = 2;
const MESSAGES: usize = 3;

pub(crate) async fn run(
    opts: &RunOptions,
    net: Net<'_>,
    pcap: &Path,
) -> Result<ScenarioResult, RunError> {
    let listener = net.listener(&opts.tuning)?;
    let addr = listener
        .local_addr()
        .map_err(|e| RunError::Lab(e.to_string()))?;
    let capture = net.capture(pcap, addr.port(), CLIENTS, opts.live.clone())?;
    let snapshot: Snapshot = Arc::new(Mutex::new(Vec::new()));
    let connected = Arc::new(AtomicUsize::new(0));
    let all_accepted = Arc::new(Notify::new());
    let sink: EventSink = {
        let (connected, all_accepted) = (connected.clone(), all_accepted.clone());
        Arc::new(move |e: &Event| {
            if let Event::Connected { .. } = e {
                if connected.fetch_add(1, Ordering::SeqCst) + 1 == CLIENTS {
                    all_accepted.notify_one();
                }
            }
        })
    };
    let options = EchoOptions {
        limits: Limits {
            max_clients: Some(CLIENTS as u64),
            max_time: Some(super::MAX_RUN),
            ..Limits::default()
        },
        ..EchoOptions::default()
    };
    let server = tokio::spawn(echo::serve(listener, EchoVersion::Multi, options, sink));
    // Both clients connect and are accepted before either talks, so the
    // conversations interleave and the snapshot shows every socket:
    // 1 listening + 2 on the server side + 2 on the clients' side.
    let barrier = Arc::new(Barrier::new(CLIENTS + 1));
    // A client that cannot connect never reaches the barrier: the others
    // (and the server, waiting for it) are stopped instead of waiting for
    // the run's time limit.
    let failed = Arc::new(Notify::new());
    let mut clients = Vec::new();
    for id in 1..=CLIENTS {
        let (barrier, failed) = (barrier.clone(), failed.clone());
        let socket = net.client_socket(&opts.tuning)?;
        let nodelay = opts.tuning.nodelay;
        let feed = opts.live.clone();
        clients.push(tokio::spawn(async move {
            client(socket, addr, nodelay, id, barrier, failed, feed).await
        }));
    }
    let mut warnings = Vec::new();
    let started = async {
        if tokio::time::timeout(super::MAX_RUN, all_accepted.notified())
            .await
            .is_err()
        {
            return Err("the echo server did not accept both clients in time");
        }
        if let Ok(mut s) = snapshot.lock() {
            *s = net.snapshotter()(addr.port());
        }
        match tokio::time::timeout(super::MAX_RUN, barrier.wait()).await {
            Ok(_) => Ok(()),
            Err(_) => Err("the echo clients did not all connect in time"),
        }
    };
    let started = tokio::select! {
        r = started => r,
        () = failed.notified() => Err("an echo client could not connect; the run was stopped"),
    };
    if let Err(why) = started {
        warnings.push(why.to_string());
        for c in &clients {
            c.abort();
        }
        server.abort();
    }
    let mut tcp_info = Vec::new();
    let (mut cc, mut sampled) = (None, None);
    for c in clients {
        match c.await {
            Err(e) if e.is_cancelled() => {}
            Ok(Ok(Some((series, algorithm, local)))) => {
                tcp_info = series;
                cc = algorithm;
                sampled = local;
            }
            Ok(Ok(None)) => {}
            Ok(Err(e)) => warnings.push(format!("echo client: {e}")),
            Err(e) => warnings.push(format!("echo client task: {e}")),
        }
    }
    match server.await {
        Err(e) if !e.is_cancelled() => warnings.push(format!("echo server task: {e}")),
        _ => {}
    }
    let stats = capture.finish()?;
    let meta = RunMeta {
        tcplab_version: env!("CARGO_PKG_VERSION").to_string(),
        command_line: opts.command_line.clone(),
        scenario: "echo".into(),
        mode: None,
        file_name: None,
        sent: None,
        received: None,
        identical: None,
        server_port: Some(addr.port()),
        path: Some(opts.path_label.clone()),
        capture_file: pcap.display().to_string(),
        capture: Some(stats),
        sockets: snapshot.lock().map(|s| s.clone()).unwrap_or_default(),
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
        connections: CLIENTS,
        tcp_info,
    })
}

/// What client 1 (the one whose socket is sampled) brings back.
type Sampled = Option<(Vec<TcpInfo>, Option<String>, Option<String>)>;

async fn client(
    socket: TcpSocket,
    addr: SocketAddr,
    nodelay: bool,
    id: usize,
    barrier: Arc<Barrier>,
    failed: Arc<Notify>,
    feed: Option<Arc<super::live::LiveFeed>>,
) -> Result<Sampled, String> {
    let mut stream = match net::connect(socket, addr, nodelay).await {
        Ok(s) => s,
        Err(e) => {
            failed.notify_one();
            return Err(format!("client {id}: {e}"));
        }
    };
    let sampler = (id == 1)
        .then(|| {
            tcpinfo::dup(stream.as_fd())
                .ok()
                .map(|fd| super::live::sampler(fd, feed.as_ref()))
        })
        .flatten();
    let cc = tcpinfo::congestion(stream.as_fd()).ok();
    let local = stream.local_addr().ok().map(|a| a.to_string());
    let talked = talk(&mut stream, id, barrier).await;
    let series = match sampler {
        Some(s) => Some((s.finish().await, cc, local)),
        None => None,
    };
    talked.map_err(|e| e.to_string())?;
    Ok(series)
}

async fn talk(
    stream: &mut tokio::net::TcpStream,
    id: usize,
    barrier: Arc<Barrier>,
) -> std::io::Result<()> {
    tokio::time::timeout(super::MAX_RUN, barrier.wait())
        .await
        .map_err(|_| {
            std::io::Error::other(format!("client {id}: the other client never connected"))
        })?;
    for n in 1..=MESSAGES {
        let msg = format!("client {id} message {n}\n");
        stream.write_all(msg.as_bytes()).await?;
        let mut echoed = vec![0u8; msg.len()];
        stream.read_exact(&mut echoed).await?;
        if echoed != msg.as_bytes() {
            return Err(std::io::Error::other(format!(
                "client {id}: echo of message {n} differs"
            )));
        }
    }
    stream.shutdown().await?;
    // Read until the server's FIN so that the close is graceful on both sides.
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).await?;
    Ok(())
}
