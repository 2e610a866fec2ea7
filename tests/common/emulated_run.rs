//! One `run-and-capture` across the emulated link, as the tests of the
//! emulated path make it: into a temporary directory, with its metadata,
//! segment CSV, companion files and lab report at hand.

use super::{stderr, stdout, tcplab};
use serde_json::Value;
use std::path::PathBuf;

pub struct Run {
    pub meta: Value,
    pub dir: tempfile::TempDir,
    pub out: std::process::Output,
}

impl Run {
    pub fn base(&self) -> PathBuf {
        PathBuf::from(self.meta["capture_file"].as_str().expect("capture_file")).with_extension("")
    }

    /// The segment CSV as rows of fields.
    pub fn segments(&self) -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(self.base().with_extension("csv")).expect("segment csv");
        text.lines()
            .skip(1)
            .map(|l| l.split(',').map(String::from).collect())
            .collect()
    }

    pub fn file(&self, suffix: &str) -> String {
        std::fs::read_to_string(format!("{}{suffix}", self.base().display()))
            .unwrap_or_else(|e| panic!("{suffix}: {e}"))
    }
}

/// `tcplab run-and-capture ARGS` writing into a fresh temporary directory
/// (its reports in `reports/` there), whatever its exit status.
pub fn run_in_temp(args: &[&str]) -> (tempfile::TempDir, std::process::Output) {
    let dir = tempfile::tempdir().expect("temp dir");
    let reports = dir.path().join("reports");
    let mut v = vec![
        "run-and-capture",
        "--out-dir",
        dir.path().to_str().expect("utf-8"),
        "--report-dir",
        reports.to_str().expect("utf-8"),
    ];
    v.extend_from_slice(args);
    let out = tcplab(&v);
    (dir, out)
}

pub fn run(args: &[&str]) -> Run {
    let (dir, out) = run_in_temp(args);
    assert!(
        out.status.success(),
        "tcplab run-and-capture {args:?}: exit {:?}\n{}\n{}",
        out.status,
        stdout(&out),
        stderr(&out)
    );
    let json = std::fs::read_dir(dir.path())
        .expect("out dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("metadata written");
    let meta = serde_json::from_slice(&std::fs::read(json).expect("metadata")).expect("JSON");
    Run { meta, dir, out }
}

pub fn report_md(r: &Run) -> String {
    let reports = r.dir.path().join("reports");
    let dir = std::fs::read_dir(&reports)
        .expect("reports dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .next()
        .expect("one report");
    std::fs::read_to_string(dir.join("report.md")).expect("report.md")
}
