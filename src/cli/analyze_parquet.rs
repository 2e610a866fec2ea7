//! `tcplab analyze INPUTS... --format parquet -o DIR`: adds each capture
//! to the Parquet dataset in DIR (docs/dataset.md), one at a time, and
//! says in one line what became of each.

use super::analyze::{has_any, wants, AnalyzeArgs};
use super::analyze_notes::{memory_notes, report_damage};
use super::{EXIT_FAILURE, EXIT_PARTIAL};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tcplab_analysis::AnalyzerOptions;
use tcplab_dataset::{Admission, CaptureSlot, Dataset, RunFile};

pub fn run(
    args: &AnalyzeArgs,
    files: &[PathBuf],
    dir: &Path,
    opts: AnalyzerOptions,
) -> Result<ExitCode> {
    if files
        .iter()
        .any(|f| f == Path::new(tcplab_wire::capture::STDIN_NAME) || f == Path::new("-"))
    {
        bail!("--format parquet reads capture files (each is hashed before it is analysed): save standard input to a file first, e.g. tcpdump -w FILE");
    }
    let mut dataset = Dataset::open(dir).with_context(|| "opening the dataset".to_string())?;
    let mut exit = 0u8;
    for file in files {
        let slot = match dataset.admit(file) {
            Ok(Admission::New(slot)) => slot,
            Ok(Admission::Present { name, .. }) => {
                println!(
                    "{}: already in the dataset as capture={name} (same SHA-256); not added again",
                    file.display()
                );
                continue;
            }
            Err(e) => {
                eprintln!("tcplab: error: {e}");
                exit = EXIT_FAILURE;
                continue;
            }
        };
        match add(args, file, slot, &opts) {
            Ok(code) => exit = exit.max(code),
            Err(e) => {
                eprintln!("tcplab: error: {}", super::one_line(&e));
                exit = EXIT_FAILURE;
            }
        }
    }
    Ok(ExitCode::from(exit))
}

/// Analyses one capture into its partitions; the exit code its warnings
/// call for.
fn add(args: &AnalyzeArgs, file: &Path, slot: CaptureSlot, opts: &AnalyzerOptions) -> Result<u8> {
    let mut writer = slot.writer()?;
    let (finished, damage) =
        tcplab_analysis::analyze_file_streaming_with(file, opts.clone(), |r| {
            if wants(args, r) {
                writer.push(r);
            }
        })?;
    let mut exit = report_damage(args, file, &finished, damage);
    let run = match RunFile::beside(file) {
        Ok(run) => run,
        Err(why) => {
            eprintln!("tcplab: warning: {why}");
            exit = exit.max(EXIT_PARTIAL);
            None
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
    memory_notes(file, &finished);
    let added = added?;
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    println!(
        "{}: added as capture={} ({}, {})",
        file.display(),
        added.name,
        plural(added.segments, "segment", "segments"),
        plural(added.connections, "connection", "connections"),
    );
    Ok(exit)
}
