//! run-and-capture leaves nothing behind: no namespace, no process, no
//! temporary copy, no unfinished capture — after an error and after Ctrl-C (SIGINT), `kill`
//! (SIGTERM) or a closed terminal (SIGHUP). Needs root;
//! fails in CI without it. The tests in this file take a lock so that
//! "what namespaces exist" is not disturbed by a concurrent run.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static SERIAL: Mutex<()> = Mutex::new(());

fn namespaces() -> BTreeSet<String> {
    namespaces_named(&["tcplab-run-"])
}

fn processes_named_tcplab_run() -> usize {
    let out = Command::new("pgrep")
        .args(["-f", "tcplab run-and-capture"])
        .output()
        .expect("pgrep runs");
    String::from_utf8_lossy(&out.stdout).lines().count()
}

#[test]
fn root_an_error_inside_the_namespace_cleans_up() {
    if !root_or_skip("root_an_error_inside_the_namespace_cleans_up") {
        return;
    }
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = namespaces();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = tcplab(&[
        "run-and-capture",
        "--out-dir",
        dir.path().to_str().expect("utf-8"),
        "/nonexistent/file.txt",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("/nonexistent/file.txt"),
        "{}",
        stderr(&out)
    );
    assert_eq!(namespaces(), before, "no namespace left behind");
}

#[test]
fn root_ctrl_c_during_a_transfer_cleans_up() {
    a_signal_during_a_transfer_cleans_up("root_ctrl_c_during_a_transfer_cleans_up", "INT", 130);
}

/// `kill` and `timeout` send SIGTERM.
#[test]
fn root_sigterm_during_a_transfer_cleans_up() {
    a_signal_during_a_transfer_cleans_up("root_sigterm_during_a_transfer_cleans_up", "TERM", 143);
}

/// A closed terminal sends SIGHUP.
#[test]
fn root_sighup_during_a_transfer_cleans_up() {
    a_signal_during_a_transfer_cleans_up("root_sighup_during_a_transfer_cleans_up", "HUP", 129);
}

/// Starts run-and-capture of a file big enough that the transfer is still
/// running when the test acts, and returns once the capture file exists
/// (the run is under way); also the run's output directory.
fn start_a_long_run(dir: &std::path::Path) -> (std::process::Child, std::path::PathBuf) {
    let big = dir.join("big.bin");
    std::fs::write(&big, vec![b'x'; 300 * 1024 * 1024]).expect("write big file");
    let out_dir = dir.join("out");
    let child = Command::new(env!("CARGO_BIN_EXE_tcplab"))
        .args(["run-and-capture", "--out-dir"])
        .arg(&out_dir)
        .arg(&big)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tcplab starts");
    let start = Instant::now();
    while std::fs::read_dir(&out_dir).map_or(true, |mut d| d.next().is_none()) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the run never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, out_dir)
}

fn a_signal_during_a_transfer_cleans_up(test: &str, signal: &str, exit_code: i32) {
    if !root_or_skip(test) {
        return;
    }
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = namespaces();
    let dir = tempfile::tempdir().expect("temp dir");
    let (child, out_dir) = start_a_long_run(dir.path());
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let out = child.wait_with_output().expect("tcplab exits");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(exit_code),
        "runs stopped by SIG{signal} exit with {exit_code}: {err}"
    );
    // The run inside the namespace was asked to stop, not killed: it said
    // so, and removed its unfinished capture.
    assert!(
        err.contains(
            "interrupted; stopped the run and removed its namespaces and its unfinished capture"
        ),
        "{err}"
    );
    assert!(!err.contains("killed"), "{err}");
    assert_eq!(
        std::fs::read_dir(&out_dir).expect("out dir").count(),
        0,
        "nothing of the interrupted run is left in {}",
        out_dir.display()
    );
    assert_eq!(namespaces(), before, "the namespace is removed");
    assert_eq!(processes_named_tcplab_run(), 0, "no tcplab process is left");
    let leftovers: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .expect("temp dir readable")
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("tcplab-received-")
        })
        .collect();
    assert!(leftovers.is_empty(), "temporary copies left: {leftovers:?}");
}

/// A run killed outright (SIGKILL) cannot clean up, but the process it
/// started inside the namespace must not go on as an orphan: the kernel
/// tells it its parent died, and it stops and removes its temporary copy.
/// (The namespace stays until the next run sweeps it; the test removes it.)
#[test]
fn root_a_killed_run_takes_its_inside_process_with_it() {
    if !root_or_skip("root_a_killed_run_takes_its_inside_process_with_it") {
        return;
    }
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = namespaces();
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut child, out_dir) = start_a_long_run(dir.path());
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    let deadline = Instant::now() + Duration::from_secs(20);
    while processes_named_tcplab_run() > 0 {
        assert!(
            Instant::now() < deadline,
            "the process inside the namespace outlived its parent"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    for name in namespaces().difference(&before) {
        let _ = Command::new("ip").args(["netns", "delete", name]).status();
    }
    assert_eq!(namespaces(), before);
    // It stopped rather than finishing the run on its own: no metadata.
    let finished: Vec<_> = std::fs::read_dir(&out_dir)
        .expect("out dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert!(
        finished.is_empty(),
        "the orphan finished the run: {finished:?}"
    );
    // Stopped by the kernel's SIGTERM, it removed its unfinished capture.
    let left = std::fs::read_dir(&out_dir).expect("out dir").count();
    assert_eq!(left, 0, "files left in {}", out_dir.display());
}

/// In a temporary directory shared with other users, a root run works in
/// a private directory of its own (`tcplab-received-<pid>-<random>`, mode
/// 0700) and its sweep removes only what tcplab made: another user's
/// directory named like a dead run's stays, and so does its content.
#[test]
fn root_a_shared_tmpdir_is_safe() {
    if !root_or_skip("root_a_shared_tmpdir_is_safe") {
        return;
    }
    use std::os::unix::fs::{chown, PermissionsExt};
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o1777)).expect("chmod");
    let mut gone = Command::new("true").spawn().expect("true runs");
    let dead = gone.id();
    gone.wait().expect("true ends");
    // Another user's directories, named as tcplab names its own.
    let theirs = tmp.path().join(format!("tcplab-received-{dead}-squat"));
    let old_style = tmp.path().join(format!("tcplab-received-{dead}"));
    for dir in [&theirs, &old_style] {
        std::fs::create_dir(dir).expect("mkdir");
        std::fs::write(dir.join(".tcplab-scratch"), b"").expect("marker");
        std::fs::write(dir.join("their-file"), b"mine").expect("file");
        for p in [
            dir.clone(),
            dir.join(".tcplab-scratch"),
            dir.join("their-file"),
        ] {
            chown(&p, Some(65534), Some(65534)).expect("chown");
        }
    }
    let out_dir = tmp.path().join("out");
    let out = Command::new(env!("CARGO_BIN_EXE_tcplab"))
        .args(["run-and-capture", "--payload-size", "20k", "--out-dir"])
        .arg(&out_dir)
        .arg("--report-dir")
        .arg(tmp.path().join("reports"))
        .env("TMPDIR", tmp.path())
        .output()
        .expect("tcplab runs");
    assert!(out.status.success(), "{}", stderr(&out));
    for dir in [&theirs, &old_style] {
        assert_eq!(
            std::fs::read(dir.join("their-file")).ok().as_deref(),
            Some(&b"mine"[..]),
            "{} was touched",
            dir.display()
        );
    }
    let ours: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p != &theirs && p != &old_style)
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("tcplab-received-"))
        })
        .collect();
    assert!(ours.is_empty(), "the run left {ours:?}");
}

/// A root run in a directory others can write to never writes through a
/// link planted under the name its files will have: here links named for
/// this second and the next ten point at a file of "another user", which
/// stays as it was; the run writes new files of its own.
#[test]
fn root_a_planted_link_is_not_followed() {
    if !root_or_skip("root_a_planted_link_is_not_followed") {
        return;
    }
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().expect("temp dir");
    let out_dir = tmp.path().join("captures");
    std::fs::create_dir(&out_dir).expect("mkdir");
    let victim = tmp.path().join("victim");
    std::fs::write(&victim, b"precious").expect("write");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    for secs in now..now + 10 {
        let stamp = tcplab::run_and_capture::stamp::format_utc(secs);
        for ext in ["pcap", "csv", "txt", "json"] {
            let link = out_dir.join(format!("tcplab-payload-{stamp}.{ext}"));
            std::os::unix::fs::symlink(&victim, link).expect("symlink");
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_tcplab"))
        .args(["run-and-capture", "--payload-size", "20k", "--out-dir"])
        .arg(&out_dir)
        .arg("--report-dir")
        .arg(tmp.path().join("reports"))
        .output()
        .expect("tcplab runs");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(&victim).expect("victim"), b"precious");
    let new_captures: Vec<_> = std::fs::read_dir(&out_dir)
        .expect("readable")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| e.file_name().to_string_lossy().ends_with(".pcap"))
        .collect();
    assert_eq!(new_captures.len(), 1, "one new capture of its own");
}

/// A real unprivileged user (`nobody`, through setpriv) watches the shared
/// temporary directory through a whole root run and tries, a thousand
/// times a second, to list, read and write whatever tcplab makes there.
/// It sees the run's private directory appear and can do nothing with it:
/// the copy of a file only root may read stays root's.
#[test]
fn root_an_unprivileged_watcher_gets_nothing_from_a_run() {
    use std::os::unix::fs::PermissionsExt;
    if !root_or_skip("root_an_unprivileged_watcher_gets_nothing_from_a_run") || !have("setpriv") {
        assert!(!in_ci(), "CI runs as root with setpriv (util-linux)");
        return;
    }
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().expect("temp dir");
    let shared = tmp.path().join("shared");
    let watcher = tmp.path().join("watcher");
    for (dir, mode) in [(&shared, 0o1777), (&watcher, 0o777)] {
        std::fs::create_dir(dir).expect("mkdir");
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let secret = tmp.path().join("secret.txt");
    std::fs::write(&secret, "only root reads this line\n".repeat(300_000)).expect("write");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let log = watcher.join("log");
    let stop = watcher.join("stop");
    let script = r#"
import os, sys, time
shared, log, stop = sys.argv[1:4]
seen = set()
with open(log, "w") as out:
    def say(line):
        out.write(line + "\n")
        out.flush()
    say("started")
    while not os.path.exists(stop):
        for name in os.listdir(shared):
            if not name.startswith("tcplab-"):
                continue
            path = os.path.join(shared, name)
            if name not in seen:
                seen.add(name)
                say("saw " + name)
            try:
                inside = os.listdir(path)
                say("listed " + name)
            except OSError:
                inside = []
            for f in inside:
                try:
                    with open(os.path.join(path, f), "rb") as fh:
                        if fh.read(64):
                            say("read " + name + "/" + f)
                except OSError:
                    pass
            try:
                with open(os.path.join(path, "planted"), "w"):
                    say("wrote into " + name)
            except OSError:
                pass
        time.sleep(0.001)
"#;
    let mut spy = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            // The system's Python: one in root's home is not for nobody.
            "/usr/bin/python3",
            "-c",
            script,
        ])
        .arg(&shared)
        .arg(&log)
        .arg(&stop)
        .spawn()
        .expect("the watcher starts");
    let start = Instant::now();
    while !std::fs::read_to_string(&log).is_ok_and(|l| l.starts_with("started")) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the watcher never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_tcplab"))
        .args(["run-and-capture", "--rate", "100mbit", "--out-dir"])
        .arg(tmp.path().join("out"))
        .arg("--report-dir")
        .arg(tmp.path().join("reports"))
        .arg(&secret)
        .env("TMPDIR", &shared)
        .output()
        .expect("tcplab runs");
    std::fs::write(&stop, b"").expect("stop file");
    let spied = spy.wait().expect("the watcher ends");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(spied.success(), "the watcher failed");
    let log = std::fs::read_to_string(&log).expect("log");
    assert!(
        log.lines().any(|l| l.starts_with("saw tcplab-received-")),
        "the watcher never saw the run's directory, so it tested nothing:\n{log}"
    );
    let got: BTreeSet<&str> = log
        .lines()
        .filter(|l| l.starts_with("listed") || l.starts_with("read") || l.starts_with("wrote"))
        .collect();
    assert!(
        got.is_empty(),
        "an unprivileged user got at the run: {got:?}"
    );
}
