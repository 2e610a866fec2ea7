//! The lab report: `report.md` and a self-contained `report.html` about one
//! connection of a capture, with the graphs (SVG and PNG), the per-segment
//! CSV and the JSON summary beside them.
//!
//! In: a capture file, `ReportOptions` (language, stream, run metadata).
//! Out: the files listed in `ReportFiles`, all in one directory. The
//! capture is read in one streaming pass (two when the busiest connection
//! is not stream 0): `evidence::Evidence` keeps counts and the first frames
//! of each event, never every segment; only the plotted connection's
//! compact points are kept, by `plot::Collector`. Every sentence comes from
//! `strings` (English and Spanish), numbers with the language's decimal
//! separator (`units`); the graphs are drawn in the same language. Not done
//! here: argument parsing and printing (`cli::report`).
//!
//! ```no_run
//! use tcplab_render::report::{self, ReportOptions, Lang};
//! let opts = ReportOptions { lang: Lang::Es, ..ReportOptions::default() };
//! let files = report::write_report("captures/x.pcap".as_ref(), "reports/x".as_ref(), &opts)?;
//! println!("{}", files.html.display());
//! # Ok::<(), report::ReportError>(())
//! ```

mod answers;
pub mod capture_point;
mod checks;
mod compose;
pub mod doc;
pub mod evidence;
mod figures;
mod kernel;
mod path;
mod quality;
mod slow_start;
mod slow_start_answer;
mod sockets;

pub mod strings;
mod strings_path;
mod strings_sockets;
pub mod units;

pub use strings::Lang;

use crate::output::{csv::CsvWriter, json::JsonWriter};
use crate::plot::{self, Collector, ConnectionSeries, KernelSeries, PlotError};
use crate::staging::Staging;
use evidence::Evidence;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use tcplab_analysis::record::drops::DroppedPacket;
use tcplab_analysis::record::run_meta;
use tcplab_analysis::record::tcp_info::{self as tcpinfo, TcpInfo};
use tcplab_analysis::AnalysisError;
use tcplab_analysis::{AnalyzerOptions, CaptureStats, ConnectionSummary, SegmentReport};
use thiserror::Error;

pub type Result<T> = std::result::Result<T, ReportError>;

#[derive(Debug, Error)]
pub enum ReportError {
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    #[error(transparent)]
    Plot(#[from] PlotError),
    #[error("{file}: no TCP connection in the capture, nothing to report")]
    NoConnection { file: String },
    #[error("{file}: there is no stream {stream}; the capture has {}, numbered from 0", strings::EN.n_connections.of(*count as u64))]
    UnknownStream {
        file: String,
        stream: u32,
        count: usize,
    },
    #[error("{}: cannot write: {error}", path.display())]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{}: cannot read the run metadata: {error}", path.display())]
    Meta { path: PathBuf, error: String },
}

/// What to report and how.
#[derive(Clone, Debug, Default)]
pub struct ReportOptions {
    pub lang: Lang,
    /// The connection (Wireshark's tcp.stream); the busiest when `None`.
    pub stream: Option<u32>,
    /// The run's metadata JSON; when `None`, `CAPTURE.json` is used if it exists.
    pub run_meta: Option<PathBuf>,
    /// How the capture is read (`--tunnels`, `--decode-as`), as `analyze` reads it.
    pub analyzer: AnalyzerOptions,
    /// The browser view of the connection, a file in the report's
    /// directory that the caller writes (`view.html`, relative): the
    /// report links to it under its graphs. Only a relative path to a
    /// file of the report is linked (`doc::local_href`); with anything
    /// else, or `None`, the paragraph is left out.
    pub view: Option<String>,
}

/// The files written, and what the caller should tell the user.
#[derive(Clone, Debug)]
pub struct ReportFiles {
    pub dir: PathBuf,
    pub markdown: PathBuf,
    pub html: PathBuf,
    pub segments_csv: PathBuf,
    pub summary_json: PathBuf,
    /// The data sender's flight per round trip (the slow-start table, every row).
    pub rounds_csv: PathBuf,
    /// SVG and PNG of every graph, and of the socket diagram when the
    /// run's metadata has a socket snapshot.
    pub graphs: Vec<PathBuf>,
    pub stream: u32,
    pub connections: usize,
    /// The capture is damaged part-way: what happened (the report covers
    /// what came before).
    pub damage: Option<String>,
}

impl ReportFiles {
    pub fn all(&self) -> Vec<&Path> {
        let mut v = vec![
            self.markdown.as_path(),
            self.html.as_path(),
            self.segments_csv.as_path(),
            self.summary_json.as_path(),
            self.rounds_csv.as_path(),
        ];
        v.extend(self.graphs.iter().map(PathBuf::as_path));
        v
    }
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |error| ReportError::Write {
        path: path.to_path_buf(),
        error,
    }
}

/// Everything `compose` needs about the reported connection.
pub(crate) struct Input<'a> {
    pub file_name: String,
    pub capture: &'a CaptureStats,
    pub connections: &'a [ConnectionSummary],
    pub conn: &'a ConnectionSummary,
    pub evidence: &'a Evidence,
    pub series: &'a ConnectionSeries,
    pub meta: Option<&'a run_meta::RunMeta>,
    /// The sender's `TCP_INFO` samples on the connection's clock, when the
    /// run sampled this connection.
    pub kernel: Option<&'a KernelSeries>,
    pub tcp_info: &'a [TcpInfo],
    pub path: &'a path::PathEvidence,
    /// The browser view's file, relative (`ReportOptions::view`).
    pub view: Option<&'a str>,
}

/// Writes the report of `capture` into `out_dir` (created if needed), all
/// or nothing: the files are written beside it and moved in only when the
/// whole report is written (`crate::staging`), so a capture that turns out
/// unusable half-way leaves no partial report.
pub fn write_report(capture: &Path, out_dir: &Path, opts: &ReportOptions) -> Result<ReportFiles> {
    // Fail on an unreadable capture or metadata before creating anything.
    drop(tcplab_wire::capture::open(capture).map_err(AnalysisError::from)?);
    let meta = read_meta(capture, opts)?;
    let companions = companions(capture, meta.as_ref())?;
    let staging = Staging::new(out_dir).map_err(write_err(out_dir))?;
    let staged = write_into(capture, staging.dir(), opts, meta, companions)?;
    let files = ReportFiles {
        dir: out_dir.to_path_buf(),
        markdown: staging.final_path(&staged.markdown),
        html: staging.final_path(&staged.html),
        segments_csv: staging.final_path(&staged.segments_csv),
        summary_json: staging.final_path(&staged.summary_json),
        rounds_csv: staging.final_path(&staged.rounds_csv),
        graphs: staged
            .graphs
            .iter()
            .map(|g| staging.final_path(g))
            .collect(),
        ..staged
    };
    staging.commit().map_err(write_err(out_dir))?;
    Ok(files)
}

fn write_into(
    capture: &Path,
    out_dir: &Path,
    opts: &ReportOptions,
    meta: Option<run_meta::RunMeta>,
    (tcp_info, drops): (Vec<TcpInfo>, Vec<DroppedPacket>),
) -> Result<ReportFiles> {
    let segments_csv = out_dir.join("segments.csv");
    let guess = opts.stream.unwrap_or(0);
    let (mut evidence, mut collector) = (Evidence::new(guess), Collector::new([guess]));
    let mut path_evidence = path::PathEvidence::new(guess, &drops);
    let file = File::create(&segments_csv).map_err(write_err(&segments_csv))?;
    let mut csv = CsvWriter::new(BufWriter::new(file)).map_err(write_err(&segments_csv))?;
    let mut csv_err = None;
    let sink = |r: &SegmentReport| {
        evidence.push(r);
        collector.push(r);
        path_evidence.push(r);
        if csv_err.is_none() {
            csv_err = csv.write(r).err();
        }
    };
    let (finished, damage) =
        tcplab_analysis::analyze_file_streaming_with(capture, opts.analyzer.clone(), sink)?;
    if let Some(e) = csv_err {
        return Err(write_err(&segments_csv)(e));
    }
    csv.finish().map_err(write_err(&segments_csv))?;
    let file = capture.display().to_string();
    let connections: Vec<ConnectionSummary> = finished.summaries().collect();
    let summary_json = out_dir.join("summary.json");
    write_summary(&summary_json, &finished.capture, &connections)?;
    let stream = match opts.stream {
        Some(n) if finished.has_stream(n) => n,
        Some(stream) => {
            return Err(ReportError::UnknownStream {
                file,
                stream,
                count: connections.len(),
            })
        }
        None => plot::busiest(&connections).ok_or(ReportError::NoConnection { file })?,
    };
    if stream != guess {
        (evidence, collector) = (Evidence::new(stream), Collector::new([stream]));
        path_evidence = path::PathEvidence::new(stream, &drops);
        tcplab_analysis::analyze_file_with(capture, opts.analyzer.clone(), |r| {
            evidence.push(r);
            collector.push(r);
            path_evidence.push(r);
        })?;
    }
    let series = collector
        .finish()
        .pop()
        .ok_or_else(|| PlotError::EmptyStream {
            file: capture.display().to_string(),
            stream,
        })?;
    let conn = connections
        .iter()
        .find(|c| c.stream == stream)
        .ok_or_else(|| ReportError::UnknownStream {
            file: capture.display().to_string(),
            stream,
            count: connections.len(),
        })?;
    let socket = meta.as_ref().and_then(|m| m.tcp_info_socket.as_deref());
    let kernel = KernelSeries::for_connection(&series, &tcp_info, socket);
    let input = Input {
        file_name: capture
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        capture: &finished.capture,
        connections: &connections,
        conn,
        evidence: &evidence,
        series: &series,
        meta: meta.as_ref(),
        kernel: kernel.as_ref(),
        tcp_info: &tcp_info,
        path: &path_evidence,
        view: opts.view.as_deref(),
    };
    let rounds_csv = out_dir.join("rounds.csv");
    let data = compose::Roles::of(&input).data;
    write_rounds(&rounds_csv, &evidence.side(data).rounds)?;
    let s = strings::Strings::of(opts.lang);
    let (socket_blocks, mut graphs) = sockets::section(&input, s, out_dir)?;
    let (figures, graph_files) = figures::render_all(&input, s, out_dir)?;
    graphs.extend(graph_files);
    let blocks = compose::blocks(&input, s, socket_blocks, figures);
    let markdown = out_dir.join("report.md");
    std::fs::write(&markdown, doc::markdown(&blocks)).map_err(write_err(&markdown))?;
    let html = out_dir.join("report.html");
    std::fs::write(&html, doc::html(&blocks, opts.lang.code())).map_err(write_err(&html))?;
    Ok(ReportFiles {
        dir: out_dir.to_path_buf(),
        markdown,
        html,
        segments_csv,
        summary_json,
        rounds_csv,
        graphs,
        stream,
        connections: connections.len(),
        damage: damage.map(|d| d.to_string()),
    })
}

fn read_meta(capture: &Path, opts: &ReportOptions) -> Result<Option<run_meta::RunMeta>> {
    let Some(path) = opts.run_meta.clone().or_else(|| run_meta::beside(capture)) else {
        return Ok(None);
    };
    run_meta::read(&path)
        .map(Some)
        .map_err(|error| ReportError::Meta { path, error })
}

/// The run's `TCP_INFO` series and drop log, when its metadata names them.
fn companions(
    capture: &Path,
    meta: Option<&run_meta::RunMeta>,
) -> Result<(Vec<TcpInfo>, Vec<DroppedPacket>)> {
    let Some(meta) = meta else {
        return Ok((Vec::new(), Vec::new()));
    };
    let read = |named: Option<&str>| -> Result<Option<(PathBuf, String)>> {
        match run_meta::companion(capture, named) {
            None => Ok(None),
            Some(path) => match std::fs::read_to_string(&path) {
                Ok(text) => Ok(Some((path, text))),
                Err(e) => Err(ReportError::Meta {
                    path,
                    error: e.to_string(),
                }),
            },
        }
    };
    let named = run_meta::tcp_info_of(capture, Some(meta)).map(|p| p.display().to_string());
    let tcp_info = match read(named.as_deref())? {
        Some((path, text)) => {
            tcpinfo::read_csv(&text).map_err(|error| ReportError::Meta { path, error })?
        }
        None => Vec::new(),
    };
    let drops = match read(meta.drops_file.as_deref())? {
        Some((path, text)) => tcplab_analysis::record::drops::read_csv(&text)
            .map_err(|error| ReportError::Meta { path, error })?,
        None => Vec::new(),
    };
    Ok((tcp_info, drops))
}

/// `rounds.csv`: one row per round trip of the data sender, as the
/// slow-start table shows them (docs/report.md), seconds with a decimal point.
fn write_rounds(path: &Path, rounds: &[evidence::Round]) -> Result<()> {
    let mut text = String::from("round,time_s,first_frame,segments,bytes_in_flight,loss\n");
    for (i, r) in rounds.iter().enumerate() {
        text.push_str(&format!(
            "{},{:.6},{},{},{},{}\n",
            i + 1,
            r.t,
            r.first_frame,
            r.segments,
            r.max_in_flight,
            u8::from(r.loss)
        ));
    }
    std::fs::write(path, text).map_err(write_err(path))
}

fn write_summary(path: &Path, stats: &CaptureStats, conns: &[ConnectionSummary]) -> Result<()> {
    let file = File::create(path).map_err(write_err(path))?;
    let mut w = JsonWriter::new(BufWriter::new(file)).map_err(write_err(path))?;
    w.capture(stats, conns.iter().cloned())
        .map_err(write_err(path))?;
    w.finish()
        .and_then(|mut out| out.flush())
        .map_err(write_err(path))
}
