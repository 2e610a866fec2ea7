//! `tcplab plot CAPTURE --graph G -o OUT.svg|OUT.png [--lang es|en]`, or
//! `--all -o DIR/`: reads the capture, picks the connection and direction,
//! draws.

use super::decode_args::DecodeArgs;
use super::EXIT_PARTIAL;
use crate::cli::values::LangArg;
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tcplab_analysis::flow::Direction;
use tcplab_analysis::record::run_meta;
use tcplab_analysis::record::tcp_info as tcpinfo;
use tcplab_render::plot::{
    self, Bound, Graph, ImageFormat, KernelSeries, PlotOptions, Style, View, Zoom,
};
use tcplab_render::staging::Staging;
use tcplab_wire::duration::{self, Bare};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DirectionArg {
    /// From the endpoint that sent the connection's first captured packet
    #[value(name = "a-b")]
    AtoB,
    /// Towards that endpoint
    #[value(name = "b-a")]
    BtoA,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Svg,
    Png,
}

#[derive(Args, Debug)]
pub struct PlotArgs {
    /// Capture file (.pcap or .pcapng, also compressed with gzip or zstd), or - for standard input (copied to a temporary file first)
    pub capture: PathBuf,
    /// The graph to draw: stevens, tcptrace, throughput, rtt, window or ladder
    #[arg(long, short, value_parser = parse_graph, required_unless_present = "all", conflicts_with = "all")]
    pub graph: Option<Graph>,
    /// Draw every graph of the connection into the directory given with -o
    #[arg(long)]
    pub all: bool,
    /// Output file (.svg or .png: the extension picks the format), or a directory with --all
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    /// Image format of the files written with --all [default: svg]
    #[arg(long, value_enum, requires = "all")]
    pub format: Option<FormatArg>,
    /// The connection (Wireshark's tcp.stream); default: the one carrying the most data
    #[arg(long, value_name = "N")]
    pub stream: Option<u32>,
    /// Direction of the data to draw; default: the one carrying the most data
    #[arg(long, value_enum)]
    pub direction: Option<DirectionArg>,
    /// Sequence numbers relative to the ISN instead of absolute
    #[arg(long)]
    pub relative: bool,
    /// Throughput interval, e.g. 10ms, 0.5s, 250us; default: from the connection's length
    #[arg(long, value_name = "DURATION", value_parser = parse_interval)]
    pub interval: Option<f64>,
    /// Language of the titles, axes, legends and captions [default: from LANG, else en]
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Draw only from this time on: seconds since the connection's first packet (1.5, 300ms)
    /// or a frame number (#120)
    #[arg(long, value_name = "TIME|#FRAME", value_parser = Bound::parse)]
    pub from: Option<Bound>,
    /// Draw only up to this time (same spelling as --from)
    #[arg(long, value_name = "TIME|#FRAME", value_parser = Bound::parse)]
    pub to: Option<Bound>,
    /// Draw long idle gaps to scale instead of as a marked break of the time axis
    #[arg(long)]
    pub no_gap_break: bool,
    /// The sender's TCP_INFO series (CSV from run-and-capture) to draw over the window and
    /// RTT graphs [default: CAPTURE's `<name>-tcpinfo.csv` beside it, when there is one]
    #[arg(long, value_name = "CSV")]
    pub tcp_info: Option<PathBuf>,
    #[command(flatten)]
    pub decode: DecodeArgs,
}

/// The kernel's samples of the plotted connection: from `--tcp-info`, or
/// from the run's files beside the capture (`x-tcpinfo.csv`, and `x.json`
/// naming the sampled socket).
fn kernel_series(args: &PlotArgs, series: &plot::ConnectionSeries) -> Result<Option<KernelSeries>> {
    let meta = run_meta::beside(&args.capture).and_then(|m| run_meta::read(&m).ok());
    let found = args
        .tcp_info
        .clone()
        .or_else(|| run_meta::tcp_info_of(&args.capture, meta.as_ref()));
    let Some(path) = found else {
        return Ok(None);
    };
    let text =
        std::fs::read_to_string(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let rows = tcpinfo::read_csv(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let socket = meta.and_then(|m| m.tcp_info_socket);
    Ok(KernelSeries::for_connection(
        series,
        &rows,
        socket.as_deref(),
    ))
}

fn parse_graph(s: &str) -> Result<Graph, String> {
    s.parse()
}

/// `10ms`, `0.5s`, `250us` or a number of seconds, longer than zero.
fn parse_interval(s: &str) -> Result<f64, String> {
    match duration::parse_secs(s, Bare::Seconds) {
        Ok(secs) if secs > 0.0 => Ok(secs),
        Ok(_) => Err(format!("{s:?}: the interval must be longer than zero")),
        Err(e) => Err(super::not_a_duration(s, &e)),
    }
}

pub fn run(mut args: PlotArgs) -> Result<ExitCode> {
    let capture = super::one_capture::OneCapture::new(&args.capture, "plot")?;
    args.capture = capture.path().to_path_buf();
    let got = plot::collect_file_with(&args.capture, args.stream, &args.decode.options())?;
    let mut exit = 0;
    if let Some(err) = &got.damage {
        eprintln!(
            "tcplab: warning: {err}; plotted the {} records before it",
            got.analysis.capture.records
        );
        exit = EXIT_PARTIAL;
    }
    let options = PlotOptions {
        direction: args.direction.map(|d| match d {
            DirectionArg::AtoB => Direction::AtoB,
            DirectionArg::BtoA => Direction::BtoA,
        }),
        relative: args.relative,
        interval: args.interval,
        lang: LangArg::or_env(args.lang),
        no_gap_break: args.no_gap_break,
    };
    let zoom = Zoom {
        from: args.from,
        to: args.to,
    };
    let zoomed;
    let series = if zoom == Zoom::default() {
        &got.series
    } else {
        zoomed = got
            .series
            .zoomed(&zoom)
            .with_context(|| format!("{}: --from/--to", args.capture.display()))?;
        &zoomed
    };
    let kernel = kernel_series(&args, series)?;
    let view = View::new(series, &options).with_kernel(kernel.as_ref());
    if args.stream.is_none() && got.analysis.connections.len() > 1 {
        eprintln!(
            "tcplab: note: {} has {} connections; plotting stream {}, which carried the most data (choose with --stream N)",
            args.capture.display(),
            got.analysis.connections.len(),
            got.series.stream
        );
    }
    let style = Style::default();
    // `--all` writes every graph beside the directory and moves them in
    // once all are drawn (`staging`): never a half-written set.
    let (staging, jobs): (Option<Staging>, Vec<(Graph, PathBuf)>) = match args.graph {
        Some(graph) => (None, vec![(graph, args.output.clone())]),
        None => {
            let format = match args.format.unwrap_or(FormatArg::Svg) {
                FormatArg::Svg => ImageFormat::Svg,
                FormatArg::Png => ImageFormat::Png,
            };
            let staging = Staging::new(&args.output)
                .with_context(|| format!("creating {}", args.output.display()))?;
            let jobs = Graph::ALL
                .into_iter()
                .map(|g| (g, all_path(staging.dir(), got.series.stream, g, format)))
                .collect();
            (Some(staging), jobs)
        }
    };
    let mut lines = Vec::new();
    for (graph, path) in jobs {
        let figure = plot::render_to_file(graph, &view, &style, &path)?;
        let shown = staging
            .as_ref()
            .map_or(path.clone(), |s| s.final_path(&path));
        lines.push(format!(
            "{}: {} graph of stream {} ({}), {}×{} px",
            shown.display(),
            graph,
            got.series.stream,
            view.direction_label(),
            figure.width,
            figure.height
        ));
    }
    if let Some(staging) = staging {
        staging
            .commit()
            .with_context(|| format!("writing {}", args.output.display()))?;
    }
    for line in lines {
        println!("{line}");
    }
    Ok(ExitCode::from(exit))
}

/// `DIR/stream3-tcptrace.svg`: the stream in the name so that plotting
/// several connections into one directory keeps them all.
fn all_path(dir: &Path, stream: u32, graph: Graph, format: ImageFormat) -> PathBuf {
    dir.join(format!("stream{stream}-{graph}.{}", format.extension()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("100ms"), Ok(0.1));
        assert_eq!(parse_interval("250us"), Ok(0.000_25));
        assert_eq!(parse_interval("250µs"), Ok(0.000_25));
        assert_eq!(parse_interval("2"), Ok(2.0));
        assert!(parse_interval("0").is_err());
        assert!(parse_interval("-1s").is_err());
        assert!(parse_interval("fast")
            .unwrap_err()
            .contains("\"fast\" is not a duration"));
    }
}
