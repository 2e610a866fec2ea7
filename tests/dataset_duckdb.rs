//! The Parquet dataset as its users open it: `tcplab analyze --format
//! parquet` on several test captures, then DuckDB's Python package reads
//! the three tables with `read_parquet(..., hive_partitioning = true)` and
//! no schema, runs every query of docs/queries.sql, and its answers are
//! checked against tshark (segments and retransmitted segments per
//! capture) and `tcplab analyze --format json` on the same captures.
//!
//! DuckDB comes from PyPI, installed by `.ci/install-deps` into the
//! virtualenv /opt/tcplab-venv (docs/dataset.md); `TCPLAB_PYTHON` names
//! another Python that has it. Without it the test says what to run, and
//! fails when CI=true.

mod common;
mod dataset_support;

use common::*;
use dataset_support::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[test]
fn duckdb_reads_the_dataset_and_every_query_agrees_with_tshark_and_the_json() {
    let Some(python) = python_with_duckdb() else {
        return;
    };
    let setup = write_dataset();
    let answers = run_queries(&python, &setup.root);
    let json: BTreeMap<&String, (Value, Vec<Value>)> =
        setup.files.iter().map(|(n, f)| (n, json_of(f))).collect();
    let conns = || {
        json.iter()
            .flat_map(|(name, (_, cs))| cs.iter().map(move |c| ((*name).clone(), c)))
    };
    let sql_names: BTreeSet<&str> = include_str!("../docs/queries.sql")
        .lines()
        .filter_map(|l| l.strip_prefix("-- name: "))
        .collect();
    assert_eq!(
        answers.keys().map(String::as_str).collect::<BTreeSet<_>>(),
        sql_names,
        "every query ran"
    );
    assert!(sql_names.len() >= 12, "about a dozen queries");

    // Segments and retransmitted segments per capture: tshark's counts.
    let per_capture = &answers["per_capture"];
    assert_eq!(per_capture.len(), setup.files.len(), "{per_capture:?}");
    let tshark = have("tshark");
    assert!(
        tshark || !in_ci(),
        "tshark is missing (run .ci/install-deps)"
    );
    for row in per_capture {
        let name = row["capture"].as_str().expect("capture");
        let (_, cs) = &json[&name.to_string()];
        assert_eq!(int(&row["connections"]), cs.len() as u64, "{name}");
        if !tshark {
            continue;
        }
        if let Some((segments, retransmitted)) = tshark_counts(&setup.files[name]) {
            assert_eq!(int(&row["segments"]), segments, "{name}: segments");
            assert_eq!(
                int(&row["retransmitted"]),
                retransmitted,
                "{name}: retransmitted"
            );
        }
    }

    // Tunnels: the segments of the connections the JSON names a tunnel
    // path for carry their path (vxlan.pcap: 28 segments in VNI 5001).
    let mut tunneled: BTreeMap<(String, String), u64> = BTreeMap::new();
    for (name, c) in conns() {
        if let Some(path) = c["tunnel"].as_str() {
            *tunneled.entry((name, path.to_string())).or_default() += int(&c["packets"]);
        }
    }
    let per_tunnel: BTreeMap<(String, String), u64> = answers["segments_per_tunnel"]
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().expect("text").to_string();
            ((text("capture"), text("tunnel")), int(&r["segments"]))
        })
        .collect();
    // A segment's path is its own direction's (outer source → destination);
    // a connection's is its first packet's: the totals agree per capture,
    // and each connection's path is one its segments took.
    let total = |m: &BTreeMap<(String, String), u64>| {
        let mut t: BTreeMap<String, u64> = BTreeMap::new();
        for ((capture, _), n) in m {
            *t.entry(capture.clone()).or_default() += n;
        }
        t
    };
    assert_eq!(total(&per_tunnel), total(&tunneled));
    assert!(
        tunneled.keys().all(|k| per_tunnel.contains_key(k)),
        "{per_tunnel:?}"
    );
    assert_eq!(total(&per_tunnel).get("vxlan.pcap"), Some(&28));

    // Zero windows: exactly the connections the JSON says had one, from
    // its first zero-window frame, for some time.
    let zero: BTreeMap<(String, u64), &Value> = answers["zero_window_episodes"]
        .iter()
        .map(|r| (key(r), r))
        .collect();
    let expected: BTreeMap<(String, u64), u64> = conns()
        .filter(|(_, c)| event_count(c, "zero_window") > 0)
        .map(|(n, c)| {
            let zw = c["events"]
                .as_array()
                .expect("events")
                .iter()
                .find(|e| e["event"] == "zero_window")
                .expect("a zero_window event");
            ((n, int(&c["stream"])), int(&zw["frames"][0]))
        })
        .collect();
    assert_eq!(
        zero.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    assert!(expected.contains_key(&("zero-window.pcap".to_string(), 0)));
    for (k, first) in &expected {
        let row = zero[k];
        assert_eq!(int(&row["first_zero_window_frame"]), *first, "{k:?}");
        let closed = row["closed_seconds"].as_f64().expect("seconds");
        assert!(closed > 0.0, "{k:?}: closed for {closed} s");
    }

    // Receive-window limited: the JSON's window_full and zero_window counts.
    let limited: BTreeMap<(String, u64), (u64, u64)> = answers["receive_window_limited"]
        .iter()
        .map(|r| (key(r), (int(&r["window_full"]), int(&r["zero_window"]))))
        .collect();
    let expected: BTreeMap<(String, u64), (u64, u64)> = conns()
        .map(|(n, c)| {
            let counts = (event_count(c, "window_full"), event_count(c, "zero_window"));
            ((n, int(&c["stream"])), counts)
        })
        .filter(|(_, (full, zero))| full + zero > 0)
        .collect();
    assert_eq!(limited, expected);

    // Handshakes: every connection with an initial RTT (fewer than 20), slowest first.
    let handshakes: Vec<((String, u64), f64)> = answers["slowest_handshakes"]
        .iter()
        .map(|r| (key(r), r["initial_rtt_ms"].as_f64().expect("ms")))
        .collect();
    let mut expected: Vec<((String, u64), f64)> = conns()
        .filter_map(|(n, c)| {
            let rtt = c["handshake"]["initial_rtt"].as_f64()?;
            Some(((n, int(&c["stream"])), ms(rtt)))
        })
        .collect();
    assert!(expected.len() < 20);
    expected.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let rounded = |v: &[((String, u64), f64)]| -> Vec<(String, u64, i64)> {
        v.iter()
            .map(|((c, s), ms)| (c.clone(), *s, (ms * 1000.0).round() as i64))
            .collect()
    };
    assert_eq!(rounded(&handshakes), rounded(&expected));

    // RTT per server: the samples of the clients' data, from the servers' ACKs.
    let mut per_server: BTreeMap<(String, u64), (u64, f64)> = BTreeMap::new();
    for (_, c) in conns() {
        let dir = match c["client"].as_str() {
            Some("a_to_b") => "a_to_b",
            Some("b_to_a") => "b_to_a",
            _ => continue,
        };
        let Some(stats) = c[dir]["ack_rtt"].as_object() else {
            continue;
        };
        let server = &c[dir]["to"];
        let entry = per_server
            .entry((
                server["addr"].as_str().expect("addr").to_string(),
                int(&server["port"]),
            ))
            .or_default();
        entry.0 += int(&stats["samples"]);
        entry.1 = entry.1.max(stats["max"].as_f64().expect("max"));
    }
    let got: BTreeMap<(String, u64), (u64, f64)> = answers["rtt_percentiles_per_server"]
        .iter()
        .map(|r| {
            let server = (
                r["server_addr"].as_str().expect("addr").to_string(),
                int(&r["server_port"]),
            );
            (
                server,
                (int(&r["samples"]), r["max_ms"].as_f64().expect("ms")),
            )
        })
        .collect();
    let expected: BTreeMap<(String, u64), (u64, f64)> = per_server
        .into_iter()
        .map(|(k, (n, max))| (k, (n, ms(max))))
        .collect();
    assert_eq!(got, expected);

    // Events per capture: the JSON's counts, summed over connections.
    let mut expected: BTreeMap<(String, String), u64> = BTreeMap::new();
    for (n, c) in conns() {
        for e in c["events"].as_array().expect("events") {
            *expected
                .entry((n.clone(), e["event"].as_str().expect("name").to_string()))
                .or_default() += int(&e["count"]);
        }
    }
    let got: BTreeMap<(String, String), u64> = answers["events_per_capture"]
        .iter()
        .map(|r| {
            let k = (
                r["capture"].as_str().expect("capture").to_string(),
                r["event"].as_str().expect("event").to_string(),
            );
            (k, int(&r["segments"]))
        })
        .collect();
    assert_eq!(got, expected);

    // Sent again, by mechanism: the JSON's sums.
    for row in &answers["sent_again_by_mechanism"] {
        let name = row["capture"].as_str().expect("capture").to_string();
        for field in [
            "segments",
            "fast_recovery",
            "timeout",
            "tail_loss_probe",
            "spurious",
        ] {
            let sum: u64 = json[&name]
                .1
                .iter()
                .map(|c| {
                    int(&c["a_to_b"]["sent_again"][field]) + int(&c["b_to_a"]["sent_again"][field])
                })
                .sum();
            assert_eq!(int(&row[field]), sum, "{name}: sent again, {field}");
        }
    }
    assert!(!answers["sent_again_by_mechanism"].is_empty());

    // Failed connections: not closed, or a SYN never answered.
    let got: BTreeSet<(String, u64)> = answers["failed_connections"].iter().map(key).collect();
    let expected: BTreeSet<(String, u64)> = conns()
        .filter(|(_, c)| {
            let hs = &c["handshake"];
            c["final_state"] != "closed" || (!hs["syn"].is_null() && hs["syn_ack"].is_null())
        })
        .map(|(n, c)| (n, int(&c["stream"])))
        .collect();
    assert_eq!(got, expected);
    assert!(got.iter().any(|(c, _)| c == "syn-refused-retry.pcap"));

    // Biggest transfers: unique bytes as in the JSON.
    for row in &answers["biggest_transfers"] {
        let (name, stream) = key(row);
        let c = &json[&name].1[stream as usize];
        let unique = int(&c["a_to_b"]["unique_bytes"]) + int(&c["b_to_a"]["unique_bytes"]);
        assert_eq!(int(&row["unique_bytes"]), unique, "{name} stream {stream}");
    }

    // Damaged captures: cut short, invalid times, cut payloads, and the
    // run whose copy differs.
    let got: BTreeSet<String> = answers["damaged_captures"]
        .iter()
        .map(|r| r["capture"].as_str().expect("capture").to_string())
        .collect();
    let mut expected: BTreeSet<String> = json
        .iter()
        .filter(|(_, (cap, _))| {
            !cap["damage"].is_null()
                || cap["invalid_times"]["count"].as_u64().unwrap_or(0) > 0
                || int(&cap["truncated_payload"]) > 0
        })
        .map(|(n, _)| (*n).clone())
        .collect();
    expected.insert("lab.pcap".to_string());
    assert_eq!(got, expected);
    for c in [
        "cut-mid-record.pcap",
        "bad-subsecond.pcap",
        "snaplen-96.pcap",
    ] {
        assert!(got.contains(c), "{c} is damaged: {got:?}");
    }

    // What was not TCP: the JSON's skipped counts.
    let got: BTreeMap<(String, String), u64> = answers["not_tcp_per_capture"]
        .iter()
        .map(|r| {
            let k = (
                r["capture"].as_str().expect("capture").to_string(),
                r["reason"].as_str().expect("reason").to_string(),
            );
            (k, int(&r["count"]))
        })
        .collect();
    let expected: BTreeMap<(String, String), u64> = json
        .iter()
        .flat_map(|(n, (cap, _))| {
            let skipped = cap["skipped"].as_object().expect("skipped").clone();
            skipped
                .into_iter()
                .map(move |(reason, count)| (((*n).clone(), reason), int(&count)))
        })
        .collect();
    assert_eq!(got, expected);

    // Retransmission rate per host pair and hour: every data segment
    // counted once, as the JSON's data segments.
    let rows = &answers["retransmission_rate_per_host_pair_hour"];
    let data: u64 = rows.iter().map(|r| int(&r["data_segments"])).sum();
    let expected: u64 = conns()
        .map(|(_, c)| int(&c["a_to_b"]["data_segments"]) + int(&c["b_to_a"]["data_segments"]))
        .sum();
    assert_eq!(data, expected);

    // Busiest seconds: at most three per capture, none above the capture.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for row in &answers["busiest_seconds"] {
        let name = row["capture"].as_str().expect("capture").to_string();
        *seen.entry(name.clone()).or_default() += 1;
        let all = per_capture
            .iter()
            .find(|r| r["capture"] == name.as_str())
            .expect("the capture");
        assert!(int(&row["segments"]) <= int(&all["segments"]));
    }
    assert!(seen.values().all(|&n| (1..=3).contains(&n)), "{seen:?}");
}

#[test]
fn adding_again_adds_only_new_captures_and_the_header_is_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out_dir = dir.path().join("dataset");
    let out = out_dir.display().to_string();
    let lossy = data("lossy.pcap").display().to_string();
    let rst = data("rst.pcap").display().to_string();
    let first = tcplab(&["analyze", &lossy, "--format", "parquet", "-o", &out]);
    assert!(first.status.success(), "{}", stderr(&first));
    let again = tcplab(&["analyze", &lossy, &rst, "--format", "parquet", "-o", &out]);
    assert!(again.status.success(), "{}", stderr(&again));
    let text = stdout(&again);
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [
            format!("{lossy}: already in the dataset as capture=lossy.pcap (same SHA-256); not added again"),
            format!("{rst}: added as capture=rst.pcap (14 segments, 2 connections)"),
        ]
    );
    // A file that is not a capture is an error and leaves nothing behind.
    let bad = data("not-a-capture.txt").display().to_string();
    let refused = tcplab(&["analyze", &bad, "--format", "parquet", "-o", &out]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("not a pcap or pcapng file"));
    // Every file is complete: no temporary left, one part per partition.
    for table in ["segments", "connections", "captures"] {
        let mut parts: Vec<String> = walk(&out_dir.join(table))
            .iter()
            .map(|p| {
                p.strip_prefix(&out_dir)
                    .expect("inside")
                    .display()
                    .to_string()
            })
            .collect();
        parts.sort();
        assert_eq!(
            parts,
            [
                format!("{table}/capture=lossy.pcap/part-0.parquet"),
                format!("{table}/capture=rst.pcap/part-0.parquet"),
            ]
        );
    }
    // Parquet without -o, and -o without parquet, are one-line errors.
    let no_dir = tcplab(&["analyze", &lossy, "--format", "parquet"]);
    assert_eq!(no_dir.status.code(), Some(1));
    assert!(
        stderr(&no_dir).contains("give it with -o DIR"),
        "{}",
        stderr(&no_dir)
    );
    let stray = tcplab(&["analyze", &lossy, "-o", &out]);
    assert_eq!(stray.status.code(), Some(1));
    assert!(stderr(&stray).contains("-o DIR is the dataset directory"));
}

/// Every file below `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a directory").flatten() {
        let p = entry.path();
        if p.is_dir() {
            files.extend(walk(&p));
        } else {
            files.push(p);
        }
    }
    files
}

/// `--file-as` (for scale/spark_analyze.py, which analyses a local copy of
/// a remote capture): the captures table's `file` is the name given, the
/// partition and every count those of the capture read; refused with
/// another format or several captures.
#[test]
fn file_as_names_the_capture_in_the_captures_table() {
    let Some(python) = python_with_duckdb() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("dataset").display().to_string();
    let lossy = data("lossy.pcap").display().to_string();
    let uri = "hdfs://namenode:8020/class/lossy.pcap";
    let run = tcplab(&[
        "analyze",
        &lossy,
        "--format",
        "parquet",
        "-o",
        &out,
        "--file-as",
        uri,
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let query = format!(
        "import duckdb\nprint(duckdb.sql(\"select file, capture from read_parquet('{out}/captures/**/*.parquet', hive_partitioning = true)\").fetchall())"
    );
    let read = std::process::Command::new(&python)
        .args(["-c", &query])
        .output()
        .expect("python runs");
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&read.stdout).trim(),
        format!("[('{uri}', 'lossy.pcap')]")
    );
    let rst = data("rst.pcap").display().to_string();
    for args in [
        vec!["analyze", &lossy, "--file-as", uri],
        vec![
            "analyze",
            &lossy,
            &rst,
            "--format",
            "parquet",
            "-o",
            &out,
            "--file-as",
            uri,
        ],
    ] {
        let refused = tcplab(&args);
        assert_eq!(refused.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&refused).contains("--file-as"),
            "{}",
            stderr(&refused)
        );
    }
}
