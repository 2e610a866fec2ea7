//! The tcptrace graph (Shawn Ostermann's tcptrace, Wireshark's "Stevens
//! with ACKs"): each data segment as a vertical bar from seq to seq+len,
//! the receiver's ACK line under it, the window limit (ACK + scaled window)
//! above it, SACK blocks between, and markers for retransmissions,
//! duplicate ACKs and zero windows. The gap between the ACK line and the
//! window line is what the sender may still send.

use super::canvas::OrDraw;
use super::collect::SegPoint;
use super::decimate::{self, Bar, Bins, Tally};
use super::frame::{self, Chart, Glyph, Key};
use super::lang::fill;
use super::stevens::is_sent_again;
use super::strings::PlotStrings;
use super::style::{colour, Marker, Pen, MARKER_PX};
use super::units::Unit;
use super::{Drawn, Result, View};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::ops::Range;
use tcplab_analysis::Event;

/// What the graph draws, in data coordinates.
struct Parts {
    data: Vec<Bar>,
    retrans: Vec<Bar>,
    acks: Vec<(f64, f64)>,
    window: Vec<(f64, f64)>,
    sacks: Vec<Bar>,
    dup_acks: Vec<(f64, f64)>,
    zero_windows: Vec<(f64, f64)>,
}

fn parts(view: &View<'_>, x_end: f64) -> Parts {
    let bar = |p: &SegPoint| {
        let y = view.seq_y(p.seq);
        (p.t, y, y + f64::from(p.len))
    };
    let data: Vec<&SegPoint> = view.sent().filter(|p| p.len > 0).collect();
    let acks: Vec<&SegPoint> = view
        .returned()
        .filter(|p| p.flags.ack() && p.t <= x_end)
        .collect();
    let ack_at = |p: &&SegPoint| (p.t, view.seq_y(p.ack));
    let marks = |e: Event| {
        acks.iter()
            .filter(|p| p.events.contains(e))
            .map(ack_at)
            .collect()
    };
    Parts {
        data: data.iter().map(|p| bar(p)).collect(),
        retrans: data
            .iter()
            .filter(|p| is_sent_again(p))
            .map(|p| bar(p))
            .collect(),
        acks: decimate::steps(&acks.iter().map(ack_at).collect::<Vec<_>>(), x_end),
        window: decimate::steps(
            &acks
                .iter()
                .map(|p| (p.t, view.seq_y(p.ack) + f64::from(p.window)))
                .collect::<Vec<_>>(),
            x_end,
        ),
        sacks: view
            .series
            .sacks
            .iter()
            .filter(|s| s.dir == view.dir.reverse() && s.t <= x_end)
            .map(|s| (s.t, view.seq_y(s.left), view.seq_y(s.right)))
            .collect(),
        dup_acks: marks(Event::DuplicateAck),
        zero_windows: marks(Event::ZeroWindow),
    }
}

/// The y range: data and ACKs always; the window line only while it keeps
/// the data at least half the height (else it is cut at the top).
fn y_range(p: &Parts) -> (Range<f64>, bool) {
    let ys = p
        .data
        .iter()
        .flat_map(|b| [b.1, b.2])
        .chain(p.acks.iter().map(|a| a.1));
    let (lo, hi) = ys.fold((f64::MAX, f64::MIN), |(lo, hi), y| (lo.min(y), hi.max(y)));
    if lo > hi {
        return (0.0..1.0, false);
    }
    let span = (hi - lo).max(1.0);
    let win_hi = p.window.iter().map(|w| w.1).fold(hi, f64::max);
    if win_hi <= hi + span {
        (frame::padded(lo, win_hi, 0.03), false)
    } else {
        (lo - span * 0.03..hi + span * 0.15, true)
    }
}

fn keys(p: &Parts, t: &PlotStrings) -> Vec<Key> {
    let mut keys = vec![Key::new(Glyph::Bar(colour::DATA), t.data_segment)];
    let optional = [
        (
            !p.retrans.is_empty(),
            Glyph::Mark(Marker::Cross, colour::RETRANSMISSION),
            t.sent_again,
        ),
        (!p.acks.is_empty(), Glyph::Line(colour::ACK, 2.0), t.ack),
        (
            !p.window.is_empty(),
            Glyph::Line(colour::WINDOW, 2.0),
            t.window_limit,
        ),
        (!p.sacks.is_empty(), Glyph::Bar(colour::SACK), t.sack_block),
        (
            !p.dup_acks.is_empty(),
            Glyph::Mark(Marker::Triangle, colour::DUP_ACK),
            t.duplicate_ack,
        ),
        (
            !p.zero_windows.is_empty(),
            Glyph::Mark(Marker::Square, colour::ZERO_WINDOW),
            t.zero_window,
        ),
    ];
    keys.extend(
        optional
            .into_iter()
            .filter(|(present, _, _)| *present)
            .map(|(_, glyph, label)| Key::new(glyph, label)),
    );
    keys
}

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &View<'_>,
    pen: Pen,
) -> Result<Drawn> {
    let axis = view.time_axis();
    let x = axis.range();
    let p = parts(view, x.end);
    let t = view.text();
    let layout = frame::layout(
        root,
        pen,
        t.tcptrace_title,
        &view.subtitle(),
        [keys(&p, t), view.break_keys(&axis)].concat(),
    )?;
    let (y, window_cut) = y_range(&p);
    let mut chart = frame::time_chart(
        &layout.chart,
        pen,
        view.lang,
        axis,
        y.clone(),
        view.seq_axis_label().to_string(),
        Unit::plain(),
    )?;
    let (w, h) = frame::plot_pixels(&chart);
    let (cols, rows) = (Bins::time(&axis, w), Bins::new(y.clone(), h));
    let mut tally = Tally::default();
    let lines = [(&p.window, colour::WINDOW), (&p.acks, colour::ACK)];
    for (line, c) in lines {
        let thin = decimate::line(line, &cols, &mut tally);
        for piece in decimate::clip_y(&thin, &y) {
            chart
                .draw_series([PathElement::new(piece, pen.line(c, 1.3))])
                .or_draw()?;
        }
    }
    draw_bars(
        &mut chart,
        &decimate::bars(&p.sacks, &cols, &rows, &mut tally),
        pen,
        colour::SACK,
    )?;
    let data = decimate::bars(&p.data, &cols, &rows, &mut tally);
    draw_bars(&mut chart, &data, pen, colour::DATA)?;
    // tcptrace's I-beam ends, so that a segment shorter than a few pixels
    // still shows; left out where segments crowd into every pixel column.
    if data.len() * 4 < cols.len() {
        let ends = data.iter().flat_map(|b| [(b.0, b.1), (b.0, b.2)]);
        chart
            .draw_series(ends.map(|q| Marker::Tick.at(q, pen.px(6.0), colour::DATA)))
            .or_draw()?;
    }
    let retrans = decimate::bars(&p.retrans, &cols, &rows, &mut tally);
    draw_bars(&mut chart, &retrans, pen, colour::RETRANSMISSION)?;
    let centres: Vec<(f64, f64)> = retrans.iter().map(|b| (b.0, (b.1 + b.2) / 2.0)).collect();
    let marks = [
        (&centres, Marker::Cross, colour::RETRANSMISSION),
        (&p.dup_acks, Marker::Triangle, colour::DUP_ACK),
        (&p.zero_windows, Marker::Square, colour::ZERO_WINDOW),
    ];
    for (points, marker, c) in marks {
        let kept = decimate::markers(points, &cols, &rows, &mut tally);
        chart
            .draw_series(kept.iter().map(|&q| marker.at(q, pen.px(MARKER_PX), c)))
            .or_draw()?;
    }
    let acks = view.returned().filter(|s| s.flags.ack()).count();
    let mut caption = vec![fill(
        t.tcptrace_caption,
        &[
            &view.count(t.n_data_segments, p.data.len() as u64),
            &view.count(t.n_sent_again, p.retrans.len() as u64),
            &view.count(t.n_acks, acks as u64),
            &view.count(t.n_sack_blocks, p.sacks.len() as u64),
            &view.count(t.n_duplicate_acks, p.dup_acks.len() as u64),
            &view.count(t.n_zero_window_acks, p.zero_windows.len() as u64),
        ],
    )];
    caption.extend(frame::merged_note(view.lang, &tally));
    if window_cut {
        caption.push(t.window_cut.into());
    }
    caption.extend(view.range_note());
    caption.extend(view.break_note(&axis));
    layout.finish(&caption)?;
    Ok(Drawn { tally, caption })
}

fn draw_bars<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    bars: &[Bar],
    pen: Pen,
    c: RGBColor,
) -> Result<()> {
    chart
        .draw_series(
            bars.iter()
                .map(|b| PathElement::new(vec![(b.0, b.1), (b.0, b.2)], pen.line(c, 2.0))),
        )
        .or_draw()?;
    Ok(())
}
