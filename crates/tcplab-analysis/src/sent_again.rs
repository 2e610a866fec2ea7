//! "Sent again": one rule, applied once, that every output quotes.
//!
//! A segment is *sent again* when it carries sequence space (data, or a
//! SYN or FIN) that starts before the highest sequence number its side had
//! already sent. In a capture taken at the sender this is exactly what the
//! sender transmitted twice, whatever Wireshark calls it (retransmission,
//! fast retransmission, spurious retransmission or, for a resend less than
//! an RTT after the highest segment, out of order). In a capture taken at
//! the receiver it is what arrived behind later data: sent again unless the
//! path reorders (tcplab's emulated link never does), and a resend whose
//! first copy never arrived and that is the highest segment looks new there.
//! Zero-window probes and keep-alives are probes, not sent again.
//!
//! Each segment sent again gets the mechanism that made its sender send it,
//! judged from what the capture shows before it, in this order:
//!
//! - **timeout**: for at least 200 ms (Linux's `TCP_RTO_MIN`: no RTO is
//!   shorter) this side sent nothing and the peer acknowledged nothing new
//!   (at a receiver-side capture the ACK the sender waited for may be
//!   captured and lost afterwards: the timeout is still what resent it);
//! - **spurious**: sooner than that, and everything it carries had already
//!   been acknowledged;
//! - **tail-loss probe** (RFC 8985 §7): it resends the highest segment sent,
//!   without a duplicate ACK or SACK block before it, sooner than the RTO
//!   estimated from this side's RTT samples (RFC 6298 with Linux's 200 ms
//!   floor on the variance term);
//! - **fast recovery** (RFC 5681 §3.2, RFC 6675): the peer sent a duplicate
//!   ACK (Wireshark's `tcp.analysis.duplicate_ack`) or a SACK block above its
//!   acknowledgement since it last acknowledged new data;
//! - **unexplained**: none of these was visible (its trigger was not captured).
//!
//! A timeout or fast recovery opens a recovery that lasts until the peer
//! acknowledges everything sent when it began: the segments sent again
//! meanwhile belong to it. Not here: Wireshark's labels (`sequence.rs`),
//! which stay as they are in the per-segment output; what is shown of all
//! this (the render crate).

use crate::disk::{fixed_record, get_sparse, put_sparse, Code, Fixed, Reader, Sink};
use crate::events::{Event, EventSet};
use serde::Serialize;
use tcplab_wire::capture::Timestamp;
use tcplab_wire::dissect::Segment;
use tcplab_wire::Seq;

/// Linux never retransmits on a timeout sooner than this (`TCP_RTO_MIN`).
pub const RTO_MIN_NS: i64 = 200_000_000;
/// RFC 6298 §2.1: the RTO before any RTT sample.
const RTO_INITIAL_NS: i64 = 1_000_000_000;

/// Why a segment was sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mechanism {
    FastRecovery,
    Timeout,
    TailLossProbe,
    Spurious,
    Unexplained,
}

impl Mechanism {
    pub const ALL: [Mechanism; 5] = [
        Mechanism::FastRecovery,
        Mechanism::Timeout,
        Mechanism::TailLossProbe,
        Mechanism::Spurious,
        Mechanism::Unexplained,
    ];

    /// Position in `Mechanism::ALL` (and in tables indexed like it).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The name in JSON, CSV and text output.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::FastRecovery => "fast_recovery",
            Mechanism::Timeout => "timeout",
            Mechanism::TailLossProbe => "tail_loss_probe",
            Mechanism::Spurious => "spurious",
            Mechanism::Unexplained => "unexplained",
        }
    }

    fn from_index(i: u8) -> Mechanism {
        Mechanism::ALL
            .get(usize::from(i))
            .copied()
            .unwrap_or(Mechanism::Unexplained)
    }
}

impl std::fmt::Display for Mechanism {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What one direction sent again (docs/analyze-json.md, `sent_again`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SentAgain {
    /// Data segments sent again.
    pub segments: u64,
    /// Their bytes that had been sent before.
    pub bytes: u64,
    /// SYN or FIN segments without data sent again.
    pub control_segments: u64,
    /// Both kinds, by mechanism.
    pub fast_recovery: u64,
    pub timeout: u64,
    pub tail_loss_probe: u64,
    pub spurious: u64,
    pub unexplained: u64,
}

impl SentAgain {
    /// Every segment sent again, data or not (what `TCP_INFO`'s
    /// `total_retrans` counts).
    pub fn total(&self) -> u64 {
        self.segments + self.control_segments
    }

    /// Adds `other`'s counts to these (a capture's total over its
    /// connections and directions).
    pub fn add(&mut self, other: &SentAgain) {
        self.segments += other.segments;
        self.bytes += other.bytes;
        self.control_segments += other.control_segments;
        self.fast_recovery += other.fast_recovery;
        self.timeout += other.timeout;
        self.tail_loss_probe += other.tail_loss_probe;
        self.spurious += other.spurious;
        self.unexplained += other.unexplained;
    }

    pub fn by(&self, m: Mechanism) -> u64 {
        match m {
            Mechanism::FastRecovery => self.fast_recovery,
            Mechanism::Timeout => self.timeout,
            Mechanism::TailLossProbe => self.tail_loss_probe,
            Mechanism::Spurious => self.spurious,
            Mechanism::Unexplained => self.unexplained,
        }
    }

    fn count(&mut self, m: Mechanism) {
        *match m {
            Mechanism::FastRecovery => &mut self.fast_recovery,
            Mechanism::Timeout => &mut self.timeout,
            Mechanism::TailLossProbe => &mut self.tail_loss_probe,
            Mechanism::Spurious => &mut self.spurious,
            Mechanism::Unexplained => &mut self.unexplained,
        } += 1;
    }
}

/// One direction's sending, as the rule needs it: what it sent and what
/// its peer acknowledged.
/// `repr(C)`: what every segment reads or writes first, the counts (read
/// at the end, written for a segment sent again) last.
#[derive(Clone, Debug, Default)]
#[repr(C)]
pub(crate) struct Tracker {
    /// This side's latest segment carrying sequence space.
    last_sent: Option<Timestamp>,
    /// The peer's highest acknowledgement, and when it last moved.
    una_since: Option<Timestamp>,
    /// RFC 6298 smoothed RTT and its variation, ns (0: no sample yet).
    srtt_ns: i64,
    rttvar_ns: i64,
    /// Just after the highest sequence number sent.
    highest: Option<Seq>,
    una: Option<Seq>,
    /// The open recovery: its end (the highest sent when it began) and its
    /// mechanism's index.
    recovery: Option<(Seq, u8)>,
    /// A duplicate ACK or SACK block since `una` last moved.
    loss_signal: bool,
    counts: SentAgain,
}

/// The eight counts in a row.
impl Fixed for SentAgain {
    const SIZE: usize = 8 * u64::SIZE;

    #[inline]
    fn put_fixed(&self, out: &mut impl Sink) {
        let s = self;
        [
            s.segments,
            s.bytes,
            s.control_segments,
            s.fast_recovery,
            s.timeout,
            s.tail_loss_probe,
            s.spurious,
            s.unexplained,
        ]
        .put_fixed(out);
    }

    #[inline]
    fn get_fixed(r: &mut Reader) -> Self {
        let [segments, bytes, control_segments, fast_recovery, timeout, tail_loss_probe, spurious, unexplained] =
            <[u64; 8]>::get_fixed(r);
        SentAgain {
            segments,
            bytes,
            control_segments,
            fast_recovery,
            timeout,
            tail_loss_probe,
            spurious,
            unexplained,
        }
    }
}

/// Nothing was sent again in most connections: then one byte.
impl Code for SentAgain {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        put_sparse::<_, { SentAgain::SIZE }>(self, out);
    }
    #[inline]
    fn get(r: &mut Reader) -> Self {
        get_sparse::<_, { SentAgain::SIZE }>(r)
    }
}

fixed_record!(Tracker {
    highest: Option<Seq>,
    last_sent: Option<Timestamp>,
    una: Option<Seq>,
    una_since: Option<Timestamp>,
    loss_signal: bool,
    recovery: Option<(Seq, u8)>,
    srtt_ns: i64,
    rttvar_ns: i64,
} then { counts });

impl Tracker {
    pub fn counts(&self) -> SentAgain {
        self.counts
    }

    /// A segment this side sent, with its Wireshark events: whether it was
    /// sent again, and why.
    #[inline]
    pub fn sent(&mut self, seg: &Segment, events: EventSet) -> Option<Mechanism> {
        let flags = seg.flags;
        let space = seg.len + u32::from(flags.syn()) + u32::from(flags.fin());
        if space == 0 || flags.rst() || is_probe(events) {
            return None;
        }
        let (start, end) = (seg.seq, seg.seq + space);
        let mechanism = match self.highest {
            Some(highest) if start.before(highest) => {
                let m = self.classify(seg.ts, end, highest);
                self.counts.count(m);
                if seg.len > 0 {
                    let data_start = start + u32::from(flags.syn());
                    self.counts.segments += 1;
                    self.counts.bytes += u64::from(highest.bytes_after(data_start).min(seg.len));
                } else {
                    self.counts.control_segments += 1;
                }
                Some(m)
            }
            _ => None,
        };
        self.highest = Some(self.highest.map_or(end, |h| h.max_seq(end)));
        self.last_sent = Some(seg.ts);
        mechanism
    }

    /// A segment the peer sent: its acknowledgement, duplicate ACK, SACK
    /// blocks, and the RTT sample it gave this side's data.
    #[inline]
    pub fn acknowledged(&mut self, seg: &Segment, events: EventSet, rtt_ns: Option<i64>) {
        if let Some(ns) = rtt_ns {
            self.rtt_sample(ns);
        }
        if !seg.flags.ack() {
            return;
        }
        let ack = seg.ack;
        if self.una.is_none_or(|u| ack.after(u)) {
            self.una = Some(ack);
            self.una_since = Some(seg.ts);
            self.loss_signal = false;
            if self
                .recovery
                .is_some_and(|(until, _)| ack.after_or_eq(until))
            {
                self.recovery = None;
            }
        }
        let above = |right: Seq| self.una.is_none_or(|u| right.after(u));
        let sack = &seg.options.sack;
        let sacked = !sack.is_empty() && sack.as_slice().iter().any(|&(_, r)| above(r));
        if sacked || events.contains(Event::DuplicateAck) {
            self.loss_signal = true;
        }
    }

    #[cold]
    fn classify(&mut self, now: Timestamp, end: Seq, highest: Seq) -> Mechanism {
        let quiet_since = match (self.una_since, self.last_sent) {
            (Some(a), Some(b)) => Some(if a.nanos_since(b) > 0 { a } else { b }),
            (a, b) => a.or(b),
        };
        let quiet = quiet_since.map_or(0, |t| now.nanos_since(t));
        let resends_highest = end.after_or_eq(highest);
        if quiet >= RTO_MIN_NS {
            if resends_highest && !self.loss_signal && quiet < self.rto_ns() {
                return Mechanism::TailLossProbe;
            }
            return self.open_recovery(Mechanism::Timeout, highest);
        }
        if self.una.is_some_and(|u| end.before_or_eq(u)) {
            return Mechanism::Spurious;
        }
        if let Some((_, m)) = self.recovery {
            return Mechanism::from_index(m);
        }
        if self.loss_signal {
            return self.open_recovery(Mechanism::FastRecovery, highest);
        }
        if resends_highest {
            return Mechanism::TailLossProbe;
        }
        Mechanism::Unexplained
    }

    fn open_recovery(&mut self, m: Mechanism, highest: Seq) -> Mechanism {
        self.recovery = Some((highest, m.index() as u8));
        m
    }

    /// RFC 6298 §2 (K = 4, α = 1/8, β = 1/4).
    fn rtt_sample(&mut self, ns: i64) {
        if self.srtt_ns == 0 {
            self.srtt_ns = ns.max(1);
            self.rttvar_ns = ns / 2;
        } else {
            self.rttvar_ns += ((self.srtt_ns - ns).abs() - self.rttvar_ns) / 4;
            self.srtt_ns += (ns - self.srtt_ns) / 8;
        }
    }

    /// The RTO as Linux sets it: srtt + max(4·rttvar, 200 ms).
    fn rto_ns(&self) -> i64 {
        if self.srtt_ns == 0 {
            return RTO_INITIAL_NS;
        }
        self.srtt_ns + (4 * self.rttvar_ns).max(RTO_MIN_NS)
    }
}

fn is_probe(events: EventSet) -> bool {
    events.contains(Event::KeepAlive) || events.contains(Event::ZeroWindowProbe)
}

#[cfg(test)]
#[path = "sent_again_tests.rs"]
mod tests;
