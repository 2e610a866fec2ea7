//! The network lab: what a run needs of the kernel.
//!
//! `netns` makes and removes private network namespaces; `path` joins two of
//! them through tcplab's own link emulator (`emu`: TUN devices, rate, delay,
//! loss, queue); `privilege` says which capability is missing; `sockets`
//! reads the socket tables of `/proc/net/tcp{,6}`; `tcpinfo` samples a
//! socket's `TCP_INFO` (the series' format is `tcplab_analysis::record`);
//! `stale` finds what a killed run left behind.
//!
//! It returns values, errors and notes; the binary decides what to print.

pub mod emu;
pub mod netns;
pub mod path;
pub mod privilege;
pub mod scratch;
pub mod sockets;
pub mod stale;
pub mod tcpinfo;
