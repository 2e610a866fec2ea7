//! Segments in, Wireshark-style analysis out.
//!
//! `Analyzer` takes records (or already dissected segments) in capture
//! order and returns, for each TCP segment at once, a `SegmentReport`
//! (stream, direction, relative numbers, events, ACK RTT, bytes in flight):
//! callers stream these to CSV, plots or reports without keeping them.
//! `Analyzer::finish` returns the per-connection summaries and the capture
//! statistics (what was skipped and why).
//!
//! Memory grows neither with the number of packets nor with the number of
//! connections: at most `AnalyzerOptions::max_in_memory` connections keep
//! their analysis state in memory, the others are spilled to a temporary
//! file (`connections.rs`, docs/memory.md) and come back, exactly as they
//! were, when a packet arrives for them or when their summary is asked
//! for; the stream table keeps the newest `max_hot_streams` streams in
//! memory and the older ones on disk. Both files are the `disk` module's,
//! and so is their one error type, `DiskError`.
//!
//! `record` models the files a run leaves beside its capture (metadata,
//! `TCP_INFO` series, drop log), for writing and for reading.
//!
//! ```
//! use std::path::Path;
//! use tcplab_analysis::{analyze_file, Event};
//!
//! let mut retransmissions = 0;
//! let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/lossy.pcap"));
//! let (analysis, damage) = analyze_file(path, |segment| {
//!     retransmissions += usize::from(segment.events.iter().any(Event::is_retransmission));
//! })?;
//! assert!(damage.is_none());
//! assert_eq!(analysis.connections.len(), 1);
//! assert!(retransmissions > 0);
//! # Ok::<(), tcplab_analysis::AnalysisError>(())
//! ```

mod ahead;
pub mod capture_digest;
mod capture_stats;
mod connection;
mod connections;
mod disk;
mod events;
mod finished;
pub mod flow;
pub mod record;
mod sent_again;
mod sequence;
mod small_deque;
#[cfg(test)]
pub(crate) mod spill_tests;
mod spilled;
mod stats;
mod summary;
#[cfg(test)]
mod syn_tests;
pub mod synthetic;
mod timestamps;
mod tunnels;
mod unacked;
#[cfg(test)]
mod working_set_tests;

pub use capture_stats::{CaptureStats, FilterStats, InvalidTimes};
pub use connections::{AnalyzerOptions, SpillStats};
pub use disk::{DiskError, DiskFile};
pub use events::{Event, EventSet};
pub use finished::Finished;
pub use sent_again::{Mechanism, SentAgain, RTO_MIN_NS};
pub use sequence::WinScale;
pub use stats::SampleStats;
pub use summary::{
    ConnectionSummary, DirectionSummary, EventSummary, FinExchange, FinalState, Handshake,
    SegmentBrief, Teardown, RESERVED_FLAG_NAMES,
};
pub use tunnels::{StreamTunnel, TunnelMode};

use crate::flow::{Direction, Endpoint, FlowTable, Lookup};
use connection::SegmentFindings;
use connections::Connections;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use tcplab_wire::capture::filter::{FilterError, ReadFilter};
use tcplab_wire::capture::{self, CaptureError, Format, LinkType, Record, Timestamp};
use tcplab_wire::dissect::defrag::Pushed;
use tcplab_wire::dissect::{self, Defragmenter, Encap, Flags, SackBlocks, Skip, TunnelPath};
use tcplab_wire::Seq;
use tunnels::Tunnels;

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
    /// Sent again (`sent_again.rs`: the one rule every output uses), and why.
    pub sent_again: Option<Mechanism>,
    /// The tunnel path this segment came through (`None` on a plain link).
    pub tunnel: Option<Arc<str>>,
    /// Reassembled from IP fragments: how many, and the frame of the
    /// first to arrive (this frame completed the datagram).
    pub fragments: Option<Reassembly>,
}

/// Where a segment goes when its stream could not be found (reading old
/// streams back from disk failed): nowhere (`Analyzer::failed`).
const NO_STREAM: Lookup = Lookup {
    stream: u32::MAX,
    dir: Direction::AtoB,
    is_new: false,
    reused_ports: false,
    repeated_syn: false,
    fwd_base: None,
    rev_base: None,
};

/// The IP fragments a segment was reassembled from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reassembly {
    pub count: u32,
    pub first_frame: u64,
}

/// The result of analysing one capture.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    pub capture: CaptureStats,
    pub connections: Vec<ConnectionSummary>,
}

pub struct Analyzer {
    table: FlowTable,
    /// One connection per stream, in memory or spilled.
    conns: Connections,
    stats: CaptureStats,
    /// Packets that are not TCP segments, by reason and the encapsulation
    /// they stopped in.
    skips: BTreeMap<(Skip, Option<Encap>), u64>,
    decode: dissect::DecodeOptions,
    tunnels: Tunnels,
    /// IP fragments waiting for the rest of their datagram (bounded).
    defrag: Defragmenter,
    /// The frame of the latest record whose time is invalid (0: none): no
    /// RTT spans it.
    clock_break: u64,
    /// The times of the first and the latest record counted (the
    /// statistics' `first_time` and `last_time`).
    first_ts: Option<Timestamp>,
    last_ts: Timestamp,
}

impl Default for Analyzer {
    fn default() -> Analyzer {
        Analyzer::with_options(AnalyzerOptions::default())
    }
}

impl Analyzer {
    pub fn new() -> Analyzer {
        Analyzer::default()
    }

    pub fn with_options(opts: AnalyzerOptions) -> Analyzer {
        Analyzer {
            table: FlowTable::with_max_hot(opts.max_hot_streams),
            conns: Connections::new(opts.clone()),
            stats: CaptureStats::default(),
            skips: BTreeMap::new(),
            decode: opts.decode,
            tunnels: Tunnels::new(opts.tunnels),
            defrag: Defragmenter::new(opts.defrag),
            clock_break: 0,
            first_ts: None,
            last_ts: Timestamp::default(),
        }
    }

    /// Counts a record the read filter left out (it keeps its frame number).
    fn skip_unmatched(&mut self) {
        self.stats.records += 1;
        if let Some(f) = self.stats.filter.as_mut() {
            f.not_matching += 1;
        }
    }

    /// Dissects and analyses one record; `None` when it is not a TCP segment
    /// (the reason is counted), or an IP fragment held until its datagram
    /// is whole (counted then: as reassembled, or why it could not be).
    pub fn push_record(&mut self, rec: &Record<'_>) -> Option<SegmentReport> {
        self.count_record(rec);
        if let Some(seg) = dissect::dissect_plain(rec) {
            return Some(self.push_segment(&seg));
        }
        let found = dissect::dissect_encapsulated(rec, &self.decode);
        self.descended(rec, found)
    }

    /// As [`Analyzer::push_record`], handing the report to `sink` unless
    /// the analysis has failed (`failed`). The report of a plain segment is
    /// built where `sink` reads it: no `Option` to move it through, which
    /// cost a copy of the whole report per packet.
    fn push_record_to(&mut self, rec: &Record<'_>, sink: &mut impl FnMut(&SegmentReport)) {
        self.count_record(rec);
        // Borrowed where it was returned: a move out of the `Option` copied it.
        let plain = dissect::dissect_plain(rec);
        if let Some(seg) = &plain {
            let report = self.analyse(seg, None);
            if !self.failed() {
                sink(&report);
            }
            return;
        }
        let found = dissect::dissect_encapsulated(rec, &self.decode);
        if let Some(report) = self.descended(rec, found) {
            if !self.failed() {
                sink(&report);
            }
        }
    }

    /// Counts a record and its time, before it is dissected.
    #[inline]
    fn count_record(&mut self, rec: &Record<'_>) {
        self.stats.records += 1;
        if !rec.ts_valid {
            self.stats.invalid_times.add(rec.frame);
            self.clock_break = rec.frame;
        }
        // Kept as they are; made seconds once, at the end (`finish`).
        self.first_ts.get_or_insert(rec.ts);
        self.last_ts = rec.ts;
    }

    /// What a descent found: a segment to analyse, a fragment for the
    /// defragmenter (whose completed datagram is descended into in turn:
    /// fragments inside reassembled datagrams too), or a reason to count.
    fn descended(
        &mut self,
        rec: &Record<'_>,
        found: Result<dissect::Descended<'_>, dissect::Rejected>,
    ) -> Option<SegmentReport> {
        let report = match found {
            Ok(dissect::Descended::Tcp(found)) => {
                Some(self.push_segment_in(&found.segment, Some(&found.path)))
            }
            Ok(dissect::Descended::Fragment(fragment)) => {
                match self.defrag.push(rec.frame, rec.ts, &fragment) {
                    Pushed::Held => None,
                    Pushed::Complete(whole) => {
                        // The completing frame stands for the datagram;
                        // the others are counted as reassembled in it.
                        *self
                            .skips
                            .entry((Skip::FragmentReassembled, whole.inside))
                            .or_default() += u64::from(whole.frames.saturating_sub(1));
                        let next = dissect::dissect_reassembled(
                            rec,
                            &whole.datagram,
                            whole.path,
                            whole.inside,
                            &self.decode,
                        );
                        let mut report = self.descended(rec, next);
                        if let Some(r) = report.as_mut().filter(|r| r.fragments.is_none()) {
                            r.fragments = Some(Reassembly {
                                count: whole.frames,
                                first_frame: whole.first_frame,
                            });
                        }
                        report
                    }
                }
            }
            Err(rejected) => {
                self.rejected(rec, rejected);
                None
            }
        };
        count_lost(&mut self.skips, self.defrag.take_lost());
        report
    }

    /// Counts a packet that is not a TCP segment; one with TCP's ports
    /// still gets its stream, as in Wireshark.
    fn rejected(&mut self, rec: &Record<'_>, rejected: dissect::Rejected) {
        *self
            .skips
            .entry((rejected.skip, rejected.inside))
            .or_default() += 1;
        if let Some((sa, sp, da, dp)) = rejected.ports {
            // No path: a damaged header stops the descent before its
            // tunnel is known to be one of TCP's.
            let (src, dst) = (
                Endpoint { addr: sa, port: sp },
                Endpoint { addr: da, port: dp },
            );
            let (stream, is_new) = match self.table.touch(src, dst, 0) {
                Ok(found) => found,
                Err(e) => {
                    self.conns.fail(e);
                    return;
                }
            };
            if is_new {
                self.conns
                    .push_new(stream, src, dst, (rec.frame, rec.ts), false);
            }
            if let Some(conn) = self.conns.get_mut(stream) {
                conn.push_malformed(rec.frame, rec.ts);
            }
            self.conns.make_room();
        }
    }

    /// Analyses one segment. Should old streams fail to come back from
    /// disk, the report is not to be trusted: `failed` says so, and the
    /// end (`Finished::take_error`) reports why.
    pub fn push_segment(&mut self, seg: &dissect::Segment) -> SegmentReport {
        self.push_segment_in(seg, None)
    }

    /// As [`Analyzer::push_segment`], for a segment that came through
    /// `path` (numbered by tunnel too with `TunnelMode::Separate`).
    pub fn push_segment_in(
        &mut self,
        seg: &dissect::Segment,
        path: Option<&TunnelPath>,
    ) -> SegmentReport {
        self.analyse(seg, path)
    }

    /// [`Analyzer::push_segment_in`]'s work, inlined where a plain
    /// segment's report is built for the sink (`push_record_to`): no call
    /// to enter and leave, and no tunnel to place, per packet.
    #[inline(always)]
    fn analyse(&mut self, seg: &dissect::Segment, path: Option<&TunnelPath>) -> SegmentReport {
        self.stats.tcp_segments += 1;
        let place = match path {
            Some(path) => self.tunnels.place(path),
            None => tunnels::Place::NONE,
        };
        if seg.payload_missing() {
            self.stats.truncated_payload += 1;
        }
        // Read where the table returned it: moved out, its fields (written
        // one by one) were read back 8 bytes at a time, which waited for
        // the writes to land (bench/results.md, 2026-12-04).
        let mut looked = self.table.lookup_in(seg, place.key);
        if looked.is_err() {
            if let Err(e) = std::mem::replace(&mut looked, Ok(NO_STREAM)) {
                self.conns.fail(e);
            }
        }
        let at = looked.as_ref().unwrap_or(&NO_STREAM);
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
            self.conns
                .push_new(at.stream, src, dst, (seg.frame, seg.ts), at.reused_ports);
        }
        if at.stream != u32::MAX && (place.name.is_some() || self.tunnels.any()) {
            self.tunnels.seen(at.stream, &place, at.is_new);
        }
        // The table and `conns` grow together, one entry per stream.
        // One setting, kept by `conns` (which spills by it too).
        let summaries = self.conns.summaries();
        let conn = if at.stream == u32::MAX {
            None
        } else {
            self.conns.get_mut(at.stream)
        };
        // Stays empty when reading the connection back from disk failed;
        // `finish` reports it.
        let mut v = SegmentFindings::default();
        if let Some(conn) = conn {
            let was_finished = conn.is_finished();
            conn.push(seg, at, self.clock_break, summaries, &mut v);
            if !was_finished && conn.is_finished() {
                self.conns.finished(at.stream);
            }
        }
        self.conns.make_room();
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
            sent_again: v.sent_again,
            tunnel: place.name,
            fragments: None,
        }
    }

    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }

    /// Reading old streams or connections back from disk failed: the
    /// analysis cannot go on correctly (`finish` says why).
    pub fn failed(&self) -> bool {
        self.conns.failed()
    }

    /// At least `expected` connections were seen and every one has ended
    /// (both FINs acknowledged, or reset): a live capture may stop.
    pub fn all_finished(&self, expected: usize) -> bool {
        self.conns.len() >= expected && self.conns.all_finished()
    }

    /// Ends the analysis. Summaries are built on demand from the returned
    /// `Finished`, so that a capture with many connections can be written
    /// out one connection at a time.
    pub fn finish(mut self) -> Finished {
        self.stats.first_time = self.first_ts.map(Timestamp::as_secs_f64);
        self.stats.last_time = self.first_ts.map(|_| self.last_ts.as_secs_f64());
        count_lost(&mut self.skips, self.defrag.finish());
        self.stats.reassembled_fragments = self
            .skips
            .iter()
            .filter(|((skip, _), _)| *skip == Skip::FragmentReassembled)
            .map(|(_, n)| n)
            .sum();
        self.stats.skipped = self
            .skips
            .iter()
            .filter(|((skip, _), _)| *skip != Skip::FragmentReassembled)
            .map(|(&(skip, inside), v)| {
                let reason = dissect::Rejected {
                    skip,
                    ports: None,
                    inside,
                };
                (reason.reason(), *v)
            })
            .collect();
        let old_streams_off = self.table.take_old_streams_off();
        Finished::new(
            self.stats,
            self.conns,
            old_streams_off,
            self.tunnels.into_streams(),
        )
    }
}

/// Counts the fragments of datagrams the defragmenter gave up, by reason.
fn count_lost(
    skips: &mut BTreeMap<(Skip, Option<Encap>), u64>,
    lost: impl IntoIterator<Item = dissect::defrag::Lost>,
) {
    for lost in lost {
        *skips
            .entry((Skip::FragmentLost(lost.loss), lost.inside))
            .or_default() += u64::from(lost.frames);
    }
}

/// Reads and analyses a capture file, handing every segment to `sink` as it
/// is analysed. A file damaged in the middle still yields an `Analysis` of
/// what came before, with `capture.damage` set; the error is returned too
/// so that callers can set their exit code.
pub fn analyze_file(
    path: &Path,
    sink: impl FnMut(&SegmentReport),
) -> Result<(Analysis, Option<CaptureError>), AnalysisError> {
    analyze_file_with(path, AnalyzerOptions::default(), sink)
}

/// As [`analyze_file`], with the user's options (tunnels, decoded ports).
pub fn analyze_file_with(
    path: &Path,
    opts: AnalyzerOptions,
    sink: impl FnMut(&SegmentReport),
) -> Result<(Analysis, Option<CaptureError>), AnalysisError> {
    let (finished, damage) = analyze_file_streaming_with(path, opts, sink)?;
    let connections = finished.summaries().collect();
    if let Some(source) = finished.take_error() {
        return Err(disk_failed(path, source));
    }
    let analysis = Analysis {
        capture: finished.capture,
        connections,
    };
    Ok((analysis, damage))
}

fn disk_failed(path: &Path, source: DiskError) -> AnalysisError {
    AnalysisError::Disk {
        path: path.to_path_buf(),
        source: Box::new(source),
    }
}

/// Why the analysis of a capture stopped: the capture itself (unreadable,
/// damaged before anything could be read, an unsupported link type), or the
/// temporary files that hold what does not fit in memory.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error(transparent)]
    Capture(#[from] CaptureError),
    /// The read filter (`-f`) does not compile.
    #[error(transparent)]
    Filter(#[from] FilterError),
    /// Not the capture's fault: a temporary file that holds what does not
    /// fit in memory (spilled connections, old streams) failed.
    #[error("{}: {source}", path.display())]
    Disk {
        path: std::path::PathBuf,
        source: Box<DiskError>,
    },
}

/// As `analyze_file`, but leaves the summaries to be built one by one
/// (check `Finished::take_error` after them).
pub fn analyze_file_streaming(
    path: &Path,
    sink: impl FnMut(&SegmentReport),
) -> Result<(Finished, Option<CaptureError>), AnalysisError> {
    analyze_file_streaming_with(path, AnalyzerOptions::default(), sink)
}

/// As `analyze_file_streaming`, with a given memory use.
pub fn analyze_file_streaming_with(
    path: &Path,
    opts: AnalyzerOptions,
    sink: impl FnMut(&SegmentReport),
) -> Result<(Finished, Option<CaptureError>), AnalysisError> {
    // A bad filter expression is reported before anything is read.
    let filter = opts.filter.as_deref().map(ReadFilter::new).transpose()?;
    let reader = capture::open(path)?;
    analyze_reader(reader, filter, opts, sink)
}

/// As [`analyze_file_streaming_with`], for a stream the caller opened
/// (`capture::Input`: standard input read through a hasher, say); `name`
/// stands for it in messages and in the statistics.
pub fn analyze_input_streaming_with(
    input: capture::Input,
    name: &Path,
    opts: AnalyzerOptions,
    sink: impl FnMut(&SegmentReport),
) -> Result<(Finished, Option<CaptureError>), AnalysisError> {
    let filter = opts.filter.as_deref().map(ReadFilter::new).transpose()?;
    let reader = capture::open_input(input, name)?;
    analyze_reader(reader, filter, opts, sink)
}

fn analyze_reader(
    mut reader: capture::CaptureReader,
    mut filter: Option<ReadFilter>,
    opts: AnalyzerOptions,
    mut sink: impl FnMut(&SegmentReport),
) -> Result<(Finished, Option<CaptureError>), AnalysisError> {
    let path = reader.path().to_path_buf();
    let path = path.as_path();
    let mut analyzer = Analyzer::with_options(opts);
    analyzer.stats.file = reader.path().display().to_string();
    analyzer.stats.filter = filter.as_ref().map(|f| FilterStats {
        expression: f.expr().to_string(),
        not_matching: 0,
    });
    analyzer.stats.format = Some(reader.format());
    if reader.format() != Format::Pcapng {
        if let Some(link) = reader.link_types().into_iter().find(|l| !l.is_supported()) {
            return Err(CaptureError::UnsupportedLink {
                path: path.to_path_buf(),
                link: link.number(),
            }
            .into());
        }
    }
    let damage = loop {
        match reader.next_record() {
            Ok(Some(ref rec)) => {
                if let Some(f) = filter.as_mut() {
                    if !f.matches(rec)? {
                        analyzer.skip_unmatched();
                        continue;
                    }
                }
                analyzer.push_record_to(rec, &mut sink);
                if analyzer.failed() {
                    // No report that might be wrong (`push_record_to`
                    // kept it): `finish` says why.
                    break None;
                }
            }
            Ok(None) => break None,
            Err(e) if e.is_mid_file() => break Some(e),
            Err(e) => return Err(e.into()),
        }
    };
    let links: Vec<LinkType> = reader.link_types();
    analyzer.stats.link_types = links.iter().map(ToString::to_string).collect();
    analyzer.stats.damage = damage.as_ref().map(ToString::to_string);
    let finished = analyzer.finish();
    if let Some(source) = finished.take_error() {
        return Err(disk_failed(path, source));
    }
    Ok((finished, damage))
}

#[cfg(test)]
mod size_tests {
    use super::*;

    /// What is built or moved once per packet stays small: a copy of any
    /// of these is a memcpy per packet (bench/results.md, #14).
    #[test]
    fn per_packet_values_stay_small() {
        use std::mem::size_of;
        let sizes = [
            ("Record", size_of::<Record<'_>>(), 64),
            ("Segment", size_of::<dissect::Segment>(), 160),
            ("Lookup", size_of::<Lookup>(), 40),
            ("SegmentReport", size_of::<SegmentReport>(), 320),
        ];
        for (name, size, limit) in sizes {
            println!("{name}: {size} bytes");
            assert!(size <= limit, "{name} is {size} bytes, more than {limit}");
        }
    }
}
