//! The run's metadata, written as JSON beside the capture
//! (`captures/<name>-<stamp>.json`; documented in docs/run-metadata.md).

use crate::capture::live::LiveStats;
use crate::emu::{EmuStats, LinkParams};
use crate::netlab::path::End;
use crate::netlab::sockets::SocketEntry;
use serde::Serialize;

/// The emulated link of a run: its settings and what crossed it.
#[derive(Clone, Debug, Serialize)]
pub struct LinkMeta {
    pub params: LinkParams,
    pub capture_at: End,
    /// Packets the emulator dropped sender → receiver (loss + full queue).
    pub forward_drops: u64,
    pub backward_drops: u64,
    pub stats: EmuStats,
}

impl LinkMeta {
    pub fn new(params: &LinkParams, capture_at: End, stats: EmuStats) -> LinkMeta {
        LinkMeta {
            params: *params,
            capture_at,
            forward_drops: stats.forward.lost + stats.forward.queue_drops,
            backward_drops: stats.backward.lost + stats.backward.queue_drops,
            stats,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct FileEnd {
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RunMeta {
    pub tcplab_version: &'static str,
    pub command_line: Vec<String>,
    pub scenario: String,
    /// `lines` or `whole` for the file scenario.
    pub mode: Option<String>,
    pub file_name: Option<String>,
    pub sent: Option<FileEnd>,
    pub received: Option<FileEnd>,
    pub identical: Option<bool>,
    pub server_port: u16,
    /// `namespace tcplab-run-123 (lo mtu 1500, tso/gso/gro off)` or `host loopback`.
    pub path: String,
    pub capture_file: String,
    pub capture: LiveStats,
    /// Sockets using the server port, read from /proc/net/tcp{,6} during the transfer.
    pub sockets: Vec<SocketEntry>,
    pub warnings: Vec<String>,
    /// Socket settings asked for on the command line.
    pub tuning: super::Tuning,
    /// The sender's congestion control algorithm, read back from its socket.
    pub congestion_control: Option<String>,
    /// The emulated link, when the run crossed one.
    pub link: Option<LinkMeta>,
    /// The sender's `TCP_INFO` series (CSV), when it was sampled.
    pub tcp_info_file: Option<String>,
    /// The sampled socket's own address (`addr:port`): which connection
    /// and direction the series belongs to.
    pub tcp_info_socket: Option<String>,
    /// The emulated link's drop log (CSV), when the run crossed one.
    pub drops_file: Option<String>,
}
