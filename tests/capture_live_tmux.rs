//! `tcplab capture --live` as a person sees it: run in tmux (a real
//! terminal), driven with send-keys and read with capture-pane, against
//! traffic the test makes on the host's loopback. What the screen shows at
//! the end equals what `tcplab analyze` says of the saved capture; q leaves
//! and no process stays. Needs root (capture) and tmux; fails in CI
//! without them.

mod common;

use common::tmux::Tmux;
use common::traffic::Traffic;
use common::*;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn tcplab_captures_running(file: &Path) -> usize {
    let out = Command::new("pgrep")
        // Anchored: the shell tmux runs also has this command in its line.
        .args([
            "-f",
            &format!(
                "^{} capture .*{}",
                env!("CARGO_BIN_EXE_tcplab"),
                file.display()
            ),
        ])
        .output()
        .expect("pgrep runs");
    stdout(&out).lines().count()
}

#[test]
fn root_the_live_view_ends_showing_what_analyze_says_and_q_leaves_cleanly() {
    if !is_root() || !have("tmux") {
        assert!(!in_ci(), "CI runs as root with tmux");
        eprintln!("SKIPPED: needs root (capture) and tmux");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("live.pcapng");
    let done = dir.path().join("exit-status");
    let traffic = Traffic::start();
    let command = format!(
        "{} capture -i lo -f 'tcp port {}' --live --count 60 -w {}; echo $? > {}; sleep 60",
        env!("CARGO_BIN_EXE_tcplab"),
        traffic.port,
        file.display(),
        done.display()
    );
    let tmux = Tmux::start(&command);
    tmux.wait_for("connections (", Duration::from_secs(10));
    let screen = tmux.wait_for("ENDED", Duration::from_secs(30));
    traffic.stop();

    let json = tcplab(&["analyze", "--format", "json", &file.to_string_lossy()]);
    assert!(json.status.success(), "{}", stderr(&json));
    let analysis: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    let conns = analysis["captures"][0]["connections"]
        .as_array()
        .expect("connections");
    let count = conns.len();
    let noun = if count == 1 {
        "connection"
    } else {
        "connections"
    };
    assert!(
        screen.contains(&format!("│ {count} {noun} │")),
        "the status line counts {count} {noun}:\n{screen}"
    );
    assert!(screen.contains("60 packets"), "{screen}");
    for c in conns {
        let endpoint =
            |e: &serde_json::Value| format!("{}:{}", e["addr"].as_str().expect("addr"), e["port"]);
        let pair = format!("{} → {}", endpoint(&c["a"]), endpoint(&c["b"]));
        let line = screen
            .lines()
            .find(|l| l.contains(&pair))
            .unwrap_or_else(|| panic!("no row for {pair}:\n{screen}"));
        let packets = c["packets"].as_u64().expect("packets").to_string();
        assert!(
            line.split_whitespace().any(|w| w == packets),
            "{pair}: {packets} packets, the row says {line}"
        );
    }

    // Switch graphs and sort, then leave.
    tmux.keys("g");
    tmux.wait_for("Throughput", Duration::from_secs(5));
    tmux.keys("s");
    tmux.wait_for("sorted by bytes", Duration::from_secs(5));
    tmux.keys("q");
    let started = Instant::now();
    while !done.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "q did not end tcplab:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(std::fs::read_to_string(&done).expect("status").trim(), "0");
    assert_eq!(tcplab_captures_running(&file), 0, "no tcplab process stays");
    let after = tmux.screen();
    assert!(
        after.contains("60 packets saved to"),
        "the summary follows the view:\n{after}"
    );
}

/// Without a terminal, --live says so and prints progress lines instead.
#[test]
fn root_without_a_terminal_live_prints_progress_lines() {
    if !is_root() {
        assert!(!in_ci(), "CI runs as root");
        eprintln!("SKIPPED: needs root (capture)");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("piped.pcapng");
    let out = tcplab(&[
        "capture",
        "-i",
        "lo",
        "-f",
        "tcp port 9",
        "--live",
        "--duration",
        "1.5s",
        "-w",
        &file.to_string_lossy(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("--live needs a terminal"), "{err}");
    assert!(
        err.lines().any(|l| l.trim_start().starts_with("1 s ")),
        "a progress line a second: {err}"
    );
    assert!(
        stdout(&out).contains("(the duration passed)"),
        "{}",
        stdout(&out)
    );
}

/// A terminal that closes under the view (its tmux session killed: a
/// hang-up) ends tcplab with the file written, rather than leaving it
/// spinning a core on a terminal that is gone.
#[test]
fn root_a_closed_terminal_ends_the_view_and_the_file_is_kept() {
    if !is_root() || !have("tmux") {
        assert!(!in_ci(), "CI runs as root with tmux");
        eprintln!("SKIPPED: needs root (capture) and tmux");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("hangup.pcapng");
    let traffic = Traffic::start();
    let command = format!(
        "{} capture -i lo -f 'tcp port {}' --live -w {}",
        env!("CARGO_BIN_EXE_tcplab"),
        traffic.port,
        file.display()
    );
    let tmux = Tmux::start(&command);
    tmux.wait_for("connections (", Duration::from_secs(10));
    drop(tmux);
    let started = Instant::now();
    while tcplab_captures_running(&file) > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "tcplab still runs 10 s after its terminal closed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    traffic.stop();
    let out = tcplab(&["analyze", &file.to_string_lossy()]);
    assert!(out.status.success(), "the file is whole: {}", stderr(&out));
}
