//! The link's counters while it runs, for a live view: the pump stores
//! them after every packet it reads or delivers, and a reader loads them
//! whenever it likes. Plain atomics: no lock, and the pump never waits for
//! the reader. The final counters of a run still come from
//! [`Emulator::stop`](super::Emulator::stop); these only show the way there.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use tcplab_analysis::record::link::LinkStats;

/// One direction's counters and how many packets wait in its queue now.
#[derive(Debug, Default)]
pub struct LaneGauge {
    packets_in: AtomicU64,
    bytes_in: AtomicU64,
    lost: AtomicU64,
    queue_drops: AtomicU64,
    delivered: AtomicU64,
    bytes_delivered: AtomicU64,
    max_queue_packets: AtomicU32,
    max_queue_wait_us: AtomicU64,
    queue_now: AtomicU32,
}

/// What a reader gets: one direction's counters so far and its queue now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LaneNow {
    pub stats: LinkStats,
    /// Packets waiting in the queue (not counting the one on the wire).
    pub queue_packets: u32,
}

impl LaneGauge {
    pub(crate) fn store(&self, s: &LinkStats, queue_packets: u32) {
        let r = Ordering::Relaxed;
        self.packets_in.store(s.packets_in, r);
        self.bytes_in.store(s.bytes_in, r);
        self.lost.store(s.lost, r);
        self.queue_drops.store(s.queue_drops, r);
        self.delivered.store(s.delivered, r);
        self.bytes_delivered.store(s.bytes_delivered, r);
        self.max_queue_packets.store(s.max_queue_packets, r);
        self.max_queue_wait_us.store(s.max_queue_wait_us, r);
        self.queue_now.store(queue_packets, r);
    }

    /// The counters as last stored (each exact; together within a packet).
    pub fn load(&self) -> LaneNow {
        let r = Ordering::Relaxed;
        LaneNow {
            stats: LinkStats {
                packets_in: self.packets_in.load(r),
                bytes_in: self.bytes_in.load(r),
                lost: self.lost.load(r),
                queue_drops: self.queue_drops.load(r),
                delivered: self.delivered.load(r),
                bytes_delivered: self.bytes_delivered.load(r),
                max_queue_packets: self.max_queue_packets.load(r),
                max_queue_wait_us: self.max_queue_wait_us.load(r),
            },
            queue_packets: self.queue_now.load(r),
        }
    }
}

/// Both directions of the link: sender → receiver and back.
#[derive(Debug, Default)]
pub struct LinkGauges {
    pub forward: LaneGauge,
    pub backward: LaneGauge,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_stored_is_loaded() {
        let g = LinkGauges::default();
        let s = LinkStats {
            packets_in: 10,
            bytes_in: 15_000,
            lost: 1,
            queue_drops: 2,
            delivered: 7,
            bytes_delivered: 10_500,
            max_queue_packets: 5,
            max_queue_wait_us: 6_000,
        };
        g.forward.store(&s, 3);
        assert_eq!(
            g.forward.load(),
            LaneNow {
                stats: s,
                queue_packets: 3
            }
        );
        assert_eq!(g.backward.load(), LaneNow::default());
    }
}
