//! The live terminal view of `tcplab capture --live` and of
//! `run-and-capture --live` / `compare --live`: the connections seen so
//! far, updated as packets arrive, the selected connection's graph, and
//! for a run the sender's `TCP_INFO` and the emulated link's counters.
//!
//! In: the analyzer's [`SegmentReport`](tcplab_analysis::SegmentReport)s
//! ([`model::LiveModel::push`]), `TCP_INFO` rows
//! ([`model::LiveModel::push_tcp_info`]), the link's counters
//! ([`model::LiveModel::update_link`]) and keys ([`app::UiState::key`]). Out: a
//! ratatui frame ([`view::draw`]). Not done here: the terminal itself (raw
//! mode, the draw loop) and capturing, which the binary owns.

pub mod app;
pub mod kernel;
mod kernel_view;
pub mod model;
mod units;
pub mod view;
