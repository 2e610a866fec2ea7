//! Connections: which segments belong together, in which direction, and in
//! which Wireshark-compatible stream. Holds the `Seq` newtype that every
//! other module uses for sequence arithmetic.
//!
//! In: `dissect::Segment`s in capture order. Out: for each segment, its
//! stream index and direction (`Lookup`), with per-connection state kept
//! in `FlowTable` (memory grows with connections, not packets: 26 to 32
//! bytes each, see `streams.rs`).

mod hasher;
mod seq;
mod streams;
mod table;

pub use seq::Seq;
pub use table::{Direction, Endpoint, FlowTable, Lookup};
