//! Text metrics and bitmap text from the embedded fonts, with ab_glyph.
//!
//! plotters 0.3.7's ab_glyph text, as it draws in bitmaps, drops each
//! glyph's left side bearing (uneven letter spacing), hangs the glyphs
//! from a baseline about 0.12 em too high (tick labels above their ticks),
//! and measures text at a size 7 % larger than the SVG shows it.
//! `Typeset` wraps a backend: it measures text as the SVG renders it
//! (em = plotters' size / 1.24, as plotters-svg writes `font-size`) and,
//! for bitmaps, draws it itself with the same metrics and anchors as the
//! SVG (`dy` 0.76 em for top, 0.5 ex for centre). Everything else is passed
//! to the wrapped backend.

use super::style::{MONO, MONO_TTF, SANS_TTF};
use ab_glyph::{point, Font, FontRef, Glyph, PxScale, ScaleFont};
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use std::sync::OnceLock;

/// The embedded fonts, parsed once (`None` if they could not be).
fn font(family: &str) -> Option<&'static FontRef<'static>> {
    static SANS: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    static MONO_FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    let (cell, ttf) = if family == MONO {
        (&MONO_FONT, MONO_TTF)
    } else {
        (&SANS, SANS_TTF)
    };
    cell.get_or_init(|| FontRef::try_from_slice(ttf).ok())
        .as_ref()
}

/// Glyphs of a line of text laid out from (0, 0) on the baseline.
struct Line {
    glyphs: Vec<Glyph>,
    width: f32,
    em: f32,
}

fn lay_out(font: &FontRef<'static>, size: f64, text: &str) -> Line {
    let em = (size / 1.24) as f32;
    let height = font.height_unscaled();
    let per_em = font.units_per_em().unwrap_or(2048.0);
    let scale = PxScale::from(em * height / per_em);
    let sf = font.as_scaled(scale);
    let mut caret = 0.0;
    let mut prev = None;
    let mut glyphs = Vec::with_capacity(text.len());
    for c in text.chars() {
        let id = sf.glyph_id(c);
        if let Some(p) = prev {
            caret += sf.kern(p, id);
        }
        glyphs.push(id.with_scale_and_position(scale, point(caret, 0.0)));
        caret += sf.h_advance(id);
        prev = Some(id);
    }
    Line {
        glyphs,
        width: caret,
        em,
    }
}

/// A backend whose text is measured (and, with `draw_text`, drawn) with
/// the embedded fonts' real metrics.
pub struct Typeset<B> {
    pub inner: B,
    /// Draw text here (bitmaps) rather than pass it on (SVG writes `<text>`).
    pub draw_text: bool,
    /// Draw lines wider than a pixel one segment at a time (bitmaps; an
    /// SVG viewer joins a `<polyline>` itself). plotters turns a wide path
    /// into one polygon whose inner corners it does not cap, so a line
    /// that turns back sharply (a window that drops and recovers within a
    /// pixel column) grows a spike that crosses the whole figure.
    pub split_wide_paths: bool,
}

type R<E> = std::result::Result<(), DrawingErrorKind<E>>;

impl<B: DrawingBackend> DrawingBackend for Typeset<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> R<B::ErrorType> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> R<B::ErrorType> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> R<B::ErrorType> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> R<B::ErrorType> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> R<B::ErrorType> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> R<B::ErrorType> {
        if !self.split_wide_paths || style.stroke_width() <= 1 {
            return self.inner.draw_path(path, style);
        }
        let points: Vec<BackendCoord> = path.into_iter().collect();
        for pair in points.windows(2).filter(|p| p[0] != p[1]) {
            self.inner.draw_path(pair.iter().copied(), style)?;
        }
        // Round joints, so that the separate segments meet without a notch.
        let radius = style.stroke_width() / 2;
        for &p in points.iter().skip(1).take(points.len().saturating_sub(2)) {
            self.inner.draw_circle(p, radius, &style.color(), true)?;
        }
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> R<B::ErrorType> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> R<B::ErrorType> {
        self.inner.fill_polygon(vert, style)
    }

    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> std::result::Result<(u32, u32), DrawingErrorKind<B::ErrorType>> {
        match font(style.family().as_str()) {
            Some(f) => {
                let line = lay_out(f, style.size(), text);
                Ok((line.width.ceil() as u32, (line.em * 1.17).ceil() as u32))
            }
            None => self.inner.estimate_text_size(text, style),
        }
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> R<B::ErrorType> {
        let font = match font(style.family().as_str()) {
            Some(f) if self.draw_text => f,
            _ => return self.inner.draw_text(text, style, pos),
        };
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let line = lay_out(font, style.size(), text);
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -line.width / 2.0,
            HPos::Right => -line.width,
        }
        .round() as i32;
        // Where the baseline sits below the anchor, as plotters-svg's `dy`
        // puts it (DejaVu's x-height is 0.547 em).
        let baseline = match anchor.v_pos {
            VPos::Top => 0.76 * line.em,
            VPos::Center => 0.5 * 0.547 * line.em,
            VPos::Bottom => -0.5 * 0.547 * line.em,
        }
        .round() as i32;
        let trans = style.transform();
        let mut result = Ok(());
        for g in line.glyphs {
            let Some(outline) = font.outline_glyph(g) else {
                continue;
            };
            let b = outline.px_bounds();
            let (gx, gy) = (b.min.x as i32 + dx, b.min.y as i32 + baseline);
            let inner = &mut self.inner;
            outline.draw(|x, y, coverage| {
                if result.is_err() || coverage <= 0.0 {
                    return;
                }
                let (tx, ty) = trans.transform(gx + x as i32, gy + y as i32);
                let c = BackendColor {
                    alpha: color.alpha * f64::from(coverage.min(1.0)),
                    rgb: color.rgb,
                };
                result = inner.draw_pixel((pos.0 + tx, pos.1 + ty), c);
            });
        }
        result
    }
}
