//! RTT from the TCP timestamps option (RFC 7323 §4): a segment echoing a
//! TSval (in its TSecr) measures the time since that TSval was first sent.
//! Each TSval gives at most one sample (its first echo), so delayed and
//! duplicate ACKs do not inflate the count.

use crate::small_deque::SmallDeque;
use tcplab_wire::capture::Timestamp;

/// TSvals waiting for their echo; bounded so memory stays per connection.
const MAX_PENDING: usize = 4096;
/// TSvals kept inside the connection state before the list moves to the
/// heap (a short exchange has one or two waiting at a time).
const INLINE_PENDING: usize = 4;

#[derive(Default, Debug)]
pub struct TsRtt {
    pending: SmallDeque<(u32, Timestamp), INLINE_PENDING>,
}

crate::disk::record!(TsRtt { pending });

impl TsRtt {
    /// As `TsRtt::default()`, in place (`Connection::renew`).
    #[inline]
    pub fn reset(&mut self) {
        self.pending.reset();
    }

    /// This side sent `tsval` at `now`.
    #[inline]
    pub fn sent(&mut self, tsval: u32, now: Timestamp) {
        if self.pending.back().is_some_and(|(v, _)| *v == tsval) {
            return;
        }
        // Only a list on the heap can be that long.
        if self.pending.on_heap() && self.pending.len() == MAX_PENDING {
            self.pending.pop_front();
        }
        self.pending.push_back((tsval, now));
    }

    /// Frees the pending list of a finished connection.
    pub fn release_buffers(&mut self) {
        self.pending.clear();
        self.pending.release();
    }

    /// The other side echoed `tsecr` at `now`: the RTT sample in ns, if this
    /// is the first echo of a TSval this side sent. Inline: one call a
    /// packet, and its prologue cost a third of it.
    #[inline]
    pub fn echoed(&mut self, tsecr: u32, now: Timestamp) -> Option<i64> {
        // Most often the one TSval waiting is the one echoed: what the
        // walk below does then, without the walk.
        if let Some((_, at)) = self.pending.pop_only_if(|&(v, _)| v == tsecr) {
            return Some(now.nanos_since(at));
        }
        let mut sample = None;
        while let Some(&(v, at)) = self.pending.front() {
            // Serial-number order on the 32-bit timestamp clock.
            if (tsecr.wrapping_sub(v) as i32) < 0 {
                break;
            }
            self.pending.pop_front();
            if v == tsecr {
                sample = Some(now.nanos_since(at));
            }
        }
        sample
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sample_per_tsval() {
        let mut t = TsRtt::default();
        t.sent(100, Timestamp(1_000));
        t.sent(100, Timestamp(2_000));
        t.sent(101, Timestamp(3_000));
        assert_eq!(t.echoed(100, Timestamp(5_000)), Some(4_000));
        assert_eq!(t.echoed(100, Timestamp(6_000)), None);
        assert_eq!(t.echoed(101, Timestamp(9_000)), Some(6_000));
    }

    #[test]
    fn echoes_across_the_wrap_of_the_timestamp_clock() {
        let mut t = TsRtt::default();
        t.sent(u32::MAX - 1, Timestamp(1_000));
        t.sent(u32::MAX, Timestamp(2_000));
        t.sent(1, Timestamp(3_000));
        // An echo of the newest drops the older ones, which give no sample.
        assert_eq!(t.echoed(1, Timestamp(4_000)), Some(1_000));
        assert_eq!(t.echoed(u32::MAX, Timestamp(5_000)), None);
        // The one waiting, echoed: the short way; an older echo leaves it.
        t.sent(7, Timestamp(6_000));
        assert_eq!(t.echoed(6, Timestamp(7_000)), None);
        assert_eq!(t.echoed(7, Timestamp(8_000)), Some(2_000));
        assert_eq!(t.echoed(7, Timestamp(9_000)), None);
    }

    #[test]
    fn keeps_at_most_max_pending() {
        let mut t = TsRtt::default();
        for v in 0..MAX_PENDING as u32 + 10 {
            t.sent(v, Timestamp(i64::from(v)));
        }
        assert_eq!(t.pending.len(), MAX_PENDING);
        assert_eq!(t.pending.front().map(|&(v, _)| v), Some(10));
    }
}
