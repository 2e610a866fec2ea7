//! `tcplab compare`: the same transfer once per congestion control
//! algorithm over the same emulated path, then one report that sets the
//! runs side by side.
//!
//! In: `CompareOptions` (the algorithms and a `RunOptions` template with
//! the link, the payload and the language). Each algorithm's run is an
//! ordinary `run_and_capture::run` with `tuning.cc` set, into its own directory
//! (`<out_dir>/compare-<stamp>/<alg>/`, its lab report in
//! `<report_dir>/compare-<stamp>/<alg>/`). Out: in
//! `<report_dir>/compare-<stamp>/`, `compare.md`, a self-contained
//! `compare.html`, `compare.json` (the table's numbers, docs/compare.md)
//! and the overlays as SVG and PNG. Numbers about the capture come from
//! the analysis (`tcplab_analysis::analyze_file`), the kernel's from each run's
//! `TCP_INFO` CSV. Not done here: privileges, arguments and printing
//! (`cli::compare`).

mod captions;
mod compose;
pub mod curves;
mod figures;
pub mod links;
pub mod measure;
pub mod strings;
pub mod table;

pub use measure::Row;
pub use strings::{CompareStrings, Lang};

use crate::run_and_capture::{self, stamp, RunError, RunOptions, RunOutcome};
use crate::signals::StopSignal;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tcplab_analysis::flow::Direction;
use tcplab_analysis::record::tcp_info::{self as tcpinfo, TcpInfo};
use tcplab_analysis::AnalysisError;
use tcplab_render::plot::{self, Collector, ConnectionSeries, PlotError};
use tcplab_render::report::doc;
use thiserror::Error;

pub type Result<T> = std::result::Result<T, CompareError>;

/// Algorithms per comparison: at least two, and no more than the overlays
/// have colours for.
pub const MIN_ALGORITHMS: usize = 2;
pub const MAX_ALGORITHMS: usize = plot::overlay::MAX_RUNS;

#[derive(Debug, Error)]
pub enum CompareError {
    #[error("compare needs {MIN_ALGORITHMS} to {MAX_ALGORITHMS} different algorithms, got {}", .0.join(","))]
    Algorithms(Vec<String>),
    #[error("compare runs across the emulated link: give it a link (LinkParams)")]
    NoLink,
    #[error("the {algorithm} run: {source}")]
    Run { algorithm: String, source: RunError },
    /// Ctrl-C, `SIGTERM` or `SIGHUP`: the runs that had finished (their
    /// reports and captures kept in `dir` and `captures`; the interrupted
    /// one's removed).
    #[error("interrupted ({})", signal.name())]
    Interrupted {
        signal: StopSignal,
        finished: Vec<String>,
        dir: PathBuf,
        captures: PathBuf,
    },
    #[error("the {algorithm} run: {source}")]
    Capture {
        algorithm: String,
        source: AnalysisError,
    },
    #[error("the {algorithm} run: {file}: no TCP connection in the capture")]
    NoConnection { algorithm: String, file: String },
    #[error("{}: {error}", path.display())]
    TcpInfo { path: PathBuf, error: String },
    #[error(transparent)]
    Plot(#[from] PlotError),
    #[error("{}: cannot write: {error}", path.display())]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> CompareError + '_ {
    move |error| CompareError::Write {
        path: path.to_path_buf(),
        error,
    }
}

#[derive(Clone, Debug)]
pub struct CompareOptions {
    /// Congestion control algorithms, in the order they run and are shown.
    pub algorithms: Vec<String>,
    /// The transfer, the path and the language. `tuning.cc`, `out_dir` and
    /// `report_dir` are set per run; `link` must be set.
    pub run: RunOptions,
    /// The link options tcplab chose because none was given, to say so.
    pub default_path: Option<String>,
}

/// One run's files, as `run_and_capture` wrote them.
#[derive(Clone, Debug, Serialize)]
pub struct RunFiles {
    pub capture: PathBuf,
    pub tcp_info: Option<PathBuf>,
    pub drops: Option<PathBuf>,
    pub metadata: PathBuf,
    /// The run's lab report (HTML).
    pub lab_report: PathBuf,
    /// The run's browser view (`view.html`, beside its lab report).
    pub view: PathBuf,
}

/// One run, measured: its row, the curves' sources and its files.
pub struct Measured {
    pub row: Row,
    pub series: ConnectionSeries,
    /// The data direction of `series`.
    pub dir: Direction,
    pub tcp_info: Vec<TcpInfo>,
    /// The size of the file copied (the connection carries a header more).
    pub file_bytes: Option<u64>,
    pub files: RunFiles,
}

/// What the caller hears while the runs go on.
pub enum Progress<'a> {
    Starting {
        index: usize,
        count: usize,
        algorithm: &'a str,
    },
    Finished {
        algorithm: &'a str,
        seconds: f64,
        warnings: &'a [String],
    },
    /// A failed run's half-written directory could not be removed.
    NotRemoved {
        path: &'a Path,
        error: &'a std::io::Error,
    },
}

#[derive(Debug)]
pub struct CompareOutcome {
    pub dir: PathBuf,
    pub markdown: PathBuf,
    pub html: PathBuf,
    pub json: PathBuf,
    /// The overlays, SVG and PNG.
    pub graphs: Vec<PathBuf>,
    pub rows: Vec<Row>,
    /// Where each run's captures went (`<out_dir>/compare-<stamp>`).
    pub captures: PathBuf,
    /// Each run's warnings, prefixed with its algorithm.
    pub warnings: Vec<String>,
    /// Every run's file was copied intact.
    pub all_identical: bool,
}

/// A run that failed or was interrupted leaves no half-written report or
/// capture: its directories go, and so do the comparison's own when no run
/// had finished (they were made for this comparison, nothing else is in them).
fn discard_partial(
    dir: &Path,
    captures: &Path,
    algorithm: &str,
    nothing_finished: bool,
    progress: &mut impl FnMut(Progress<'_>),
) {
    let doomed = if nothing_finished {
        [dir.to_path_buf(), captures.to_path_buf()]
    } else {
        [dir.join(algorithm), captures.join(algorithm)]
    };
    for d in doomed {
        match std::fs::remove_dir_all(&d) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                progress(Progress::NotRemoved {
                    path: &d,
                    error: &error,
                })
            }
            _ => {}
        }
    }
}

/// Runs every algorithm, then writes the comparison.
pub fn run(
    opts: &CompareOptions,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<CompareOutcome> {
    let n = opts.algorithms.len();
    let distinct: std::collections::BTreeSet<&String> = opts.algorithms.iter().collect();
    if !(MIN_ALGORITHMS..=MAX_ALGORITHMS).contains(&n) || distinct.len() != n {
        return Err(CompareError::Algorithms(opts.algorithms.clone()));
    }
    let link = opts.run.link.ok_or(CompareError::NoLink)?;
    let (dir, name) = unique_dir(&opts.run.report_dir, &format!("compare-{}", stamp::now()))?;
    let captures = opts.run.out_dir.join(&name);
    let (mut runs, mut warnings, mut all_identical) = (Vec::<Measured>::new(), Vec::new(), true);
    for (index, algorithm) in opts.algorithms.iter().enumerate() {
        progress(Progress::Starting {
            index,
            count: n,
            algorithm,
        });
        let started = Instant::now();
        let mut run_opts = opts.run.clone();
        run_opts.tuning.cc = Some(algorithm.clone());
        run_opts.out_dir = captures.join(algorithm);
        run_opts.report_dir = dir.join(algorithm);
        let outcome = match run_and_capture::run(&run_opts) {
            Ok(outcome) => outcome,
            Err(source) => {
                let finished: Vec<String> = runs.iter().map(|r| r.row.algorithm.clone()).collect();
                discard_partial(
                    &dir,
                    &captures,
                    algorithm,
                    finished.is_empty(),
                    &mut progress,
                );
                return Err(match source {
                    RunError::Interrupted(signal) => CompareError::Interrupted {
                        signal,
                        finished,
                        dir,
                        captures,
                    },
                    source => CompareError::Run {
                        algorithm: algorithm.clone(),
                        source,
                    },
                });
            }
        };
        all_identical &= outcome.meta.identical != Some(false);
        progress(Progress::Finished {
            algorithm,
            seconds: started.elapsed().as_secs_f64(),
            warnings: &outcome.meta.warnings,
        });
        warnings.extend(
            outcome
                .meta
                .warnings
                .iter()
                .map(|w| format!("{algorithm}: {w}")),
        );
        runs.push(measure_run(algorithm, &outcome)?);
    }
    let s = CompareStrings::of(opts.run.lang);
    let subtitle = fill_subtitle(&runs, &link, s.lang);
    let (figures, graphs) = figures::render_all(&runs, &subtitle, link.rate_bps, s, &dir)?;
    let file_name = opts
        .run
        .file
        .as_ref()
        .and_then(|f| f.file_name())
        .map(|n| n.to_string_lossy().into_owned());
    let context = compose::Context {
        runs: &runs,
        link: &link,
        capture_at: opts.run.capture_at,
        default_path: opts.default_path.as_deref(),
        file_name: file_name.as_deref(),
        warnings: &warnings,
        dir: &dir,
    };
    let blocks = compose::blocks(&context, s, figures);
    let markdown = dir.join("compare.md");
    std::fs::write(&markdown, doc::markdown(&blocks)).map_err(write_err(&markdown))?;
    let html = dir.join("compare.html");
    std::fs::write(&html, doc::html(&blocks, s.lang.code())).map_err(write_err(&html))?;
    let json = dir.join("compare.json");
    write_json(&json, opts, &context)?;
    Ok(CompareOutcome {
        dir,
        markdown,
        html,
        json,
        graphs,
        rows: runs.into_iter().map(|m| m.row).collect(),
        captures,
        warnings,
        all_identical,
    })
}

/// `<parent>/<name>`, created now; `<name>-2`, `-3` … when a comparison
/// started in the same second already took it.
fn unique_dir(parent: &Path, name: &str) -> Result<(PathBuf, String)> {
    std::fs::create_dir_all(parent).map_err(write_err(parent))?;
    for n in 1.. {
        let candidate = if n == 1 {
            name.to_string()
        } else {
            format!("{name}-{n}")
        };
        let dir = parent.join(&candidate);
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok((dir, candidate)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(write_err(&dir)(e)),
        }
    }
    unreachable!("the range 1.. does not end")
}

fn fill_subtitle(runs: &[Measured], link: &tcplab_net::emu::LinkParams, lang: Lang) -> String {
    let bytes = runs
        .first()
        .map_or(0, |m| m.file_bytes.unwrap_or(m.row.bytes));
    strings::fill(
        plot::PlotStrings::of(lang).overlay_subtitle,
        &[&lang.thousands(bytes), link],
    )
}

/// Analyses the run's capture and reads its `TCP_INFO` series.
fn measure_run(algorithm: &str, outcome: &RunOutcome) -> Result<Measured> {
    let capture_err = |source| CompareError::Capture {
        algorithm: algorithm.to_string(),
        source,
    };
    let mut collector = Collector::new([0]);
    let (analysis, _) =
        tcplab_analysis::analyze_file(&outcome.pcap, |r| collector.push(r)).map_err(capture_err)?;
    let no_connection = || CompareError::NoConnection {
        algorithm: algorithm.to_string(),
        file: outcome.pcap.display().to_string(),
    };
    // The file copy makes one connection: stream 0.
    let conn = analysis.connections.first().ok_or_else(no_connection)?;
    let series = collector.finish().pop().ok_or_else(no_connection)?;
    let tcp_info = match &outcome.tcp_info {
        Some(path) => read_tcp_info(path)?,
        None => Vec::new(),
    };
    let cc = outcome.meta.congestion_control.clone();
    let link = outcome.meta.link.as_ref();
    let row = Row::new(algorithm, cc, conn, &series, &tcp_info, link);
    Ok(Measured {
        dir: measure::data_direction(conn),
        row,
        series,
        tcp_info,
        file_bytes: outcome.meta.sent.as_ref().map(|s| s.bytes),
        files: RunFiles {
            capture: outcome.pcap.clone(),
            tcp_info: outcome.tcp_info.clone(),
            drops: outcome.drops.clone(),
            metadata: outcome.meta_path.clone(),
            lab_report: outcome.lab_report.html.clone(),
            view: outcome.view.clone(),
        },
    })
}

fn read_tcp_info(path: &Path) -> Result<Vec<TcpInfo>> {
    let text = std::fs::read_to_string(path).map_err(|e| CompareError::TcpInfo {
        path: path.to_path_buf(),
        error: e.to_string(),
    })?;
    tcpinfo::read_csv(&text).map_err(|error| CompareError::TcpInfo {
        path: path.to_path_buf(),
        error,
    })
}

/// `compare.json`: the table's numbers and each run's files, relative to
/// the report's directory (docs/compare.md).
#[derive(Serialize)]
struct CompareJson<'a> {
    tcplab_version: &'static str,
    command_line: &'a [String],
    algorithms: &'a [String],
    path: String,
    link: &'a tcplab_net::emu::LinkParams,
    default_path: Option<&'a str>,
    capture_at: tcplab_net::path::PathEnd,
    file_name: Option<&'a str>,
    runs: Vec<CompareJsonRun<'a>>,
    warnings: &'a [String],
}

#[derive(Serialize)]
struct CompareJsonRun<'a> {
    #[serde(flatten)]
    row: &'a Row,
    files: RunFiles,
}

fn write_json(path: &Path, opts: &CompareOptions, c: &compose::Context<'_>) -> Result<()> {
    let rel = |p: &Path| links::relative(c.dir, p);
    let runs = c
        .runs
        .iter()
        .map(|m| CompareJsonRun {
            row: &m.row,
            files: RunFiles {
                capture: rel(&m.files.capture),
                tcp_info: m.files.tcp_info.as_deref().map(rel),
                drops: m.files.drops.as_deref().map(rel),
                metadata: rel(&m.files.metadata),
                lab_report: rel(&m.files.lab_report),
                view: rel(&m.files.view),
            },
        })
        .collect();
    let summary = CompareJson {
        tcplab_version: env!("CARGO_PKG_VERSION"),
        command_line: &opts.run.command_line,
        algorithms: &opts.algorithms,
        path: c.link.to_string(),
        link: c.link,
        default_path: c.default_path,
        capture_at: c.capture_at,
        file_name: c.file_name,
        runs,
        warnings: c.warnings,
    };
    let mut json = serde_json::to_vec_pretty(&summary).map_err(|e| CompareError::Write {
        path: path.to_path_buf(),
        error: e.into(),
    })?;
    json.push(b'\n');
    std::fs::write(path, json).map_err(write_err(path))
}
