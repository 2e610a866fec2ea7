//! `tcplab report`: the files it writes, the HTML's self-containment, the
//! run metadata (sockets of exercise 4, SHA-256, drops) and the CLI's errors.

mod common;

use std::path::Path;
use tcplab_render::report::{self, Lang, ReportOptions};

const GRAPHS: [&str; 6] = [
    "ladder",
    "stevens",
    "tcptrace",
    "throughput",
    "rtt",
    "window",
];

const META: &str = r#"{
  "tcplab_version": "0.1.0", "command_line": ["tcplab", "run-and-capture"],
  "scenario": "file", "mode": "whole", "file_name": "tcplab-payload.txt",
  "sent": {"bytes": 150000, "sha256": "aaaa"},
  "received": {"bytes": 150000, "sha256": "aaaa"},
  "identical": true, "server_port": 5001, "path": "namespace tcplab-run-1",
  "capture_file": "x.pcap",
  "capture": {"packets_saved": 133, "kernel_received": 133, "kernel_dropped": 0, "interface_dropped": 0, "complete": true},
  "sockets": [
    {"local": "127.0.0.1:5001", "remote": "0.0.0.0:0", "state": "LISTEN", "inode": 1},
    {"local": "127.0.0.1:5001", "remote": "127.0.0.1:40001", "state": "ESTABLISHED", "inode": 2},
    {"local": "127.0.0.1:40001", "remote": "127.0.0.1:5001", "state": "ESTABLISHED", "inode": 3}
  ],
  "warnings": []
}"#;

#[test]
fn writes_every_file_and_a_self_contained_html() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let files = report::write_report(
        &common::data("ns-lo-v4.pcap"),
        dir.path(),
        &ReportOptions::default(),
    )
    .expect("the report is written");
    for name in ["report.md", "report.html", "segments.csv", "summary.json"] {
        let len = std::fs::metadata(dir.path().join(name)).map_or(0, |m| m.len());
        assert!(len > 0, "{name} is missing or empty");
    }
    for g in GRAPHS {
        for ext in ["svg", "png"] {
            let p = dir.path().join(format!("{g}.{ext}"));
            assert!(files.graphs.contains(&p), "{} not listed", p.display());
            assert!(std::fs::metadata(&p).map_or(0, |m| m.len()) > 0);
        }
    }
    let html = std::fs::read_to_string(&files.html).expect("report.html");
    assert_eq!(
        html.matches("<svg").count(),
        GRAPHS.len(),
        "one inline SVG per graph"
    );
    for g in GRAPHS {
        assert!(html.contains(&format!("<figure id=\"{g}\">")), "{g}");
    }
    // Nothing to fetch: no scripts, stylesheets, images or fonts from elsewhere.
    for needle in [
        "<script", "<link", "<img", "<iframe", "@import", "url(", "src=", "href=",
    ] {
        assert!(!html.contains(needle), "report.html contains {needle:?}");
    }
    let without_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!without_ns.contains("http://") && !without_ns.contains("https://"));
    assert!(html.contains("name=\"viewport\"") && html.contains("@media print"));
    let csv = std::fs::read_to_string(&files.segments_csv).expect("segments.csv");
    assert_eq!(
        csv.lines().count(),
        1 + 133,
        "a header and one row per segment"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files.summary_json).expect("summary.json"))
            .expect("summary.json is JSON");
    assert_eq!(
        json["captures"][0]["connections"].as_array().map(Vec::len),
        Some(1)
    );
}

#[test]
fn run_metadata_beside_the_capture_gives_sockets_hashes_and_drops() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let capture = dir.path().join("run.pcap");
    std::fs::copy(common::data("ns-lo-v4.pcap"), &capture).expect("copy");
    std::fs::write(dir.path().join("run.json"), META).expect("metadata");
    let out = dir.path().join("out");
    let opts = ReportOptions {
        lang: Lang::En,
        ..ReportOptions::default()
    };
    let files = report::write_report(&capture, &out, &opts).expect("the report is written");
    let md = std::fs::read_to_string(files.markdown).expect("report.md");
    assert!(
        md.contains("While the connections were up, the server had 2 sockets: 1 listening on port 5001 and 1 connected to its only client; the client had 1, connected to port 5001. 3 sockets in all."),
        "{md}"
    );
    assert!(md.contains(
        "| server: connected to client 1 | 127.0.0.1:5001 | 127.0.0.1:40001 | ESTABLISHED | stream 0 |"
    ));
    assert!(md.contains("| client 1 | 127.0.0.1:40001 | 127.0.0.1:5001 | ESTABLISHED | stream 0 |"));
    assert!(md.contains("![Socket diagram](sockets.svg)"), "{md}");
    assert!(files.graphs.contains(&out.join("sockets.png")));
    assert!(md.contains("received (150000 bytes): `aaaa`"));
    assert!(md.contains("The two are identical ✓"));
    assert!(md.contains("0 dropped by the kernel, 0 by the interface ✓"));
}

#[test]
fn a_spanish_report_has_spanish_graphs_and_decimal_commas() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let capture = dir.path().join("run.pcap");
    std::fs::copy(common::data("ns-lo-v4.pcap"), &capture).expect("copy");
    std::fs::write(dir.path().join("run.json"), META).expect("metadata");
    let opts = ReportOptions {
        lang: Lang::Es,
        ..ReportOptions::default()
    };
    let out = dir.path().join("out");
    let files = report::write_report(&capture, &out, &opts).expect("the report is written");
    let md = std::fs::read_to_string(&files.markdown).expect("report.md");
    assert!(
        md.contains("el servidor tenía 2 sockets: 1 de escucha en el puerto 5001 y 1 conectado a su único cliente; el cliente tenía 1, conectado al puerto 5001. En total, 3 sockets."),
        "{md}"
    );
    assert!(
        md.contains("| servidor: socket de escucha | 127.0.0.1:5001 | 0.0.0.0:0 | LISTEN | - |")
    );
    // Decimal commas in prose and tables; integers and hashes untouched.
    assert!(md.contains("durante los 3,71 ms de la conexión"), "{md}");
    assert!(md.contains("Throughput 335,28 Mbit/s"), "{md}");
    assert!(md.contains("| 1 | 0,000000 | 127.0.0.1:40001 | S | 3383398044 |"));
    assert!(md.contains("3383398044 + 1 = 3383398045 ✓"));
    assert!(md.contains("recibido (150000 bytes): `aaaa`"));
    let stevens = std::fs::read_to_string(out.join("stevens.svg")).expect("stevens.svg");
    assert!(stevens.contains("Número de secuencia (absoluto)"));
    assert!(stevens.contains("Tiempo desde el primer paquete de la conexión"));
    assert!(!stevens.contains("Sequence number") && !stevens.contains("Stevens graph"));
    let html = std::fs::read_to_string(&files.html).expect("report.html");
    assert!(html.contains("bytes en vuelo de 127.0.0.1:40001"));
    assert!(html.contains("ventana de recepción anunciada por 127.0.0.1:5001"));
    assert!(!html.contains("bytes in flight from"));
    // The CSV is machine-readable: decimal points, whatever the language.
    let csv = std::fs::read_to_string(&files.segments_csv).expect("segments.csv");
    let time = csv.lines().nth(1).and_then(|l| l.split(',').nth(1));
    assert_eq!(time, Some("1795617332.626014000"), "{csv:.300}");
}

/// The two-client echo of exercise 4, its snapshot in /proc's order (not
/// the clients'): whose each socket is follows from the ports, the clients
/// are numbered by their connections in the capture.
const ECHO_META: &str = r#"{
  "scenario": "echo", "server_port": 5001, "capture_file": "echo.pcap",
  "sockets": [
    {"local": "127.0.0.1:40002", "remote": "127.0.0.1:5001", "state": "ESTABLISHED", "inode": 5},
    {"local": "127.0.0.1:5001", "remote": "127.0.0.1:40001", "state": "ESTABLISHED", "inode": 2},
    {"local": "127.0.0.1:5001", "remote": "0.0.0.0:0", "state": "LISTEN", "inode": 1},
    {"local": "127.0.0.1:5001", "remote": "127.0.0.1:40002", "state": "ESTABLISHED", "inode": 4},
    {"local": "127.0.0.1:40001", "remote": "127.0.0.1:5001", "state": "ESTABLISHED", "inode": 3}
  ]
}"#;

fn echo_report(lang: Lang) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let capture = dir.path().join("echo.pcap");
    std::fs::copy(common::data("echo-two-clients.pcap"), &capture).expect("copy");
    std::fs::write(dir.path().join("echo.json"), ECHO_META).expect("metadata");
    let out = dir.path().join("out");
    let opts = ReportOptions {
        lang,
        ..ReportOptions::default()
    };
    let files = report::write_report(&capture, &out, &opts).expect("the report is written");
    assert!(files.graphs.contains(&out.join("sockets.svg")));
    assert!(std::fs::read(out.join("sockets.png")).is_ok_and(|b| b.starts_with(b"\x89PNG")));
    let md = std::fs::read_to_string(&files.markdown).expect("report.md");
    let html = std::fs::read_to_string(&files.html).expect("report.html");
    assert!(html.contains("<figure id=\"sockets\">"));
    assert_eq!(html.matches("<svg").count(), GRAPHS.len() + 1);
    let svg = std::fs::read_to_string(out.join("sockets.svg")).expect("sockets.svg");
    (dir, md, svg)
}

#[test]
fn the_echo_sockets_are_counted_as_the_lab_does_with_whose_each_is() {
    let (_dir, md, svg) = echo_report(Lang::Es);
    assert!(
        md.contains("Con las conexiones abiertas, el servidor tenía 3 sockets: 1 de escucha en el puerto 5001 y 2 conectados, uno por cliente; cada cliente tenía 1, conectado al puerto 5001. En total, 5 sockets."),
        "{md}"
    );
    // Listening first, then each client's two ends; client 1 opened stream 0.
    let table = [
        "| de quién | local | remoto | estado | conexión |",
        "| --- | --- | --- | --- | --- |",
        "| servidor: socket de escucha | 127.0.0.1:5001 | 0.0.0.0:0 | LISTEN | - |",
        "| servidor: conectado al cliente 1 | 127.0.0.1:5001 | 127.0.0.1:40001 | ESTABLISHED | stream 0 |",
        "| cliente 1 | 127.0.0.1:40001 | 127.0.0.1:5001 | ESTABLISHED | stream 0 |",
        "| servidor: conectado al cliente 2 | 127.0.0.1:5001 | 127.0.0.1:40002 | ESTABLISHED | stream 1 |",
        "| cliente 2 | 127.0.0.1:40002 | 127.0.0.1:5001 | ESTABLISHED | stream 1 |",
    ]
    .join("\n");
    assert!(md.contains(&table), "{md}");
    assert!(md.contains("![Diagrama de sockets](sockets.svg)"), "{md}");
    for label in [
        "Servidor",
        "Cliente 1",
        "Cliente 2",
        "127.0.0.1:5001",
        "127.0.0.1:40001",
        "127.0.0.1:40002",
        "de escucha (LISTEN)",
        "conectado al cliente 2 (ESTABLISHED)",
        "stream 1",
        "accept()",
    ] {
        assert!(svg.contains(label), "sockets.svg lacks {label:?}");
    }
    // Each client's own socket sits on the row of its socket on the server.
    let y_of = |label: &str| {
        let at = svg.find(&format!(">\n{label}\n<")).expect(label);
        let tag = &svg[svg[..at].rfind("<text").expect("a text element")..at];
        let y = tag.split("y=\"").nth(1).and_then(|r| r.split('"').next());
        y.and_then(|v| v.parse::<f64>().ok()).expect("a y")
    };
    assert_eq!(y_of("127.0.0.1:40002"), y_of("Cliente 2") - 9.0);
}

#[test]
fn the_english_echo_report_counts_the_same_sockets() {
    let (_dir, md, svg) = echo_report(Lang::En);
    assert!(
        md.contains("While the connections were up, the server had 3 sockets: 1 listening on port 5001 and 2 connected, one per client; each client had 1, connected to port 5001. 5 sockets in all."),
        "{md}"
    );
    assert!(md.contains("| client 2 | 127.0.0.1:40002 | 127.0.0.1:5001 | ESTABLISHED | stream 1 |"));
    assert!(svg.contains("Client 2") && svg.contains("listening (LISTEN)"));
}

/// A snapshot taken on the server's machine only: the client's socket is
/// not in it, and the report says so rather than "each client had 1".
#[test]
fn a_client_on_another_machine_is_counted_from_the_server_side() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let capture = dir.path().join("run.pcap");
    std::fs::copy(common::data("ns-lo-v4.pcap"), &capture).expect("copy");
    let meta = r#"{"server_port": 5001, "sockets": [
      {"local": "127.0.0.1:5001", "remote": "0.0.0.0:0", "state": "LISTEN"},
      {"local": "127.0.0.1:5001", "remote": "127.0.0.1:40001", "state": "ESTABLISHED"}]}"#;
    std::fs::write(dir.path().join("run.json"), meta).expect("metadata");
    let opts = ReportOptions {
        lang: Lang::En,
        ..ReportOptions::default()
    };
    let out = dir.path().join("out");
    let files = report::write_report(&capture, &out, &opts).expect("the report is written");
    let md = std::fs::read_to_string(files.markdown).expect("report.md");
    assert!(md.contains("the server had 2 sockets: 1 listening on port 5001 and 1 connected; the table shows 0 sockets on the client's side (a client on another machine has its socket in that machine's table). 2 sockets in all."), "{md}");
    assert!(md.contains(
        "| server: connected to client 1 | 127.0.0.1:5001 | 127.0.0.1:40001 | ESTABLISHED | stream 0 |"
    ));
    let svg = std::fs::read_to_string(out.join("sockets.svg")).expect("sockets.svg");
    assert!(svg.contains("127.0.0.1:40001") && svg.contains("not in this machine"));
}

#[test]
fn unreadable_metadata_named_explicitly_is_an_error() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{").expect("write");
    let opts = ReportOptions {
        run_meta: Some(bad.clone()),
        ..ReportOptions::default()
    };
    let err = report::write_report(&common::data("rst.pcap"), dir.path(), &opts)
        .expect_err("bad metadata");
    assert!(
        err.to_string()
            .contains("bad.json: cannot read the run metadata"),
        "{err}"
    );
}

fn stderr_of(args: &[&str], cwd: &Path) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tcplab"))
        .args(args)
        .current_dir(cwd)
        .env("LANG", "es_ES.UTF-8")
        .output()
        .expect("the binary runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_defaults_to_reports_dir_and_lang_from_env() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let capture = common::data("rst.pcap");
    let (code, stdout, stderr) = stderr_of(
        &["report", capture.to_str().unwrap_or_default()],
        dir.path(),
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("reports/rst/report.html"), "{stdout}");
    assert!(stderr.contains("choose with --stream N"), "{stderr}");
    let md = std::fs::read_to_string(dir.path().join("reports/rst/report.md")).expect("report.md");
    assert!(
        md.starts_with("# Informe TCP: rst.pcap"),
        "LANG=es_ES picks Spanish"
    );
}

#[test]
fn cli_errors_are_one_line() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let capture = common::data("rst.pcap");
    let capture = capture.to_str().unwrap_or_default();
    let (code, _, stderr) = stderr_of(&["report", capture, "--stream", "7", "-o", "x"], dir.path());
    assert_eq!(code, Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("there is no stream 7; the capture has 2 connections"),
        "{stderr}"
    );
    let (code, _, stderr) = stderr_of(&["report", "missing.pcap"], dir.path());
    assert_eq!(code, Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("missing.pcap"), "{stderr}");
}

#[test]
fn lang_follows_the_locale() {
    assert_eq!(Lang::from_locale(Some("es_ES.UTF-8")), Lang::Es);
    assert_eq!(Lang::from_locale(Some("en_GB.UTF-8")), Lang::En);
    assert_eq!(Lang::from_locale(Some("C")), Lang::En);
    assert_eq!(Lang::from_locale(None), Lang::En);
}

/// A capture that turns out unusable half-way (here: no TCP connection,
/// known only after reading it) leaves no partial report, and neither do
/// the graphs of `plot --all`; a report written again over an existing one
/// replaces its files.
#[test]
fn a_failed_report_or_plot_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let udp_only = tmp.path().join("no-tcp.pcap");
    let lossy = std::fs::read(common::data("lossy.pcap")).expect("lossy.pcap");
    // The pcap header and no record: a capture without a connection.
    std::fs::write(&udp_only, &lossy[..24]).expect("write");
    let out = tmp.path().join("out").join("report");
    let o = common::tcplab(&[
        "report",
        udp_only.to_str().expect("utf-8"),
        "-o",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    assert!(!out.exists(), "a partial report was left");
    let plots = tmp.path().join("out").join("plots");
    let o = common::tcplab(&[
        "plot",
        udp_only.to_str().expect("utf-8"),
        "--all",
        "-o",
        &format!("{}/", plots.display()),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    assert!(!plots.exists(), "partial graphs were left");
    let left: Vec<_> = std::fs::read_dir(tmp.path().join("out"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.file_name())).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left behind: {left:?}");

    // Written twice: the second replaces the first's files.
    for _ in 0..2 {
        let o = common::tcplab(&[
            "report",
            common::data("lossy.pcap").to_str().expect("utf-8"),
            "-o",
            out.to_str().expect("utf-8"),
        ]);
        assert!(o.status.success(), "{}", common::stderr(&o));
    }
    assert!(out.join("report.html").is_file());
    let hidden: Vec<_> = std::fs::read_dir(tmp.path().join("out"))
        .expect("out")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}
