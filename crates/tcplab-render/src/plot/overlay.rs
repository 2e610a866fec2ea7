//! Several runs drawn over each other on one time axis (`tcplab compare`):
//! one line per run in the run's colour (`colour::RUNS`), named in the
//! legend, with optional dashed lines (ssthresh), crosses (segments sent
//! again) and one diamond per run (where slow start ended).
//! Time is counted from each run's own first packet, so the runs start
//! together.
//!
//! In: an `Overlay`: what it shows (`OverlayKind`: titles, axes), the
//! traces in data units (seconds; bytes or bit/s) and the caption lines.
//! Out: a `Figure` in the frame every graph shares. Not done here:
//! computing the traces from captures and `TCP_INFO` (that is `compare`).

use super::canvas::{OrDraw, Paint};
use super::decimate::{self, Bins, Tally};
use super::frame::{self, Glyph, Key, DASH, DASH_GAP};
use super::lang::{fill, Lang};
use super::strings::PlotStrings;
use super::style::{colour, Marker, Pen, Style, MARKER_PX};
use super::time_map::TimeMap;
use super::units::Unit;
use super::view::padded_time;
use super::{Drawn, Figure, ImageFormat, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::RGBColor;

/// What an overlay shows: its title, its y axis and what its extra marks mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverlayKind {
    /// Bytes sent (relative sequence number) over time: a Stevens graph per run.
    Sequence,
    /// The sender's congestion window (and ssthresh) in bytes over time.
    Cwnd,
    /// Throughput in bit/s over time.
    Throughput,
}

impl OverlayKind {
    pub const ALL: [OverlayKind; 3] = [
        OverlayKind::Sequence,
        OverlayKind::Cwnd,
        OverlayKind::Throughput,
    ];

    /// The file stem: `sequence.svg`, `cwnd.png` …
    pub fn name(self) -> &'static str {
        match self {
            OverlayKind::Sequence => "sequence",
            OverlayKind::Cwnd => "cwnd",
            OverlayKind::Throughput => "throughput",
        }
    }

    fn title(self, t: &PlotStrings) -> &'static str {
        match self {
            OverlayKind::Sequence => t.overlay_seq_title,
            OverlayKind::Cwnd => t.overlay_cwnd_title,
            OverlayKind::Throughput => t.overlay_throughput_title,
        }
    }

    /// The y axis for values up to `max`: its unit and its label.
    fn y_axis(self, t: &PlotStrings, max: f64) -> (Unit, String) {
        let (unit, template) = match self {
            OverlayKind::Sequence => (Unit::si(max, "B"), t.overlay_seq_axis),
            OverlayKind::Cwnd => (Unit::si(max, "B"), t.overlay_cwnd_axis),
            OverlayKind::Throughput => (Unit::si(max, "bit/s"), t.rate_axis),
        };
        (unit, fill(template, &[&unit.name]))
    }
}

/// One run's marks.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    /// The legend's name for the run (the algorithm).
    pub label: String,
    /// The solid line, sorted by time.
    pub line: Vec<(f64, f64)>,
    /// Dashed pieces (ssthresh while it is set), each sorted by time.
    pub dashed: Vec<Vec<(f64, f64)>>,
    /// Crosses (segments sent again), sorted by time.
    pub crosses: Vec<(f64, f64)>,
    /// A diamond (the end of slow start).
    pub diamond: Option<(f64, f64)>,
}

/// A figure of several runs over each other.
#[derive(Clone, Debug)]
pub struct Overlay {
    pub kind: OverlayKind,
    pub lang: Lang,
    pub subtitle: String,
    pub traces: Vec<Trace>,
    /// Caption lines under the legend (at most three are drawn; a note
    /// is added when points were merged).
    pub caption: Vec<String>,
}

/// Runs one overlay tells apart by colour.
pub const MAX_RUNS: usize = colour::RUNS.len();

/// The colour of the `i`-th run.
pub fn run_colour(i: usize) -> RGBColor {
    colour::RUNS[i % colour::RUNS.len()]
}

const LINE_W: f64 = 2.0;
const DASHED_W: f64 = 1.4;

impl Overlay {
    pub fn render(&self, style: &Style, format: ImageFormat) -> Result<Figure> {
        super::paint_figure(self, style, format)
    }

    fn keys(&self) -> Vec<Key> {
        let t = PlotStrings::of(self.lang);
        let mut keys: Vec<Key> = self
            .traces
            .iter()
            .enumerate()
            .map(|(i, tr)| Key::new(Glyph::Line(run_colour(i), LINE_W), tr.label.clone()))
            .collect();
        if self.traces.iter().any(|tr| !tr.dashed.is_empty()) {
            keys.push(Key::new(
                Glyph::Dashed(colour::NOTE, DASHED_W),
                t.ssthresh_key,
            ));
        }
        if self.traces.iter().any(|tr| !tr.crosses.is_empty()) {
            keys.push(Key::new(
                Glyph::Mark(Marker::Cross, colour::NOTE),
                t.sent_again,
            ));
        }
        if self.traces.iter().any(|tr| tr.diamond.is_some()) {
            keys.push(Key::new(
                Glyph::Mark(Marker::Diamond, colour::NOTE),
                t.slow_start_end_key,
            ));
        }
        keys
    }

    /// The time axis (from 0, every run's first packet, to the last point)
    /// and the highest value of the solid lines, crosses and diamonds.
    fn extent(&self) -> (f64, f64) {
        let points = self
            .traces
            .iter()
            .flat_map(|tr| tr.line.iter().chain(&tr.crosses).chain(tr.diamond.as_ref()));
        points.fold((0.0, 0.0), |(t, y), p| (p.0.max(t), p.1.max(y)))
    }
}

impl Paint for Overlay {
    fn size(&self, style: &Style) -> (u32, u32) {
        (style.width, style.height)
    }

    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, pen: Pen) -> Result<Drawn> {
        let t = PlotStrings::of(self.lang);
        let layout = frame::layout(root, pen, self.kind.title(t), &self.subtitle, self.keys())?;
        let (t_max, y_max) = self.extent();
        let x = padded_time(0.0, t_max.max(1e-3));
        let y = 0.0..(y_max * 1.08).max(1.0);
        let (y_unit, y_desc) = self.kind.y_axis(t, y_max);
        let (x_unit, _) = frame::time_axis(self.lang, &x);
        let mut chart = frame::chart(
            &layout.chart,
            pen,
            &frame::Axes {
                x: TimeMap::linear(x.clone()),
                y: y.clone(),
                x_desc: fill(t.overlay_time_axis, &[&x_unit.name]),
                y_desc,
                x_unit,
                y_unit,
                lang: self.lang,
            },
        )?;
        let (w, h) = frame::plot_pixels(&chart);
        let (cols, rows) = (Bins::time(&TimeMap::linear(x), w), Bins::new(y.clone(), h));
        let mut tally = Tally::default();
        for (i, tr) in self.traces.iter().enumerate() {
            let c = run_colour(i);
            for piece in &tr.dashed {
                let thin = decimate::line(piece, &cols, &mut tally);
                for part in decimate::clip_y(&thin, &y) {
                    chart
                        .draw_series([plotters::element::DashedPathElement::new(
                            part,
                            pen.px(DASH),
                            pen.px(DASH_GAP),
                            pen.line(c, DASHED_W),
                        )])
                        .or_draw()?;
                }
            }
            let thin = decimate::line(&tr.line, &cols, &mut tally);
            chart
                .draw_series([PathElement::new(thin, pen.line(c, LINE_W))])
                .or_draw()?;
            let crosses = decimate::markers(&tr.crosses, &cols, &rows, &mut tally);
            chart
                .draw_series(
                    crosses
                        .iter()
                        .map(|&p| Marker::Cross.at(p, pen.px(MARKER_PX), c)),
                )
                .or_draw()?;
            if let Some(p) = tr.diamond {
                chart
                    .draw_series([Marker::Diamond.at(p, pen.px(15.0), c)])
                    .or_draw()?;
            }
        }
        let mut caption = self.caption.clone();
        caption.extend(frame::merged_note(self.lang, &tally));
        layout.finish(&caption)?;
        Ok(Drawn { tally, caption })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_runs() -> Overlay {
        let trace = |label: &str, k: f64| Trace {
            label: label.into(),
            line: (0..50)
                .map(|i| (f64::from(i) * 0.01, k * f64::from(i)))
                .collect(),
            dashed: vec![vec![(0.2, 30.0 * k), (0.49, 30.0 * k)]],
            crosses: vec![(0.3, 10.0)],
            diamond: Some((0.2, 20.0 * k)),
        };
        Overlay {
            kind: OverlayKind::Cwnd,
            lang: Lang::En,
            subtitle: "two runs".into(),
            traces: vec![trace("reno", 1000.0), trace("cubic", 1500.0)],
            caption: vec!["a caption".into()],
        }
    }

    #[test]
    fn legend_names_each_run_once() {
        let fig = two_runs()
            .render(&Style::default(), ImageFormat::Svg)
            .unwrap();
        let svg = fig.as_svg().unwrap();
        // plotters writes each text on a line of its own.
        for name in ["reno", "cubic"] {
            assert_eq!(
                svg.lines().filter(|l| l.trim() == name).count(),
                1,
                "{name}"
            );
        }
        assert!(svg.contains("ssthresh (dashed"));
        assert!(svg.contains("end of slow start"));
        assert!(svg.contains("Congestion window (kB)"));
        assert!(svg.contains("a caption"));
        assert_eq!(fig.graph, None);
    }

    #[test]
    fn png_has_the_style_size() {
        let fig = two_runs()
            .render(&Style::default(), ImageFormat::Png)
            .unwrap();
        assert_eq!((fig.width, fig.height), (2048, 1280));
    }
}
