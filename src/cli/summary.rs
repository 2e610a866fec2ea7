//! `tcplab summary INPUTS...`: one line per capture (docs/summary.md) —
//! what a teacher reads first about a class's runs, and an engineer about
//! a directory of captures. Captures are analysed in parallel (`-j`), the
//! rows come in the order given (directories sorted).

use super::values::LangArg;
use super::{EXIT_FAILURE, EXIT_PARTIAL};
use crate::batch;
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tcplab_analysis::capture_digest::DigestBuilder;
use tcplab_analysis::record::run_meta;
use tcplab_analysis::AnalyzerOptions;
use tcplab_render::output::summary_table::{self, Copy, RowData, SummaryRow};
use tcplab_render::staging::OutputFile;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// An aligned table
    Text,
    /// One row per capture, machine-readable (docs/summary.md)
    Csv,
    /// A small self-contained HTML page with the table
    Html,
}

#[derive(Args, Debug)]
pub struct SummaryArgs {
    /// Capture files (.pcap or .pcapng, also compressed with gzip or zstd), directories (searched for captures, sorted), or - for standard input
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub format: SummaryFormat,
    /// Write to this file instead of standard output (written whole, only when the command succeeds)
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Analyse N captures at once (default: one per core)
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Analyse only the packets this filter matches, in tcpdump's language (BPF)
    #[arg(short = 'f', long, value_name = "BPF")]
    pub filter: Option<String>,
    /// Language of the text and HTML tables (default: from LANG)
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
}

pub fn run(args: SummaryArgs) -> Result<ExitCode> {
    let files = tcplab_wire::capture::inputs::expand(&args.files)?;
    let lang = LangArg::or_env(args.lang);
    let mut opts = AnalyzerOptions::default();
    if let Some(expr) = &args.filter {
        // Refused once, before any file is read.
        tcplab_wire::capture::filter::ReadFilter::new(expr)?;
        opts.filter = Some(expr.clone());
    }
    let (staged, mut out): (Option<(PathBuf, OutputFile)>, Box<dyn Write>) = match &args.output {
        Some(path) => {
            let (file, handle) = super::staged_output(path)?;
            (Some((path.clone(), file)), Box::new(BufWriter::new(handle)))
        }
        None => (None, Box::new(BufWriter::new(io::stdout().lock()))),
    };
    if args.format == SummaryFormat::Csv {
        summary_table::write_csv_head(&mut out)?;
    }
    let mut rows = Vec::new();
    let (mut failed, mut damaged) = (0usize, false);
    let mut written: io::Result<()> = Ok(());
    batch::run_in_order(
        &files,
        batch::jobs(args.jobs),
        |file| summarize(file, &opts),
        |_, (row, notes)| {
            for note in notes {
                eprintln!("tcplab: {note}");
            }
            match &row.outcome {
                Err(_) => failed += 1,
                Ok(data) => damaged |= data.damage.is_some(),
            }
            if args.format == SummaryFormat::Csv {
                // Each row as soon as its capture (and those before) is done.
                if written.is_ok() {
                    written =
                        summary_table::write_csv_row(&mut out, &row).and_then(|()| out.flush());
                }
            } else {
                rows.push(row);
            }
        },
    );
    written?;
    match args.format {
        SummaryFormat::Text => summary_table::write_text(&mut out, lang, &rows)?,
        SummaryFormat::Html => out.write_all(summary_table::html(lang, &rows).as_bytes())?,
        SummaryFormat::Csv => {}
    }
    out.flush()?;
    drop(out);
    if let Some((path, file)) = staged {
        file.commit()
            .with_context(|| format!("writing {}", path.display()))?;
    }
    // A capture that could not be read is a row that says so: the command
    // did its job for the others (partial); it failed only if none could be.
    Ok(ExitCode::from(if failed == files.len() {
        EXIT_FAILURE
    } else if failed > 0 || damaged {
        EXIT_PARTIAL
    } else {
        0
    }))
}

/// One capture's row, and the warnings to print with it.
fn summarize(file: &Path, opts: &AnalyzerOptions) -> (SummaryRow, Vec<String>) {
    let capture = file.display().to_string();
    let mut notes = Vec::new();
    let mut digest = DigestBuilder::default();
    let result =
        tcplab_analysis::analyze_file_streaming_with(file, opts.clone(), |r| digest.segment(r));
    let (finished, damage) = match result {
        Ok(r) => r,
        Err(e) => {
            notes.push(format!("error: {e}"));
            let outcome = Err(e.to_string());
            return (SummaryRow { capture, outcome }, notes);
        }
    };
    for c in finished.summaries() {
        digest.connection(&c);
    }
    if let Some(e) = finished.take_error() {
        let why = format!("{capture}: {e}");
        notes.push(format!("error: {why}"));
        return (
            SummaryRow {
                capture,
                outcome: Err(why),
            },
            notes,
        );
    }
    let damage = damage.map(|e| {
        notes.push(format!(
            "warning: {e}; analysed the {} records before it",
            finished.capture.records
        ));
        e.to_string()
    });
    let copy = match run_meta::beside(file) {
        None => Copy::NotARun,
        Some(meta) => match run_meta::read(&meta) {
            Ok(m) => match m.identical {
                Some(true) => Copy::Identical,
                Some(false) => Copy::Differs,
                None => Copy::Unchecked,
            },
            Err(why) => {
                notes.push(format!(
                    "warning: {}: not tcplab's run metadata ({why}); the copy is shown as not checked",
                    meta.display()
                ));
                Copy::Unchecked
            }
        },
    };
    let data = RowData {
        packets: finished.capture.records,
        digest: digest.finish(&finished.capture),
        damage,
        copy,
    };
    (
        SummaryRow {
            capture,
            outcome: Ok(data),
        },
        notes,
    )
}
