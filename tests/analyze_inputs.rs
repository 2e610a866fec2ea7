//! What `tcplab analyze` reads besides a plain file: standard input (`-`)
//! and captures compressed with gzip or zstd, found by their first bytes.
//! Each gives the same analysis as the plain file; a compressed file cut
//! short is analysed up to the cut, with a warning naming it.

mod common;

use common::*;
use std::io::Write;
use std::process::Command;

/// The text output with the capture's name replaced, for comparing.
fn text_of(args: &[&str], name: &str) -> String {
    let out = tcplab(args);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).replace(name, "CAPTURE")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("gzip");
    enc.finish().expect("gzip")
}

#[test]
fn gzip_and_zstd_captures_read_as_the_plain_file() {
    let plain = data("lossy.pcap");
    let bytes = std::fs::read(&plain).expect("capture");
    let dir = tempfile::tempdir().expect("temp dir");
    let gz = dir.path().join("lossy.pcap.gz");
    std::fs::write(&gz, gzip(&bytes)).expect("write");
    // A name that does not say it: the magic bytes decide.
    let zst = dir.path().join("lossy-zstd.cap");
    std::fs::write(&zst, zstd::encode_all(&bytes[..], 3).expect("zstd")).expect("write");
    let want = text_of(
        &["analyze", &plain.to_string_lossy()],
        &plain.to_string_lossy(),
    );
    for file in [&gz, &zst] {
        let name = file.to_string_lossy();
        assert_eq!(text_of(&["analyze", &name], &name), want, "{name}");
    }
    let csv = |f: &std::path::Path| {
        let out = tcplab(&["analyze", "--format", "csv", &f.to_string_lossy()]);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    assert_eq!(csv(&gz), csv(&plain), "every segment the same");
}

#[test]
fn standard_input_is_read_as_a_capture() {
    let plain = data("rst.pcap");
    let bytes = std::fs::read(&plain).expect("capture");
    for input in [bytes.clone(), gzip(&bytes)] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tcplab"));
        command.args(["analyze", "-"]);
        let out = fed(command, input);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.starts_with("capture (standard input) (pcap"), "{text}");
        assert!(text.contains("14 TCP segments in 2 connections"), "{text}");
    }
}

#[test]
fn a_compressed_capture_cut_short_is_analysed_up_to_the_cut() {
    let bytes = std::fs::read(data("lossy.pcap")).expect("capture");
    let whole = gzip(&bytes);
    let dir = tempfile::tempdir().expect("temp dir");
    let cut = dir.path().join("cut.pcap.gz");
    std::fs::write(&cut, &whole[..whole.len() / 2]).expect("write");
    let out = tcplab(&["analyze", &cut.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(3), "partial: {}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cut.pcap.gz") && err.contains("deflate"),
        "{err}"
    );
    let text = stdout(&out);
    assert!(text.contains("TCP segments in 1 connection"), "{text}");
}

/// `-f` keeps what tcpdump's filter matches: here one side of one of the
/// two echo connections. The others are counted, frame numbers stay the
/// file's, and JSON names the filter.
#[test]
fn a_read_filter_keeps_what_tcpdump_would() {
    let file = data("echo-two-clients.pcap");
    let name = file.to_string_lossy();
    let out = tcplab(&["analyze", "-f", "tcp src port 40001", &name]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("28 records, 8 TCP segments in 1 connection"),
        "{text}"
    );
    assert!(
        text.contains("read filter \"tcp src port 40001\": 20 of the 28 records did not match"),
        "{text}"
    );
    let csv = tcplab(&[
        "analyze",
        "--format",
        "csv",
        "-f",
        "tcp src port 40001",
        &name,
    ]);
    let all = tcplab(&["analyze", "--format", "csv", &name]);
    let kept: Vec<String> = stdout(&csv)
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or("").to_string())
        .collect();
    let theirs: Vec<String> = stdout(&all)
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(4) == Some("40001"))
        .map(|l| l.split(',').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(kept, theirs, "the same frames, with the file's numbers");
    let json = tcplab(&[
        "analyze",
        "--format",
        "json",
        "-f",
        "tcp src port 40001",
        &name,
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert_eq!(
        v["captures"][0]["capture"]["filter"]["expression"],
        "tcp src port 40001"
    );
    assert_eq!(v["captures"][0]["capture"]["filter"]["not_matching"], 20);
}

#[test]
fn a_bad_filter_is_one_line_before_any_file_is_read() {
    let out = tcplab(&[
        "analyze",
        "-f",
        "tcp port",
        "no-such-file.pcap",
        "another.pcap",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("\"tcp port\"") && err.contains("pcap-filter"),
        "{err}"
    );
    assert!(
        !err.contains("no-such-file"),
        "the files are not read: {err}"
    );
}

/// A directory is searched for captures (recursively, sorted by path,
/// other files left alone) and each is analysed in that order.
#[test]
fn a_directory_is_every_capture_in_it_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("class");
    std::fs::create_dir_all(root.join("group-b")).expect("mkdir");
    std::fs::copy(data("rst.pcap"), root.join("group-b/ana.pcap")).expect("copy");
    let bytes = std::fs::read(data("half-close.pcap")).expect("capture");
    std::fs::write(root.join("alba.pcap.gz"), gzip(&bytes)).expect("write");
    std::fs::write(root.join("notes.txt"), "not a capture").expect("write");
    let out = tcplab(&["analyze", &root.to_string_lossy()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let headers: Vec<String> = stdout(&out)
        .lines()
        .filter(|l| l.starts_with("capture "))
        .map(|l| l.split_whitespace().nth(1).unwrap_or_default().to_string())
        .collect();
    let name = |p: &str| root.join(p).to_string_lossy().into_owned();
    assert_eq!(headers, [name("alba.pcap.gz"), name("group-b/ana.pcap")]);
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let out = tcplab(&["analyze", &empty.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no capture in this directory"),
        "{}",
        stderr(&out)
    );
}
