//! The spill file and the streams on disk (docs/memory.md) change no byte
//! of any output: every capture in tests/data is analysed with the default
//! memory limits (which none of them reaches) and with `--max-in-memory 0`
//! and `1`, where connections go to the spill file after each packet and
//! come back for the next one, and with `--max-hot-streams 1` and `2`,
//! where every stream but the newest one or two has its record, index
//! entry and place on disk (with `--format csv`, which writes no summary,
//! finished connections go out in the form kept for the analysis only).
//! Text, JSON, the segment CSV and the JSON Lines, standard error and the
//! exit code must be identical.

mod common;

use common::*;
use std::path::Path;

struct Outputs {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
    jsonl: Vec<u8>,
    csv: Vec<u8>,
}

fn analyze(capture: &Path, format: &str, extra: &[&str]) -> Outputs {
    let dir = tempfile::tempdir().expect("temp dir");
    let (jsonl, csv) = (dir.path().join("seg.jsonl"), dir.path().join("seg.csv"));
    let mut args = vec![
        "analyze",
        "--format",
        format,
        "--segments-json",
        jsonl.to_str().expect("utf-8"),
        capture.to_str().expect("utf-8"),
    ];
    if format != "csv" {
        args.extend(["--segments", csv.to_str().expect("utf-8")]);
    }
    args.extend_from_slice(extra);
    let out = tcplab(&args);
    Outputs {
        code: out.status.code(),
        stdout: out.stdout.clone(),
        stderr: stderr(&out),
        jsonl: std::fs::read(&jsonl).unwrap_or_default(),
        csv: std::fs::read(&csv).unwrap_or_default(),
    }
}

#[test]
fn spilling_connections_and_streams_changes_no_output() {
    let captures = all_captures();
    assert!(captures.len() > 20, "{captures:?}");
    for capture in &captures {
        let name = capture.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        for format in ["text", "json", "csv"] {
            let want = analyze(capture, format, &[]);
            let limits: [&[&str]; 5] = [
                &["--max-in-memory", "0"],
                &["--max-in-memory", "1"],
                &["--max-hot-streams", "1"],
                &["--max-hot-streams", "2", "--max-in-memory", "0"],
                &["--max-hot-streams", "3", "--max-in-memory", "1"],
            ];
            for limit in limits {
                let got = analyze(capture, format, limit);
                let what = format!("{name}, --format {format}, {}", limit.join(" "));
                assert_eq!(got.code, want.code, "exit code: {what}");
                assert_eq!(got.stderr, want.stderr, "standard error: {what}");
                assert!(got.stdout == want.stdout, "standard output differs: {what}");
                assert!(got.jsonl == want.jsonl, "JSON Lines differ: {what}");
                assert!(got.csv == want.csv, "segment CSV differs: {what}");
            }
        }
    }
}

#[test]
fn several_connections_are_spilled_and_read_back_in_stream_order() {
    // Four connections interleaved (tests/data/README.md): with one in
    // memory, each packet of another connection sends one out.
    let capture = data("null-loopback.pcap");
    let want = analyze(&capture, "text", &[]);
    let got = analyze(&capture, "text", &["--max-in-memory", "1"]);
    let text = String::from_utf8_lossy(&got.stdout);
    let streams: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("== stream "))
        .map(|l| l.split(':').next().unwrap_or(""))
        .collect();
    assert_eq!(
        streams,
        ["== stream 0", "== stream 1", "== stream 2", "== stream 3"]
    );
    assert!(got.stdout == want.stdout);
}

#[test]
fn streams_that_cannot_be_written_stay_in_memory_and_it_is_said() {
    // No temporary file can be made: the results are the same, with a note.
    // (The spill file is only made once 256 KiB are waiting: not here.)
    let capture = data("null-loopback.pcap");
    let args = |extra: &[&'static str]| {
        let mut a = vec!["analyze", "--format", "text"];
        a.extend_from_slice(extra);
        a.push(capture.to_str().expect("utf-8"));
        a.iter().map(|s| s.to_string()).collect::<Vec<String>>()
    };
    let want = tcplab(&[
        "analyze",
        "--format",
        "text",
        capture.to_str().expect("utf-8"),
    ]);
    let got = std::process::Command::new(env!("CARGO_BIN_EXE_tcplab"))
        .args(args(&["--max-hot-streams", "1", "--max-in-memory", "0"]))
        .env("TMPDIR", "/nonexistent/tcplab-test")
        .output()
        .expect("the tcplab binary runs");
    assert_eq!(got.status.code(), want.status.code());
    assert!(got.stdout == want.stdout);
    let err = stderr(&got);
    assert!(
        err.contains("for the streams that do not fit in memory")
            && err.contains("kept the streams in memory instead"),
        "{err}"
    );
}
