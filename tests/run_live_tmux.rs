//! `run-and-capture --live` as a person sees it, in tmux (a real
//! terminal), across a seeded emulated path with loss: the screen shows
//! the connection, the sender's last cwnd equals the last row of the
//! TCP_INFO series the run writes, and the counters it ends with (packets,
//! segments sent again, Wireshark's retransmissions) equal what
//! `tcplab analyze --format json` says of the saved capture; then the same
//! files and report as without `--live`. q in the middle of a run stops it
//! as Ctrl-C does: exit 130, no namespace, no process left. Without a
//! terminal, `--live` prints a progress line a second. Needs root
//! (namespaces, TUN devices, capture) and tmux; fails in CI without them.

mod common;

use common::tmux::Tmux;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One emulated run at a time: two on two cores would slow each other.
static ONE_RUN_AT_A_TIME: Mutex<()> = Mutex::new(());

fn ready(test: &str) -> bool {
    if !root_or_skip(test) {
        return false;
    }
    if !have("tmux") {
        assert!(!in_ci(), "{test}: CI installs tmux");
        eprintln!("SKIPPED {test}: needs tmux");
        return false;
    }
    true
}

/// The command tmux runs: the run into `dir`, then its exit status into `dir/exit-status`.
fn command(dir: &Path, args: &str) -> String {
    format!(
        "{} run-and-capture --live --out-dir {d}/c --report-dir {d}/r {args}; echo $? > {d}/exit-status; sleep 60",
        env!("CARGO_BIN_EXE_tcplab"),
        d = dir.display()
    )
}

fn wait_for_exit(dir: &Path, tmux: &Tmux) -> String {
    let done = dir.join("exit-status");
    let started = Instant::now();
    while !done.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "tcplab did not end:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(100));
    std::fs::read_to_string(&done)
        .expect("status")
        .trim()
        .to_string()
}

/// The number after `label` on the screen (`cwnd 42 segments` → 42).
fn number_after(screen: &str, label: &str) -> u64 {
    let at = screen
        .find(label)
        .unwrap_or_else(|| panic!("{label:?} not on the screen:\n{screen}"));
    screen[at + label.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no number after {label:?}:\n{screen}"))
}

fn the_one(dir: &Path, suffix: &str) -> PathBuf {
    std::fs::read_dir(dir)
        .expect("captures dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.to_string_lossy().ends_with(suffix))
        .unwrap_or_else(|| panic!("no *{suffix} in {}", dir.display()))
}

/// The pid of the run writing into `dir` (anchored: the shell tmux runs
/// has the same words in its command line).
fn run_pid(dir: &Path) -> Option<u32> {
    let out = Command::new("pgrep")
        .args([
            "-f",
            &format!(
                "^{} run-and-capture .*{}",
                env!("CARGO_BIN_EXE_tcplab"),
                dir.display()
            ),
        ])
        .output()
        .expect("pgrep runs");
    stdout(&out)
        .lines()
        .next()
        .and_then(|l| l.trim().parse().ok())
}

#[test]
fn root_a_lossy_run_ends_showing_what_the_series_and_analyze_say() {
    if !ready("root_a_lossy_run_ends_showing_what_the_series_and_analyze_say") {
        return;
    }
    let _one = ONE_RUN_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().expect("temp dir");
    let tmux = Tmux::start(&command(
        dir.path(),
        "--rate 10mbit --delay 10ms --loss 2% --seed 3 --payload-size 1M",
    ));
    tmux.wait_for("10.77.0.1:", Duration::from_secs(20));
    // The transfer is over and the analysis written: the last screen.
    let screen = tmux.wait_for(": done", Duration::from_secs(60));
    assert!(screen.contains("ENDED (q to leave)"), "{screen}");

    let captures = dir.path().join("c");
    let pcap = the_one(&captures, ".pcap");
    let json = tcplab(&["analyze", "--format", "json", &pcap.to_string_lossy()]);
    assert!(json.status.success(), "{}", stderr(&json));
    let analysis: Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    let conn = &analysis["captures"][0]["connections"][0];
    let packets = conn["packets"].as_u64().expect("packets");
    assert!(
        screen.contains(&format!("│ {packets} packets │ 1 connection")),
        "{packets} packets in the status line:\n{screen}"
    );
    let sent_again = &conn["a_to_b"]["sent_again"];
    let sent_again = sent_again["segments"].as_u64().expect("segments")
        + sent_again["control_segments"].as_u64().expect("control");
    assert!(sent_again > 0, "2 % loss over 700 segments loses some");
    assert_eq!(
        number_after(&screen, ", sent again "),
        sent_again,
        "{screen}"
    );
    let retransmissions: u64 = conn["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| {
            e["event"]
                .as_str()
                .is_some_and(|n| n.ends_with("retransmission"))
        })
        .map(|e| e["count"].as_u64().expect("count"))
        .sum();
    assert_eq!(
        number_after(&screen, "Wireshark: retransmissions "),
        retransmissions,
        "{screen}"
    );

    // The sender's last cwnd and its kernel count, as the series file has them.
    let series = std::fs::read_to_string(the_one(&captures, "-tcpinfo.csv")).expect("series");
    let mut rows = series.lines();
    let head: Vec<&str> = rows.next().expect("header").split(',').collect();
    let last: Vec<&str> = rows.last().expect("a row").split(',').collect();
    let column = |name: &str| -> u64 {
        let i = head.iter().position(|h| *h == name).expect(name);
        last[i].parse().expect(name)
    };
    assert_eq!(number_after(&screen, "cwnd "), column("cwnd"), "{screen}");
    assert_eq!(
        number_after(&screen, "kernel: sent again "),
        column("total_retrans"),
        "{screen}"
    );
    // The link's own counters, as the run's metadata has them at the end.
    let meta = the_one(&captures, ".json");
    let meta: Value = serde_json::from_slice(&std::fs::read(meta).expect("meta")).expect("JSON");
    let forward = &meta["link"]["stats"]["forward"];
    assert!(
        screen.contains(&format!(
            "lost {}, queue full {}",
            forward["lost"], forward["queue_drops"]
        )),
        "the link's drops:\n{screen}"
    );

    // Graphs switch: the kernel's cwnd, then the link's queue.
    tmux.keys("5");
    tmux.wait_for("cwnd and ssthresh from TCP_INFO", Duration::from_secs(5));
    tmux.keys("g");
    tmux.wait_for("Emulated link's queue", Duration::from_secs(5));
    tmux.keys("q");
    assert_eq!(wait_for_exit(dir.path(), &tmux), "0");
    let after = tmux.screen();
    assert!(
        after.contains("capture: "),
        "the summary follows the view:\n{after}"
    );
    assert!(after.contains("-tcpinfo.csv"), "{after}");
    assert!(the_one(&dir.path().join("r"), "")
        .join("report.md")
        .exists());
}

#[test]
fn root_q_in_the_middle_stops_the_run_as_ctrl_c_does() {
    if !ready("root_q_in_the_middle_stops_the_run_as_ctrl_c_does") {
        return;
    }
    let _one = ONE_RUN_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().expect("temp dir");
    // 20 MB at 5 Mbit/s: half a minute, far longer than the test waits.
    let tmux = Tmux::start(&command(
        dir.path(),
        "--rate 5mbit --delay 20ms --payload-size 20M",
    ));
    tmux.wait_for("established", Duration::from_secs(20));
    let pid = run_pid(dir.path()).expect("the run's process");
    assert_eq!(namespaces_of(pid).len(), 2, "the run's two namespaces");
    tmux.keys("q");
    assert_eq!(wait_for_exit(dir.path(), &tmux), "130", "as on Ctrl-C");
    let after = tmux.screen();
    assert!(
        after.contains("interrupted; stopped the run and removed its namespaces"),
        "{after}"
    );
    assert!(namespaces_of(pid).is_empty(), "no namespace left");
    no_tun_in_root_namespace();
    assert_eq!(run_pid(dir.path()), None, "no tcplab process left");
    assert!(
        std::path::Path::new(&format!("/proc/{pid}"))
            .metadata()
            .is_err(),
        "process {pid} is gone"
    );
    assert!(scratch_dirs_of(pid).is_empty(), "no scratch directory left");
}

#[test]
fn root_without_a_terminal_a_live_run_prints_progress_lines() {
    if !root_or_skip("root_without_a_terminal_a_live_run_prints_progress_lines") {
        return;
    }
    let _one = ONE_RUN_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (_dir, out) = common::emulated_run::run_in_temp(&[
        "--live",
        "--rate",
        "10mbit",
        "--delay",
        "20ms",
        "--payload-size",
        "3M",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("--live needs a terminal"), "{err}");
    let progress: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("run-and-capture, emulated path "))
        .collect();
    assert!(!progress.is_empty(), "a progress line a second: {err}");
    assert!(
        progress[0].contains(" packets  sent again ") && progress[0].contains("cwnd "),
        "{err}"
    );
    assert!(stdout(&out).contains("wrote:"), "then the usual output");
}

/// `compare --live` without a terminal: progress lines of each run in turn, named by it.
#[test]
fn root_without_a_terminal_compare_live_prints_each_runs_progress() {
    if !root_or_skip("root_without_a_terminal_compare_live_prints_each_runs_progress") {
        return;
    }
    let _one = ONE_RUN_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().expect("temp dir");
    let (out_dir, report_dir) = (dir.path().join("c"), dir.path().join("r"));
    let out = tcplab(&[
        "compare",
        "--live",
        "--cc",
        "reno,cubic",
        "--rate",
        "10mbit",
        "--delay",
        "10ms",
        "--payload-size",
        "2M",
        "--out-dir",
        &out_dir.to_string_lossy(),
        "--report-dir",
        &report_dir.to_string_lossy(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("--live needs a terminal"), "{err}");
    for run in ["compare, run 1/2: reno ", "compare, run 2/2: cubic "] {
        assert!(
            err.lines()
                .any(|l| l.starts_with(run) && l.contains(" packets  sent again ")),
            "a progress line of {run:?}: {err}"
        );
    }
    let text = stdout(&out);
    assert!(
        text.contains("run 2/2: cubic …"),
        "the run lines still come: {text}"
    );
    assert!(text.contains("compare.md"), "{text}");
}
