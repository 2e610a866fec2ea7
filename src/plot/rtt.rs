//! Round-trip time of the data sender's segments over time: one dot per
//! ACK RTT sample (data segment to the ACK that first covers it), one
//! diamond per timestamp sample (TSval to its first echo, RFC 7323) when
//! the connection uses timestamps, and the smoothed RTT a sender computes
//! from the ACK samples (RFC 6298 §2: SRTT ← 7/8 SRTT + 1/8 R).

use super::canvas::OrDraw;
use super::decimate::{self, Bins, Tally};
use super::frame::{self, Glyph, Key};
use super::style::{colour, Marker, Pen, MARKER_PX};
use super::units::{duration, thousands, Unit};
use super::{Drawn, Result, View};
use plotters::coord::Shift;
use plotters::prelude::*;

/// RFC 6298's α.
const ALPHA: f64 = 1.0 / 8.0;

/// The smoothed RTT after each sample: the first sample sets it (§2.2),
/// each later one moves it by α (§2.3).
pub fn smoothed(samples: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut srtt: Option<f64> = None;
    samples
        .iter()
        .map(|&(t, r)| {
            let s = srtt.map_or(r, |s| (1.0 - ALPHA) * s + ALPHA * r);
            srtt = Some(s);
            (t, s)
        })
        .collect()
}

pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: &View<'_>,
    pen: Pen,
) -> Result<Drawn> {
    let x = view.time_range();
    let in_range = |t: f64| t >= x.start && t <= x.end;
    let acks: Vec<(f64, f64)> = view
        .returned()
        .filter_map(|p| p.ack_rtt.map(|r| (p.t, r)))
        .filter(|s| in_range(s.0))
        .collect();
    let stamps: Vec<(f64, f64)> = view
        .returned()
        .filter_map(|p| p.ts_rtt.map(|r| (p.t, r)))
        .filter(|s| in_range(s.0))
        .collect();
    let srtt = smoothed(&acks);
    let mut keys = vec![Key::new(
        Glyph::Mark(Marker::Dot, colour::ACK),
        "ACK RTT sample",
    )];
    if !stamps.is_empty() {
        keys.push(Key::new(
            Glyph::Mark(Marker::Diamond, colour::TIMESTAMP),
            "timestamp RTT sample",
        ));
    }
    keys.push(Key::new(
        Glyph::Line(colour::SMOOTH, 2.2),
        "smoothed RTT (RFC 6298)",
    ));
    let layout = frame::layout(
        root,
        pen,
        "Round-trip time over time",
        &view.subtitle(),
        keys,
    )?;
    let peak = acks.iter().chain(&stamps).map(|s| s.1).fold(0.0, f64::max);
    let unit = Unit::time(peak);
    let y = 0.0..if peak > 0.0 { peak * 1.08 } else { 1e-3 };
    let mut chart = frame::time_chart(
        &layout.chart,
        pen,
        x.clone(),
        y.clone(),
        format!("Round-trip time ({})", unit.name),
        unit,
    )?;
    let (w, h) = frame::plot_pixels(&chart);
    let (cols, rows) = (Bins::new(x.clone(), w), Bins::new(y, h));
    let mut tally = Tally::default();
    let dots = decimate::markers(&acks, &cols, &rows, &mut tally);
    chart
        .draw_series(
            dots.iter()
                .map(|&p| Marker::Dot.at(p, pen.px(7.0), colour::ACK)),
        )
        .or_draw()?;
    let diamonds = decimate::markers(&stamps, &cols, &rows, &mut tally);
    chart
        .draw_series(
            diamonds
                .iter()
                .map(|&p| Marker::Diamond.at(p, pen.px(MARKER_PX), colour::TIMESTAMP)),
        )
        .or_draw()?;
    // SRTT holds its value until the next sample.
    let line = decimate::line(&decimate::steps(&srtt, x.end), &cols, &mut tally);
    chart
        .draw_series([PathElement::new(line, pen.line(colour::SMOOTH, 2.2))])
        .or_draw()?;
    let mut caption = vec![summary(&acks, &stamps, &srtt)];
    caption.extend(frame::merged_note(&tally));
    caption.extend(view.range_note());
    layout.finish(&caption)?;
    Ok(Drawn { tally, caption })
}

fn summary(acks: &[(f64, f64)], stamps: &[(f64, f64)], srtt: &[(f64, f64)]) -> String {
    if acks.is_empty() && stamps.is_empty() {
        return "No RTT sample: no data segment of this direction was acknowledged in the capture."
            .into();
    }
    let stats = |s: &[(f64, f64)]| {
        let (lo, hi, sum) = s.iter().fold((f64::MAX, 0.0f64, 0.0), |(lo, hi, sum), p| {
            (lo.min(p.1), hi.max(p.1), sum + p.1)
        });
        format!(
            "min {}, mean {}, max {}",
            duration(lo),
            duration(sum / s.len() as f64),
            duration(hi)
        )
    };
    let mut text = format!("{} ACK RTT samples", thousands(acks.len() as u64));
    if !acks.is_empty() {
        text += &format!(" ({})", stats(acks));
    }
    if !stamps.is_empty() {
        text += &format!(
            "; {} timestamp samples ({})",
            thousands(stamps.len() as u64),
            stats(stamps)
        );
    }
    if let Some((_, last)) = srtt.last() {
        text += &format!("; final SRTT {}", duration(*last));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srtt_starts_at_the_first_sample_and_moves_by_an_eighth() {
        let s = smoothed(&[(0.0, 8.0), (1.0, 16.0), (2.0, 16.0)]);
        assert_eq!(s, vec![(0.0, 8.0), (1.0, 9.0), (2.0, 9.875)]);
    }
}
