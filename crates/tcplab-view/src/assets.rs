//! What the page carries besides the data: uPlot (copied from
//! `web/node_modules` by `build.rs`) and our own viewer (`web/`).

pub const UPLOT_JS: &str = include_str!(concat!(env!("OUT_DIR"), "/uPlot.iife.min.js"));
pub const UPLOT_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/uPlot.min.css"));
pub const UPLOT_LICENSE: &str = include_str!(concat!(env!("OUT_DIR"), "/uPlot.LICENSE"));
pub const CODEC_JS: &str = include_str!("../web/codec.js");
pub const DRAW_JS: &str = include_str!("../web/draw.js");
pub const PANELS_JS: &str = include_str!("../web/panels.js");
pub const VIEWER_JS: &str = include_str!("../web/viewer.js");
pub const VIEWER_CSS: &str = include_str!("../web/viewer.css");
pub const TEMPLATE: &str = include_str!("../web/template.html");
