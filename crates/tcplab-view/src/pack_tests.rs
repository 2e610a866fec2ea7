//! The packed bytes read back in Rust as `web/codec.js` reads them, and
//! the fixture with which `web/test/codec.test.js` checks the JavaScript
//! reader against this writer.

use super::*;
use flate2::read::GzDecoder;
use std::io::Read;
use tcplab_render::plot::synthetic;

/// A packed connection's columns, inflated and read back by name.
fn unpack(p: &Packed, text: &str) -> Vec<(&'static str, Vec<i64>)> {
    let b64 = &text[p.at[0]..p.at[0] + p.at[1]];
    let zipped = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64");
    let mut bytes = Vec::new();
    GzDecoder::new(&zipped[..])
        .read_to_end(&mut bytes)
        .expect("gzip");
    p.cols
        .iter()
        .map(|&(name, w, at, n)| {
            assert_eq!(at % 8, 0, "{name} is aligned");
            let values = (0..n)
                .map(|k| {
                    let b = &bytes[at + k * w.bytes()..at + (k + 1) * w.bytes()];
                    match w {
                        Width::I8 => i64::from(b[0] as i8),
                        Width::I16 => i64::from(i16::from_le_bytes([b[0], b[1]])),
                        Width::I32 => i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                        Width::F64 => {
                            let mut a = [0u8; 8];
                            a.copy_from_slice(b);
                            f64::from_le_bytes(a) as i64
                        }
                    }
                })
                .collect();
            (name, values)
        })
        .collect()
}

fn packed_one(c: &Columns) -> (Packed, String) {
    let mut ps = vec![pack(c)];
    let text = join(&mut ps);
    (ps.remove(0), text)
}

#[test]
fn every_column_reads_back_from_the_bytes() {
    let mut c = Columns::of(&synthetic::bulk_transfer(3000));
    // Values that need every width.
    c.ack_rtt = vec![0, 5_000_000_000, 1, 300_000_000_000_000];
    let (p, text) = packed_one(&c);
    assert_eq!(p.n, 3000);
    let back = unpack(&p, &text);
    for ((name, col), (back_name, values)) in c.named().iter().zip(&back) {
        assert_eq!(name, back_name);
        assert_eq!(*col, &values[..], "column {name}");
    }
    let width = |n: &str| p.cols.iter().find(|c| c.0 == n).map(|c| c.1);
    assert_eq!(width("ack_rtt"), Some(Width::F64));
    assert_eq!(width("len"), Some(Width::I16));
}

#[test]
fn two_connections_share_the_block_without_overlap() {
    let a = Columns::of(&synthetic::bulk_transfer(100));
    let mut b = Columns::of(&synthetic::bulk_transfer(50));
    b.stream = 7;
    let mut ps = vec![pack(&a), pack(&b)];
    let text = join(&mut ps);
    assert_eq!(ps[1].at[0], ps[0].at[1]);
    assert_eq!(ps[1].at[0] + ps[1].at[1], text.len());
    assert_eq!(unpack(&ps[1], &text)[0].1, b.t);
    assert_eq!(unpack(&ps[0], &text)[1].1, a.frame);
}

#[test]
fn widths_are_the_narrowest_that_hold_the_values() {
    assert_eq!(Width::of(&[]), Width::I8);
    assert_eq!(Width::of(&[-128, 127]), Width::I8);
    assert_eq!(Width::of(&[128]), Width::I16);
    assert_eq!(Width::of(&[-32769]), Width::I32);
    assert_eq!(Width::of(&[1 << 31]), Width::F64);
}

#[test]
fn a_bulk_segment_costs_a_few_bytes_of_the_page() {
    // docs/view.md states this figure (and the JSON of before cost 28.8).
    let (p, text) = packed_one(&Columns::of(&synthetic::bulk_transfer(100_000)));
    let per = text.len() as f64 / p.n as f64;
    assert!(per < 12.0, "{per:.1} bytes per segment");
}

/// `web/test/packed.json`: a small connection packed as the page packs
/// it, with its columns in plain JSON, for the node test of `unpack`.
/// Written again with `TCPLAB_VIEW_FIXTURE=write`; otherwise it must be
/// what this writer writes now.
#[test]
fn the_javascript_fixture_is_what_the_writer_writes() {
    let mut s = synthetic::bulk_transfer(200);
    s.stream = 2;
    let mut c = Columns::of(&s);
    // Sparse columns with a few entries, one of them past 32 bits.
    c.resent = vec![3, 1448, 10, 700];
    c.ev = vec![5, 64, 1, 2];
    c.again = vec![5, 0, 1, 1];
    c.ts_rtt = vec![0, 40_000_000_000];
    c.sack = vec![7, 1448, 2896];
    let (p, text) = packed_one(&c);
    let columns: serde_json::Map<String, serde_json::Value> = c
        .named()
        .iter()
        .map(|(n, v)| ((*n).to_string(), serde_json::json!(v)))
        .collect();
    let doc = serde_json::json!({ "entry": p, "text": text, "columns": columns });
    let fresh = serde_json::to_string(&doc).expect("serializes") + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web/test/packed.json");
    if std::env::var_os("TCPLAB_VIEW_FIXTURE").is_some_and(|v| v == "write") {
        std::fs::write(&path, &fresh).expect("writes the fixture");
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        stored == fresh,
        "{} is not what pack writes now: run TCPLAB_VIEW_FIXTURE=write cargo test -p tcplab-view and read the diff",
        path.display()
    );
}
