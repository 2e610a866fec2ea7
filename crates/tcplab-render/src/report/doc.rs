//! The report as a list of blocks, written out as Markdown or as a
//! self-contained HTML page (CSS and SVG inline, nothing fetched).
//!
//! Text may use `**bold**` and `` `code` ``; both renderers understand them.

use std::fmt::Write;

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
            Block::Title(t) => writeln!(out, "# {t}\n"),
            Block::Heading(t) => writeln!(out, "## {t}\n"),
            Block::Subheading(t) => writeln!(out, "### {t}\n"),
            Block::Para(t) => writeln!(out, "{t}\n"),
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(out, "- {i}");
                }
                writeln!(out)
            }
            Block::Table { head, rows } => {
                let _ = writeln!(out, "| {} |", head.join(" | "));
                let _ = writeln!(out, "|{}", " --- |".repeat(head.len()));
                for r in rows {
                    let _ = writeln!(out, "| {} |", r.join(" | "));
                }
                writeln!(out)
            }
            Block::Figure {
                stem,
                title,
                caption,
                ..
            } => writeln!(out, "![{title}]({stem}.svg)\n\n*{title}.* {caption}\n"),
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
        escape(title)
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

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Escapes `s` and turns `**x**` into <strong>, `` `x` `` into <code>
/// and `[label](href)` into a link.
fn inline(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", escape(part));
            continue;
        }
        let mut rest = part;
        while let Some(link) = next_link(rest) {
            out.push_str(&strong(link.before));
            let _ = write!(
                out,
                "<a href=\"{}\">{}</a>",
                escape(link.href),
                strong(link.label)
            );
            rest = link.after;
        }
        out.push_str(&strong(rest));
    }
    out
}

/// Escapes `s` and turns `**x**` into <strong>.
fn strong(s: &str) -> String {
    let mut out = String::new();
    for (j, piece) in escape(s).split("**").enumerate() {
        if j % 2 == 1 {
            let _ = write!(out, "<strong>{piece}</strong>");
        } else {
            out.push_str(piece);
        }
    }
    out
}

struct Link<'a> {
    before: &'a str,
    label: &'a str,
    href: &'a str,
    after: &'a str,
}

/// The first Markdown link `[label](href)` in `s` (no brackets in the
/// label, no parenthesis in the href).
fn next_link(s: &str) -> Option<Link<'_>> {
    let mut from = 0;
    while let Some(open) = s[from..].find('[').map(|i| from + i) {
        let close = open + s[open..].find(']')?;
        let inner_open = s[open + 1..close].rfind('[').map(|i| open + 1 + i);
        let start = inner_open.unwrap_or(open);
        if let Some(tail) = s[close..].strip_prefix("](") {
            if let Some(end) = tail.find(')') {
                return Some(Link {
                    before: &s[..start],
                    label: &s[start + 1..close],
                    href: &tail[..end],
                    after: &tail[end + 1..],
                });
            }
        }
        from = close + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markup_is_escaped_and_converted() {
        assert_eq!(
            inline("a <b> **c** `d<e`"),
            "a &lt;b&gt; <strong>c</strong> <code>d&lt;e</code>"
        );
    }

    #[test]
    fn links_become_anchors() {
        assert_eq!(
            inline("see [the report](reno/report.html) and [x] [y](a&b.pcap)."),
            "see <a href=\"reno/report.html\">the report</a> and [x] <a href=\"a&amp;b.pcap\">y</a>."
        );
        assert_eq!(inline("no [link] here (really)"), "no [link] here (really)");
        assert_eq!(
            inline("**reno**: [capture](r.pcap) `[code](c)`"),
            "<strong>reno</strong>: <a href=\"r.pcap\">capture</a> <code>[code](c)</code>"
        );
    }
}
