//! From the analysis stream to what the graphs draw: `Collector` keeps, for
//! the chosen connections only, one compact `SegPoint` per segment.
//!
//! In: `SegmentReport`s in capture order (from `tcplab_analysis::analyze_file` or
//! any other caller of `Analyzer`). Out: a `ConnectionSeries` per chosen
//! stream. Memory grows with the segments of those streams, never with
//! other streams' packets. Sequence and acknowledgement numbers are
//! unwrapped here into one increasing `i64` axis per direction (RFC 1982
//! arithmetic through `Seq`, once), so graphs never see the 2^32 wrap.
//! Nothing is decimated here: that depends on the figure's pixel width.

use super::{PlotError, Result};
use std::collections::BTreeMap;
use std::path::Path;
use tcplab_analysis::flow::{Direction, Endpoint};
use tcplab_analysis::{
    Analysis, AnalyzerOptions, ConnectionSummary, EventSet, Mechanism, SegmentReport,
};
use tcplab_wire::capture::{CaptureError, Timestamp};
use tcplab_wire::dissect::Flags;
use tcplab_wire::Seq;

/// One segment of a plotted connection.
#[derive(Clone, Copy, Debug)]
pub struct SegPoint {
    /// Seconds since the connection's first captured packet.
    pub t: f64,
    /// The frame number in the capture (`u32::MAX` past it: a capture that
    /// large cannot be plotted anyway, at 80 bytes a point).
    pub frame: u32,
    pub dir: Direction,
    pub flags: Flags,
    /// Unwrapped sequence number in the sender's sequence space (its low
    /// 32 bits are the absolute number on the wire).
    pub seq: i64,
    /// Unwrapped acknowledgement number in the receiver's sequence space;
    /// meaningful when `flags.ack()`.
    pub ack: i64,
    pub len: u32,
    /// Payload bytes this side had not sent before in the capture (goodput).
    pub new_bytes: u32,
    /// Advertised window, scaled when the scale is known, raw otherwise.
    pub window: u32,
    pub in_flight: Option<u32>,
    pub events: EventSet,
    /// Sent again, and why (`tcplab_analysis`'s one rule).
    pub sent_again: Option<Mechanism>,
    /// RTT samples this segment completes (seconds): for the data of the
    /// other direction.
    pub ack_rtt: Option<f64>,
    /// In `f32` (a microsecond is well within its precision at any RTT):
    /// it keeps the point within 80 bytes.
    pub ts_rtt: Option<f32>,
}

/// A SACK block carried by an ACK, in the data sender's sequence space.
#[derive(Clone, Copy, Debug)]
pub struct SackMark {
    pub t: f64,
    /// Direction of the segment that carried the block.
    pub dir: Direction,
    pub left: i64,
    pub right: i64,
}

/// Everything the graphs need about one connection.
#[derive(Clone, Debug)]
pub struct ConnectionSeries {
    pub stream: u32,
    /// `a` sent the connection's first captured packet.
    pub a: Endpoint,
    pub b: Endpoint,
    pub start: Timestamp,
    pub segments: Vec<SegPoint>,
    pub sacks: Vec<SackMark>,
    /// Per direction (`Direction::index`): the unwrapped number that
    /// relative sequence numbers count from (Wireshark's base).
    pub base: [Option<i64>; 2],
    /// Per direction: some window had to be drawn unscaled (no handshake).
    pub unscaled_window: [bool; 2],
    /// Cut to a time window (`zoom.rs`): its start, end and the whole
    /// connection's duration, seconds.
    pub zoom: Option<(f64, f64, f64)>,
}

impl ConnectionSeries {
    /// Sender and receiver of `dir`.
    pub fn endpoints(&self, dir: Direction) -> (Endpoint, Endpoint) {
        match dir {
            Direction::AtoB => (self.a, self.b),
            Direction::BtoA => (self.b, self.a),
        }
    }

    /// The direction that carried more unique data (A→B on a tie).
    pub fn busiest_direction(&self) -> Direction {
        let mut bytes = [0u64; 2];
        for p in &self.segments {
            bytes[p.dir.index()] += u64::from(p.new_bytes);
        }
        if bytes[1] > bytes[0] {
            Direction::BtoA
        } else {
            Direction::AtoB
        }
    }

    pub fn duration(&self) -> f64 {
        self.segments.last().map_or(0.0, |p| p.t)
    }
}

/// Follows one sequence space: each number becomes the position of the
/// latest (highest) number seen plus its signed serial distance from it.
#[derive(Clone, Copy, Debug, Default)]
struct Unwrap {
    last: Option<(Seq, i64)>,
}

impl Unwrap {
    fn at(&mut self, s: Seq) -> i64 {
        match self.last {
            None => {
                let y = i64::from(s.raw());
                self.last = Some((s, y));
                y
            }
            Some((ls, ly)) => {
                let y = ly + i64::from(s.distance_from(ls));
                if s.after(ls) {
                    self.last = Some((s, y));
                }
                y
            }
        }
    }
}

/// Sequence ranges a direction has sent, merged: memory grows with the
/// holes (data first seen in a retransmission), not with the segments.
#[derive(Clone, Debug, Default)]
struct Seen {
    /// start -> end, disjoint and not touching.
    ranges: BTreeMap<i64, i64>,
}

impl Seen {
    /// Adds `start..end`; returns how many of its bytes were not seen before.
    fn add(&mut self, start: i64, end: i64) -> u32 {
        if end <= start {
            return 0;
        }
        let touching: Vec<(i64, i64)> = self
            .ranges
            .range(..=end)
            .rev()
            .take_while(|(_, &e)| e >= start)
            .map(|(&s, &e)| (s, e))
            .collect();
        let (mut lo, mut hi, mut covered) = (start, end, 0);
        for (s, e) in touching {
            covered += (e.min(end) - s.max(start)).max(0);
            lo = lo.min(s);
            hi = hi.max(e);
            self.ranges.remove(&s);
        }
        self.ranges.insert(lo, hi);
        (end - start - covered).clamp(0, i64::from(u32::MAX)) as u32
    }
}

struct Building {
    series: ConnectionSeries,
    /// Per sequence space (index of the direction that sends in it).
    unwrap: [Unwrap; 2],
    seen: [Seen; 2],
}

/// Collects the segments of chosen streams while the analysis runs.
pub struct Collector {
    conns: BTreeMap<u32, Option<Building>>,
}

impl Collector {
    pub fn new(streams: impl IntoIterator<Item = u32>) -> Collector {
        Collector {
            conns: streams.into_iter().map(|s| (s, None)).collect(),
        }
    }

    pub fn push(&mut self, r: &SegmentReport) {
        let Some(slot) = self.conns.get_mut(&r.stream) else {
            return;
        };
        let b = slot.get_or_insert_with(|| Building {
            series: ConnectionSeries {
                stream: r.stream,
                a: if r.dir == Direction::AtoB {
                    r.src
                } else {
                    r.dst
                },
                b: if r.dir == Direction::AtoB {
                    r.dst
                } else {
                    r.src
                },
                start: r.ts,
                segments: Vec::new(),
                sacks: Vec::new(),
                base: [None; 2],
                unscaled_window: [false; 2],
                zoom: None,
            },
            unwrap: [Unwrap::default(); 2],
            seen: Default::default(),
        });
        b.push(r);
    }

    /// The series of the chosen streams that had segments, by stream.
    pub fn finish(self) -> Vec<ConnectionSeries> {
        self.conns
            .into_values()
            .flatten()
            .map(|b| b.series)
            .collect()
    }
}

impl Building {
    fn push(&mut self, r: &SegmentReport) {
        let (d, rv) = (r.dir.index(), r.dir.reverse().index());
        let t = r.ts.secs_since(self.series.start);
        let seq = self.unwrap[d].at(r.seq);
        let ack = if r.flags.ack() {
            self.unwrap[rv].at(r.ack)
        } else {
            0
        };
        if let (None, Some(rel)) = (self.series.base[d], r.rel_seq) {
            self.series.base[d] = Some(seq - i64::from(rel));
        }
        let new_bytes = self.seen[d].add(seq, seq + i64::from(r.len));
        if r.win_scaled.is_none() && !r.flags.syn() {
            self.series.unscaled_window[d] = true;
        }
        for &(left, right) in r.sack.as_slice() {
            let left = self.unwrap[rv].at(left);
            let right = self.unwrap[rv].at(right);
            self.series.sacks.push(SackMark {
                t,
                dir: r.dir,
                left,
                right,
            });
        }
        self.series.segments.push(SegPoint {
            t,
            frame: u32::try_from(r.frame).unwrap_or(u32::MAX),
            dir: r.dir,
            flags: r.flags,
            seq,
            ack,
            len: r.len,
            new_bytes,
            window: r.win_scaled.unwrap_or(u32::from(r.window)),
            in_flight: r.bytes_in_flight,
            events: r.events,
            sent_again: r.sent_again,
            ack_rtt: r.ack_rtt_ns.map(|ns| ns as f64 / 1e9),
            ts_rtt: r.ts_rtt_ns.map(|ns| (ns as f64 / 1e9) as f32),
        });
    }
}

/// A capture read for plotting: the analysis, the chosen connection's
/// series, and the damage that stopped the reading early, if any.
pub struct Collected {
    pub analysis: Analysis,
    pub series: ConnectionSeries,
    pub damage: Option<CaptureError>,
}

/// Reads `path` and collects the connection `stream`, or the one that
/// carried the most payload when `stream` is `None`. That choice needs the
/// whole capture's summary: stream 0 is collected on the way, so a second
/// pass is only needed when another stream turns out to be the busiest.
pub fn collect_file(path: &Path, stream: Option<u32>) -> Result<Collected> {
    collect_file_with(path, stream, &AnalyzerOptions::default())
}

/// As [`collect_file`], with the user's analyzer options (`--tunnels`,
/// `--decode-as`): the same streams as `tcplab analyze` with them.
pub fn collect_file_with(
    path: &Path,
    stream: Option<u32>,
    opts: &AnalyzerOptions,
) -> Result<Collected> {
    let guess = stream.unwrap_or(0);
    let mut collector = Collector::new([guess]);
    let (analysis, damage) =
        tcplab_analysis::analyze_file_with(path, opts.clone(), |r| collector.push(r))?;
    let target = match stream {
        Some(n) => n,
        None => busiest(&analysis.connections).ok_or_else(|| PlotError::NoConnection {
            file: path.display().to_string(),
        })?,
    };
    if !analysis.connections.iter().any(|c| c.stream == target) {
        return Err(PlotError::UnknownStream {
            file: path.display().to_string(),
            stream: target,
            available: describe_streams(&analysis.connections),
        });
    }
    let mut found = if target == guess {
        collector.finish()
    } else {
        let mut second = Collector::new([target]);
        tcplab_analysis::analyze_file_with(path, opts.clone(), |r| second.push(r))?;
        second.finish()
    };
    let series = found.pop().ok_or(PlotError::EmptyStream {
        file: path.display().to_string(),
        stream: target,
    })?;
    Ok(Collected {
        analysis,
        series,
        damage,
    })
}

/// The connection with the most payload (then the most packets).
pub fn busiest(conns: &[ConnectionSummary]) -> Option<u32> {
    conns
        .iter()
        .max_by_key(|c| {
            (
                c.a_to_b.payload_bytes + c.b_to_a.payload_bytes,
                c.packets,
                std::cmp::Reverse(c.stream),
            )
        })
        .map(|c| c.stream)
}

/// "0 (10.0.0.1:40001 ↔ 10.0.0.2:5001), 1 (…)", at most 10 named.
/// `0 (a ↔ b), 1 (c ↔ d), … 12 in all`: the streams an error about an
/// unknown stream offers instead (the first ten).
pub fn describe_streams(conns: &[ConnectionSummary]) -> String {
    if conns.is_empty() {
        return "none".to_string();
    }
    let mut parts: Vec<String> = conns
        .iter()
        .take(10)
        .map(|c| format!("{} ({} ↔ {})", c.stream, c.a, c.b))
        .collect();
    if conns.len() > 10 {
        parts.push(format!("… {} in all", conns.len()));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwrap_follows_the_wrap_and_keeps_retransmissions_below() {
        let mut u = Unwrap::default();
        assert_eq!(u.at(Seq(4_294_967_000)), 4_294_967_000);
        assert_eq!(u.at(Seq(100)), 4_294_967_396);
        // A retransmission of data before the wrap stays below.
        assert_eq!(u.at(Seq(4_294_967_200)), 4_294_967_200);
        assert_eq!(u.at(Seq(1_000)), 4_294_968_296);
        assert_eq!(4_294_968_296i64.rem_euclid(1 << 32), 1_000);
    }

    #[test]
    fn a_segment_costs_at_most_80_bytes() {
        // docs/graphs.md promises this per plotted segment.
        assert!(
            std::mem::size_of::<SegPoint>() <= 80,
            "{}",
            std::mem::size_of::<SegPoint>()
        );
    }

    #[test]
    fn seen_counts_each_byte_once_and_fills_holes() {
        let mut s = Seen::default();
        assert_eq!(s.add(0, 100), 100);
        assert_eq!(s.add(200, 300), 100);
        assert_eq!(s.add(50, 150), 50);
        // The hole 150..200 arrives in a retransmission that overlaps both sides.
        assert_eq!(s.add(100, 250), 50);
        assert_eq!(s.add(0, 300), 0);
        assert_eq!(s.ranges.len(), 1);
    }
}
