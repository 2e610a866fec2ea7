//! Probes of a `tcplab view` page in headless Chromium, shared by the
//! view's own test and the tests of the commands that write one beside
//! their report (`report`, `run-and-capture`).

use super::chromium::{self, Session};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

/// The page's state (`window.tcplabView.state()`, docs/view.md), once
/// it has drawn its first connection and is unpacking none: the viewer
/// inflates a connection's segments asynchronously when it is chosen.
pub fn state(s: &Session) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let st = s.exec(
            "return window.tcplabView ? window.tcplabView.state() : null;",
            json!([]),
        );
        if st["ready"] == json!(true) && st["busy"] == json!(false) {
            return st;
        }
        assert!(
            Instant::now() < deadline,
            "the view did not open its connection in 30 s: {st}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Console errors and requests made so far: there must be none.
pub fn assert_clean(s: &Session, when: &str) {
    let errors: Vec<(String, String)> = s
        .console()
        .into_iter()
        .filter(|(level, _)| level == "SEVERE" || level == "WARNING")
        .collect();
    assert!(errors.is_empty(), "{when}: console says {errors:?}");
    let requests = s.exec(
        "return performance.getEntriesByType('resource').map(e => e.name);",
        json!([]),
    );
    assert_eq!(requests, json!([]), "{when}: the page requested something");
}

/// What a page shows once opened: its state, the text of the selected
/// connection's row and whether the kernel's `TCP_INFO` series is drawn
/// on its window graph.
pub struct Opened {
    pub state: Value,
    pub row: String,
    pub kernel: bool,
}

/// The probe of `Opened`, run in the page.
const OPENED: &str = "const v = window.tcplabView;\
    const row = document.querySelector('#conns tbody tr.sel');\
    const w = v.charts().find(c => c.def.id === 'window');\
    return {state: v.state(), row: row ? row.textContent : '',\
            kernel: !!(w && w.def.kernel)};";

/// Opens `html` in headless Chromium (profile under `tmp`), checks that it
/// loads cleanly, saves `screenshot.png` beside it and returns what it
/// shows; `None` when Chromium is not installed (a failure under CI).
pub fn open(html: &Path, tmp: &Path) -> Option<Opened> {
    let (chromium, driver) = chromium::browser()?;
    let s = Session::start(&chromium, &driver, &tmp.join("profile"), 1400, 1000);
    s.goto(html);
    state(&s);
    assert_clean(&s, &html.display().to_string());
    let v = s.exec(OPENED, json!([]));
    s.screenshot(&html.with_file_name("screenshot.png"));
    Some(Opened {
        state: v["state"].clone(),
        row: v["row"].as_str().unwrap_or_default().to_string(),
        kernel: v["kernel"].as_bool().unwrap_or(false),
    })
}

/// The browser view `run-and-capture` wrote into `reports` (its
/// `--report-dir`): `view.html` beside the run's lab report, listed under
/// "wrote:" with the report's stream, linked from `report.html`, and
/// opened in headless Chromium on that stream, on the connection to the
/// run's server port. What it shows, for more checks (`None` without
/// Chromium, a failure under CI).
pub fn run_view(reports: &Path, stdout: &str, meta: &Value) -> Option<Opened> {
    let report_dir = std::fs::read_dir(reports)
        .expect("the report directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.join("report.html").is_file())
        .expect("a lab report");
    let view = report_dir.join("view.html");
    assert!(view.is_file(), "{} written", view.display());
    let line = stdout
        .lines()
        .find(|l| l.ends_with(")") && l.contains("(lab report, stream "))
        .unwrap_or_else(|| panic!("the lab report in the output:\n{stdout}"));
    let stream: u64 = line
        .rsplit("stream ")
        .next()
        .and_then(|n| n.trim_end_matches(')').parse().ok())
        .unwrap_or_else(|| panic!("a stream number in {line}"));
    let listed = format!("  {} (browser view of stream {stream},", view.display());
    assert!(stdout.contains(&listed), "{listed}\n{stdout}");
    let html = std::fs::read_to_string(report_dir.join("report.html")).expect("report.html");
    assert!(
        html.contains("<a href=\"view.html\">"),
        "report.html links to view.html"
    );
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let opened = open(&view, tmp.path())?;
    assert_eq!(opened.state["stream"], json!(stream), "{}", opened.state);
    let port = meta["server_port"].as_u64().expect("server_port");
    assert!(
        opened.row.contains(&format!(":{port}")),
        "the selected connection is the run's (port {port}): {}",
        opened.row
    );
    Some(opened)
}
