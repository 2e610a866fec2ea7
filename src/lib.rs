//! tcplab, the program: the command line, `run-and-capture` and `compare`.
//!
//! The library crates under `crates/` do the work (docs/architecture.md):
//! `tcplab-wire` reads packets, `tcplab-analysis` follows connections the
//! way Wireshark does, `tcplab-render` writes text, graphs and reports,
//! `tcplab-lab` holds the lab's TCP programs and `tcplab-net` the
//! namespaces, the link emulator and the kernel's `TCP_INFO`. This crate
//! puts them together into runs (`run_and_capture`, `compare`), live
//! captures (`capture`) and the lab report with its browser view beside it
//! (`report_view`), parses the
//! command line (`cli`, one file per subcommand) and is the only place that
//! prints to the terminal.

pub mod batch;
pub mod capture;
pub mod cli;
pub mod compare;
pub mod report_view;
pub mod run_and_capture;
pub mod signals;
pub mod spool;
