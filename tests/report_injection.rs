//! A report of hostile input: a capture whose file name, and a run
//! metadata whose fields, hold Markdown links to `javascript:`, raw HTML,
//! backticks and line breaks. `tcplab report` must show all of it as the
//! text it is: no link, image or tag of its own in report.md (read as
//! CommonMark) nor in report.html (checked in headless Chromium too); the
//! report's one link of its own is to its browser view, `view.html`.

mod common;

use common::chromium;
use serde_json::json;
use std::path::Path;
use tcplab_analysis::record::tcp_info::{self, TcpInfo};

/// The capture's name (Linux allows anything but `/` and NUL).
const NAME: &str = "evil [x](javascript:alert(3)) <img src=x onerror=alert(1)> `tick`.pcap";
const CC: &str = "cubic</p><img src=x onerror=alert(2)>[cc](javascript:alert(5))";
const LOCAL: &str = "127.0.0.1:5001<img src=x onerror=alert(6)>";
const REMOTE: &str = "[r](javascript:alert(7))";
const STATE: &str = "EST`|`**x**|\n# injected heading\n<script>alert(8)</script>";
const DRAWN_STATE: &str = "<script>alert(17)</script>";
const SHA: &str = "``<img src=x onerror=alert(9)>`";
const TCP_INFO_FILE: &str = "t` [t](javascript:alert(10)) <b>-tcpinfo.csv";
/// The first packet of ns-lo-v4.pcap, in epoch seconds.
const START: f64 = 1_795_617_332.626_014;

fn metadata() -> String {
    json!({
        "tcplab_version": "0.1.0",
        "command_line": ["tcplab", "run-and-capture", "--file", "<img src=x onerror=alert(11)>"],
        "scenario": "file", "mode": "whole",
        "file_name": "[f](javascript:alert(12))",
        "sent": {"bytes": 150000, "sha256": SHA},
        "received": {"bytes": 150000, "sha256": SHA},
        "identical": true, "server_port": 5001,
        "path": "[p](javascript:alert(13)) <img src=x onerror=alert(14)>",
        "capture_file": NAME,
        "capture": {"packets_saved": 133, "kernel_received": 133, "kernel_dropped": 0, "interface_dropped": 0, "complete": true},
        "sockets": [
            {"local": "127.0.0.1:5001", "remote": "0.0.0.0:0", "state": "LISTEN", "inode": 1},
            {"local": LOCAL, "remote": REMOTE, "state": STATE, "inode": 2},
            // Readable addresses: drawn in the socket diagram, state and all.
            {"local": "127.0.0.1:40001", "remote": "127.0.0.1:5001", "state": DRAWN_STATE, "inode": 3}
        ],
        "warnings": ["<script>alert(15)</script>", "[w](javascript:alert(16))"],
        "tuning": {"cc": CC, "rcvbuf": null, "slow_reader": null, "nodelay": false},
        "congestion_control": CC,
        "tcp_info_file": TCP_INFO_FILE,
        "tcp_info_socket": "127.0.0.1:40001"
    })
    .to_string()
}

/// A few `TCP_INFO` samples within the connection, so that the report has
/// its kernel section (congestion control and the series' file name).
fn tcp_info_csv() -> Vec<u8> {
    let rows: Vec<TcpInfo> = (0..6)
        .map(|i| TcpInfo {
            time: START + 0.0005 * f64::from(i),
            state: 1,
            cwnd: 10 + i as u32,
            mss: 32768,
            srtt_us: 40,
            min_rtt_us: 20,
            ..TcpInfo::default()
        })
        .collect();
    let mut out = Vec::new();
    tcp_info::write_csv(&mut out, &rows).expect("the CSV is written");
    out
}

/// Markdown with its code spans and backslash escapes taken out, as
/// CommonMark reads them: what is left is what could be markup.
fn outside_code_and_escapes(md: &str) -> String {
    let b = md.as_bytes();
    let run = |i: usize| b[i..].iter().take_while(|&&c| c == b'`').count();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < b.len() {
        if b[i] == b'\\' && b.get(i + 1).is_some_and(u8::is_ascii_punctuation) {
            i += 2;
        } else if b[i] == b'`' {
            let n = run(i);
            let mut j = i + n;
            let close = loop {
                match b[j..].iter().position(|&c| c == b'`') {
                    None => break None,
                    Some(k) if run(j + k) == n => break Some(j + k),
                    Some(k) => j += k + run(j + k),
                }
            };
            match close {
                Some(at) => i = at + n,
                None => {
                    out.extend_from_slice(&b[i..i + n]);
                    i += n;
                }
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn report_of_hostile_input(dir: &Path) -> (String, String, std::path::PathBuf) {
    let capture = dir.join(NAME);
    std::fs::copy(common::data("ns-lo-v4.pcap"), &capture).expect("copy the capture");
    std::fs::write(capture.with_extension("json"), metadata()).expect("metadata");
    std::fs::write(dir.join(TCP_INFO_FILE), tcp_info_csv()).expect("TCP_INFO series");
    let out = dir.join("out");
    let o = common::tcplab(&[
        "report",
        capture.to_str().expect("a UTF-8 path"),
        "--lang",
        "en",
        "-o",
        out.to_str().expect("a UTF-8 path"),
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    (md, html, out.join("report.html"))
}

#[test]
fn hostile_names_and_metadata_stay_text_in_markdown_and_html() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (md, html, _) = report_of_hostile_input(dir.path());
    // The sections that show the metadata are there.
    for heading in [
        "## Sockets (exercise 4)",
        "## The sender's own view: TCP_INFO",
        "## Integrity and capture quality",
    ] {
        assert!(md.contains(heading), "{heading}: {md}");
    }

    // Markdown: outside code spans (whose content is literal) and
    // escapes, no tag and no link but the graphs'; no line the input
    // started.
    let bare = outside_code_and_escapes(&md);
    assert!(!bare.contains('<'), "raw HTML in report.md: {bare}");
    assert!(!bare.contains("](javascript:"), "{bare}");
    let links: Vec<&str> = bare.match_indices("](").map(|(i, _)| &bare[i..]).collect();
    assert_eq!(
        links.len(),
        8,
        "only the six graphs, the socket diagram and the browser view are linked: {bare}"
    );
    assert!(links.iter().all(|l| l.starts_with("](")
        && l[2..]
            .split(')')
            .next()
            .is_some_and(|h| { (h.ends_with(".svg") || h == "view.html") && !h.contains(':') })));
    assert!(!md
        .lines()
        .any(|l| l.starts_with("# injected") || l.starts_with("<script")));
    assert!(md.starts_with(
        "# TCP report: evil \\[x\\]\\(javascript:alert\\(3\\)\\) \\<img src=x onerror=alert\\(1\\)\\> \\`tick\\`.pcap\n"
    ), "{md}");
    assert!(md.contains(
        "Capture ``evil [x](javascript:alert(3)) <img src=x onerror=alert(1)> `tick`.pcap``: 133 packets"
    ), "{md}");
    assert!(md.contains("| unknown (address not readable) | 127.0.0.1:5001\\<img src=x onerror=alert\\(6\\)\\> | \\[r\\]\\(javascript:alert\\(7\\)\\) | EST\\`\\|\\`\\*\\*x\\*\\*\\|\u{FFFD}\\# injected heading\u{FFFD}\\<script\\>alert\\(8\\)\\</script\\> | - |"), "{md}");
    assert!(md.contains("| client 1 | 127.0.0.1:40001 | 127.0.0.1:5001 | \\<script\\>alert\\(17\\)\\</script\\> | stream 0 |"), "{md}");

    // HTML: the same text, escaped; no element of the input's.
    for needle in ["<img", "<script", "<iframe", "<b>", "</p><"] {
        assert!(!html.contains(needle), "report.html contains {needle:?}");
    }
    // Its one link is its own, to the browser view beside it.
    assert_eq!(html.matches("href=").count(), 1, "{html}");
    assert!(html.contains("<a href=\"view.html\">"));
    assert!(html.contains(
        "<title>TCP report: evil [x](javascript:alert(3)) &lt;img src=x onerror=alert(1)&gt; `tick`.pcap</title>"
    ));
    assert!(html.contains(
        "<p>Capture <code>evil [x](javascript:alert(3)) &lt;img src=x onerror=alert(1)&gt; `tick`.pcap</code>: 133 packets"
    ), "{html}");
    assert!(html.contains(
        "(127.0.0.1:40001, congestion control cubic&lt;/p&gt;&lt;img src=x onerror=alert(2)&gt;[cc](javascript:alert(5)))"
    ), "{html}");
    assert!(
        html.contains("in <code>t` [t](javascript:alert(10)) &lt;b&gt;-tcpinfo.csv</code>."),
        "{html}"
    );
    assert!(
        html.contains("received (150000 bytes): ``&lt;img src=x onerror=alert(9)&gt;`."),
        "{html}"
    );
}

const PROBE: &str = r#"
return {
  title: document.title,
  elements: [...document.querySelectorAll('body *')]
    .filter(e => !e.closest('svg'))
    .map(e => e.localName)
    .filter((n, i, all) => all.indexOf(n) === i)
    .sort(),
  links: document.querySelectorAll('a, [href], [src], [onerror]').length,
  text: document.body.innerText,
  resources: performance.getEntriesByType('resource').map(e => e.name)
};"#;

#[test]
fn hostile_input_makes_no_element_in_headless_chromium() {
    let Some((chromium, driver)) = chromium::browser() else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (_, _, html) = report_of_hostile_input(dir.path());
    let probe = chromium::open(
        &chromium,
        &driver,
        &html,
        &dir.path().join("profile"),
        PROBE,
    );
    assert_eq!(
        probe["title"],
        json!(format!("TCP report: {NAME}")),
        "the title shows the name as it is"
    );
    // Only the elements the report itself writes (the graphs' SVG aside).
    assert_eq!(
        probe["elements"],
        json!([
            "a",
            "code",
            "div",
            "figcaption",
            "figure",
            "h1",
            "h2",
            "h3",
            "li",
            "p",
            "strong",
            "table",
            "tbody",
            "td",
            "th",
            "tr",
            "ul"
        ]),
        "{probe}"
    );
    // The report's own link to its browser view, and nothing else.
    assert_eq!(probe["links"], json!(1), "{probe}");
    assert_eq!(probe["resources"], json!([]), "{probe}");
    let text = probe["text"].as_str().unwrap_or_default();
    for shown in [
        NAME,
        "cubic</p><img src=x onerror=alert(2)>[cc](javascript:alert(5))",
        "127.0.0.1:5001<img src=x onerror=alert(6)>",
        "[r](javascript:alert(7))",
        "``<img src=x onerror=alert(9)>`",
        "t` [t](javascript:alert(10)) <b>-tcpinfo.csv",
    ] {
        assert!(text.contains(shown), "{shown:?} not shown as it is: {text}");
    }
    // The browser view beside it opens without a console error (an
    // injected handler refused by its Content-Security-Policy would log
    // one) and without a request, on the report's connection.
    let view = html.with_file_name("view.html");
    if let Some(opened) = common::view_probe::open(&view, dir.path()) {
        assert_eq!(opened.state["stream"], json!(0), "{}", opened.state);
    }
}
