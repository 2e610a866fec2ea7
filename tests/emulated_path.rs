//! The emulated path (`run-and-capture --rate/--delay/--loss …`): the link
//! emulator's accuracy, seeded losses, flow control with a slow reader, the
//! kernel's view against the capture (clean-up: tests/emulated_cleanup.rs). Needs root (namespaces, TUN devices, capture): without it the
//! tests say so and skip on a developer machine, and fail in CI.
//! The tests run one at a time so that timings are not disturbed by each
//! other and "which namespaces exist" is not either.

mod common;

use common::emulated_run::{report_md, run, Run};
use common::*;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

static SERIAL: Mutex<()> = Mutex::new(());

/// `None` (and a message) when the test cannot run here; otherwise the
/// lock that makes the tests of this file run one at a time.
fn serial(test: &str) -> Option<MutexGuard<'static, ()>> {
    root_or_skip(test).then(|| SERIAL.lock().unwrap_or_else(|e| e.into_inner()))
}

/// Segments whose events include `name`.
fn with_event(rows: &[Vec<String>], name: &str) -> usize {
    rows.iter()
        .filter(|row| row[EVENTS].split(';').any(|e| e == name))
        .count()
}

// CSV columns (docs/analyze-csv.md).
const TIME: usize = 1;
const SPORT: usize = 4;
const SEQ: usize = 7;
const LEN: usize = 10;
const FLAGS: usize = 11;
const EVENTS: usize = 15;

fn f64_at(row: &[String], i: usize) -> f64 {
    row[i].parse().expect("number")
}

fn u64_at(row: &[String], i: usize) -> u64 {
    row[i].parse().expect("integer")
}

/// The two namespaces the run names in its metadata no longer exist.
fn run_namespaces_gone(r: &Run) {
    let path = r.meta["path"].as_str().expect("path in metadata");
    let names: Vec<&str> = path
        .split(|c: char| c.is_whitespace() || c == ';' || c == ')' || c == ',')
        .filter(|w| w.starts_with("tcplab-snd-") || w.starts_with("tcplab-rcv-"))
        .collect();
    assert_eq!(names.len(), 2, "the run names its namespaces: {path}");
    let left = emulated_namespaces();
    for n in names {
        assert!(!left.contains(n), "{n} left behind");
    }
}

/// A ping-pong (each echo request and its reply) takes the configured
/// round trip: 2 × 20 ms, within 10 %.
#[test]
fn root_echo_round_trip_matches_the_delay() {
    let Some(_serial) = serial("root_echo_round_trip_matches_the_delay") else {
        return;
    };
    let r = run(&["--scenario", "echo", "--delay", "20ms", "--lang", "en"]);
    let rows = r.segments();
    let port = r.meta["server_port"].as_u64().expect("port").to_string();
    let mut rtts = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let request = row[SPORT] != port && u64_at(row, LEN) > 0;
        if !request {
            continue;
        }
        let reply = rows[i + 1..]
            .iter()
            .find(|r2| r2[SPORT] == port && r2[2] == row[2] && u64_at(r2, LEN) > 0)
            .expect("each request has its echo");
        rtts.push(f64_at(reply, TIME) - f64_at(row, TIME));
    }
    assert_eq!(rtts.len(), 6, "2 clients × 3 messages");
    // Exercise 4 across the two namespaces: the server's sockets in one,
    // the clients' in the other, all in the snapshot and the report.
    let md = report_md(&r);
    let counted = format!("the server had 3 sockets: 1 listening on port {port} and 2 connected, one per client; each client had 1, connected to port {port}. 5 sockets in all.");
    assert!(md.contains(&counted), "{md}");
    for n in [1, 2] {
        let row = format!("| server: connected to client {n} | 10.77.0.2:{port} | 10.77.0.1:");
        assert!(md.contains(&row), "{row}\n{md}");
        let row = format!("| client {n} | 10.77.0.1:");
        assert!(md.contains(&row), "{row}\n{md}");
    }
    for rtt in &rtts {
        assert!(
            (0.036..=0.044).contains(rtt),
            "round trip {rtt:.4} s is not within 10 % of 40 ms: {rtts:?}"
        );
    }
    no_tun_in_root_namespace();
    run_namespaces_gone(&r);
}

/// On a bulk transfer the data arrives at the link's rate (IP bytes),
/// within 10 %, measured at the receiver between 10 % and 90 % of the data.
#[test]
fn root_bulk_transfer_runs_at_the_link_rate() {
    let Some(_serial) = serial("root_bulk_transfer_runs_at_the_link_rate") else {
        return;
    };
    let r = run(&[
        "--rate",
        "10mbit",
        "--delay",
        "5ms",
        "--cc",
        "cubic",
        "--payload-size",
        "3M",
        "--capture-at",
        "receiver",
    ]);
    let port = r.meta["server_port"].as_u64().expect("port").to_string();
    let data: Vec<(f64, u64)> = r
        .segments()
        .iter()
        .filter(|row| row[SPORT] != port && u64_at(row, LEN) > 0)
        // 20 bytes of IPv4 and 32 of TCP with timestamps: what the link carries.
        .map(|row| (f64_at(row, TIME), u64_at(row, LEN) + 52))
        .collect();
    let total: u64 = data.iter().map(|d| d.1).sum();
    let mut sum = 0;
    let (mut t0, mut t1, mut bytes) = (None, None, 0);
    for (t, b) in &data {
        sum += b;
        if sum >= total / 10 && t0.is_none() {
            t0 = Some(*t);
        } else if t0.is_some() && t1.is_none() {
            bytes += b;
            if sum >= total * 9 / 10 {
                t1 = Some(*t);
            }
        }
    }
    let (t0, t1) = (t0.expect("10 %"), t1.expect("90 %"));
    let rate = bytes as f64 * 8.0 / (t1 - t0);
    assert!(
        (9.0e6..=11.0e6).contains(&rate),
        "delivered {:.2} Mbit/s on a 10 Mbit/s link",
        rate / 1e6
    );
    assert_eq!(r.meta["link"]["params"]["rate_bps"], 10_000_000);
}

/// Relative sequence numbers of the data segments the link dropped.
fn dropped_data(r: &Run, isn: u64) -> Vec<(u64, u64)> {
    r.file("-drops.csv")
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[1] == "forward" && f[4].parse::<u64>().is_ok_and(|n| n > 0))
        .map(|f| {
            let seq: u64 = f[3].parse().expect("seq");
            (
                (seq + (1 << 32) - isn) % (1 << 32),
                f[4].parse().expect("len"),
            )
        })
        .collect()
}

/// Per data segment (sequence number relative to the ISN, length): how
/// many times the sender sent it, and how many of those the link dropped.
struct Fates {
    sent: BTreeMap<(u64, u64), usize>,
    dropped: BTreeMap<(u64, u64), usize>,
}

impl Fates {
    /// The segments both runs sent equally often: the link's draws are
    /// keyed by content, so each must have met the same fate in both.
    /// Segments only one run sent (TCP's segmentation depends on when the
    /// application's writes meet the window, so it may shift after a
    /// recovery) draw their own fates. Returns how many drops were compared.
    fn assert_same_fates(&self, other: &Fates) -> usize {
        let mut compared = 0;
        for (key, n) in &self.sent {
            if other.sent.get(key) == Some(n) {
                let (mine, theirs) = (self.dropped.get(key), other.dropped.get(key));
                assert_eq!(
                    mine, theirs,
                    "segment {key:?}, sent {n} time(s) in both runs"
                );
                compared += mine.copied().unwrap_or(0);
            }
        }
        compared
    }
}

/// `--loss 5% --seed 1`: every segment sent alike in two runs is lost (or
/// not) alike, and the analysis of the sender's capture finds each lost
/// one retransmitted.
#[test]
fn root_seeded_loss_is_reproducible_and_retransmitted() {
    let Some(_serial) = serial("root_seeded_loss_is_reproducible_and_retransmitted") else {
        return;
    };
    let mut seen = Vec::new();
    for _ in 0..3 {
        let r = run(&["--loss", "5%", "--seed", "1", "--delay", "5ms"]);
        let rows = r.segments();
        let syn = rows.iter().find(|row| row[FLAGS] == "S").expect("the SYN");
        let drops = dropped_data(&r, u64_at(syn, SEQ));
        assert!(!drops.is_empty(), "5 % of ~110 segments: some must be lost");
        assert_eq!(
            r.meta["link"]["forward_drops"].as_u64(),
            Some(drops.len() as u64),
            "every forward drop is a data segment here"
        );
        for (rel, len) in &drops {
            let seq = (rel + u64_at(syn, SEQ)) % (1 << 32);
            let resent = rows
                .iter()
                .filter(|row| u64_at(row, SEQ) == seq && u64_at(row, LEN) == *len);
            assert!(
                resent.clone().count() >= 2,
                "dropped segment seq {seq} was sent once only"
            );
            assert!(
                resent.skip(1).any(|row| {
                    row[EVENTS].split(';').any(|e| {
                        matches!(
                            e,
                            "retransmission"
                                | "fast_retransmission"
                                | "spurious_retransmission"
                                | "out_of_order"
                        )
                    })
                }),
                "the resend of seq {seq} is not flagged"
            );
        }
        let mut fates = Fates {
            sent: BTreeMap::new(),
            dropped: BTreeMap::new(),
        };
        for row in rows
            .iter()
            .filter(|row| row[SPORT] == syn[SPORT] && u64_at(row, LEN) > 0)
        {
            let rel = (u64_at(row, SEQ) + (1 << 32) - u64_at(syn, SEQ)) % (1 << 32);
            *fates.sent.entry((rel, u64_at(row, LEN))).or_default() += 1;
        }
        for d in &drops {
            *fates.dropped.entry(*d).or_default() += 1;
        }
        seen.push(fates);
    }
    for (a, b) in [(0, 1), (1, 2), (0, 2)] {
        assert!(
            seen[a].assert_same_fates(&seen[b]) >= 1,
            "runs {a} and {b}: no loss to compare"
        );
    }
}

/// A tiny receive buffer and a slow reader: zero windows, the sender's
/// window probes (Linux sends them as keep-alive-style segments) and window
/// updates.
#[test]
fn root_slow_reader_fills_the_window() {
    let Some(_serial) = serial("root_slow_reader_fills_the_window") else {
        return;
    };
    let r = run(&[
        "--rate",
        "10mbit",
        "--delay",
        "20ms",
        "--rcvbuf",
        "4096",
        "--slow-reader",
        "20000",
        "--payload-size",
        "40k",
    ]);
    let rows = r.segments();
    let count = |name: &str| with_event(&rows, name);
    assert!(
        count("zero_window") >= 3,
        "zero windows: {}",
        count("zero_window")
    );
    assert!(count("window_update") >= 3);
    assert!(
        count("keep_alive") + count("zero_window_probe") >= 1,
        "the sender probed the closed window"
    );
    assert_eq!(r.meta["tuning"]["rcvbuf"], 4096);
    assert_eq!(r.meta["identical"], true);
}

/// TCP_INFO of the sender is sampled through the transfer.
#[test]
fn root_kernel_view_is_sampled() {
    let Some(_serial) = serial("root_kernel_view_is_sampled") else {
        return;
    };
    let r = run(&["--delay", "10ms", "--cc", "reno", "--payload-size", "500k"]);
    let csv = r.file("-tcpinfo.csv");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.len() >= 10, "{} samples", rows.len());
    let srtt: Vec<u64> = rows
        .iter()
        .filter_map(|r| r[col("srtt_us")].parse().ok())
        .collect();
    assert!(
        srtt.iter().any(|s| (18_000..=30_000).contains(s)),
        "the kernel's srtt reflects the 20 ms round trip: {srtt:?}"
    );
    let cwnd: Vec<u64> = rows
        .iter()
        .filter_map(|r| r[col("cwnd")].parse().ok())
        .collect();
    assert!(cwnd.iter().max() > cwnd.first(), "cwnd grows in slow start");
    assert_eq!(r.meta["congestion_control"], "reno");
    assert!(r.out.status.success());
    // The run's browser view draws the series over its window and RTT graphs.
    let reports = r.dir.path().join("reports");
    let out = common::stdout(&r.out);
    if let Some(view) = common::view_probe::run_view(&reports, &out, &r.meta) {
        assert!(view.kernel, "the kernel's cwnd on the view's window graph");
    }
}

/// The paragraph that follows a heading of the report.
fn answer<'a>(md: &'a str, heading: &str) -> &'a str {
    let at = md
        .find(heading)
        .unwrap_or_else(|| panic!("{heading} in the report"));
    let rest = &md[at + heading.len()..];
    rest.trim_start().split("\n\n").next().unwrap_or("")
}

/// A table row of the report starting with `label`.
fn row<'a>(md: &'a str, label: &str) -> &'a str {
    md.lines()
        .find(|l| l.starts_with(&format!("| {label}")))
        .unwrap_or_else(|| panic!("row {label:?} in the report"))
}

/// 5 MB over 10 Mbit/s and 20 ms: the report shows slow start and where it
/// ended, and the kernel's cwnd agrees with the capture's flight (10 %).
#[test]
fn root_slow_start_shows_and_the_kernel_agrees() {
    let Some(_serial) = serial("root_slow_start_shows_and_the_kernel_agrees") else {
        return;
    };
    let r = run(&[
        "--rate",
        "10mbit",
        "--delay",
        "20ms",
        "--seed",
        "1",
        "--payload-size",
        "5M",
        "--cc",
        "cubic",
    ]);
    let md = report_md(&r);
    let ss = answer(&md, "### Is slow start visible?");
    assert!(ss.starts_with("Yes:"), "{ss}");
    assert!(
        ss.contains("stops doubling") || ss.contains("ends slow start"),
        "where it ended: {ss}"
    );
    let flight = row(&md, "bytes in flight in round trip");
    assert!(flight.contains("✓ agree"), "{flight}");
    let end = row(&md, "end of slow start");
    assert!(end.contains("✓"), "{end}");
    assert!(row(&md, "round-trip time").contains("✓"));
    let reports = r.dir.path().join("reports");
    let report_dir = std::fs::read_dir(&reports)
        .expect("reports dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .next()
        .expect("one report");
    let window = std::fs::read_to_string(report_dir.join("window.svg")).expect("window.svg");
    assert!(
        window.contains("congestion window of 10.77.0.1"),
        "the kernel's cwnd is drawn in the window graph"
    );
    let rtt = std::fs::read_to_string(report_dir.join("rtt.svg")).expect("rtt.svg");
    assert!(
        rtt.contains("(kernel, TCP_INFO)"),
        "and its smoothed RTT in the RTT graph"
    );
}

/// `--loss 1%`: the analysis finds the drops sent again by fast recovery,
/// and the report lists the link's drops with the frames that resent them.
/// Wireshark's names for those resends are not asserted one by one: it
/// calls one a fast retransmission only when two duplicate ACKs came
/// before it, and Linux's RACK may resend after one, so from run to run
/// the same seeded drops are named fast retransmission or out-of-order.
#[test]
fn root_one_percent_loss_gives_fast_retransmissions() {
    let Some(_serial) = serial("root_one_percent_loss_gives_fast_retransmissions") else {
        return;
    };
    let r = run(&[
        "--rate",
        "10mbit",
        "--delay",
        "20ms",
        "--loss",
        "1%",
        "--seed",
        "1",
        "--payload-size",
        "2M",
        "--cc",
        "cubic",
    ]);
    let rows = r.segments();
    let count = |name: &str| with_event(&rows, name);
    let drops = r.meta["link"]["forward_drops"].as_u64().expect("drops");
    assert!(drops >= 5, "1 % of ~1,400 segments: {drops}");
    let resent = [
        "fast_retransmission",
        "retransmission",
        "spurious_retransmission",
        "out_of_order",
    ]
    .map(|name| count(name) as u64)
    .iter()
    .sum::<u64>();
    assert!(
        resent >= drops,
        "every drop resent, under one of Wireshark's names: {resent} for {drops} drops"
    );
    let text = r.file(".txt");
    let sent_again = text
        .lines()
        .find(|l| l.trim_start().starts_with("sent again:"))
        .unwrap_or_else(|| panic!("the sender's sent-again line:\n{text}"));
    assert!(
        sent_again.contains("fast recovery"),
        "tcplab's own account names fast recovery: {sent_again}"
    );
    let md = report_md(&r);
    assert!(md.contains("## The path: tcplab's emulated link"));
    assert!(
        md.contains("→ sent again in frame"),
        "each drop matched to its resend"
    );
    let retrans = answer(&md, "### Were there retransmissions?");
    assert!(retrans.starts_with("Yes:"), "{retrans}");
}
