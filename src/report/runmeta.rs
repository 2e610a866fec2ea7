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
