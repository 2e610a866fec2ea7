//! Opens `report.html` in headless Chromium (through chromedriver), as a
//! phone would show it: every graph must be drawn with a non-zero size,
//! the page must not be wider than the screen, and it must have requested
//! nothing (no resource at all: the page is self-contained). A screenshot
//! is saved beside the report.
//!
//! Needs the Debian packages `chromium` and `chromium-driver`. Without
//! them the test is skipped with a message, except under CI (`CI` set),
//! where it fails.

mod common;

use common::chromium;
use serde_json::json;
use tcplab_render::report::{self, ReportOptions};

const PROBE: &str = r#"
return {
  figures: [...document.querySelectorAll('figure')].map(f => {
    const s = f.querySelector('svg');
    const r = s ? s.getBoundingClientRect() : {width: 0, height: 0};
    return [f.id, r.width, r.height];
  }),
  resources: performance.getEntriesByType('resource').map(e => e.name),
  overflow: document.documentElement.scrollWidth - window.innerWidth,
  title: document.title
};"#;

#[test]
fn report_html_renders_every_graph_in_headless_chromium() {
    let Some((chromium, driver)) = chromium::browser() else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("report");
    let files = report::write_report(
        &common::data("congested.pcap"),
        &out,
        &ReportOptions::default(),
    )
    .expect("the report is written");
    let profile = dir.path().join("profile");
    let probe = chromium::open(&chromium, &driver, &files.html, &profile, PROBE);
    let figures = probe["figures"].as_array().cloned().unwrap_or_default();
    assert_eq!(figures.len(), 6, "{probe}");
    for f in &figures {
        let (w, h) = (f[1].as_f64().unwrap_or(0.0), f[2].as_f64().unwrap_or(0.0));
        assert!(
            w > 100.0 && h > 50.0,
            "graph {} drawn {w}×{h}: {probe}",
            f[0]
        );
    }
    assert_eq!(
        probe["resources"],
        json!([]),
        "the page requested something"
    );
    assert!(
        probe["overflow"].as_f64().unwrap_or(1e9) <= 1.0,
        "wider than a phone: {probe}"
    );
}
