//! The record of a run that `run-and-capture` leaves beside its capture,
//! each file modelled once, for writing and for reading:
//!
//! - [`run_meta`]: `<base>.json`, the run's metadata (docs/run-metadata.md);
//! - [`tcp_info`]: `<base>-tcpinfo.csv`, the sender's `TCP_INFO` series;
//! - [`drops`]: `<base>-drops.csv`, what the emulated link dropped;
//! - [`sockets`]: whose socket each row of the metadata's socket snapshot is.
//!
//! Reading is lenient where a person may have edited or moved the files:
//! a missing field is not reported, a companion file is looked for beside
//! the capture first. A file that is not what it claims is an error naming
//! its line.

pub mod drops;
pub mod link;
pub mod run_meta;
pub mod sockets;
pub mod tcp_info;
