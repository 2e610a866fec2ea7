//! The frame every chart sits in: title and subtitle on top, the chart,
//! then a legend row and a caption under it (outside the plotting area, so
//! they never hide data), and the axes with their units.
//!
//! In: a root drawing area and texts. Out: the area for the chart and, once
//! the graph has drawn, the legend and caption drawn under it.

use super::break_mark;
use super::canvas::OrDraw;
use super::lang::{fill, Lang};
use super::strings::PlotStrings;
use super::style::{colour, Marker, Pen};
use super::time_map::TimeMap;
use super::units::Unit;
use super::Result;
use plotters::coord::ranged1d::Ranged;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::ops::Range;

pub type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<TimeMap, RangedCoordf64>>;

/// How a series looks in the legend.
#[derive(Clone, Copy, Debug)]
pub enum Glyph {
    /// A line of this width (CSS px).
    Line(RGBColor, f64),
    /// A dashed line of this width (CSS px).
    Dashed(RGBColor, f64),
    /// A dotted line (short dashes) of this width (CSS px).
    Dotted(RGBColor, f64),
    /// A vertical bar (tcptrace segments, SACK blocks).
    Bar(RGBColor),
    Mark(Marker, RGBColor),
    /// A shaded area with its outline (throughput).
    Area(RGBColor),
    /// The mark of an axis break (`//`).
    Break,
}

#[derive(Clone, Debug)]
pub struct Key {
    pub glyph: Glyph,
    pub label: String,
}

impl Key {
    pub fn new(glyph: Glyph, label: impl Into<String>) -> Key {
        Key {
            glyph,
            label: label.into(),
        }
    }
}

/// The areas of a figure.
pub struct Layout<DB: DrawingBackend> {
    pub chart: DrawingArea<DB, Shift>,
    legend: DrawingArea<DB, Shift>,
    caption: DrawingArea<DB, Shift>,
    /// Legend keys with their label widths, one `Vec` per row.
    rows: Vec<Vec<(Key, i32)>>,
    pub pen: Pen,
}

const TITLE_H: f64 = 64.0;
const LEGEND_ROW_H: f64 = 28.0;
const CAPTION_H: f64 = 66.0;
const KEY_GLYPH_W: f64 = 24.0;
const KEY_GAP: f64 = 6.0;
const KEY_SPACE: f64 = 22.0;
/// Dashes of a dashed line and the gaps between them (CSS px).
pub const DASH: f64 = 7.0;
pub const DASH_GAP: f64 = 5.0;
/// The same for a dotted line.
pub const DOT: f64 = 2.0;
pub const DOT_GAP: f64 = 4.0;

/// Height (CSS px) of everything but the chart, with one legend row: for
/// figures that size the chart area to their content (the ladder).
pub fn chrome_height() -> f64 {
    TITLE_H + LEGEND_ROW_H + CAPTION_H
}

/// Fills the background, writes the title and subtitle, and splits the rest
/// into the chart, the legend rows (as many as `keys` need) and the caption.
pub fn layout<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    pen: Pen,
    title: &str,
    subtitle: &str,
    keys: Vec<Key>,
) -> Result<Layout<DB>> {
    root.fill(&WHITE).or_draw()?;
    let (w, h) = root.dim_in_pixel();
    let centre = Pos::new(HPos::Center, VPos::Top);
    let x = (w / 2) as i32;
    root.draw(&Text::new(
        title,
        (x, pen.px(12.0)),
        pen.text(21.0, colour::TEXT).pos(centre),
    ))
    .or_draw()?;
    root.draw(&Text::new(
        subtitle,
        (x, pen.px(40.0)),
        pen.text(14.5, colour::NOTE).pos(centre),
    ))
    .or_draw()?;
    let rows = legend_rows(root, pen, keys, w as i32 - pen.px(40.0))?;
    let legend_h = pen.px(LEGEND_ROW_H * rows.len() as f64);
    let (_, rest) = root.split_vertically(pen.px(TITLE_H));
    let chart_h = (h as i32 - pen.px(TITLE_H + CAPTION_H) - legend_h).max(1);
    let (chart, bottom) = rest.split_vertically(chart_h);
    let (legend, caption) = bottom.split_vertically(legend_h);
    Ok(Layout {
        chart,
        legend,
        caption,
        rows,
        pen,
    })
}

fn key_style(pen: Pen) -> TextStyle<'static> {
    pen.text(14.0, colour::TEXT)
}

/// Packs the keys into rows no wider than `max_w`.
fn legend_rows<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pen: Pen,
    keys: Vec<Key>,
    max_w: i32,
) -> Result<Vec<Vec<(Key, i32)>>> {
    let style = key_style(pen);
    let mut rows: Vec<Vec<(Key, i32)>> = Vec::new();
    let mut row_w = 0;
    for key in keys {
        let (w, _) = area.estimate_text_size(&key.label, &style).or_draw()?;
        let w = w as i32;
        let need = pen.px(KEY_GLYPH_W + KEY_GAP) + w;
        match rows.last_mut() {
            Some(row) if row_w + pen.px(KEY_SPACE) + need <= max_w => {
                row_w += pen.px(KEY_SPACE) + need;
                row.push((key, w));
            }
            _ => {
                row_w = need;
                rows.push(vec![(key, w)]);
            }
        }
    }
    Ok(rows)
}

impl<DB: DrawingBackend> Layout<DB> {
    /// Draws the legend rows (centred) and up to three caption lines.
    pub fn finish(&self, caption: &[String]) -> Result<()> {
        let pen = self.pen;
        let (glyph_w, gap, space) = (pen.px(KEY_GLYPH_W), pen.px(KEY_GAP), pen.px(KEY_SPACE));
        let (lw, _) = self.legend.dim_in_pixel();
        for (r, row) in self.rows.iter().enumerate() {
            let total: i32 = row.iter().map(|(_, w)| glyph_w + gap + w).sum::<i32>()
                + space * (row.len() as i32 - 1).max(0);
            let mut x = ((lw as i32 - total) / 2).max(pen.px(8.0));
            let y = pen.px(LEGEND_ROW_H * (r as f64 + 0.5));
            for (key, w) in row {
                self.draw_glyph(key.glyph, x, y, glyph_w)?;
                let left = Pos::new(HPos::Left, VPos::Center);
                self.legend
                    .draw(&Text::new(
                        key.label.as_str(),
                        (x + glyph_w + gap, y),
                        key_style(pen).pos(left),
                    ))
                    .or_draw()?;
                x += glyph_w + gap + w + space;
            }
        }
        let (cw, _) = self.caption.dim_in_pixel();
        for (i, line) in caption.iter().take(3).enumerate() {
            self.caption
                .draw(&Text::new(
                    line.as_str(),
                    ((cw / 2) as i32, pen.px(6.0 + 19.0 * i as f64)),
                    pen.text(13.0, colour::NOTE)
                        .pos(Pos::new(HPos::Center, VPos::Top)),
                ))
                .or_draw()?;
        }
        Ok(())
    }

    fn draw_glyph(&self, glyph: Glyph, x: i32, y: i32, w: i32) -> Result<()> {
        let pen = self.pen;
        let area = &self.legend;
        match glyph {
            Glyph::Line(c, width) => area
                .draw(&PathElement::new(
                    vec![(x, y), (x + w, y)],
                    pen.line(c, width),
                ))
                .or_draw(),
            Glyph::Dashed(c, width) => area
                .draw(&plotters::element::DashedPathElement::new(
                    vec![(x, y), (x + w, y)],
                    pen.px(DASH),
                    pen.px(DASH_GAP),
                    pen.line(c, width),
                ))
                .or_draw(),
            Glyph::Dotted(c, width) => area
                .draw(&plotters::element::DashedPathElement::new(
                    vec![(x, y), (x + w, y)],
                    pen.px(DOT),
                    pen.px(DOT_GAP),
                    pen.line(c, width),
                ))
                .or_draw(),
            Glyph::Bar(c) => area
                .draw(&PathElement::new(
                    vec![(x + w / 2, y - pen.px(8.0)), (x + w / 2, y + pen.px(8.0))],
                    pen.line(c, 2.5),
                ))
                .or_draw(),
            Glyph::Area(c) => {
                let (top, bottom) = (y - pen.px(6.0), y + pen.px(6.0));
                area.draw(&Rectangle::new(
                    [(x, top), (x + w, bottom)],
                    c.mix(0.22).filled(),
                ))
                .or_draw()?;
                area.draw(&PathElement::new(
                    vec![(x, bottom), (x, top), (x + w, top), (x + w, bottom)],
                    pen.line(c, 1.0),
                ))
                .or_draw()
            }
            Glyph::Break => break_mark::at(area, pen, x + w / 2, y),
            Glyph::Mark(m, c) => area
                .draw(&m.at((x + w / 2, y), pen.px(super::style::MARKER_PX), c))
                .or_draw(),
        }
    }
}

/// The axes of a chart: ranges, descriptions and tick labels.
pub struct Axes {
    pub x: TimeMap,
    pub y: Range<f64>,
    pub x_desc: String,
    pub y_desc: String,
    pub x_unit: Unit,
    pub y_unit: Unit,
    /// The tick labels' decimal separator.
    pub lang: Lang,
}

const X_LABELS: usize = 10;
const Y_LABELS: usize = 8;

/// The distance between the ticks plotters will put on `range` (its own
/// key-point algorithm), so that every label gets the decimals it needs.
fn tick_step(range: &Range<f64>, labels: usize) -> f64 {
    let coord: RangedCoordf64 = range.clone().into();
    match coord.key_points(labels).as_slice() {
        [a, b, ..] => b - a,
        _ => (range.end - range.start).abs(),
    }
}

/// A time axis for `view`'s duration: "Time since the first packet (ms)".
pub fn time_axis(lang: Lang, range: &Range<f64>) -> (Unit, String) {
    let unit = Unit::time(range.end);
    (unit, fill(PlotStrings::of(lang).time_axis, &[&unit.name]))
}

/// Builds the chart with a light grid and labelled axes.
pub fn chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    pen: Pen,
    axes: &Axes,
) -> Result<Chart<'a, DB>> {
    let tick_style = pen.text(13.0, colour::TEXT);
    let (x_step, y_step) = (axes.x.tick_step(X_LABELS), tick_step(&axes.y, Y_LABELS));
    let y_span = axes.y.end - axes.y.start;
    let y_label_w = [axes.y.start, axes.y.end, axes.y.start + y_span / 2.0]
        .into_iter()
        .map(|v| {
            area.estimate_text_size(&axes.y_unit.tick(axes.lang, v, y_step), &tick_style)
                .map(|(w, _)| w)
                .or_draw()
        })
        .collect::<Result<Vec<u32>>>()?
        .into_iter()
        .max()
        .unwrap_or(0);
    let mut chart = ChartBuilder::on(area)
        .margin_top(pen.px(6.0))
        .margin_right(pen.px(28.0))
        .margin_left(pen.px(8.0))
        .x_label_area_size(pen.px(46.0))
        .y_label_area_size(y_label_w as i32 + pen.px(36.0))
        .build_cartesian_2d(axes.x, axes.y.clone())
        .or_draw()?;
    let x_fmt = |v: &f64| axes.x_unit.tick(axes.lang, *v, x_step);
    let y_fmt = |v: &f64| axes.y_unit.tick(axes.lang, *v, y_step);
    chart
        .configure_mesh()
        .x_desc(axes.x_desc.as_str())
        .y_desc(axes.y_desc.as_str())
        .x_labels(X_LABELS)
        .y_labels(Y_LABELS)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(tick_style.clone())
        .axis_desc_style(pen.text(14.5, colour::TEXT))
        .bold_line_style(pen.line(colour::GRID, 1.0))
        .max_light_lines(0)
        .axis_style(pen.line(colour::AXIS, 1.2))
        .set_all_tick_mark_size(pen.px(5.0))
        .draw()
        .or_draw()?;
    break_mark::on_axis(area, &chart, pen, &axes.x)?;
    Ok(chart)
}

/// A chart over time since the connection's first packet (the x axis of
/// every graph but the ladder), labelled in `lang`.
pub fn time_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    pen: Pen,
    lang: Lang,
    x: TimeMap,
    y: Range<f64>,
    y_desc: String,
    y_unit: Unit,
) -> Result<Chart<'a, DB>> {
    let (x_unit, x_desc) = time_axis(lang, &x.range());
    chart(
        area,
        pen,
        &Axes {
            x,
            y,
            x_desc,
            y_desc,
            x_unit,
            y_unit,
            lang,
        },
    )
}

/// Pixel size of a chart's plotting area (for decimation).
pub fn plot_pixels<DB: DrawingBackend>(chart: &Chart<'_, DB>) -> (u32, u32) {
    chart.plotting_area().dim_in_pixel()
}

/// `range` widened by `frac` of its span on both sides (never empty).
pub fn padded(lo: f64, hi: f64, frac: f64) -> Range<f64> {
    let span = hi - lo;
    let pad = if span > 0.0 {
        span * frac
    } else {
        lo.abs().max(1.0) * 0.05
    };
    lo - pad..hi + pad
}

/// The caption line saying points were merged, when they were.
pub fn merged_note(lang: Lang, tally: &super::Tally) -> Option<String> {
    tally.merged().then(|| {
        fill(
            PlotStrings::of(lang).merged,
            &[
                &lang.thousands(tally.input as u64),
                &lang.thousands(tally.drawn as u64),
            ],
        )
    })
}
