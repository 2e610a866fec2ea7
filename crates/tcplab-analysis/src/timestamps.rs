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
    /// This side sent `tsval` at `now`.
    #[inline]
    pub fn sent(&mut self, tsval: u32, now: Timestamp) {
        if self.pending.back().is_some_and(|(v, _)| *v == tsval) {
            return;
        }
        if self.pending.len() == MAX_PENDING {
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
}
