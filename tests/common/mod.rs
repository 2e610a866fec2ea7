//! Helpers shared by the integration tests: paths, running the real binary.
#![allow(dead_code)]

pub mod chromium;
pub mod emulated_run;
pub mod lab_text;
pub mod tmux;
pub mod traffic;
pub mod view_probe;
pub mod vxlan_pair;

use std::path::PathBuf;
use std::process::{Command, Output};

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

pub fn data(name: &str) -> PathBuf {
    data_dir().join(name)
}

/// Every capture committed under tests/data (pcap and pcapng), sorted.
pub fn all_captures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .expect("tests/data exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("pcap" | "pcapng")
            )
        })
        .collect();
    v.sort();
    v
}

pub fn tcplab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tcplab"))
        .args(args)
        .output()
        .expect("the tcplab binary runs")
}

/// Runs `command` with `input` on its standard input (written from
/// another thread, so a command that writes before it has read all of it
/// cannot block), and collects its output.
pub fn fed(mut command: Command, input: Vec<u8>) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("the command ends");
    writer.join().expect("writer").expect("written");
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// True when running in CI (`CI=true`): tests that need a tool or root fail
/// instead of skipping there.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

pub fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The real binary run as `nobody` with no capabilities at all (through
/// setpriv), for the errors an unprivileged user sees; add its arguments.
pub fn tcplab_as_nobody() -> Command {
    let mut cmd = Command::new("setpriv");
    cmd.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--inh-caps=-all",
    ])
    .arg(env!("CARGO_BIN_EXE_tcplab"));
    cmd
}

/// Running as root (uid 0): capture and namespace tests need it.
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// False (and a message) when an emulated-path test cannot run here: it
/// needs root (namespaces, TUN devices, capture); panics in CI.
pub fn root_or_skip(test: &str) -> bool {
    if is_root() {
        return true;
    }
    assert!(!in_ci(), "{test}: needs root and CI runs as root");
    eprintln!("SKIPPED {test}: needs root (namespaces, TUN devices, capture)");
    false
}

/// The network namespaces that exist now whose names start with one of `prefixes`.
pub fn namespaces_named(prefixes: &[&str]) -> std::collections::BTreeSet<String> {
    let out = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .expect("ip runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .filter(|n| prefixes.iter().any(|p| n.starts_with(p)))
        .collect()
}

/// The emulated path's namespaces that exist now (`tcplab-snd-*`, `tcplab-rcv-*`).
pub fn emulated_namespaces() -> std::collections::BTreeSet<String> {
    namespaces_named(&["tcplab-snd-", "tcplab-rcv-"])
}

/// The emulated-path namespaces of process `pid`.
pub fn namespaces_of(pid: u32) -> Vec<String> {
    emulated_namespaces()
        .into_iter()
        .filter(|n| n.ends_with(&format!("-{pid}")))
        .collect()
}

/// Waits (at most 20 s) until process `pid` has made both namespaces of
/// its emulated path and `also()` holds: its transfer is under way.
pub fn wait_for_the_path_of(pid: u32, also: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while namespaces_of(pid).len() < 2 || !also() {
        assert!(start.elapsed().as_secs() < 20, "the run never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// No namespace of process `pid` is left.
/// The scratch directories (`$TMPDIR/tcplab-received-<pid>-<random>`) of
/// process `pid`.
pub fn scratch_dirs_of(pid: u32) -> Vec<PathBuf> {
    let prefix = format!("tcplab-received-{pid}-");
    let mut found: Vec<PathBuf> = std::fs::read_dir(std::env::temp_dir())
        .expect("temp dir readable")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

pub fn no_namespace_of(pid: u32) {
    for ns in emulated_namespaces() {
        assert!(!ns.ends_with(&format!("-{pid}")), "{ns} left behind");
    }
}

/// No emulator TUN device was left in the root namespace.
pub fn no_tun_in_root_namespace() {
    let out = Command::new("ip")
        .args(["-o", "link"])
        .output()
        .expect("ip runs");
    let links = String::from_utf8_lossy(&out.stdout);
    assert!(
        !links.contains("tcplab0"),
        "a TUN device was left behind: {links}"
    );
}
