//! `tcplab analyze -j N`: captures analysed in parallel give, byte for
//! byte, the output of `-j 1` in every format (text, JSON, CSV, the
//! per-segment files, and the Parquet dataset's files), in the order
//! given; two inputs with the same SHA-256 keep the first; standard input
//! goes into a dataset hashed as it is read.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Captures of several kinds and sizes: the small ones finish first
/// with several workers, so their output waits for the large one's.
const CAPTURES: [&str; 5] = [
    "congested.pcap",
    "rst.pcap",
    "lossy.pcap",
    "vxlan.pcap",
    "zero-window.pcap",
];

fn paths(names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|n| data(n).to_string_lossy().into_owned())
        .collect()
}

/// `tcplab analyze -j JOBS ARGS...`: its standard output, which must be a success.
fn analyze(jobs: usize, args: &[&str]) -> Vec<u8> {
    let j = jobs.to_string();
    let mut all = vec!["analyze", "-j", &j];
    all.extend_from_slice(args);
    let out = tcplab(&all);
    assert!(out.status.success(), "{all:?}: {}", stderr(&out));
    out.stdout
}

#[test]
fn every_format_is_the_same_bytes_with_one_two_or_five_workers() {
    let files = paths(&CAPTURES);
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    for format in ["text", "json", "csv"] {
        let mut args = vec!["--format", format];
        args.extend_from_slice(&files);
        let one = analyze(1, &args);
        assert!(one.len() > 10_000, "{format}: some output");
        for jobs in [2, 5] {
            assert!(
                analyze(jobs, &args) == one,
                "{format}: -j {jobs} differs from -j 1"
            );
        }
        // Five workers on three captures: fewer captures than workers.
        let mut three = vec!["--format", format];
        three.extend_from_slice(&files[..3]);
        assert!(
            analyze(5, &three) == analyze(1, &three),
            "{format}: 3 captures, -j 5"
        );
    }
}

#[test]
fn the_segment_files_beside_the_text_are_the_same_bytes() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let files = paths(&CAPTURES);
    let mut written = BTreeMap::new();
    for jobs in [1, 2] {
        let csv = tmp.path().join(format!("segments-{jobs}.csv"));
        let csv_arg = csv.to_string_lossy().into_owned();
        let mut args = vec![
            "--segments",
            &csv_arg,
            "--only",
            "retransmission,zero_window",
        ];
        args.extend(files.iter().map(String::as_str));
        let text = analyze(jobs, &args);
        written.insert(jobs, (text, std::fs::read(&csv).expect("segments written")));
    }
    assert!(
        written[&1].1.starts_with(b"capture,frame,"),
        "several captures: the capture column"
    );
    assert!(written[&1] == written[&2], "-j 2 differs from -j 1");
    // JSON Lines take one capture: the same with any -j.
    let lossy = data("lossy.pcap").to_string_lossy().into_owned();
    let jsonl = |jobs: usize| {
        let path = tmp.path().join(format!("lossy-{jobs}.jsonl"));
        let p = path.to_string_lossy().into_owned();
        analyze(jobs, &["--format", "json", "--segments-json", &p, &lossy]);
        std::fs::read(&path).expect("jsonl written")
    };
    let one = jsonl(1);
    assert!(one.len() > 10_000);
    assert!(jsonl(2) == one);
}

#[test]
fn a_capture_that_cannot_be_read_is_said_in_its_place_and_the_others_are_written() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let missing = tmp
        .path()
        .join("missing.pcap")
        .to_string_lossy()
        .into_owned();
    let files = paths(&CAPTURES[..2]);
    let args = [
        "analyze", "-j", "2", "--format", "csv", &files[0], &missing, &files[1],
    ];
    let out = tcplab(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("missing.pcap"), "{}", stderr(&out));
    let one = tcplab(&[
        "analyze", "-j", "1", "--format", "csv", &files[0], &missing, &files[1],
    ]);
    assert!(one.stdout == out.stdout);
    assert!(
        stdout(&out).contains("rst.pcap,"),
        "the capture after it is there"
    );
}

/// Every file of a dataset, by its path inside it, with its bytes.
fn dataset_files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("inside").to_path_buf();
                files.insert(rel, std::fs::read(&path).expect("readable"));
            }
        }
    }
    files
}

#[test]
fn the_dataset_is_the_same_with_two_workers_and_a_copy_is_kept_once_the_first() {
    let tmp = tempfile::tempdir().expect("temp dir");
    // The same bytes under two names, given second and last.
    let copy = tmp.path().join("copy-of-lossy.pcap");
    std::fs::copy(data("lossy.pcap"), &copy).expect("copy");
    let mut inputs = paths(&CAPTURES);
    inputs.insert(1, copy.to_string_lossy().into_owned());
    let mut said = BTreeMap::new();
    let mut datasets = BTreeMap::new();
    for jobs in [1, 2] {
        let dir = tmp.path().join(format!("dataset-{jobs}"));
        let d = dir.to_string_lossy().into_owned();
        let mut args = vec!["--format", "parquet", "-o", &d];
        args.extend(inputs.iter().map(String::as_str));
        said.insert(
            jobs,
            String::from_utf8(analyze(jobs, &args)).expect("utf-8"),
        );
        datasets.insert(jobs, dataset_files(&dir));
    }
    let lines: Vec<&str> = said[&1].lines().collect();
    assert_eq!(lines.len(), inputs.len(), "{}", said[&1]);
    assert!(
        lines[1].contains("added as capture=copy-of-lossy.pcap"),
        "{}",
        lines[1]
    );
    assert!(
        lines[3].ends_with("lossy.pcap: already in the dataset as capture=copy-of-lossy.pcap (same SHA-256); not added again"),
        "{}",
        lines[3]
    );
    assert_eq!(said[&1], said[&2], "the same lines in the same order");
    assert_eq!(
        datasets[&1].len(),
        3 * CAPTURES.len(),
        "three tables per capture"
    );
    assert!(
        datasets[&1] == datasets[&2],
        "-j 2's dataset differs from -j 1's"
    );
}

/// Runs `tcplab ARGS` with `input` on its standard input.
fn with_stdin(args: &[&str], input: Vec<u8>) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tcplab"));
    command.args(args);
    fed(command, input)
}

#[test]
fn standard_input_goes_into_the_dataset_hashed_as_it_is_read() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("dataset").to_string_lossy().into_owned();
    let file = data("lossy.pcap");
    let bytes = std::fs::read(&file).expect("capture");
    let args = ["analyze", "-", "--format", "parquet", "-o", &dir];
    let out = with_stdin(&args, bytes.clone());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "(standard input): added as capture=stdin (314 segments, 1 connection)\n"
    );
    // Its SHA-256 is the file's: the file itself is a copy already there,
    // and so is the same stream again.
    let f = file.to_string_lossy().into_owned();
    let again = tcplab(&["analyze", &f, "--format", "parquet", "-o", &dir]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).ends_with(
            "lossy.pcap: already in the dataset as capture=stdin (same SHA-256); not added again\n"
        ),
        "{}",
        stdout(&again)
    );
    let out = with_stdin(&args, bytes);
    assert_eq!(
        stdout(&out),
        "(standard input): already in the dataset as capture=stdin (same SHA-256); not added again\n"
    );
    let files = dataset_files(Path::new(&dir));
    assert_eq!(files.len(), 3, "one capture: {:?}", files.keys());
    assert!(files
        .keys()
        .all(|p| p.to_string_lossy().contains("capture=stdin/part-0.parquet")));
    let twice = tcplab(&["analyze", "-", "-", "--format", "parquet", "-o", &dir]);
    assert_eq!(twice.status.code(), Some(1));
    assert!(stderr(&twice).contains("named twice"), "{}", stderr(&twice));
}
