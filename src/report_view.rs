//! The lab report with the browser view beside it: `report.html` (and
//! `report.md`) link to `view.html` in the same directory, the view of the
//! same connection read the same way (docs/view.md, "Beside the report").
//!
//! `tcplab-render` writes the report and knows only the link's name;
//! `tcplab-view` writes the page; this crate, which may use both
//! (docs/architecture.md), puts them together for `report`,
//! `run-and-capture` and `compare`.

use std::path::{Path, PathBuf};
use tcplab_render::report::{self, ReportError, ReportFiles, ReportOptions};
use tcplab_view::{Page, ViewError, ViewOptions};
use thiserror::Error;

/// The view's file name, in the report's directory.
pub const VIEW_FILE: &str = "view.html";

#[derive(Debug, Error)]
pub enum ReportViewError {
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("the report is written, but its browser view is not: {0}")]
    View(#[from] ViewError),
}

/// What was written.
#[derive(Debug)]
pub struct Written {
    pub report: ReportFiles,
    /// `<dir>/view.html`.
    pub view: PathBuf,
    pub page: Page,
}

/// Writes the report of `capture` into `dir` as `opts` say, and beside it
/// the browser view of the reported connection, with `tcp_info` (the
/// sender's `TCP_INFO` series; `None`: the run's, found beside the
/// capture) overlaid. The report is written first: it chooses the
/// connection, and the view shows that one.
pub fn write(
    capture: &Path,
    dir: &Path,
    opts: &ReportOptions,
    tcp_info: Option<PathBuf>,
) -> Result<Written, ReportViewError> {
    let opts = ReportOptions {
        view: Some(VIEW_FILE.to_string()),
        ..opts.clone()
    };
    let report = report::write_report(capture, dir, &opts)?;
    let view = dir.join(VIEW_FILE);
    let view_opts = ViewOptions {
        stream: Some(report.stream),
        lang: opts.lang,
        tcp_info,
        analyzer: opts.analyzer.clone(),
        ..ViewOptions::default()
    };
    let page = tcplab_view::write_view(capture, &view, &view_opts)?;
    Ok(Written { report, view, page })
}
