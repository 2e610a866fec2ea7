//! tcplab: study what TCP really did.
//!
//! The pipeline flows one way, each module taking the previous one's output:
//!
//! ```text
//! capture  (pcap / pcapng bytes, or a live libpcap handle) -> Record
//! dissect  (link layer, IPv4/IPv6, TCP via etherparse)     -> Segment
//! flow     (connections, stream ids, Seq arithmetic)       -> tracked segment
//! analysis (Wireshark's tcp.analysis.* events, RTT, ...)   -> SegmentReport + ConnectionSummary
//! output   (text, JSON, CSV)            plot (SVG/PNG graphs from the same stream)
//! ```
//!
//! `lab` holds the lab's TCP programs (echo servers, chat, file copy) that
//! `runcap` (`run-and-capture`) drives in a namespace made by `netlab`;
//! `compare` runs it once per congestion control algorithm and reports the
//! runs side by side; `cli` holds one file per subcommand.
//!
//! ```
//! use std::path::Path;
//! use tcplab::analysis::{analyze_file, Event};
//!
//! let mut retransmissions = 0;
//! let (analysis, damage) = analyze_file(Path::new("tests/data/lossy.pcap"), |segment| {
//!     retransmissions += usize::from(segment.events.iter().any(Event::is_retransmission));
//! })?;
//! assert!(damage.is_none());
//! assert_eq!(analysis.connections.len(), 1);
//! assert!(retransmissions > 0);
//! # Ok::<(), tcplab::capture::CaptureError>(())
//! ```

pub mod analysis;
pub mod capture;
pub mod cli;
mod cold;
pub mod compare;
pub mod dissect;
pub mod emu;
pub mod flow;
pub mod lab;
pub mod netlab;
pub mod output;
pub mod plot;
pub mod report;
pub mod runcap;
