//! Where a figure is drawn. The graphs draw on any plotters backend
//! through `Paint`; this module makes the SVG document, `raster` the PNG.

use super::style::{Pen, Style};
use super::typeset::Typeset;
use super::{Drawn, PlotError, Result};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Turns plotters' drawing errors (generic over the backend) into ours.
pub trait OrDraw<T> {
    fn or_draw(self) -> Result<T>;
}

impl<T, E> OrDraw<T> for std::result::Result<T, DrawingAreaErrorKind<E>>
where
    E: std::error::Error + Send + Sync,
{
    fn or_draw(self) -> Result<T> {
        self.map_err(|e| PlotError::Draw(e.to_string()))
    }
}

/// Something that draws itself on any backend, at a given size.
pub trait Paint {
    /// Size in CSS pixels.
    fn size(&self, style: &Style) -> (u32, u32);
    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, pen: Pen) -> Result<Drawn>;
}

/// Draws into an SVG document: (document, what was drawn, size in px).
pub fn svg(p: &impl Paint, style: &Style) -> Result<(String, Drawn, (u32, u32))> {
    let size = p.size(style);
    let mut doc = String::new();
    let drawn = {
        let backend = Typeset {
            inner: SVGBackend::with_string(&mut doc, size),
            draw_text: false,
            split_wide_paths: false,
        };
        let root = backend.into_drawing_area();
        let drawn = p.paint(&root, Pen { k: 1.0 })?;
        root.present().or_draw()?;
        drawn
    };
    Ok((doc, drawn, size))
}
