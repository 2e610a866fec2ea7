//! Bytes per interval turned into bit/s: the throughput graph of one
//! connection and the throughput overlay of several runs share it, so
//! that both count a segment in the same interval and end the last
//! interval the same way.
//!
//! In: data segments as (time, bytes, first-time bytes), an interval.
//! Out: per-interval totals and step lines in bit/s. Not done here:
//! choosing which segments count (that is the caller's view).

use super::units::nice_step;

/// Intervals drawn by default over a transfer...
pub const TARGET_INTERVALS: f64 = 100.0;
/// ...unless that leaves fewer data segments than this in an average
/// interval: a rate computed from 3 or 4 segments jumps between the two
/// (aliasing), which reads as an oscillation the connection never had.
const MIN_SEGMENTS_PER_INTERVAL: f64 = 5.0;

/// The interval for `segments` data segments spread over `span` seconds:
/// about `target` intervals, a 1-2-5 step, never fewer than 5 segments
/// per interval on average.
pub fn interval_for(span: f64, segments: usize, target: f64) -> f64 {
    let span = span.max(1e-6);
    let segments = segments.max(1) as f64;
    let wanted = (span / target).max(span * MIN_SEGMENTS_PER_INTERVAL / segments);
    nice_step(wanted).max(1e-6)
}

/// Bytes per interval, from `start`; the last interval stops at `end`.
#[derive(Clone, Debug, PartialEq)]
pub struct Rates {
    pub start: f64,
    pub end: f64,
    pub interval: f64,
    /// All payload bytes sent in each interval (retransmissions included).
    pub all: Vec<u64>,
    /// The bytes sent for the first time (goodput).
    pub unique: Vec<u64>,
}

impl Rates {
    /// Sums `(time, bytes, first-time bytes)` into `count` intervals of
    /// `interval` seconds from `start`; a point past the last interval
    /// counts in it. `count` is at least 1.
    pub fn bin(
        points: impl Iterator<Item = (f64, u64, u64)>,
        start: f64,
        end: f64,
        interval: f64,
        count: usize,
    ) -> Rates {
        let n = count.max(1);
        let (mut all, mut unique) = (vec![0u64; n], vec![0u64; n]);
        for (t, bytes, new) in points {
            let i = (((t - start) / interval).floor().max(0.0) as usize).min(n - 1);
            all[i] += bytes;
            unique[i] += new;
        }
        Rates {
            start,
            end,
            interval,
            all,
            unique,
        }
    }

    /// Start and length of interval `i`. The last one ends with the last
    /// segment (but counts at least half an interval), so that a transfer
    /// ending early in it does not show a false drop.
    pub fn span(&self, i: usize) -> (f64, f64) {
        let t0 = self.start + i as f64 * self.interval;
        if i + 1 == self.all.len() {
            let w = (self.end - t0).clamp(self.interval * 0.5, self.interval);
            (t0, w)
        } else {
            (t0, self.interval)
        }
    }

    /// The highest rate of all payload, in bit/s.
    pub fn peak(&self) -> f64 {
        (0..self.all.len())
            .map(|i| self.all[i] as f64 * 8.0 / self.span(i).1)
            .fold(0.0, f64::max)
    }

    /// A step line: each interval's rate (bit/s) held across the interval.
    pub fn steps(&self, bytes: &[u64]) -> Vec<(f64, f64)> {
        let mut out = Vec::with_capacity(bytes.len() * 2);
        for (i, b) in bytes.iter().enumerate() {
            let (t0, w) = self.span(i);
            let r = *b as f64 * 8.0 / w;
            out.push((t0, r));
            out.push((t0 + w, r));
        }
        out
    }

    /// Trailing moving average of the throughput over `k` intervals, at
    /// each interval's end.
    pub fn moving_average(&self, k: usize) -> Vec<(f64, f64)> {
        let (mut bytes, mut secs) = (0u64, 0.0);
        (0..self.all.len())
            .map(|i| {
                bytes += self.all[i];
                secs += self.span(i).1;
                if i >= k {
                    bytes -= self.all[i - k];
                    secs -= self.span(i - k).1;
                }
                let (t0, w) = self.span(i);
                (t0 + w, bytes as f64 * 8.0 / secs)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_land_in_their_interval() {
        let pts = [(0.0, 1000, 1000), (0.15, 500, 0), (0.95, 100, 100)];
        let r = Rates::bin(pts.into_iter(), 0.0, 0.95, 0.1, 10);
        assert_eq!(r.all[0], 1000);
        assert_eq!(r.all[1], 500);
        assert_eq!(r.unique[1], 0);
        assert_eq!(r.all[9], 100);
        // The last interval is held for half an interval at least.
        let (t0, w) = r.span(9);
        assert!((t0 - 0.9).abs() < 1e-9 && (w - 0.05).abs() < 1e-9);
        let steps = r.steps(&r.all);
        assert_eq!(steps[0], (0.0, 80_000.0));
        assert!((steps[19].1 - 16_000.0).abs() < 1e-6);
    }

    #[test]
    fn the_interval_keeps_enough_segments() {
        assert_eq!(interval_for(10.0, 100_000, 100.0), 0.1);
        // 50 segments in 10 s: 1 s per interval, not 0.1 s.
        assert_eq!(interval_for(10.0, 50, 100.0), 1.0);
    }
}
