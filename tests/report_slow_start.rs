//! The slow-start verdict follows its own table and the kernel (issue #18):
//! real runs on loopback and across the emulated link (seeded), each
//! report read back. The answer's "Yes"/"No" must be what the documented
//! rule (docs/report.md: at least two growths of ×1.5 in a row before the
//! first loss) gives on the round trips the report lists in `rounds.csv`
//! (whose first rows are the table's); when TCP_INFO says the sender was
//! still in slow start at the end, the answer never says "No"; and the
//! kernel table's "end of slow start" row names the round trip the answer
//! names. A download captured at the receiver across a 40 ms path names
//! the capture point, groups round trips of the path's RTT (not of the
//! receiver's ACK delay) and sees the sender's flight double. Needs root (namespaces, capture): without it the test says so
//! and skips on a developer machine, and fails in CI.

mod common;

use common::emulated_run::{report_md, run, Run};
use common::*;
use std::path::PathBuf;
use std::sync::Mutex;

/// The runs of this file one at a time: each measures round trips, which
/// another transfer on the same two cores would stretch.
static ONE_RUN_AT_A_TIME: Mutex<()> = Mutex::new(());

fn report_dir(r: &Run) -> PathBuf {
    std::fs::read_dir(r.dir.path().join("reports"))
        .expect("reports dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .next()
        .expect("one report")
}

/// From `heading` to the next heading of any level.
fn section<'a>(md: &'a str, heading: &str) -> &'a str {
    let start = md
        .find(heading)
        .unwrap_or_else(|| panic!("{heading} in\n{md}"));
    let rest = &md[start + heading.len()..];
    let end = rest.find("\n#").unwrap_or(rest.len());
    &rest[..end]
}

/// `rounds.csv`: (flight, loss) per round trip.
fn rounds(r: &Run) -> Vec<(u64, bool)> {
    let text = std::fs::read_to_string(report_dir(r).join("rounds.csv")).expect("rounds.csv");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("round,time_s,first_frame,segments,bytes_in_flight,loss")
    );
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[4].parse().expect("flight"), f[5] == "1")
        })
        .collect()
}

/// The documented rule, written again from docs/report.md: the first run
/// of two or more growths of ×1.5 in a row, up to the first loss.
fn doubling(rounds: &[(u64, bool)]) -> Option<(usize, usize)> {
    let upto = rounds
        .iter()
        .position(|r| r.1)
        .map_or(rounds.len(), |i| i + 1);
    let r = &rounds[..upto];
    let grows = |i: usize| r[i + 1].0 as f64 >= 1.5 * r[i].0.max(1) as f64;
    let mut i = 0;
    while i + 1 < r.len() {
        let mut j = i;
        while j + 1 < r.len() && grows(j) {
            j += 1;
        }
        if j - i >= 2 {
            return Some((i + 1, j + 1));
        }
        i = j.max(i + 1);
    }
    None
}

/// The verdict agrees with the table, `rounds.csv` and TCP_INFO.
fn verdict_follows_table_and_kernel(r: &Run, what: &str) {
    let md = report_md(r);
    let answer = section(&md, "### Is slow start visible?");
    let verdict = answer.trim_start().lines().next().expect("an answer");
    let all = rounds(r);
    // The table is the first rows of rounds.csv.
    let table: Vec<u64> = answer
        .lines()
        .filter(|l| l.starts_with("| ") && l.as_bytes()[2].is_ascii_digit())
        .map(|l| {
            l.split('|')
                .nth(5)
                .expect("flight")
                .trim()
                .replace(',', "")
                .parse()
                .expect("n")
        })
        .collect();
    let csv: Vec<u64> = all.iter().take(table.len()).map(|r| r.0).collect();
    assert_eq!(table, csv, "{what}: the table is rounds.csv's first rows");
    if all.len() > table.len() {
        assert!(
            answer.contains(&format!(
                "the first {} of the {} round trips",
                table.len(),
                all.len()
            )),
            "{what}: a cut table says so:\n{answer}"
        );
    }
    match doubling(&all) {
        Some((begin, peak)) => assert!(
            verdict.starts_with("Yes")
                && verdict.contains(&format!("(round trip {begin}) to"))
                && verdict.contains(&format!("(round trip {peak})")),
            "{what}: rounds.csv doubles over round trips {begin}–{peak}, the answer says:\n{verdict}"
        ),
        None => assert!(
            !verdict.starts_with("Yes"),
            "{what}: no run of doubling in rounds.csv, the answer says:\n{verdict}"
        ),
    }
    let Some(row) = md.lines().find(|l| l.starts_with("| end of slow start |")) else {
        return;
    };
    if row.contains("still in slow start at the end") {
        assert!(
            !verdict.starts_with("No") && !verdict.starts_with("Not really"),
            "{what}: TCP_INFO says still in slow start, the answer says:\n{verdict}\n{row}"
        );
    }
    if let Some(at) = verdict.find("From round trip ") {
        let n: String = verdict[at + 16..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        assert!(
            row.contains(&format!("round trip {n}")),
            "{what}: the answer's end (round trip {n}) is the kernel row's:\n{row}"
        );
    }
}

#[test]
fn root_slow_start_verdict_follows_its_table_and_the_kernel_on_loopback_and_emulated_runs() {
    let _one = ONE_RUN_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if !root_or_skip(
        "root_slow_start_verdict_follows_its_table_and_the_kernel_on_loopback_and_emulated_runs",
    ) {
        return;
    }
    let runs: [(&str, &[&str]); 3] = [
        (
            "loopback 300k",
            &["--payload-size", "300k", "--cc", "cubic", "--lang", "en"],
        ),
        (
            "loopback 300k lines",
            &["--payload-size", "300k", "--mode", "lines", "--lang", "en"],
        ),
        (
            "emulated",
            &[
                "--rate",
                "10mbit",
                "--delay",
                "20ms",
                "--seed",
                "1",
                "--payload-size",
                "2M",
                "--cc",
                "cubic",
                "--lang",
                "en",
            ],
        ),
    ];
    for (what, args) in runs {
        let r = run(args);
        verdict_follows_table_and_kernel(&r, what);
    }
}

/// Start times of the round trips in `rounds.csv` (s).
fn round_starts(r: &Run) -> Vec<f64> {
    let text = std::fs::read_to_string(report_dir(r).join("rounds.csv")).expect("rounds.csv");
    text.lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).expect("time").parse().expect("seconds"))
        .collect()
}

#[test]
fn root_a_capture_at_the_receiver_counts_round_trips_of_the_path_and_sees_slow_start() {
    let _one = ONE_RUN_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if !root_or_skip(
        "root_a_capture_at_the_receiver_counts_round_trips_of_the_path_and_sees_slow_start",
    ) {
        return;
    }
    // 50 Mbit/s × 40 ms: a window of 250 KB, room for four doublings
    // from 10 segments before the path is full.
    let r = run(&[
        "--rate",
        "50mbit",
        "--delay",
        "20ms",
        "--seed",
        "1",
        "--payload-size",
        "2M",
        "--cc",
        "cubic",
        "--capture-at",
        "receiver",
        "--lang",
        "en",
    ]);
    let md = report_md(&r);
    assert!(
        md.contains("The capture was taken at the server: from SYN to SYN/ACK only")
            && md.contains("the capture sees it at its receiver, after the path"),
        "the report names the capture point:\n{md}"
    );
    // Round trips of the path (2 × 20 ms), not of the receiver's ACK delay.
    let starts = round_starts(&r);
    // (A loaded machine may stretch one of them: three of the first four.)
    let of_the_path = starts
        .windows(2)
        .take(4)
        .filter(|w| (0.030..0.060).contains(&(w[1] - w[0])))
        .count();
    assert!(
        of_the_path >= 3,
        "round trips starting at {starts:?} s last about 40 ms"
    );
    let rtt = section(&md, "### RTT");
    let path_ms: f64 = rtt
        .split("measured in the connection establishment: ")
        .nth(1)
        .and_then(|t| t.split(" ms").next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the path's RTT in the RTT answer:\n{rtt}"));
    assert!((39.0..60.0).contains(&path_ms), "path RTT {path_ms} ms");
    assert!(
        rtt.contains("is how long the receiver took to acknowledge"),
        "{rtt}"
    );
    let kernel_rtt = md
        .lines()
        .find(|l| l.starts_with("| round-trip time |"))
        .expect("kernel RTT row");
    // Like with like: the path's RTT against the kernel's, not the
    // receiver's ACK delay (which differs from it by about 100 %). A loaded
    // machine may delay the handshake by a few ms, so the verdict may be ✗
    // by a little; never by as much as the ACK delay would.
    assert!(
        kernel_rtt.contains("RTT measured in the establishment"),
        "like with like: {kernel_rtt}"
    );
    if !kernel_rtt.contains("✓") {
        let pct: f64 = kernel_rtt
            .split("✗ differ by ")
            .nth(1)
            .and_then(|t| t.split(" %").next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a verdict: {kernel_rtt}"));
        assert!(pct < 50.0, "like with like: {kernel_rtt}");
    }
    let answer = section(&md, "### Is slow start visible?");
    assert!(
        answer.trim_start().starts_with("Yes"),
        "the sender's flight doubles:\n{answer}"
    );
    verdict_follows_table_and_kernel(&r, "at the receiver");
}
