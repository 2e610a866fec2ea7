//! tcplab: study what TCP really did.
//!
//! The pipeline flows one way, each module taking the previous one's output:
//!
//! ```text
//! capture  (pcap / pcapng bytes, or a live libpcap handle) -> Record
//! dissect  (link layer, IPv4/IPv6, TCP via etherparse)     -> Segment
//! flow     (connections, stream ids, Seq arithmetic)       -> tracked segment
//! analysis (Wireshark's tcp.analysis.* events, RTT, ...)   -> SegmentReport + ConnectionSummary
//! output   (text, JSON, CSV)
//! ```
//!
//! `lab` holds the lab's TCP programs (echo servers, chat, file copy) that
//! `run-and-capture` drives; `cli` holds one file per subcommand.

pub mod analysis;
pub mod capture;
pub mod cli;
pub mod dissect;
pub mod flow;
pub mod lab;
pub mod netlab;
pub mod output;
pub mod plot;
pub mod runcap;
