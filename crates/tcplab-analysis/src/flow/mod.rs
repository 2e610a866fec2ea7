//! Connections: which segments belong together, in which direction, and in
//! which Wireshark-compatible stream (sequence numbers are
//! `tcplab_wire::Seq`).
//!
//! In: `dissect::Segment`s in capture order. Out: for each segment, its
//! stream index and direction (`Lookup`), with per-connection state kept
//! in `FlowTable` (26 to 32 bytes per connection, in memory for the newest
//! 262,144 streams, on disk for older ones: see `streams.rs`).

mod evict;
mod hasher;
mod index;
mod key;
mod latest;
#[cfg(test)]
mod latest_tests;
mod streams;
#[cfg(test)]
mod streams_tests;
mod table;

pub use table::{Direction, Endpoint, FlowTable, Lookup};
