//! The run's metadata, written as JSON beside the capture
//! (`captures/<name>-<stamp>.json`; documented in docs/run-metadata.md).

use crate::capture::live::LiveStats;
use crate::netlab::sockets::SocketEntry;
use serde::Serialize;

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
}
