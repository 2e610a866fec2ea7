//! `tcplab analyze -j N` in text, JSON or CSV: N workers analyse
//! captures at once (src/batch.rs), each writing its capture's block and
//! rows into spools (src/spool.rs: memory up to a bound, then a private
//! temporary file), which are written out in the order the captures were
//! given. The output is byte for byte that of `-j 1`: the same code makes
//! each capture's bytes (analyze_one.rs), and what joins them — the
//! blank line or comma between blocks, the CSV header, the JSON document
//! around them — is written once, here, in order.
//!
//! Memory: at most `2 × N` captures are done and waiting (batch.rs), each
//! holding at most `spool::MEMORY_BOUND` bytes per output in memory.

use super::analyze::{said, AnalyzeArgs, Blocks};
use super::analyze_one::{analyze_capture, write_block, Outcome};
use crate::batch;
use crate::spool::{SharedSpool, Spool};
use anyhow::Result;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use tcplab_analysis::AnalyzerOptions;
use tcplab_render::output::csv::CsvWriter;
use tcplab_render::output::segment_writers::{CsvOut, SegmentWriters};

/// One capture's output, held back until its turn.
struct Piece {
    outcome: Outcome,
    block: Spool,
    rows: Option<Spool>,
}

/// Analyses `files` on `jobs` workers; their blocks go to `blocks` and
/// their rows to `csv` (header already written), in order. Returns the
/// exit code, or the first error that ends the command (after the output
/// of the captures before it and of the capture itself, as with `-j 1`).
pub(super) fn run(
    args: &AnalyzeArgs,
    opts: &AnalyzerOptions,
    files: &[PathBuf],
    jobs: usize,
    mut csv: Option<CsvOut>,
    blocks: &mut Blocks,
) -> Result<u8> {
    let capture_column = files.len() > 1;
    let rows_wanted = csv.is_some();
    // Once the command has failed, the captures not yet started are not.
    let stop = AtomicBool::new(false);
    let mut result: Result<u8> = Ok(0);
    batch::run_in_order(
        files,
        jobs,
        |file| {
            (!stop.load(Ordering::Relaxed))
                .then(|| spooled(args, opts, file, rows_wanted, capture_column))
        },
        |_, piece| {
            let (Ok(exit), Some(piece)) = (&result, piece) else {
                return;
            };
            result = write_out(piece, *exit, blocks, csv.as_mut());
            if result.is_err() {
                stop.store(true, Ordering::Relaxed);
            }
        },
    );
    let exit = result?;
    if let Some(w) = csv {
        w.finish()?;
    }
    Ok(exit)
}

/// Analyses one capture into spools (on a worker).
fn spooled(
    args: &AnalyzeArgs,
    opts: &AnalyzerOptions,
    file: &Path,
    rows_wanted: bool,
    capture_column: bool,
) -> Piece {
    let rows = rows_wanted.then(SharedSpool::default);
    let csv = rows.clone().map(|spool| {
        let out = Box::new(BufWriter::with_capacity(1 << 16, spool)) as Box<dyn Write>;
        CsvWriter::rows_only(out, capture_column)
    });
    let mut segments = SegmentWriters::new(csv, None);
    let mut block = Spool::default();
    let mut outcome = analyze_capture(args, opts, file, &mut segments, &mut |stats, shown, all| {
        write_block(&mut block, args.format, &args.only, stats, shown, all)
    });
    if let Err(e) = segments.finish() {
        outcome.fatal.get_or_insert(e.into());
    }
    Piece {
        outcome,
        block,
        rows: rows.and_then(SharedSpool::take),
    }
}

/// Writes a capture's spools in place and says its notes (on the calling
/// thread, in order).
fn write_out(piece: Piece, exit: u8, blocks: &mut Blocks, csv: Option<&mut CsvOut>) -> Result<u8> {
    if !piece.block.is_empty() {
        let block = piece.block;
        blocks.block(|out| block.copy_to(out))?;
    }
    if let (Some(csv), Some(rows)) = (csv, piece.rows) {
        rows.copy_to(csv.get_mut()?)?;
    }
    said(piece.outcome, exit)
}
