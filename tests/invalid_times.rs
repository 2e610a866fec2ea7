//! A pcap record whose sub-second field is out of range (#17):
//! tests/data/bad-subsecond.pcap, whose record 5 claims 1,500,000 µs.

mod common;

use common::*;

fn bad() -> String {
    data("bad-subsecond.pcap")
        .to_str()
        .expect("utf-8")
        .to_string()
}

#[test]
fn the_record_is_named_in_a_warning_and_the_exit_code_says_so() {
    let out = tcplab(&["analyze", &bad()]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("bad-subsecond.pcap: record 5 has an invalid sub-second time field"),
        "{err}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&tcplab(&["analyze", "--format", "json", &bad()])))
            .expect("JSON");
    let times = &json["captures"][0]["capture"]["invalid_times"];
    assert_eq!(times["count"], 1);
    assert_eq!(times["frames"], serde_json::json!([5]));
}

#[test]
fn no_rtt_is_reported_across_it() {
    let csv = stdout(&tcplab(&["analyze", "--format", "csv", &bad()]));
    let rtt_of = |frame: &str| {
        csv.lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|f| f[0] == frame)
            .map(|f| f[16].to_string())
            .expect("the frame is in the CSV")
    };
    // Frame 5 acknowledges frame 4: its (wrong) time gives no sample.
    assert_eq!(rtt_of("5"), "");
    // Before and after it, ACK RTTs are measured as usual.
    assert_eq!(rtt_of("2"), "0.003000000");
    assert_eq!(rtt_of("8"), "0.000018000");
    // The same connection with a valid time on record 5 (synth.py writes
    // it before spoiling it) has 3 samples of each kind from the client's
    // data: the one spanning record 5 is left out of both.
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&tcplab(&["analyze", "--format", "json", &bad()])))
            .expect("JSON");
    let client = &json["captures"][0]["connections"][0]["a_to_b"];
    assert_eq!(client["ack_rtt"]["samples"], 2, "{client}");
    assert_eq!(client["ts_rtt"]["samples"], 2, "{client}");
    assert_eq!(client["ack_rtt"]["max"], 0.003, "{client}");
}
