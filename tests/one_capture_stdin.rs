//! `report`, `plot` and `view` read standard input (`-`): copied to a
//! private temporary file first (they read the capture more than once),
//! removed when the command ends; a directory is refused in one line.

mod common;

use common::*;
use std::path::Path;
use std::process::{Command, Output};

/// `tcplab ARGS` with the capture's bytes on standard input and TMPDIR in
/// `tmp`, which must be empty again afterwards.
fn from_stdin(args: &[&str], capture: &str, tmp: &Path) -> Output {
    let input = std::fs::read(data(capture)).expect("capture");
    let mut command = Command::new(env!("CARGO_BIN_EXE_tcplab"));
    command.args(args).env("TMPDIR", tmp);
    let out = fed(command, input);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    let left: Vec<_> = std::fs::read_dir(tmp).expect("tmp").collect();
    assert!(left.is_empty(), "{args:?} left {left:?} in TMPDIR");
    out
}

#[test]
fn report_plot_and_view_read_standard_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).expect("mkdir");
    let out = |name: &str| dir.path().join(name).to_string_lossy().into_owned();

    let report = out("report");
    from_stdin(
        &["report", "-", "-o", &report, "--lang", "en"],
        "lossy.pcap",
        &tmp,
    );
    let md = std::fs::read_to_string(dir.path().join("report/report.md")).expect("report.md");
    assert!(
        md.contains("10.77.0.1"),
        "the capture's connection is in the report"
    );

    let svg = out("stevens.svg");
    from_stdin(
        &["plot", "-", "--graph", "stevens", "-o", &svg],
        "lossy.pcap",
        &tmp,
    );
    let drawn = std::fs::read_to_string(&svg).expect("svg");
    assert!(drawn.contains("<svg"), "an SVG");

    let html = out("view.html");
    let said = from_stdin(&["view", "-", "-o", &html], "rst.pcap", &tmp);
    assert_eq!(stdout(&said).trim(), html);
    let page = std::fs::read_to_string(&html).expect("view.html");
    assert!(page.contains("<html"), "a page");
}

#[test]
fn a_directory_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path().to_string_lossy().into_owned();
    let o = dir.path().join("out.svg").to_string_lossy().into_owned();
    for args in [
        vec!["report", &d],
        vec!["view", &d],
        vec!["plot", &d, "--graph", "stevens", "-o", &o],
    ] {
        let out = tcplab(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(
            err.contains("a directory") && err.contains("tcplab summary or tcplab analyze"),
            "{err}"
        );
    }
}
