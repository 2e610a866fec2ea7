//! The wire: bytes in, TCP segments out.
//!
//! ```text
//! capture  (pcap / pcapng bytes, or a live libpcap handle) -> Record
//! dissect  (link layers, tunnels, IPv4/IPv6, TCP)         -> Segment (+ tunnel path)
//! seq      (the `Seq` newtype: serial-number arithmetic)
//! duration (`20ms`, `1.5s`: durations as the command line spells them)
//! size     (`150k`, `64KiB`: sizes in bytes as the command line spells them)
//! ```
//!
//! This crate looks at one packet at a time: which packets belong to one
//! connection, and what that connection did, is `tcplab-analysis`. It
//! depends on no other tcplab crate, and prints nothing: it returns values
//! and typed errors (`CaptureError`) that name the file, the record and the
//! byte offset.

pub mod capture;
pub mod dissect;
pub mod duration;
mod seq;
pub mod size;

pub use seq::Seq;
