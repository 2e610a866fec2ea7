//! Throughput over time: the data sender's bytes per interval as bit/s, all
//! payload (throughput, retransmissions included) beside the bytes sent for
//! the first time (goodput), with a moving average of the throughput. The
//! interval comes from the length of the transfer (about 100 intervals) or
//! from `--interval`.

use super::canvas::OrDraw;
use super::collect::SegPoint;
use super::decimate::{self, Bins, Tally};
use super::frame::{self, Glyph, Key};
use super::lang::fill;
use super::rates::{self, Rates};
use super::style::{colour, Pen};
use super::units::rate as rate_in;
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

/// What the throughput curve shows, for its caption and the report's:
/// the rate while data was being sent, the peak, and what the curve
/// leaves out after the last data segment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThroughputSummary {
    /// First and last data segment of the direction: frame and time.
    pub first: (u32, f64),
    pub last: (u32, f64),
    /// The curve's time span: its intervals end to end (the last one is
    /// at least half an interval long, see `Rates::span`).
    pub curve_s: f64,
    /// All payload over `curve_s` (bit/s): the curve's own average, never
    /// above its peak.
    pub avg_bps: f64,
    /// The highest interval and where it starts.
    pub peak_bps: f64,
    pub peak_t: f64,
    /// The connection after the last data segment: its length (s), its
    /// packets (both directions) and the first segment sent again in it
    /// (a FIN retransmitted after a timeout, say).
    pub tail_s: f64,
    pub tail_packets: u64,
    pub tail_resent: Option<(u32, f64)>,
}

/// The summary of `view`'s curve; `None` without data.
pub fn summary(view: &View<'_>) -> Result<Option<ThroughputSummary>> {
    let mut data = view.sent().filter(|p| p.len > 0);
    let Some(first) = data.next() else {
        return Ok(None);
    };
    let last = data.last().unwrap_or(first);
    let r = rates_of(view)?;
    let total: u64 = r.all.iter().sum();
    let span: f64 = (0..r.all.len()).map(|i| r.span(i).1).sum();
    let peak = (0..r.all.len())
        .map(|i| (r.all[i] as f64 * 8.0 / r.span(i).1, r.span(i).0))
        .fold(
            (0.0, r.start),
            |best, x| if x.0 > best.0 { x } else { best },
        );
    let tail: Vec<&SegPoint> = view
        .series
        .segments
        .iter()
        .filter(|p| p.t > last.t)
        .collect();
    Ok(Some(ThroughputSummary {
        first: (first.frame, first.t),
        last: (last.frame, last.t),
        curve_s: span,
        avg_bps: if span > 0.0 {
            total as f64 * 8.0 / span
        } else {
            0.0
        },
        peak_bps: peak.0,
        peak_t: peak.1,
        tail_s: tail.last().map_or(0.0, |p| p.t - last.t),
        tail_packets: tail.len() as u64,
        tail_resent: tail
            .iter()
            .find(|p| p.sent_again.is_some())
            .map(|p| (p.frame, p.t)),
    }))
}

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &View<'_>,
    pen: Pen,
) -> Result<Drawn> {
    let r = rates_of(view)?;
    let k = (r.all.len() / 10).clamp(2, 20);
    let t = view.text();
    let axis = view.time_axis_over(padded_time(r.start, r.end), 2.0 * r.interval);
    let mut keys = vec![
        Key::new(Glyph::Area(colour::DATA), t.throughput_all),
        Key::new(Glyph::Line(colour::GOODPUT, 1.6), t.goodput),
        Key::new(
            Glyph::Line(colour::SMOOTH, 2.4),
            fill(t.moving_average, &[&k]),
        ),
    ];
    keys.extend(view.break_keys(&axis));
    let layout = frame::layout(root, pen, t.throughput_title, &view.subtitle(), keys)?;
    let peak = r.peak();
    let unit = Unit::si(peak, "bit/s");
    let y = 0.0..(peak * 1.08).max(8.0);
    let mut chart = frame::time_chart(
        &layout.chart,
        pen,
        view.lang,
        axis,
        y.clone(),
        fill(t.rate_axis, &[&unit.name]),
        unit,
    )?;
    let (w, _) = frame::plot_pixels(&chart);
    let cols = Bins::time(&axis, w);
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
    if let Some(sum) = summary(view)? {
        caption.push(fill(
            t.throughput_summary,
            &[
                &rate_in(view.lang, sum.avg_bps),
                &view.duration(sum.curve_s),
                &rate_in(view.lang, sum.peak_bps),
                &view.duration(sum.peak_t),
            ],
        ));
        if sum.tail_packets > 0 {
            let resent = sum
                .tail_resent
                .map_or_else(String::new, |(f, _)| fill(t.throughput_tail_resent, &[&f]));
            caption.push(fill(
                t.throughput_tail,
                &[
                    &view.count(t.n_segments, sum.tail_packets),
                    &view.duration(sum.tail_s),
                    &resent,
                ],
            ));
        }
    }
    caption.extend(frame::merged_note(view.lang, &tally));
    caption.extend(view.range_note_for(r.start, r.end, t.range_note_sending_data));
    caption.extend(view.break_note(&axis));
    layout.finish(&caption)?;
    Ok(Drawn { tally, caption })
}
