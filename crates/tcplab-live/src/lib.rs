//! The live terminal view of `tcplab capture --live`: the connections seen
//! so far, updated as packets arrive, and the selected connection's graph.
//!
//! In: the analyzer's [`SegmentReport`](tcplab_analysis::SegmentReport)s
//! ([`model::LiveModel::push`]) and keys ([`app::UiState::key`]). Out: a
//! ratatui frame ([`view::draw`]). Not done here: the terminal itself (raw
//! mode, the draw loop) and capturing, which the binary owns.

pub mod app;
pub mod model;
pub mod view;
