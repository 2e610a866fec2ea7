//! `tcplab summary`: one row per capture, each row equal to what
//! `tcplab analyze --format json` (and a run's own report) says of that
//! capture; the same output whatever the number of workers.

mod common;

use common::{data, data_dir, root_or_skip, stderr, stdout, tcplab};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The CSV's rows by capture, each a map from column to value.
fn csv_rows(text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().expect("a header").split(',').collect();
    lines
        .map(|line| {
            // The test captures' names hold no comma; the error column is last.
            let fields: Vec<&str> = line.splitn(head.len(), ',').collect();
            assert_eq!(fields.len(), head.len(), "{line}");
            let row: BTreeMap<String, String> = head
                .iter()
                .zip(&fields)
                .map(|(h, f)| (h.to_string(), f.to_string()))
                .collect();
            (row["capture"].clone(), row)
        })
        .collect()
}

/// What a row must say, computed from a capture's analysis JSON (the
/// schema of docs/analyze-json.md, also the report's summary.json).
fn expected(capture: &Value) -> BTreeMap<&'static str, u64> {
    let conns = capture["connections"].as_array().expect("connections");
    let mut want = BTreeMap::new();
    want.insert(
        "packets",
        capture["capture"]["records"].as_u64().expect("records"),
    );
    want.insert("connections", conns.len() as u64);
    let mut add = |k: &'static str, n: u64| *want.entry(k).or_insert(0) += n;
    for c in conns {
        let mut zero = 0;
        for e in c["events"].as_array().expect("events") {
            if e["event"] == "zero_window" {
                zero += e["count"].as_u64().expect("count");
            }
        }
        add("zero_windows", zero);
        add("zero_window_connections", u64::from(zero > 0));
        for dir in ["a_to_b", "b_to_a"] {
            let d = &c[dir];
            let s = &d["sent_again"];
            let n = |v: &Value| v.as_u64().expect("a count");
            add("payload_bytes", n(&d["payload_bytes"]));
            add("unique_bytes", n(&d["unique_bytes"]));
            add("sent_again", n(&s["segments"]) + n(&s["control_segments"]));
            for m in [
                "fast_recovery",
                "timeout",
                "tail_loss_probe",
                "spurious",
                "unexplained",
            ] {
                add(m, n(&s[m]));
            }
        }
    }
    want
}

fn check_row(row: &BTreeMap<String, String>, capture: &Value, what: &str) {
    for (column, want) in expected(capture) {
        assert_eq!(
            row[column].parse::<u64>().ok(),
            Some(want),
            "{what}: column {column} in {row:?}"
        );
    }
}

const SOME: [&str; 8] = [
    "lossy.pcap",
    "congested.pcap",
    "zero-window.pcap",
    "retrans-synth.pcap",
    "emu-loss.pcap",
    "echo-two-clients.pcap",
    "syn-refused-retry.pcap",
    "vxlan.pcap",
];

#[test]
fn each_row_is_what_analyze_says_of_its_capture() {
    let files: Vec<String> = SOME.iter().map(|f| data(f).display().to_string()).collect();
    let mut args = vec!["summary", "--format", "csv"];
    args.extend(files.iter().map(String::as_str));
    let out = tcplab(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = csv_rows(&stdout(&out));
    assert_eq!(rows.len(), SOME.len());
    let mut some_sent_again = false;
    for file in &files {
        let json = tcplab(&["analyze", "--format", "json", file]);
        assert!(json.status.success(), "{}", stderr(&json));
        let v: Value = serde_json::from_slice(&json.stdout).expect("JSON");
        let capture = &v["captures"][0];
        let row = &rows[file.as_str()];
        check_row(row, capture, file);
        some_sent_again |= row["sent_again"] != "0";
        assert_eq!(row["copy"], "", "{file}: not a run made by tcplab");
    }
    assert!(some_sent_again, "the chosen captures include losses");
    // The RTT columns: zero-window.pcap's smallest ACK RTT is 7 µs.
    let zw = &rows[data("zero-window.pcap").display().to_string().as_str()];
    assert_eq!(zw["rtt_min_s"], "0.000007000");
}

#[test]
fn the_same_output_with_one_worker_or_several() {
    let dir = data_dir().display().to_string();
    for format in ["text", "csv", "html"] {
        let one = tcplab(&["summary", "-j", "1", "--format", format, &dir]);
        let three = tcplab(&["summary", "-j", "3", "--format", format, &dir]);
        assert_eq!(one.stdout, three.stdout, "--format {format}");
        assert_eq!(one.status.code(), three.status.code());
        // tests/data holds damaged and unreadable captures on purpose: the
        // others are summarised, the command says it is partial (3).
        assert_eq!(one.status.code(), Some(3), "{}", stderr(&one));
    }
    let text = stdout(&tcplab(&["summary", "-j", "2", &dir]));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("capture "), "{text}");
    let truncated = lines
        .iter()
        .find(|l| l.contains("truncated-header.pcap"))
        .expect("the unreadable capture has its row");
    assert!(truncated.contains("(not read)*"), "{truncated}");
    assert!(
        text.contains("* ") && text.contains("too short for a capture file header"),
        "the reason is in the notes: {text}"
    );
    // Rows in the order of the directory's sorted listing.
    let names: Vec<&str> = lines[1..]
        .iter()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[test]
fn html_goes_to_a_file_and_a_bad_filter_is_one_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("class.html");
    let lossy = data("lossy.pcap").display().to_string();
    let out = tcplab(&[
        "summary",
        "--format",
        "html",
        "--lang",
        "es",
        "-o",
        page.to_str().expect("utf-8"),
        &lossy,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let html = std::fs::read_to_string(&page).expect("the page");
    assert!(html.contains("<html lang=\"es\">") && html.contains("<th>reenviados</th>"));
    assert!(html.contains("5 (4 rec. rápida, 1 por timeout)"), "{html}");
    let bad = tcplab(&["summary", "-f", "tcp port", &lossy]);
    assert_eq!(bad.status.code(), Some(1));
    let err = stderr(&bad);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("tcp port"), "{err}");
}

/// A class's runs: every row matches the run's own report and says the
/// copy arrived identical.
#[test]
fn a_class_of_runs_summarised_as_each_report_says() {
    if !root_or_skip("a_class_of_runs_summarised_as_each_report_says") {
        return;
    }
    const RUNS: usize = 60;
    let dir = tempfile::tempdir().expect("temp dir");
    let (captures, reports) = (dir.path().join("class"), dir.path().join("reports"));
    for i in 0..RUNS {
        // Students send files of different sizes, in both of the lab's modes.
        let size = format!("{}", 2_000 + 997 * i);
        let mode = if i % 2 == 0 { "whole" } else { "lines" };
        let out = tcplab(&[
            "run-and-capture",
            "--payload-size",
            &size,
            "--mode",
            mode,
            "--out-dir",
            captures.to_str().expect("utf-8"),
            "--report-dir",
            reports.to_str().expect("utf-8"),
        ]);
        assert!(out.status.success(), "run {i}: {}", stderr(&out));
    }
    let out = tcplab(&[
        "summary",
        "--format",
        "csv",
        captures.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = csv_rows(&stdout(&out));
    assert_eq!(rows.len(), RUNS, "one row per run");
    for (capture, row) in &rows {
        let stem = Path::new(capture)
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a name");
        let summary = reports.join(stem).join("summary.json");
        let text = std::fs::read_to_string(&summary)
            .unwrap_or_else(|e| panic!("{}: {e}", summary.display()));
        let v: Value = serde_json::from_str(&text).expect("JSON");
        check_row(row, &v["captures"][0], capture);
        assert_eq!(row["copy"], "identical", "{capture}");
    }
}
