//! Window over time: the receive window the data receiver advertises
//! (scaled by its window scale option, RFC 7323 §2) as a step line, the
//! bytes the sender has in flight (sent, not yet acknowledged), and a mark
//! wherever the receiver advertised a zero window. In flight reaching the
//! window line is a sender limited by the receiver.

use super::canvas::OrDraw;
use super::decimate::{self, Bins, Tally};
use super::frame::{self, Glyph, Key};
use super::style::{colour, Marker, Pen, MARKER_PX};
use super::units::{thousands, Unit};
use super::{Drawn, Result, View};
use crate::analysis::Event;
use plotters::coord::Shift;
use plotters::prelude::*;

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &View<'_>,
    pen: Pen,
) -> Result<Drawn> {
    let x = view.time_range();
    let in_range = |t: f64| t >= x.start && t <= x.end;
    let (sender, receiver) = view.series.endpoints(view.dir);
    let windows: Vec<(f64, f64)> = view
        .returned()
        .filter(|p| in_range(p.t))
        .map(|p| (p.t, f64::from(p.window)))
        .collect();
    let flight: Vec<(f64, f64)> = view
        .sent()
        .filter(|p| in_range(p.t))
        .filter_map(|p| p.in_flight.map(|b| (p.t, f64::from(b))))
        .collect();
    let zeros: Vec<(f64, f64)> = view
        .returned()
        .filter(|p| in_range(p.t) && p.events.contains(Event::ZeroWindow))
        .map(|p| (p.t, 0.0))
        .collect();
    let mut keys = vec![
        Key::new(
            Glyph::Line(colour::WINDOW, 2.0),
            format!("receive window advertised by {receiver}"),
        ),
        Key::new(
            Glyph::Line(colour::DATA, 1.4),
            format!("bytes in flight from {sender}"),
        ),
    ];
    if !zeros.is_empty() {
        keys.push(Key::new(
            Glyph::Mark(Marker::Square, colour::ZERO_WINDOW),
            "zero window",
        ));
    }
    let layout = frame::layout(
        root,
        pen,
        "Receive window and bytes in flight over time",
        &view.subtitle(),
        keys,
    )?;
    let peak = windows
        .iter()
        .chain(&flight)
        .map(|p| p.1)
        .fold(0.0, f64::max);
    let unit = Unit::si(peak, "B");
    let y = -(peak.max(1.0) * 0.02)..peak.max(1.0) * 1.08;
    let mut chart = frame::time_chart(
        &layout.chart,
        pen,
        x.clone(),
        y.clone(),
        if unit.name == "B" {
            "Bytes".to_string()
        } else {
            format!("Bytes ({})", unit.name)
        },
        unit,
    )?;
    let (w, h) = frame::plot_pixels(&chart);
    let (cols, rows) = (Bins::new(x.clone(), w), Bins::new(y, h));
    let mut tally = Tally::default();
    let lines = [
        (decimate::steps(&windows, x.end), colour::WINDOW, 2.0),
        // In flight is known at the sender's segments only: the line ends
        // at the last one rather than guess what the ACKs after it left.
        (
            decimate::steps(&flight, flight.last().map_or(x.end, |p| p.0)),
            colour::DATA,
            1.4,
        ),
    ];
    for (points, c, width) in lines {
        let thin = decimate::line(&points, &cols, &mut tally);
        chart
            .draw_series([PathElement::new(thin, pen.line(c, width))])
            .or_draw()?;
    }
    let marks = decimate::markers(&zeros, &cols, &rows, &mut tally);
    chart
        .draw_series(
            marks
                .iter()
                .map(|&p| Marker::Square.at(p, pen.px(MARKER_PX), colour::ZERO_WINDOW)),
        )
        .or_draw()?;
    let max_window = windows.iter().map(|p| p.1).fold(0.0, f64::max);
    let mut caption = vec![format!(
        "{} window advertisements (largest {} bytes), {} zero windows; largest in flight {} bytes",
        thousands(windows.len() as u64),
        thousands(max_window as u64),
        thousands(zeros.len() as u64),
        thousands(flight.iter().map(|p| p.1).fold(0.0, f64::max) as u64),
    )];
    if view.series.unscaled_window[view.dir.reverse().index()] {
        caption.push(format!(
            "The handshake was not captured, so {receiver}'s window scale is unknown: its windows are drawn unscaled."
        ));
    }
    caption.extend(frame::merged_note(&tally));
    caption.extend(view.range_note());
    layout.finish(&caption)?;
    Ok(Drawn { tally, caption })
}
