//! Wireshark's TCP sequence analysis (`tcp_analyze_sequence_number` in
//! epan/dissectors/packet-tcp.c, 4.x), re-expressed in Rust: the same tests
//! in the same order, so that tcplab flags the same frames. Where tcplab
//! deliberately differs, `docs/differences-from-wireshark.md` says so.
//!
//! Wireshark uses 0 as "not seen yet" for `nextseq`, `lastack` and
//! `maxseqtobeacked`; we use `Option`, which differs only when one of those
//! is exactly 0 (listed in the differences document).

use super::events::{Event, EventSet};
use super::unacked::{Unacked, UnackedList};
use tcplab_wire::capture::Timestamp;
use tcplab_wire::dissect::{Flags, SackBlocks, Segment};
use tcplab_wire::Seq;

/// A retransmission within this time of the third duplicate ACK is "fast".
const FAST_RETRANSMISSION_WINDOW_NS: i64 = 20_000_000;
/// Out-of-order threshold when the handshake RTT is unknown.
const DEFAULT_OOO_THRESHOLD_NS: i64 = 3_000_000;

/// Window scaling as known for one direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WinScale {
    /// The handshake was not seen: the scaled window is unknown.
    Unknown,
    /// The handshake was seen and scaling is not in use.
    None,
    /// Shift count agreed in the handshake.
    Shift(u8),
}

impl WinScale {
    /// The window in bytes, when known. SYN segments are never scaled.
    pub fn scale(self, raw: u16, is_syn: bool) -> Option<u32> {
        match (is_syn, self) {
            (true, _) | (false, WinScale::None) => Some(u32::from(raw)),
            (false, WinScale::Shift(s)) => Some(u32::from(raw) << s),
            (false, WinScale::Unknown) => None,
        }
    }
}

/// Per-direction state (Wireshark's `tcp_flow_t` with its analysis info).
/// `repr(C)`, every field read or written by most segments first, without
/// padding between them, and the list's heap part at the very end: a
/// segment touches the fewest cache lines (the spill encoding lists the
/// fields in its own order).
#[derive(Clone, Debug)]
#[repr(C)]
pub struct FlowState {
    next_seq_frame: u64,
    next_seq_time: Timestamp,
    last_ack_time: Timestamp,
    last_non_dup_ack: u64,
    next_seq: Option<Seq>,
    max_seq_to_be_acked: Option<Seq>,
    last_ack: Option<Seq>,
    dup_ack_num: i32,
    /// Bytes covered by the SACK blocks of this direction's latest segment.
    sacked: u32,
    window: Option<u16>,
    last_events: EventSet,
    pub win_scale: WinScale,
    pub is_first_ack: bool,
    valid_bif: bool,
    unacked: UnackedList,
}

crate::disk::fixed_record!(FlowState {
    win_scale: WinScale,
    window: Option<u16>,
    is_first_ack: bool,
    next_seq: Option<Seq>,
    next_seq_frame: u64,
    next_seq_time: Timestamp,
    max_seq_to_be_acked: Option<Seq>,
    last_ack: Option<Seq>,
    last_ack_time: Timestamp,
    dup_ack_num: i32,
    last_non_dup_ack: u64,
    last_events: EventSet,
    valid_bif: bool,
    sacked: u32,
} then { unacked });
crate::disk::fixed_record!(ConnTiming { first_rtt_ns: i64 });

/// One byte: a shift count, or 0xfe (none) or 0xff (unknown).
impl crate::disk::Fixed for WinScale {
    const SIZE: usize = 1;
    #[inline]
    fn put_fixed(&self, out: &mut impl crate::disk::Sink) {
        let tag = match self {
            WinScale::Unknown => 0xff,
            WinScale::None => 0xfe,
            WinScale::Shift(n) => *n,
        };
        crate::disk::Fixed::put_fixed(&tag, out);
    }
    #[inline]
    fn get_fixed(r: &mut crate::disk::Reader) -> Self {
        match <u8 as crate::disk::Fixed>::get_fixed(r) {
            0xff => WinScale::Unknown,
            0xfe => WinScale::None,
            n => WinScale::Shift(n),
        }
    }
}

impl Default for FlowState {
    fn default() -> FlowState {
        FlowState {
            win_scale: WinScale::Unknown,
            window: None,
            is_first_ack: false,
            next_seq: None,
            next_seq_frame: 0,
            next_seq_time: Timestamp::default(),
            max_seq_to_be_acked: None,
            last_ack: None,
            last_ack_time: Timestamp::default(),
            dup_ack_num: 0,
            last_non_dup_ack: 0,
            last_events: EventSet::default(),
            unacked: UnackedList::default(),
            // Wireshark's `valid_bif` starts true: bytes in flight count from
            // the first data segment, also in a capture that starts mid-connection.
            valid_bif: true,
            sacked: 0,
        }
    }
}

impl FlowState {
    /// As `FlowState::default()`, in place: a whole-struct assignment
    /// builds the new value on the stack and copies it (`Connection::renew`,
    /// once per connection). Every field is named: one added and not here
    /// does not compile.
    #[inline]
    pub fn reset(&mut self) {
        let FlowState {
            next_seq_frame,
            next_seq_time,
            last_ack_time,
            last_non_dup_ack,
            next_seq,
            max_seq_to_be_acked,
            last_ack,
            dup_ack_num,
            sacked,
            window,
            last_events,
            win_scale,
            is_first_ack,
            valid_bif,
            unacked,
        } = self;
        *next_seq_frame = 0;
        *next_seq_time = Timestamp::default();
        *last_ack_time = Timestamp::default();
        *last_non_dup_ack = 0;
        *next_seq = None;
        *max_seq_to_be_acked = None;
        *last_ack = None;
        *dup_ack_num = 0;
        *sacked = 0;
        *window = None;
        *last_events = EventSet::default();
        *win_scale = WinScale::Unknown;
        *is_first_ack = false;
        // As in `default`: bytes in flight count from the first data segment.
        *valid_bif = true;
        unacked.reset();
    }

    /// A SYN seen again on a live connection: Wireshark restores `nextseq`
    /// to the highest contiguous sequence number (issue 17616).
    pub fn restart_for_repeated_syn(&mut self) {
        self.next_seq = self.max_seq_to_be_acked;
    }

    /// Gives back the memory of an empty unacknowledged-segment list
    /// (a finished connection); segments still unacknowledged are kept so
    /// that late packets are analysed exactly as Wireshark does.
    pub fn release_buffers(&mut self) {
        self.unacked.release();
    }

    /// The SACK blocks of this direction's latest segment, as the bytes
    /// they cover (all that bytes in flight needs of them).
    #[inline]
    pub fn set_sack(&mut self, sack: &SackBlocks) {
        if sack.is_empty() {
            self.sacked = 0;
            return;
        }
        self.sacked = sack
            .as_slice()
            .iter()
            .map(|(l, r)| r.bytes_after(*l))
            .fold(0u32, u32::wrapping_add);
    }
}

/// What the sequence analysis says about one segment.
#[derive(Clone, Copy, Debug, Default)]
pub struct SeqFindings {
    pub events: EventSet,
    /// For duplicate ACKs: which one this is (1, 2, ...) and the frame of the original ACK.
    pub dup_ack: Option<(u32, u64)>,
    /// The segment this one acknowledges, and the time since it was sent (ns).
    pub acked: Option<(u64, i64)>,
    pub bytes_in_flight: Option<u32>,
    /// For retransmissions: the frame of the original transmission and the time since (ns).
    pub rto: Option<(u64, i64)>,
}

/// Connection-wide inputs of the analysis.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConnTiming {
    /// Handshake RTT (SYN to the first pure ACK), 0 when unknown.
    pub first_rtt_ns: i64,
}

const SYN_FIN_RST: u16 = Flags::SYN | Flags::FIN | Flags::RST;

/// Analyses `seg`, sent by the direction whose state is `fwd`, into `v`
/// (which comes in empty: the caller's own findings, written in place).
/// Inlined into its one caller, `Connection::push`: the call's prologue
/// and epilogue cost about 20 instructions a packet.
#[inline]
pub fn analyze(
    fwd: &mut FlowState,
    rev: &mut FlowState,
    timing: ConnTiming,
    seg: &Segment,
    v: &mut SeqFindings,
) {
    let (seq, ack, window, seglen, flags) = (seg.seq, seg.ack, seg.window, seg.len, seg.flags);
    let plain = !flags.has(SYN_FIN_RST);
    let ev = &mut v.events;

    if flags.ack() {
        rev.valid_bif = true;
    }
    'fwd: {
        if seglen == 1 && Some(seq) == fwd.next_seq && rev.window == Some(0) {
            ev.insert(Event::ZeroWindowProbe);
            break 'fwd;
        }
        if window == 0 && plain {
            ev.insert(Event::ZeroWindow);
        }
        if fwd.next_seq.is_some_and(|n| seq.after(n)) && !flags.rst() {
            ev.insert(Event::LostSegment);
            fwd.valid_bif = false;
        }
        if seglen <= 1 && fwd.next_seq.is_some_and(|n| seq == n - 1) && plain {
            ev.insert(Event::KeepAlive);
        }
        let same_seq_ack = Some(seq) == fwd.next_seq && Some(ack) == fwd.last_ack;
        if seglen == 0 && window != 0 && Some(window) != fwd.window && same_seq_ack && plain {
            ev.insert(Event::WindowUpdate);
        }
        if seglen > 0 && plain && window_is_full(rev, seq + seglen) {
            ev.insert(Event::WindowFull);
        }
        let repeats = seglen == 0 && Some(window) == fwd.window && same_seq_ack && plain;
        if repeats && window != 0 && rev.last_events.contains(Event::KeepAlive) {
            ev.insert(Event::KeepAliveAck);
            break 'fwd;
        }
        if repeats && window == 0 && rev.last_events.contains(Event::ZeroWindowProbe) {
            ev.insert(Event::ZeroWindowProbeAck);
            break 'fwd;
        }
        if repeats && window != 0 {
            // -1 marks "an ACKed-unseen-segment was reported": restart at 1.
            fwd.dup_ack_num = if fwd.dup_ack_num == -1 {
                1
            } else {
                fwd.dup_ack_num + 1
            };
            ev.insert(Event::DuplicateAck);
            v.dup_ack = Some((fwd.dup_ack_num.max(0) as u32, fwd.last_non_dup_ack));
        }
    }
    if Some(ack) != fwd.last_ack {
        fwd.last_non_dup_ack = seg.frame;
        fwd.dup_ack_num = 0;
    }
    check_acked_unseen(rev, ack, flags, ev);
    if seglen > 0 || flags.has(Flags::SYN | Flags::FIN) {
        classify_resend(fwd, rev, timing, seg, v);
    }
    record_sent(fwd, seg, v.events);
    v.acked = rev.unacked.take_acked(ack, seg.ts);
    v.bytes_in_flight = bytes_in_flight(fwd, rev, seg);
}

fn window_is_full(rev: &FlowState, end: Seq) -> bool {
    let (Some(last_ack), Some(win)) = (rev.last_ack, rev.window) else {
        return false;
    };
    let shift = match (rev.is_first_ack, rev.win_scale) {
        (_, WinScale::Unknown) => return false,
        (true, _) | (false, WinScale::None) => 0,
        (false, WinScale::Shift(s)) => s,
    };
    end == last_ack + (u32::from(win) << shift)
}

/// "ACKed unseen segment": the ACK covers data the capture never showed.
fn check_acked_unseen(rev: &mut FlowState, ack: Seq, flags: Flags, ev: &mut EventSet) {
    let Some(max) = rev.max_seq_to_be_acked else {
        return;
    };
    if !flags.ack() || !ack.after(max) {
        return;
    }
    match rev.next_seq {
        Some(next) if max.before(next) => {
            rev.max_seq_to_be_acked = Some(next);
            ev.insert(Event::AckLostSegment);
        }
        _ => {
            // The other side is only sending pure ACKs: report once.
            if rev.dup_ack_num == 0 {
                ev.insert(Event::AckLostSegment);
            }
            rev.dup_ack_num = -1;
        }
    }
}

/// Retransmission, fast retransmission, spurious retransmission or out-of-order.
/// Inline: what decides that a segment is none of them (new data, the
/// usual case); the rest out of line.
#[inline]
fn classify_resend(
    fwd: &FlowState,
    rev: &FlowState,
    timing: ConnTiming,
    seg: &Segment,
    v: &mut SeqFindings,
) {
    let (seq, seglen) = (seg.seq, seg.len);
    if v.events.contains(Event::KeepAlive) {
        return;
    }
    let mut not_advanced = fwd.next_seq.is_some_and(|n| seq.before(n));
    // One byte less than expected with real new data: after a zero-window probe.
    if seglen > 1 && fwd.next_seq.is_some_and(|n| n - 1 == seq) {
        not_advanced = false;
    }
    if seglen > 0 && rev.last_ack.is_some_and(|a| (seq + seglen).before_or_eq(a)) {
        v.events.insert(Event::SpuriousRetransmission);
        return;
    }
    // Every label below needs a segment that does not advance.
    if not_advanced {
        classify_not_advanced(fwd, rev, timing, seg, v);
    }
}

/// A segment that starts below the highest sequence number sent:
/// fast retransmission, out of order or retransmission.
#[cold]
#[inline(never)]
fn classify_not_advanced(
    fwd: &FlowState,
    rev: &FlowState,
    timing: ConnTiming,
    seg: &Segment,
    v: &mut SeqFindings,
) {
    let (seq, seglen) = (seg.seq, seg.len);
    // Wireshark computes this delta unsigned: a negative one never counts as "soon".
    let since_ack = seg.ts.nanos_since(rev.last_ack_time);
    if rev.dup_ack_num >= 2
        && rev.last_ack == Some(seq)
        && (0..FAST_RETRANSMISSION_WINDOW_NS).contains(&since_ack)
    {
        v.events.insert(Event::FastRetransmission);
        return;
    }
    let since_highest = seg.ts.nanos_since(fwd.next_seq_time);
    let threshold = if timing.first_rtt_ns == 0 {
        DEFAULT_OOO_THRESHOLD_NS
    } else {
        timing.first_rtt_ns
    };
    if (0..threshold).contains(&since_highest) {
        let syn_fin = u32::from(seg.flags.has(Flags::SYN | Flags::FIN));
        // A segment that ends exactly at the highest sequence number is sent
        // again, however soon: a SYN repeated 0.1 ms later, the same data
        // twice, its tail, or data a pure ACK had already skipped past
        // (tshark 4.0 on tests/data/syn-repeated-fast.pcap; `syn_tests.rs`).
        // Only one that ends below it is out of order.
        if fwd.next_seq != Some(seq + seglen + syn_fin) {
            v.events.insert(Event::OutOfOrder);
            return;
        }
    }
    v.events.insert(Event::Retransmission);
    let mut rto = (fwd.next_seq_frame, seg.ts.nanos_since(fwd.next_seq_time));
    if let Some(orig) = fwd.unacked.first_from(seq) {
        rto = (orig.frame, seg.ts.nanos_since(orig.ts));
    }
    v.rto = Some(rto);
}

/// Updates the sender's view after the segment: unacked list, highest
/// sequence number, last ACK and window.
#[inline]
fn record_sent(fwd: &mut FlowState, seg: &Segment, events: EventSet) {
    let (seq, seglen, flags) = (seg.seq, seg.len, seg.flags);
    let syn_fin = u32::from(flags.has(Flags::SYN | Flags::FIN));
    let mut next = seq + seglen;
    if (seglen > 0 || syn_fin == 1) && !fwd.unacked.is_full() {
        next = next + syn_fin;
        fwd.unacked.push(Unacked {
            frame: seg.frame,
            seq,
            next_seq: next,
            ts: seg.ts,
        });
    }
    let probe = events.contains(Event::ZeroWindowProbe);
    if fwd.next_seq.is_none_or(|n| next.after(n)) && !probe {
        fwd.next_seq = Some(next);
        fwd.next_seq_frame = seg.frame;
        fwd.next_seq_time = seg.ts;
    }
    if fwd.max_seq_to_be_acked.is_none_or(|m| m == seq) && !probe {
        fwd.max_seq_to_be_acked = fwd.next_seq;
    }
    fwd.window = Some(seg.window);
    fwd.last_ack = Some(seg.ack);
    fwd.last_ack_time = seg.ts;
    fwd.last_events = events;
}

/// Bytes sent and not yet acknowledged after this data segment, less what
/// the receiver reported as SACKed (Wireshark's default, payload-based method).
/// Inline: a call cost about 17 instructions a packet, most of them for a
/// segment without data, which needs one comparison.
#[inline]
fn bytes_in_flight(fwd: &FlowState, rev: &FlowState, seg: &Segment) -> Option<u32> {
    if seg.len == 0 || !fwd.valid_bif {
        return None;
    }
    let (low, high) = fwd.unacked.span()?;
    let in_flight = (high - low).wrapping_sub(rev.sacked);
    if in_flight == 0 || in_flight >= 2_000_000_000 {
        return None;
    }
    Some(in_flight - u32::from(seg.flags.has(Flags::SYN | Flags::FIN)))
}
