//! The mark of a broken time axis (`time_map`): each break's band blanked
//! and edged with dotted lines, and `//` across the axis; the same `//` is
//! the legend's key for a break.
//!
//! In: the chart's drawing area and its `TimeMap`. Out: the marks, drawn
//! before the data so that lines crossing a break stay visible.

use super::canvas::OrDraw;
use super::frame::{Chart, DOT, DOT_GAP};
use super::style::{colour, Pen};
use super::time_map::TimeMap;
use super::Result;
use plotters::coord::ranged1d::Ranged;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Blanks each break's band of the plot (its grid lines: no time passes
/// there on the axis's scale), edges it with thin dashed lines and marks
/// the axis with `//`. Drawn before the data, so lines crossing stay.
pub fn on_axis<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart<'_, DB>,
    pen: Pen,
    x: &TimeMap,
) -> Result<()> {
    let plot = chart.plotting_area();
    let (base, origin) = (plot.get_base_pixel(), area.get_base_pixel());
    let (left, top) = (base.0 - origin.0, base.1 - origin.1);
    let (w, h) = plot.dim_in_pixel();
    let bottom = top + h as i32;
    let limit = (left, left + w as i32);
    for b in x.breaks() {
        let (x0, x1) = (x.map(&b.from, limit), x.map(&b.to, limit));
        area.draw(&Rectangle::new(
            [(x0, top), (x1, bottom - 1)],
            WHITE.filled(),
        ))
        .or_draw()?;
        for edge in [x0, x1] {
            area.draw(&plotters::element::DashedPathElement::new(
                vec![(edge, top), (edge, bottom)],
                pen.px(DOT),
                pen.px(DOT_GAP),
                pen.line(colour::NOTE, 0.8),
            ))
            .or_draw()?;
        }
        at(area, pen, (x0 + x1) / 2, bottom)?;
    }
    Ok(())
}

/// `//` centred on (`x`, `y`), on a white gap: where an axis is broken.
pub fn at<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pen: Pen,
    x: i32,
    y: i32,
) -> Result<()> {
    let (dx, dy, apart) = (pen.px(3.5), pen.px(7.0), pen.px(3.0));
    area.draw(&Rectangle::new(
        [(x - apart, y - pen.px(2.0)), (x + apart, y + pen.px(2.0))],
        WHITE.filled(),
    ))
    .or_draw()?;
    for cx in [x - apart, x + apart] {
        area.draw(&PathElement::new(
            vec![(cx - dx, y + dy), (cx + dx, y - dy)],
            pen.line(colour::AXIS, 1.4),
        ))
        .or_draw()?;
    }
    Ok(())
}
