//! `run-and-capture`: runs a lab transfer on loopback, captures it with
//! libpcap, verifies it, and analyses the capture.
//!
//! In: `RunOptions`. Out: `captures/<name>-<stamp>.pcap`, a metadata JSON
//! beside it (sizes and SHA-256 at both ends, drops, socket snapshot), the
//! segment CSV and the text analysis; `RunOutcome` lists them. The private
//! namespace itself is made by the CLI (`tcplab_net::netns`), which re-runs this
//! inside it; here we only use the `lo` we are given.

mod echo_scenario;
mod file_scenario;
mod net;
pub use net::Tuning;

mod files;
pub mod live;
pub mod payload;
pub mod stamp;

use crate::report_view;
use crate::signals::{StopSignal, StopSignals};
use files::{create_new, new_base};
use net::Net;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};
use tcplab_analysis::record::run_meta::{LinkMeta, RunMeta};
use tcplab_analysis::record::tcp_info::{self as tcpinfo, TcpInfo};
use tcplab_analysis::{self, Analyzer};
use tcplab_net::emu::LinkParams;
use tcplab_net::path::{EmulatedPath, PathEnd, PathError};
use tcplab_net::sockets::SocketEntry;
use tcplab_render::output::{csv::CsvWriter, text};
use tcplab_render::plot::{self, Collector, Graph, ImageFormat, PlotOptions, Style, View};
use tcplab_render::report::{Lang, ReportFiles, ReportOptions};
use tcplab_wire::capture::live::{LiveCapture, LiveError, LiveStats, TEARDOWN_GRACE};
use thiserror::Error;

pub use tcplab_lab::file_copy::Mode;

/// Longest a run may take before it is abandoned.
pub const MAX_RUN: Duration = Duration::from_secs(120);

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// The file copy of final exercise 2 (one connection)
    File,
    /// Two clients talk to the multiplexed echo server at once (exercises 4 and 5)
    Echo,
}

#[derive(Clone, Debug)]
pub struct RunOptions {
    pub file: Option<PathBuf>,
    /// Size of the generated payload when there is no file.
    pub payload_size: u64,
    pub mode: Mode,
    pub scenario: Scenario,
    pub out_dir: PathBuf,
    /// Where the lab report goes: `<report_dir>/<name>-<stamp>/`.
    pub report_dir: PathBuf,
    pub lang: Lang,
    /// Describes the loopback path for the metadata and the output, e.g. the namespace.
    pub path_label: String,
    pub command_line: Vec<String>,
    /// Run across tcplab's emulated link (two namespaces) instead of loopback.
    pub link: Option<LinkParams>,
    /// Where the emulated path is captured.
    pub capture_at: PathEnd,
    pub tuning: Tuning,
    /// `--live`: what the run hands the live view as it goes on.
    pub live: Option<Arc<live::LiveFeed>>,
}

#[derive(Debug, Error)]
pub enum RunError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {what}, not a regular file: give the file to copy", path.display())]
    NotAFile { path: PathBuf, what: &'static str },
    #[error(transparent)]
    Capture(#[from] LiveError),
    #[error("{0}")]
    Lab(String),
    #[error("the capture could not be analysed: {0}")]
    Analyze(#[from] tcplab_analysis::AnalysisError),
    #[error("emulated path: {0}")]
    Path(#[from] PathError),
    #[error("interrupted ({})", .0.name())]
    Interrupted(StopSignal),
    #[error("the link emulator stopped unexpectedly")]
    EmulatorDied,
    #[error("the run did not end within {0} s, so it was stopped (is the path too slow or too lossy for this payload?)")]
    TooLong(u64),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> RunError + '_ {
    move |source| RunError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[derive(Debug)]
pub struct RunOutcome {
    pub pcap: PathBuf,
    /// The sender's `TCP_INFO` series, when it was sampled.
    pub tcp_info: Option<PathBuf>,
    /// The emulated link's drop log, when the run crossed one.
    pub drops: Option<PathBuf>,
    pub meta_path: PathBuf,
    pub csv: PathBuf,
    pub analysis_text: PathBuf,
    /// The graphs of every connection (SVG and PNG).
    pub graphs: Vec<PathBuf>,
    /// The lab report (Markdown, HTML and its files).
    pub lab_report: ReportFiles,
    /// The browser view of the report's connection, beside the report.
    pub view: PathBuf,
    pub meta: RunMeta,
    /// The text analysis, also printed by the CLI.
    pub report: String,
    /// The capture's connections: they number the clients of the socket
    /// snapshot (`tcplab_analysis::record::sockets`).
    pub connections: Vec<tcplab_analysis::ConnectionSummary>,
}

/// What a scenario reports back to the runner.
pub(crate) struct ScenarioResult {
    pub meta: RunMeta,
    pub connections: usize,
    /// `TCP_INFO` of the sender's socket, every millisecond of the transfer.
    pub tcp_info: Vec<TcpInfo>,
}

/// Shared by the scenarios: the socket snapshot taken while connections are up.
pub(crate) type Snapshot = Arc<Mutex<Vec<SocketEntry>>>;

/// Starts the capture thread on `device` for `port`; it stops once
/// `expected` connections have ended (or on cancel/deadline).
/// Dropping it unfinished cancels the capture.
pub(crate) struct CaptureThread {
    done: mpsc::Receiver<Result<LiveStats, LiveError>>,
    cancel: Arc<AtomicBool>,
}

impl Drop for CaptureThread {
    fn drop(&mut self) {
        self.cancel
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

impl CaptureThread {
    pub fn start(
        device: &str,
        snaplen: u32,
        pcap: &Path,
        port: u16,
        expected: usize,
        feed: Option<Arc<live::LiveFeed>>,
    ) -> Result<CaptureThread, RunError> {
        let filter = format!("tcp port {port}");
        let live = LiveCapture::start_with_snaplen(device, &filter, pcap, snaplen)?;
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel();
        let flag = cancel.clone();
        std::thread::spawn(move || {
            let mut watch = Analyzer::new();
            let deadline = Instant::now() + MAX_RUN;
            let result = live.run(
                |rec| {
                    // The file keeps microseconds: so does what the live
                    // view is told, so that it analyses what the file holds.
                    let rec = tcplab_wire::capture::Record {
                        ts: tcplab_wire::capture::Timestamp(rec.ts.0 - rec.ts.0.rem_euclid(1000)),
                        ..*rec
                    };
                    let report = watch.push_record(&rec);
                    if let (Some(feed), Some(report)) = (&feed, report) {
                        feed.push_segment(&report);
                    }
                    watch.all_finished(expected)
                },
                deadline,
                &flag,
            );
            // The receiver may be gone if the run failed; nothing to tell then.
            let _ = tx.send(result);
        });
        Ok(CaptureThread { done: rx, cancel })
    }

    /// Waits for the teardown to be captured, at most `TEARDOWN_GRACE` after the traffic ended.
    pub fn finish(self) -> Result<LiveStats, RunError> {
        match self.done.recv_timeout(TEARDOWN_GRACE) {
            Ok(r) => Ok(r?),
            Err(_) => {
                self.cancel
                    .store(true, std::sync::atomic::Ordering::Relaxed);
                match self.done.recv_timeout(Duration::from_secs(2)) {
                    Ok(r) => Ok(r?),
                    Err(_) => Err(RunError::Lab("the capture thread did not stop".into())),
                }
            }
        }
    }
}

/// Removes what killed runs left behind (once per process) and says so on
/// standard error: call before making a namespace or a received copy.
pub fn remove_stale() {
    for note in tcplab_net::stale::sweep() {
        let kind = if note.is_warning() { "warning" } else { "note" };
        eprintln!("tcplab: {kind}: {note}");
    }
}

/// Runs the scenario on this namespace's `lo`, or across an emulated path
/// when `opts.link` is set, then analyses the capture. Ctrl-C, `SIGTERM` or
/// `SIGHUP` during the transfer ends it with `RunError::Interrupted` after
/// cleaning up: the namespaces and the unfinished capture are removed.
pub fn run(opts: &RunOptions) -> Result<RunOutcome, RunError> {
    if let Some(file) = &opts.file {
        payload::check_file(file)?;
    }
    fs::create_dir_all(&opts.out_dir).map_err(io_err(&opts.out_dir))?;
    let stem = match (opts.scenario, &opts.file) {
        (Scenario::Echo, _) => "echo-two-clients".to_string(),
        (Scenario::File, Some(f)) => f
            .file_stem()
            .map_or("file".into(), |s| s.to_string_lossy().into_owned()),
        (Scenario::File, None) => "tcplab-payload".to_string(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(io_err(&opts.out_dir))?;
    // Catch Ctrl-C, TERM and HUP from here on, before the capture file and
    // the namespaces are made: the run then stops and cleans up instead of
    // dying with them in place.
    let _entered = runtime.enter();
    let mut stop = StopSignals::catch().map_err(io_err(&opts.out_dir))?;
    let (base, pcap) = new_base(&opts.out_dir, &format!("{stem}-{}", stamp::now()))?;
    if let Some(feed) = &opts.live {
        feed.begin();
    }
    let mut path = match opts.link {
        Some(params) => {
            remove_stale();
            Some(EmulatedPath::create(params)?)
        }
        None => None,
    };
    if let (Some(feed), Some(path)) = (&opts.live, &path) {
        feed.set_gauges(path.gauges());
    }
    let transfer = transfer(opts, &runtime, &mut stop, &mut path, &base, &pcap);
    if let Some(path) = path {
        for e in path.remove() {
            eprintln!("tcplab: warning: {e}");
        }
    }
    let (result, drops) = match transfer {
        // An interrupted run is not a run: its capture stops mid-transfer
        // and has no report, so it goes (as in `tcplab compare`).
        Err(e @ RunError::Interrupted(_)) => {
            let _ = fs::remove_file(&pcap);
            return Err(e);
        }
        other => other?,
    };
    if let Some(feed) = &opts.live {
        feed.end_transfer();
    }
    // The transfer is over and the namespaces are gone: a signal during the
    // analysis, graphs and report just stops the program (tokio keeps the
    // signal once it has caught it, so it must be acted on here).
    runtime.spawn(async move {
        let signal = stop.recv().await;
        eprintln!(
            "tcplab: interrupted ({}) while writing the analysis and the report",
            signal.name()
        );
        std::process::exit(i32::from(signal.exit_code()));
    });
    let mut outcome = finish(opts, base, pcap, result)?;
    outcome.drops = drops;
    Ok(outcome)
}

/// Runs the scenario (across `path` when there is one) and, on an emulated
/// path, stops the emulator and writes its drop log. The caller removes the
/// namespaces afterwards, whatever happened.
fn transfer(
    opts: &RunOptions,
    runtime: &tokio::runtime::Runtime,
    stop: &mut StopSignals,
    path: &mut Option<EmulatedPath>,
    base: &Path,
    pcap: &Path,
) -> Result<(ScenarioResult, Option<PathBuf>), RunError> {
    let died = path.as_ref().and_then(EmulatedPath::emulator_died);
    let net = match &path {
        Some(path) => Net::Emulated {
            path,
            capture_at: opts.capture_at,
        },
        None => Net::Loopback,
    };
    let described = net.describe(&opts.path_label);
    let scenario = async {
        match opts.scenario {
            Scenario::File => file_scenario::run(opts, net, pcap).await,
            Scenario::Echo => echo_scenario::run(opts, net, pcap).await,
        }
    };
    let limit = MAX_RUN + TEARDOWN_GRACE;
    // q in the live view stops the run exactly as Ctrl-C does.
    let quit = async {
        match &opts.live {
            Some(feed) => feed.quitted().await,
            None => std::future::pending::<()>().await,
        }
    };
    let outcome = runtime.block_on(async {
        let died = async {
            let dead = match died {
                Some(mut d) => d.wait_for(|dead| *dead).await.is_ok(),
                None => false,
            };
            if !dead {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            r = tokio::time::timeout(limit, scenario) => {
                r.unwrap_or(Err(RunError::TooLong(limit.as_secs())))
            }
            signal = stop.recv() => Err(RunError::Interrupted(signal)),
            _ = quit => Err(RunError::Interrupted(StopSignal::Interrupt)),
            _ = died => Err(RunError::EmulatorDied),
        }
    });
    let mut result = match outcome {
        Err(RunError::EmulatorDied) => {
            return Err(match path.as_mut().map(EmulatedPath::stop) {
                Some(Err(e)) => RunError::Path(e),
                _ => RunError::EmulatorDied,
            })
        }
        other => other?,
    };
    result.meta.path = Some(described);
    let mut drops = None;
    if let Some(path) = path.as_mut() {
        let (stats, log) = path.stop()?;
        result.meta.link = Some(LinkMeta::new(path.params(), opts.capture_at, stats));
        let file = PathBuf::from(format!("{}-drops.csv", base.display()));
        let out = create_new(&file)?;
        tcplab_analysis::record::drops::write_csv(BufWriter::new(out), &log)
            .map_err(io_err(&file))?;
        result.meta.drops_file = Some(file.display().to_string());
        drops = Some(file);
    }
    Ok((result, drops))
}

fn finish(
    opts: &RunOptions,
    base: PathBuf,
    pcap: PathBuf,
    result: ScenarioResult,
) -> Result<RunOutcome, RunError> {
    let mut meta = result.meta;
    let tcp_info = write_tcp_info(&base, &result.tcp_info)?;
    meta.tcp_info_file = tcp_info.as_ref().map(|p| p.display().to_string());
    let capture = meta.capture.unwrap_or_default();
    if capture.kernel_dropped > 0 || capture.interface_dropped > 0 {
        meta.warnings.push(format!(
            "the kernel dropped {} packets (interface {}): the capture is incomplete",
            capture.kernel_dropped, capture.interface_dropped
        ));
    }
    if !capture.complete {
        meta.warnings
            .push("the teardown of every connection was not captured in time".into());
    }
    let csv_path = base.with_extension("csv");
    let file = create_new(&csv_path)?;
    let mut csv = CsvWriter::new(BufWriter::new(file)).map_err(io_err(&csv_path))?;
    let mut write_err = None;
    let mut collector = Collector::new(0..result.connections as u32);
    let (analysis, damage) = tcplab_analysis::analyze_file(&pcap, |r| {
        collector.push(r);
        if let Err(e) = csv.write(r) {
            write_err.get_or_insert(e);
        }
    })?;
    if let Some(e) = write_err {
        return Err(RunError::Io {
            path: csv_path,
            source: e,
        });
    }
    csv.finish().map_err(io_err(&csv_path))?;
    if let Some(d) = damage {
        meta.warnings.push(d.to_string());
    }
    if analysis.connections.len() != result.connections {
        meta.warnings.push(format!(
            "the capture holds {} connection(s), {} expected",
            analysis.connections.len(),
            result.connections
        ));
    }
    let mut report = Vec::new();
    text::write(&mut report, &analysis).map_err(io_err(&pcap))?;
    let text_report = String::from_utf8_lossy(&report).into_owned();
    let text_path = base.with_extension("txt");
    create_new(&text_path)?
        .write_all(text_report.as_bytes())
        .map_err(io_err(&text_path))?;
    let kernel = (result.tcp_info.as_slice(), meta.tcp_info_socket.as_deref());
    let graphs = write_graphs(&base, collector, opts.lang, kernel, &mut meta.warnings)?;
    let meta_path = base.with_extension("json");
    let json = serde_json::to_vec_pretty(&meta).map_err(|e| RunError::Lab(e.to_string()))?;
    create_new(&meta_path)?
        .write_all(&json)
        .map_err(io_err(&meta_path))?;
    let name = base
        .file_name()
        .map_or("run".into(), |n| n.to_string_lossy().into_owned());
    let report_opts = ReportOptions {
        lang: opts.lang,
        stream: None,
        run_meta: Some(meta_path.clone()),
        ..ReportOptions::default()
    };
    let written = report_view::write(
        &pcap,
        &opts.report_dir.join(name),
        &report_opts,
        tcp_info.clone(),
    )
    .map_err(|e| RunError::Lab(format!("writing the lab report: {e}")))?;
    Ok(RunOutcome {
        pcap,
        tcp_info,
        drops: None,
        meta_path,
        csv: csv_path,
        analysis_text: text_path,
        graphs,
        lab_report: written.report,
        view: written.view,
        meta,
        report: text_report,
        connections: analysis.connections,
    })
}

/// The sender's `TCP_INFO` series as `<base>-tcpinfo.csv` (none when not sampled).
fn write_tcp_info(base: &Path, rows: &[TcpInfo]) -> Result<Option<PathBuf>, RunError> {
    if rows.is_empty() {
        return Ok(None);
    }
    let path = PathBuf::from(format!("{}-tcpinfo.csv", base.display()));
    let file = create_new(&path)?;
    tcpinfo::write_csv(BufWriter::new(file), rows).map_err(io_err(&path))?;
    Ok(Some(path))
}

/// Every graph of every captured connection, as SVG and PNG, in
/// `<base>-graphs/streamN-<graph>.<ext>`, in the run's language.
/// The sender's `TCP_INFO` samples are drawn over the window and RTT graphs
/// of the connection of `socket`.
fn write_graphs(
    base: &Path,
    collector: Collector,
    lang: Lang,
    kernel: (&[TcpInfo], Option<&str>),
    warnings: &mut Vec<String>,
) -> Result<Vec<PathBuf>, RunError> {
    let dir = PathBuf::from(format!("{}-graphs", base.display()));
    // New, like every file of the run (a link planted here is not followed).
    fs::create_dir(&dir).map_err(io_err(&dir))?;
    let style = Style::default();
    let options = PlotOptions {
        lang,
        ..PlotOptions::default()
    };
    let mut written = Vec::new();
    for series in collector.finish() {
        let samples = plot::KernelSeries::for_connection(&series, kernel.0, kernel.1);
        let view = View::new(&series, &options).with_kernel(samples.as_ref());
        for graph in Graph::ALL {
            for format in [ImageFormat::Svg, ImageFormat::Png] {
                let path = dir.join(format!(
                    "stream{}-{graph}.{}",
                    series.stream,
                    format.extension()
                ));
                match plot::render_to_file(graph, &view, &style, &path) {
                    Ok(_) => written.push(path),
                    Err(e) => {
                        warnings.push(format!("{graph} graph of stream {}: {e}", series.stream))
                    }
                }
            }
        }
    }
    Ok(written)
}
