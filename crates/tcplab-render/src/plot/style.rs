//! What every graph shares so that they look like one family: the size of
//! the figure, the embedded fonts, one colour per meaning and one marker
//! shape per event.
//!
//! In: nothing but constants. Out: `Style` (sizes), `Pen` (sizes scaled for
//! the output: SVG at 1×, PNG at `png_scale`×), colours and marker
//! elements. Fonts come from `assets/fonts/` (DejaVu, Bitstream Vera
//! licence beside them), compiled into the binary: no system font library
//! is consulted, so a PNG looks the same on every machine. SVG text names
//! the same family and falls back to the viewer's sans-serif.

use super::{PlotError, Result};
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle, RGBColor, ShapeStyle};
use plotters_backend::{BackendCoord, DrawingErrorKind};
use std::sync::OnceLock;

/// Text family for titles, axes and legends (the SVG `font-family` value).
pub const SANS: &str = "DejaVu Sans, sans-serif";
/// Text family for the ladder's segment labels, where digits must line up.
pub const MONO: &str = "DejaVu Sans Mono, monospace";

pub(crate) static SANS_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
pub(crate) static MONO_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansMono.ttf");

/// Registers the embedded fonts with plotters once per process.
pub(crate) fn register_fonts() -> Result<()> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        // plotters' own defaults (mesh labels) ask for "sans-serif".
        [(SANS, SANS_TTF), ("sans-serif", SANS_TTF), (MONO, MONO_TTF)]
            .into_iter()
            .all(|(name, ttf)| register_font(name, FontStyle::Normal, ttf).is_ok())
    });
    if ok {
        Ok(())
    } else {
        Err(PlotError::Font)
    }
}

/// Size of a figure. Chart graphs use `width` × `height`; the ladder keeps
/// `width` and grows in height with its rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Style {
    /// In CSS pixels: the SVG's size.
    pub width: u32,
    pub height: u32,
    /// A PNG has `png_scale` times as many pixels as the SVG, so that its
    /// text stays sharp when printed.
    pub png_scale: f64,
    /// Written in the PNG's pHYs chunk: 2048 px at 300 dpi is 17.3 cm wide,
    /// the text width of an A4 page.
    pub png_dpi: u32,
}

impl Default for Style {
    fn default() -> Style {
        Style {
            width: 1024,
            height: 640,
            png_scale: 2.0,
            png_dpi: 300,
        }
    }
}

/// Sizes in CSS pixels, turned into output pixels by the output's scale.
#[derive(Clone, Copy, Debug)]
pub struct Pen {
    pub k: f64,
}

impl Pen {
    pub fn px(self, v: f64) -> i32 {
        (v * self.k).round() as i32
    }

    pub fn upx(self, v: f64) -> u32 {
        (v * self.k).round().max(0.0) as u32
    }

    pub fn text(self, size: f64, color: RGBColor) -> TextStyle<'static> {
        TextStyle {
            font: (SANS, size * self.k).into_font(),
            color: color.to_backend_color(),
            pos: Default::default(),
        }
    }

    pub fn mono(self, size: f64, color: RGBColor) -> TextStyle<'static> {
        TextStyle {
            font: (MONO, size * self.k).into_font(),
            color: color.to_backend_color(),
            pos: Default::default(),
        }
    }

    pub fn line(self, color: RGBColor, width: f64) -> ShapeStyle {
        color.stroke_width(self.upx(width).max(1))
    }
}

/// One colour per meaning, the same in every graph.
pub mod colour {
    use plotters::style::RGBColor;
    /// Data sent (segments, throughput, bytes in flight).
    pub const DATA: RGBColor = RGBColor(0x1f, 0x77, 0xb4);
    /// Unique data (goodput).
    pub const GOODPUT: RGBColor = RGBColor(0x17, 0x9c, 0x8a);
    /// Retransmitted data.
    pub const RETRANSMISSION: RGBColor = RGBColor(0xd6, 0x27, 0x28);
    /// Acknowledgements (ACK line, ACK RTT samples).
    pub const ACK: RGBColor = RGBColor(0x2c, 0xa0, 0x2c);
    /// The receiver's advertised window.
    pub const WINDOW: RGBColor = RGBColor(0xc4, 0x8a, 0x00);
    pub const ZERO_WINDOW: RGBColor = RGBColor(0x94, 0x67, 0xbd);
    pub const DUP_ACK: RGBColor = RGBColor(0xff, 0x7f, 0x0e);
    pub const SACK: RGBColor = RGBColor(0xe3, 0x77, 0xc2);
    /// RTT from the timestamps option.
    pub const TIMESTAMP: RGBColor = RGBColor(0x8c, 0x56, 0x4b);
    /// The sender kernel's congestion window and its smoothed RTT (TCP_INFO).
    pub const KERNEL: RGBColor = RGBColor(0x7b, 0x1f, 0xa2);
    /// The kernel's slow-start threshold.
    pub const SSTHRESH: RGBColor = RGBColor(0xb0, 0x3a, 0x2e);
    /// Smoothed and averaged lines.
    pub const SMOOTH: RGBColor = RGBColor(0x22, 0x22, 0x22);
    /// Connection control: SYN, FIN, RST in the ladder.
    pub const CONTROL: RGBColor = RGBColor(0x44, 0x44, 0x44);
    pub const TEXT: RGBColor = RGBColor(0x11, 0x11, 0x11);
    pub const NOTE: RGBColor = RGBColor(0x55, 0x55, 0x55);
    pub const GRID: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);
    pub const AXIS: RGBColor = RGBColor(0x33, 0x33, 0x33);
    /// One colour per run when several are drawn over each other (an
    /// overlay): there the colour names the run, not what is drawn. No
    /// red among them, so that none reads as "retransmission".
    pub const RUNS: [RGBColor; 6] = [
        RGBColor(0x1f, 0x77, 0xb4),
        RGBColor(0xff, 0x7f, 0x0e),
        RGBColor(0x2c, 0xa0, 0x2c),
        RGBColor(0x94, 0x67, 0xbd),
        RGBColor(0x8c, 0x56, 0x4b),
        RGBColor(0x17, 0xbe, 0xcf),
    ];
}

/// One marker shape per event, the same in every graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    /// Retransmission: a cross.
    Cross,
    /// Duplicate ACK: a triangle.
    Triangle,
    /// Zero window: a square.
    Square,
    /// A plain sample (RTT, bytes in flight): a dot.
    Dot,
    /// A sample of the second kind (timestamp RTT): a diamond.
    Diamond,
    /// The ends of a tcptrace segment bar: a short horizontal line.
    Tick,
}

/// Marker size in CSS pixels.
pub const MARKER_PX: f64 = 9.0;

impl Marker {
    /// The marker centred on `at`, `size` output pixels across.
    pub fn at<C>(self, at: C, size: i32, color: RGBColor) -> MarkerAt<C> {
        MarkerAt {
            at,
            marker: self,
            size,
            color,
        }
    }
}

/// A marker placed on a point: one element type for every shape, so that
/// a series of markers is drawn with one `draw_series`.
pub struct MarkerAt<C> {
    at: C,
    marker: Marker,
    size: i32,
    color: RGBColor,
}

impl<'a, C: 'a> PointCollection<'a, C> for &'a MarkerAt<C> {
    type Point = &'a C;
    type IntoIter = std::iter::Once<&'a C>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<C, DB: DrawingBackend> Drawable<DB> for MarkerAt<C> {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut pos: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> std::result::Result<(), DrawingErrorKind<DB::ErrorType>> {
        let Some((x, y)) = pos.next() else {
            return Ok(());
        };
        let h = (self.size / 2).max(2);
        let fill = self.color.filled();
        match self.marker {
            Marker::Cross => {
                let stroke = self.color.stroke_width(((self.size + 3) / 5).max(1) as u32);
                backend.draw_line((x - h, y - h), (x + h, y + h), &stroke)?;
                backend.draw_line((x - h, y + h), (x + h, y - h), &stroke)
            }
            Marker::Triangle => backend.fill_polygon(
                [(x, y - h - 1), (x + h + 1, y + h), (x - h - 1, y + h)],
                &fill,
            ),
            Marker::Square => backend.draw_rect((x - h, y - h), (x + h, y + h), &fill, true),
            Marker::Dot => backend.draw_circle((x, y), (h * 2 / 3).max(1) as u32, &fill, true),
            Marker::Diamond => {
                backend.fill_polygon([(x, y - h), (x + h, y), (x, y + h), (x - h, y)], &fill)
            }
            Marker::Tick => {
                let stroke = self.color.stroke_width((self.size / 4).max(1) as u32);
                backend.draw_line((x - h, y), (x + h, y), &stroke)
            }
        }
    }
}
