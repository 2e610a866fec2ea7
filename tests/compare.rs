//! `tcplab compare` as a student runs it: reno and cubic over the same
//! emulated 10 Mbit/s path, then the files of the comparison, its table
//! (one row per algorithm, plausible numbers), each run's metadata and the
//! overlays' legends. Needs root (namespaces, TUN devices, capture):
//! without it the tests say so and skip on a developer machine, and fail
//! in CI.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const ALGORITHMS: [&str; 2] = ["reno", "cubic"];

/// The only `compare-*` directory in `dir`.
fn compare_dir(dir: &Path) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("report dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("compare-"))
        })
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

fn number(v: &Value, what: &str) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("{what}: {v}"))
}

/// Lines of an SVG that are exactly `text` (plotters writes each text on
/// a line of its own).
fn text_lines(svg: &str, text: &str) -> usize {
    svg.lines().filter(|l| l.trim() == text).count()
}

#[test]
fn root_compare_reno_and_cubic_over_a_10mbit_path() {
    if !root_or_skip("root_compare_reno_and_cubic_over_a_10mbit_path") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let (captures, reports) = (dir.path().join("captures"), dir.path().join("reports"));
    let child = Command::new(env!("CARGO_BIN_EXE_tcplab"))
        .args([
            "compare",
            "--cc",
            "reno,cubic",
            "--rate",
            "10mbit",
            "--delay",
            "10ms",
            "--payload-size",
            "1M",
            "--lang",
            "en",
            "--out-dir",
        ])
        .arg(&captures)
        .arg("--report-dir")
        .arg(&reports)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tcplab starts");
    let pid = child.id();
    let out = child.wait_with_output().expect("tcplab ends");
    assert!(
        out.status.success(),
        "exit {:?}\n{}\n{}",
        out.status,
        stdout(&out),
        stderr(&out)
    );
    let printed = stdout(&out);
    assert!(
        printed.contains("path: rate 10 Mbit/s, delay 10 ms each way"),
        "{printed}"
    );
    assert!(
        !printed.contains("default path"),
        "a link was given: {printed}"
    );
    // The terminal table: a line per measure, a column per algorithm.
    let names = printed
        .lines()
        .find(|l| l.starts_with("algorithm "))
        .unwrap_or_else(|| panic!("no table: {printed}"));
    assert!(
        names.contains("reno") && names.contains("cubic"),
        "{printed}"
    );
    assert!(
        printed.lines().any(|l| l.starts_with("goodput ")),
        "{printed}"
    );

    let cmp = compare_dir(&reports);
    for name in ["compare.md", "compare.html", "compare.json"]
        .into_iter()
        .map(String::from)
        .chain(
            ["sequence", "cwnd", "throughput"]
                .iter()
                .flat_map(|g| ["svg", "png"].map(|ext| format!("{g}.{ext}"))),
        )
    {
        let len = std::fs::metadata(cmp.join(&name))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .len();
        assert!(len > 100, "{name}: {len} bytes");
    }

    // The table: one row per algorithm, in the order asked, with plausible numbers.
    let json: Value =
        serde_json::from_slice(&std::fs::read(cmp.join("compare.json")).expect("json"))
            .expect("JSON");
    let runs = json["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), ALGORITHMS.len());
    let md = std::fs::read_to_string(cmp.join("compare.md")).expect("md");
    for (run, alg) in runs.iter().zip(ALGORITHMS) {
        assert_eq!(run["algorithm"], alg);
        assert_eq!(run["congestion_control"], alg);
        assert_eq!(run["bytes"].as_u64().map(|b| b >= 1_000_000), Some(true));
        let mbit = |key: &str| number(&run[key], key) / 1e6;
        // Goodput and what the link delivered cannot pass its 10 Mbit/s;
        // the sender's throughput, captured before the link's queue, also
        // counts the packets the queue then dropped.
        for key in ["goodput_bps", "delivered_bps"] {
            assert!(
                (3.0..=10.0).contains(&mbit(key)),
                "{alg}: {key} {:.2} Mbit/s",
                mbit(key)
            );
        }
        // The link also carries a packet or two the capture does not hold
        // (sent after it stopped), hence the 1 %.
        assert!(
            mbit("throughput_bps") >= 0.99 * mbit("delivered_bps"),
            "{alg}"
        );
        let drops = run["link_drops"].as_u64().expect("link drops");
        let dropped_mbit =
            drops as f64 * 1500.0 * 8.0 / number(&run["duration_s"], "duration") / 1e6;
        assert!(
            mbit("throughput_bps") <= 10.0 + dropped_mbit,
            "{alg}: throughput {:.2} Mbit/s with {drops} drops",
            mbit("throughput_bps")
        );
        assert!(
            run["max_cwnd_segments"].as_u64().expect("max cwnd") > 10,
            "{alg}"
        );
        assert!(
            run["max_cwnd_bytes"].as_u64().expect("bytes") > 10 * 1400,
            "{alg}"
        );
        let srtt_min = number(&run["srtt_min_s"], "srtt");
        assert!((0.018..0.2).contains(&srtt_min), "{alg}: srtt {srtt_min}");
        let transfer = number(&run["transfer_s"], "transfer");
        assert!(transfer > 0.8 && transfer < number(&run["duration_s"], "duration"));
        // The capture's resends and the kernel's own count agree.
        assert_eq!(
            run["sent_again_total"], run["kernel_total_retrans"],
            "{alg}"
        );

        // The run's own metadata says which algorithm the socket used.
        let meta_path = cmp.join(run["files"]["metadata"].as_str().expect("metadata"));
        let meta: Value = serde_json::from_slice(&std::fs::read(&meta_path).expect("metadata"))
            .expect("metadata JSON");
        assert_eq!(meta["congestion_control"], alg, "{}", meta_path.display());
        assert_eq!(meta["tuning"]["cc"], alg);
        assert_eq!(meta["identical"], true);
        let run_dir = captures.join(cmp.file_name().expect("name")).join(alg);
        let canonical = |p: &Path| std::fs::canonicalize(p).expect("exists");
        assert!(canonical(&meta_path).starts_with(canonical(&run_dir)));
        for key in ["capture", "tcp_info", "lab_report", "view"] {
            let p = cmp.join(run["files"][key].as_str().expect(key));
            assert!(p.is_file(), "{alg}: {key} {}", p.display());
        }
        // The run's browser view lies beside its lab report, which links to it.
        let view = run["files"]["view"].as_str().expect("view");
        let report = run["files"]["lab_report"].as_str().expect("lab report");
        assert_eq!(
            Path::new(view).parent(),
            Path::new(report).parent(),
            "{alg}"
        );
        assert!(md.contains(&format!("[browser view]({view})")), "{alg}");
    }
    for alg in ALGORITHMS {
        let rows: Vec<&str> = md
            .lines()
            .filter(|l| l.starts_with(&format!("| {alg} |")))
            .collect();
        assert_eq!(rows.len(), 1, "{md}");
        // The kernel's total_retrans confirms the capture's count.
        assert!(rows[0].contains(" ✓ |"), "{}", rows[0]);
        assert!(md.contains(&format!("**{alg}** (the socket reported `{alg}`)")));
    }
    assert!(md.contains("Path: `rate 10 Mbit/s, delay 10 ms each way"));

    // Each overlay names each algorithm once in its legend.
    for graph in ["sequence", "cwnd", "throughput"] {
        let svg = std::fs::read_to_string(cmp.join(format!("{graph}.svg"))).expect("svg");
        for alg in ALGORITHMS {
            assert_eq!(text_lines(&svg, alg), 1, "{graph}.svg: legend entry {alg}");
        }
    }
    let html = std::fs::read_to_string(cmp.join("compare.html")).expect("html");
    assert_eq!(html.matches("<svg").count(), 3);
    assert!(html.contains("<a href=\"reno/"));

    let namespaces = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .expect("ip runs");
    let left = String::from_utf8_lossy(&namespaces.stdout);
    assert!(
        !left.contains(&format!("-{pid}")),
        "namespaces left: {left}"
    );
}

#[test]
fn root_compare_refuses_an_unknown_algorithm_with_the_kernel_list() {
    if !root_or_skip("root_compare_refuses_an_unknown_algorithm_with_the_kernel_list") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_tcplab"))
        .args(["compare", "--cc", "reno,nosuchcc", "--out-dir"])
        .arg(dir.path().join("captures"))
        .arg("--report-dir")
        .arg(dir.path().join("reports"))
        .output()
        .expect("tcplab runs");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("\"nosuchcc\"") && err.contains("this kernel offers"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(!dir.path().join("reports").exists(), "nothing ran");
}

/// Usage errors need no privileges: they are found before anything runs.
#[test]
fn compare_needs_two_different_algorithms() {
    for list in ["reno", "reno,reno", "reno,../x"] {
        let out = tcplab(&["compare", "--cc", list]);
        assert_eq!(out.status.code(), Some(1), "{list}: {}", stderr(&out));
        assert!(stderr(&out).contains("--cc"), "{list}: {}", stderr(&out));
    }
    let out = tcplab(&["compare", "--rate", "10mbit"]);
    assert_eq!(out.status.code(), Some(2), "--cc is required");
}

/// Starts `compare --cc reno,cubic` over a slow path, waits for `marker` on
/// its standard output and for that run's namespaces, then sends SIGINT.
/// Returns its standard error, the report and capture directories.
fn interrupted_at(marker: &str) -> (String, tempfile::TempDir) {
    use std::io::{BufRead, BufReader, Read};
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tcplab"))
        .args([
            "compare",
            "--cc",
            "reno,cubic",
            "--rate",
            "10mbit",
            "--delay",
            "10ms",
            "--payload-size",
            "3M",
            "--lang",
            "en",
            "--out-dir",
        ])
        .arg(dir.path().join("captures"))
        .arg("--report-dir")
        .arg(dir.path().join("reports"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tcplab starts");
    let pid = child.id();
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    loop {
        let line = lines.next().expect("the marker comes").expect("stdout");
        if line.starts_with(marker) {
            break;
        }
    }
    wait_for_the_path_of(pid, || true);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let killed = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = child.wait().expect("tcplab ends");
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    assert_eq!(status.code(), Some(130), "{err}");
    no_namespace_of(pid);
    (err, dir)
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Ctrl-C keeps the runs that finished (each a whole lab report and
/// capture) and nothing half-written: no directory of the interrupted run,
/// no comparison; interrupted in the first run, nothing at all.
#[test]
fn root_an_interrupted_compare_keeps_only_whole_runs() {
    if !root_or_skip("root_an_interrupted_compare_keeps_only_whole_runs") {
        return;
    }
    let (err, dir) = interrupted_at("run 2/2");
    assert!(err.contains("the finished run(s) (reno) are in"), "{err}");
    let reports = compare_dir(&dir.path().join("reports"));
    assert_eq!(entries(&reports), ["reno"], "{}", reports.display());
    let captures = compare_dir(&dir.path().join("captures"));
    assert_eq!(entries(&captures), ["reno"]);
    assert!(!entries(&reports.join("reno")).is_empty());

    let (err, dir) = interrupted_at("run 1/2");
    assert!(!err.contains("finished run"), "{err}");
    assert!(entries(&dir.path().join("reports")).is_empty());
    assert!(entries(&dir.path().join("captures")).is_empty());
}
