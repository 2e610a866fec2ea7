//! Round-trip time of the data sender's segments over time: one dot per
//! ACK RTT sample (data segment to the ACK that first covers it), one
//! diamond per timestamp sample (TSval to its first echo, RFC 7323) when
//! the connection uses timestamps, and the smoothed RTT a sender computes
//! from the ACK samples (RFC 6298 §2: SRTT ← 7/8 SRTT + 1/8 R).

use super::canvas::OrDraw;
use super::decimate::{self, Bins, Tally};
use super::frame::{self, Glyph, Key};
use super::lang::fill;
use super::style::{colour, Marker, Pen, MARKER_PX};
use super::units::Unit;
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
    let axis = view.time_axis();
    let x = axis.range();
    let in_range = |t: f64| t >= x.start && t <= x.end;
    let acks: Vec<(f64, f64)> = view
        .returned()
        .filter_map(|p| p.ack_rtt.map(|r| (p.t, r)))
        .filter(|s| in_range(s.0))
        .collect();
    let stamps: Vec<(f64, f64)> = view
        .returned()
        .filter_map(|p| p.ts_rtt.map(|r| (p.t, f64::from(r))))
        .filter(|s| in_range(s.0))
        .collect();
    let srtt = smoothed(&acks);
    let kernel = view.sender_kernel().map(|k| k.srtt(&x)).unwrap_or_default();
    let t = view.text();
    let mut keys = vec![Key::new(
        Glyph::Mark(Marker::Dot, colour::ACK),
        t.ack_rtt_sample,
    )];
    if !stamps.is_empty() {
        keys.push(Key::new(
            Glyph::Mark(Marker::Diamond, colour::TIMESTAMP),
            t.timestamp_rtt_sample,
        ));
    }
    keys.push(Key::new(Glyph::Line(colour::SMOOTH, 2.2), t.smoothed_rtt));
    if !kernel.is_empty() {
        let (sender, _) = view.series.endpoints(view.dir);
        keys.push(Key::new(
            Glyph::Line(colour::KERNEL, 1.8),
            fill(t.kernel_srtt, &[&sender]),
        ));
    }
    keys.extend(view.break_keys(&axis));
    let layout = frame::layout(root, pen, t.rtt_title, &view.subtitle(), keys)?;
    let peak = acks
        .iter()
        .chain(&stamps)
        .chain(&kernel)
        .map(|s| s.1)
        .fold(0.0, f64::max);
    let unit = Unit::time(peak);
    let y = 0.0..if peak > 0.0 { peak * 1.08 } else { 1e-3 };
    let mut chart = frame::time_chart(
        &layout.chart,
        pen,
        view.lang,
        axis,
        y.clone(),
        fill(t.rtt_axis, &[&unit.name]),
        unit,
    )?;
    let (w, h) = frame::plot_pixels(&chart);
    let (cols, rows) = (Bins::time(&axis, w), Bins::new(y, h));
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
    if let Some(&(end, _)) = kernel.last() {
        let line = decimate::line(&decimate::steps(&kernel, end), &cols, &mut tally);
        chart
            .draw_series([PathElement::new(line, pen.line(colour::KERNEL, 1.8))])
            .or_draw()?;
    }
    let mut caption = vec![summary(view, &acks, &stamps, &srtt)];
    if let (Some(first), Some(last)) = (kernel.first(), kernel.last()) {
        caption.push(fill(
            t.kernel_srtt_note,
            &[&view.duration(first.1), &view.duration(last.1)],
        ));
    }
    caption.extend(frame::merged_note(view.lang, &tally));
    caption.extend(view.range_note());
    caption.extend(view.break_note(&axis));
    layout.finish(&caption)?;
    Ok(Drawn { tally, caption })
}

/// "94 ACK RTT samples (min 11 µs, mean 2.1 ms, max 24.3 ms); … ; final SRTT 3 ms".
fn summary(
    view: &View<'_>,
    acks: &[(f64, f64)],
    stamps: &[(f64, f64)],
    srtt: &[(f64, f64)],
) -> String {
    let t = view.text();
    if acks.is_empty() && stamps.is_empty() {
        return t.rtt_none.into();
    }
    let stats = |s: &[(f64, f64)]| {
        let (lo, hi, sum) = s.iter().fold((f64::MAX, 0.0f64, 0.0), |(lo, hi, sum), p| {
            (lo.min(p.1), hi.max(p.1), sum + p.1)
        });
        let mean = sum / s.len() as f64;
        fill(
            t.rtt_stats,
            &[&view.duration(lo), &view.duration(mean), &view.duration(hi)],
        )
    };
    let mut text = view.count(t.n_ack_rtt_samples, acks.len() as u64);
    if !acks.is_empty() {
        text += &format!(" ({})", stats(acks));
    }
    if !stamps.is_empty() {
        let n = view.count(t.n_timestamp_samples, stamps.len() as u64);
        text += &format!("; {n} ({})", stats(stamps));
    }
    if let Some((_, last)) = srtt.last() {
        text += "; ";
        text += &fill(t.final_srtt, &[&view.duration(*last)]);
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
