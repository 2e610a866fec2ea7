//! `tcplab plot` output files and errors: PNG size and resolution read from
//! the PNG header, `--all` into a directory, and one-line errors that say
//! what to do (unknown stream, unknown image format).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn tcplab(args: &[&str], capture: &str, out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tcplab"))
        .arg("plot")
        .arg(data(capture))
        .args(args)
        .arg("-o")
        .arg(out)
        .output()
        .expect("run tcplab")
}

/// Width and height from the IHDR chunk, and pixels per metre from pHYs.
fn png_header(bytes: &[u8]) -> ((u32, u32), Option<u32>) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let size = (be(16), be(20));
    let phys = bytes
        .windows(4)
        .position(|w| w == b"pHYs")
        .map(|at| be(at + 4));
    (size, phys)
}

#[test]
fn png_is_twice_the_svg_size_at_300_dpi() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("tcptrace.png");
    let run = tcplab(&["--graph", "tcptrace"], "congested.pcap", &out);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (size, per_metre) = png_header(&std::fs::read(&out).expect("PNG written"));
    assert_eq!(size, (2048, 1280));
    // 300 dpi = 11811 pixels per metre.
    assert_eq!(per_metre, Some(11811));
}

#[test]
fn all_writes_every_graph_of_the_connection() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("graphs");
    let run = tcplab(
        &["--all", "--format", "png", "--stream", "1"],
        "echo-two-clients.pcap",
        &out,
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for graph in [
        "stevens",
        "tcptrace",
        "throughput",
        "rtt",
        "window",
        "ladder",
    ] {
        let file = out.join(format!("stream1-{graph}.png"));
        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let ((w, h), _) = png_header(&bytes);
        assert_eq!(w, 2048, "{graph}");
        assert!(h >= 1000, "{graph}: {h} px high");
    }
}

#[test]
fn an_unknown_stream_is_named_with_the_streams_that_exist() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = tcplab(
        &["--graph", "stevens", "--stream", "7"],
        "echo-two-clients.pcap",
        &dir.path().join("x.svg"),
    );
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("there is no stream 7"), "{err}");
    assert!(
        err.contains("0 (127.0.0.1:40001 ↔ 127.0.0.1:5001), 1 (127.0.0.1:40002 ↔ 127.0.0.1:5001)"),
        "{err}"
    );
}

#[test]
fn the_image_format_comes_from_the_extension() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = tcplab(
        &["--graph", "rtt"],
        "lossy.pcap",
        &dir.path().join("rtt.jpg"),
    );
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("rtt.jpg: unknown image format; name the file .svg or .png"),
        "{err}"
    );
}

#[test]
fn a_damaged_capture_is_plotted_up_to_the_damage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("stevens.svg");
    let run = tcplab(&["--graph", "stevens"], "cut-mid-record.pcap", &out);
    assert_eq!(
        run.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(String::from_utf8_lossy(&run.stderr).contains("warning"));
    assert!(out.exists());
}

#[test]
fn a_bad_interval_is_refused_by_the_parser() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = tcplab(
        &["--graph", "throughput", "--interval", "fast"],
        "lossy.pcap",
        &dir.path().join("t.svg"),
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("is not a duration"));
}

/// The graph file is written whole beside its name and then moved there,
/// over an older graph of that name; no hidden file stays.
#[test]
fn the_graph_replaces_an_older_file_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("g.png");
    std::fs::write(&out, "old").expect("write");
    let run = tcplab(&["-g", "stevens"], "ns-lo-v4.pcap", &out);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let bytes = std::fs::read(&out).expect("graph");
    assert!(png_header(&bytes).0 .0 > 0);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names.len(), 1, "no hidden file stays: {names:?}");
}
