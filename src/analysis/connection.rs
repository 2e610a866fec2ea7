//! One TCP connection: the analysis state of both directions and what the
//! summary reports (handshake, teardown, counts, RTT, volumes). Fed one
//! segment at a time by `Analyzer`; memory is bounded per connection.

use super::events::Event;
use super::sequence::{self, ConnTiming, FlowState, SeqVerdict, WinScale};
use super::stats::{Running, Summary};
use super::timestamps::TsRtt;
use crate::capture::Timestamp;
use crate::dissect::{Segment, TcpOptions};
use crate::flow::{Direction, Endpoint, Lookup, Seq};
use serde::Serialize;

/// Frame numbers kept per event kind and connection (counts are exact).
pub const MAX_FRAMES_PER_EVENT: usize = 1000;

/// A segment as shown in the handshake and teardown tables.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct SegmentBrief {
    pub frame: u64,
    pub time: f64,
    #[serde(skip)]
    pub ts: Timestamp,
    pub from: Direction,
    pub flags: String8,
    pub seq: Seq,
    pub ack: Seq,
    pub rel_seq: Option<u32>,
    pub rel_ack: Option<u32>,
    pub len: u32,
    pub window: u16,
    pub options: TcpOptions,
}

/// Flags as letters, stored inline (at most 8 letters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct String8([u8; 8], u8);

impl String8 {
    fn of(flags: crate::dissect::Flags) -> String8 {
        let s = flags.to_string();
        let mut buf = [0u8; 8];
        let n = s.len().min(8);
        buf[..n].copy_from_slice(&s.as_bytes()[..n]);
        String8(buf, n as u8)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0[..usize::from(self.1)]).unwrap_or("?")
    }
}

impl Serialize for String8 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Handshake {
    pub syn: Option<SegmentBrief>,
    pub syn_ack: Option<SegmentBrief>,
    pub ack: Option<SegmentBrief>,
    /// SYN sent again (same ISN) before the handshake completed.
    pub syn_retransmissions: u32,
    /// SYN to first pure ACK, as Wireshark's `tcp.analysis.initial_rtt` (seconds).
    pub initial_rtt: Option<f64>,
    /// SYN to SYN/ACK and SYN/ACK to ACK (seconds).
    pub syn_to_syn_ack: Option<f64>,
    pub syn_ack_to_ack: Option<f64>,
}

/// A FIN and the segment that acknowledged it.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct FinExchange {
    pub fin: SegmentBrief,
    pub acked_by: Option<SegmentBrief>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Teardown {
    /// In the order the FINs were first seen.
    pub fins: Vec<FinExchange>,
    pub resets: Vec<SegmentBrief>,
    /// One side closed (FIN) and the other kept sending data afterwards.
    pub half_close: bool,
    /// Both FINs were sent before either was acknowledged.
    pub simultaneous_close: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FinalState {
    /// Both FINs sent and acknowledged.
    Closed,
    Reset,
    /// FIN(s) seen, but not all sent and acknowledged.
    Closing,
    /// No FIN or RST in the capture.
    Open,
}

/// What one direction sent.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DirectionSummary {
    pub from: Option<Endpoint>,
    pub to: Option<Endpoint>,
    pub packets: u64,
    /// IP bytes (headers included).
    pub bytes: u64,
    pub payload_bytes: u64,
    /// Sequence space carried by data, each byte once (retransmissions excluded).
    pub unique_bytes: u64,
    pub retransmitted_bytes: u64,
    pub data_segments: u64,
    pub isn: Option<Seq>,
    pub mss: Option<u16>,
    pub window_scale: Option<u8>,
    pub sack_permitted: bool,
    pub timestamps: bool,
    /// How windows from this side are scaled: "unknown" when the handshake was not seen.
    pub window_scaling: String,
    pub max_window: Option<u32>,
    pub min_window: Option<u32>,
    /// Segments whose payload was cut by the snap length.
    pub truncated_payload_segments: u64,
    /// RTT of this side's data, from the ACKs the other side sent (seconds).
    pub ack_rtt: Option<Summary>,
    /// RTT of this side's data from the TCP timestamps option (seconds).
    pub ts_rtt: Option<Summary>,
    /// bit/s over the connection's duration.
    pub throughput_bps: f64,
    pub goodput_bps: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct EventSummary {
    pub event: Event,
    pub count: u64,
    /// The first frames flagged (at most 1000).
    pub frames: Vec<u64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ConnectionSummary {
    pub stream: u32,
    /// The endpoint that sent the first captured packet, and the other one.
    pub a: Endpoint,
    pub b: Endpoint,
    /// Direction of the SYN sender, when the handshake was seen.
    pub client: Option<Direction>,
    pub started_before_capture: bool,
    pub reused_ports: bool,
    pub first_frame: u64,
    pub last_frame: u64,
    pub start: f64,
    pub end: f64,
    pub duration: f64,
    pub packets: u64,
    /// Packets of this 4-tuple whose TCP header is damaged (not analysed).
    pub malformed_packets: u64,
    pub handshake: Handshake,
    pub teardown: Teardown,
    pub final_state: FinalState,
    /// `a_to_b`, `b_to_a`.
    pub a_to_b: DirectionSummary,
    pub b_to_a: DirectionSummary,
    pub events: Vec<EventSummary>,
}

#[derive(Default)]
struct DirAccum {
    summary: DirectionSummary,
    ack_rtt: Running,
    ts_rtt: Running,
    data_start: Option<Seq>,
    data_end: Option<Seq>,
    ts: TsRtt,
    /// Highest acknowledgement number this side sent.
    highest_ack: Option<Seq>,
}

pub(crate) struct Connection {
    stream: u32,
    a: Endpoint,
    b: Endpoint,
    reused_ports: bool,
    flows: [FlowState; 2],
    dirs: [DirAccum; 2],
    timing: ConnTiming,
    last_syn: Option<Timestamp>,
    handshake: Handshake,
    teardown: Teardown,
    client: Option<Direction>,
    first: (u64, Timestamp),
    last: (u64, Timestamp),
    packets: u64,
    event_counts: [u64; 14],
    event_frames: Vec<Vec<u64>>,
    malformed: u64,
}

/// What the analysis found for one segment, besides its events.
pub(crate) struct Verdict {
    pub seq: SeqVerdict,
    pub win_scaled: Option<u32>,
    pub ts_rtt_ns: Option<i64>,
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
            timing: ConnTiming::default(),
            last_syn: None,
            handshake: Handshake::default(),
            teardown: Teardown::default(),
            client: None,
            first,
            last: first,
            packets: 0,
            event_counts: [0; 14],
            event_frames: vec![Vec::new(); 14],
            malformed: 0,
        }
    }

    /// A packet of this connection whose TCP header is damaged.
    pub fn push_malformed(&mut self, frame: u64, ts: Timestamp) {
        self.malformed += 1;
        self.last = (frame, ts);
    }

    pub fn push(&mut self, seg: &Segment, at: &Lookup) -> Verdict {
        let (f, r) = (at.dir.index(), at.dir.reverse().index());
        if at.repeated_syn && at.fwd_base.is_some() {
            self.flows[f].restart_for_repeated_syn();
        }
        let [a, b] = &mut self.flows;
        let (fwd, rev) = if f == 0 { (a, b) } else { (b, a) };
        fwd.sack = seg.options.sack;
        let verdict = sequence::analyze(fwd, rev, self.timing, seg);
        self.after_analysis(seg, at.dir);
        let brief = brief(seg, at);
        let win_scaled = self.flows[f].win_scale.scale(seg.window, seg.flags.syn());
        self.track_phases(seg, &brief, at.dir);
        self.count(seg, at.dir, &verdict, win_scaled);
        let ts_rtt_ns = self.timestamps(seg, f, r);
        if let Some((_, rtt)) = verdict.acked {
            self.dirs[r].ack_rtt.push(rtt as f64 / 1e9);
        }
        Verdict {
            seq: verdict,
            win_scaled,
            ts_rtt_ns,
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
        let pure_ack = flags.ack() && !flags.syn();
        if pure_ack {
            if let (Some(syn), 0) = (self.last_syn, self.timing.first_rtt_ns) {
                self.timing.first_rtt_ns = seg.ts.nanos_since(syn);
            }
            self.flows[f].is_first_ack = false;
        }
    }

    fn track_phases(&mut self, seg: &Segment, brief: &SegmentBrief, dir: Direction) {
        let flags = seg.flags;
        let hs = &mut self.handshake;
        if flags.is_pure_syn() {
            match hs.syn {
                None => {
                    hs.syn = Some(*brief);
                    self.client = Some(dir);
                }
                Some(first) if first.seq == seg.seq && hs.syn_ack.is_none() => {
                    hs.syn_retransmissions += 1
                }
                Some(_) => {}
            }
        } else if flags.is_syn_ack() {
            if hs.syn_ack.is_none() {
                hs.syn_ack = Some(*brief);
                self.client.get_or_insert(dir.reverse());
            }
        } else if flags.ack()
            && hs.ack.is_none()
            && hs.syn_ack.is_some()
            && Some(dir) == self.client
        {
            hs.ack = Some(*brief);
            hs.initial_rtt = hs.syn.map(|s| seg.ts.secs_since(s.ts));
            hs.syn_to_syn_ack = match (hs.syn, hs.syn_ack) {
                (Some(s), Some(sa)) => Some(sa.ts.secs_since(s.ts)),
                _ => None,
            };
            hs.syn_ack_to_ack = hs.syn_ack.map(|sa| seg.ts.secs_since(sa.ts));
        }
        let td = &mut self.teardown;
        if flags.rst() {
            td.resets.push(*brief);
        }
        if seg.len > 0 && td.fins.iter().any(|f| f.fin.from != dir) {
            td.half_close = true;
        }
        for fx in td
            .fins
            .iter_mut()
            .filter(|f| f.fin.from != dir && f.acked_by.is_none())
        {
            let fin_end = fx.fin.seq + fx.fin.len + 1;
            if flags.ack() && seg.ack.after_or_eq(fin_end) {
                fx.acked_by = Some(*brief);
            }
        }
        if flags.fin() && !td.fins.iter().any(|f| f.fin.from == dir) {
            if let Some(other) = td.fins.iter().find(|f| f.fin.from != dir) {
                let other_end = other.fin.seq + other.fin.len + 1;
                td.simultaneous_close =
                    other.acked_by.is_none() && !(flags.ack() && seg.ack.after_or_eq(other_end));
            }
            td.fins.push(FinExchange {
                fin: *brief,
                acked_by: None,
            });
        }
    }

    fn count(&mut self, seg: &Segment, dir: Direction, v: &SeqVerdict, win_scaled: Option<u32>) {
        self.packets += 1;
        self.last = (seg.frame, seg.ts);
        for e in v.events.iter() {
            let i = e as usize;
            self.event_counts[i] += 1;
            if self.event_frames[i].len() < MAX_FRAMES_PER_EVENT {
                self.event_frames[i].push(seg.frame);
            }
        }
        let d = &mut self.dirs[dir.index()];
        let s = &mut d.summary;
        s.packets += 1;
        s.bytes += u64::from(seg.ip_len);
        s.payload_bytes += u64::from(seg.len);
        if seg.payload_missing() {
            s.truncated_payload_segments += 1;
        }
        if let Some(w) = win_scaled.filter(|_| !seg.flags.syn()) {
            s.max_window = Some(s.max_window.map_or(w, |m| m.max(w)));
            s.min_window = Some(s.min_window.map_or(w, |m| m.min(w)));
        }
        if seg.flags.syn() {
            s.isn = Some(seg.seq);
            s.mss = seg.options.mss.or(s.mss);
            s.window_scale = seg.options.window_scale.or(s.window_scale);
            s.sack_permitted |= seg.options.sack_permitted;
            s.timestamps |= seg.options.timestamps.is_some();
        }
        if seg.len > 0 {
            s.data_segments += 1;
            let start = seg.seq + u32::from(seg.flags.syn());
            let end = start + seg.len;
            d.data_start = Some(d.data_start.map_or(start, |x| x.min_seq(start)));
            d.data_end = Some(d.data_end.map_or(end, |x| x.max_seq(end)));
        }
        if v.events.iter().any(Event::is_retransmission) {
            s.retransmitted_bytes += u64::from(seg.len);
        }
    }

    fn timestamps(&mut self, seg: &Segment, f: usize, r: usize) -> Option<i64> {
        let (val, ecr) = seg.options.timestamps?;
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
        if let Some(ns) = rtt {
            self.dirs[r].ts_rtt.push(ns as f64 / 1e9);
        }
        rtt
    }

    /// The teardown is complete in the capture: an RST, or both FINs and
    /// the ACKs of both.
    pub fn is_finished(&self) -> bool {
        let td = &self.teardown;
        !td.resets.is_empty()
            || (td.fins.len() == 2 && td.fins.iter().all(|f| f.acked_by.is_some()))
    }

    pub fn summary(&self) -> ConnectionSummary {
        let duration = self.last.1.secs_since(self.first.1);
        let dir = |i: usize, from: Endpoint, to: Endpoint| {
            let d = &self.dirs[i];
            let mut s = d.summary.clone();
            s.from = Some(from);
            s.to = Some(to);
            s.unique_bytes = match (d.data_start, d.data_end) {
                (Some(a), Some(b)) => u64::from(b - a),
                _ => 0,
            };
            s.window_scaling = match self.flows[i].win_scale {
                WinScale::Unknown => "unknown".into(),
                WinScale::None => "none".into(),
                WinScale::Shift(n) => format!("x{}", 1u32 << n),
            };
            s.ack_rtt = d.ack_rtt.summary();
            s.ts_rtt = d.ts_rtt.summary();
            if duration > 0.0 {
                s.throughput_bps = s.bytes as f64 * 8.0 / duration;
                s.goodput_bps = s.unique_bytes as f64 * 8.0 / duration;
            }
            s
        };
        let td = &self.teardown;
        let final_state = if !td.resets.is_empty() {
            FinalState::Reset
        } else if td.fins.len() == 2 && td.fins.iter().all(|f| f.acked_by.is_some()) {
            FinalState::Closed
        } else if td.fins.is_empty() {
            FinalState::Open
        } else {
            FinalState::Closing
        };
        ConnectionSummary {
            stream: self.stream,
            a: self.a,
            b: self.b,
            client: self.client,
            started_before_capture: self.handshake.syn.is_none(),
            reused_ports: self.reused_ports,
            first_frame: self.first.0,
            last_frame: self.last.0,
            start: self.first.1.as_secs_f64(),
            end: self.last.1.as_secs_f64(),
            duration,
            packets: self.packets,
            malformed_packets: self.malformed,
            handshake: self.handshake.clone(),
            teardown: self.teardown.clone(),
            final_state,
            a_to_b: dir(0, self.a, self.b),
            b_to_a: dir(1, self.b, self.a),
            events: Event::ALL
                .iter()
                .filter(|e| self.event_counts[**e as usize] > 0)
                .map(|e| EventSummary {
                    event: *e,
                    count: self.event_counts[*e as usize],
                    frames: self.event_frames[*e as usize].clone(),
                })
                .collect(),
        }
    }
}

fn brief(seg: &Segment, at: &Lookup) -> SegmentBrief {
    SegmentBrief {
        frame: seg.frame,
        time: seg.ts.as_secs_f64(),
        ts: seg.ts,
        from: at.dir,
        flags: String8::of(seg.flags),
        seq: seg.seq,
        ack: seg.ack,
        rel_seq: at.fwd_base.map(|b| seg.seq - b),
        rel_ack: if seg.flags.ack() {
            at.rev_base.map(|b| seg.ack - b)
        } else {
            None
        },
        len: seg.len,
        window: seg.window,
        options: seg.options,
    }
}

impl ConnectionSummary {
    pub fn count(&self, e: Event) -> u64 {
        self.events
            .iter()
            .find(|s| s.event == e)
            .map_or(0, |s| s.count)
    }

    pub fn direction(&self, d: Direction) -> &DirectionSummary {
        match d {
            Direction::AtoB => &self.a_to_b,
            Direction::BtoA => &self.b_to_a,
        }
    }
}
