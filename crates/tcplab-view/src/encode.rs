//! The page's data: every connection's summary row and its segments as
//! columns of small integers (docs/view.md, "The encoding").
//!
//! In: `ConnectionSummary`s and `ConnectionSeries` (from `gather`). Out:
//! the connection rows (JSON in the page) and `Columns`, which `pack`
//! turns into bytes; `web/codec.js` (`unpack`, `decode`) is their one
//! reader. Columns rather than
//! one object per segment, and differences rather than values where
//! values grow (time, frame, sequence and acknowledgement numbers,
//! windows). Columns that are
//! rarely set (events, RTT samples, SACK blocks) are sparse: pairs of
//! (index difference, value).

use serde::Serialize;
use tcplab_analysis::{ConnectionSummary, Event, Mechanism};
use tcplab_render::plot::{ConnectionSeries, KernelSeries};

/// One row of the connection list.
#[derive(Clone, Debug, Serialize)]
pub struct ConnRow {
    pub stream: u32,
    pub a: String,
    pub b: String,
    pub packets: u64,
    /// IP bytes, both directions.
    pub bytes: u64,
    /// Payload bytes A→B, B→A.
    pub payload: [u64; 2],
    /// Seconds.
    pub duration: f64,
    /// `closed`, `reset`, `closing`, `open` (as `tcplab analyze --format json`).
    pub state: String,
    /// Segments sent again, both directions.
    pub sent_again: u64,
    pub zero_windows: u64,
    pub dup_acks: u64,
    /// Mean ACK RTT of the direction that carried more payload, seconds.
    pub rtt: Option<f64>,
    /// Segments the page does not hold (the limits).
    pub left_out: u64,
}

impl ConnRow {
    pub fn of(c: &ConnectionSummary, left_out: u64) -> ConnRow {
        let busier = if c.b_to_a.payload_bytes > c.a_to_b.payload_bytes {
            &c.b_to_a
        } else {
            &c.a_to_b
        };
        let state = serde_json::to_value(c.final_state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        ConnRow {
            stream: c.stream,
            a: c.a.to_string(),
            b: c.b.to_string(),
            packets: c.packets,
            bytes: c.a_to_b.bytes + c.b_to_a.bytes,
            payload: [c.a_to_b.payload_bytes, c.b_to_a.payload_bytes],
            duration: c.duration,
            state,
            sent_again: c.a_to_b.sent_again.total() + c.b_to_a.sent_again.total(),
            zero_windows: c.count(Event::ZeroWindow),
            dup_acks: c.count(Event::DuplicateAck),
            rtt: busier.ack_rtt.as_ref().map(|s| s.avg),
            left_out,
        }
    }
}

/// A column written as differences from the previous value of the same
/// key (the same direction, or the whole column for key 0).
#[derive(Default)]
struct Delta {
    prev: [i64; 2],
}

impl Delta {
    fn next(&mut self, key: usize, v: i64) -> i64 {
        let d = v - self.prev[key];
        self.prev[key] = v;
        d
    }
}

/// Pairs (index difference, value) for the rows where a value is set.
#[derive(Default)]
struct Sparse {
    out: Vec<i64>,
    last: usize,
}

impl Sparse {
    fn put(&mut self, i: usize, values: &[i64]) {
        self.out.push((i - self.last) as i64);
        self.out.extend_from_slice(values);
        self.last = i;
    }
}

/// One connection's segments, column by column (`pack` turns them into
/// the page's bytes, `web/codec.js` reads them back).
#[derive(Clone, Debug, Default)]
pub struct Columns {
    pub stream: u32,
    /// Segments held.
    pub n: usize,
    /// Per direction: the unwrapped number relative sequence numbers
    /// count from (Wireshark's base), when known.
    pub base: [Option<i64>; 2],
    /// Per direction: windows had to be shown unscaled (no handshake).
    pub unscaled: [bool; 2],
    /// Microseconds since the connection's first packet, as differences.
    pub t: Vec<i64>,
    /// Frame numbers, as differences.
    pub frame: Vec<i64>,
    /// TCP flags (12 bits) | direction << 12 (0: A→B, 1: B→A).
    pub fd: Vec<i64>,
    /// Unwrapped sequence numbers, as differences within each direction.
    pub seq: Vec<i64>,
    /// Unwrapped acknowledgement numbers, as differences within each
    /// direction (a segment without ACK repeats the previous one).
    pub ack: Vec<i64>,
    pub len: Vec<i64>,
    /// Advertised windows (scaled when known), as differences within
    /// each direction.
    pub win: Vec<i64>,
    /// Bytes in flight, −1 where Wireshark gives none.
    pub flight: Vec<i64>,
    /// Sparse: payload bytes already sent before (len − goodput bytes).
    pub resent: Vec<i64>,
    /// Sparse: the analysis events, bit i for `Event::ALL[i]`.
    pub ev: Vec<i64>,
    /// Sparse: why the segment was sent again, index in `Mechanism::ALL`.
    pub again: Vec<i64>,
    /// Sparse: ACK RTT sample completed by the segment, nanoseconds.
    pub ack_rtt: Vec<i64>,
    /// Sparse: timestamp RTT sample, nanoseconds.
    pub ts_rtt: Vec<i64>,
    /// Sparse triples: (index difference, left edge − the segment's ACK,
    /// right edge − left edge) per SACK block.
    pub sack: Vec<i64>,
}

fn micros(secs: f64) -> i64 {
    (secs * 1e6).round() as i64
}

fn event_mask(events: tcplab_analysis::EventSet) -> i64 {
    Event::ALL
        .iter()
        .enumerate()
        .filter(|(_, e)| events.contains(**e))
        .fold(0, |m, (i, _)| m | 1 << i)
}

impl Columns {
    /// Every column with its name, in the page's order (`pack`).
    pub fn named(&self) -> [(&'static str, &[i64]); 14] {
        [
            ("t", &self.t),
            ("frame", &self.frame),
            ("fd", &self.fd),
            ("seq", &self.seq),
            ("ack", &self.ack),
            ("len", &self.len),
            ("win", &self.win),
            ("flight", &self.flight),
            ("resent", &self.resent),
            ("ev", &self.ev),
            ("again", &self.again),
            ("ack_rtt", &self.ack_rtt),
            ("ts_rtt", &self.ts_rtt),
            ("sack", &self.sack),
        ]
    }

    pub fn of(s: &ConnectionSeries) -> Columns {
        let n = s.segments.len();
        let mut c = Columns {
            stream: s.stream,
            n,
            base: s.base,
            unscaled: s.unscaled_window,
            ..Columns::default()
        };
        let (mut t, mut frame) = (Delta::default(), Delta::default());
        let (mut seq, mut ack, mut win) = (Delta::default(), Delta::default(), Delta::default());
        let mut sparse: [Sparse; 5] = Default::default();
        let mut sack = Sparse::default();
        let mut acks = [0i64; 2];
        let mut sacks = s.sacks.iter().peekable();
        for (i, p) in s.segments.iter().enumerate() {
            let d = p.dir.index();
            c.t.push(t.next(0, micros(p.t)));
            c.frame.push(frame.next(0, i64::from(p.frame)));
            c.fd.push(i64::from(p.flags.0 & 0xfff) | (d as i64) << 12);
            c.seq.push(seq.next(d, p.seq));
            if p.flags.ack() {
                acks[d] = p.ack;
            }
            c.ack.push(ack.next(d, acks[d]));
            c.len.push(i64::from(p.len));
            c.win.push(win.next(d, i64::from(p.window)));
            c.flight.push(p.in_flight.map_or(-1, i64::from));
            if p.new_bytes < p.len {
                sparse[0].put(i, &[i64::from(p.len - p.new_bytes)]);
            }
            if !p.events.is_empty() {
                sparse[1].put(i, &[event_mask(p.events)]);
            }
            if let Some(m) = p.sent_again {
                sparse[2].put(i, &[m.index() as i64]);
            }
            if let Some(r) = p.ack_rtt {
                sparse[3].put(i, &[(r * 1e9).round() as i64]);
            }
            if let Some(r) = p.ts_rtt {
                sparse[4].put(i, &[(f64::from(r) * 1e9).round() as i64]);
            }
            // SACK marks are pushed as their segment is, in the same order.
            while let Some(m) = sacks.next_if(|m| m.t == p.t && m.dir == p.dir) {
                sack.put(i, &[m.left - p.ack, m.right - m.left]);
            }
        }
        let [resent, ev, again, ack_rtt, ts_rtt] = sparse;
        c.resent = resent.out;
        c.ev = ev.out;
        c.again = again.out;
        c.ack_rtt = ack_rtt.out;
        c.ts_rtt = ts_rtt.out;
        c.sack = sack.out;
        c
    }
}

/// The sender kernel's `TCP_INFO` samples of one connection.
#[derive(Clone, Debug, Serialize)]
pub struct KernelColumns {
    pub stream: u32,
    /// The direction whose data the sampled socket sent (0: A→B).
    pub dir: usize,
    /// Microseconds since the connection's first packet, as differences.
    pub t: Vec<i64>,
    pub cwnd: Vec<i64>,
    /// −1 while the kernel has no threshold.
    pub ssthresh: Vec<i64>,
    /// Smoothed RTT, microseconds.
    pub srtt: Vec<i64>,
}

impl KernelColumns {
    pub fn of(stream: u32, k: &KernelSeries) -> KernelColumns {
        let mut t = Delta::default();
        KernelColumns {
            stream,
            dir: k.dir.index(),
            t: k.points.iter().map(|p| t.next(0, micros(p.t))).collect(),
            cwnd: k.points.iter().map(|p| p.cwnd_bytes as i64).collect(),
            ssthresh: k
                .points
                .iter()
                .map(|p| p.ssthresh_bytes.map_or(-1, |b| b as i64))
                .collect(),
            srtt: k.points.iter().map(|p| micros(p.srtt)).collect(),
        }
    }
}

/// Names the page needs to read the columns: event bits and mechanisms.
#[derive(Clone, Debug, Serialize)]
pub struct Names {
    /// `Event::ALL` by bit: (name, Wireshark's label).
    pub events: Vec<(&'static str, &'static str)>,
    pub mechanisms: Vec<&'static str>,
}

impl Default for Names {
    fn default() -> Names {
        Names {
            events: Event::ALL
                .iter()
                .map(|e| (e.name(), e.wireshark_label()))
                .collect(),
            mechanisms: Mechanism::ALL.iter().map(|m| m.name()).collect(),
        }
    }
}

#[cfg(test)]
#[path = "encode_tests.rs"]
mod tests;
