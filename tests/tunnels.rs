//! TCP wherever it travels (#17): the real binary on the tunnel and link
//! type captures of tests/data (made by synth.py, described in
//! tests/data/README.md). tshark agrees frame by frame on every one of
//! them (tests/tshark_oracle.rs); this checks what tshark cannot: the
//! tunnel paths, `--tunnels separate`, `--decode-as`, and the reasons of
//! what is not TCP.

mod common;

use common::*;
use serde_json::Value;

fn json_of(args: &[&str]) -> Value {
    let out = tcplab(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("JSON output")
}

fn analysis(capture: &str, extra: &[&str]) -> Value {
    let path = data(capture);
    let mut args = vec!["analyze", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(path.to_str().expect("utf-8 path"));
    json_of(&args)["captures"][0].clone()
}

fn tunnels_of(a: &Value) -> Vec<Option<String>> {
    a["connections"]
        .as_array()
        .expect("connections")
        .iter()
        .map(|c| c["tunnel"].as_str().map(String::from))
        .collect()
}

/// A capture, its TCP segments and connections, and what is not TCP in it.
type Case = (&'static str, u64, usize, &'static [(&'static str, u64)]);

#[test]
fn every_encapsulation_and_link_type_yields_its_tcp_segments() {
    let cases: [Case; 16] = [
        (
            "gre.pcap",
            28,
            2,
            &[("GRE with unknown protocol 0x1234", 3)],
        ),
        ("erspan.pcap", 42, 3, &[]),
        ("vxlan.pcap", 28, 2, &[]),
        ("vxlan-8472.pcap", 0, 0, &[("IP but not TCP", 14)]),
        ("vxlan-two-vni.pcap", 18, 1, &[]),
        ("geneve.pcap", 14, 1, &[]),
        ("ipip.pcap", 42, 3, &[]),
        ("mpls.pcap", 42, 3, &[]),
        ("pppoe.pcap", 28, 2, &[("not IP inside PPP", 1)]),
        ("ppp.pcap", 28, 2, &[]),
        ("juniper-ether.pcap", 14, 1, &[]),
        ("ipoib.pcap", 28, 2, &[]),
        ("arcnet.pcap", 17, 2, &[]),
        ("arcnet-linux.pcap", 14, 1, &[]),
        (
            "wlan.pcap",
            28,
            2,
            &[
                ("802.11 encrypted (not decrypted)", 1),
                ("802.11 management, control or null data (no packet)", 2),
            ],
        ),
        (
            "radiotap.pcap",
            14,
            1,
            &[
                ("802.11 encrypted (not decrypted)", 1),
                ("802.11 management, control or null data (no packet)", 2),
            ],
        ),
    ];
    for (capture, segments, conns, skipped) in cases {
        let a = analysis(capture, &[]);
        let c = &a["capture"];
        assert_eq!(c["tcp_segments"], segments, "{capture}");
        assert_eq!(
            a["connections"].as_array().map(Vec::len),
            Some(conns),
            "{capture}"
        );
        let expected: serde_json::Map<String, Value> = skipped
            .iter()
            .map(|(k, v)| (k.to_string(), Value::from(*v)))
            .collect();
        assert_eq!(c["skipped"], Value::Object(expected), "{capture}");
    }
}

#[test]
fn each_connection_names_its_tunnel_path() {
    let names = |capture| tunnels_of(&analysis(capture, &[]));
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        names("gre.pcap"),
        [
            some("GRE key 42 over 203.0.113.1 → 203.0.113.2"),
            some("GRE over 203.0.113.1 → 203.0.113.2"),
        ]
    );
    assert_eq!(
        names("erspan.pcap"),
        [
            some("ERSPAN type I in GRE over 203.0.113.1 → 203.0.113.2"),
            some("ERSPAN type II session 17 in GRE over 203.0.113.1 → 203.0.113.2"),
            some("ERSPAN type III session 23 in GRE over 203.0.113.1 → 203.0.113.2"),
        ]
    );
    assert_eq!(
        names("ipip.pcap"),
        [
            some("IP-in-IP over 203.0.113.1 → 203.0.113.2"),
            some("IP-in-IP over 203.0.113.1 → 203.0.113.2"),
            some("IP-in-IP over 2001:db8:ff::1 → 2001:db8:ff::2"),
        ]
    );
    assert_eq!(
        names("pppoe.pcap"),
        [some("PPPoE session 0x2a01"), some("PPPoE session 0x2a01")]
    );
    assert_eq!(
        names("geneve.pcap"),
        [some("Geneve vni 10 over 203.0.113.1 → 203.0.113.2")]
    );
    // Link types that carry IP directly are not tunnels.
    assert_eq!(names("ppp.pcap"), [None, None]);
    assert_eq!(names("wlan.pcap"), [None, None]);

    let text = stdout(&tcplab(&[
        "analyze",
        data("vxlan.pcap").to_str().expect("utf-8"),
    ]));
    assert!(
        text.contains("  tunnel: VXLAN vni 5001 over 203.0.113.1 → 203.0.113.2\n"),
        "{text}"
    );
}

#[test]
fn mpls_label_stacks_differ_by_direction_and_say_so() {
    let a = analysis("mpls.pcap", &[]);
    let first = &a["connections"][0];
    assert_eq!(first["tunnel"], "MPLS labels 16/1000");
    assert_eq!(first["other_tunnels"], true);
    assert_eq!(a["connections"][1]["tunnel"], "MPLS label 2000");
    assert!(a["connections"][1].get("other_tunnels").is_none());
}

#[test]
fn the_same_four_tuple_in_two_vnis_is_one_connection_unless_separated() {
    let merged = analysis("vxlan-two-vni.pcap", &[]);
    assert_eq!(merged["connections"].as_array().map(Vec::len), Some(1));
    assert_eq!(merged["connections"][0]["other_tunnels"], true);

    let separate = analysis("vxlan-two-vni.pcap", &["--tunnels", "separate"]);
    let conns = separate["connections"].as_array().expect("connections");
    assert_eq!(conns.len(), 2);
    for (c, vni) in conns.iter().zip([5001, 5002]) {
        assert_eq!(
            c["tunnel"],
            format!("VXLAN vni {vni} over 203.0.113.1 → 203.0.113.2")
        );
        assert_eq!(c["packets"], 9, "{c}");
        assert_eq!(c["final_state"], "closed");
        assert!(c.get("other_tunnels").is_none());
    }
    // The same numbering when old streams and connections go to disk.
    let spilled = analysis(
        "vxlan-two-vni.pcap",
        &[
            "--tunnels",
            "separate",
            "--max-hot-streams",
            "1",
            "--max-in-memory",
            "0",
        ],
    );
    assert_eq!(spilled["connections"], separate["connections"]);
}

#[test]
fn decode_as_reads_vxlan_on_another_port() {
    let a = analysis("vxlan-8472.pcap", &["--decode-as", "udp:8472=vxlan"]);
    assert_eq!(a["capture"]["tcp_segments"], 14);
    assert_eq!(
        tunnels_of(&a),
        [Some(
            "VXLAN vni 77 over 203.0.113.1 → 203.0.113.2".to_string()
        )]
    );
    let bad = tcplab(&["analyze", "--decode-as", "udp:8472=gre", "x.pcap"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("not a tunnel tcplab decodes in UDP"));
}

/// `plot` and `report` take `--tunnels` and `--decode-as` as `analyze`
/// does, and number the same connections with them.
#[test]
fn plot_and_report_read_tunnels_as_analyze_does() {
    let dir = std::env::temp_dir().join(format!("tcplab-tunnel-flags-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let two_vni = data("vxlan-two-vni.pcap");
    let two_vni = two_vni.to_str().expect("utf-8 path");
    let svg = dir.join("s1.svg");
    let svg = svg.to_str().expect("utf-8 path");
    let plot = |extra: &[&str]| {
        let mut args = vec!["plot", two_vni, "-g", "stevens", "--stream", "1", "-o", svg];
        args.extend_from_slice(extra);
        tcplab(&args)
    };
    // One connection by default (as tshark): there is no stream 1.
    let merged = plot(&[]);
    assert!(!merged.status.success(), "{}", stdout(&merged));
    assert!(stderr(&merged).contains("stream 1"), "{}", stderr(&merged));
    let separate = plot(&["--tunnels", "separate"]);
    assert!(separate.status.success(), "{}", stderr(&separate));
    assert!(stdout(&separate).contains("stevens graph of stream 1"));

    let port_8472 = data("vxlan-8472.pcap");
    let port_8472 = port_8472.to_str().expect("utf-8 path");
    let out = dir.join("report");
    let out = out.to_str().expect("utf-8 path");
    let plain = tcplab(&["report", port_8472, "-o", out]);
    assert!(
        stderr(&plain).contains("no TCP connection"),
        "{}",
        stderr(&plain)
    );
    let decoded = tcplab(&[
        "report",
        port_8472,
        "-o",
        out,
        "--decode-as",
        "udp:8472=vxlan",
    ]);
    assert!(decoded.status.success(), "{}", stderr(&decoded));
    let summary = std::fs::read_to_string(format!("{out}/summary.json")).expect("summary.json");
    let summary: Value = serde_json::from_str(&summary).expect("JSON");
    assert_eq!(
        summary["captures"][0]["capture"]["tcp_segments"], 14,
        "{summary}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_lines_rows_carry_the_tunnel_path() {
    let dir = std::env::temp_dir().join(format!("tcplab-tunnels-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let out = dir.join("gre.jsonl");
    let run = tcplab(&[
        "analyze",
        "--segments-json",
        out.to_str().expect("utf-8"),
        data("gre.pcap").to_str().expect("utf-8"),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let text = std::fs::read_to_string(&out).expect("the JSON Lines file");
    let _ = std::fs::remove_dir_all(&dir);
    let rows: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON row"))
        .collect();
    assert_eq!(rows.len(), 28);
    assert_eq!(
        rows[0]["tunnel"],
        "GRE key 42 over 203.0.113.1 → 203.0.113.2"
    );
    // The server's segments come back through the same tunnel, reversed.
    let back = rows
        .iter()
        .find(|r| r["stream"] == 0 && r["src"] == "198.51.100.20:5001")
        .expect("a segment from the server");
    assert_eq!(back["tunnel"], "GRE key 42 over 203.0.113.2 → 203.0.113.1");
    // The per-segment CSV keeps its documented 18 columns.
    let csv = stdout(&tcplab(&[
        "analyze",
        "--format",
        "csv",
        data("gre.pcap").to_str().expect("utf-8"),
    ]));
    assert!(csv.lines().all(|l| l.split(',').count() == 18));
}

/// The frames whose CSV rows carry `len` payload bytes, with their times.
fn frames_with_len(capture: &str, len: &str) -> Vec<(u64, String)> {
    let out = tcplab(&[
        "analyze",
        "--format",
        "csv",
        data(capture).to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[10] == len)
        .map(|f| (f[0].parse().expect("frame"), f[1].to_string()))
        .collect()
}

/// IP fragments (#17): each datagram becomes its TCP segment at the frame
/// that completes it, with that frame's time (as tshark shows it); the
/// other fragments are counted as reassembled, an incomplete datagram's
/// fragments with the reason.
#[test]
fn fragmented_segments_are_reassembled_at_the_frame_that_completes_them() {
    const MISSING: [(&str, u64); 1] = [(
        "IP fragment of a datagram not reassembled (a fragment missing)",
        2,
    )];
    // A capture, its TCP segments, reassembled fragments and what is not TCP.
    type FragCase = (&'static str, u64, u64, &'static [(&'static str, u64)]);
    let cases: [FragCase; 7] = [
        ("ipfrag-v4.pcap", 14, 6, &[]),
        ("ipfrag-v4-reversed.pcap", 14, 6, &[]),
        ("ipfrag-v4-overlap.pcap", 14, 6, &[]),
        ("ipfrag-v4-missing.pcap", 13, 4, &MISSING),
        ("ipfrag-v6.pcap", 14, 2, &[]),
        ("vxlan-frag.pcap", 14, 2, &[]),
        ("ipip-inner-frag.pcap", 14, 6, &[]),
    ];
    for (capture, segments, reassembled, skipped) in cases {
        let c = analysis(capture, &[])["capture"].clone();
        assert_eq!(c["tcp_segments"], segments, "{capture}");
        assert_eq!(c["reassembled_fragments"], reassembled, "{capture}");
        let expected: serde_json::Map<String, Value> = skipped
            .iter()
            .map(|(k, v)| (k.to_string(), Value::from(*v)))
            .collect();
        assert_eq!(c["skipped"], Value::Object(expected), "{capture}");
    }
    // Fragments 6-8 and 9-11 hold the two full segments (the last, 1104
    // bytes, 13-15): in order the third fragment completes each, reversed
    // too (it is then the first fragment, offset 0).
    let full = frames_with_len("ipfrag-v4.pcap", "1448");
    assert_eq!(full.iter().map(|f| f.0).collect::<Vec<_>>(), [8, 11]);
    assert_eq!(full[0].1, "1709294400.006483000");
    let reversed = frames_with_len("ipfrag-v4-reversed.pcap", "1448");
    assert_eq!(reversed.iter().map(|f| f.0).collect::<Vec<_>>(), [8, 11]);
    // Each reassembled row names its fragments in JSON Lines.
    let dir = tempfile::tempdir().expect("temp dir");
    let jsonl = dir.path().join("reversed.jsonl");
    let run = tcplab(&[
        "analyze",
        data("ipfrag-v4-reversed.pcap").to_str().expect("utf-8"),
        "--segments-json",
        jsonl.to_str().expect("utf-8"),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let rows: Vec<Value> = std::fs::read_to_string(&jsonl)
        .expect("JSON Lines")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON row"))
        .filter(|r: &Value| r.get("ip_fragments").is_some())
        .collect();
    let named: Vec<(u64, Value)> = rows
        .iter()
        .map(|r| {
            (
                r["frame"].as_u64().expect("frame"),
                r["ip_fragments"].clone(),
            )
        })
        .collect();
    assert_eq!(
        named,
        [8, 11, 15].map(|f| (f, serde_json::json!({"count": 3, "first_frame": f - 2})))
    );
    // The second full segment lost a fragment: only the first is seen.
    let seen = frames_with_len("ipfrag-v4-missing.pcap", "1448");
    assert_eq!(seen.iter().map(|f| f.0).collect::<Vec<_>>(), [8]);
    // Reassembled outer packets still name the tunnel they carried, and
    // inner fragments the tunnel they came through.
    assert_eq!(
        tunnels_of(&analysis("vxlan-frag.pcap", &[])),
        [Some(
            "VXLAN vni 5001 over 203.0.113.1 → 203.0.113.2".to_string()
        )]
    );
    assert_eq!(
        tunnels_of(&analysis("ipip-inner-frag.pcap", &[])),
        [Some("IP-in-IP over 203.0.113.1 → 203.0.113.2".to_string())]
    );
}
