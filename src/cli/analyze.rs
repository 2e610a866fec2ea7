//! `tcplab analyze FILE...`: reads captures and prints what TCP did.

use super::analyze_one::{analyze_capture, write_block, Outcome};
use super::decode_args::DecodeArgs;
use super::{worse_exit, EXIT_FAILURE};
use crate::batch;
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tcplab_analysis::{AnalyzerOptions, ConnectionSummary, Event, SegmentReport};
use tcplab_render::output::{
    csv::CsvWriter, json::JsonWriter, jsonl::JsonlWriter, segment_writers::SegmentWriters,
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
    /// Analyse N captures at once (default: one per core); the output is the same, in the order given
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
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
    /// At most N connections keep their analysis state in memory (the smaller
    /// of N and 1024 at first, more while more are open at once), the others
    /// wait in a temporary file (docs/memory.md); for tests and tuning
    #[arg(long, value_name = "N", hide = true)]
    pub max_in_memory: Option<usize>,
    /// At most N streams keep their record, index entry and place in
    /// memory, older ones are on disk (docs/memory.md); for tests and tuning
    #[arg(long, value_name = "N", hide = true)]
    pub max_hot_streams: Option<usize>,
    /// With --format parquet and one capture: the captures table's `file`
    /// is NAME instead of the path read (scale/spark_analyze.py analyses a
    /// local copy of a remote capture, whose `file` is its URI)
    #[arg(long, value_name = "NAME", hide = true)]
    pub file_as: Option<String>,
    #[command(flatten)]
    pub decode: DecodeArgs,
}

pub fn run(args: AnalyzeArgs) -> Result<ExitCode> {
    let files = tcplab_wire::capture::inputs::expand(&args.files)?;
    let jobs = batch::jobs(args.jobs);
    if args.file_as.is_some() && (args.format != Format::Parquet || files.len() != 1) {
        bail!("--file-as names the one capture of a --format parquet run: give one capture and --format parquet");
    }
    match (&args.output, args.format) {
        (Some(dir), Format::Parquet) => {
            return super::analyze_parquet::run(&args, &files, dir, jobs, analyzer_options(&args)?)
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
    let csv = match (&args.segments, args.format) {
        (Some(path), _) => Some(csv_writer(Box::new(BufWriter::new(stage(path)?)))?),
        (None, Format::Csv) => Some(csv_writer(Box::new(raw_stdout()?))?),
        (None, _) => None,
    };
    let mut blocks = Blocks::new(args.format)?;
    let opts = analyzer_options(&args)?;
    let exit = if jobs == 1 || files.len() == 1 {
        one_at_a_time(
            &args,
            &opts,
            &files,
            SegmentWriters::new(csv, jsonl),
            &mut blocks,
        )?
    } else {
        super::analyze_jobs::run(&args, &opts, &files, jobs, csv, &mut blocks)?
    };
    blocks.finish()?;
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

/// The captures one after the other, each written as it is analysed.
fn one_at_a_time(
    args: &AnalyzeArgs,
    opts: &AnalyzerOptions,
    files: &[PathBuf],
    mut segments: SegmentWriters,
    blocks: &mut Blocks,
) -> Result<u8> {
    let mut exit = 0u8;
    for file in files {
        let outcome = analyze_capture(args, opts, file, &mut segments, &mut |stats, shown, all| {
            blocks.block(|out| write_block(out, args.format, &args.only, stats, shown, all))
        });
        exit = said(outcome, exit)?;
    }
    segments.finish()?;
    Ok(exit)
}

/// Prints a capture's notes; the command's exit code with this capture's
/// (a capture that could not be read makes it a failure, whatever
/// else was partial), or the error that ends the command.
pub(super) fn said(outcome: Outcome, exit: u8) -> Result<u8> {
    for note in &outcome.notes {
        eprintln!("{note}");
    }
    if let Some(e) = outcome.fatal {
        return Err(e);
    }
    Ok(worse_exit(exit, outcome.exit))
}

/// The analyzer's options from the command line (a bad filter expression
/// is refused here, once, before any file is read).
pub(super) fn analyzer_options(args: &AnalyzeArgs) -> Result<AnalyzerOptions> {
    let mut opts = AnalyzerOptions {
        // CSV is the segments alone: no connection summary is written.
        summaries: args.format != Format::Csv,
        ..AnalyzerOptions::default()
    };
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

/// Where the captures' blocks (text or JSON) go, one after the other,
/// with what separates them and, for JSON, the document around them.
pub(super) struct Blocks {
    text: Option<BufWriter<File>>,
    json: Option<JsonWriter<BufWriter<File>>>,
    written: usize,
}

impl Blocks {
    fn new(format: Format) -> Result<Blocks> {
        Ok(Blocks {
            text: match format {
                Format::Text => Some(raw_stdout()?),
                _ => None,
            },
            json: match format {
                Format::Json => Some(JsonWriter::new(raw_stdout()?)?),
                _ => None,
            },
            written: 0,
        })
    }

    /// One capture's block, which `body` writes (`write_block`, now or
    /// earlier into a spool), after a blank line or a comma when it is
    /// not the first.
    pub(super) fn block(
        &mut self,
        body: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
    ) -> io::Result<()> {
        if let Some(out) = self.text.as_mut() {
            if self.written > 0 {
                writeln!(out)?;
            }
            self.written += 1;
            return body(out);
        }
        match self.json.as_mut() {
            Some(w) => w.capture_with(body),
            None => Ok(()),
        }
    }

    fn finish(self) -> io::Result<()> {
        if let Some(w) = self.json {
            w.finish()?;
        }
        if let Some(mut out) = self.text {
            out.flush()?;
        }
        Ok(())
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
