//! The run metadata `run-and-capture` writes beside a capture
//! (docs/run-metadata.md), read back leniently: a field that is missing
//! or of another shape is simply not reported.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct FileEnd {
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct LiveStats {
    #[serde(default)]
    pub packets_saved: u64,
    #[serde(default)]
    pub kernel_received: u64,
    #[serde(default)]
    pub kernel_dropped: u64,
    #[serde(default)]
    pub interface_dropped: u64,
    #[serde(default)]
    pub complete: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Socket {
    pub local: String,
    pub remote: String,
    pub state: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct RunMeta {
    #[serde(default)]
    pub sent: Option<FileEnd>,
    #[serde(default)]
    pub received: Option<FileEnd>,
    #[serde(default)]
    pub identical: Option<bool>,
    #[serde(default)]
    pub server_port: Option<u16>,
    #[serde(default)]
    pub capture: Option<LiveStats>,
    #[serde(default)]
    pub sockets: Vec<Socket>,
    /// How the run's path is described (`emulated path: rate … ` or the namespace).
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub link: Option<Link>,
    #[serde(default)]
    pub congestion_control: Option<String>,
    #[serde(default)]
    pub tcp_info_file: Option<String>,
    #[serde(default)]
    pub tcp_info_socket: Option<String>,
    #[serde(default)]
    pub drops_file: Option<String>,
}

/// The emulated link of a run (see `runcap::meta::LinkMeta`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Link {
    #[serde(default)]
    pub params: Option<LinkParams>,
    #[serde(default)]
    pub capture_at: String,
    #[serde(default)]
    pub forward_drops: u64,
    #[serde(default)]
    pub backward_drops: u64,
    #[serde(default)]
    pub stats: LinkStats,
}

/// `runcap`'s `LinkParams` as written: delays in seconds, losses as fractions.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct LinkParams {
    #[serde(default)]
    pub rate_bps: Option<u64>,
    #[serde(default)]
    pub delay: f64,
    #[serde(default)]
    pub jitter: f64,
    #[serde(default)]
    pub loss: f64,
    #[serde(default)]
    pub ack_loss: f64,
    #[serde(default)]
    pub queue: Queue,
    #[serde(default)]
    pub mtu: u32,
    #[serde(default)]
    pub seed: u64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    Packets(u64),
    Bytes(u64),
}

impl Default for Queue {
    fn default() -> Queue {
        Queue::Packets(0)
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct LinkStats {
    #[serde(default)]
    pub forward: LaneStats,
    #[serde(default)]
    pub backward: LaneStats,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct LaneStats {
    #[serde(default)]
    pub packets_in: u64,
    #[serde(default)]
    pub lost: u64,
    #[serde(default)]
    pub queue_drops: u64,
    #[serde(default)]
    pub max_queue_packets: u64,
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
