//! TCP graphs: Stevens, tcptrace, throughput, RTT, window and ladder, as SVG
//! or PNG, drawn with plotters; and overlays of several runs on one graph
//! (`overlay`, for `tcplab compare`); and the socket diagram of the lab
//! report (`socket_diagram`).
//!
//! In: `SegmentReport`s, gathered by `Collector` (or `collect_file`) into a
//! `ConnectionSeries` for the connections to plot. Out: a `Figure` (SVG
//! text or PNG bytes) per graph, saved to a file or inlined in a report.
//! Not done here: reading arguments and printing (that is `cli::plot`).
//!
//! ```no_run
//! use tcplab_render::plot::{self, Graph, ImageFormat, PlotOptions, Style, View};
//! let got = plot::collect_file("tests/data/lossy.pcap".as_ref(), None)?;
//! let view = View::new(&got.series, &PlotOptions::default());
//! let figure = plot::render(Graph::Tcptrace, &view, &Style::default(), ImageFormat::Svg)?;
//! figure.save("tcptrace.svg".as_ref())?;
//! let inline: &str = figure.as_svg().unwrap_or_default(); // for an HTML report
//! # Ok::<(), plot::PlotError>(())
//! ```
//!
//! Every figure has a title naming the connection, axes with units, a
//! legend and a caption that says when points were merged (`decimate`):
//! drawing time and SVG size depend on the figure's pixels, not on the
//! number of segments. Colours and markers mean the same in every graph
//! (`style`). Text uses the DejaVu fonts compiled into the binary, in the
//! language of `PlotOptions::lang` (English or Spanish: `strings`, with
//! the numbers written as `lang` says).

mod break_mark;
mod canvas;
mod collect;
mod decimate;
mod frame;
pub mod kernel;
mod ladder;
pub mod lang;
pub mod overlay;
mod raster;
pub mod rates;
mod rtt;
pub mod socket_diagram;
mod stevens;
mod strings;
mod style;
pub mod synthetic;
mod tcptrace;
mod throughput;
mod time_map;
mod typeset;
pub mod units;
mod view;
mod window;
mod zoom;

pub use collect::{
    busiest, collect_file, collect_file_with, describe_streams, Collected, Collector,
    ConnectionSeries, SackMark, SegPoint,
};
pub use decimate::Tally;
pub use kernel::KernelSeries;
pub use lang::Lang;
pub use overlay::{Overlay, OverlayKind, Trace};
pub use rates::Rates;
pub use strings::PlotStrings;
pub use style::{Pen, Style};
pub use throughput::{summary as throughput_summary, ThroughputSummary};
pub use time_map::{Break, TimeMap};
pub use view::{PlotOptions, View};
pub use zoom::{Bound, Zoom, ZoomError};

use canvas::Paint;
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use tcplab_analysis::AnalysisError;
use thiserror::Error;

pub type Result<T> = std::result::Result<T, PlotError>;

#[derive(Debug, Error)]
pub enum PlotError {
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    #[error("{file}: no TCP connection in the capture, nothing to plot")]
    NoConnection { file: String },
    #[error("{file}: there is no stream {stream}; its streams are {available}")]
    UnknownStream {
        file: String,
        stream: u32,
        available: String,
    },
    #[error("{file}: stream {stream} has no TCP segment that could be analysed")]
    EmptyStream { file: String, stream: u32 },
    #[error("{}: unknown image format; name the file .svg or .png", path.display())]
    UnknownFormat { path: PathBuf },
    #[error("throughput interval {interval} s makes {count} intervals over {duration} s (at most {max}); use a longer --interval")]
    TooManyIntervals {
        interval: f64,
        duration: f64,
        count: u64,
        max: u64,
    },
    #[error("the fonts compiled into tcplab could not be loaded")]
    Font,
    #[error("drawing the graph: {0}")]
    Draw(String),
    #[error("encoding the PNG: {0}")]
    Png(#[from] png::EncodingError),
    // Not `source`: the message already says it, and `{:#}` would repeat it.
    #[error("{}: cannot write: {error}", path.display())]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// The graphs tcplab draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Graph {
    Stevens,
    Tcptrace,
    Throughput,
    Rtt,
    Window,
    Ladder,
}

impl Graph {
    pub const ALL: [Graph; 6] = [
        Graph::Stevens,
        Graph::Tcptrace,
        Graph::Throughput,
        Graph::Rtt,
        Graph::Window,
        Graph::Ladder,
    ];

    /// The name on the command line and in file names.
    pub fn name(self) -> &'static str {
        match self {
            Graph::Stevens => "stevens",
            Graph::Tcptrace => "tcptrace",
            Graph::Throughput => "throughput",
            Graph::Rtt => "rtt",
            Graph::Window => "window",
            Graph::Ladder => "ladder",
        }
    }
}

impl fmt::Display for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Graph {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Graph, String> {
        Graph::ALL
            .into_iter()
            .find(|g| g.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Graph::ALL.iter().map(|g| g.name()).collect();
                format!("unknown graph {s:?}; the graphs are {}", names.join(", "))
            })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    Svg,
    Png,
}

impl ImageFormat {
    /// The format a file name asks for, by its extension.
    pub fn from_path(path: &Path) -> Result<ImageFormat> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        match ext.to_ascii_lowercase().as_str() {
            "svg" => Ok(ImageFormat::Svg),
            "png" => Ok(ImageFormat::Png),
            _ => Err(PlotError::UnknownFormat {
                path: path.to_path_buf(),
            }),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Svg => "svg",
            ImageFormat::Png => "png",
        }
    }
}

/// What a graph reports after drawing: points merged, caption lines.
#[derive(Clone, Debug, Default)]
pub struct Drawn {
    pub tally: Tally,
    pub caption: Vec<String>,
}

/// A rendered graph.
#[derive(Clone, Debug)]
pub struct Figure {
    /// The graph drawn; `None` for an overlay of several runs (`overlay`).
    pub graph: Option<Graph>,
    pub format: ImageFormat,
    pub bytes: Vec<u8>,
    /// In pixels of the output (a PNG is `Style::png_scale` times the SVG).
    pub width: u32,
    pub height: u32,
    pub drawn: Drawn,
}

impl Figure {
    /// The SVG document, for inlining in HTML (`None` for a PNG).
    pub fn as_svg(&self) -> Option<&str> {
        match self.format {
            ImageFormat::Svg => std::str::from_utf8(&self.bytes).ok(),
            ImageFormat::Png => None,
        }
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        crate::staging::write_file(path, &self.bytes).map_err(|error| PlotError::Write {
            path: path.to_path_buf(),
            error,
        })
    }
}

/// Draws `graph` for `view` in `format`.
pub fn render(graph: Graph, view: &View<'_>, style: &Style, format: ImageFormat) -> Result<Figure> {
    let mut figure = paint_figure(&Job { graph, view }, style, format)?;
    figure.graph = Some(graph);
    Ok(figure)
}

/// Draws anything that paints itself (a graph, an overlay) in `format`.
fn paint_figure(p: &impl Paint, style: &Style, format: ImageFormat) -> Result<Figure> {
    style::register_fonts()?;
    let (bytes, drawn, (width, height)) = match format {
        ImageFormat::Svg => {
            let (doc, drawn, size) = canvas::svg(p, style)?;
            (doc.into_bytes(), drawn, size)
        }
        ImageFormat::Png => raster::png(p, style)?,
    };
    Ok(Figure {
        graph: None,
        format,
        bytes,
        width,
        height,
        drawn,
    })
}

/// Draws `graph` into `path`, in the format its extension names.
pub fn render_to_file(graph: Graph, view: &View<'_>, style: &Style, path: &Path) -> Result<Figure> {
    let figure = render(graph, view, style, ImageFormat::from_path(path)?)?;
    figure.save(path)?;
    Ok(figure)
}

struct Job<'v, 's> {
    graph: Graph,
    view: &'v View<'s>,
}

impl Paint for Job<'_, '_> {
    fn size(&self, style: &Style) -> (u32, u32) {
        match self.graph {
            Graph::Ladder => ladder::size(self.view, style),
            _ => (style.width, style.height),
        }
    }

    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, pen: Pen) -> Result<Drawn> {
        let v = self.view;
        match self.graph {
            Graph::Stevens => stevens::draw(root, v, pen),
            Graph::Tcptrace => tcptrace::draw(root, v, pen),
            Graph::Throughput => throughput::draw(root, v, pen),
            Graph::Rtt => rtt::draw(root, v, pen),
            Graph::Window => window::draw(root, v, pen),
            Graph::Ladder => ladder::draw(root, v, pen),
        }
    }
}
