//! The page: the template of `web/template.html` filled with the data
//! (`encode`), the strings (`strings`), uPlot and our viewer.
//!
//! In: a capture path and `ViewOptions`. Out: `Page` (the HTML and what
//! the caller may want to say about it). The page's Content-Security-
//! Policy is the report's (nothing may be fetched: `default-src 'none'`)
//! with the page's own scripts allowed by their SHA-256 hashes, so no
//! other script, inline or not, can run in it.

use crate::assets;
use crate::encode::{Columns, ConnRow, KernelColumns, Names};
use crate::gather::gather;
use crate::pack::{self, Packed};
use crate::{Result, ViewError, ViewOptions};
use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;
use tcplab_analysis::record::{run_meta, tcp_info};
use tcplab_render::plot::{busiest, ConnectionSeries, KernelSeries};

/// A written view.
#[derive(Clone, Debug)]
pub struct Page {
    pub html: String,
    pub connections: usize,
    /// The connection shown first.
    pub stream: u32,
    /// Segments held in the page, and left out by the limits.
    pub segments: usize,
    pub left_out: u64,
    /// The damage that stopped the reading early, as a sentence.
    pub damage: Option<String>,
    /// The `TCP_INFO` file drawn over the window and RTT graphs.
    pub tcp_info: Option<String>,
}

#[derive(Serialize)]
struct Doc<'a> {
    version: u32,
    capture: String,
    lang: &'static str,
    stream: u32,
    limits: [u64; 2],
    damage: Option<&'a str>,
    tcp_info: Option<&'a str>,
    names: Names,
    strings: serde_json::Value,
    connections: Vec<ConnRow>,
    /// Where each connection's columns lie in the data block.
    series: Vec<Packed>,
    kernel: Option<KernelColumns>,
}

/// Builds the page of `capture`.
pub fn page(capture: &Path, options: &ViewOptions) -> Result<Page> {
    let file = capture.display().to_string();
    let got = gather(capture, options.limits, options.analyzer.clone())?;
    let conns = &got.analysis.connections;
    let stream = match options.stream {
        Some(n) if conns.iter().any(|c| c.stream == n) => n,
        Some(n) => {
            return Err(ViewError::UnknownStream {
                file,
                stream: n,
                available: tcplab_render::plot::describe_streams(conns),
            })
        }
        None => busiest(conns).ok_or(ViewError::NoConnection { file: file.clone() })?,
    };
    let (kernel, tcp_info) = match kernel_series(capture, options, &got.series, stream)? {
        Some((k, path)) => (Some(KernelColumns::of(stream, &k)), Some(path)),
        None => (None, None),
    };
    let left = |s: u32| got.left_out.get(&s).copied().unwrap_or(0);
    let damage = got.damage.as_ref().map(|e| e.to_string());
    let mut packed: Vec<Packed> = got
        .series
        .iter()
        .map(|s| pack::pack(&Columns::of(s)))
        .collect();
    let segments = pack::join(&mut packed);
    let doc = Doc {
        version: 2,
        capture: capture
            .file_name()
            .map_or(file.clone(), |n| n.to_string_lossy().into_owned()),
        lang: options.lang.code(),
        stream,
        limits: [options.limits.per_connection, options.limits.total],
        damage: damage.as_deref(),
        tcp_info: tcp_info.as_deref(),
        names: Names::default(),
        strings: crate::strings::both(),
        connections: conns
            .iter()
            .map(|c| ConnRow::of(c, left(c.stream)))
            .collect(),
        series: packed,
        kernel,
    };
    let json = serde_json::to_string(&doc).unwrap_or_default();
    let html = fill_template(&doc.capture, options.lang.code(), &json, &segments);
    Ok(Page {
        html,
        connections: conns.len(),
        stream,
        segments: got.series.iter().map(|s| s.segments.len()).sum(),
        left_out: got.left_out.values().sum(),
        damage,
        tcp_info,
    })
}

/// The kernel's samples of `stream`, from `options.tcp_info` or the
/// run's files beside the capture.
fn kernel_series(
    capture: &Path,
    options: &ViewOptions,
    series: &[ConnectionSeries],
    stream: u32,
) -> Result<Option<(KernelSeries, String)>> {
    let meta = run_meta::beside(capture).and_then(|m| run_meta::read(&m).ok());
    let Some(path) = options
        .tcp_info
        .clone()
        .or_else(|| run_meta::tcp_info_of(capture, meta.as_ref()))
    else {
        return Ok(None);
    };
    let bad = |reason: String| ViewError::TcpInfo {
        path: path.clone(),
        reason,
    };
    let text = std::fs::read_to_string(&path).map_err(|e| bad(e.to_string()))?;
    let rows = tcp_info::read_csv(&text).map_err(bad)?;
    let socket = meta.and_then(|m| m.tcp_info_socket);
    let Some(s) = series.iter().find(|s| s.stream == stream) else {
        return Ok(None);
    };
    Ok(KernelSeries::for_connection(s, &rows, socket.as_deref())
        .map(|k| (k, path.display().to_string())))
}

/// `'sha256-…'` of a script's text, for the Content-Security-Policy.
fn script_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The template with `{{NAME}}` replaced, in one pass over the template
/// only: nothing inserted is scanned again.
fn fill_template(capture: &str, lang: &str, json: &str, segments: &str) -> String {
    let hashes: Vec<String> = std::iter::once(assets::UPLOT_JS)
        .chain(assets::SCRIPTS.iter().map(|(_, js)| *js))
        .map(script_hash)
        .collect();
    let csp = format!(
        "default-src 'none'; style-src 'unsafe-inline'; script-src {}",
        hashes.join(" ")
    );
    let scripts: String = assets::SCRIPTS
        .iter()
        .map(|(_, js)| format!("<script>{js}</script>\n"))
        .collect();
    // In a <script> element only `</` could end it early; in JSON `<`
    // appears only inside strings, where `\u003c` means the same.
    let data = json.replace('<', "\\u003c");
    let title = escape_html(&format!("tcplab view: {capture}"));
    let licence = escape_html(assets::UPLOT_LICENSE);
    let value = |name: &str| -> &str {
        match name {
            "LANG" => lang,
            "CSP" => &csp,
            "TITLE" => &title,
            "UPLOT_CSS" => assets::UPLOT_CSS,
            "VIEWER_CSS" => assets::VIEWER_CSS,
            "DATA" => &data,
            // base64: no `<` that could end the block.
            "SEGMENTS" => segments,
            "UPLOT_JS" => assets::UPLOT_JS,
            "SCRIPTS" => &scripts,
            "UPLOT_LICENSE" => &licence,
            _ => "",
        }
    };
    let t = assets::TEMPLATE;
    let mut out = String::with_capacity(
        t.len() + json.len() + segments.len() + scripts.len() + assets::UPLOT_JS.len() + 65_536,
    );
    let mut rest = t;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        out.push_str(value(&after[..close]));
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/data")
            .join(name)
    }

    #[test]
    fn the_page_allows_exactly_its_own_scripts_and_fetches_nothing() {
        let p = page(&data("lossy.pcap"), &ViewOptions::default()).expect("a page");
        let csp = p
            .html
            .lines()
            .find(|l| l.contains("Content-Security-Policy"))
            .expect("a CSP");
        assert!(csp.contains("default-src 'none'"), "{csp}");
        let scripts = csp.split("script-src").nth(1).expect("a script-src");
        assert!(!scripts.contains("unsafe"), "{csp}");
        let ours = assets::SCRIPTS.len() + 1;
        assert_eq!(csp.matches("'sha256-").count(), ours, "{csp}");
        assert!(!p.html.contains("{{"), "a placeholder left unfilled");
        // The JSON and the segments' bytes are data blocks: not run, not hashed.
        assert_eq!(p.html.matches("<script").count(), ours + 2);
        assert_eq!(p.html.matches("<script>").count(), ours);
        for (name, js) in assets::SCRIPTS {
            assert!(csp.contains(&script_hash(js)), "{name} is allowed");
        }
    }

    #[test]
    fn an_unknown_stream_names_the_streams_there_are() {
        let opts = ViewOptions {
            stream: Some(99),
            ..ViewOptions::default()
        };
        let e = page(&data("lossy.pcap"), &opts).expect_err("no stream 99");
        let msg = e.to_string();
        assert!(
            msg.contains("lossy.pcap: there is no stream 99; its streams are 0 ("),
            "{msg}"
        );
    }
}
