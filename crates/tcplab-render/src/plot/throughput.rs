//! Throughput over time: the data sender's bytes per interval as bit/s, all
//! payload (throughput, retransmissions included) beside the bytes sent for
//! the first time (goodput), with a moving average of the throughput. The
//! interval comes from the length of the transfer (about 100 intervals) or
//! from `--interval`.

use super::canvas::OrDraw;
use super::decimate::{self, Bins, Tally};
use super::frame::{self, Glyph, Key};
use super::lang::fill;
use super::rates::{self, Rates};
use super::style::{colour, Pen};
use super::units::Unit;
use super::view::padded_time;
use super::{Drawn, PlotError, Result, View};
use plotters::coord::Shift;
use plotters::prelude::*;

/// More intervals than this is a mistaken `--interval`, not a graph.
const MAX_INTERVALS: u64 = 1_000_000;

fn rates_of(view: &View<'_>) -> Result<Rates> {
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
    let segments = view.sent().filter(|p| p.len > 0).count();
    let interval = view
        .interval
        .unwrap_or_else(|| rates::interval_for(span, segments, rates::TARGET_INTERVALS));
    let count = (span / interval).ceil().max(1.0);
    if count > MAX_INTERVALS as f64 {
        return Err(PlotError::TooManyIntervals {
            interval,
            duration: span,
            count: count as u64,
            max: MAX_INTERVALS,
        });
    }
    let data = view
        .sent()
        .filter(|p| p.len > 0)
        .map(|p| (p.t, u64::from(p.len), u64::from(p.new_bytes)));
    Ok(Rates::bin(data, start, end, interval, count as usize))
}

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &View<'_>,
    pen: Pen,
) -> Result<Drawn> {
    let r = rates_of(view)?;
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
