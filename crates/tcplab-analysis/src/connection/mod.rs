//! One TCP connection while the capture is read: the sequence-analysis
//! state of both directions and compact accumulators for the summary
//! (handshake, teardown, counters, RTT); its summary is built at the end
//! (`summary.rs`). Kept small because a capture may hold millions of
//! connections: per-connection memory is about 2 KB (docs/memory.md), the
//! buffers of a finished connection are released, and beyond a few
//! thousand connections the least active are encoded (`codec.rs` here,
//! which lists every field) into the spill file (`../connections.rs`).

mod codec;
mod for_analysis;
mod summary;

use super::events::{Event, EventSet};
use super::sent_again::{Mechanism, Tracker};
use super::sequence::{self, ConnTiming, FlowState, SeqFindings, WinScale};
use super::stats::Running;
use super::timestamps::TsRtt;
use crate::flow::{Direction, Endpoint, Lookup};
use tcplab_wire::capture::Timestamp;
use tcplab_wire::dissect::{Flags, Segment};
use tcplab_wire::Seq;

const SYN_FIN_RST: u16 = Flags::SYN | Flags::FIN | Flags::RST;

/// Frame numbers kept per event kind and connection (counts are exact).
pub const MAX_FRAMES_PER_EVENT: u32 = 1000;

/// A segment of the handshake or teardown, as stored (the printable
/// `SegmentBrief` is made from it at the end).
#[derive(Clone, Copy, Debug)]
struct Brief {
    frame: u64,
    ts: Timestamp,
    seq: Seq,
    ack: Seq,
    len: u32,
    window: u16,
    flags: Flags,
    from: Direction,
    mss: Option<u16>,
    window_scale: Option<u8>,
    sack_permitted: bool,
    timestamps: Option<(u32, u32)>,
}

impl Brief {
    fn of(seg: &Segment, from: Direction) -> Brief {
        Brief {
            frame: seg.frame,
            ts: seg.ts,
            seq: seg.seq,
            ack: seg.ack,
            len: seg.len,
            window: seg.window,
            flags: seg.flags,
            from,
            mss: seg.options.mss,
            window_scale: seg.options.window_scale,
            sack_permitted: seg.options.sack_permitted,
            timestamps: seg.options.timestamps,
        }
    }

    /// Sequence number just after this FIN.
    fn fin_end(&self) -> Seq {
        self.seq + self.len + 1
    }
}

#[derive(Default)]
struct HandshakeState {
    syn: Option<Brief>,
    syn_ack: Option<Brief>,
    ack: Option<Brief>,
    syn_retransmissions: u32,
}

#[derive(Default)]
struct TeardownState {
    /// Each side's first FIN, in the order seen, and the segment that
    /// acknowledged it: at most two, so kept in place.
    fins: [Option<(Brief, Option<Brief>)>; 2],
    resets: Vec<Brief>,
    half_close: bool,
    simultaneous_close: bool,
}

impl TeardownState {
    fn fins(&self) -> impl Iterator<Item = &(Brief, Option<Brief>)> {
        self.fins.iter().flatten()
    }
}

/// What one direction sent, as counters. `repr(C)`: what every segment
/// updates first (counters, the span of its data, its window, the TSvals
/// waiting for their echo), then the RTT statistics (a sample), then what
/// only a SYN or a rare flag writes and only the summary reads.
#[derive(Default)]
#[repr(C)]
struct DirAccum {
    packets: u64,
    bytes: u64,
    payload_bytes: u64,
    data_segments: u64,
    truncated: u64,
    data_start: Option<Seq>,
    data_end: Option<Seq>,
    /// Highest acknowledgement number this side sent.
    highest_ack: Option<Seq>,
    /// The largest scaled window advertised (0 before any).
    max_window: u32,
    /// The smallest, inverted (`!min`: 0 before any, as no scaled window
    /// is `u32::MAX`), so that one `max` a packet updates each and no
    /// `Option` is rewritten.
    not_min_window: u32,
    ts: TsRtt,
    ack_rtt: Running,
    ts_rtt: Running,
    /// Segments with each reserved flag bit set: AE, 0x200, 0x400, 0x800.
    reserved_flags: [u64; 4],
    isn: Option<Seq>,
    mss: Option<u16>,
    window_scale: Option<u8>,
    sack_permitted: bool,
    timestamps: bool,
}

impl DirAccum {
    /// As `DirAccum::default()`, in place (`Connection::renew`; every field
    /// named, as in `FlowState::reset`).
    #[inline]
    fn reset(&mut self) {
        let DirAccum {
            packets,
            bytes,
            payload_bytes,
            data_segments,
            truncated,
            data_start,
            data_end,
            highest_ack,
            max_window,
            not_min_window,
            ts,
            ack_rtt,
            ts_rtt,
            reserved_flags,
            isn,
            mss,
            window_scale,
            sack_permitted,
            timestamps,
        } = self;
        (*packets, *bytes, *payload_bytes, *data_segments, *truncated) = (0, 0, 0, 0, 0);
        (*data_start, *data_end, *highest_ack, *isn) = (None, None, None, None);
        (*max_window, *not_min_window) = (0, 0);
        ts.reset();
        *ack_rtt = Running::default();
        *ts_rtt = Running::default();
        *reserved_flags = [0; 4];
        (*mss, *window_scale) = (None, None);
        (*sack_permitted, *timestamps) = (false, false);
    }

    /// The largest scaled window advertised (a window is at most
    /// 65,535 << 14, so `!w` is never 0).
    fn max_window(&self) -> Option<u32> {
        (self.not_min_window != 0).then_some(self.max_window)
    }

    fn min_window(&self) -> Option<u32> {
        (self.not_min_window != 0).then_some(!self.not_min_window)
    }
}

/// `repr(C)`: the fields most segments read or write first (this header,
/// then each direction's analysis state, counters and sent-again
/// tracker, each with its rarely used fields at its end), then what only
/// the handshake, the teardown, an event or the summary use. A plain
/// segment touches about half of the connection's cache lines.
#[repr(C)]
pub(crate) struct Connection {
    last: (u64, Timestamp),
    packets: u64,
    timing: ConnTiming,
    /// Wireshark's base sequence numbers, for relative numbers.
    base: [Option<Seq>; 2],
    stream: u32,
    released: bool,
    /// The handshake's ACK was seen and no FIN yet: a segment without
    /// SYN, FIN or RST changes neither phase. Follows from `handshake` and
    /// `teardown` (`phases_settled`), kept here to spare a plain segment
    /// their cache lines; not in the spill file.
    settled: bool,
    reused_ports: bool,
    client: Option<Direction>,
    flows: [FlowState; 2],
    dirs: [DirAccum; 2],
    /// What each direction sent again, and why (`sent_again.rs`).
    sent_again: [Tracker; 2],
    last_syn: Option<Timestamp>,
    first: (u64, Timestamp),
    malformed: u64,
    /// The first `MAX_FRAMES_PER_EVENT` frames of each event kind.
    event_frames: Vec<(Event, u64)>,
    event_counts: [u32; 14],
    handshake: HandshakeState,
    teardown: TeardownState,
    a: Endpoint,
    b: Endpoint,
}

/// What the analysis found for one segment, besides its events.
#[derive(Default)]
pub(crate) struct SegmentFindings {
    pub seq: SeqFindings,
    pub win_scaled: Option<u32>,
    pub ts_rtt_ns: Option<i64>,
    pub sent_again: Option<Mechanism>,
}

impl Connection {
    pub fn new(
        stream: u32,
        a: Endpoint,
        b: Endpoint,
        first: (u64, Timestamp),
        reused_ports: bool,
    ) -> Connection {
        Connection {
            stream,
            a,
            b,
            reused_ports,
            flows: [FlowState::default(), FlowState::default()],
            dirs: [DirAccum::default(), DirAccum::default()],
            sent_again: [Tracker::default(), Tracker::default()],
            base: [None, None],
            timing: ConnTiming::default(),
            last_syn: None,
            handshake: HandshakeState::default(),
            teardown: TeardownState::default(),
            client: None,
            first,
            last: first,
            packets: 0,
            malformed: 0,
            event_counts: [0; 14],
            event_frames: Vec::new(),
            released: false,
            settled: false,
        }
    }

    /// This connection becomes `Connection::new(..)` with these values, in
    /// place: the box of a connection sent out to the spill file serves a
    /// new one without building 2 KB on the stack and moving them in. Field
    /// by field (a whole-struct assignment builds the new value beside the
    /// old one, then drops the old and copies), the same values as `new`
    /// (a test compares their encodings).
    pub fn renew(
        &mut self,
        stream: u32,
        a: Endpoint,
        b: Endpoint,
        first: (u64, Timestamp),
        reused_ports: bool,
    ) {
        self.stream = stream;
        self.a = a;
        self.b = b;
        self.reused_ports = reused_ports;
        for flow in &mut self.flows {
            flow.reset();
        }
        for dir in &mut self.dirs {
            dir.reset();
        }
        for tracker in &mut self.sent_again {
            *tracker = Tracker::default();
        }
        self.base = [None, None];
        self.timing = ConnTiming::default();
        self.last_syn = None;
        self.handshake = HandshakeState::default();
        self.teardown.fins = [None, None];
        self.teardown.resets.clear();
        self.teardown.half_close = false;
        self.teardown.simultaneous_close = false;
        self.client = None;
        self.first = first;
        self.last = first;
        self.packets = 0;
        self.malformed = 0;
        self.event_counts = [0; 14];
        self.event_frames.clear();
        self.released = false;
        self.settled = false;
    }

    /// A packet of this connection whose TCP header is damaged.
    pub fn push_malformed(&mut self, frame: u64, ts: Timestamp) {
        self.malformed += 1;
        self.last = (frame, ts);
    }

    /// Analyses `seg`. `clock_break` is the frame of the latest record
    /// whose time is invalid (0: none): an RTT that spans it is not a
    /// sample (the TSvals waiting for their echo are dropped, and an ACK
    /// of data sent before it gives no ACK RTT).
    /// The findings are written into `found`, which comes in empty (the
    /// caller's own, so nothing is copied on the way out). Without
    /// `summaries` (`AnalyzerOptions::summaries`), what only the summary
    /// reads (counters, events, RTT statistics) is not kept: the findings
    /// are the same (`spill_tests.rs` compares them).
    pub fn push(
        &mut self,
        seg: &Segment,
        at: &Lookup,
        clock_break: u64,
        summaries: bool,
        found: &mut SegmentFindings,
    ) {
        let (f, r) = (at.dir.index(), at.dir.reverse().index());
        let trusted = clock_break == 0 || self.clock_break(seg, clock_break);
        self.base[f] = at.fwd_base;
        self.base[r] = at.rev_base;
        if at.repeated_syn && at.fwd_base.is_some() {
            self.flows[f].restart_for_repeated_syn();
        }
        let [a, b] = &mut self.flows;
        let (fwd, rev) = if f == 0 { (a, b) } else { (b, a) };
        fwd.set_sack(&seg.options.sack);
        sequence::analyze(fwd, rev, self.timing, seg, &mut found.seq);
        let verdict = &mut found.seq;
        if clock_break != 0 {
            verdict.acked = verdict.acked.filter(|&(sent, _)| sent > clock_break);
        }
        let (events, acked) = (verdict.events, verdict.acked);
        self.after_analysis(seg, at.dir);
        let win_scaled = self.flows[f].win_scale.scale(seg.window, seg.flags.syn());
        let phases = seg.flags.has(SYN_FIN_RST) || !self.settled;
        let mut may_complete = false;
        if phases {
            may_complete = self.track_phases(seg, at.dir);
            self.settled = self.phases_settled();
        }
        if summaries {
            self.count(seg, at.dir, events, win_scaled);
        } else {
            // What the analysis reads of it: the latest frame.
            self.last = (seg.frame, seg.ts);
        }
        found.ts_rtt_ns = self.timestamps(seg, f, r, trusted, summaries);
        if let Some((_, rtt)) = acked.filter(|_| summaries) {
            self.dirs[r].ack_rtt.push(rtt as f64 / 1e9);
        }
        let rtt_ns = acked.map(|(_, ns)| ns);
        self.sent_again[r].acknowledged(seg, events, rtt_ns);
        found.sent_again = self.sent_again[f].sent(seg, events);
        found.win_scaled = win_scaled;
        // Only `track_phases` changes the teardown.
        if may_complete && !self.released && self.teardown_complete() {
            // Nothing more is expected: give the buffers back (they regrow if needed).
            self.released = true;
            for flow in &mut self.flows {
                flow.release_buffers();
            }
            for dir in &mut self.dirs {
                dir.ts.release_buffers();
            }
        }
    }

    /// What Wireshark does after the sequence analysis of a segment: handshake
    /// timing, window-scale negotiation, the first-ACK marker.
    fn after_analysis(&mut self, seg: &Segment, dir: Direction) {
        let (f, r) = (dir.index(), dir.reverse().index());
        let flags = seg.flags;
        if flags.is_pure_syn() {
            self.last_syn = Some(seg.ts);
        }
        if flags.syn() {
            self.flows[f].is_first_ack = true;
            if let Some(shift) = seg.options.effective_window_scale() {
                self.flows[f].win_scale = WinScale::Shift(shift);
            }
            // Scaling is used only if both SYNs carried the option (RFC 7323 §2.2).
            if self.flows[f].win_scale == WinScale::Unknown {
                self.flows[f].win_scale = WinScale::None;
                self.flows[r].win_scale = WinScale::None;
            } else if flags.ack() && self.flows[r].win_scale == WinScale::None {
                self.flows[f].win_scale = WinScale::None;
            }
        }
        if flags.ack() && !flags.syn() {
            // The time of the SYN is read (a cold line) only until the
            // handshake RTT is known.
            if self.timing.first_rtt_ns == 0 {
                if let Some(syn) = self.last_syn {
                    self.timing.first_rtt_ns = seg.ts.nanos_since(syn);
                }
            }
            self.flows[f].is_first_ack = false;
        }
    }

    /// Records `seg` in the handshake and the teardown; true when it
    /// added an RST or the ACK of a FIN (what can complete the teardown).
    fn track_phases(&mut self, seg: &Segment, dir: Direction) -> bool {
        let flags = seg.flags;
        let brief = || Brief::of(seg, dir);
        let hs = &mut self.handshake;
        if flags.is_pure_syn() {
            // A SYN sent again is counted by `count`, from the analysis' verdict.
            if hs.syn.is_none() {
                hs.syn = Some(brief());
                self.client = Some(dir);
            }
        } else if flags.is_syn_ack() {
            if hs.syn_ack.is_none() {
                hs.syn_ack = Some(brief());
                self.client.get_or_insert(dir.reverse());
            }
        } else if flags.ack()
            && hs.ack.is_none()
            && hs.syn_ack.is_some()
            && Some(dir) == self.client
        {
            hs.ack = Some(brief());
        }
        let td = &mut self.teardown;
        let mut may_complete = false;
        if flags.rst() {
            td.resets.push(brief());
            may_complete = true;
        }
        if seg.len > 0 && td.fins().any(|(fin, _)| fin.from != dir) {
            td.half_close = true;
        }
        for (fin, acked_by) in td
            .fins
            .iter_mut()
            .flatten()
            .filter(|(fin, a)| fin.from != dir && a.is_none())
        {
            if flags.ack() && seg.ack.after_or_eq(fin.fin_end()) {
                *acked_by = Some(brief());
                may_complete = true;
            }
        }
        if flags.fin() && !td.fins().any(|(fin, _)| fin.from == dir) {
            let other = td.fins().find(|(fin, _)| fin.from != dir);
            if let Some((other, acked)) = other {
                let simultaneous =
                    acked.is_none() && !(flags.ack() && seg.ack.after_or_eq(other.fin_end()));
                td.simultaneous_close = simultaneous;
            }
            // One per side: the first free place is always there.
            if let Some(free) = td.fins.iter_mut().find(|f| f.is_none()) {
                *free = Some((brief(), None));
            }
        }
        may_complete
    }

    fn count(&mut self, seg: &Segment, dir: Direction, events: EventSet, win_scaled: Option<u32>) {
        self.packets += 1;
        self.last = (seg.frame, seg.ts);
        if !events.is_empty() {
            self.count_events(events, seg);
        }
        let d = &mut self.dirs[dir.index()];
        d.packets += 1;
        d.bytes += u64::from(seg.ip_len);
        d.payload_bytes += u64::from(seg.len);
        d.truncated += u64::from(seg.payload_missing());
        if seg.flags.has(Flags::RESERVED) {
            for (i, n) in d.reserved_flags.iter_mut().enumerate() {
                *n += u64::from(seg.flags.has(Flags::AE << i));
            }
        }
        if let Some(w) = win_scaled.filter(|_| !seg.flags.syn()) {
            d.max_window = d.max_window.max(w);
            d.not_min_window = d.not_min_window.max(!w);
        }
        if seg.flags.syn() {
            d.isn = Some(seg.seq);
            d.mss = seg.options.mss.or(d.mss);
            d.window_scale = seg.options.window_scale.or(d.window_scale);
            d.sack_permitted |= seg.options.sack_permitted;
            d.timestamps |= seg.options.timestamps.is_some();
        }
        if seg.len > 0 {
            d.data_segments += 1;
            let start = seg.seq + u32::from(seg.flags.syn());
            let end = start + seg.len;
            d.data_start = Some(d.data_start.map_or(start, |x| x.min_seq(start)));
            d.data_end = Some(d.data_end.map_or(end, |x| x.max_seq(end)));
        }
    }

    #[cold]
    fn count_events(&mut self, events: EventSet, seg: &Segment) {
        for e in events.iter() {
            let n = &mut self.event_counts[e as usize];
            *n += 1;
            if *n <= MAX_FRAMES_PER_EVENT {
                self.event_frames.push((e, seg.frame));
            }
        }
        // The handshake's count of SYNs sent again is the analysis' own
        // (a SYN repeating the ISN, after an RST too), so the two agree.
        if seg.flags.is_pure_syn() && events.iter().any(Event::is_retransmission) {
            self.handshake.syn_retransmissions += 1;
        }
    }

    /// A record with an invalid time came since this connection's previous
    /// packet: the TSvals waiting for an echo were sent before it and give
    /// no sample. False when `seg` is that record itself.
    #[cold]
    fn clock_break(&mut self, seg: &Segment, clock_break: u64) -> bool {
        if clock_break > self.last.0 {
            for dir in &mut self.dirs {
                dir.ts.release_buffers();
            }
        }
        seg.frame != clock_break
    }

    /// The timestamps RTT sample of `seg`; none when its time is not
    /// `trusted` (and nothing it sent waits for an echo then). Added to
    /// the statistics with `summaries`.
    fn timestamps(
        &mut self,
        seg: &Segment,
        f: usize,
        r: usize,
        trusted: bool,
        summaries: bool,
    ) -> Option<i64> {
        let (val, ecr) = seg.options.timestamps?;
        if !trusted {
            if seg.flags.ack() {
                let h = &mut self.dirs[f].highest_ack;
                *h = Some(h.map_or(seg.ack, |x| x.max_seq(seg.ack)));
            }
            return None;
        }
        self.dirs[f].ts.sent(val, seg.ts);
        // RFC 7323 §4.1: only a segment that acknowledges new data gives a sample.
        let acks_new = seg.flags.ack() && self.dirs[f].highest_ack.is_none_or(|h| seg.ack.after(h));
        if seg.flags.ack() {
            let h = &mut self.dirs[f].highest_ack;
            *h = Some(h.map_or(seg.ack, |x| x.max_seq(seg.ack)));
        }
        let rtt = if acks_new {
            self.dirs[r].ts.echoed(ecr, seg.ts)
        } else {
            None
        };
        if let Some(ns) = rtt.filter(|_| summaries) {
            self.dirs[r].ts_rtt.push(ns as f64 / 1e9);
        }
        rtt
    }

    /// The frame number of the latest packet.
    pub fn last_frame(&self) -> u64 {
        self.last.0
    }

    /// The teardown is complete in the capture: an RST, or both FINs and
    /// the ACKs of both. Only `push` changes the teardown, and it sets
    /// `released` as soon as this becomes true, so the flag is the answer
    /// (asked two or three times per packet).
    #[inline]
    pub fn is_finished(&self) -> bool {
        self.released
    }

    /// A plain segment after the handshake's ACK, before any FIN, changes
    /// neither phase (what `settled` keeps).
    fn phases_settled(&self) -> bool {
        self.handshake.ack.is_some() && self.teardown.fins[0].is_none()
    }

    fn teardown_complete(&self) -> bool {
        let td = &self.teardown;
        matches!(td.fins, [Some((_, Some(_))), Some((_, Some(_)))]) || !td.resets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use crate::synthetic::{closed, seg, A, FA, PA, RA};
    use crate::Analyzer;
    use tcplab_wire::dissect::Segment;

    /// Analyses `segs`; after each packet, checks that the flag
    /// `is_finished` answers with agrees with the teardown itself (`push`
    /// is the only place that changes either), as does `settled` with the
    /// phases, and returns the flags.
    fn flag_follows_teardown(segs: &[Segment]) -> Vec<bool> {
        let mut a = Analyzer::new();
        let mut seen = Vec::new();
        for (i, s) in segs.iter().enumerate() {
            let mut s = s.clone();
            s.frame = i as u64 + 1;
            let stream = a.push_segment(&s).stream;
            let conn = a.conns.get_mut(stream).expect("in memory");
            assert_eq!(
                conn.is_finished(),
                conn.teardown_complete(),
                "frame {}",
                i + 1
            );
            assert_eq!(conn.settled, conn.phases_settled(), "frame {}", i + 1);
            seen.push(conn.is_finished());
        }
        seen
    }

    /// docs/memory.md quotes this size.
    #[test]
    fn connection_state_size() {
        assert_eq!(std::mem::size_of::<super::Connection>(), 2008);
    }

    #[test]
    fn finished_with_the_ack_of_the_second_fin() {
        let mut segs = closed(40_000, 0, 1000);
        let last = segs.len() - 1;
        let mut want = vec![false; segs.len()];
        want[last] = true;
        assert_eq!(flag_follows_teardown(&segs), want);
        // A late packet leaves it finished.
        segs.push(seg(40_000, false, 9, 7102, 1102, A, 0));
        want.push(true);
        assert_eq!(flag_follows_teardown(&segs), want);
    }

    #[test]
    fn finished_with_a_reset_not_with_one_fin() {
        // Sequence numbers near the wrap: the FIN's end is past 2^32.
        let c = u32::MAX - 50;
        let s = 5000;
        let segs = [
            seg(40_001, true, 0, c, s + 1, PA, 100),
            seg(40_001, true, 1, c.wrapping_add(100), s + 1, FA, 0),
            seg(40_001, false, 2, s + 1, c.wrapping_add(101), A, 0),
            seg(40_001, false, 3, s + 1, c.wrapping_add(101), RA, 0),
        ];
        assert_eq!(flag_follows_teardown(&segs), [false, false, false, true]);
    }
}
