//! One direction of the link as a pure function of time: a packet offered
//! at `now` is lost, dropped by the full queue, or delivered at a time that
//! adds its wait in the queue, its serialization at the link's rate, the
//! propagation delay and the jitter. No clocks and no I/O here, so every
//! rule is tested exactly.

use std::collections::VecDeque;
use tcplab_analysis::record::link::{LinkParams, LinkStats, QueueLimit};

/// Nanoseconds since the emulator started.
pub type Nanos = u64;

/// What the link does with a packet offered to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Lost on the link (`--loss`).
    Lost,
    /// The queue was full (drop-tail).
    QueueFull,
    /// Handed to the far end at this time.
    Deliver(Nanos),
}

pub struct Link {
    params: LinkParams,
    loss: f64,
    /// When the packet being serialized leaves the wire.
    wire_free_at: Nanos,
    /// Start-of-transmission times and sizes of accepted packets that have
    /// not started yet: the queue's content.
    waiting: VecDeque<(Nanos, u32)>,
    waiting_bytes: u64,
    last_delivery: Nanos,
    stats: LinkStats,
}

/// Draws from a packet's 64-bit key: below `p × 2⁶⁴` means "yes".
fn chance(draw: u64, p: f64) -> bool {
    if p <= 0.0 {
        return false;
    }
    if p >= 1.0 {
        return true;
    }
    (draw as f64) < p * (u64::MAX as f64)
}

impl Link {
    /// One direction of the link, losing packets with probability `loss`.
    pub fn new(params: LinkParams, loss: f64) -> Link {
        Link {
            params,
            loss,
            wire_free_at: 0,
            waiting: VecDeque::new(),
            waiting_bytes: 0,
            last_delivery: 0,
            stats: LinkStats::default(),
        }
    }

    pub fn stats(&self) -> LinkStats {
        self.stats
    }

    /// Packets waiting in the queue at `now` (not the one on the wire).
    pub fn queue_len(&self, now: Nanos) -> u32 {
        // Sorted by start time: the ones still to start are at the back.
        self.waiting
            .iter()
            .rev()
            .take_while(|&&(start, _)| start > now)
            .count() as u32
    }

    /// Decides the fate of a packet of `len` bytes offered at `now`.
    /// `loss_draw` and `jitter_draw` are the packet's two random numbers
    /// (uniform over u64), derived from its content and the seed.
    pub fn offer(&mut self, now: Nanos, len: u32, loss_draw: u64, jitter_draw: u64) -> Fate {
        self.stats.packets_in += 1;
        self.stats.bytes_in += u64::from(len);
        if chance(loss_draw, self.loss) {
            self.stats.lost += 1;
            return Fate::Lost;
        }
        while let Some(&(start, bytes)) = self.waiting.front() {
            if start > now {
                break;
            }
            self.waiting.pop_front();
            self.waiting_bytes -= u64::from(bytes);
        }
        let full = match self.params.queue {
            QueueLimit::Packets(max) => self.waiting.len() as u64 >= u64::from(max),
            QueueLimit::Bytes(max) => self.waiting_bytes + u64::from(len) > max,
        };
        let start = now.max(self.wire_free_at);
        if start > now && full {
            self.stats.queue_drops += 1;
            return Fate::QueueFull;
        }
        if start > now {
            self.waiting.push_back((start, len));
            self.waiting_bytes += u64::from(len);
            self.stats.max_queue_packets =
                self.stats.max_queue_packets.max(self.waiting.len() as u32);
            self.stats.max_queue_wait_us = self.stats.max_queue_wait_us.max((start - now) / 1000);
        }
        let sent = start + self.params.serialization(len as usize).as_nanos() as Nanos;
        self.wire_free_at = sent;
        let delay = self.params.delay.as_nanos() as i128;
        let jitter = self.params.jitter.as_nanos() as i128;
        let offset = if jitter > 0 {
            // Uniform in [-jitter, +jitter].
            (jitter_draw % (2 * jitter as u64 + 1)) as i128 - jitter
        } else {
            0
        };
        let arrive = (sent as i128 + (delay + offset).max(0)) as Nanos;
        // FIFO: jitter never reorders packets.
        let at = arrive.max(self.last_delivery);
        self.last_delivery = at;
        self.stats.delivered += 1;
        self.stats.bytes_delivered += u64::from(len);
        Fate::Deliver(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const MS: Nanos = 1_000_000;

    fn params() -> LinkParams {
        LinkParams::default()
    }

    #[test]
    fn delay_only() {
        let mut l = Link::new(
            LinkParams {
                delay: Duration::from_millis(20),
                ..params()
            },
            0.0,
        );
        assert_eq!(l.offer(5 * MS, 1500, 0, 0), Fate::Deliver(25 * MS));
        assert_eq!(l.offer(5 * MS, 1500, 0, 0), Fate::Deliver(25 * MS));
    }

    #[test]
    fn rate_spaces_packets_by_their_serialization() {
        let mut l = Link::new(
            LinkParams {
                rate_bps: Some(10_000_000),
                ..params()
            },
            0.0,
        );
        // 1500 bytes at 10 Mbit/s: 1.2 ms each; a burst of three leaves back to back.
        let at: Vec<_> = (0..3).map(|_| l.offer(0, 1500, 0, 0)).collect();
        assert_eq!(
            at,
            [
                Fate::Deliver(1_200_000),
                Fate::Deliver(2_400_000),
                Fate::Deliver(3_600_000)
            ]
        );
        // After an idle gap, the wire is free again.
        assert_eq!(l.offer(10 * MS, 1500, 0, 0), Fate::Deliver(11_200_000));
        assert_eq!(l.stats().max_queue_packets, 2);
        assert_eq!(l.queue_len(10 * MS), 0, "the burst has left");
    }

    #[test]
    fn drop_tail_counts_only_waiting_packets() {
        let mut l = Link::new(
            LinkParams {
                rate_bps: Some(8_000_000), // 1 byte per µs: 1000 bytes = 1 ms
                queue: QueueLimit::Packets(2),
                ..params()
            },
            0.0,
        );
        assert!(matches!(l.offer(0, 1000, 0, 0), Fate::Deliver(_))); // on the wire
        assert!(matches!(l.offer(0, 1000, 0, 0), Fate::Deliver(_))); // waits
        assert!(matches!(l.offer(0, 1000, 0, 0), Fate::Deliver(_))); // waits
        assert_eq!(l.queue_len(0), 2);
        assert_eq!(l.offer(0, 1000, 0, 0), Fate::QueueFull);
        // At 1 ms the first waiting packet starts: room for one more.
        assert_eq!(l.offer(MS, 1000, 0, 0), Fate::Deliver(4 * MS));
        assert_eq!(l.offer(MS, 1000, 0, 0), Fate::QueueFull);
        assert_eq!(l.stats().queue_drops, 2);
    }

    #[test]
    fn byte_limited_queue() {
        let mut l = Link::new(
            LinkParams {
                rate_bps: Some(8_000_000),
                queue: QueueLimit::Bytes(2500),
                ..params()
            },
            0.0,
        );
        assert!(matches!(l.offer(0, 1500, 0, 0), Fate::Deliver(_)));
        assert!(matches!(l.offer(0, 1500, 0, 0), Fate::Deliver(_)));
        assert_eq!(l.offer(0, 1500, 0, 0), Fate::QueueFull);
        assert!(matches!(l.offer(0, 1000, 0, 0), Fate::Deliver(_)));
    }

    #[test]
    fn loss_follows_the_draw() {
        let mut l = Link::new(params(), 0.5);
        assert_eq!(l.offer(0, 100, u64::MAX / 4, 0), Fate::Lost);
        assert!(matches!(
            l.offer(0, 100, u64::MAX / 4 * 3, 0),
            Fate::Deliver(_)
        ));
        let mut none = Link::new(params(), 0.0);
        assert!(matches!(none.offer(0, 100, 0, 0), Fate::Deliver(_)));
        let mut all = Link::new(params(), 1.0);
        assert_eq!(all.offer(0, 100, u64::MAX, 0), Fate::Lost);
    }

    #[test]
    fn jitter_stays_in_range_and_never_reorders() {
        let mut l = Link::new(
            LinkParams {
                delay: Duration::from_millis(20),
                jitter: Duration::from_millis(5),
                ..params()
            },
            0.0,
        );
        let mut last = 0;
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..10_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let now = i * 100_000;
            let Fate::Deliver(at) = l.offer(now, 100, u64::MAX, x) else {
                panic!("no loss configured")
            };
            assert!(at >= last, "reordered at packet {i}");
            assert!(at >= now + 15 * MS && at <= now.max(last) + 25 * MS);
            last = at;
        }
    }
}
