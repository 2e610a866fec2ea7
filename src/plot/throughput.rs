//! Throughput over time: the data sender's bytes per interval as bit/s, all
//! payload (throughput, retransmissions included) beside the bytes sent for
//! the first time (goodput), with a moving average of the throughput. The
//! interval comes from the length of the transfer (about 100 intervals) or
//! from `--interval`.

use super::canvas::OrDraw;
use super::decimate::{self, Bins, Tally};
use super::frame::{self, Glyph, Key};
use super::lang::fill;
use super::style::{colour, Pen};
use super::units::{nice_step, Unit};
use super::view::padded_time;
use super::{Drawn, PlotError, Result, View};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Intervals drawn by default over the transfer...
const TARGET_INTERVALS: f64 = 100.0;
/// ...unless that leaves fewer data segments than this in an average
/// interval: a rate computed from 3 or 4 segments jumps between the two
/// (aliasing), which reads as an oscillation the connection never had.
const MIN_SEGMENTS_PER_INTERVAL: f64 = 5.0;
/// More intervals than this is a mistaken `--interval`, not a graph.
const MAX_INTERVALS: u64 = 1_000_000;

/// Bytes per interval, from `start`; the last interval stops at `end`.
struct Rates {
    start: f64,
    end: f64,
    interval: f64,
    all: Vec<u64>,
    unique: Vec<u64>,
}

fn rates(view: &View<'_>) -> Result<Rates> {
    // Intervals cover the data only: the handshake and a pause before the
    // first byte would otherwise stretch them.
    let (start, end) = view
        .sent()
        .filter(|p| p.len > 0)
        .fold(None, |span: Option<(f64, f64)>, p| {
            Some(span.map_or((p.t, p.t), |(lo, hi)| (lo.min(p.t), hi.max(p.t))))
        })
        .unwrap_or_else(|| view.active_span());
    let span = (end - start).max(1e-6);
    let segments = view.sent().filter(|p| p.len > 0).count().max(1) as f64;
    let interval = view.interval.unwrap_or_else(|| {
        let wanted = (span / TARGET_INTERVALS).max(span * MIN_SEGMENTS_PER_INTERVAL / segments);
        nice_step(wanted).max(1e-6)
    });
    let count = (span / interval).ceil().max(1.0);
    if count > MAX_INTERVALS as f64 {
        return Err(PlotError::TooManyIntervals {
            interval,
            duration: span,
            count: count as u64,
            max: MAX_INTERVALS,
        });
    }
    let n = count as usize;
    let (mut all, mut unique) = (vec![0u64; n], vec![0u64; n]);
    for p in view.sent().filter(|p| p.len > 0) {
        let i = (((p.t - start) / interval).floor().max(0.0) as usize).min(n - 1);
        all[i] += u64::from(p.len);
        unique[i] += u64::from(p.new_bytes);
    }
    Ok(Rates {
        start,
        end,
        interval,
        all,
        unique,
    })
}

impl Rates {
    /// Start and length of interval `i`. The last one ends with the last
    /// segment (but counts at least half an interval), so that a transfer
    /// ending early in it does not show a false drop.
    fn span(&self, i: usize) -> (f64, f64) {
        let t0 = self.start + i as f64 * self.interval;
        if i + 1 == self.all.len() {
            let w = (self.end - t0).clamp(self.interval * 0.5, self.interval);
            (t0, w)
        } else {
            (t0, self.interval)
        }
    }

    fn peak(&self) -> f64 {
        (0..self.all.len())
            .map(|i| self.all[i] as f64 * 8.0 / self.span(i).1)
            .fold(0.0, f64::max)
    }

    /// A step line: each interval's rate (bit/s) held across the interval.
    fn steps(&self, bytes: &[u64]) -> Vec<(f64, f64)> {
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
    fn moving_average(&self, k: usize) -> Vec<(f64, f64)> {
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

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &View<'_>,
    pen: Pen,
) -> Result<Drawn> {
    let r = rates(view)?;
    let k = (r.all.len() / 10).clamp(2, 20);
    let t = view.text();
    let keys = vec![
        Key::new(Glyph::Area(colour::DATA), t.throughput_all),
        Key::new(Glyph::Line(colour::GOODPUT, 1.6), t.goodput),
        Key::new(
            Glyph::Line(colour::SMOOTH, 2.4),
            fill(t.moving_average, &[&k]),
        ),
    ];
    let layout = frame::layout(root, pen, t.throughput_title, &view.subtitle(), keys)?;
    let peak = r.peak();
    let unit = Unit::si(peak, "bit/s");
    let y = 0.0..(peak * 1.08).max(8.0);
    let x = padded_time(r.start, r.end);
    let mut chart = frame::time_chart(
        &layout.chart,
        pen,
        view.lang,
        x.clone(),
        y.clone(),
        fill(t.rate_axis, &[&unit.name]),
        unit,
    )?;
    let (w, _) = frame::plot_pixels(&chart);
    let cols = Bins::new(x, w);
    let mut tally = Tally::default();
    // Throughput as a shaded area, so that goodput drawn over it shows
    // the retransmitted part as the shade above the line.
    let all = decimate::line(&r.steps(&r.all), &cols, &mut tally);
    let mut outline = all.clone();
    if let (Some(first), Some(last)) = (all.first(), all.last()) {
        outline.extend([(last.0, 0.0), (first.0, 0.0)]);
    }
    chart
        .draw_series([Polygon::new(outline, colour::DATA.mix(0.22).filled())])
        .or_draw()?;
    chart
        .draw_series([PathElement::new(all, pen.line(colour::DATA, 1.0))])
        .or_draw()?;
    let lines = [
        (r.steps(&r.unique), colour::GOODPUT, 1.6),
        (r.moving_average(k), colour::SMOOTH, 2.4),
    ];
    for (points, c, width) in lines {
        let thin = decimate::line(&points, &cols, &mut tally);
        chart
            .draw_series([PathElement::new(thin, pen.line(c, width))])
            .or_draw()?;
    }
    let total: u64 = r.all.iter().sum();
    let unique: u64 = r.unique.iter().sum();
    let mut caption = vec![fill(
        t.throughput_caption,
        &[
            &view.duration(r.interval),
            &view.count(t.n_intervals, r.all.len() as u64),
            &view.count(t.n_bytes_sent, total),
            &view.thousands(unique),
            &view.duration(r.interval * k as f64),
        ],
    )];
    caption.extend(frame::merged_note(view.lang, &tally));
    caption.extend(view.range_note_for(r.start, r.end, t.range_note_sending_data));
    layout.finish(&caption)?;
    Ok(Drawn { tally, caption })
}
