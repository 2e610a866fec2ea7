//! The facts the report's answers cite, gathered segment by segment while
//! the analysis streams: segments sent again (the analysis's one rule,
//! `tcplab_analysis::SentAgain`, with Wireshark's labels beside it),
//! zero-window periods, window updates and probes, bytes in flight per
//! round trip (slow start).
//!
//! In: `SegmentReport`s of the reported stream, in capture order. Out: one
//! `Side` per direction, each about the data that direction sent. Memory is
//! bounded: lists keep their first `KEEP` entries and count the rest.

use tcplab_analysis::flow::Direction;
use tcplab_analysis::{Event, EventSet, Mechanism, SegmentReport};
use tcplab_wire::capture::Timestamp;
use tcplab_wire::Seq;

/// Entries kept per list (frames cited in the report); the rest are counted.
pub const KEEP: usize = 60;
/// Wireshark's labels of a segment sent again, as the report cites them.
pub const WIRESHARK_LABELS: [Event; 4] = [
    Event::Retransmission,
    Event::FastRetransmission,
    Event::SpuriousRetransmission,
    Event::OutOfOrder,
];

/// A data segment sent again.
#[derive(Clone, Copy, Debug)]
pub struct Retrans {
    pub frame: u64,
    pub t: f64,
    pub kind: Mechanism,
    /// Wireshark's own analysis events of the segment.
    pub labels: EventSet,
    /// The original segment and the seconds since it (Wireshark gives it
    /// for what it labels a retransmission).
    pub original: Option<(u64, f64)>,
    /// Seconds since this side last sent data, a SYN or a FIN.
    pub silence: Option<f64>,
}

/// One round trip of the data sender: from a data segment until the ACK
/// that covers everything sent when the round began. At a capture taken at
/// the data's receiver (`Side::receiver_view`), the round goes on for
/// three quarters of the path's RTT after that ACK (the data the sender
/// sent before the ACK reached it is still arriving), and its flight is
/// the payload that arrived in it: what the sender had in flight.
#[derive(Clone, Copy, Debug)]
pub struct Round {
    pub first_frame: u64,
    pub t: f64,
    pub segments: u32,
    /// The largest bytes in flight of its segments (Wireshark's), or at
    /// the receiver the bytes that arrived in it.
    pub max_in_flight: u32,
    /// A loss or retransmission happened in this round.
    pub loss: bool,
}

#[derive(Clone, Copy, Debug)]
pub struct ZeroPeriod {
    pub first_frame: u64,
    pub t: f64,
    /// Frame that reopened the window and the period's length (s).
    pub end: Option<(u64, f64)>,
}

/// A list that keeps its first `KEEP` items and counts all of them.
#[derive(Clone, Debug)]
pub struct Capped<T> {
    pub items: Vec<T>,
    pub count: u64,
}

impl<T> Default for Capped<T> {
    fn default() -> Capped<T> {
        Capped {
            items: Vec::new(),
            count: 0,
        }
    }
}

impl<T> Capped<T> {
    fn push(&mut self, x: T) {
        self.count += 1;
        if self.items.len() < KEEP {
            self.items.push(x);
        }
    }
}

/// What one direction's data went through.
#[derive(Clone, Debug, Default)]
pub struct Side {
    pub data_segments: u64,
    pub first_data: Option<(u64, f64)>,
    pub last_data: Option<(u64, f64)>,
    pub largest_segment: u32,
    /// Data segments sent again.
    pub retrans: Capped<Retrans>,
    /// Of them, how many Wireshark labels with each of `WIRESHARK_LABELS`,
    /// and how many it does not label at all.
    pub wireshark_labels: [u64; 5],
    /// The last data segment sent again: frame and time.
    pub last_retrans: Option<(u64, f64)>,
    /// When this side last sent data, a SYN or a FIN.
    last_sent: Option<f64>,
    pub lost_segments: Capped<u64>,
    /// Duplicate ACKs the receiver sent about this data.
    pub dup_acks: Capped<u64>,
    pub window_full: Capped<u64>,
    pub zero_windows: Capped<u64>,
    pub window_updates: Capped<u64>,
    /// Probes of a zero window: Wireshark's zero_window_probe, or a
    /// keep-alive sent while the window was zero (how Linux probes).
    pub probes: Capped<u64>,
    pub zero_periods: Capped<ZeroPeriod>,
    pub zero_total_s: f64,
    pub rounds: Vec<Round>,
    pub round_count: u64,
    /// The capture sees this data at its receiver (`capture_point`); the
    /// path's RTT as the handshake measured it from there.
    pub receiver_view: Option<f64>,
    /// At the receiver: the current round trip goes on until then.
    round_open_until: Option<f64>,
    pub max_in_flight: u32,
    pub max_in_flight_frame: u64,
    /// The receiver's largest advertised window (bytes, scaled when known).
    pub max_window: u32,
    pub window_at_max_flight: Option<u32>,
    /// The largest ACK RTT sample for this data: (ACK frame, time, seconds).
    pub max_rtt: Option<(u64, f64, f64)>,
    last_window: Option<u32>,
    round_target: Option<Seq>,
    highest_next: Option<Seq>,
    /// When the current zero-window period began.
    zero_since: Option<f64>,
}

/// Evidence for one stream.
#[derive(Clone, Debug)]
pub struct Evidence {
    pub stream: u32,
    pub sides: [Side; 2],
    start: Option<Timestamp>,
    /// The handshake as it streams by: the client's direction, and when
    /// the SYN, the SYN/ACK and the client's first ACK were seen.
    handshake: Handshake,
}

#[derive(Clone, Copy, Debug, Default)]
struct Handshake {
    client: Option<Direction>,
    syn: Option<f64>,
    syn_ack: Option<f64>,
    done: bool,
}

impl Evidence {
    pub fn new(stream: u32) -> Evidence {
        Evidence {
            stream,
            sides: Default::default(),
            start: None,
            handshake: Handshake::default(),
        }
    }

    pub fn side(&self, d: Direction) -> &Side {
        &self.sides[d.index()]
    }

    pub fn push(&mut self, r: &SegmentReport) {
        if r.stream != self.stream {
            return;
        }
        let start = *self.start.get_or_insert(r.ts);
        let t = r.ts.secs_since(start);
        self.handshake(r, t);
        let (d, rv) = (r.dir.index(), r.dir.reverse().index());
        self.sides[d].sent(r, t);
        self.sides[rv].returned(r, t);
    }
}

impl Evidence {
    /// Follows the handshake; at its ACK, decides from its two halves
    /// whether the capture sees either side's data at its receiver.
    fn handshake(&mut self, r: &SegmentReport, t: f64) {
        let h = &mut self.handshake;
        if h.done {
            return;
        }
        let f = r.flags;
        if f.syn() && !f.ack() && h.syn.is_none() {
            h.syn = Some(t);
            h.client = Some(r.dir);
        } else if f.syn() && f.ack() && h.syn_ack.is_none() && h.client == Some(r.dir.reverse()) {
            h.syn_ack = Some(t);
        } else if !f.syn() && f.ack() && h.client == Some(r.dir) {
            h.done = true;
            let (Some(syn), Some(syn_ack), Some(client)) = (h.syn, h.syn_ack, h.client) else {
                return;
            };
            let point = super::capture_point::Point::of(syn_ack - syn, t - syn_ack);
            for d in [client, client.reverse()] {
                if point.at_receiver(d == client) {
                    self.sides[d.index()].receiver_view = Some(t - syn);
                }
            }
        }
    }
}

impl Side {
    /// The largest bytes in flight the answers cite, one figure for all of
    /// them: at the sender (or next to it) Wireshark's count per segment,
    /// which is also the largest of the round trips'; at the receiver the
    /// most that arrived in one round trip (Wireshark's count there is
    /// only what the receiver had not yet acknowledged).
    pub fn flight_max(&self) -> u32 {
        match self.receiver_view {
            Some(_) => self
                .rounds
                .iter()
                .map(|r| r.max_in_flight)
                .max()
                .unwrap_or(0),
            None => self.max_in_flight,
        }
    }

    /// A segment this side sent (its data, probes, retransmissions).
    fn sent(&mut self, r: &SegmentReport, t: f64) {
        let ev = r.events;
        let again = r.sent_again.filter(|_| r.len > 0);
        if let Some(kind) = again {
            let label = WIRESHARK_LABELS.iter().position(|e| ev.contains(*e));
            self.wireshark_labels[label.unwrap_or(WIRESHARK_LABELS.len())] += 1;
            self.last_retrans = Some((r.frame, t));
            self.retrans.push(Retrans {
                frame: r.frame,
                t,
                kind,
                labels: ev,
                original: r.rto.map(|(f, ns)| (f, ns as f64 / 1e9)),
                silence: self.last_sent.map(|s| t - s),
            });
        }
        if r.len > 0 || r.flags.syn() || r.flags.fin() {
            self.last_sent = Some(t);
        }
        if ev.contains(Event::LostSegment) {
            self.lost_segments.push(r.frame);
        }
        if ev.contains(Event::WindowFull) {
            self.window_full.push(r.frame);
        }
        let probe = ev.contains(Event::ZeroWindowProbe)
            || (self.zero_since.is_some() && ev.contains(Event::KeepAlive));
        if probe {
            self.probes.push(r.frame);
        }
        if r.len > 0 && !probe {
            self.data_segment(r, t, again.is_some() || ev.contains(Event::LostSegment));
        }
    }

    fn data_segment(&mut self, r: &SegmentReport, t: f64, loss: bool) {
        self.data_segments += 1;
        self.first_data.get_or_insert((r.frame, t));
        self.last_data = Some((r.frame, t));
        self.largest_segment = self.largest_segment.max(r.len);
        if self.highest_next.is_none_or(|h| r.next_seq.after(h)) {
            self.highest_next = Some(r.next_seq);
        }
        if self.round_target.is_none() && self.round_open_until.is_none_or(|u| t >= u) {
            self.round_open_until = None;
            self.round_target = self.highest_next;
            self.round_count += 1;
            // Every round trip is kept (32 bytes each, fewer than the
            // plotted segments): `rounds.csv` lists them all.
            self.rounds.push(Round {
                first_frame: r.frame,
                t,
                segments: 0,
                max_in_flight: 0,
                loss: false,
            });
        }
        let flight = r.bytes_in_flight.unwrap_or(r.len);
        if flight > self.max_in_flight {
            self.max_in_flight = flight;
            self.max_in_flight_frame = r.frame;
            self.window_at_max_flight = self.last_window;
        }
        let at_receiver = self.receiver_view.is_some();
        if let Some(round) = self.rounds.last_mut() {
            round.segments += 1;
            round.max_in_flight = if at_receiver {
                round.max_in_flight.saturating_add(r.len)
            } else {
                round.max_in_flight.max(flight)
            };
            round.loss |= loss;
        }
    }

    /// A segment the other side sent: ACKs and windows for this side's data.
    fn returned(&mut self, r: &SegmentReport, t: f64) {
        let ev = r.events;
        let window = r.win_scaled.unwrap_or(u32::from(r.window));
        if !r.flags.syn() {
            self.last_window = Some(window);
            self.max_window = self.max_window.max(window);
        }
        if let Some(ns) = r.ack_rtt_ns {
            let rtt = ns as f64 / 1e9;
            if self.max_rtt.is_none_or(|(_, _, m)| rtt > m) {
                self.max_rtt = Some((r.frame, t, rtt));
            }
        }
        if ev.contains(Event::DuplicateAck) {
            self.dup_acks.push(r.frame);
        }
        if ev.contains(Event::WindowUpdate) {
            self.window_updates.push(r.frame);
        }
        if ev.contains(Event::ZeroWindow) {
            self.zero_windows.push(r.frame);
            if self.zero_since.is_none() {
                self.zero_since = Some(t);
                self.zero_periods.push(ZeroPeriod {
                    first_frame: r.frame,
                    t,
                    end: None,
                });
            }
        } else if window > 0 && !r.flags.rst() {
            if let Some(since) = self.zero_since.take() {
                self.close_zero_period(r.frame, t - since);
            }
        }
        if r.flags.ack() {
            if let Some(target) = self.round_target {
                if r.ack.after_or_eq(target) {
                    self.round_target = None;
                    self.round_open_until = self.receiver_view.map(|rtt| t + 0.75 * rtt);
                }
            }
        }
    }

    fn close_zero_period(&mut self, frame: u64, len: f64) {
        self.zero_total_s += len;
        if let Some(open) = self.zero_periods.items.last_mut() {
            if open.end.is_none() {
                open.end = Some((frame, len));
            }
        }
    }
}
