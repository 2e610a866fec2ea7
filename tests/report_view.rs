//! `tcplab report` writes the browser view of the reported connection
//! beside the report (`view.html`), and `report.html` and `report.md` link
//! to it: in headless Chromium the link opens the view on that connection,
//! in the report's language, with nothing fetched and no console error.
//!
//! The Chromium part needs the Debian packages `chromium` and
//! `chromium-driver`: without them it is skipped with a message, except
//! under CI (`CI` set), where it fails.

mod common;

use common::chromium::{self, Session};
use common::view_probe::{assert_clean, state};
use serde_json::json;
use std::time::{Duration, Instant};

#[test]
fn the_report_links_to_the_view_of_its_connection() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("echo");
    let capture = common::data("echo-two-clients.pcap");
    // Stream 1, not the one a view would choose by itself (stream 0 carried
    // as much), so that the view shows the report's choice.
    let o = common::tcplab(&[
        "report",
        &capture.display().to_string(),
        "-o",
        &out.display().to_string(),
        "--stream",
        "1",
        "--lang",
        "es",
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let view = out.join("view.html");
    assert_eq!(
        common::stdout(&o).lines().last(),
        Some(view.display().to_string().as_str()),
        "the view is listed: {}",
        common::stdout(&o)
    );
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(
        html.contains("<a href=\"view.html\">la vista interactiva</a>"),
        "report.html links to the view"
    );
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(md.contains("[la vista interactiva](view.html)"), "{md}");
    let page = std::fs::read_to_string(&view).expect("view.html is written");
    assert!(
        page.contains("\"lang\":\"es\",\"stream\":1,"),
        "the view opens on stream 1, in Spanish"
    );

    let Some((chromium, driver)) = chromium::browser() else {
        return;
    };
    let s = Session::start(&chromium, &driver, &dir.path().join("profile"), 1400, 1000);
    s.goto(&out.join("report.html"));
    let clicked = s.exec(
        "const a = document.querySelector('a[href=\"view.html\"]');\
         if (!a) return false; a.click(); return true;",
        json!([]),
    );
    assert_eq!(clicked, json!(true), "report.html has the link");
    let deadline = Instant::now() + Duration::from_secs(20);
    let st = loop {
        let st = s.exec(
            "return window.tcplabView ? window.tcplabView.state() : null;",
            json!([]),
        );
        if st["ready"] == json!(true) {
            break st;
        }
        assert!(Instant::now() < deadline, "the view did not open in 20 s");
        std::thread::sleep(Duration::from_millis(100));
    };
    let url = s.exec("return location.href;", json!([]));
    assert!(
        url.as_str().is_some_and(|u| u.ends_with("/echo/view.html")),
        "{url}"
    );
    assert_eq!(st["stream"], json!(1), "{st}");
    assert_eq!(st["lang"], json!("es"), "{st}");
    let selected = s.exec(
        "const r = document.querySelector('#conns tbody tr.sel'); return r && +r.dataset.stream;",
        json!([]),
    );
    assert_eq!(
        selected,
        json!(1),
        "the selected row of the connection list"
    );
    assert_eq!(state(&s)["rows"].as_array().map(Vec::len), Some(2));
    assert_clean(&s, "the view opened from the report");
    s.screenshot(&out.join("screenshot.png"));
}

/// The library writes the link only when told the view's file, and only
/// to a file of the report's own (a relative path, `doc::local_href`):
/// with anything else the paragraph is left out.
#[test]
fn the_link_is_written_only_to_a_file_beside_the_report() {
    use tcplab_render::report::{self, Lang, ReportOptions};
    let dir = tempfile::tempdir().expect("a temporary directory");
    let md_with = |view: Option<&str>| {
        let out = dir.path().join(format!("r{}", view.map_or(0, str::len)));
        let opts = ReportOptions {
            lang: Lang::En,
            view: view.map(str::to_string),
            ..ReportOptions::default()
        };
        let files = report::write_report(&common::data("lossy.pcap"), &out, &opts)
            .expect("the report is written");
        let md = std::fs::read_to_string(files.markdown).expect("report.md");
        let html = std::fs::read_to_string(files.html).expect("report.html");
        (md, html)
    };
    let (md, html) = md_with(Some("view.html"));
    assert!(md.contains("[the interactive view](view.html) of this connection"));
    assert!(html.contains("<a href=\"view.html\">the interactive view</a>"));
    let (md, html) = md_with(None);
    assert!(!md.contains("interactive view") && !html.contains("href="));
    let (md, html) = md_with(Some("javascript:alert(1)"));
    assert!(!md.contains("interactive view") && !html.contains("href="));
}
