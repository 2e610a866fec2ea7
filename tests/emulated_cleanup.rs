//! The emulated path leaves nothing behind: no namespace, no TUN device, no
//! temporary copy, no unfinished capture, no process — after an error (refused before or during the
//! transfer) and after Ctrl-C. Needs root; fails in CI without it.

mod common;

use common::*;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

static SERIAL: Mutex<()> = Mutex::new(());

/// `None` (and a message) when the test cannot run here; otherwise the
/// lock that makes the tests of this file run one at a time.
fn serial(test: &str) -> Option<MutexGuard<'static, ()>> {
    root_or_skip(test).then(|| SERIAL.lock().unwrap_or_else(|e| e.into_inner()))
}

/// Starts tcplab with `args` and `--out-dir DIR`; its pid, for naming what it made.
fn start(args: &[&str], dir: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_tcplab"))
        .args(args)
        .arg("--out-dir")
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tcplab starts")
}

/// A run that lasts about 40 s (5 MB over 1 Mbit/s), to be stopped midway.
fn start_slow_run(dir: &Path) -> std::process::Child {
    start(
        &[
            "run-and-capture",
            "--rate",
            "1mbit",
            "--delay",
            "50ms",
            "--payload-size",
            "5M",
        ],
        dir,
    )
}

#[test]
fn root_an_unknown_congestion_control_is_refused_and_cleaned_up() {
    let Some(_serial) = serial("root_an_unknown_congestion_control_is_refused_and_cleaned_up")
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let child = Command::new(env!("CARGO_BIN_EXE_tcplab"))
        .args([
            "run-and-capture",
            "--delay",
            "1ms",
            "--cc",
            "nosuchcc",
            "--out-dir",
        ])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tcplab starts");
    let pid = child.id();
    let out = child.wait_with_output().expect("tcplab ends");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("this kernel offers"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    no_namespace_of(pid);
    no_tun_in_root_namespace();
}

#[test]
fn root_an_error_during_the_run_cleans_up() {
    let Some(_serial) = serial("root_an_error_during_the_run_cleans_up") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let child = start(
        &["run-and-capture", "--delay", "1ms", "/nonexistent/file.txt"],
        dir.path(),
    );
    let pid = child.id();
    let out = child.wait_with_output().expect("tcplab ends");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("/nonexistent/file.txt"));
    no_namespace_of(pid);
    assert_eq!(scratch_dirs_of(pid), Vec::<std::path::PathBuf>::new());
}

#[test]
fn root_ctrl_c_during_an_emulated_run_cleans_up() {
    a_signal_during_an_emulated_run_cleans_up(
        "root_ctrl_c_during_an_emulated_run_cleans_up",
        "INT",
        130,
    );
}

#[test]
fn root_sigterm_during_an_emulated_run_cleans_up() {
    a_signal_during_an_emulated_run_cleans_up(
        "root_sigterm_during_an_emulated_run_cleans_up",
        "TERM",
        143,
    );
}

fn a_signal_during_an_emulated_run_cleans_up(test: &str, signal: &str, exit_code: i32) {
    let Some(_serial) = serial(test) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let child = start_slow_run(dir.path());
    let pid = child.id();
    // Wait until the run's namespaces exist, then interrupt it mid-transfer.
    wait_for_the_path_of(pid, || true);
    std::thread::sleep(Duration::from_millis(1500));
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let out = child.wait_with_output().expect("tcplab ends");
    assert_eq!(out.status.code(), Some(exit_code), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "interrupted; stopped the run and removed its namespaces and its unfinished capture"
        ),
        "{}",
        stderr(&out)
    );
    // Nothing half-written: the capture of an interrupted run goes.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("out dir")
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    no_namespace_of(pid);
    no_tun_in_root_namespace();
    assert_eq!(scratch_dirs_of(pid), Vec::<std::path::PathBuf>::new());
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "the process is gone"
    );
}

/// A run killed with SIGKILL cannot clean up; the next run removes what it
/// left (its namespaces and received copy) and says so.
#[test]
fn root_the_next_run_removes_what_a_killed_run_left() {
    let Some(_serial) = serial("root_the_next_run_removes_what_a_killed_run_left") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = start_slow_run(dir.path());
    let pid = child.id();
    wait_for_the_path_of(pid, || !scratch_dirs_of(pid).is_empty());
    child.kill().expect("SIGKILL");
    child.wait().expect("tcplab ends");
    let left = namespaces_of(pid);
    assert_eq!(
        left.len(),
        2,
        "a killed run leaves its namespaces: {left:?}"
    );

    let next = start(
        &["run-and-capture", "--delay", "1ms", "--payload-size", "20k"],
        dir.path(),
    );
    let next_pid = next.id();
    let out = next.wait_with_output().expect("tcplab ends");
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    for ns in &left {
        assert!(
            err.contains(&format!(
                "removed namespace {ns}, left by tcplab process {pid}"
            )),
            "{err}"
        );
    }
    assert!(err.contains(&format!("tcplab-received-{pid}")), "{err}");
    no_namespace_of(pid);
    no_namespace_of(next_pid);
    no_tun_in_root_namespace();
    assert_eq!(scratch_dirs_of(pid), Vec::<std::path::PathBuf>::new());
}

/// Without privileges the emulated path says, in one line, that it needs
/// root (there is no `--host-loopback` way out for it).
#[test]
fn without_privileges_the_emulated_path_says_it_needs_root() {
    if !is_root() || !have("setpriv") {
        assert!(!in_ci(), "CI runs as root with setpriv (util-linux)");
        eprintln!("SKIPPED: needs root to drop privileges with setpriv");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    for args in [
        &["run-and-capture", "--delay", "10ms"][..],
        &["compare", "--cc", "reno,cubic"][..],
    ] {
        let out = tcplab_as_nobody()
            .args(args)
            .arg("--out-dir")
            .arg(dir.path())
            .output()
            .expect("setpriv runs");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(
            err.contains("emulated path") && err.contains("needs root") && err.contains("sudo"),
            "{err}"
        );
    }
    let _ = Path::new("/");
}
