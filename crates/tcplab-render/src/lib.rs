//! What a person reads: the analysis of `tcplab-analysis` as text, JSON and
//! CSV (`output`), as graphs (`plot`) and as the lab report (`report`), in
//! Spanish or English.
//!
//! In: `SegmentReport`s as they are analysed and the `ConnectionSummary`s
//! at the end; a run's record (metadata, `TCP_INFO` series, drop log) read
//! through `tcplab_analysis::record`. Out: bytes written to the writers and
//! files it is given. It never prints to the terminal: the binary does.

pub mod output;
pub mod plot;
pub mod report;
pub mod staging;
