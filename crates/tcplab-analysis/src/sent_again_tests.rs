//! The rule and each mechanism, on one made-up sender (client port 4000,
//! ISN 1000) and its receiver (ISN 9000), 1000-byte segments.

use super::*;
use crate::synthetic::{seg, A, PA, S};
use tcplab_wire::dissect::Flags;

const F: u16 = Flags::FIN | Flags::ACK;

struct Run {
    t: Tracker,
}

impl Run {
    /// A sender that has sent its SYN and `n` segments, all at `at_ms`.
    fn new(n: u32, at_ms: i64) -> Run {
        let mut t = Tracker::default();
        assert_eq!(
            t.sent(&seg(4000, true, 0, 1000, 0, S, 0), EventSet::default()),
            None
        );
        let mut r = Run { t };
        r.ack(1, 1001, EventSet::default(), Some(1_000_000));
        for i in 0..n {
            assert_eq!(r.data(at_ms, i), None, "segment {i} is new");
        }
        r
    }

    /// Segment `i` (bytes 1001 + 1000·i …) sent at `at_ms`.
    fn data(&mut self, at_ms: i64, i: u32) -> Option<Mechanism> {
        let s = seg(4000, true, at_ms, 1001 + 1000 * i, 9001, PA, 1000);
        self.t.sent(&s, EventSet::default())
    }

    fn ack(&mut self, at_ms: i64, ack: u32, events: EventSet, rtt_ns: Option<i64>) {
        let s = seg(4000, false, at_ms, 9001, ack, A, 0);
        self.t.acknowledged(&s, events, rtt_ns);
    }

    fn dup_ack(&mut self, at_ms: i64, ack: u32) {
        let mut e = EventSet::default();
        e.insert(Event::DuplicateAck);
        self.ack(at_ms, ack, e, None);
    }
}

#[test]
fn new_data_is_not_sent_again_and_a_resend_after_duplicate_acks_is_fast_recovery() {
    let mut r = Run::new(6, 10);
    r.ack(50, 2001, EventSet::default(), Some(40_000_000));
    r.dup_ack(51, 2001);
    r.dup_ack(52, 2001);
    assert_eq!(r.data(53, 1), Some(Mechanism::FastRecovery));
    // A partial ACK: still in the same recovery, without a new signal.
    r.ack(60, 3001, EventSet::default(), None);
    assert_eq!(r.data(61, 2), Some(Mechanism::FastRecovery));
    // Everything sent when it began is acknowledged: the recovery is over.
    r.ack(90, 7001, EventSet::default(), None);
    assert_eq!(r.data(91, 6), None);
    let c = r.t.counts();
    assert_eq!(
        (c.segments, c.bytes, c.fast_recovery, c.total()),
        (2, 2000, 2, 2)
    );
}

#[test]
fn a_sack_block_above_the_acknowledgement_is_a_loss_signal() {
    let mut r = Run::new(4, 10);
    let mut s = seg(4000, false, 50, 9001, 1001, A, 0);
    s.options.sack = sack(2001, 3001);
    r.t.acknowledged(&s, EventSet::default(), None);
    assert_eq!(r.data(51, 0), Some(Mechanism::FastRecovery));
}

/// One SACK block, as the option's bytes carry it.
fn sack(left: u32, right: u32) -> tcplab_wire::dissect::SackBlocks {
    let mut bytes = vec![5, 10];
    bytes.extend(left.to_be_bytes());
    bytes.extend(right.to_be_bytes());
    tcplab_wire::dissect::TcpOptions::parse(&bytes).sack
}

#[test]
fn a_resend_after_a_silence_of_the_rto_is_a_timeout_and_what_follows_belongs_to_it() {
    let mut r = Run::new(4, 10);
    assert_eq!(r.data(400, 0), Some(Mechanism::Timeout));
    r.ack(450, 2001, EventSet::default(), None);
    assert_eq!(r.data(451, 1), Some(Mechanism::Timeout));
    assert_eq!(r.t.counts().timeout, 2);
}

#[test]
fn resending_the_highest_segment_without_a_signal_is_a_tail_loss_probe() {
    let mut r = Run::new(3, 10);
    r.ack(50, 2001, EventSet::default(), Some(40_000_000));
    assert_eq!(r.data(130, 2), Some(Mechanism::TailLossProbe));
    // Not the highest, no signal, no silence: nothing explains it.
    assert_eq!(r.data(131, 1), Some(Mechanism::Unexplained));
}

#[test]
fn a_resend_of_acknowledged_data_is_spurious_and_counts_only_the_bytes_sent_before() {
    let mut r = Run::new(3, 10);
    r.ack(50, 3001, EventSet::default(), None);
    assert_eq!(r.data(51, 0), Some(Mechanism::Spurious));
    // Half old, half new: 500 bytes sent again.
    let s = seg(4000, true, 52, 3501, 9001, PA, 1000);
    assert_eq!(
        r.t.sent(&s, EventSet::default()),
        Some(Mechanism::TailLossProbe)
    );
    assert_eq!((r.t.counts().segments, r.t.counts().bytes), (2, 1500));
}

#[test]
fn probes_are_not_sent_again_and_a_fin_or_syn_sent_again_is_a_control_segment() {
    let mut r = Run::new(2, 10);
    let mut keep_alive = EventSet::default();
    keep_alive.insert(Event::KeepAlive);
    let probe = seg(4000, true, 20, 3000, 9001, A, 1);
    assert_eq!(r.t.sent(&probe, keep_alive), None);
    let fin = seg(4000, true, 30, 3001, 9001, F, 0);
    assert_eq!(r.t.sent(&fin, EventSet::default()), None);
    r.ack(70, 3001, EventSet::default(), None);
    let again = seg(4000, true, 300, 3001, 9001, F, 0);
    assert_eq!(
        r.t.sent(&again, EventSet::default()),
        Some(Mechanism::Timeout)
    );
    let c = r.t.counts();
    assert_eq!((c.segments, c.control_segments, c.total()), (0, 1, 1));
    let mut t = Tracker::default();
    t.sent(&seg(4000, true, 0, 1000, 0, S, 0), EventSet::default());
    let syn_again = t.sent(&seg(4000, true, 1000, 1000, 0, S, 0), EventSet::default());
    assert_eq!(syn_again, Some(Mechanism::Timeout));
}

#[test]
fn the_tracker_survives_the_spill_file() {
    let mut r = Run::new(3, 10);
    r.dup_ack(50, 1001);
    r.data(51, 0);
    let mut bytes = Vec::new();
    crate::disk::Code::put(&r.t, &mut bytes);
    let mut reader = crate::disk::Reader::new(&bytes);
    let back: Tracker = crate::disk::Code::get(&mut reader);
    assert!(reader.finish(()).is_ok());
    assert_eq!(back.counts(), r.t.counts());
    assert_eq!(back.recovery, r.t.recovery);
}
