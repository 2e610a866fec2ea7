//! tcplab's analysis as a Parquet dataset (docs/dataset.md).
//!
//! In: captures, one at a time — each capture's `SegmentReport`s as the
//! analyzer hands them out, then its `CaptureStats` and connection
//! summaries. Out: three tables under one directory, Hive-partitioned by
//! capture so that a query on one capture reads only its files:
//!
//! ```text
//! DIR/segments/capture=NAME/part-0.parquet      one row per TCP segment
//! DIR/connections/capture=NAME/part-0.parquet   one row per connection
//! DIR/captures/capture=NAME/part-0.parquet      one row per capture
//! ```
//!
//! `Dataset::open` reads what is already there (which captures, by
//! SHA-256, and the schema version); `Dataset::admit` hashes a capture and
//! says whether it is new, giving it a partition name that is safe in a
//! path and unique in the dataset; the `CaptureSlot` it returns is `Send`
//! and owns everything one capture needs, so a parallel driver admits the
//! captures in order on one thread and writes each on any worker
//! (`CaptureSlot::writer`, `CaptureWriter::push`, `CaptureWriter::finish`).
//!
//! Memory is bounded by one batch of rows (`SEGMENT_BATCH_ROWS`) and one
//! row group being encoded (`SEGMENT_ROW_GROUP_ROWS`), never by the number
//! of packets. Files are written under temporary names and renamed when
//! complete, the captures table last: a capture is in the dataset once its
//! `captures` row is, and a failed run leaves no half file.
//!
//! Not done here: analysing (tcplab-analysis), choosing what to print
//! (the binary), running captures in parallel (a driver's job).

mod captures;
mod columns;
mod connections;
mod dataset;
mod error;
mod hashing;
mod names;
mod segments;
mod writer;

pub use captures::RunFile;
pub use dataset::{hex, sha256_of, Admission, CaptureSlot, Dataset};
pub use error::{DatasetError, Result};
pub use hashing::{HashingReader, StreamHash};
pub use names::partition_name;
pub use writer::{CaptureAdded, CaptureWriter};

/// The version of the dataset's schema (docs/dataset.md): changes when a
/// column is removed or changes meaning or type. Stored in every file's
/// key-value metadata under `SCHEMA_VERSION_KEY`.
pub const SCHEMA_VERSION: u32 = 1;
/// The Parquet key-value metadata key that holds `SCHEMA_VERSION`.
pub const SCHEMA_VERSION_KEY: &str = "tcplab.dataset_schema";
/// Segment rows gathered before they are handed to the Parquet writer.
pub const SEGMENT_BATCH_ROWS: usize = 8192;
/// Rows per row group of the segments table: 128 Ki rows, a few MB
/// compressed — large enough for zstd and column statistics to pay off,
/// small enough that the encoder's buffer stays small.
pub const SEGMENT_ROW_GROUP_ROWS: usize = 128 * 1024;
/// Connection rows per batch (and per row group: a connections file has
/// one row group per `CONNECTION_BATCH_ROWS` connections).
pub const CONNECTION_BATCH_ROWS: usize = 4096;

#[cfg(test)]
mod tests;
