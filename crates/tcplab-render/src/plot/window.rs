//! Window over time: the receive window the data receiver advertises
//! (scaled by its window scale option, RFC 7323 §2) as a step line, the
//! bytes the sender has in flight (sent, not yet acknowledged), and a mark
//! wherever the receiver advertised a zero window. In flight reaching the
//! window line is a sender limited by the receiver.

use super::canvas::OrDraw;
use super::decimate::{self, Bins, Tally};
use super::frame::{self, Glyph, Key, DASH, DASH_GAP, DOT, DOT_GAP};
use super::lang::fill;
use super::style::{colour, Marker, Pen, MARKER_PX};
use super::units::Unit;
use super::{Drawn, Result, View};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use tcplab_analysis::Event;

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &View<'_>,
    pen: Pen,
) -> Result<Drawn> {
    let axis = view.time_axis();
    let x = axis.range();
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
    let kernel = view.sender_kernel();
    let cwnd = kernel.map(|k| k.cwnd(&x)).unwrap_or_default();
    let ssthresh = kernel.map(|k| k.ssthresh(&x)).unwrap_or_default();
    let t = view.text();
    let mut keys = vec![
        Key::new(
            Glyph::Line(colour::WINDOW, 2.0),
            fill(t.window_advertised_by, &[&receiver]),
        ),
        Key::new(
            Glyph::Line(colour::DATA, 1.4),
            fill(t.in_flight_from, &[&sender]),
        ),
    ];
    if !cwnd.is_empty() {
        keys.push(Key::new(
            Glyph::Dashed(colour::KERNEL, 2.2),
            fill(t.kernel_cwnd, &[&sender]),
        ));
    }
    if !ssthresh.is_empty() {
        keys.push(Key::new(
            Glyph::Dotted(colour::SSTHRESH, 1.6),
            fill(t.kernel_ssthresh, &[&sender]),
        ));
    }
    if !zeros.is_empty() {
        keys.push(Key::new(
            Glyph::Mark(Marker::Square, colour::ZERO_WINDOW),
            t.zero_window,
        ));
    }
    keys.extend(view.break_keys(&axis));
    let layout = frame::layout(root, pen, t.window_title, &view.subtitle(), keys)?;
    // The threshold may start far above everything else; the axis follows
    // the windows, the flight and the cwnd (ssthresh is clipped).
    let peak = windows
        .iter()
        .chain(&flight)
        .chain(&cwnd)
        .map(|p| p.1)
        .fold(0.0, f64::max);
    let unit = Unit::si(peak, "B");
    let y = -(peak.max(1.0) * 0.02)..peak.max(1.0) * 1.08;
    let mut chart = frame::time_chart(
        &layout.chart,
        pen,
        view.lang,
        axis,
        y.clone(),
        if unit.name == "B" {
            t.bytes_axis.to_string()
        } else {
            fill(t.bytes_axis_unit, &[&unit.name])
        },
        unit,
    )?;
    let (w, h) = frame::plot_pixels(&chart);
    let (cols, rows) = (Bins::time(&axis, w), Bins::new(y, h));
    let mut tally = Tally::default();
    let kernel_end = cwnd.last().map_or(x.end, |p| p.0);
    let top = peak.max(1.0) * 1.08;
    let clipped: Vec<(f64, f64)> = ssthresh.iter().map(|&(t, v)| (t, v.min(top))).collect();
    // Each line has its own pattern as well as its colour: where the
    // flight runs right on cwnd, the dashes of cwnd still show over it.
    let lines = [
        (decimate::steps(&windows, x.end), colour::WINDOW, 2.0, None),
        // In flight is known at the sender's segments only: the line ends
        // at the last one rather than guess what the ACKs after it left.
        (
            decimate::steps(&flight, flight.last().map_or(x.end, |p| p.0)),
            colour::DATA,
            1.4,
            None,
        ),
        (
            decimate::steps(&cwnd, kernel_end),
            colour::KERNEL,
            2.2,
            Some((DASH, DASH_GAP)),
        ),
        (
            decimate::steps(&clipped, kernel_end),
            colour::SSTHRESH,
            1.6,
            Some((DOT, DOT_GAP)),
        ),
    ];
    for (points, c, width, dashes) in lines {
        let thin = decimate::line(&points, &cols, &mut tally);
        match dashes {
            None => chart
                .draw_series([PathElement::new(thin, pen.line(c, width))])
                .or_draw()?,
            Some((on, off)) => chart
                .draw_series([DashedPathElement::new(
                    thin,
                    pen.px(on),
                    pen.px(off),
                    pen.line(c, width),
                )])
                .or_draw()?,
        };
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
    let max_flight = flight.iter().map(|p| p.1).fold(0.0, f64::max);
    let mut caption = vec![fill(
        t.window_caption,
        &[
            &view.count(t.n_window_adverts, windows.len() as u64),
            &view.thousands(max_window as u64),
            &view.count(t.n_zero_windows, zeros.len() as u64),
            &view.thousands(max_flight as u64),
        ],
    )];
    if let Some(max_cwnd) = cwnd.iter().map(|p| p.1 as u64).max() {
        let max_cwnd = view.thousands(max_cwnd);
        // Each sentence on a line of its own: a caption line does not wrap.
        match flight_against_cwnd(&flight, &cwnd) {
            // Said only when the samples show it.
            (covered, 0) if covered > 0 => {
                caption.push(fill(t.kernel_cwnd_note, &[&max_cwnd]));
            }
            (0, _) => {
                caption.push(fill(t.kernel_cwnd_sampled, &[&max_cwnd]));
                caption.push(t.kernel_cwnd_none_during.to_string());
            }
            (_, over) => {
                caption.push(fill(t.kernel_cwnd_sampled, &[&max_cwnd]));
                caption.push(fill(
                    t.kernel_cwnd_grew,
                    &[&view.thousands(over), &view.thousands(flight.len() as u64)],
                ));
            }
        }
    }
    if view.series.unscaled_window[view.dir.reverse().index()] {
        caption.push(fill(t.window_unscaled, &[&receiver]));
    }
    caption.extend(frame::merged_note(view.lang, &tally));
    caption.extend(view.range_note());
    caption.extend(view.break_note(&axis));
    layout.finish(&caption)?;
    Ok(Drawn { tally, caption })
}

/// Of the sender's segments (`flight`, in time order), how many came after
/// a `TCP_INFO` sample (`cwnd`, in time order), and how many of those had
/// more bytes in flight than the last sample's congestion window: the
/// window grew between samples (a transfer quicker than the sampling).
fn flight_against_cwnd(flight: &[(f64, f64)], cwnd: &[(f64, f64)]) -> (u64, u64) {
    let (mut covered, mut over, mut next) = (0, 0, 0);
    let mut last = None;
    for &(t, bytes) in flight {
        while let Some(&(_, c)) = cwnd.get(next).filter(|s| s.0 <= t) {
            last = Some(c);
            next += 1;
        }
        if let Some(c) = last {
            covered += 1;
            over += u64::from(bytes > c);
        }
    }
    (covered, over)
}

#[cfg(test)]
mod tests {
    use super::flight_against_cwnd;

    #[test]
    fn flight_is_checked_against_the_last_sample_before_it() {
        let cwnd = [(1.0, 10.0), (3.0, 20.0)];
        // Before any sample: not covered; 15 > 10 at t=2; 15 <= 20 at t=3.
        let flight = [(0.5, 99.0), (2.0, 15.0), (3.0, 15.0), (4.0, 21.0)];
        assert_eq!(flight_against_cwnd(&flight, &cwnd), (3, 2));
        assert_eq!(flight_against_cwnd(&flight, &[]), (0, 0));
        assert_eq!(flight_against_cwnd(&[(2.0, 5.0)], &cwnd), (1, 0));
    }
}
