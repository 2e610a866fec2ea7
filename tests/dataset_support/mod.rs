//! Helpers of tests/dataset_duckdb.rs: finding DuckDB's Python, writing
//! the dataset from test captures, running docs/queries.sql, and the
//! answers to check against (tshark, `tcplab analyze --format json`);
//! tests/spark_dataset.rs finds its Python here too.
#![allow(dead_code)]

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where `.ci/install-deps` puts DuckDB's virtualenv.
pub const VENV_PYTHON: &str = "/opt/tcplab-venv/bin/python";

/// Runs the views and every `-- name:` query of the SQL file given as
/// argv[1] from the current directory; prints {name: [row objects]}.
pub const RUNNER: &str = r#"
import duckdb, json, re, sys
sql = open(sys.argv[1]).read()
parts = re.split(r'^-- name: ', sql, flags=re.M)
con = duckdb.connect()
con.execute(parts[0])
out = {}
for part in parts[1:]:
    name, body = part.split('\n', 1)
    cur = con.execute(body)
    cols = [d[0] for d in cur.description]
    out[name.strip()] = [dict(zip(cols, row)) for row in cur.fetchall()]
print(json.dumps(out, default=str))
"#;

/// The Python that has DuckDB, or `None` (after saying what to do).
pub fn python_with_duckdb() -> Option<String> {
    python_with(&["duckdb"], "the DuckDB test")
}

/// The Python (TCPLAB_PYTHON, else the virtualenv of `.ci/install-deps`)
/// that can import every one of `modules`, or `None` after saying what to
/// do; in CI (CI=true) a missing one fails `test`.
pub fn python_with(modules: &[&str], test: &str) -> Option<String> {
    let python = std::env::var("TCPLAB_PYTHON").unwrap_or_else(|_| VENV_PYTHON.to_string());
    let missing: Vec<&str> = modules
        .iter()
        .copied()
        .filter(|m| {
            !Command::new(&python)
                .args(["-c", &format!("import {m}")])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .collect();
    if missing.is_empty() {
        return Some(python);
    }
    let msg = format!(
        "{python} cannot import {}: run .ci/install-deps (as root; it installs them from PyPI into /opt/tcplab-venv) or set TCPLAB_PYTHON to a Python that has them",
        missing.join(", ")
    );
    assert!(!in_ci(), "{msg}");
    eprintln!("skipping {test}: {msg}");
    None
}

/// Captures of tests/data the dataset is made of: bulk, lossy, zero
/// windows, resets and refusals, two interfaces, a cut payload, a file
/// cut short, invalid times, a tunnel.
pub const CAPTURES: [&str; 12] = [
    "lossy.pcap",
    "congested.pcap",
    "zero-window.pcap",
    "emu-slow-reader.pcap",
    "rst.pcap",
    "syn-refused-retry.pcap",
    "multi-if.pcapng",
    "snaplen-96.pcap",
    "cut-mid-record.pcap",
    "bad-subsecond.pcap",
    "echo-two-clients.pcap",
    "vxlan.pcap",
];

pub struct Setup {
    pub _dir: tempfile::TempDir,
    /// The dataset's parent: the queries run from here.
    pub root: PathBuf,
    /// Every capture added, by partition name.
    pub files: BTreeMap<String, PathBuf>,
}

/// Copies `from` to `to`, making the directory.
pub fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().expect("a parent")).expect("mkdir");
    std::fs::copy(from, to).expect("copy");
}

/// A run made by tcplab at `pcap` (keepalive.pcap's bytes), with its
/// metadata beside it (`lab.json` for `lab.pcap`): a copy that differs at
/// both ends.
pub fn lab_run(pcap: &Path) {
    copy(&data("keepalive.pcap"), pcap);
    std::fs::write(
        pcap.with_extension("json"),
        r#"{"tcplab_version":"0.1.0","scenario":"file","capture_file":"captures/lab.pcap",
            "sent":{"bytes":10,"sha256":"aa"},"received":{"bytes":9,"sha256":"bb"},
            "identical":false,"capture":{"packets_saved":1,"kernel_received":1,
            "kernel_dropped":0,"interface_dropped":0,"complete":true}}"#,
    )
    .expect("metadata");
}

pub fn write_dataset() -> Setup {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().to_path_buf();
    // Another file called lossy.pcap (half-close's bytes): lossy-2.pcap.
    let other_lossy = root.join("other/lossy.pcap");
    copy(&data("half-close.pcap"), &other_lossy);
    // A run made by tcplab whose copy differs at both ends (keepalive's bytes).
    let run = root.join("run/lab.pcap");
    lab_run(&run);
    let mut files: Vec<PathBuf> = CAPTURES.iter().map(|c| data(c)).collect();
    files.push(other_lossy);
    files.push(run);
    let mut args = vec!["analyze".to_string()];
    args.extend(files.iter().map(|f| f.display().to_string()));
    args.extend(["--format", "parquet", "-o"].map(String::from));
    args.push(root.join("dataset").display().to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = tcplab(&args);
    // cut-mid-record and bad-subsecond are damaged: exit code 3.
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let text = stdout(&out);
    let mut added = BTreeMap::new();
    for (file, line) in files.iter().zip(text.lines()) {
        let name = line
            .split("added as capture=")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_else(|| panic!("{line:?} says the capture was added"));
        added.insert(name.to_string(), file.clone());
    }
    assert_eq!(added.len(), files.len(), "{text}");
    assert!(added.contains_key("lossy-2.pcap"), "{text}");
    assert!(text.contains("(314 segments, 1 connection)"), "{text}");
    Setup {
        _dir: dir,
        root,
        files: added,
    }
}

/// Runs docs/queries.sql against the dataset: {query name: rows}.
pub fn run_queries(python: &str, root: &Path) -> BTreeMap<String, Vec<Value>> {
    let queries = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/queries.sql");
    let out = Command::new(python)
        .current_dir(root)
        .args(["-c", RUNNER])
        .arg(&queries)
        .output()
        .expect("python runs");
    assert!(out.status.success(), "DuckDB: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("the runner's JSON")
}

/// `tcplab analyze --format json` of one capture: (capture stats, connections).
pub fn json_of(file: &Path) -> (Value, Vec<Value>) {
    let out = tcplab(&["analyze", &file.display().to_string(), "--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let capture = &doc["captures"][0];
    let conns = capture["connections"]
        .as_array()
        .expect("connections")
        .clone();
    (capture["capture"].clone(), conns)
}

/// tshark's TCP segments and those flagged retransmission (which it also
/// sets on fast and spurious ones), read as tests/tshark_oracle.rs does;
/// `None` when tshark refuses the file.
pub fn tshark_counts(file: &Path) -> Option<(u64, u64)> {
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(file)
        .args([
            "-Y",
            "tcp && !icmp && !icmpv6",
            "-T",
            "fields",
            "-E",
            "separator=/t",
        ])
        .args(["-E", "occurrence=f"])
        .args([
            "-e",
            "frame.number",
            "-e",
            "tcp.stream",
            "-e",
            "tcp.seq_raw",
        ])
        .args(["-e", "tcp.ack_raw", "-e", "tcp.len", "-e", "tcp.flags"])
        .args(["-e", "tcp.analysis.retransmission"])
        .output()
        .expect("tshark runs");
    if !out.status.success() && out.stdout.is_empty() {
        return None;
    }
    let (mut segments, mut retransmitted) = (0, 0);
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 7 || f[1..6].iter().any(|x| x.is_empty()) {
            continue;
        }
        segments += 1;
        retransmitted += u64::from(!f[6].is_empty());
    }
    Some((segments, retransmitted))
}

pub fn int(v: &Value) -> u64 {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("{v} is a count"))
}

pub fn event_count(c: &Value, event: &str) -> u64 {
    c["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["event"] == event)
        .map_or(0, |e| int(&e["count"]))
}

pub fn key(row: &Value) -> (String, u64) {
    (
        row["capture"].as_str().expect("capture").to_string(),
        int(&row["stream"]),
    )
}

/// Milliseconds rounded as the queries do.
pub fn ms(seconds: f64) -> f64 {
    (seconds * 1e6).round() / 1e3
}
