//! `tcplab capture` on the host's loopback against traffic the test makes
//! there itself (connections to a listener of its own, on a port nobody
//! else uses): exactly the packets asked for, all matching the filter, in
//! pcapng files that tshark and `tcplab analyze` open, rotated as asked.
//! Needs root (capture); fails in CI without it.

mod common;

use common::traffic::Traffic;
use common::*;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `tcplab capture -i lo -f 'tcp port PORT' -w FILE EXTRA...`, started.
fn capture_lo(port: u16, file: &Path, extra: &[&str]) -> Child {
    let filter = format!("tcp port {port}");
    let file = file.to_string_lossy();
    let mut args = vec!["-i", "lo", "-f", &filter, "-w", &file];
    args.extend_from_slice(extra);
    start_capture(&args)
}

/// Starts `tcplab capture ARGS` and returns once it says it is capturing.
fn start_capture(args: &[&str]) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tcplab"))
        .arg("capture")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tcplab starts");
    let mut err = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    err.read_line(&mut line).expect("a first line");
    assert!(line.contains("capturing on lo"), "{line}");
    // Keep reading stderr so that progress lines never block the capture.
    std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
    child
}

fn wait(mut child: Child, limit: Duration) -> std::process::Output {
    let started = Instant::now();
    while child.try_wait().expect("waits").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("tcplab capture did not stop within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// tshark's count of the packets in `file` matching the display filter.
fn tshark_count(file: &Path, display_filter: &str) -> usize {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(file)
        .args(["-Y", display_filter, "-T", "fields", "-e", "frame.number"])
        .output()
        .expect("tshark runs");
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).lines().count()
}

fn root_and_tshark(test: &str) -> bool {
    if !is_root() || !have("tshark") {
        assert!(!in_ci(), "{test}: CI runs as root with tshark");
        eprintln!("SKIPPED {test}: needs root and tshark");
        return false;
    }
    true
}

#[test]
fn root_count_saves_exactly_that_many_packets_all_matching_the_filter() {
    if !root_and_tshark("root_count_saves_exactly_that_many_packets_all_matching_the_filter") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("lo.pcapng");
    let traffic = Traffic::start();
    let filter = format!("tcp port {}", traffic.port);
    let child = capture_lo(traffic.port, &file, &["--count", "25"]);
    let out = wait(child, Duration::from_secs(30));
    let traffic_port = traffic.port;
    traffic.stop();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("25 packets saved to "),
        "{}",
        stdout(&out)
    );
    assert_eq!(tshark_count(&file, "frame"), 25);
    assert_eq!(
        tshark_count(&file, &format!("tcp.port=={}", traffic_port)),
        25
    );
    let info = Command::new("capinfos")
        .arg(&file)
        .output()
        .expect("capinfos runs");
    let info = stdout(&info);
    assert!(info.contains("Name = lo"), "{info}");
    assert!(
        info.contains(&format!("Filter string = {filter}")),
        "{info}"
    );
    assert!(info.contains("nanoseconds"), "{info}");
    let analyzed = tcplab(&["analyze", &file.to_string_lossy()]);
    assert!(analyzed.status.success(), "{}", stderr(&analyzed));
    assert!(
        stdout(&analyzed).contains("25 TCP segments"),
        "{}",
        stdout(&analyzed)
    );
}

#[test]
fn root_rotation_by_size_makes_numbered_files_that_hold_every_packet() {
    if !root_and_tshark("root_rotation_by_size_makes_numbered_files_that_hold_every_packet") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let base = dir.path().join("ring.pcapng");
    let traffic = Traffic::start();
    let child = capture_lo(
        traffic.port,
        &base,
        &["--count", "60", "--rotate-size", "8KiB"],
    );
    let out = wait(child, Duration::from_secs(30));
    traffic.stop();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 3,
        "3000-byte segments in 8 KiB files: {files:?}"
    );
    for (i, f) in files.iter().enumerate() {
        let name = f.file_name().expect("name").to_string_lossy().into_owned();
        assert_eq!(name, format!("ring-{:04}.pcapng", i + 1));
    }
    let total: usize = files.iter().map(|f| tshark_count(f, "frame")).sum();
    assert_eq!(total, 60, "every packet in exactly one file");
    for f in &files[..files.len() - 1] {
        let size = std::fs::metadata(f).expect("size").len();
        assert!(
            size >= 8 * 1024,
            "{} closed early at {size} bytes",
            f.display()
        );
    }
}

#[test]
fn a_bad_filter_and_a_missing_interface_are_one_line_errors() {
    if !is_root() {
        assert!(!in_ci(), "CI runs as root");
        eprintln!("SKIPPED: needs root to open an interface");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("x.pcapng");
    let out = tcplab(&[
        "capture",
        "-i",
        "lo",
        "-f",
        "tcp port",
        "-w",
        &file.to_string_lossy(),
        "-c",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("\"tcp port\"") && err.contains("pcap-filter"),
        "{err}"
    );
    assert!(!file.exists(), "nothing is written for a refused filter");
    let out = tcplab(&[
        "capture",
        "-i",
        "tcplab-nosuch0",
        "-c",
        "1",
        "-w",
        &file.to_string_lossy(),
    ]);
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("tcplab-nosuch0") && err.contains("ip link"),
        "{err}"
    );
}

#[test]
fn without_privileges_it_says_how_to_get_them() {
    if !is_root() || !have("setpriv") {
        assert!(!in_ci(), "CI runs as root with setpriv");
        eprintln!("SKIPPED: needs root to drop privileges with setpriv");
        return;
    }
    let out = tcplab_as_nobody()
        .args([
            "capture",
            "-i",
            "lo",
            "-c",
            "1",
            "-w",
            "/nonexistent/x.pcapng",
        ])
        .output()
        .expect("setpriv runs");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("setcap cap_net_raw,cap_net_admin=eip"),
        "{err}"
    );
}

/// `kill` (SIGTERM) ends a capture as --count does: exit 0, the file
/// complete with its statistics block, readable by tshark.
#[test]
fn root_a_signal_ends_the_capture_with_a_complete_file() {
    if !root_and_tshark("root_a_signal_ends_the_capture_with_a_complete_file") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("until-killed.pcapng");
    let traffic = Traffic::start();
    let child = capture_lo(traffic.port, &file, &[]);
    std::thread::sleep(Duration::from_millis(500));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let out = wait(child, Duration::from_secs(10));
    traffic.stop();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("stopped by SIGTERM"),
        "{}",
        stdout(&out)
    );
    assert!(tshark_count(&file, "frame") > 0);
    let info = Command::new("capinfos")
        .arg(&file)
        .output()
        .expect("capinfos runs");
    assert!(
        stdout(&info).contains("Number of stat entries = 1"),
        "{}",
        stdout(&info)
    );
}
