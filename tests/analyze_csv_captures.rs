//! Per-segment CSV over several captures (docs/analyze-csv.md): a first
//! column, `capture`, names each row's file, and every row is the one the
//! capture alone gives; with one capture the header stays as documented.

mod common;

use common::*;

const HEADER: &str = "frame,time,stream,src,sport,dst,dport,seq,ack,next_seq,len,flags,win,win_scaled,sack,events,ack_rtt,bytes_in_flight";

fn csv(args: &[&str]) -> String {
    let mut all = vec!["analyze", "--format", "csv"];
    all.extend_from_slice(args);
    let out = tcplab(&all);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

/// `prefix` + each row of `file`'s own CSV.
fn rows_of(file: &str, prefix: &str) -> Vec<String> {
    csv(&[file])
        .lines()
        .skip(1)
        .map(|row| format!("{prefix},{row}"))
        .collect()
}

#[test]
fn several_captures_gain_a_capture_column_and_keep_each_row() {
    // rst.pcap's stream 0 has other endpoints than lossy.pcap's: the rows
    // must not reuse the first capture's endpoint text.
    let (lossy, rst) = (
        data("lossy.pcap").display().to_string(),
        data("rst.pcap").display().to_string(),
    );
    let both = csv(&[&lossy, &rst]);
    let mut lines = both.lines();
    assert_eq!(lines.next(), Some(format!("capture,{HEADER}").as_str()));
    let mut expected = rows_of(&lossy, &lossy);
    expected.extend(rows_of(&rst, &rst));
    assert_eq!(lines.map(str::to_string).collect::<Vec<_>>(), expected);
    assert_eq!(expected.len(), 314 + 14);
}

#[test]
fn one_capture_keeps_the_documented_header() {
    let one = csv(&[&data("rst.pcap").display().to_string()]);
    assert_eq!(one.lines().next(), Some(HEADER));
}

#[test]
fn segments_file_over_several_captures_quotes_a_name_with_a_comma() {
    let dir = tempfile::tempdir().expect("temp dir");
    let odd = dir.path().join("a,b.pcap");
    std::fs::copy(data("rst.pcap"), &odd).expect("copy");
    let odd = odd.display().to_string();
    let lossy = data("lossy.pcap").display().to_string();
    let out_csv = dir.path().join("segments.csv");
    let out = tcplab(&[
        "analyze",
        &lossy,
        &odd,
        "--segments",
        &out_csv.display().to_string(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&out_csv).expect("the CSV");
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows.len(), 314 + 14);
    let quoted = format!("\"{odd}\",");
    assert!(rows[..314]
        .iter()
        .all(|r| r.starts_with(&format!("{lossy},"))));
    assert!(
        rows[314..].iter().all(|r| r.starts_with(&quoted)),
        "{}",
        rows[314]
    );
}

#[test]
fn segments_json_still_takes_one_capture() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = tcplab(&[
        "analyze",
        &data("lossy.pcap").display().to_string(),
        &data("rst.pcap").display().to_string(),
        "--segments-json",
        &dir.path().join("s.jsonl").display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--segments-json takes one capture at a time"));
}
