//! PNG output: plotters' bitmap backend with text set by `typeset`,
//! encoded with its resolution (pHYs) so that a word processor inserts it
//! at print size.

use super::canvas::{OrDraw, Paint};
use super::style::{Pen, Style};
use super::typeset::Typeset;
use super::{Drawn, Result};
use plotters::prelude::*;

/// Draws into a PNG file's bytes: (bytes, what was drawn, size in px).
pub fn png(p: &impl Paint, style: &Style) -> Result<(Vec<u8>, Drawn, (u32, u32))> {
    let (w, h) = p.size(style);
    let k = if style.png_scale > 0.0 {
        style.png_scale
    } else {
        1.0
    };
    let size = (
        (f64::from(w) * k).round() as u32,
        (f64::from(h) * k).round() as u32,
    );
    let mut rgb = vec![255u8; size.0 as usize * size.1 as usize * 3];
    let drawn = {
        let backend = Typeset {
            inner: BitMapBackend::with_buffer(&mut rgb, size),
            draw_text: true,
            split_wide_paths: true,
        };
        let root = backend.into_drawing_area();
        let drawn = p.paint(&root, Pen { k })?;
        root.present().or_draw()?;
        drawn
    };
    Ok((encode_png(&rgb, size, style.png_dpi)?, drawn, size))
}

fn encode_png(rgb: &[u8], (w, h): (u32, u32), dpi: u32) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let per_metre = (f64::from(dpi) / 0.0254).round() as u32;
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: per_metre,
            yppu: per_metre,
            unit: png::Unit::Meter,
        }));
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(out)
}
