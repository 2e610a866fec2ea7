//! `tcplab analyze FILE...`: reads captures and prints what TCP did.

use super::analyze_notes::{memory_notes, report_damage};
use super::decode_args::DecodeArgs;
use super::EXIT_FAILURE;
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tcplab_analysis::{
    self, AnalyzerOptions, CaptureStats, ConnectionSummary, Event, SegmentReport,
};
use tcplab_render::output::{
    csv::CsvWriter, json::JsonWriter, jsonl::JsonlWriter, segment_writers::SegmentWriters, text,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Per connection: handshake, teardown, events, RTT, traffic
    Text,
    /// Everything in the text output, machine-readable (docs/analyze-json.md)
    Json,
    /// One row per TCP segment (docs/analyze-csv.md)
    Csv,
    /// A Parquet dataset (segments, connections, captures) in the directory -o DIR (docs/dataset.md)
    Parquet,
}

#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    /// Capture files (.pcap or .pcapng, also compressed with gzip or zstd), directories (searched for captures, sorted), or - for standard input
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Analyse only the packets this filter matches, in tcpdump's language (BPF), e.g. 'host 10.0.0.1 and tcp port 443'; frame numbers stay the file's
    #[arg(short = 'f', long, value_name = "BPF")]
    pub filter: Option<String>,
    /// Output format on standard output
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The dataset's directory, with --format parquet (created, or added to)
    #[arg(short = 'o', long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Also write one CSV row per TCP segment to this file
    #[arg(long, value_name = "FILE.csv")]
    pub segments: Option<PathBuf>,
    /// Also write every per-segment field as JSON Lines to this file (one capture only)
    #[arg(long, value_name = "FILE.jsonl")]
    pub segments_json: Option<PathBuf>,
    /// Only this connection (Wireshark's tcp.stream number)
    #[arg(long, value_name = "N")]
    pub stream: Option<u32>,
    /// Only the connections with any of these events (and, per segment, the segments that have one), e.g. retransmission,zero_window
    #[arg(long, value_name = "EVENT,...", value_delimiter = ',', value_parser = parse_event)]
    pub only: Vec<Event>,
    /// At most N connections keep their analysis state in memory, the others
    /// wait in a temporary file (docs/memory.md); for tests and tuning
    #[arg(long, value_name = "N", hide = true)]
    pub max_in_memory: Option<usize>,
    /// At most N streams keep their record, index entry and place in
    /// memory, older ones are on disk (docs/memory.md); for tests and tuning
    #[arg(long, value_name = "N", hide = true)]
    pub max_hot_streams: Option<usize>,
    #[command(flatten)]
    pub decode: DecodeArgs,
}

pub fn run(args: AnalyzeArgs) -> Result<ExitCode> {
    let files = tcplab_wire::capture::inputs::expand(&args.files)?;
    match (&args.output, args.format) {
        (Some(dir), Format::Parquet) => {
            return super::analyze_parquet::run(&args, &files, dir, analyzer_options(&args)?)
        }
        (None, Format::Parquet) => {
            bail!("--format parquet writes a dataset directory: give it with -o DIR")
        }
        (Some(_), _) => bail!("-o DIR is the dataset directory of --format parquet; the other formats go to standard output"),
        (None, _) => {}
    }
    if args.segments_json.is_some() && files.len() > 1 {
        bail!("--segments-json takes one capture at a time (frame numbers restart in each file); run tcplab analyze once per file, or use --format csv or parquet");
    }
    // Several captures: the CSV gains a first column naming each row's capture.
    let csv_writer = |out: Box<dyn Write>| {
        if files.len() > 1 {
            CsvWriter::with_capture_column(out)
        } else {
            CsvWriter::new(out)
        }
    };
    // Files named on the command line appear whole, and only when the
    // command does not fail (tcplab_render::staging).
    let mut staged = Vec::new();
    let mut stage = |path: &Path| -> Result<File> {
        let (file, handle) = super::staged_output(path)?;
        staged.push((path.to_path_buf(), file));
        Ok(handle)
    };
    let jsonl = match &args.segments_json {
        Some(path) => Some(JsonlWriter::new(
            Box::new(BufWriter::new(stage(path)?)) as Box<dyn Write>
        )),
        None => None,
    };
    let mut out = raw_stdout()?;
    let csv = match (&args.segments, args.format) {
        (Some(path), _) => Some(csv_writer(Box::new(BufWriter::new(stage(path)?)))?),
        (None, Format::Csv) => Some(csv_writer(Box::new(raw_stdout()?))?),
        (None, _) => None,
    };
    let mut segments = SegmentWriters::new(csv, jsonl);
    let mut json_out = match args.format {
        Format::Json => Some(JsonWriter::new(raw_stdout()?)?),
        _ => None,
    };
    let opts = analyzer_options(&args)?;
    let mut exit = 0u8;
    let mut texts_written = 0;
    for file in &files {
        segments.set_capture(&file.display().to_string());
        let sink = |r: &SegmentReport| {
            if wants(&args, r) {
                segments.push(r);
            }
        };
        let (finished, damage) =
            match tcplab_analysis::analyze_file_streaming_with(file, opts.clone(), sink) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("tcplab: error: {e}");
                    exit = EXIT_FAILURE;
                    continue;
                }
            };
        exit = exit.max(report_damage(&args, file, &finished, damage));
        let stats = finished.capture.clone();
        let mut summaries_out = Summaries {
            format: args.format,
            out: &mut out,
            json: json_out.as_mut(),
            texts_written: &mut texts_written,
            only: &args.only,
        };
        let finished = match args.stream {
            _ if args.format == Format::Csv => finished,
            Some(n) => {
                let one = finished.summary(n).filter(|c| has_any(c, &args.only));
                summaries_out.write(&stats, usize::from(one.is_some()), one.into_iter())?;
                finished
            }
            None => {
                let shown = finished.connection_count();
                let only = &args.only;
                let (finished, written) = finished.with_summaries_ahead(|all| {
                    summaries_out.write(&stats, shown, all.filter(|c| has_any(c, only)))
                });
                written?;
                finished
            }
        };
        if let Some(e) = finished.take_error() {
            bail!("{}: {e}; the output above is incomplete", file.display());
        }
        memory_notes(file, &finished);
    }
    segments.finish()?;
    if let Some(w) = json_out {
        w.finish()?;
    }
    out.flush()?;
    if exit != EXIT_FAILURE {
        for (path, file) in staged {
            file.commit()
                .with_context(|| format!("writing {}", path.display()))?;
        }
    } else if !staged.is_empty() {
        eprintln!("tcplab: note: per-segment files not written: a capture could not be read");
    }
    Ok(ExitCode::from(exit))
}

/// The analyzer's options from the command line (a bad filter expression
/// is refused here, once, before any file is read).
pub(super) fn analyzer_options(args: &AnalyzeArgs) -> Result<AnalyzerOptions> {
    let mut opts = AnalyzerOptions::default();
    if let Some(n) = args.max_in_memory {
        opts.max_in_memory = n;
    }
    if let Some(n) = args.max_hot_streams {
        opts.max_hot_streams = n;
    }
    args.decode.apply(&mut opts);
    if let Some(expr) = &args.filter {
        // Refused once, before any file is read, rather than once per file.
        tcplab_wire::capture::filter::ReadFilter::new(expr)?;
        opts.filter = Some(expr.clone());
    }
    Ok(opts)
}

/// Does `--only`/`--stream` keep this segment?
pub(super) fn wants(args: &AnalyzeArgs, r: &SegmentReport) -> bool {
    let wanted = args.only.is_empty() || r.events.iter().any(|e| args.only.contains(&e));
    wanted && args.stream.is_none_or(|s| s == r.stream)
}

/// Does the connection have any of `events` (all pass when none is given)?
pub(super) fn has_any(c: &ConnectionSummary, events: &[Event]) -> bool {
    events.is_empty() || events.iter().any(|&e| c.count(e) > 0)
}

/// `--only`'s names: those of the CSV's `events` column.
fn parse_event(name: &str) -> Result<Event, String> {
    Event::from_name(name.trim()).ok_or_else(|| {
        let all: Vec<&str> = Event::ALL.iter().map(|e| e.name()).collect();
        format!("{name:?} is not an event; use one of {}", all.join(", "))
    })
}

/// Where the per-connection output (text or JSON) goes.
struct Summaries<'a> {
    format: Format,
    out: &'a mut BufWriter<File>,
    json: Option<&'a mut JsonWriter<BufWriter<File>>>,
    texts_written: &'a mut usize,
    only: &'a [Event],
}

impl Summaries<'_> {
    /// One capture's statistics and the `shown` connections that follow.
    fn write(
        &mut self,
        stats: &CaptureStats,
        shown: usize,
        connections: impl Iterator<Item = ConnectionSummary>,
    ) -> io::Result<()> {
        match (self.format, self.json.as_mut()) {
            (Format::Json, Some(w)) => w.capture(stats, connections),
            (Format::Text, _) => {
                let out = &mut *self.out;
                if *self.texts_written > 0 {
                    writeln!(out)?;
                }
                *self.texts_written += 1;
                text::write_capture(out, stats, shown)?;
                let mut written = 0;
                for c in connections {
                    writeln!(out)?;
                    text::write_connection(out, &c)?;
                    written += 1;
                }
                if !self.only.is_empty() {
                    let names: Vec<&str> = self.only.iter().map(|e| e.name()).collect();
                    writeln!(
                        out,
                        "\n--only {}: {written} of the {shown} {} shown",
                        names.join(","),
                        if shown == 1 {
                            "connection"
                        } else {
                            "connections"
                        }
                    )?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// Standard output without its line buffering, which looks for the last
/// newline in every write (a tenth of `--format json`'s time): a duplicate
/// of descriptor 1 behind a 64 KiB buffer. One of these per output format;
/// only one format is ever written to standard output.
fn raw_stdout() -> Result<BufWriter<File>> {
    let fd = io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .context("standard output")?;
    Ok(BufWriter::with_capacity(1 << 16, File::from(fd)))
}
