//! The report as a list of blocks, written out as Markdown or as a
//! self-contained HTML page (CSS and SVG inline, nothing fetched).
//!
//! A block's text is of two kinds, and they are kept apart:
//!
//! - **Template text**, written by us (the strings tables and the code
//!   around them), may use the markup both renderers understand:
//!   `**bold**`, `` `code` `` (a longer backtick fence too), `[label](href)`,
//!   and a backslash before ASCII punctuation for the character itself.
//! - **Text from the input** (a capture's file name, anything read from the
//!   run metadata or another file, a path, a command line, a warning) goes
//!   in only through [`text`] (plain text) or [`code`] (a code span). Both
//!   make it show literally in the Markdown (CommonMark and GitHub's
//!   tables) and in the HTML, whatever it holds: it can open no markup,
//!   link, raw HTML or new block of its own.
//!
//! Links: both renderers make a link only of a relative path to the
//! report's own files ([`local_href`]); any other `[label](href)` is shown
//! as its plain text. The HTML's Content-Security-Policy allows no script
//! and nothing fetched besides.

mod inline;
mod input;
#[cfg(test)]
mod tests;

use inline::{inline, plain};
use input::{cell, line_start, md};
pub use input::{code, local_href, text};
use std::fmt::Write;

/// A part of the report. Its strings are template text (see above): a
/// value from the input is in them as [`text`] or [`code`] made it.
pub enum Block {
    Title(String),
    Heading(String),
    Subheading(String),
    Para(String),
    List(Vec<String>),
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A graph: file stem (e.g. `stevens`), title, caption, inline SVG.
    Figure {
        stem: String,
        title: String,
        caption: String,
        svg: String,
    },
}

pub fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Title(t) => writeln!(out, "# {}\n", md(t)),
            Block::Heading(t) => writeln!(out, "## {}\n", md(t)),
            Block::Subheading(t) => writeln!(out, "### {}\n", md(t)),
            Block::Para(t) => writeln!(out, "{}\n", line_start(md(t))),
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(out, "- {}", line_start(md(i)));
                }
                writeln!(out)
            }
            Block::Table { head, rows } => {
                let row = |cells: &[String]| {
                    let cells: Vec<String> = cells.iter().map(|c| cell(&md(c))).collect();
                    format!("| {} |", cells.join(" | "))
                };
                let _ = writeln!(out, "{}", row(head));
                let _ = writeln!(out, "|{}", " --- |".repeat(head.len()));
                for r in rows {
                    let _ = writeln!(out, "{}", row(r));
                }
                writeln!(out)
            }
            Block::Figure {
                stem,
                title,
                caption,
                ..
            } => writeln!(
                out,
                "![{title}]({stem}.svg)\n\n*{title}.* {}\n",
                md(caption)
            ),
        }
        .ok();
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

const CSS: &str = "
body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60rem;margin:0 auto;padding:0 1rem;color:#111;background:#fff}
h1{font-size:1.6rem}h2{font-size:1.3rem;border-bottom:1px solid #ccc;margin-top:2rem}h3{font-size:1.1rem}
code{font-family:'DejaVu Sans Mono',monospace;font-size:.9em;background:#f3f3f3;padding:0 .2em;overflow-wrap:anywhere}
.t{overflow-x:auto}table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0}
th,td{border:1px solid #ccc;padding:.2rem .4rem;text-align:left;vertical-align:top}th{background:#f3f3f3}
figure{margin:1rem 0}figure svg{width:100%;height:auto;display:block;border:1px solid #eee}
figcaption{font-size:.9rem;color:#333}
@media print{body{max-width:none;font-size:11pt}figure,table{break-inside:avoid}h2{break-after:avoid}a{color:inherit}}
";

pub fn html(blocks: &[Block], lang: &str) -> String {
    let title = blocks
        .iter()
        .find_map(|b| match b {
            Block::Title(t) => Some(t.as_str()),
            _ => None,
        })
        .unwrap_or("tcplab");
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(&plain(title))
    );
    for b in blocks {
        let _ = match b {
            Block::Title(t) => writeln!(out, "<h1>{}</h1>", inline(t)),
            Block::Heading(t) => writeln!(out, "<h2>{}</h2>", inline(t)),
            Block::Subheading(t) => writeln!(out, "<h3>{}</h3>", inline(t)),
            Block::Para(t) => writeln!(out, "<p>{}</p>", inline(t)),
            Block::List(items) => {
                out.push_str("<ul>\n");
                for i in items {
                    let _ = writeln!(out, "<li>{}</li>", inline(i));
                }
                writeln!(out, "</ul>")
            }
            Block::Table { head, rows } => {
                out.push_str("<div class=\"t\"><table>\n<tr>");
                for h in head {
                    let _ = write!(out, "<th>{}</th>", inline(h));
                }
                out.push_str("</tr>\n");
                for r in rows {
                    out.push_str("<tr>");
                    for c in r {
                        let _ = write!(out, "<td>{}</td>", inline(c));
                    }
                    out.push_str("</tr>\n");
                }
                writeln!(out, "</table></div>")
            }
            Block::Figure {
                stem,
                title,
                caption,
                svg,
            } => writeln!(
                out,
                "<figure id=\"{stem}\">\n{}\n<figcaption><strong>{}.</strong> {}</figcaption>\n</figure>",
                strip_xml_prolog(svg),
                escape(title),
                inline(caption)
            ),
        };
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn strip_xml_prolog(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(at) => &svg[at..],
        None => svg,
    }
}

/// HTML-escapes `s` for an element's text or a quoted attribute.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
