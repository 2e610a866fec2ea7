//! Connections: which segments belong together, in which direction, and in
//! which Wireshark-compatible stream. Holds the `Seq` newtype that every
//! other module uses for sequence arithmetic.
//!
//! In: `dissect::Segment`s in capture order. Out: for each segment, its
//! stream index and direction (`Tracked`), with per-connection state kept
//! in `FlowTable` (memory grows with connections, not packets).

mod hasher;
mod seq;
mod table;

pub use seq::Seq;
pub use table::{ConnKey, Direction, Endpoint, FlowTable, Lookup};
