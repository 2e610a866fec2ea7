//! What the page carries besides the data: uPlot (copied from
//! `web/node_modules` by `build.rs`) and our own viewer (`web/`).

pub const UPLOT_JS: &str = include_str!(concat!(env!("OUT_DIR"), "/uPlot.iife.min.js"));
pub const UPLOT_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/uPlot.min.css"));
pub const UPLOT_LICENSE: &str = include_str!(concat!(env!("OUT_DIR"), "/uPlot.LICENSE"));
/// Our scripts, in the order the page runs them (each file's first lines
/// say what it does; `viewer.js`, last, starts the page).
pub const SCRIPTS: [(&str, &str); 8] = [
    ("codec.js", include_str!("../web/codec.js")),
    ("draw.js", include_str!("../web/draw.js")),
    ("panels.js", include_str!("../web/panels.js")),
    ("events.js", include_str!("../web/events.js")),
    ("graphs.js", include_str!("../web/graphs.js")),
    ("charts.js", include_str!("../web/charts.js")),
    ("interact.js", include_str!("../web/interact.js")),
    ("viewer.js", include_str!("../web/viewer.js")),
];
pub const VIEWER_CSS: &str = include_str!("../web/viewer.css");
pub const TEMPLATE: &str = include_str!("../web/template.html");
