//! The machine side of a run: privileges, private network namespaces, and
//! snapshots of the kernel's socket tables. Commands run here are
//! `ip` and `ethtool` (iproute2 and ethtool packages).

pub mod netns;
pub mod path;
pub mod privilege;
pub mod sockets;
pub mod stale;
pub mod tcpinfo;
mod tcpinfo_csv;
