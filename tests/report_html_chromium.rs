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

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tcplab_render::report::{self, ReportOptions};

const FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=412,915",
];

fn find(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Kills chromedriver (and with it the browser) when the test ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One WebDriver request over plain HTTP/1.1; returns the JSON `value`.
fn call(port: u16, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<Value> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    // chromedriver keeps the connection open: read the headers, then
    // exactly Content-Length bytes.
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            break;
        }
        raw.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&raw).to_ascii_lowercase();
    let len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body)?;
    let json = String::from_utf8_lossy(&body);
    let v: Value = serde_json::from_str(&json).map_err(std::io::Error::other)?;
    Ok(v["value"].clone())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let bits: Vec<u8> = s.bytes().filter_map(val).collect();
    bits.chunks(4)
        .flat_map(|c| {
            let n = c.iter().fold(0u32, |acc, &b| acc << 6 | u32::from(b)) << (6 * (4 - c.len()));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            bytes.into_iter().take(c.len().saturating_sub(1))
        })
        .collect()
}

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

fn open_in_chromium(chromium: &Path, driver: &Path, html: &Path, profile: &Path) -> Value {
    let port = free_port();
    let _driver = Driver(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while call(port, "GET", "/status", None).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not answer in 20 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut args: Vec<String> = FLAGS.iter().map(|f| f.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let caps = json!({"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": chromium, "args": args}
    }}});
    let session = call(port, "POST", "/session", Some(&caps)).expect("a session");
    let id = session["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {session}"))
        .to_string();
    let url = format!("file://{}", html.display());
    call(
        port,
        "POST",
        &format!("/session/{id}/url"),
        Some(&json!({"url": url})),
    )
    .expect("navigate");
    let probe = call(
        port,
        "POST",
        &format!("/session/{id}/execute/sync"),
        Some(&json!({"script": PROBE, "args": []})),
    )
    .expect("the probe runs");
    let shot = call(port, "GET", &format!("/session/{id}/screenshot"), None).expect("screenshot");
    let png = base64_decode(shot.as_str().unwrap_or_default());
    let shot_path = html.with_file_name("screenshot.png");
    std::fs::write(&shot_path, &png).expect("the screenshot is saved");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 1000,
        "screenshot {}",
        shot_path.display()
    );
    let _ = call(port, "DELETE", &format!("/session/{id}"), None);
    probe
}

#[test]
fn report_html_renders_every_graph_in_headless_chromium() {
    let (chromium, driver) = (
        find(&["chromium", "chromium-browser"]),
        find(&["chromedriver"]),
    );
    let (Some(chromium), Some(driver)) = (chromium, driver) else {
        let msg = "headless Chromium test needs the Debian packages chromium and chromium-driver";
        assert!(
            std::env::var_os("CI").is_none(),
            "{msg} (CI is set: failing)"
        );
        eprintln!("skipped: {msg}");
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
    let probe = open_in_chromium(&chromium, &driver, &files.html, &profile);
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
