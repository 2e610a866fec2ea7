//! One "sent again" everywhere (issue #12): a seeded lossy run across the
//! emulated link (`--rate 10mbit --delay 20ms --loss 1% --seed 1
//! --payload-size 1M --cc cubic`), captured at the sender and then at the
//! receiver. The report's headline, its transfer section, the Stevens
//! graph's caption and crosses, `summary.json` and the kernel's own
//! `total_retrans` give the same count, and every data segment the link
//! dropped is named with the frame that sent it again and why. Needs root
//! (namespaces, TUN devices, capture): without it the test says so and
//! skips on a developer machine, and fails in CI. `compare`'s table takes
//! its count from the same summary (tests/compare.rs checks it against the
//! kernel's).

mod common;

use common::emulated_run::{report_md, run, Run};
use common::*;
use serde_json::Value;
use std::path::PathBuf;

const LOSSY_PATH: [&str; 12] = [
    "--rate",
    "10mbit",
    "--delay",
    "20ms",
    "--loss",
    "1%",
    "--seed",
    "1",
    "--payload-size",
    "1M",
    "--cc",
    "cubic",
];

/// The red of the crosses (`plot::style::colour::RETRANSMISSION`).
const CROSS_RED: &str = "#D62728";

fn report_dir(r: &Run) -> PathBuf {
    let reports = r.dir.path().join("reports");
    std::fs::read_dir(&reports)
        .expect("reports dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .next()
        .expect("one report")
}

/// `total_retrans` in the last `TCP_INFO` sample of the run.
fn kernel_total_retrans(r: &Run) -> u64 {
    let csv = r.file("-tcpinfo.csv");
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = head
        .iter()
        .position(|h| *h == "total_retrans")
        .expect("total_retrans column");
    let last = lines.last().expect("a sample");
    last.split(',')
        .nth(col)
        .expect("field")
        .parse()
        .expect("integer")
}

/// The data direction's `sent_again` object in the report's summary.json.
fn summary_sent_again(r: &Run) -> Value {
    let text = std::fs::read(report_dir(r).join("summary.json")).expect("summary.json");
    let json: Value = serde_json::from_slice(&text).expect("JSON");
    json["captures"][0]["connections"][0]["a_to_b"]["sent_again"].clone()
}

/// The forward data segments the link dropped: (seq, len).
fn dropped_data(r: &Run) -> Vec<(String, String)> {
    r.file("-drops.csv")
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect::<Vec<_>>())
        .filter(|f| f[1] == "forward" && f[4] != "0")
        .map(|f| (f[3].clone(), f[4].clone()))
        .collect()
}

/// The lines of `md` between `heading` and the next heading of that level.
fn section<'a>(md: &'a str, heading: &str) -> &'a str {
    let at = md.find(heading).unwrap_or_else(|| panic!("{heading}"));
    let rest = &md[at + heading.len()..];
    let level = heading.split(' ').next().unwrap_or("##");
    let end = rest.find(&format!("\n{level} ")).unwrap_or(rest.len());
    &rest[..end]
}

fn lines_in(svg: &str, colour: &str) -> usize {
    svg.lines()
        .filter(|l| l.starts_with("<line") && l.contains(&format!("stroke=\"{colour}\"")))
        .count()
}

const MECHANISMS: [&str; 5] = [
    "in fast recovery (after",
    "after a timeout (",
    "a tail-loss probe (",
    "spurious (",
    "with no duplicate ACK, SACK block or timeout",
];

fn every_output_tells_the_same_count(r: &Run, at: &str) {
    let kernel = kernel_total_retrans(r);
    let again = summary_sent_again(r);
    let n = again["segments"].as_u64().expect("segments");
    let total = n + again["control_segments"].as_u64().expect("control");
    let by_mechanism: u64 = [
        "fast_recovery",
        "timeout",
        "tail_loss_probe",
        "spurious",
        "unexplained",
    ]
    .iter()
    .map(|k| again[k].as_u64().expect("mechanism count"))
    .sum();
    assert_eq!(by_mechanism, total, "{at}: every one has a mechanism");
    assert_eq!(total, kernel, "{at}: summary.json against total_retrans");
    assert!(n >= 2, "{at}: 1 % of ~700 segments: {again}");

    let md = report_md(r);
    let answer = section(&md, "### Were there retransmissions?");
    let headline = format!("Yes: {n} of the ");
    assert!(answer.trim_start().starts_with(&headline), "{at}: {answer}");
    assert!(answer.contains(&format!("the capture was taken at the {at}")));
    let listed: Vec<&str> = answer
        .lines()
        .filter(|l| l.starts_with("- frame "))
        .collect();
    assert_eq!(listed.len() as u64, n, "{at}: one item per segment");
    for item in &listed {
        assert!(MECHANISMS.iter().any(|m| item.contains(m)), "{item}");
        assert!(item.contains("; Wireshark: "), "{item}");
    }

    let transfer = section(&md, "## Transfer");
    let bytes = again["bytes"].as_u64().expect("bytes");
    assert!(
        transfer.contains(&format!("and {bytes} sent again, from frame")),
        "{at}: {transfer}"
    );
    assert!(
        md.contains(&format!(
            "*Stevens graph.* The red crosses below the rising line are the {n} segments sent again"
        )),
        "{at}: Stevens caption"
    );
    let stevens = std::fs::read_to_string(report_dir(r).join("stevens.svg")).expect("stevens.svg");
    let caption = format!(", {n} sent again");
    assert!(
        stevens.lines().any(|l| l.ends_with(&caption)),
        "{at}: graph caption"
    );
    // Each cross is two strokes; the legend shows one cross more.
    assert_eq!(lines_in(&stevens, CROSS_RED) as u64, 2 * n + 2, "{at}");
    let kernel_row = md
        .lines()
        .find(|l| l.starts_with("| segments sent again |"))
        .expect("kernel row");
    assert!(
        kernel_row.contains(&format!("| {total} (")) && kernel_row.contains("✓ the same"),
        "{at}: {kernel_row}"
    );

    // Every data segment the link dropped, with the frame that sent it
    // again (one of the frames listed above) and why.
    let drops = dropped_data(r);
    assert!(!drops.is_empty() && drops.len() <= 12, "{at}: {drops:?}");
    let path = section(&md, "## The path: tcplab's emulated link");
    for (seq, len) in &drops {
        let line = path
            .lines()
            .find(|l| l.starts_with(&format!("- seq {seq} ({len} bytes)")))
            .unwrap_or_else(|| panic!("{at}: drop of seq {seq} not named:\n{path}"));
        let frame = line
            .split("→ sent again in frame ")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .unwrap_or_else(|| panic!("{at}: {line}"));
        assert!(
            listed
                .iter()
                .any(|item| item.starts_with(&format!("- frame {frame} at"))),
            "{at}: frame {frame} of {line} is among the segments sent again"
        );
        assert!(MECHANISMS.iter().any(|m| line.contains(m)), "{line}");
    }
}

#[test]
fn root_sent_again_is_the_same_count_everywhere_at_either_end() {
    if !root_or_skip("root_sent_again_is_the_same_count_everywhere_at_either_end") {
        return;
    }
    let at_sender = run(&LOSSY_PATH);
    every_output_tells_the_same_count(&at_sender, "sender");
    let mut args = LOSSY_PATH.to_vec();
    args.extend(["--capture-at", "receiver"]);
    let at_receiver = run(&args);
    every_output_tells_the_same_count(&at_receiver, "receiver");
}
