//! Where a run's two ends live: both on this namespace's loopback, or the
//! client (the sender) and the server (the receiver) in the two namespaces
//! of an [`EmulatedPath`]. Scenarios ask this for their sockets, their
//! capture and their socket snapshots, and apply the run's [`Tuning`].

use super::{CaptureThread, RunError};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::fd::AsFd;
use std::path::Path;
use std::sync::Arc;
use tcplab_net::netns::Netns;
use tcplab_net::path::{EmulatedPath, PathEnd, DEVICE};
use tcplab_net::sockets::{self, SocketEntry};
use tcplab_net::tcpinfo;
use tcplab_wire::capture::live::SNAPLEN;
use tokio::net::{TcpListener, TcpSocket, TcpStream};

pub use tcplab_analysis::record::run_meta::Tuning;

/// Takes a snapshot of the sockets on a port, wherever they live.
pub(crate) type SnapshotFn = Arc<dyn Fn(u16) -> Vec<SocketEntry> + Send + Sync>;

#[derive(Clone, Copy)]
pub(crate) enum Net<'a> {
    Loopback,
    Emulated {
        path: &'a EmulatedPath,
        capture_at: PathEnd,
    },
}

fn lab_err(what: &str) -> impl FnOnce(std::io::Error) -> RunError + '_ {
    move |e| RunError::Lab(format!("{what}: {e}"))
}

impl Net<'_> {
    /// The address the server listens on.
    pub fn server_ip(&self) -> IpAddr {
        match self {
            Net::Loopback => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Net::Emulated { .. } => EmulatedPath::address(PathEnd::Receiver),
        }
    }

    fn namespace(&self, end: PathEnd) -> Option<&Netns> {
        match self {
            Net::Loopback => None,
            Net::Emulated { path, .. } => Some(path.namespace(end)),
        }
    }

    /// Runs `f` where `end` lives.
    fn at<T: Send>(&self, end: PathEnd, f: impl FnOnce() -> T + Send) -> Result<T, RunError> {
        match self.namespace(end) {
            None => Ok(f()),
            Some(ns) => ns.run_inside(f).map_err(|e| RunError::Lab(e.to_string())),
        }
    }

    /// The server's listening socket, with the receive buffer of `tuning`.
    pub fn listener(&self, tuning: &Tuning) -> Result<TcpListener, RunError> {
        let socket = self
            .at(PathEnd::Receiver, TcpSocket::new_v4)?
            .map_err(lab_err("creating the server socket"))?;
        socket
            .set_reuseaddr(true)
            .map_err(lab_err("SO_REUSEADDR"))?;
        if let Some(bytes) = tuning.rcvbuf {
            socket
                .set_recv_buffer_size(bytes)
                .map_err(lab_err("SO_RCVBUF"))?;
        }
        let addr = SocketAddr::new(self.server_ip(), 0);
        socket
            .bind(addr)
            .map_err(lab_err(&format!("cannot listen on {}", addr.ip())))?;
        socket.listen(1024).map_err(lab_err("listen"))
    }

    /// A client (sender) socket, not yet connected, with the congestion
    /// control of `tuning`; connect it with [`connect`].
    pub fn client_socket(&self, tuning: &Tuning) -> Result<TcpSocket, RunError> {
        let socket = self
            .at(PathEnd::Sender, TcpSocket::new_v4)?
            .map_err(lab_err("creating the client socket"))?;
        if let Some(cc) = &tuning.cc {
            tcpinfo::set_congestion(socket.as_fd(), cc)
                .map_err(|e| RunError::Lab(e.to_string()))?;
        }
        Ok(socket)
    }

    /// Starts capturing the server port where the run captures.
    pub fn capture(
        &self,
        pcap: &Path,
        port: u16,
        expected: usize,
        feed: Option<Arc<super::live::LiveFeed>>,
    ) -> Result<CaptureThread, RunError> {
        match self {
            Net::Loopback => {
                // lo's MTU (1500 in the run's namespace, 65536 on the host):
                // segments are never larger, even with TSO/GSO.
                let snaplen = std::fs::read_to_string("/sys/class/net/lo/mtu")
                    .ok()
                    .and_then(|m| m.trim().parse::<u32>().ok())
                    .map_or(SNAPLEN, |mtu| mtu + 256);
                CaptureThread::start("lo", snaplen, pcap, port, expected, feed)
            }
            Net::Emulated { path, capture_at } => {
                // Packets on the link are at most its MTU: small ring slots,
                // so a burst at full speed does not overflow the buffer.
                let snaplen = path.params().mtu + 256;
                path.namespace(*capture_at)
                    .run_inside(|| {
                        CaptureThread::start(DEVICE, snaplen, pcap, port, expected, feed)
                    })
                    .map_err(|e| RunError::Lab(e.to_string()))?
            }
        }
    }

    /// A function that snapshots the sockets on a port at both ends.
    pub fn snapshotter(&self) -> SnapshotFn {
        match self {
            Net::Loopback => Arc::new(sockets::snapshot),
            Net::Emulated { path, .. } => {
                let names = [PathEnd::Receiver, PathEnd::Sender]
                    .map(|e| path.namespace(e).name().to_string());
                Arc::new(move |port| {
                    let mut all = Vec::new();
                    for name in &names {
                        if let Ok(rows) = Netns::run_inside_named(name, || sockets::snapshot(port))
                        {
                            all.extend(rows);
                        }
                    }
                    all
                })
            }
        }
    }

    /// Says where the run happened, for the metadata and the output.
    pub fn describe(&self, loopback_label: &str) -> String {
        match self {
            Net::Loopback => loopback_label.to_string(),
            Net::Emulated { path, capture_at } => format!(
                "emulated path: {} ({} to {}; namespaces {} and {}); captured at the {}",
                path.params(),
                EmulatedPath::address(PathEnd::Sender),
                EmulatedPath::address(PathEnd::Receiver),
                path.namespace(PathEnd::Sender).name(),
                path.namespace(PathEnd::Receiver).name(),
                match capture_at {
                    PathEnd::Sender => "sender",
                    PathEnd::Receiver => "receiver",
                }
            ),
        }
    }
}

/// Connects a socket from [`Net::client_socket`] and applies Nagle's setting.
pub(crate) async fn connect(
    socket: TcpSocket,
    addr: SocketAddr,
    nodelay: bool,
) -> Result<TcpStream, RunError> {
    let stream = socket
        .connect(addr)
        .await
        .map_err(lab_err(&format!("connecting to {addr}")))?;
    if nodelay {
        stream.set_nodelay(true).map_err(lab_err("TCP_NODELAY"))?;
    }
    Ok(stream)
}
