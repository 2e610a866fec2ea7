//! The time axis of every chart but the ladder: seconds since the
//! connection's first packet, mapped to the axis piecewise so that long
//! idle gaps take a short, marked break instead of most of the figure.
//!
//! In: the axis's time range and the times of the packets drawn (both
//! directions). Out: a `TimeMap`, which is plotters' x coordinate (`Ranged`:
//! pixels for a time, ticks with true labels on both sides of each break),
//! and the breaks, which `frame` marks on the axis and the graphs name in
//! their legend and caption. Not here: drawing the mark (`frame`).
//!
//! The rule: a gap between two consecutive packets (in either direction) is
//! broken when it is longer than `TYPICAL_TIMES` times the median spacing of
//! the packets and longer than `MIN_SHARE` of the axis; at most
//! `MAX_BREAKS` (the longest), each drawn `BREAK_SHARE` of the axis wide.
//! Outside the breaks time is linear, the same scale everywhere.

use super::units::nice_step;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use std::ops::Range;

/// A gap must be longer than this many median packet spacings…
const TYPICAL_TIMES: f64 = 20.0;
/// …and longer than this share of the axis.
const MIN_SHARE: f64 = 0.2;
/// The axis width of a break (of the whole axis).
const BREAK_SHARE: f64 = 0.04;
/// What stays visible of a broken gap on each side, as a share of the time
/// that is not broken (so that a packet is not drawn on the mark).
const EDGE_SHARE: f64 = 0.01;
/// Ticks closer than this share of the axis to the one before are left out.
const TICK_GAP: f64 = 0.035;
/// Breaks beyond this many (the shortest) are not made.
pub const MAX_BREAKS: usize = 4;

/// An idle gap and the part of it the axis leaves out.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Break {
    /// The packets on either side of the gap (seconds).
    pub idle: (f64, f64),
    /// The time left out (inside `idle`).
    pub from: f64,
    pub to: f64,
}

impl Break {
    /// How long no packet passed.
    pub fn idle_secs(&self) -> f64 {
        self.idle.1 - self.idle.0
    }
}

/// Time (seconds) to axis position, linear outside the breaks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeMap {
    /// The true times the axis covers (`Range` is not `Copy`).
    start: f64,
    end: f64,
    breaks: [Break; MAX_BREAKS],
    n: usize,
    /// Axis width of one break, in seconds of the axis.
    width: f64,
}

impl TimeMap {
    /// A plain linear axis over `range`.
    pub fn linear(range: Range<f64>) -> TimeMap {
        TimeMap {
            start: range.start,
            end: range.end,
            breaks: [Break::default(); MAX_BREAKS],
            n: 0,
            width: 0.0,
        }
    }

    /// An axis over `range` with a break in each long idle gap between
    /// `times` (the packets drawn, in any order) that is also longer than
    /// `min_gap` seconds (the throughput graph's interval: a shorter gap is
    /// averaged into its interval, not idle on the graph). A gap that ends
    /// at one of `waits` (segments sent again after a retransmission
    /// timeout) is never broken: that wait is what the graph must show.
    pub fn with_breaks(
        range: Range<f64>,
        times: impl IntoIterator<Item = f64>,
        min_gap: f64,
        waits: &[f64],
    ) -> TimeMap {
        let mut map = TimeMap::linear(range.clone());
        let mut times: Vec<f64> = times.into_iter().filter(|t| range.contains(t)).collect();
        times.sort_by(f64::total_cmp);
        let mut gaps: Vec<(f64, f64)> = times.windows(2).map(|w| (w[0], w[1])).collect();
        if gaps.is_empty() {
            return map;
        }
        let mut spacing: Vec<f64> = gaps.iter().map(|(a, b)| b - a).collect();
        let middle = spacing.len() / 2;
        let (_, &mut typical, _) = spacing.select_nth_unstable_by(middle, f64::total_cmp);
        let span = range.end - range.start;
        gaps.retain(|(a, b)| {
            let gap = b - a;
            gap > TYPICAL_TIMES * typical
                && gap > MIN_SHARE * span
                && gap > min_gap
                && !waits.contains(b)
        });
        gaps.sort_by(|x, y| (y.1 - y.0).total_cmp(&(x.1 - x.0)));
        gaps.truncate(MAX_BREAKS);
        gaps.sort_by(|x, y| x.0.total_cmp(&y.0));
        if gaps.is_empty() {
            return map;
        }
        let idle: f64 = gaps.iter().map(|(a, b)| b - a).sum();
        let edge = EDGE_SHARE * (span - idle);
        for (i, &(a, b)) in gaps.iter().enumerate() {
            let edge = edge.min((b - a) / 4.0);
            map.breaks[i] = Break {
                idle: (a, b),
                from: a + edge,
                to: b - edge,
            };
        }
        map.n = gaps.len();
        let kept = span - map.breaks().iter().map(|b| b.to - b.from).sum::<f64>();
        map.width = BREAK_SHARE * kept / (1.0 - BREAK_SHARE * map.n as f64);
        map
    }

    /// The breaks, in time order (none on a linear axis).
    pub fn breaks(&self) -> &[Break] {
        &self.breaks[..self.n]
    }

    /// The true times the axis covers.
    pub fn range(&self) -> Range<f64> {
        self.start..self.end
    }

    /// The axis length in its own units (seconds with the breaks narrowed).
    pub fn length(&self) -> f64 {
        self.axis_x(self.end)
    }

    /// The position of time `t` on the axis, from 0 at the range's start.
    pub fn axis_x(&self, t: f64) -> f64 {
        let mut removed = 0.0;
        for b in self.breaks() {
            if t <= b.from {
                break;
            }
            if t < b.to {
                let inside = (t - b.from) / (b.to - b.from) * self.width;
                return b.from - self.start - removed + inside;
            }
            removed += b.to - b.from - self.width;
        }
        t - self.start - removed
    }

    /// The time at axis position `x` (the inverse of `axis_x`).
    pub fn time_at(&self, x: f64) -> f64 {
        let mut removed = 0.0;
        for b in self.breaks() {
            let start = b.from - self.start - removed;
            if x <= start {
                break;
            }
            if x < start + self.width {
                return b.from + (x - start) / self.width * (b.to - b.from);
            }
            removed += b.to - b.from - self.width;
        }
        x + self.start + removed
    }

    /// The finest distance between ticks of `ticks(n)` (for their decimals).
    pub fn tick_step(&self, n: usize) -> f64 {
        if self.n == 0 {
            let coord: RangedCoordf64 = (self.start..self.end).into();
            return match coord.key_points(n).as_slice() {
                [a, b, ..] => b - a,
                _ => (self.end - self.start).abs(),
            };
        }
        self.broken_ticks(n).1
    }

    /// At most about `n` ticks: plotters' own on a linear axis; with
    /// breaks, `ticks_broken`'s.
    pub fn ticks(&self, n: usize) -> Vec<f64> {
        if self.n == 0 {
            let coord: RangedCoordf64 = (self.start..self.end).into();
            return coord.key_points(n);
        }
        self.broken_ticks(n).0
    }

    /// The multiples of one step in each unbroken piece, and in a piece too
    /// short for any of a finer step (so that each side of a break has a
    /// true label); none closer on the axis than `TICK_GAP` of it to the
    /// one before. Also the finest step used.
    fn broken_ticks(&self, n: usize) -> (Vec<f64>, f64) {
        let step = nice_step(self.length() / n.max(1) as f64);
        let mut finest = step;
        let mut bounds = vec![self.start];
        for b in self.breaks() {
            bounds.extend([b.from, b.to]);
        }
        bounds.push(self.end);
        let mut ticks: Vec<f64> = Vec::new();
        for piece in bounds.chunks(2) {
            let (a, b) = (piece[0], piece[1]);
            let mut inside = multiples(step, a, b);
            if inside.is_empty() {
                let fine = nice_step((b - a) / 3.0);
                inside = multiples(fine, a, b);
                finest = finest.min(fine);
            }
            for t in inside {
                let clear = ticks.last().is_none_or(|&last| {
                    self.axis_x(t) - self.axis_x(last) >= TICK_GAP * self.length()
                });
                if clear {
                    ticks.push(t);
                }
            }
        }
        (ticks, finest)
    }
}

/// The multiples of `step` from `a` to `b`.
fn multiples(step: f64, a: f64, b: f64) -> Vec<f64> {
    let (first, last) = ((a / step).ceil(), (b / step).floor());
    if !(step > 0.0 && last >= first && last - first < 1000.0) {
        return Vec::new();
    }
    (0..=(last - first) as usize)
        .map(|k| (first + k as f64) * step)
        .collect()
}

impl Ranged for TimeMap {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let axis: RangedCoordf64 = (0.0..self.length()).into();
        axis.map(&self.axis_x(*v), limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            return Vec::new();
        }
        self.ticks(hint.max_num_points())
    }

    fn range(&self) -> Range<f64> {
        self.start..self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A handshake, 3.4 ms of silence, then a burst (lossy.pcap's shape).
    fn lossy_shape() -> Vec<f64> {
        let mut times = vec![0.0, 18e-6, 28e-6];
        times.extend((0..300).map(|i| 3.44e-3 + i as f64 * 5e-6));
        times
    }

    #[test]
    fn a_long_idle_gap_is_broken_and_named() {
        let map = TimeMap::with_breaks(-1e-4..5.0e-3, lossy_shape(), 0.0, &[]);
        let [b] = map.breaks() else {
            panic!("one break expected: {:?}", map.breaks())
        };
        assert_eq!(b.idle, (28e-6, 3.44e-3));
        assert!(b.from > 28e-6 && b.to < 3.44e-3);
        let (before, after) = (map.axis_x(28e-6), map.axis_x(3.44e-3));
        assert!(after - before < 0.1 * map.length(), "the break is narrow");
    }

    #[test]
    fn a_wait_for_a_retransmission_timeout_is_drawn_to_scale() {
        // The same shape, but the packet after the gap was sent again
        // when the retransmission timer fired: the wait is the point.
        let map = TimeMap::with_breaks(-1e-4..5.0e-3, lossy_shape(), 0.0, &[3.44e-3]);
        assert!(map.breaks().is_empty(), "{:?}", map.breaks());
    }

    #[test]
    fn the_mapping_is_monotone_and_its_inverse_is_exact() {
        let map = TimeMap::with_breaks(-1e-4..5.0e-3, lossy_shape(), 0.0, &[]);
        let mut last = f64::MIN;
        for i in 0..=1000 {
            let t = -1e-4 + 5.1e-3 * f64::from(i) / 1000.0;
            let x = map.axis_x(t);
            assert!(x > last, "axis_x({t}) = {x} not after {last}");
            assert!((map.time_at(x) - t).abs() < 1e-12, "inverse at {t}");
            last = x;
        }
    }

    #[test]
    fn every_piece_has_a_true_tick_outside_the_breaks() {
        // An echo session: a 5 ms start, then three messages 10 ms apart.
        let mut times: Vec<f64> = (0..20).map(|i| f64::from(i) * 0.25e-3).collect();
        for m in 1..=3 {
            let at = 5e-3 + f64::from(m) * 10.4e-3;
            times.extend([at, at + 20e-6, at + 40e-6]);
        }
        for (range, times) in [(-1e-4..5.0e-3, lossy_shape()), (-7e-4..37e-3, times)] {
            let map = TimeMap::with_breaks(range.clone(), times, 0.0, &[]);
            assert!(!map.breaks().is_empty());
            let ticks = map.ticks(10);
            assert!(ticks.windows(2).all(|w| w[0] < w[1]), "{ticks:?}");
            let mut bounds = vec![range.start];
            for b in map.breaks() {
                assert!(ticks.iter().all(|t| *t <= b.from || *t >= b.to));
                bounds.extend([b.from, b.to]);
            }
            bounds.push(range.end);
            for piece in bounds.chunks(2) {
                let inside = |t: &&f64| **t >= piece[0] && **t <= piece[1];
                assert!(ticks.iter().find(inside).is_some(), "{piece:?}: {ticks:?}");
            }
            // The labels' decimals (from the finest step) show every tick.
            let step = map.tick_step(10);
            assert!(ticks
                .iter()
                .all(|t| ((t / step).round() * step - t).abs() < 1e-9 * step.max(1.0)));
        }
    }

    #[test]
    fn a_throughput_interval_longer_than_the_gap_keeps_it() {
        let map = TimeMap::with_breaks(-1e-4..5.0e-3, lossy_shape(), 4e-3, &[]);
        assert!(map.breaks().is_empty());
    }

    #[test]
    fn no_break_when_gaps_are_short_or_rare() {
        // Evenly spaced packets: nothing is idle.
        let even = TimeMap::with_breaks(0.0..1.0, (0..100).map(|i| f64::from(i) / 100.0), 0.0, &[]);
        assert!(even.breaks().is_empty());
        assert_eq!(even.axis_x(0.5), 0.5);
        // A pause of 10 % of the axis is part of the transfer.
        let mut times: Vec<f64> = (0..100).map(|i| f64::from(i) * 0.009).collect();
        times.extend((0..10).map(|i| 1.0 + f64::from(i) * 0.009));
        assert!(TimeMap::with_breaks(0.0..1.2, times, 0.0, &[])
            .breaks()
            .is_empty());
        let plain: RangedCoordf64 = (0.0..1.0).into();
        assert_eq!(TimeMap::linear(0.0..1.0).ticks(10), plain.key_points(10));
    }
}
