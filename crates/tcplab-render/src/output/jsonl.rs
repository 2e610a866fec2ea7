//! Every per-segment field as JSON Lines (one object per TCP segment),
//! streamed like the CSV: `tcplab analyze --segments-json FILE.jsonl`.
//! Unlike the CSV (fixed columns), this carries relative numbers, TSval/TSecr,
//! captured length, the duplicate-ACK number and the acknowledged frame.
//! Schema: docs/analyze-jsonl.md.

use super::secs;
use serde::Serialize;
use std::io::{self, Write};
use tcplab_analysis::{EventSet, SegmentReport};

#[derive(Serialize)]
struct Row<'a> {
    frame: u64,
    time: String,
    stream: u32,
    src: String,
    dst: String,
    seq: u32,
    ack: u32,
    rel_seq: Option<u32>,
    rel_ack: Option<u32>,
    next_seq: u32,
    len: u32,
    captured_len: u32,
    flags: &'static str,
    reserved_flags: &'static str,
    win: u16,
    win_scaled: Option<u32>,
    sack: Vec<[u32; 2]>,
    tsval: Option<u32>,
    tsecr: Option<u32>,
    events: &'a EventSet,
    dup_ack_num: Option<u32>,
    dup_ack_of: Option<u64>,
    acked_frame: Option<u64>,
    ack_rtt: Option<String>,
    ts_rtt: Option<String>,
    bytes_in_flight: Option<u32>,
    retransmission_of: Option<u64>,
    /// The tunnel path (absent on a plain link).
    #[serde(skip_serializing_if = "Option::is_none")]
    tunnel: Option<&'a str>,
    /// Reassembled from IP fragments (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_fragments: Option<Fragments>,
}

#[derive(Serialize)]
struct Fragments {
    count: u32,
    first_frame: u64,
}

pub struct JsonlWriter<W: Write> {
    out: W,
}

impl<W: Write> JsonlWriter<W> {
    pub fn new(out: W) -> JsonlWriter<W> {
        JsonlWriter { out }
    }

    pub fn write(&mut self, r: &SegmentReport) -> io::Result<()> {
        let row = Row {
            frame: r.frame,
            time: r.ts.to_string(),
            stream: r.stream,
            src: r.src.to_string(),
            dst: r.dst.to_string(),
            seq: r.seq.raw(),
            ack: r.ack.raw(),
            rel_seq: r.rel_seq,
            rel_ack: r.rel_ack,
            next_seq: r.next_seq.raw(),
            len: r.len,
            captured_len: r.captured_len,
            flags: r.flags.letters(),
            reserved_flags: r.flags.reserved_names(),
            win: r.window,
            win_scaled: r.win_scaled,
            sack: r
                .sack
                .as_slice()
                .iter()
                .map(|(l, rr)| [l.raw(), rr.raw()])
                .collect(),
            tsval: r.tsval_tsecr.map(|t| t.0),
            tsecr: r.tsval_tsecr.map(|t| t.1),
            events: &r.events,
            dup_ack_num: r.dup_ack.map(|d| d.0),
            dup_ack_of: r.dup_ack.map(|d| d.1),
            acked_frame: r.acked_frame,
            ack_rtt: r.ack_rtt_ns.map(secs),
            ts_rtt: r.ts_rtt_ns.map(secs),
            bytes_in_flight: r.bytes_in_flight,
            retransmission_of: r.rto.map(|(f, _)| f),
            tunnel: r.tunnel.as_deref(),
            ip_fragments: r.fragments.map(|f| Fragments {
                count: f.count,
                first_frame: f.first_frame,
            }),
        };
        serde_json::to_writer(&mut self.out, &row).map_err(io::Error::other)?;
        self.out.write_all(b"\n")
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}
