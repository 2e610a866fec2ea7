//! `tcplab analyze` as a user runs it: formats, stream selection, exit codes
//! and one-line errors for bad input. Expectations name the frames they check
//! (see tests/data/README.md for how each capture was made).

mod common;

use common::*;

fn analyze(args: &[&str]) -> std::process::Output {
    let mut v = vec!["analyze"];
    v.extend_from_slice(args);
    tcplab(&v)
}

fn path(name: &str) -> String {
    data(name).to_string_lossy().into_owned()
}

#[test]
fn csv_header_is_exactly_the_documented_one() {
    let out = analyze(&["--format", "csv", &path("ns-lo-v4.pcap")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("frame,time,stream,src,sport,dst,dport,seq,ack,next_seq,len,flags,win,win_scaled,sack,events,ack_rtt,bytes_in_flight")
    );
    let first: Vec<&str> = lines.next().expect("a first segment").split(',').collect();
    assert_eq!(first[0], "1", "frame numbers start at 1");
    assert_eq!(first[11], "S", "the capture starts with the SYN");
    assert_eq!(
        first[13], first[12],
        "a SYN's window is never scaled, so it is known"
    );
}

#[test]
fn scaled_window_is_empty_when_the_handshake_was_not_seen() {
    let out = analyze(&["--format", "csv", &path("midstream.pcap")]);
    let text = stdout(&out);
    let row: Vec<&str> = text.lines().nth(1).expect("a segment").split(',').collect();
    assert!(!row[12].is_empty());
    assert_eq!(row[13], "", "win_scaled unknown without the handshake");
}

#[test]
fn handshake_and_teardown_use_absolute_numbers() {
    let out = analyze(&[&path("wraparound.pcap")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    // synth.py: client ISN 4294967000, server ISN 4294960000.
    assert!(
        text.contains("4294967000"),
        "client ISN shown absolute:\n{text}"
    );
    assert!(
        text.contains("4294960000"),
        "server ISN shown absolute:\n{text}"
    );
    assert!(text.contains("state: closed"), "{text}");
}

#[test]
fn json_has_connections_with_handshake_and_events() {
    let out = analyze(&["--format", "json", &path("congested.pcap")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(doc["tcplab_schema"], 1);
    let conn = &doc["captures"][0]["connections"][0];
    assert_eq!(conn["stream"], 0);
    assert_eq!(conn["handshake"]["syn"]["flags"], "S");
    assert_eq!(conn["final_state"], "closed");
    let events = conn["events"].as_array().expect("events array");
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "fast_retransmission" || e["event"] == "retransmission"),
        "the congested path loses segments: {events:?}"
    );
}

#[test]
fn stream_option_restricts_every_output() {
    let out = analyze(&[
        "--format",
        "csv",
        "--stream",
        "1",
        &path("echo-two-clients.pcap"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|r| r.split(',').nth(2) == Some("1")),
        "only stream 1"
    );

    let out = analyze(&["--stream", "7", &path("echo-two-clients.pcap")]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("no stream 7"), "{}", stderr(&out));
}

#[test]
fn segments_file_is_written_beside_the_text_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("seg.csv");
    let out = analyze(&[
        "--segments",
        csv.to_str().expect("utf-8"),
        &path("rst.pcap"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("reset (RST)"));
    let rows = std::fs::read_to_string(&csv).expect("CSV written");
    assert!(rows.lines().count() > 5);
}

#[test]
fn not_a_capture_is_a_one_line_error() {
    let out = analyze(&[&path("not-a-capture.txt")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("not-a-capture.txt") && err.contains("not a pcap or pcapng"),
        "{err}"
    );
}

#[test]
fn truncated_header_is_a_one_line_error() {
    let out = analyze(&[&path("truncated-header.pcap")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("truncated-header.pcap") && err.contains("too short"),
        "{err}"
    );
}

#[test]
fn a_file_cut_mid_record_is_analysed_up_to_the_damage() {
    let out = analyze(&[&path("cut-mid-record.pcap")]);
    assert_eq!(out.status.code(), Some(3), "partial result exit code");
    let err = stderr(&out);
    assert!(err.contains("cut-mid-record.pcap: record "), "{err}");
    assert!(err.contains(" at byte "), "names the offset: {err}");
    assert!(err.contains("analysed the "), "{err}");
    assert!(
        stdout(&out).contains("== stream 0"),
        "what came before is still reported"
    );
    assert!(
        stdout(&out).contains("WARNING"),
        "the report itself says the file is damaged"
    );
}

#[test]
fn an_absurd_record_length_stops_reading_with_a_warning() {
    let out = analyze(&[&path("absurd-length.pcap")]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(err.contains("record 3") && err.contains("claims"), "{err}");
    assert!(stdout(&out).contains("2 records"), "{}", stdout(&out));
}

#[test]
fn an_unsupported_link_type_is_named() {
    let out = analyze(&[&path("bad-linktype.pcap")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("link type 147 is not supported"), "{err}");
}

#[test]
fn garbage_packets_are_counted_not_hidden() {
    let out = analyze(&[&path("garbage-inside.pcap")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not TCP segments"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("not TCP segments ("),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_missing_file_fails_and_names_it() {
    let out = analyze(&["/nonexistent/x.pcap"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("/nonexistent/x.pcap: cannot open"));
}

#[test]
fn snaplen_truncation_is_reported_and_lengths_come_from_ip() {
    let out = analyze(&[&path("snaplen-96.pcap")]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains("payload bytes missing (snap length)"),
        "{text}"
    );
    assert!(
        text.contains("100000 unique"),
        "the 100000-byte transfer is counted whole:\n{text}"
    );
}

#[test]
fn pcapng_with_two_link_types_reads_both() {
    let out = analyze(&[&path("multi-if.pcapng")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("ETHERNET") && text.contains("RAW"), "{text}");
    assert!(text.contains("== stream 1"), "{text}");
}

#[test]
fn midstream_capture_says_the_handshake_is_missing() {
    let out = analyze(&[&path("midstream.pcap")]);
    let text = stdout(&out);
    assert!(text.contains("started before it"), "{text}");
    assert!(text.contains("window scaling unknown"), "{text}");
}

#[test]
fn segments_json_carries_relative_numbers_and_timestamps() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("seg.jsonl");
    let out = analyze(&[
        "--segments-json",
        file.to_str().expect("utf-8"),
        &path("retrans-synth.pcap"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&file).expect("written");
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(rows[0]["flags"], "S");
    assert_eq!(rows[0]["rel_seq"], 0);
    assert!(rows[0]["tsval"].is_number());
    assert_eq!(
        rows[1]["acked_frame"], 1,
        "the SYN/ACK acknowledges the SYN"
    );
    let retrans: Vec<&serde_json::Value> = rows
        .iter()
        .filter(|r| {
            r["events"]
                .as_array()
                .is_some_and(|e| e.iter().any(|x| x == "retransmission"))
        })
        .collect();
    assert!(!retrans.is_empty());
    assert!(
        retrans.iter().all(|r| r["retransmission_of"].is_number()),
        "each names the original"
    );
}

/// `tcplab analyze --format csv FILE | head` is not an error (exit 0, no
/// message); a full disk is, named with the output that failed.
#[test]
fn a_closed_pipe_is_not_an_error_a_full_disk_is() {
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::process::{Command, Stdio};
    // A pipe of one page: the CSV (32 KB) cannot fit in it, so tcplab is
    // still writing when the reader goes away.
    let mut fds = [0; 2];
    // Close-on-exec: tcplab must not inherit the read end too.
    // SAFETY: `fds` has room for the two descriptors pipe2() writes.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    // SAFETY: pipe2() succeeded; each descriptor is owned once.
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // SAFETY: a valid pipe descriptor.
    assert!(unsafe { libc::fcntl(fds[1], libc::F_SETPIPE_SZ, 4096) } >= 4096);
    let child = Command::new(env!("CARGO_BIN_EXE_tcplab"))
        .args(["analyze", "--format", "csv", &path("congested.pcap")])
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .spawn()
        .expect("tcplab starts");
    let mut first = [0u8; 16];
    std::fs::File::from(reader)
        .read_exact(&mut first)
        .expect("the header comes");
    // The reader is closed here, long before the CSV is all written.
    let out = child.wait_with_output().expect("tcplab ends");
    assert_eq!(&first, b"frame,time,strea");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");

    if std::path::Path::new("/dev/full").exists() {
        let out = analyze(&[
            "--segments-json",
            "/dev/full",
            "--stream",
            "0",
            &path("congested.pcap"),
        ]);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            stderr(&out).trim(),
            "tcplab: error: writing the segment JSON Lines: No space left on device (os error 28)"
        );
    }
}

/// Counts agree with their nouns: "1 connection", "1 sample", "1 packet",
/// never "connection(s)" or "1 samples".
#[test]
fn counts_agree_with_their_nouns() {
    let out = analyze(&[&path("rst.pcap")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(" TCP segments in 2 connections\n"), "{text}");
    assert!(text.contains("(1 sample)"), "{text}");
    assert!(text.contains("      1 packet, 60 bytes (IP)"), "{text}");
    assert!(
        text.lines()
            .all(|l| !l.contains("(s)") || l.contains("time (s)")),
        "{text}"
    );
    assert!(
        !text.contains(" 1 samples") && !text.contains(" 1 packets"),
        "{text}"
    );
    let out = analyze(&[&path("lossy.pcap")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(" TCP segments in 1 connection\n"), "{text}");
    assert!(text.contains("(84 samples)"), "{text}");
}

/// Per-segment files appear whole or not at all: a capture that cannot be
/// read leaves no file behind. A link another user planted under the
/// file's name in a shared directory (as root, in /tmp) is refused and
/// what it points at stays as it was; a device is written as it is.
#[test]
fn per_segment_files_are_written_whole_and_never_through_a_planted_link() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("segments.csv");
    let out = analyze(&[
        "--segments",
        &csv.to_string_lossy(),
        &path("not-a-capture.txt"),
    ]);
    assert!(!out.status.success());
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
    assert!(left.is_empty(), "a failed run left {left:?}");

    let out = analyze(&["--segments", "/dev/null", &path("rst.pcap")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let null = std::fs::symlink_metadata("/dev/null").expect("meta");
    assert!(!null.is_file(), "/dev/null is still a device");

    if !is_root() {
        assert!(!in_ci(), "CI runs as root");
        eprintln!("SKIPPED (planted link): needs root to make another user's link");
        return;
    }
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).expect("chmod");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").expect("write");
    std::os::unix::fs::symlink(&victim, &csv).expect("symlink");
    std::os::unix::fs::lchown(&csv, Some(65534), Some(65534)).expect("lchown");
    let out = analyze(&["--segments", &csv.to_string_lossy(), &path("rst.pcap")]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("segments.csv") && err.contains("another user") && err.lines().count() == 1,
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious"
    );
}

/// `--only` keeps the connections that have any of the events, and in
/// per-segment output the segments that have one.
#[test]
fn only_keeps_connections_and_segments_with_the_events() {
    let out = analyze(&[
        "--format",
        "csv",
        "--only",
        "retransmission,fast_retransmission",
        &path("lossy.pcap"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<String> = stdout(&out).lines().skip(1).map(String::from).collect();
    assert!(!rows.is_empty(), "lossy.pcap has retransmissions");
    for row in &rows {
        let events = row.split(',').nth(15).unwrap_or_default();
        assert!(events.contains("retransmission"), "{row}");
    }
    let quiet = analyze(&[
        "--format",
        "json",
        "--only",
        "retransmission",
        &path("echo-two-clients.pcap"),
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&quiet)).expect("JSON");
    assert_eq!(
        v["captures"][0]["connections"].as_array().map(Vec::len),
        Some(0)
    );
    let text = stdout(&analyze(&[
        "--only",
        "zero_window",
        &path("echo-two-clients.pcap"),
    ]));
    assert!(
        text.contains("--only zero_window: 0 of the 2 connections shown"),
        "{text}"
    );
    let bad = analyze(&["--only", "lost", &path("lossy.pcap")]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("lost_segment"),
        "the valid names are listed"
    );
}
