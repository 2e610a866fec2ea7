//! `tcplab analyze INPUTS... --format parquet -o DIR [-j N]`: adds each
//! capture to the Parquet dataset in DIR (docs/dataset.md) and says in one
//! line what became of each, in the order given.
//!
//! Two passes over the captures, each on N workers (src/batch.rs): the
//! first hashes the files, and their admissions are decided in the order
//! given on this thread (so that of two inputs with the same SHA-256 the
//! first is kept, and partition names are the same on every run); the
//! second analyses each admitted capture into its own partitions
//! (`tcplab_dataset::CaptureWriter`, one per worker).
//!
//! Standard input (`-`) is read once: it is hashed as it is analysed
//! (`tcplab_dataset::HashingReader`) and named `stdin`; once read, a copy
//! of a capture already in the dataset or named in the same run is not
//! kept.

use super::analyze::{has_any, wants, AnalyzeArgs};
use super::analyze_notes::{memory_notes, report_damage};
use super::{worse_exit, EXIT_FAILURE, EXIT_PARTIAL};
use crate::batch;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tcplab_analysis::{AnalyzerOptions, Finished};
use tcplab_dataset::{Admission, CaptureSlot, CaptureWriter, Dataset, HashingReader, RunFile};
use tcplab_wire::capture::{CaptureError, STDIN_NAME};

/// What became of one input: the lines to print (standard error, then
/// standard output, as they came), and the exit code it calls for.
#[derive(Clone, Default)]
struct Said {
    out: Vec<String>,
    err: Vec<String>,
    exit: u8,
}

impl Said {
    fn print(self, exit: &mut u8) {
        for line in self.err {
            eprintln!("{line}");
        }
        for line in self.out {
            println!("{line}");
        }
        *exit = worse_exit(*exit, self.exit);
    }
}

/// What the first pass decided for one input.
enum Admitted {
    Write(CaptureSlot),
    Said(Said),
}

pub fn run(
    args: &AnalyzeArgs,
    files: &[PathBuf],
    dir: &Path,
    jobs: usize,
    opts: AnalyzerOptions,
) -> Result<ExitCode> {
    if files.iter().filter(|f| is_stdin(f)).count() > 1 {
        bail!("- (standard input) is named twice: it can be read only once");
    }
    let mut dataset = Dataset::open(dir).with_context(|| "opening the dataset".to_string())?;
    // Pass 1: hashes on the workers, admissions in order here.
    let mut admitted = Vec::with_capacity(files.len());
    batch::run_in_order(
        files,
        jobs,
        |file| (!is_stdin(file)).then(|| tcplab_dataset::sha256_of(file)),
        |i, hashed| {
            let file = &files[i];
            admitted.push(match hashed {
                None => Admitted::Write(dataset.admit_stream(Path::new(STDIN_NAME))),
                Some(Err(e)) => Admitted::Said(Said {
                    err: vec![format!("tcplab: error: {e}")],
                    exit: EXIT_FAILURE,
                    ..Said::default()
                }),
                Some(Ok((size, sha256))) => match dataset.admit_hashed(file, size, sha256) {
                    Admission::New(mut slot) => {
                        if let Some(name) = &args.file_as {
                            slot.file = PathBuf::from(name);
                        }
                        Admitted::Write(slot)
                    }
                    Admission::Present { name, .. } => Admitted::Said(Said {
                        out: vec![format!(
                            "{}: already in the dataset as capture={name} (same SHA-256); not added again",
                            file.display()
                        )],
                        ..Said::default()
                    }),
                },
            });
        },
    );
    // Pass 2: each admitted capture written by a worker; what became of
    // each said in order.
    let dataset = &dataset;
    let mut exit = 0u8;
    batch::run_in_order_indexed(
        files,
        jobs,
        |i, file| match &admitted[i] {
            Admitted::Write(slot) => add_capture(args, file, slot.clone(), &opts, dataset),
            Admitted::Said(said) => said.clone(),
        },
        |_, said| said.print(&mut exit),
    );
    Ok(ExitCode::from(exit))
}

fn is_stdin(file: &Path) -> bool {
    file == Path::new("-") || file == Path::new(STDIN_NAME)
}

/// Analyses one capture into its partitions (on a worker).
fn add_capture(
    args: &AnalyzeArgs,
    file: &Path,
    slot: CaptureSlot,
    opts: &AnalyzerOptions,
    dataset: &Dataset,
) -> Said {
    let mut said = Said::default();
    if let Err(e) = add(args, file, slot, opts, dataset, &mut said) {
        said.err
            .push(format!("tcplab: error: {}", super::one_line(&e)));
        said.exit = EXIT_FAILURE;
    }
    said
}

/// Analyses one capture into its partitions; `said` gets its lines.
fn add(
    args: &AnalyzeArgs,
    file: &Path,
    slot: CaptureSlot,
    opts: &AnalyzerOptions,
    dataset: &Dataset,
    said: &mut Said,
) -> Result<()> {
    let mut writer = slot.writer()?;
    let sink = |r: &tcplab_analysis::SegmentReport| {
        if wants(args, r) {
            writer.push(r);
        }
    };
    let stdin = is_stdin(file);
    let (finished, damage) = if stdin {
        let (input, hash) = HashingReader::new(std::io::stdin());
        let got = tcplab_analysis::analyze_input_streaming_with(
            Box::new(input),
            Path::new(STDIN_NAME),
            opts.clone(),
            sink,
        )?;
        let (size, sha256) = hash.finish();
        if let Some(name) = dataset.holds(&sha256) {
            // The writer goes, with the partitions it had begun.
            said.out.push(format!(
                "{STDIN_NAME}: already in the dataset as capture={name} (same SHA-256); not added again"
            ));
            return Ok(());
        }
        writer.set_source(size, sha256);
        got
    } else {
        tcplab_analysis::analyze_file_streaming_with(file, opts.clone(), sink)?
    };
    let shown = if stdin { Path::new(STDIN_NAME) } else { file };
    finish(args, shown, writer, finished, damage, said)
}

/// The capture's connections and row, once its segments are written.
fn finish(
    args: &AnalyzeArgs,
    file: &Path,
    writer: CaptureWriter,
    finished: Finished,
    damage: Option<CaptureError>,
    said: &mut Said,
) -> Result<()> {
    said.exit = report_damage(args, file, &finished, damage, &mut said.err);
    let run = if file == Path::new(STDIN_NAME) {
        None
    } else {
        match RunFile::beside(file) {
            Ok(run) => run,
            Err(why) => {
                said.err.push(format!("tcplab: warning: {why}"));
                said.exit = worse_exit(said.exit, EXIT_PARTIAL);
                None
            }
        }
    };
    let stats = finished.capture.clone();
    let (finished, added) = finished.with_summaries_ahead(|all| {
        let mut kept =
            all.filter(|c| has_any(c, &args.only) && args.stream.is_none_or(|s| s == c.stream));
        writer.finish(&stats, &mut kept, run)
    });
    if let Some(e) = finished.take_error() {
        bail!("{}: {e}; not added to the dataset", file.display());
    }
    memory_notes(file, &finished, &mut said.err);
    let added = added?;
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    said.out.push(format!(
        "{}: added as capture={} ({}, {})",
        file.display(),
        added.name,
        plural(added.segments, "segment", "segments"),
        plural(added.connections, "connection", "connections"),
    ));
    Ok(())
}
