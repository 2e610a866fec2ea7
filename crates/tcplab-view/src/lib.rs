//! `tcplab view`: one self-contained HTML page in which a capture can be
//! explored as Wireshark's TCP stream graphs are, but offline, in any
//! browser, from `file://` (docs/view.md).
//!
//! In: a capture file (and, beside it, the run's `TCP_INFO` series when
//! `run-and-capture` wrote one). Out: the page's HTML as a `String`
//! (`page`) or written to a file (`write_view`). The page holds the
//! connection list (`tcplab_analysis`'s summaries), every connection's
//! segments in a columnar encoding (`encode`) packed as compressed bytes
//! (`pack`), the strings of both
//! languages (`strings`), uPlot (embedded at build time, `assets`) and
//! our viewer (`web/*.js`).
//!
//! Not done here: reading the command line, printing, opening a browser
//! (the binary does that), drawing pictures (the viewer draws in the
//! browser; static graphs are `tcplab_render::plot`'s).
//!
//! Memory grows with the segments the page holds, which are capped
//! (`Limits`): a capture larger than the caps gives a page with the first
//! segments of each connection and a note saying how many were left out.

mod assets;
pub mod encode;
mod gather;
mod pack;
mod page;
mod strings;

pub use gather::{gather, Gathered, Limits};
pub use page::{page, Page};

use std::path::{Path, PathBuf};
use tcplab_analysis::{AnalysisError, AnalyzerOptions};
use tcplab_render::plot::Lang;
use thiserror::Error;

pub type Result<T> = std::result::Result<T, ViewError>;

#[derive(Debug, Error)]
pub enum ViewError {
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    #[error("{file}: no TCP connection in the capture, nothing to view")]
    NoConnection { file: String },
    #[error("{file}: there is no stream {stream}; its streams are {available}")]
    UnknownStream {
        file: String,
        stream: u32,
        available: String,
    },
    #[error("{}: the TCP_INFO series cannot be read: {reason}", path.display())]
    TcpInfo { path: PathBuf, reason: String },
    #[error("{}: cannot write: {error}", path.display())]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// What the page shows first and where its extra data comes from.
#[derive(Clone, Debug, Default)]
pub struct ViewOptions {
    /// The connection selected when the page opens; default: the one
    /// that carried the most payload.
    pub stream: Option<u32>,
    /// The page's first language (both are in the page).
    pub lang: Lang,
    /// The sender's `TCP_INFO` series; default: the run's CSV beside the
    /// capture, when there is one.
    pub tcp_info: Option<PathBuf>,
    pub limits: Limits,
    /// How the capture is read (`--tunnels`, `--decode-as`), as `analyze`
    /// and `report` read it, so that the streams are numbered alike.
    pub analyzer: AnalyzerOptions,
}

/// Reads `capture` and writes its view to `out` (all or nothing).
pub fn write_view(capture: &Path, out: &Path, options: &ViewOptions) -> Result<Page> {
    let built = page(capture, options)?;
    tcplab_render::staging::write_file(out, built.html.as_bytes()).map_err(|error| {
        ViewError::Write {
            path: out.to_path_buf(),
            error,
        }
    })?;
    Ok(built)
}
