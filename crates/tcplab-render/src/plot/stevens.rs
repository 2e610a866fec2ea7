//! The Stevens graph (TCP/IP Illustrated, vol. 1): the sequence number of
//! each data segment against time, for one direction. A straight climb is a
//! steady transfer; flat steps are waits; a dot below the line is a
//! segment sent again, drawn again as a red cross.

use super::canvas::OrDraw;
use super::collect::SegPoint;
use super::decimate::{self, Bins, Tally};
use super::frame::{self, Glyph, Key};
use super::lang::fill;
use super::style::{colour, Marker, Pen};
use super::units::Unit;
use super::{Drawn, Result, View};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Data sent again, by the analysis's one rule (`tcplab_analysis::SentAgain`).
pub fn is_sent_again(p: &SegPoint) -> bool {
    p.sent_again.is_some()
}

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &View<'_>,
    pen: Pen,
) -> Result<Drawn> {
    let data: Vec<&SegPoint> = view.sent().filter(|p| p.len > 0).collect();
    let points: Vec<(f64, f64)> = data.iter().map(|p| (p.t, view.seq_y(p.seq))).collect();
    let retrans: Vec<(f64, f64)> = data
        .iter()
        .filter(|p| is_sent_again(p))
        .map(|p| (p.t, view.seq_y(p.seq)))
        .collect();
    let (lo, hi) = points.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
        (lo.min(p.1), hi.max(p.1))
    });
    let y = if points.is_empty() {
        0.0..1.0
    } else {
        frame::padded(lo, hi, 0.04)
    };
    let t = view.text();
    let mut keys = vec![Key::new(
        Glyph::Mark(Marker::Dot, colour::DATA),
        t.data_segment,
    )];
    if !retrans.is_empty() {
        keys.push(Key::new(
            Glyph::Mark(Marker::Cross, colour::RETRANSMISSION),
            t.sent_again,
        ));
    }
    let axis = view.time_axis();
    keys.extend(view.break_keys(&axis));
    let layout = frame::layout(root, pen, t.stevens_title, &view.subtitle(), keys)?;
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
    let (cols, rows) = (Bins::time(&axis, w), Bins::new(y, h));
    let mut tally = Tally::default();
    let dots = decimate::markers(&points, &cols, &rows, &mut tally);
    let crosses = decimate::markers(&retrans, &cols, &rows, &mut tally);
    let dot = pen.px(6.0);
    chart
        .draw_series(dots.iter().map(|&p| Marker::Dot.at(p, dot, colour::DATA)))
        .or_draw()?;
    chart
        .draw_series(
            crosses
                .iter()
                .map(|&p| Marker::Cross.at(p, pen.px(11.0), colour::RETRANSMISSION)),
        )
        .or_draw()?;
    let bytes: u64 = data.iter().map(|p| u64::from(p.len)).sum();
    let mut caption = vec![if data.is_empty() {
        fill(t.stevens_no_data, &[&view.direction_label()])
    } else {
        fill(
            t.stevens_caption,
            &[
                &view.count(t.n_data_segments, data.len() as u64),
                &view.count(t.n_payload_bytes, bytes),
                &view.count(t.n_sent_again, retrans.len() as u64),
            ],
        )
    }];
    caption.extend(frame::merged_note(view.lang, &tally));
    if view.wrapped() {
        caption.push(t.seq_wrapped.into());
    }
    caption.extend(view.range_note());
    caption.extend(view.break_note(&axis));
    layout.finish(&caption)?;
    Ok(Drawn { tally, caption })
}
