//! Segments in, Wireshark-style analysis out.
//!
//! `Analyzer` takes records (or already dissected segments) in capture
//! order and returns, for each TCP segment at once, a `SegmentReport`
//! (stream, direction, relative numbers, events, ACK RTT, bytes in flight):
//! callers stream these to CSV, plots or reports without keeping them.
//! `Analyzer::finish` returns the per-connection summaries and the capture
//! statistics (what was skipped and why). Memory grows with the number of
//! connections, never with the number of packets.

mod connection;
mod events;
mod sequence;
mod stats;
mod summary;
mod timestamps;
mod unacked;

pub use events::{Event, EventSet};
pub use sequence::WinScale;
pub use stats::Summary;
pub use summary::{
    ConnectionSummary, DirectionSummary, EventSummary, FinExchange, FinalState, Handshake,
    SegmentBrief, Teardown,
};

use crate::capture::{self, CaptureError, Format, LinkType, Record, Timestamp};
use crate::dissect::{self, Flags, SackBlocks, Skip};
use crate::flow::{Direction, Endpoint, FlowTable, Seq};
use connection::Connection;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Everything known about one TCP segment after analysis.
#[derive(Clone, Debug)]
pub struct SegmentReport {
    pub frame: u64,
    pub ts: Timestamp,
    pub stream: u32,
    pub dir: Direction,
    pub src: Endpoint,
    pub dst: Endpoint,
    pub seq: Seq,
    pub ack: Seq,
    pub rel_seq: Option<u32>,
    pub rel_ack: Option<u32>,
    pub next_seq: Seq,
    pub len: u32,
    pub captured_len: u32,
    pub flags: Flags,
    pub window: u16,
    pub win_scaled: Option<u32>,
    pub sack: SackBlocks,
    pub tsval_tsecr: Option<(u32, u32)>,
    pub events: EventSet,
    pub dup_ack: Option<(u32, u64)>,
    pub acked_frame: Option<u64>,
    pub ack_rtt_ns: Option<i64>,
    pub ts_rtt_ns: Option<i64>,
    pub bytes_in_flight: Option<u32>,
    /// For retransmissions: the original frame and the time since it.
    pub rto: Option<(u64, i64)>,
}

/// What the capture held besides TCP segments, counted so nothing is lost silently.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CaptureStats {
    pub file: String,
    pub format: Option<Format>,
    pub link_types: Vec<String>,
    pub records: u64,
    pub tcp_segments: u64,
    /// Packets that are not TCP segments, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// TCP segments whose payload was cut by the snap length.
    pub truncated_payload: u64,
    pub first_time: Option<f64>,
    pub last_time: Option<f64>,
    /// Set when the file is damaged: what happened and where. Records before
    /// the damage were analysed.
    pub damage: Option<String>,
}

impl CaptureStats {
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }
}

/// The result of analysing one capture.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    pub capture: CaptureStats,
    pub connections: Vec<ConnectionSummary>,
}

#[derive(Default)]
pub struct Analyzer {
    table: FlowTable,
    /// One per stream, boxed on purpose: growing the list then moves
    /// pointers, not kilobyte-sized connections, and never holds two copies
    /// of every connection at once (peak memory with 30,000 connections).
    #[allow(clippy::vec_box)]
    conns: Vec<Box<Connection>>,
    stats: CaptureStats,
    skips: BTreeMap<Skip, u64>,
}

impl Analyzer {
    pub fn new() -> Analyzer {
        Analyzer::default()
    }

    /// Dissects and analyses one record; `None` when it is not a TCP segment
    /// (the reason is counted).
    pub fn push_record(&mut self, rec: &Record<'_>) -> Option<SegmentReport> {
        self.stats.records += 1;
        let t = Some(rec.ts.as_secs_f64());
        self.stats.first_time = self.stats.first_time.or(t);
        self.stats.last_time = t;
        match dissect::dissect(rec) {
            Ok(seg) => Some(self.push_segment(&seg)),
            Err(rejected) => {
                *self.skips.entry(rejected.skip).or_default() += 1;
                if let Some((sa, sp, da, dp)) = rejected.ports {
                    let (src, dst) = (
                        Endpoint { addr: sa, port: sp },
                        Endpoint { addr: da, port: dp },
                    );
                    let (stream, is_new) = self.table.touch(src, dst);
                    if is_new {
                        self.conns.push(Box::new(Connection::new(
                            stream,
                            src,
                            dst,
                            (rec.frame, rec.ts),
                            false,
                        )));
                    }
                    self.conns[stream as usize].push_malformed(rec.frame, rec.ts);
                }
                None
            }
        }
    }

    pub fn push_segment(&mut self, seg: &dissect::Segment) -> SegmentReport {
        self.stats.tcp_segments += 1;
        if seg.payload_missing() {
            self.stats.truncated_payload += 1;
        }
        let at = self.table.lookup(seg);
        if at.is_new {
            let (src, dst) = (
                Endpoint {
                    addr: seg.src,
                    port: seg.sport,
                },
                Endpoint {
                    addr: seg.dst,
                    port: seg.dport,
                },
            );
            self.conns.push(Box::new(Connection::new(
                at.stream,
                src,
                dst,
                (seg.frame, seg.ts),
                at.reused_ports,
            )));
        }
        // The table and `conns` grow together, one entry per stream.
        let conn = &mut self.conns[at.stream as usize];
        let v = conn.push(seg, &at);
        SegmentReport {
            frame: seg.frame,
            ts: seg.ts,
            stream: at.stream,
            dir: at.dir,
            src: Endpoint {
                addr: seg.src,
                port: seg.sport,
            },
            dst: Endpoint {
                addr: seg.dst,
                port: seg.dport,
            },
            seq: seg.seq,
            ack: seg.ack,
            rel_seq: at.fwd_base.map(|b| seg.seq - b),
            rel_ack: if seg.flags.ack() {
                at.rev_base.map(|b| seg.ack - b)
            } else {
                None
            },
            next_seq: seg.next_seq(),
            len: seg.len,
            captured_len: seg.captured_len,
            flags: seg.flags,
            window: seg.window,
            win_scaled: v.win_scaled,
            sack: seg.options.sack,
            tsval_tsecr: seg.options.timestamps,
            events: v.seq.events,
            dup_ack: v.seq.dup_ack,
            acked_frame: v.seq.acked.map(|(f, _)| f),
            ack_rtt_ns: v.seq.acked.map(|(_, ns)| ns),
            ts_rtt_ns: v.ts_rtt_ns,
            bytes_in_flight: v.seq.bytes_in_flight,
            rto: v.seq.rto,
        }
    }

    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }

    /// At least `expected` connections were seen and every one has ended
    /// (both FINs acknowledged, or reset): a live capture may stop.
    pub fn all_finished(&self, expected: usize) -> bool {
        self.conns.len() >= expected && self.conns.iter().all(|c| c.is_finished())
    }

    /// Ends the analysis. Summaries are built on demand from the returned
    /// `Finished`, so that a capture with many connections can be written
    /// out one connection at a time.
    pub fn finish(mut self) -> Finished {
        self.stats.skipped = self
            .skips
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        Finished {
            capture: self.stats,
            conns: self.conns,
        }
    }
}

/// The end state of an analysis: capture statistics and every connection.
pub struct Finished {
    pub capture: CaptureStats,
    #[allow(clippy::vec_box)]
    conns: Vec<Box<Connection>>,
}

impl Finished {
    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }

    /// The streams present (for messages about `--stream N`).
    pub fn has_stream(&self, n: u32) -> bool {
        (n as usize) < self.conns.len()
    }

    /// Each connection's summary, built as it is asked for (in stream order).
    pub fn summaries(&self) -> impl Iterator<Item = ConnectionSummary> + '_ {
        self.conns.iter().map(|c| c.summary())
    }

    /// Everything at once (convenient for small captures and tests).
    pub fn into_analysis(self) -> Analysis {
        let connections = self.summaries().collect();
        Analysis {
            capture: self.capture,
            connections,
        }
    }
}

/// Reads and analyses a capture file, handing every segment to `sink` as it
/// is analysed. A file damaged in the middle still yields an `Analysis` of
/// what came before, with `capture.damage` set; the error is returned too
/// so that callers can set their exit code.
pub fn analyze_file(
    path: &Path,
    sink: impl FnMut(&SegmentReport),
) -> Result<(Analysis, Option<CaptureError>), CaptureError> {
    let (finished, damage) = analyze_file_streaming(path, sink)?;
    Ok((finished.into_analysis(), damage))
}

/// As `analyze_file`, but leaves the summaries to be built one by one.
pub fn analyze_file_streaming(
    path: &Path,
    mut sink: impl FnMut(&SegmentReport),
) -> Result<(Finished, Option<CaptureError>), CaptureError> {
    let mut reader = capture::open(path)?;
    let mut analyzer = Analyzer::new();
    analyzer.stats.file = path.display().to_string();
    analyzer.stats.format = Some(reader.format());
    if reader.format() != Format::Pcapng {
        if let Some(link) = reader.link_types().into_iter().find(|l| !l.is_supported()) {
            return Err(CaptureError::UnsupportedLink {
                path: path.to_path_buf(),
                link: link.number(),
            });
        }
    }
    let damage = loop {
        match reader.next_record() {
            Ok(Some(rec)) => {
                if let Some(report) = analyzer.push_record(&rec) {
                    sink(&report);
                }
            }
            Ok(None) => break None,
            Err(e) if e.is_mid_file() => break Some(e),
            Err(e) => return Err(e),
        }
    };
    let links: Vec<LinkType> = reader.link_types();
    analyzer.stats.link_types = links.iter().map(ToString::to_string).collect();
    analyzer.stats.damage = damage.as_ref().map(ToString::to_string);
    Ok((analyzer.finish(), damage))
}
