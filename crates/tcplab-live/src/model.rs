//! What the live view knows: every connection seen so far, built from the
//! analyzer's own segment reports (no second, simplified analysis), so the
//! counts on screen at the end are those `tcplab analyze` gives for the
//! saved capture. Memory grows with connections and with the points kept
//! for their graphs (each series thins itself past [`Series::CAP`]),
//! never with packets.

use crate::kernel::{KernelSeries, LinkState};
use std::collections::VecDeque;
use tcplab_analysis::flow::{Direction, Endpoint};
use tcplab_analysis::record::link::LinkStats;
use tcplab_analysis::record::tcp_info::TcpInfo;
use tcplab_analysis::{Event, Mechanism, SegmentReport};
use tcplab_wire::capture::Timestamp;

/// How many recent events the events list keeps.
const RECENT_EVENTS: usize = 200;
/// Throughput is counted in buckets of this many seconds…
const BUCKET_SECS: f64 = 0.1;
/// …and the rate column sums this many of them (one second).
const BUCKETS_PER_RATE: i64 = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnState {
    /// A SYN was seen, the handshake is not complete.
    Opening,
    Established,
    /// One side sent FIN.
    Closing,
    /// Both sides sent FIN.
    Closed,
    Reset,
    /// The capture began after the handshake.
    Midstream,
}

impl ConnState {
    pub fn name(self) -> &'static str {
        match self {
            ConnState::Opening => "opening",
            ConnState::Established => "established",
            ConnState::Closing => "closing",
            ConnState::Closed => "closed",
            ConnState::Reset => "reset",
            ConnState::Midstream => "established (mid-stream)",
        }
    }
}

/// Points of one graph, at most [`Series::CAP`]: when full, every other
/// point goes and from then on only every other new one is kept, so the
/// whole history stays in view at an even density.
#[derive(Clone, Debug, Default)]
pub struct Series {
    points: Vec<(f64, f64)>,
    stride: usize,
    skipped: usize,
}

impl Series {
    pub const CAP: usize = 1024;

    pub fn push(&mut self, x: f64, y: f64) {
        let stride = self.stride.max(1);
        self.skipped += 1;
        if self.skipped < stride {
            return;
        }
        self.skipped = 0;
        if self.points.len() == Series::CAP {
            let mut keep = false;
            self.points.retain(|_| {
                keep = !keep;
                keep
            });
            self.stride = stride * 2;
        }
        self.points.push((x, y));
    }

    pub fn points(&self) -> &[(f64, f64)] {
        &self.points
    }
}

/// One direction of a connection: what its sender sent.
#[derive(Clone, Debug, Default)]
pub struct DirStats {
    pub packets: u64,
    pub payload_bytes: u64,
    events: [u64; Event::ALL.len()],
    /// Segments sent again (the analysis' one rule), by mechanism
    /// (indexed like `Mechanism::ALL`).
    sent_again: [u64; Mechanism::ALL.len()],
    /// The window this side last advertised, scaled when the scale is known.
    pub window: Option<u32>,
    /// The last ACK RTT measured for data this side sent.
    pub rtt_ns: Option<i64>,
    pub min_rtt_ns: Option<i64>,
    /// Payload bytes per 100 ms bucket (bucket number since the
    /// connection's first packet), the last second's worth.
    buckets: VecDeque<(i64, u64)>,
    /// Relative sequence number against seconds since the connection's first packet.
    pub stevens: Series,
    /// The segments of `stevens` that were retransmissions (any kind).
    pub resent: Series,
    /// Payload bit/s of each 100 ms.
    pub throughput: Series,
    /// ACK RTT in milliseconds of this side's data.
    pub rtt: Series,
    /// The window this side advertised.
    pub windows: Series,
    fin: bool,
}

impl DirStats {
    pub fn count(&self, e: Event) -> u64 {
        self.events[e as usize]
    }

    /// Segments this side sent again for mechanism `m`.
    pub fn sent_again_by(&self, m: Mechanism) -> u64 {
        self.sent_again[m.index()]
    }

    /// Every segment this side sent again (what `TCP_INFO`'s
    /// `total_retrans` counts at the sender).
    pub fn sent_again(&self) -> u64 {
        self.sent_again.iter().sum()
    }

    /// Retransmissions of every kind Wireshark names.
    pub fn retransmissions(&self) -> u64 {
        Event::ALL
            .iter()
            .filter(|e| e.is_retransmission())
            .map(|&e| self.count(e))
            .sum()
    }

    /// Counts `len` payload bytes at `t` seconds into the connection.
    fn add_bytes(&mut self, t: f64, len: u32) {
        let bucket = (t / BUCKET_SECS) as i64;
        match self.buckets.back_mut() {
            Some((b, bytes)) if *b == bucket => *bytes += u64::from(len),
            last => {
                // The bucket before this one is complete: a throughput point.
                if let Some(&mut (b, bytes)) = last {
                    let rate = bytes as f64 * 8.0 / BUCKET_SECS;
                    self.throughput.push((b + 1) as f64 * BUCKET_SECS, rate);
                }
                self.buckets.push_back((bucket, u64::from(len)));
            }
        }
        while self
            .buckets
            .front()
            .is_some_and(|&(b, _)| b <= bucket - BUCKETS_PER_RATE)
        {
            self.buckets.pop_front();
        }
    }

    /// Payload bit/s over the last second before `t` (seconds into the
    /// connection), or since the connection began when that is shorter.
    pub fn rate_bps(&self, t: f64) -> f64 {
        let now = (t / BUCKET_SECS) as i64;
        let bytes: u64 = self
            .buckets
            .iter()
            .filter(|&&(b, _)| b > now - BUCKETS_PER_RATE)
            .map(|&(_, n)| n)
            .sum();
        let span = t.clamp(BUCKET_SECS, BUCKETS_PER_RATE as f64 * BUCKET_SECS);
        bytes as f64 * 8.0 / span
    }
}

#[derive(Clone, Debug)]
pub struct ConnRow {
    pub stream: u32,
    /// The endpoint that sent the first packet seen (the client when the
    /// handshake was captured).
    pub a: Endpoint,
    pub b: Endpoint,
    pub state: ConnState,
    pub first: Timestamp,
    pub last: Timestamp,
    /// `[a → b, b → a]`.
    pub dirs: [DirStats; 2],
}

impl ConnRow {
    pub fn dir(&self, d: Direction) -> &DirStats {
        &self.dirs[index(d)]
    }

    /// The direction that carried more payload (a → b on a tie).
    pub fn data_direction(&self) -> Direction {
        if self.dirs[1].payload_bytes > self.dirs[0].payload_bytes {
            Direction::BtoA
        } else {
            Direction::AtoB
        }
    }

    pub fn events(&self, e: Event) -> u64 {
        self.dirs[0].count(e) + self.dirs[1].count(e)
    }

    pub fn retransmissions(&self) -> u64 {
        self.dirs[0].retransmissions() + self.dirs[1].retransmissions()
    }
}

fn index(d: Direction) -> usize {
    match d {
        Direction::AtoB => 0,
        Direction::BtoA => 1,
    }
}

/// One line of the events list.
#[derive(Clone, Debug)]
pub struct EventLine {
    pub frame: u64,
    pub seconds: f64,
    pub stream: u32,
    pub event: Event,
}

#[derive(Clone, Debug, Default)]
pub struct LiveModel {
    conns: Vec<ConnRow>,
    pub segments: u64,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    recent: VecDeque<EventLine>,
    /// The sender's `TCP_INFO`, when a run samples it.
    pub kernel: Option<KernelSeries>,
    /// The emulated link, when a run crosses one.
    pub link: Option<LinkState>,
}

impl LiveModel {
    pub fn new() -> LiveModel {
        LiveModel::default()
    }

    /// The connections, by stream number.
    pub fn connections(&self) -> &[ConnRow] {
        &self.conns
    }

    /// The latest events, oldest first.
    pub fn recent_events(&self) -> impl DoubleEndedIterator<Item = &EventLine> {
        self.recent.iter()
    }

    /// A row of the sender's `TCP_INFO` series, as the sampler keeps it.
    pub fn push_tcp_info(&mut self, row: &TcpInfo) {
        self.kernel
            .get_or_insert_with(KernelSeries::default)
            .push(row);
    }

    /// The emulated link's counters read at `time` (epoch seconds).
    pub fn update_link(
        &mut self,
        time: f64,
        forward: LinkStats,
        backward: LinkStats,
        queue: [u32; 2],
    ) {
        self.link
            .get_or_insert_with(LinkState::default)
            .update(time, forward, backward, queue);
    }

    /// Seconds since the first packet.
    pub fn seconds(&self, ts: Timestamp) -> f64 {
        self.first.map_or(0.0, |f| ts.secs_since(f))
    }

    pub fn push(&mut self, r: &SegmentReport) {
        self.segments += 1;
        self.first.get_or_insert(r.ts);
        self.last = Some(r.ts);
        let seconds = self.seconds(r.ts);
        let stream = r.stream as usize;
        while self.conns.len() <= stream {
            // Streams are numbered densely from 0 in the order they appear.
            let n = self.conns.len() as u32;
            self.conns.push(ConnRow {
                stream: n,
                a: r.src,
                b: r.dst,
                state: if r.flags.syn() {
                    ConnState::Opening
                } else {
                    ConnState::Midstream
                },
                first: r.ts,
                last: r.ts,
                dirs: Default::default(),
            });
        }
        let conn = &mut self.conns[stream];
        if conn.dirs[0].packets + conn.dirs[1].packets == 0 {
            // A row made as a placeholder for a stream number seen later.
            conn.a = r.src;
            conn.b = r.dst;
            conn.first = r.ts;
        }
        conn.last = r.ts;
        let t = r.ts.secs_since(conn.first);
        let flags = r.flags;
        let d = &mut conn.dirs[index(r.dir)];
        d.packets += 1;
        d.payload_bytes += u64::from(r.len);
        if r.len > 0 {
            d.add_bytes(t, r.len);
        }
        if let Some(w) = r.win_scaled.or(Some(u32::from(r.window))) {
            d.window = Some(w);
            d.windows.push(t, f64::from(w));
        }
        if r.len > 0 {
            if let Some(rel) = r.rel_seq {
                d.stevens.push(t, f64::from(rel));
                if r.events.iter().any(|e| e.is_retransmission()) {
                    d.resent.push(t, f64::from(rel));
                }
            }
        }
        if flags.fin() {
            d.fin = true;
        }
        if let Some(m) = r.sent_again {
            d.sent_again[m.index()] += 1;
        }
        for e in r.events.iter() {
            d.events[e as usize] += 1;
            if self.recent.len() == RECENT_EVENTS {
                self.recent.pop_front();
            }
            self.recent.push_back(EventLine {
                frame: r.frame,
                seconds,
                stream: r.stream,
                event: e,
            });
        }
        // An ACK's RTT belongs to the data it acknowledges: the other side's.
        if let Some(rtt) = r.ack_rtt_ns {
            let other = &mut conn.dirs[1 - index(r.dir)];
            other.rtt_ns = Some(rtt);
            other.min_rtt_ns = Some(other.min_rtt_ns.map_or(rtt, |m| m.min(rtt)));
            other.rtt.push(t, rtt as f64 / 1e6);
        }
        conn.state = match conn.state {
            _ if flags.rst() => ConnState::Reset,
            ConnState::Reset => ConnState::Reset,
            _ if conn.dirs[0].fin && conn.dirs[1].fin => ConnState::Closed,
            _ if conn.dirs[0].fin || conn.dirs[1].fin => ConnState::Closing,
            ConnState::Opening if flags.ack() && !flags.syn() => ConnState::Established,
            s => s,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tcplab_analysis::synthetic;

    #[test]
    fn a_series_stays_bounded_and_spans_its_whole_history() {
        let mut s = Series::default();
        for i in 0..100_000 {
            s.push(f64::from(i), 0.0);
        }
        assert!(s.points().len() <= Series::CAP);
        assert!(s.points().len() > Series::CAP / 2);
        assert_eq!(s.points()[0].0, 0.0);
        let last = s.points().last().expect("points").0;
        assert!(last > 99_000.0, "the end is in view: {last}");
    }

    #[test]
    fn counts_follow_the_analyzer_reports() {
        use synthetic::{seg, A, FA, PA, S, SA};
        let (c, s) = (1000u32, 5000u32);
        let segs = vec![
            seg(40000, true, 0, c, 0, S, 0),
            seg(40000, false, 1, s, c + 1, SA, 0),
            seg(40000, true, 2, c + 1, s + 1, A, 0),
            seg(40000, true, 3, c + 1, s + 1, PA, 1000),
            // The same data again 300 ms later: a retransmission.
            seg(40000, true, 303, c + 1, s + 1, PA, 1000),
            seg(40000, false, 304, s + 1, c + 1001, A, 0),
            seg(40000, true, 305, c + 1001, s + 1, FA, 0),
            seg(40000, false, 306, s + 1, c + 1002, FA, 0),
            seg(40000, true, 307, c + 1002, s + 2, A, 0),
        ];
        let reports = synthetic::reports_of(&segs);
        let mut model = LiveModel::new();
        for r in &reports {
            model.push(r);
        }
        let conn = &model.connections()[0];
        assert_eq!(conn.dir(Direction::AtoB).payload_bytes, 2000);
        let retrans = reports
            .iter()
            .filter(|r| r.events.iter().any(|e| e.is_retransmission()))
            .count() as u64;
        assert_eq!(retrans, 1, "the analyzer sees the retransmission");
        assert_eq!(conn.retransmissions(), 1);
        assert_eq!(conn.state, ConnState::Closed);
        assert_eq!(conn.data_direction(), Direction::AtoB);
        assert_eq!(model.segments, reports.len() as u64);
        assert!(
            conn.dir(Direction::AtoB).rtt_ns.is_some(),
            "the ACK measured an RTT"
        );
        assert_eq!(model.recent_events().count(), 1);
    }
}
