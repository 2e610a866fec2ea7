//! What `tcplab analyze` says on standard error about a capture besides
//! its analysis: damage, a `--stream` it lacks, packets that are not TCP,
//! invalid times, the on-disk tier switched off. Shared by every output
//! format (text, JSON, CSV, Parquet). The lines are gathered, not printed:
//! with `-j N` a capture's lines are printed with its output, in order.

use super::analyze::AnalyzeArgs;
use super::EXIT_PARTIAL;
use std::path::Path;
use tcplab_analysis::{CaptureStats, Finished};

/// Warns about a capture cut short, a `--stream` it does not have, what
/// was not TCP and invalid times; returns the exit code they call for.
pub(super) fn report_damage(
    args: &AnalyzeArgs,
    file: &Path,
    finished: &Finished,
    damage: Option<tcplab_wire::capture::CaptureError>,
    notes: &mut Vec<String>,
) -> u8 {
    let mut exit = 0;
    if let Some(err) = damage {
        notes.push(format!(
            "tcplab: warning: {err}; analysed the {} records before it",
            finished.capture.records
        ));
        exit = EXIT_PARTIAL;
    }
    if let Some(n) = args.stream.filter(|n| !finished.has_stream(*n)) {
        let count = finished.connection_count();
        notes.push(format!(
            "tcplab: warning: {}: no stream {n} (the capture has {count} {}, numbered from 0)",
            file.display(),
            if count == 1 {
                "connection"
            } else {
                "connections"
            }
        ));
        exit = EXIT_PARTIAL;
    }
    report_skips(&finished.capture, notes);
    if report_invalid_times(&finished.capture, notes) {
        exit = EXIT_PARTIAL;
    }
    exit
}

/// Notes that the on-disk tier was off (everything was kept in memory).
pub(super) fn memory_notes(file: &Path, finished: &Finished, notes: &mut Vec<String>) {
    if let Some(e) = finished.spill_off() {
        notes.push(format!(
            "tcplab: note: {}: {e}; kept every connection in memory instead",
            file.display()
        ));
    }
    if let Some(e) = finished.old_streams_off() {
        notes.push(format!(
            "tcplab: note: {}: {e}; kept the streams in memory instead",
            file.display()
        ));
    }
}

fn report_skips(c: &CaptureStats, notes: &mut Vec<String>) {
    if c.skipped_total() > 0 {
        let parts: Vec<String> = c.skipped.iter().map(|(k, v)| format!("{v} {k}")).collect();
        notes.push(format!(
            "tcplab: note: {}: {} of {} packets are not TCP segments and were not analysed ({})",
            c.file,
            c.skipped_total(),
            c.records,
            parts.join(", ")
        ));
    }
}

/// Warns about records whose sub-second field is out of range; true when
/// there are some.
fn report_invalid_times(c: &CaptureStats, notes: &mut Vec<String>) -> bool {
    let bad = &c.invalid_times;
    if bad.is_empty() {
        return false;
    }
    let frames: Vec<String> = bad.frames.iter().map(u64::to_string).collect();
    let more = if bad.count > bad.frames.len() as u64 {
        format!(" and {} more", bad.count - bad.frames.len() as u64)
    } else {
        String::new()
    };
    let (noun, verb, them) = if bad.count == 1 {
        (
            "record",
            "has",
            "its time is wrong and no RTT across it is reported",
        )
    } else {
        (
            "records",
            "have",
            "their times are wrong and no RTT across them is reported",
        )
    };
    notes.push(format!(
        "tcplab: warning: {}: {noun} {}{more} {verb} an invalid sub-second time field (microseconds ≥ 1,000,000 or nanoseconds ≥ 10⁹, carried into the seconds); {them}",
        c.file,
        frames.join(", ")
    ));
    true
}
