//! `tcplab run-and-capture` for real: a private namespace, libpcap, the lab's
//! file copy and echo programs. These tests need root (CI runs as root):
//! without it they say so and skip on a developer machine, and fail in CI.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// False (and a message) when the test cannot run here; panics in CI.
fn can_capture(test: &str) -> bool {
    if is_root() {
        return true;
    }
    assert!(
        !in_ci(),
        "{test}: capture tests need root and CI runs them as root"
    );
    eprintln!("SKIPPED {test}: needs root (capture and network namespaces)");
    false
}

use common::lab_text::alice;

/// Runs run-and-capture into a fresh directory; returns the metadata JSON
/// and the directory.
fn run(args: &[&str]) -> (Value, tempfile::TempDir, std::process::Output) {
    let (dir, out) = common::emulated_run::run_in_temp(args);
    let meta = find(dir.path(), "json").map(|p| {
        serde_json::from_slice(&std::fs::read(p).expect("metadata readable"))
            .expect("metadata is JSON")
    });
    (meta.unwrap_or(Value::Null), dir, out)
}

fn find(dir: &Path, ext: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == ext))
}

/// The run's own namespace (named in the metadata) is gone afterwards.
fn no_namespace_left(meta: &Value) {
    let path = meta["path"].as_str().expect("path in metadata");
    let name = path
        .split(|c: char| c.is_whitespace() || c == ':')
        .find(|w| w.starts_with("tcplab-run-"))
        .unwrap_or_else(|| panic!("the run names its namespace: {path}"));
    let out = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .expect("ip runs");
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(
        !list
            .lines()
            .any(|l| l.split_whitespace().next() == Some(name)),
        "{name} left behind: {list}"
    );
}

fn analysis_of(dir: &Path) -> Value {
    let pcap = find(dir, "pcap").expect("a capture was written");
    let out = tcplab(&["analyze", "--format", "json", pcap.to_str().expect("utf-8")]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// A run of the file copy: `args` (the mode, the file), the file's size.
fn check_file_run(args: &[&str], size: u64) -> (Value, tempfile::TempDir) {
    let (meta, dir, out) = run(args);
    assert!(
        out.status.success(),
        "exit {:?}\n{}\n{}",
        out.status,
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(meta["sent"]["bytes"], size);
    assert_eq!(meta["received"]["bytes"], size);
    assert_eq!(meta["sent"]["sha256"], meta["received"]["sha256"]);
    assert_eq!(meta["identical"], true);
    assert_eq!(meta["capture"]["kernel_dropped"], 0);
    assert_eq!(
        meta["capture"]["complete"], true,
        "stopped after the teardown was captured"
    );
    let sockets = meta["sockets"].as_array().expect("socket snapshot");
    let states: Vec<&str> = sockets.iter().filter_map(|s| s["state"].as_str()).collect();
    assert!(states.contains(&"LISTEN"), "listening socket: {sockets:?}");
    assert_eq!(
        states.iter().filter(|s| **s == "ESTABLISHED").count(),
        2,
        "both connection endpoints: {sockets:?}"
    );

    let a = analysis_of(dir.path());
    let conns = a["captures"][0]["connections"]
        .as_array()
        .expect("connections");
    assert_eq!(conns.len(), 1, "exactly one connection");
    let c = &conns[0];
    assert_eq!(c["handshake"]["syn"]["flags"], "S");
    assert_eq!(c["handshake"]["syn_ack"]["flags"], "SA");
    assert!(c["handshake"]["ack"].is_object());
    assert_eq!(c["final_state"], "closed");
    assert_eq!(c["teardown"]["fins"].as_array().map(Vec::len), Some(2));
    // In the namespace lo has MTU 1500: no segment above 1448 bytes of payload.
    let segments =
        Path::new(meta["capture_file"].as_str().expect("capture file")).with_extension("csv");
    let csv = std::fs::read_to_string(segments).expect("segment csv readable");
    let max_len = csv
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(10)?.parse::<u32>().ok())
        .max();
    assert!(
        max_len.is_some_and(|m| m <= 1460),
        "wire-sized segments, got {max_len:?}"
    );
    // The lab's protocol and nothing else: the file (and in whole mode its
    // 7-byte header) from client to server, not one byte back.
    let header = if meta["mode"] == "whole" { 7 } else { 0 };
    assert_eq!(c["a_to_b"]["payload_bytes"], size + header);
    assert_eq!(c["b_to_a"]["payload_bytes"], 0);
    // The browser view of the run's connection beside its report, with
    // the sender's TCP_INFO series when the run sampled it.
    let reports = dir.path().join("reports");
    if let Some(view) = common::view_probe::run_view(&reports, &stdout(&out), &meta) {
        let sampled = !meta["tcp_info_file"].is_null();
        assert_eq!(view.kernel, sampled, "TCP_INFO on the view: {meta}");
    }
    no_namespace_left(&meta);
    (meta, dir)
}

/// The report (in English) says the copy is identical, with both hashes,
/// and that the capture carries the file (and header) and nothing else.
fn check_report(dir: &Path, meta: &Value) {
    let reports = dir.join("reports");
    let report = std::fs::read_dir(&reports)
        .expect("a report directory")
        .filter_map(|e| e.ok().map(|e| e.path().join("report.md")))
        .find(|p| p.exists())
        .expect("report.md written");
    let text = std::fs::read_to_string(report).expect("report readable");
    let sha = meta["sent"]["sha256"].as_str().expect("sha256");
    assert_eq!(text.matches(sha).count(), 2, "sent and received: {text}");
    assert!(text.contains("identical ✓"), "{text}");
    let size = meta["sent"]["bytes"].as_u64().expect("size");
    let wire = if meta["mode"] == "whole" {
        format!(
            "The client sent {} payload bytes: the lab's 7-byte header (6 digits and ':') and the file's {size} bytes, in one message; none came back.",
            size + 7
        )
    } else {
        format!("The client sent the file's {size} bytes line by line and nothing else")
    };
    assert!(text.contains(&wire), "{wire}\n{text}");
}

/// Exercise 4 in the run's report (in English): the lab's count of the
/// sockets, whose each one is, and the socket diagram with the real ports.
/// The expected rows come from the capture's connections (client N opened
/// stream N-1), not from the snapshot the report was made from.
fn check_socket_section(dir: &Path, meta: &Value) {
    let port = meta["server_port"].as_u64().expect("server port");
    let a = analysis_of(dir);
    let conns = a["captures"][0]["connections"]
        .as_array()
        .expect("connections");
    let n = conns.len();
    let report = std::fs::read_dir(dir.join("reports"))
        .expect("a report directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.join("report.md").exists())
        .expect("report.md written");
    let md = std::fs::read_to_string(report.join("report.md")).expect("report readable");
    let (matching, theirs) = if n == 1 {
        (" to its only client", "the client had 1")
    } else {
        (", one per client", "each client had 1")
    };
    let counted = format!(
        "While the connections were up, the server had {} sockets: 1 listening on port {port} and {n} connected{matching}; {theirs}, connected to port {port}. {} sockets in all.",
        n + 1,
        2 * n + 1
    );
    assert!(md.contains(&counted), "{counted}\n{md}");
    let svg = std::fs::read_to_string(report.join("sockets.svg")).expect("sockets.svg");
    assert!(std::fs::metadata(report.join("sockets.png")).is_ok_and(|m| m.len() > 0));
    let ep = |v: &Value| format!("{}:{}", v["addr"].as_str().expect("addr"), v["port"]);
    for c in conns {
        let stream = c["stream"].as_u64().expect("stream");
        let (client, server) = if c["client"] == "a_to_b" {
            (ep(&c["a"]), ep(&c["b"]))
        } else {
            (ep(&c["b"]), ep(&c["a"]))
        };
        assert!(server.ends_with(&format!(":{port}")), "{server}");
        let k = stream + 1;
        for row in [
            format!("| server: connected to client {k} | {server} | {client} | ESTABLISHED | stream {stream} |"),
            format!("| client {k} | {client} | {server} | ESTABLISHED | stream {stream} |"),
        ] {
            assert!(md.contains(&row), "{row}\n{md}");
        }
        for label in [
            &client,
            &server,
            &format!("Client {k}"),
            &format!("stream {stream}"),
        ] {
            assert!(svg.contains(label.as_str()), "sockets.svg lacks {label}");
        }
    }
    assert!(
        md.contains(&format!("| server: listening socket | 127.0.0.1:{port} |")),
        "{md}"
    );
    assert!(svg.contains("listening (LISTEN)"));
}

#[test]
fn root_run_and_capture_alice_whole() {
    if can_capture("root_run_and_capture_alice_whole") {
        let file = alice();
        let args = [
            "--mode",
            "whole",
            "--lang",
            "en",
            file.to_str().expect("utf-8"),
        ];
        let (meta, dir) = check_file_run(&args, 148_495);
        check_report(dir.path(), &meta);
    }
}

#[test]
fn root_run_and_capture_alice_lines() {
    if can_capture("root_run_and_capture_alice_lines") {
        let file = alice();
        let args = [
            "--mode",
            "lines",
            "--lang",
            "en",
            file.to_str().expect("utf-8"),
        ];
        let (meta, dir) = check_file_run(&args, 148_495);
        check_report(dir.path(), &meta);
    }
}

/// The default mode (whole: the file in one message with the lab's 6-digit
/// header) on the lab's text, with its report.
#[test]
fn root_run_and_capture_alice_default_mode() {
    if can_capture("root_run_and_capture_alice_default_mode") {
        let file = alice();
        let (meta, dir) = check_file_run(&["--lang", "en", file.to_str().expect("utf-8")], 148_495);
        assert_eq!(meta["mode"], "whole");
        check_report(dir.path(), &meta);
        check_socket_section(dir.path(), &meta);
    }
}

/// Issue #18: a 31-byte file line by line is 31 payload bytes from client to
/// server in the capture, and none back.
#[test]
fn root_run_and_capture_31_bytes_lines() {
    if can_capture("root_run_and_capture_31_bytes_lines") {
        let tmp = tempfile::tempdir().expect("temp dir");
        let file = tmp.path().join("nonl.txt");
        std::fs::write(&file, b"primera linea\nsegunda sin final").expect("writing");
        assert_eq!(std::fs::metadata(&file).expect("written").len(), 31);
        check_file_run(&["--mode", "lines", file.to_str().expect("utf-8")], 31);
    }
}

#[test]
fn root_run_and_capture_default_payload() {
    if !can_capture("root_run_and_capture_default_payload") {
        return;
    }
    let (meta, _dir, out) = run(&[]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(meta["file_name"], "tcplab-payload.txt");
    assert_eq!(meta["sent"]["bytes"], 150_000);
    assert_eq!(meta["identical"], true);
    let text = stdout(&out);
    assert!(
        text.contains("== stream 0") && text.contains("wrote:"),
        "{text}"
    );
    no_namespace_left(&meta);
}

#[test]
fn root_run_and_capture_echo_two_clients() {
    if !can_capture("root_run_and_capture_echo_two_clients") {
        return;
    }
    let (meta, dir, out) = run(&["--scenario", "echo", "--lang", "en"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let established = meta["sockets"]
        .as_array()
        .expect("sockets")
        .iter()
        .filter(|s| s["state"] == "ESTABLISHED")
        .count();
    assert_eq!(established, 4, "two clients: two sockets each side");
    let a = analysis_of(dir.path());
    let conns = a["captures"][0]["connections"]
        .as_array()
        .expect("connections");
    assert_eq!(conns.len(), 2);
    for c in conns {
        assert_eq!(c["final_state"], "closed");
        // Three messages each way: "client N message M\n" is 19 bytes.
        assert_eq!(c["a_to_b"]["payload_bytes"], 57);
        assert_eq!(c["b_to_a"]["payload_bytes"], 57);
    }
    check_socket_section(dir.path(), &meta);
    // Two connections: the view opens on the report's.
    common::view_probe::run_view(&dir.path().join("reports"), &stdout(&out), &meta);
    no_namespace_left(&meta);
}

#[test]
fn root_host_loopback_says_segments_are_large() {
    if !can_capture("root_host_loopback_says_segments_are_large") {
        return;
    }
    let (meta, _dir, out) = run(&["--host-loopback"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(meta["path"].as_str().is_some_and(|p| p.contains("64 KB")));
}

#[test]
fn without_privileges_the_error_names_the_fix() {
    if !is_root() || !have("setpriv") {
        assert!(!in_ci(), "CI runs as root with setpriv (util-linux)");
        eprintln!("SKIPPED: needs root to drop privileges with setpriv");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let out = tcplab_as_nobody()
        .args(["run-and-capture", "--out-dir"])
        .arg(dir.path())
        .output()
        .expect("setpriv runs");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("needs root") && err.contains("setcap cap_net_raw,cap_net_admin=eip"),
        "{err}"
    );
}
