//! The whole pipeline on one input taken as a capture file: reader
//! (pcap / pcapng), dissector, flow table, analysis, and every output
//! writer. Errors from the reader are fine (the input is mostly garbage);
//! a panic, an abort, a hang or a runaway allocation is a bug.
//!
//! The input is read twice, in lockstep: from memory (`CaptureReader::new`
//! on a `Cursor`, analysed and written out) and from a file
//! (`capture::open`, the read-ahead path that `tcplab analyze` uses). Both
//! must hand out the same records and stop with the same error. A second
//! analyzer that spills every connection to its temporary file after each
//! packet (`max_in_memory: 0`) and keeps every stream but the newest on
//! disk (`max_hot_streams: 1`) runs beside the first and must write the
//! same segment rows and the same summaries.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::{self, Cursor};
use std::path::PathBuf;
use std::sync::OnceLock;
use tcplab_analysis::{Analyzer, AnalyzerOptions};
use tcplab_wire::capture::{self, CaptureReader, Record};
use tcplab_render::output::{csv::CsvWriter, json, jsonl::JsonlWriter, text};

/// One file per fuzzing process, rewritten for each input.
fn scratch_file() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::temp_dir().join(format!("tcplab-fuzz-{}.pcap", std::process::id()))
    })
}

fn same_record(a: &Record<'_>, b: &Record<'_>) -> bool {
    (a.frame, a.offset, a.ts, a.ts_valid, a.link, a.orig_len, a.data)
        == (b.frame, b.offset, b.ts, b.ts_valid, b.link, b.orig_len, b.data)
}

fn outcome<T>(r: &Result<T, capture::CaptureError>) -> Option<String> {
    r.as_ref().err().map(ToString::to_string)
}

fn sink_ok<T>(r: io::Result<T>) -> T {
    r.expect("writing to io::sink() cannot fail")
}

fuzz_target!(|data: &[u8]| {
    let path = scratch_file();
    std::fs::write(path, data).expect("the scratch file is writable");
    let from_memory = CaptureReader::new(Cursor::new(data), path);
    let from_file = capture::open(path);
    assert_eq!(outcome(&from_memory), outcome(&from_file), "opening");
    let (Ok(mut reader), Ok(mut file_reader)) = (from_memory, from_file) else {
        return;
    };
    assert_eq!(reader.format(), file_reader.format());

    let mut analyzer = Analyzer::new();
    let mut spilling = Analyzer::with_options(AnalyzerOptions {
        max_in_memory: 0,
        max_hot_streams: 1,
        ..AnalyzerOptions::default()
    });
    let mut csv = sink_ok(CsvWriter::new(Vec::new()));
    let mut spilled_csv = sink_ok(CsvWriter::new(Vec::new()));
    let mut jsonl = JsonlWriter::new(io::sink());
    // Like `analyze_file`: stop at the first error, keep what came before.
    loop {
        let (a, b) = (reader.next_record(), file_reader.next_record());
        let record = match (a, b) {
            (Ok(Some(a)), Ok(Some(b))) => {
                assert!(same_record(&a, &b), "record {}: {a:?} vs {b:?}", a.frame);
                a
            }
            (Ok(None), Ok(None)) => break,
            (a, b) => {
                assert_eq!(outcome(&a), outcome(&b), "reading");
                assert!(
                    a.is_err(),
                    "{:?} vs {:?}",
                    a.map(|r| r.map(|r| r.frame)),
                    b.map(|r| r.map(|r| r.frame))
                );
                break;
            }
        };
        if let Some(report) = analyzer.push_record(&record) {
            sink_ok(csv.write(&report));
            sink_ok(jsonl.write(&report));
        }
        if let Some(report) = spilling.push_record(&record) {
            sink_ok(spilled_csv.write(&report));
        }
    }
    assert_eq!(reader.link_types(), file_reader.link_types());
    let rows = sink_ok(csv.finish());
    let spilled_rows = sink_ok(spilled_csv.finish());
    assert!(rows == spilled_rows, "segment rows differ after spilling");
    sink_ok(jsonl.finish());
    let spilled = spilling.finish();
    let mut spilled_json = sink_ok(json::JsonWriter::new(Vec::new()));
    sink_ok(spilled_json.capture(&spilled.capture, spilled.summaries()));
    let spilled_json = sink_ok(spilled_json.finish());

    // Written one connection at a time, as `tcplab analyze` does ...
    let finished = analyzer.finish();
    let mut out = io::sink();
    sink_ok(text::write_capture(
        &mut out,
        &finished.capture,
        finished.connection_count(),
    ));
    let mut doc = sink_ok(json::JsonWriter::new(Vec::new()));
    let summaries = finished
        .summaries()
        .inspect(|c| sink_ok(text::write_connection(&mut out, c)));
    sink_ok(doc.capture(&finished.capture, summaries));
    let doc = sink_ok(doc.finish());
    assert!(doc == spilled_json, "summaries differ after spilling");
    // ... and all at once.
    let analysis = finished.into_analysis();
    sink_ok(text::write(&mut io::sink(), &analysis));
    sink_ok(json::write(
        &mut io::sink(),
        std::slice::from_ref(&analysis),
    ));
});
