//! The run's metadata, `<base>.json` beside the capture (documented in
//! docs/run-metadata.md): written by `run-and-capture` at the end of a run,
//! read back by the report and the graphs. One model for both: every field
//! has a default, so a file from an older tcplab, or one a person edited,
//! still reads; what is missing is simply not reported.

use crate::record::link::{EmuStats, LinkParams, PathEnd};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tcplab_wire::capture::live::LiveStats;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RunMeta {
    pub tcplab_version: String,
    pub command_line: Vec<String>,
    pub scenario: String,
    /// `lines` or `whole` for the file scenario.
    pub mode: Option<String>,
    pub file_name: Option<String>,
    pub sent: Option<FileEnd>,
    pub received: Option<FileEnd>,
    pub identical: Option<bool>,
    pub server_port: Option<u16>,
    /// `namespace tcplab-run-123 (lo mtu 1500, tso/gso/gro off)`,
    /// `host loopback` or the emulated path's description.
    pub path: Option<String>,
    pub capture_file: String,
    pub capture: Option<LiveStats>,
    /// Sockets using the server port, read from /proc/net/tcp{,6} during the transfer.
    pub sockets: Vec<SocketEntry>,
    pub warnings: Vec<String>,
    /// Socket settings asked for on the command line.
    pub tuning: Tuning,
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

/// Size and SHA-256 of the file at one end of the copy.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FileEnd {
    pub bytes: u64,
    pub sha256: String,
}

/// One socket of the socket tables (`/proc/net/tcp{,6}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SocketEntry {
    pub local: String,
    pub remote: String,
    /// `LISTEN`, `ESTABLISHED` … (`record::tcp_info::tcp_state_name`).
    pub state: String,
    pub inode: u64,
}

/// Socket settings of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tuning {
    /// `TCP_CONGESTION` on the sender's socket.
    pub cc: Option<String>,
    /// `SO_RCVBUF` on the receiver (set on the listening socket, before
    /// `listen`, so that the window scale announced in the SYN/ACK fits it).
    pub rcvbuf: Option<u32>,
    /// The receiver reads at most this many bytes per second.
    pub slow_reader: Option<u64>,
    /// `TCP_NODELAY` (Nagle off) on the sender.
    pub nodelay: bool,
}

/// The emulated link of a run: its settings and what crossed it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkMeta {
    pub params: LinkParams,
    pub capture_at: PathEnd,
    /// Packets the emulator dropped sender → receiver (loss + full queue).
    pub forward_drops: u64,
    pub backward_drops: u64,
    pub stats: EmuStats,
}

impl LinkMeta {
    pub fn new(params: &LinkParams, capture_at: PathEnd, stats: EmuStats) -> LinkMeta {
        LinkMeta {
            params: *params,
            capture_at,
            forward_drops: stats.forward.lost + stats.forward.queue_drops,
            backward_drops: stats.backward.lost + stats.backward.queue_drops,
            stats,
        }
    }
}

/// A companion file the metadata names (`captures/x-tcpinfo.csv`), looked
/// for beside the capture first (the run may have been moved), then as written.
pub fn companion(capture: &Path, named: Option<&str>) -> Option<PathBuf> {
    let named = Path::new(named?);
    let beside = capture
        .parent()
        .map(|dir| dir.join(named.file_name().unwrap_or_default()));
    beside
        .filter(|p| p.is_file())
        .or_else(|| named.is_file().then(|| named.to_path_buf()))
}

/// `captures/x.pcap` → `captures/x.json`, when that file exists.
pub fn beside(capture: &Path) -> Option<PathBuf> {
    let p = capture.with_extension("json");
    p.is_file().then_some(p)
}

/// Reads a metadata file (`Err`: the reason, without the file's name).
pub fn read(path: &Path) -> Result<RunMeta, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

/// The run's `TCP_INFO` series of `capture`: the file its metadata names
/// (looked for beside the capture first), else `<name>-tcpinfo.csv` beside it.
pub fn tcp_info_of(capture: &Path, meta: Option<&RunMeta>) -> Option<PathBuf> {
    meta.and_then(|m| companion(capture, m.tcp_info_file.as_deref()))
        .or_else(|| {
            let stem = capture.file_stem()?.to_string_lossy().into_owned();
            let p = capture.with_file_name(format!("{stem}-tcpinfo.csv"));
            p.is_file().then_some(p)
        })
}
