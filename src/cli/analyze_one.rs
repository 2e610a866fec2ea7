//! One capture of `tcplab analyze` in text, JSON or CSV: its segments to
//! the per-segment writers, its block (the capture's statistics and its
//! connections) to wherever the caller says, and what should be said on
//! standard error gathered rather than printed — the same code whether
//! the capture is written straight to the output (one at a time) or held
//! back by a worker of `-j N` until its turn (analyze_jobs.rs).

use super::analyze::{has_any, AnalyzeArgs, Format};
use super::analyze_notes::{memory_notes, report_damage};
use super::EXIT_FAILURE;
use std::io::{self, Write};
use std::path::Path;
use tcplab_analysis::{AnalyzerOptions, CaptureStats, ConnectionSummary, Event, SegmentReport};
use tcplab_render::output::{json, segment_writers::SegmentWriters, text};

/// What became of one capture, besides what it wrote.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    /// Lines for standard error, in order, each whole (`tcplab: warning: ...`).
    pub notes: Vec<String>,
    /// 0, `EXIT_PARTIAL` (damage, a missing stream) or `EXIT_FAILURE`
    /// (the capture could not be read; the others still are).
    pub exit: u8,
    /// An error that ends the command after this capture's output
    /// (writing failed, or the analysis' temporary files did).
    pub fatal: Option<anyhow::Error>,
}

/// Where a capture's block goes: called at most once per capture with
/// its statistics, how many connections it has, and the connections to
/// write (those `--only`/`--stream` keep).
pub(super) type BlockSink<'a> = dyn FnMut(&CaptureStats, usize, &mut dyn Iterator<Item = ConnectionSummary>) -> io::Result<()>
    + 'a;

/// Analyses `file`, handing its segments to `segments` and its block to
/// `block` (nothing for CSV, whose output is the segments).
pub(super) fn analyze_capture(
    args: &AnalyzeArgs,
    opts: &AnalyzerOptions,
    file: &Path,
    segments: &mut SegmentWriters,
    block: &mut BlockSink<'_>,
) -> Outcome {
    let mut outcome = Outcome::default();
    segments.set_capture(&file.display().to_string());
    let sink = |r: &SegmentReport| {
        if super::analyze::wants(args, r) {
            segments.push(r);
        }
    };
    let (finished, damage) =
        match tcplab_analysis::analyze_file_streaming_with(file, opts.clone(), sink) {
            Ok(r) => r,
            Err(e) => {
                outcome.notes.push(format!("tcplab: error: {e}"));
                outcome.exit = EXIT_FAILURE;
                return outcome;
            }
        };
    outcome.exit = report_damage(args, file, &finished, damage, &mut outcome.notes);
    let stats = finished.capture.clone();
    let only = &args.only;
    let (finished, written) = match args.stream {
        _ if args.format == Format::Csv => (finished, Ok(())),
        Some(n) => {
            let one = finished.summary(n).filter(|c| has_any(c, only));
            let shown = usize::from(one.is_some());
            let written = block(&stats, shown, &mut one.into_iter());
            (finished, written)
        }
        None => {
            let shown = finished.connection_count();
            finished.with_summaries_ahead(|all| {
                block(&stats, shown, &mut all.filter(|c| has_any(c, only)))
            })
        }
    };
    if let Err(e) = written {
        outcome.fatal = Some(e.into());
        return outcome;
    }
    if let Some(e) = finished.take_error() {
        outcome.fatal = Some(anyhow::anyhow!(
            "{}: {e}; the output above is incomplete",
            file.display()
        ));
        return outcome;
    }
    memory_notes(file, &finished, &mut outcome.notes);
    outcome
}

/// One capture's block in `format` (text or JSON; nothing for CSV),
/// without what separates it from the block before (a blank line, a
/// comma): that is the output's business (`Blocks`).
pub(super) fn write_block<W: Write>(
    out: &mut W,
    format: Format,
    only: &[Event],
    stats: &CaptureStats,
    shown: usize,
    connections: &mut dyn Iterator<Item = ConnectionSummary>,
) -> io::Result<()> {
    match format {
        Format::Json => json::write_capture(out, stats, connections),
        Format::Text => {
            text::write_capture(out, stats, shown)?;
            let mut written = 0;
            for c in connections {
                writeln!(out)?;
                text::write_connection(out, &c)?;
                written += 1;
            }
            if !only.is_empty() {
                let names: Vec<&str> = only.iter().map(|e| e.name()).collect();
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
        Format::Csv | Format::Parquet => Ok(()),
    }
}
