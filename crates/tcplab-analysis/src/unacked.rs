//! The segments one side sent that the other has not acknowledged yet
//! (Wireshark's `tcp_unacked_t` list), for ACK RTT, bytes in flight and the
//! original of a retransmission.
//!
//! Wireshark walks the whole list on every segment. Most of the time the
//! list is in sequence order without overlaps (no retransmission in it):
//! then what an ACK covers is a prefix, and the span is front to back, so
//! both are O(1) amortised. A list that is not in order (a retransmission
//! or reordering) is walked whole by each acknowledgement, exactly as
//! Wireshark does, until it empties again; that walk also finds the span,
//! which each push then extends, so a data segment does not walk it again.
//! The results are the same either way.

use crate::disk::{Code, Fixed, Reader};
use crate::small_deque::SmallDeque;
use tcplab_wire::capture::Timestamp;
use tcplab_wire::Seq;

/// Wireshark keeps at most this many unacknowledged segments per direction.
const MAX_UNACKED: usize = 10_000;
/// Entries kept inside the connection state before the list moves to the
/// heap: a short connection has one or two segments in flight at a time.
const INLINE_UNACKED: usize = 4;

#[derive(Clone, Copy, Debug, Default)]
pub struct Unacked {
    pub frame: u64,
    pub seq: Seq,
    pub next_seq: Seq,
    pub ts: Timestamp,
}

/// `repr(C)`: the flag and the span before the list, whose heap part
/// comes last.
#[derive(Clone, Debug)]
#[repr(C)]
pub struct UnackedList {
    /// Each entry starts at or after the end of the one before it.
    in_order: bool,
    /// While not in order: the span as a walk front to back finds it (the
    /// lowest `seq` and highest `next_seq`, folded from the first entry),
    /// kept by every change of the list. Not in the spill file: found
    /// again when the list is read back.
    low: Seq,
    high: Seq,
    items: SmallDeque<Unacked, INLINE_UNACKED>,
}

crate::disk::fixed_record!(Unacked {
    frame: u64,
    seq: Seq,
    next_seq: Seq,
    ts: Timestamp,
});
/// The flag, then the entries (the span follows from them).
impl Code for UnackedList {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        self.in_order.put_fixed(out);
        self.items.put(out);
    }
    fn get(r: &mut Reader) -> Self {
        let mut list = UnackedList {
            in_order: bool::get_fixed(r),
            items: Code::get(r),
            ..UnackedList::default()
        };
        if let Some(span) = list.walk() {
            (list.low, list.high) = span;
        }
        list
    }
}

impl Default for UnackedList {
    fn default() -> UnackedList {
        UnackedList {
            items: SmallDeque::default(),
            in_order: true,
            low: Seq(0),
            high: Seq(0),
        }
    }
}

impl UnackedList {
    /// As `UnackedList::default()`, in place (`Connection::renew`).
    #[inline]
    pub fn reset(&mut self) {
        let UnackedList {
            in_order,
            low,
            high,
            items,
        } = self;
        *in_order = true;
        *low = Seq(0);
        *high = Seq(0);
        items.reset();
    }

    #[inline]
    pub fn is_full(&self) -> bool {
        self.items.len() >= MAX_UNACKED
    }

    #[inline]
    pub fn push(&mut self, u: Unacked) {
        if !self.in_order {
            // The walk's fold, one entry further.
            self.low = self.low.min_seq(u.seq);
            self.high = self.high.max_seq(u.next_seq);
            self.items.push_back(u);
            return;
        }
        let disorders = self.items.back().is_some_and(|b| u.seq.before(b.next_seq));
        self.items.push_back(u);
        if disorders {
            self.in_order = false;
            self.refold();
        }
    }

    /// The list has just stopped being in order: its span from a walk.
    #[cold]
    fn refold(&mut self) {
        if let Some(span) = self.walk() {
            (self.low, self.high) = span;
        }
    }

    /// The oldest segment starting at or after `seq` (the original of a
    /// retransmission of `seq`).
    pub fn first_from(&self, seq: Seq) -> Option<&Unacked> {
        self.items.iter().find(|u| u.seq.after_or_eq(seq))
    }

    /// Removes what `ack` acknowledges; returns the segment it acknowledges
    /// exactly (the oldest such) and the time since it was sent (ns).
    #[inline]
    pub fn take_acked(&mut self, ack: Seq, now: Timestamp) -> Option<(u64, i64)> {
        // Most segments find nothing waiting on the other side (an empty
        // list is always `in_order`: nothing to take, nothing to reset).
        if self.items.is_empty() {
            return None;
        }
        // Next most often one segment waits and this acknowledges all of
        // it: what the walk below does then, without the walk.
        if let Some(u) = self.items.pop_only_if(|u| ack == u.next_seq) {
            self.in_order = true;
            return Some((u.frame, now.nanos_since(u.ts)));
        }
        self.take_acked_from(ack, now)
    }

    fn take_acked_from(&mut self, ack: Seq, now: Timestamp) -> Option<(u64, i64)> {
        let mut acked = None;
        if self.in_order {
            while let Some(u) = self.items.front_mut() {
                if ack == u.next_seq {
                    acked.get_or_insert((u.frame, now.nanos_since(u.ts)));
                } else if ack.after(u.seq) && ack.before_or_eq(u.next_seq) {
                    u.seq = ack;
                    break;
                } else if u.next_seq.after(ack) {
                    break;
                }
                self.items.pop_front();
            }
        } else {
            // The span of what stays, folded in the same walk.
            let mut span: Option<(Seq, Seq)> = None;
            self.items.retain_mut(|u| {
                let keep = if ack == u.next_seq {
                    acked.get_or_insert((u.frame, now.nanos_since(u.ts)));
                    false
                } else if ack.after(u.seq) && ack.before_or_eq(u.next_seq) {
                    u.seq = ack;
                    true
                } else {
                    u.next_seq.after(ack)
                };
                if keep {
                    span = Some(span.map_or((u.seq, u.next_seq), |(low, high)| {
                        (low.min_seq(u.seq), high.max_seq(u.next_seq))
                    }));
                }
                keep
            });
            if let Some(span) = span {
                (self.low, self.high) = span;
            }
        }
        if self.items.is_empty() {
            self.in_order = true;
        }
        acked
    }

    /// Lowest sequence number and highest end of what is unacknowledged.
    /// Inline: asked for every data segment; in order it is the two ends
    /// of the list, out of order what the changes kept.
    #[inline]
    pub fn span(&self) -> Option<(Seq, Seq)> {
        let (first, last) = (self.items.front()?, self.items.back()?);
        if self.in_order {
            return Some((first.seq, last.next_seq));
        }
        Some((self.low, self.high))
    }

    /// The span by a walk front to back, folded from the first entry
    /// (none for an empty list).
    fn walk(&self) -> Option<(Seq, Seq)> {
        let first = self.items.front()?;
        let (mut low, mut high) = (first.seq, first.next_seq);
        for u in self.items.iter() {
            low = low.min_seq(u.seq);
            high = high.max_seq(u.next_seq);
        }
        Some((low, high))
    }

    /// Gives back the memory of an empty list (a finished connection).
    pub fn release(&mut self) {
        self.items.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Wireshark's walk over the whole list, for comparison.
    fn reference(items: &mut Vec<Unacked>, ack: Seq, now: Timestamp) -> Option<(u64, i64)> {
        let mut acked = None;
        items.retain_mut(|u| {
            if ack == u.next_seq {
                acked.get_or_insert((u.frame, now.nanos_since(u.ts)));
                false
            } else if ack.after(u.seq) && ack.before_or_eq(u.next_seq) {
                u.seq = ack;
                true
            } else {
                u.next_seq.after(ack)
            }
        });
        acked
    }

    fn read_back(list: &UnackedList) -> UnackedList {
        let mut bytes = Vec::new();
        list.put(&mut bytes);
        let mut r = Reader::new(&bytes);
        let back = UnackedList::get(&mut r);
        r.finish(back).expect("decodes")
    }

    proptest! {
        /// Any mix of sends (new data, resends, overlaps) and ACKs gives the
        /// same answers as the full walk, also after a trip through the
        /// spill encoding.
        #[test]
        fn matches_the_full_walk(ops in proptest::collection::vec((any::<bool>(), 0u32..40, 1u32..6), 1..80)) {
            let mut fast = UnackedList::default();
            let mut slow: Vec<Unacked> = Vec::new();
            let base = Seq(u32::MAX - 50);
            for (i, (is_send, at, len)) in ops.into_iter().enumerate() {
                let now = Timestamp(i as i64 * 1000);
                if is_send {
                    let u = Unacked { frame: i as u64, seq: base + at * 10, next_seq: base + (at + len) * 10, ts: now };
                    fast.push(u);
                    slow.push(u);
                } else {
                    let ack = base + at * 10;
                    prop_assert_eq!(fast.take_acked(ack, now), reference(&mut slow, ack, now));
                }
                let want = slow.first().map(|f| slow.iter().fold((f.seq, f.next_seq), |(l, h), u| (l.min_seq(u.seq), h.max_seq(u.next_seq))));
                prop_assert_eq!(fast.span(), want);
                // Read back from its spill encoding, the list goes on alike.
                let back = read_back(&fast);
                prop_assert_eq!(back.span(), want);
                if i % 3 == 0 {
                    fast = back;
                }
            }
        }
    }
}
