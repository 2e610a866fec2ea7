//! The whole pipeline on one input taken as a capture file: reader
//! (pcap / pcapng), dissector, flow table, analysis, and the three output
//! writers. Errors from the reader are fine (the input is mostly garbage);
//! a panic, an abort, a hang or a runaway allocation is a bug.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::{self, Cursor};
use std::path::Path;
use tcplab::analysis::Analyzer;
use tcplab::capture::CaptureReader;
use tcplab::output::{csv::CsvWriter, json, text};

fuzz_target!(|data: &[u8]| {
    let Ok(mut reader) = CaptureReader::new(Cursor::new(data), Path::new("fuzz.pcap")) else {
        return;
    };
    let mut analyzer = Analyzer::new();
    let mut csv = CsvWriter::new(io::sink()).expect("the sink takes the header");
    // Like `analyze_file`: stop at the first error, keep what came before.
    while let Ok(Some(record)) = reader.next_record() {
        if let Some(report) = analyzer.push_record(&record) {
            csv.write(&report).expect("the sink takes every row");
        }
    }
    // What the reader reports about the file must not panic either.
    let _ = (reader.format(), reader.link_types(), reader.path());
    csv.finish().expect("the sink flushes");
    let analysis = analyzer.finish();
    text::write(&mut io::sink(), &analysis).expect("text output to the sink");
    json::write(&mut io::sink(), std::slice::from_ref(&analysis)).expect("JSON output to the sink");
});
