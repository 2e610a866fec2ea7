//! `tcplab view` in real headless Chromium (through chromedriver): the
//! page loads with no console error and no request, its connection list
//! is `tcplab analyze`'s, each graph holds the points it should, a box
//! drawn with the mouse zooms every graph alike, the pointer on frame
//! 152 (lossy.pcap's fast retransmission) shows that frame and its
//! event, an event in the list selects its frame, and the stream and the
//! language switch. A screenshot of each state is saved beside the page
//! (the path is printed: look at them).
//!
//! Needs the Debian packages `chromium` and `chromium-driver`. Without
//! them the test is skipped with a message, except under CI (`CI` set),
//! where it fails.

mod common;

use common::chromium::{self, Session};
use common::view_probe::{assert_clean, state};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn view(capture: &str, out: &Path, extra: &[&str]) -> PathBuf {
    let html = out.join(format!("{capture}.html"));
    let mut args = vec![
        "view".to_string(),
        common::data(capture).display().to_string(),
        "-o".into(),
        html.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = common::tcplab(&argv);
    assert!(
        o.status.success(),
        "tcplab view {capture}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    html
}

/// Where the screenshots go: `TCPLAB_VIEW_SHOTS` when set (to look at
/// them), else the test's temporary directory.
fn shots(tmp: &Path) -> PathBuf {
    let dir =
        std::env::var_os("TCPLAB_VIEW_SHOTS").map_or_else(|| tmp.to_path_buf(), PathBuf::from);
    std::fs::create_dir_all(&dir).expect("the screenshot directory");
    dir
}

/// How many segments of `capture` have each analysis event, counted in
/// `tcplab analyze --format csv` (its `events` column).
fn event_counts_from(capture: &str) -> BTreeMap<String, u64> {
    let o = common::tcplab(&[
        "analyze",
        "--format",
        "csv",
        &common::data(capture).display().to_string(),
    ]);
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let mut counts = BTreeMap::new();
    for l in text.lines().skip(1) {
        let events = l.split(',').nth(15).unwrap_or("");
        for e in events.split(';').filter(|e| !e.is_empty()) {
            *counts.entry(format!("ev:{e}")).or_insert(0) += 1;
        }
    }
    counts
}

/// Data segments of `port`'s side that take sequence space (SYN, data,
/// FIN), counted in `tcplab analyze --format csv`.
fn sequence_segments_from(capture: &str, port: &str) -> u64 {
    let o = common::tcplab(&[
        "analyze",
        "--format",
        "csv",
        &common::data(capture).display().to_string(),
    ]);
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[4] == port && (c[10] != "0" || c[11].contains('S') || c[11].contains('F')))
        .count() as u64
}

fn mouse(s: &Session, steps: Value) {
    s.actions(json!({"actions": [{
        "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
        "actions": steps
    }]}));
}

fn chart<'a>(st: &'a Value, id: &str) -> &'a Value {
    st["charts"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no chart {id}: {st}"))
}

#[test]
fn the_view_of_a_lossy_capture_works_in_headless_chromium() {
    let Some((chromium, driver)) = chromium::browser() else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let html = view("lossy.pcap", dir.path(), &["--lang", "en"]);
    let s = Session::start(&chromium, &driver, &dir.path().join("profile"), 1400, 1000);
    s.goto(&html);
    let st = state(&s);
    let shot_dir = shots(dir.path());
    let shot = |name: &str| s.screenshot(&shot_dir.join(format!("{name}.png")));
    shot("1-opened");
    assert_clean(&s, "opened");

    assert_eq!(st["rows"], json!([0]), "{st}");
    let ids: Vec<&str> = st["charts"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids, ["stevens", "tcptrace", "throughput", "rtt", "window"]);
    let data = sequence_segments_from("lossy.pcap", "40001");
    assert_eq!(chart(&st, "stevens")["points"], json!(data), "{st}");
    assert_eq!(chart(&st, "tcptrace")["points"], json!(data));
    // 84 ACK RTT samples of the client's data (`tcplab analyze`).
    assert_eq!(chart(&st, "rtt")["points"], json!(84));
    assert_eq!(chart(&st, "throughput")["points"], json!(100));

    // A box dragged across the middle of the Stevens graph zooms them all.
    let before = chart(&st, "stevens")["xmax"].as_f64().unwrap_or(0.0)
        - chart(&st, "stevens")["xmin"].as_f64().unwrap_or(0.0);
    let r = s.exec(
        "const r = document.querySelector('#chart-stevens .u-over').getBoundingClientRect();\
         return [r.left, r.top, r.width, r.height];",
        json!([]),
    );
    let f = |i: usize| r[i].as_f64().unwrap_or(0.0);
    let (x0, x1, y) = (f(0) + f(2) * 0.4, f(0) + f(2) * 0.6, f(1) + f(3) * 0.5);
    mouse(
        &s,
        json!([
            {"type": "pointerMove", "x": x0 as i64, "y": y as i64},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerMove", "x": x1 as i64, "y": y as i64, "duration": 100},
            {"type": "pointerUp", "button": 0}
        ]),
    );
    let zoomed = state(&s);
    shot("2-zoomed");
    let range = |c: &Value| {
        (
            c["xmin"].as_f64().unwrap_or(0.0),
            c["xmax"].as_f64().unwrap_or(0.0),
        )
    };
    let (zmin, zmax) = range(chart(&zoomed, "stevens"));
    assert!(
        zmax - zmin < before * 0.3,
        "the drag did not zoom: {before} → {zmin}..{zmax}"
    );
    for c in zoomed["charts"].as_array().into_iter().flatten() {
        let (a, b) = range(c);
        assert!(
            (a - zmin).abs() < 1e-9 && (b - zmax).abs() < 1e-9,
            "graph {} not zoomed with the others: {zoomed}",
            c["id"]
        );
    }

    // The pointer on frame 152, the fast retransmission, in tcptrace.
    s.exec("window.tcplabView.zoom(0.0038, 0.0042);", json!([]));
    let at = s.exec(
        "return window.tcplabView.pointOf('tcptrace', 152);",
        json!([]),
    );
    assert!(at.is_object(), "frame 152 is not in the tcptrace graph");
    let (px, py) = (
        at["x"].as_f64().unwrap_or(0.0),
        at["y"].as_f64().unwrap_or(0.0),
    );
    mouse(
        &s,
        json!([{"type": "pointerMove", "x": px.round() as i64, "y": py.round() as i64}]),
    );
    let tip = s.exec("return window.tcplabView.tip();", json!([]));
    shot("3-hover");
    let tip = tip.as_str().unwrap_or_default();
    assert!(tip.contains("#152"), "tooltip: {tip:?}");
    assert!(tip.contains("TCP Fast Retransmission"), "tooltip: {tip:?}");
    // A click there selects it.
    mouse(
        &s,
        json!([
            {"type": "pointerMove", "x": px.round() as i64, "y": py.round() as i64},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerUp", "button": 0}
        ]),
    );
    assert_eq!(state(&s)["selected"], json!(152));

    // An event in the list selects its frame: 154, the retransmission.
    s.exec(
        "[...document.querySelectorAll('#events li')].find(li => li.textContent.startsWith('#154 ')).click();",
        json!([]),
    );
    let st = state(&s);
    shot("4-event");
    assert_eq!(st["selected"], json!(154), "{st}");
    assert!(
        st["details"].as_str().unwrap_or("").contains("#154"),
        "{st}"
    );
    assert!(s
        .exec(
            "return document.querySelectorAll('#neighbours tbody tr').length;",
            json!([])
        )
        .as_u64()
        .is_some_and(|n| n > 10));

    // Spanish: the graphs' own titles, as in the static graphs.
    s.exec(
        "const l = document.getElementById('lang'); l.value = 'es'; l.dispatchEvent(new Event('change'));",
        json!([]),
    );
    shot("5-spanish");
    let title = s.exec(
        "return document.querySelector('#chart-stevens h3').textContent;",
        json!([]),
    );
    assert!(
        title
            .as_str()
            .unwrap_or("")
            .starts_with("Gráfica de Stevens"),
        "{title}"
    );
    assert_eq!(state(&s)["lang"], json!("es"));

    // Collapsing the idle gaps: the 3.42 ms wait before the data (of the
    // 4.9 ms the graphs open on) shrinks, so the whole span is narrower.
    s.exec("document.getElementById('reset').click();", json!([]));
    let wide = range(chart(&state(&s), "stevens"));
    s.exec(
        "const c = document.getElementById('collapse'); c.checked = true; c.dispatchEvent(new Event('change'));",
        json!([]),
    );
    let narrow = range(chart(&state(&s), "stevens"));
    shot("6-collapsed");
    assert!(
        narrow.1 - narrow.0 < (wide.1 - wide.0) * 0.6,
        "collapsing gaps: {wide:?} → {narrow:?}"
    );
    assert_clean(&s, "after zoom, hover, click, language and gaps");
}

#[test]
fn the_view_lists_every_connection_and_switches_between_them() {
    let Some((chromium, driver)) = chromium::browser() else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let html = view("echo-two-clients.pcap", dir.path(), &["--stream", "0"]);
    let s = Session::start(&chromium, &driver, &dir.path().join("profile"), 1400, 1000);
    s.goto(&html);
    let st = state(&s);
    assert_eq!(st["rows"], json!([0, 1]), "{st}");
    assert_eq!(st["stream"], json!(0));
    s.exec(
        "document.querySelector('#conns tr[data-stream=\"1\"]').click();",
        json!([]),
    );
    let st = state(&s);
    s.screenshot(&shots(dir.path()).join("7-stream1.png"));
    assert_eq!(st["stream"], json!(1), "{st}");
    // Sorting by stream, descending.
    s.exec(
        "const th = document.querySelector('#conns th[data-k=stream]'); th.click();",
        json!([]),
    );
    assert_eq!(state(&s)["rows"], json!([1, 0]));
    assert_clean(&s, "after switching streams");
}

/// The events list's buttons count each kind as `tcplab analyze` does
/// and show only that kind; *All* shows them all again, and the buttons
/// speak the page's language.
#[test]
fn the_events_list_filters_by_kind_with_counts() {
    let Some((chromium, driver)) = chromium::browser() else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let html = view("lossy.pcap", dir.path(), &["--lang", "en"]);
    let s = Session::start(&chromium, &driver, &dir.path().join("profile"), 1400, 1000);
    s.goto(&html);
    let st = state(&s);
    let kinds = &st["eventKinds"];
    // Every analysis event of the capture (lossy.pcap: 2 retransmissions,
    // 1 fast retransmission, 3 duplicate ACKs, 2 out-of-order, 29 window
    // updates), and the reasons segments were sent again.
    let want = event_counts_from("lossy.pcap");
    assert!(want.contains_key("ev:duplicate_ack"), "{want:?}");
    let events: BTreeMap<String, u64> = kinds["kinds"]
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| k.starts_with("ev:"))
                .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(events, want, "{st}");
    assert!(
        kinds["kinds"]
            .as_object()
            .is_some_and(|o| o.keys().any(|k| k.starts_with("again:"))),
        "the reasons for sending again are kinds too: {st}"
    );
    let all = kinds["all"].as_u64().unwrap_or(0);
    assert_eq!(st["events"], json!(all), "{st}");
    let click = |kind: &str| {
        s.exec(
            "document.querySelector(`#event-kinds button[data-kind=\"${arguments[0]}\"]`).click();",
            json!([kind]),
        );
    };
    let entries = || -> Vec<String> {
        s.exec(
            "return [...document.querySelectorAll('#events li[data-i]')].map(li => li.textContent);",
            json!([]),
        )
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
    };

    click("ev:duplicate_ack");
    let listed = entries();
    s.screenshot(&shots(dir.path()).join("8-dup-acks.png"));
    assert_eq!(listed.len() as u64, want["ev:duplicate_ack"], "{listed:?}");
    assert!(
        listed.iter().all(|l| l.contains("TCP Dup ACK")),
        "{listed:?}"
    );
    let pressed = s.exec(
        "return [...document.querySelectorAll('#event-kinds button[aria-pressed=true]')].map(b => b.textContent);",
        json!([]),
    );
    assert_eq!(pressed, json!(["TCP Dup ACK (3)"]));
    // An entry of the filtered list still selects its segment.
    s.exec(
        "document.querySelector('#events li[data-i]').click();",
        json!([]),
    );
    let sel = state(&s)["selected"].as_u64().unwrap_or(0);
    assert!(
        listed[0].starts_with(&format!("#{sel} ")),
        "{sel} {listed:?}"
    );

    click("ev:out_of_order");
    assert!(entries().iter().all(|l| l.contains("TCP Out-Of-Order")));
    assert_eq!(entries().len() as u64, want["ev:out_of_order"]);
    click("all");
    assert_eq!(entries().len() as u64, all);

    // In Spanish: the words are the page's, the event labels Wireshark's.
    s.exec(
        "const l = document.getElementById('lang'); l.value = 'es'; l.dispatchEvent(new Event('change'));",
        json!([]),
    );
    let first = s.exec(
        "return document.querySelector('#event-kinds button').textContent;",
        json!([]),
    );
    assert_eq!(first, json!(format!("Todos ({all})")));
    assert_clean(&s, "after filtering the events");
}
