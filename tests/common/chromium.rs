//! Headless Chromium through chromedriver (WebDriver over plain HTTP):
//! the report tests open their HTML in a real browser with it.
//!
//! Needs the Debian packages `chromium` and `chromium-driver`
//! (`.ci/install-deps`).

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

pub fn find(names: &[&str]) -> Option<PathBuf> {
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

pub fn base64_decode(s: &str) -> Vec<u8> {
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

/// Chromium and chromedriver; `None` (and a message) when they are not
/// installed, which fails under CI (`CI` set).
pub fn browser() -> Option<(PathBuf, PathBuf)> {
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
        return None;
    };
    Some((chromium, driver))
}

/// A browser session through chromedriver: navigate, run scripts, act
/// with the mouse and keyboard, read the console, take screenshots. The
/// browser and chromedriver end with it.
pub struct Session {
    port: u16,
    id: String,
    _driver: Driver,
}

impl Session {
    /// Starts Chromium (headless) with a window of `width`×`height` CSS pixels.
    pub fn start(
        chromium: &Path,
        driver: &Path,
        profile: &Path,
        width: u32,
        height: u32,
    ) -> Session {
        let port = free_port();
        let driver = Driver(
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
        let mut args: Vec<String> = FLAGS
            .iter()
            .filter(|f| !f.starts_with("--window-size"))
            .map(|f| f.to_string())
            .collect();
        args.push(format!("--window-size={width},{height}"));
        args.push(format!("--user-data-dir={}", profile.display()));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args},
            "goog:loggingPrefs": {"browser": "ALL"}
        }}});
        let session = call(port, "POST", "/session", Some(&caps)).expect("a session");
        let id = session["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {session}"))
            .to_string();
        Session {
            port,
            id,
            _driver: driver,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let path = format!("/session/{}{path}", self.id);
        call(self.port, method, &path, body).unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    pub fn goto(&self, html: &Path) {
        let url = format!("file://{}", html.display());
        self.call("POST", "/url", Some(&json!({ "url": url })));
    }

    /// Runs `script` (the body of a function; `arguments` holds `args`).
    pub fn exec(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(&json!({"script": script, "args": args})),
        )
    }

    /// WebDriver actions (`{"actions": [...]}`), then releases them.
    pub fn actions(&self, actions: Value) {
        self.call("POST", "/actions", Some(&actions));
        self.call("DELETE", "/actions", None);
    }

    /// The console's messages so far (level, text).
    pub fn console(&self) -> Vec<(String, String)> {
        let v = self.call("POST", "/se/log", Some(&json!({"type": "browser"})));
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|e| {
                        (
                            e["level"].as_str().unwrap_or("").to_string(),
                            e["message"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Saves a screenshot to `path` (PNG).
    pub fn screenshot(&self, path: &Path) {
        let shot = self.call("GET", "/screenshot", None);
        let png = base64_decode(shot.as_str().unwrap_or_default());
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 1000,
            "screenshot {}",
            path.display()
        );
        std::fs::write(path, &png).expect("the screenshot is saved");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = call(self.port, "DELETE", &format!("/session/{}", self.id), None);
    }
}

/// Opens `html` and runs `probe` (the body of a function) in it: what it
/// returns. A screenshot is saved beside the page as `screenshot.png`.
pub fn open(chromium: &Path, driver: &Path, html: &Path, profile: &Path, probe: &str) -> Value {
    let session = Session::start(chromium, driver, profile, 412, 915);
    session.goto(html);
    let probe = session.exec(probe, json!([]));
    session.screenshot(&html.with_file_name("screenshot.png"));
    probe
}
