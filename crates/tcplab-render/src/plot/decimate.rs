//! Fewer points, same picture: a connection of a million segments becomes a
//! few thousand drawn elements, so rendering time and SVG size stay bounded
//! by the figure's pixels, not by the capture.
//!
//! In: points in data coordinates, sorted by x (time), and the pixel grid
//! of the plotting area. Out: the points to draw. Series no longer than the
//! number of pixel columns are returned untouched (every segment is drawn);
//! longer ones keep, per pixel column, what a pixel can show:
//! - lines: the first, lowest, highest and last point (M4), which draws the
//!   same pixels as the full line;
//! - markers: one per pixel cell;
//! - vertical bars (tcptrace segments): overlapping bars merged.
//!
//! `Tally` counts what went in and what is drawn, for the caption.

use super::time_map::TimeMap;
use std::collections::HashSet;
use std::ops::Range;

/// Past this many markers after merging per cell, keep only each column's
/// lowest and highest (worst case: noise filling the whole plot).
const MAX_MARKERS: usize = 20_000;

/// Maps a data coordinate to one of `n` pixel bins.
#[derive(Clone, Copy, Debug)]
pub struct Bins {
    start: f64,
    per_unit: f64,
    n: usize,
    /// A time axis with breaks: bins are pixels of the axis, not of time.
    time: Option<TimeMap>,
}

impl Bins {
    pub fn new(range: Range<f64>, pixels: u32) -> Bins {
        let n = pixels.max(1) as usize;
        let span = range.end - range.start;
        let per_unit = if span > 0.0 { n as f64 / span } else { 0.0 };
        Bins {
            start: range.start,
            per_unit,
            n,
            time: None,
        }
    }

    /// Pixel columns of a time axis (its breaks narrow).
    pub fn time(axis: &TimeMap, pixels: u32) -> Bins {
        Bins {
            time: Some(*axis),
            ..Bins::new(0.0..axis.length(), pixels)
        }
    }

    pub fn of(&self, v: f64) -> usize {
        let v = self.time.map_or(v, |axis| axis.axis_x(v));
        let i = ((v - self.start) * self.per_unit).floor();
        if i.is_nan() || i < 0.0 {
            0
        } else {
            (i as usize).min(self.n - 1)
        }
    }

    /// The number of bins (never 0).
    pub fn len(&self) -> usize {
        self.n
    }
}

/// Points before and after decimation, over all the series of a figure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub input: usize,
    pub drawn: usize,
}

impl Tally {
    pub fn merged(&self) -> bool {
        self.drawn < self.input
    }

    fn add(&mut self, input: usize, drawn: usize) {
        self.input += input;
        self.drawn += drawn;
    }
}

/// M4 decimation of a polyline sorted by x. Applied to every line, since
/// it lights the same pixels: many steps within one column (a burst of
/// segments microseconds apart) would otherwise be drawn as a row of tiny
/// thick segments, which a bitmap renders as a dotted smear. Counted as a
/// merge only past 4 points per column, where whole segments disappear.
pub fn line(points: &[(f64, f64)], cols: &Bins, tally: &mut Tally) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(4 * cols.len());
    let mut i = 0;
    while i < points.len() {
        let col = cols.of(points[i].0);
        let mut j = i;
        let (mut lo, mut hi) = (i, i);
        while j < points.len() && cols.of(points[j].0) == col {
            if points[j].1 < points[lo].1 {
                lo = j;
            }
            if points[j].1 > points[hi].1 {
                hi = j;
            }
            j += 1;
        }
        let mut keep = [i, lo, hi, j - 1];
        keep.sort_unstable();
        let mut last = usize::MAX;
        for k in keep {
            if k != last {
                out.push(points[k]);
                last = k;
            }
        }
        i = j;
    }
    let drawn = if points.len() <= 4 * cols.len() {
        points.len()
    } else {
        out.len()
    };
    tally.add(points.len(), drawn);
    out
}

/// Markers: one per pixel cell, in input order.
pub fn markers(
    points: &[(f64, f64)],
    cols: &Bins,
    rows: &Bins,
    tally: &mut Tally,
) -> Vec<(f64, f64)> {
    if points.len() <= cols.len() {
        tally.add(points.len(), points.len());
        return points.to_vec();
    }
    let mut seen = HashSet::new();
    let mut out: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| seen.insert((cols.of(p.0), rows.of(p.1))))
        .copied()
        .collect();
    if out.len() > MAX_MARKERS {
        out = column_extremes(&out, cols);
    }
    tally.add(points.len(), out.len());
    out
}

fn column_extremes(points: &[(f64, f64)], cols: &Bins) -> Vec<(f64, f64)> {
    type LowHigh = ((f64, f64), (f64, f64));
    let mut ext: Vec<Option<LowHigh>> = vec![None; cols.len()];
    for &p in points {
        let e = &mut ext[cols.of(p.0)];
        *e = Some(match *e {
            None => (p, p),
            Some((lo, hi)) => (
                if p.1 < lo.1 { p } else { lo },
                if p.1 > hi.1 { p } else { hi },
            ),
        });
    }
    let mut out = Vec::new();
    for (lo, hi) in ext.into_iter().flatten() {
        out.push(lo);
        if hi != lo {
            out.push(hi);
        }
    }
    out
}

/// A vertical bar at `x` from `y0` to `y1` (a segment's sequence range).
pub type Bar = (f64, f64, f64);

/// Bars of one pixel column that overlap or touch (within a pixel row) are
/// merged into one.
pub fn bars(input: &[Bar], cols: &Bins, rows: &Bins, tally: &mut Tally) -> Vec<Bar> {
    if input.len() <= cols.len() {
        tally.add(input.len(), input.len());
        return input.to_vec();
    }
    let row_height = if rows.per_unit > 0.0 {
        1.0 / rows.per_unit
    } else {
        0.0
    };
    let mut out = Vec::new();
    let mut column: Vec<Bar> = Vec::new();
    let mut i = 0;
    while i < input.len() {
        let col = cols.of(input[i].0);
        column.clear();
        while i < input.len() && cols.of(input[i].0) == col {
            column.push(input[i]);
            i += 1;
        }
        column.sort_by(|a, b| a.1.total_cmp(&b.1));
        let mut cur = column[0];
        for &b in &column[1..] {
            if b.1 <= cur.2 + row_height {
                cur.2 = cur.2.max(b.2);
            } else {
                out.push(cur);
                cur = b;
            }
        }
        out.push(cur);
    }
    tally.add(input.len(), out.len());
    out
}

/// The pieces of a polyline that lie within `y` (x is never clipped: the
/// x range always covers the data). Plotters does not clip paths to the
/// plotting area, so a line above the top would cross the title.
pub fn clip_y(points: &[(f64, f64)], y: &Range<f64>) -> Vec<Vec<(f64, f64)>> {
    let inside = |p: (f64, f64)| p.1 >= y.start && p.1 <= y.end;
    let mut pieces = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    for (i, &p) in points.iter().enumerate() {
        if i > 0 {
            let q = points[i - 1];
            for edge in [y.start, y.end] {
                // Where the segment q→p crosses an edge, cut it there.
                if (q.1 - edge) * (p.1 - edge) < 0.0 {
                    let f = (edge - q.1) / (p.1 - q.1);
                    let at = (q.0 + f * (p.0 - q.0), edge);
                    if inside(q) {
                        cur.push(at);
                        pieces.push(std::mem::take(&mut cur));
                    } else {
                        cur.push(at);
                    }
                }
            }
        }
        if inside(p) {
            cur.push(p);
        } else if !cur.is_empty() {
            pieces.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        pieces.push(cur);
    }
    pieces.retain(|p| p.len() > 1);
    pieces
}

/// A step line through `points` (sorted by x): the value holds until the
/// next point, and the last one until `x_end`.
pub fn steps(points: &[(f64, f64)], x_end: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2 + 1);
    for &(x, y) in points {
        if let Some(&(_, prev)) = out.last() {
            if prev != y {
                out.push((x, prev));
            } else {
                continue;
            }
        }
        out.push((x, y));
    }
    if let Some(&(x, y)) = out.last() {
        if x < x_end {
            out.push((x_end, y));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_series_are_untouched() {
        let cols = Bins::new(0.0..10.0, 100);
        let pts: Vec<_> = (0..50).map(|i| (f64::from(i) / 5.0, 1.0)).collect();
        let mut t = Tally::default();
        assert_eq!(line(&pts, &cols, &mut t), pts);
        assert!(!t.merged());
    }

    #[test]
    fn m4_keeps_extremes_of_each_column() {
        let cols = Bins::new(0.0..1.0, 10);
        let pts: Vec<_> = (0..10_000)
            .map(|i| (f64::from(i) / 10_000.0, f64::from(i % 97)))
            .collect();
        let mut t = Tally::default();
        let out = line(&pts, &cols, &mut t);
        assert!(out.len() <= 40 && t.merged());
        assert!(out.iter().any(|p| p.1 == 96.0) && out.iter().any(|p| p.1 == 0.0));
        assert!(out.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[test]
    fn markers_and_bars_merge_per_pixel() {
        let (cols, rows) = (Bins::new(0.0..1.0, 4), Bins::new(0.0..100.0, 10));
        let pts: Vec<_> = (0..100).map(|i| (0.1, f64::from(i % 5))).collect();
        let mut t = Tally::default();
        assert_eq!(markers(&pts, &cols, &rows, &mut t).len(), 1);
        let bars_in: Vec<Bar> = (0..10)
            .map(|i| (0.1, f64::from(i), f64::from(i) + 1.0))
            .collect();
        let out = bars(&bars_in, &cols, &rows, &mut t);
        assert_eq!(out, vec![(0.1, 0.0, 10.0)]);
    }

    #[test]
    fn clipping_cuts_at_the_edge() {
        let pieces = clip_y(&[(0.0, 0.0), (1.0, 20.0), (2.0, 0.0)], &(0.0..10.0));
        assert_eq!(
            pieces,
            vec![vec![(0.0, 0.0), (0.5, 10.0)], vec![(1.5, 10.0), (2.0, 0.0)]]
        );
    }
}
