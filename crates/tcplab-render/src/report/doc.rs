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

/// The ASCII punctuation that means something in inline Markdown
/// (CommonMark, and GitHub's tables, strikethrough and math): [`text`]
/// puts a backslash before each. The rest (`.`, `-`, `/`, `:`, `,`, `=`, …)
/// means nothing in the middle of a line and is left as it is, so that an
/// ordinary file name reads the same in the Markdown source.
const SIGNIFICANT: &[u8] = b"\\`*_[]()<>!#|~&$";

/// Text from the input, as inline Markdown that both renderers show
/// literally: a backslash before every significant character (CommonMark
/// reads `\` + ASCII punctuation as the character itself), and a control
/// character (a line break would start a new block) as U+FFFD.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_ascii() && SIGNIFICANT.contains(&(c as u8)) {
            out.push('\\');
            out.push(c);
        } else if c.is_control() {
            out.push('\u{FFFD}');
        } else {
            out.push(c);
        }
    }
    out
}

/// Text from the input as a code span that shows it literally: fenced by
/// one backtick, or two when it holds one (CommonMark: the fence is a run
/// that the content does not contain), with a space inside the fence when
/// the content starts or ends with a backtick or with a space at both ends
/// (CommonMark takes one off each end). Content with a run of two
/// backticks or more would need a fence of three, which at the start of a
/// line opens a code block, so it is written as escaped [`text`] instead;
/// so is the empty string (there is no empty code span).
pub fn code(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    if s.is_empty() || longest >= 2 {
        return text(&s);
    }
    let fence = if longest == 0 { "`" } else { "``" };
    let spaced = s.starts_with(' ') && s.ends_with(' ') && s.bytes().any(|b| b != b' ');
    let pad = if s.starts_with('`') || s.ends_with('`') || spaced {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// Whether `href` may be a link of the report: a relative path to the
/// report's own files (`reno/report.html`, `../../captures/x.pcap`). Not
/// a URL with a scheme (`javascript:`, `http:`, `data:`: no `:` at all),
/// not from the root or another host (a leading `/`, `//`, or `\`), and
/// nothing a Markdown reader would decode into one of those (a backslash
/// escape, an entity `&…;`) or read as the end of the link.
pub fn local_href(href: &str) -> bool {
    !href.is_empty()
        && !href.starts_with('/')
        && !href.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    ':' | '\\' | ';' | '<' | '>' | '"' | '\'' | '`' | '(' | ')' | '[' | ']'
                )
        })
}

/// Template text as Markdown: as written, except that a link to anything
/// but the report's own files becomes its plain text.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for piece in pieces(s) {
        match piece {
            Piece::Code { raw, .. } => out.push_str(raw),
            Piece::Text(chars) => {
                let mut rest = chars.as_slice();
                while let Some(link) = next_link(rest) {
                    out.push_str(source(s, link.before));
                    if link.local() {
                        out.push_str(source(s, link.all));
                    } else {
                        out.push_str(&text(&literal(link.all)));
                    }
                    rest = link.after;
                }
                out.push_str(source(s, rest));
            }
        }
    }
    out
}

/// A paragraph or list item: a backslash before a first character that
/// would make the line start another block (a list item, a heading, a
/// quote, raw HTML), which template text never means to.
fn line_start(s: String) -> String {
    let b = s.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let spaced = |at: usize| matches!(b.get(at), None | Some(b' ' | b'\t'));
    let at = match b.first() {
        Some(b'-' | b'+' | b'*') if spaced(1) || b[0] == b'-' && b.get(1) == Some(&b'-') => 0,
        Some(b'#' | b'>' | b'<') => 0,
        Some(b'0'..=b'9') if matches!(b.get(digits), Some(b'.' | b')')) && spaced(digits + 1) => {
            digits
        }
        _ => return s,
    };
    format!("{}\\{}", &s[..at], &s[at..])
}

/// A table cell: every `|` escaped (GitHub splits cells at a bare `|`,
/// even inside a code span, and reads `\|` as the character there too).
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                out.extend(chars.next());
            }
            '|' => out.push_str("\\|"),
            c => out.push(c),
        }
    }
    out
}

/// Template text as HTML: escaped, with `**x**` as <strong>, code spans as
/// <code>, local links as anchors and backslash escapes taken out.
fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for piece in pieces(s) {
        match piece {
            Piece::Code { content, .. } => {
                let _ = write!(out, "<code>{}</code>", escape(content));
            }
            Piece::Text(chars) => {
                let mut rest = chars.as_slice();
                while let Some(link) = next_link(rest) {
                    out.push_str(&strong(link.before));
                    if link.local() {
                        let _ = write!(
                            out,
                            "<a href=\"{}\">{}</a>",
                            escape(&literal(link.href)),
                            strong(link.label)
                        );
                    } else {
                        out.push_str(&escape(&literal(link.all)));
                    }
                    rest = link.after;
                }
                out.push_str(&strong(rest));
            }
        }
    }
    out
}

/// Template text as the plain text it shows (the page's `<title>`).
fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for piece in pieces(s) {
        match piece {
            Piece::Code { content, .. } => out.push_str(content),
            Piece::Text(chars) => {
                let marks = strong_marks(&chars);
                let mut i = 0;
                while i < chars.len() {
                    if marks.contains(&i) {
                        i += 2;
                        continue;
                    }
                    out.push(chars[i].c);
                    i += 1;
                }
            }
        }
    }
    out
}

/// One character of inline text outside code spans, with where it is in
/// the source (`start..end`, the backslash included when escaped).
#[derive(Clone, Copy, Debug)]
struct Ch {
    c: char,
    /// False when the character stands for itself: escaped by a
    /// backslash, or a backtick that opens no code span.
    markup: bool,
    start: usize,
    end: usize,
}

impl Ch {
    fn is(&self, c: char) -> bool {
        self.markup && self.c == c
    }
}

enum Piece<'a> {
    Text(Vec<Ch>),
    /// A code span: its source, fences included, and what it shows.
    Code {
        raw: &'a str,
        content: &'a str,
    },
}

/// Splits inline text into code spans and the text between them, as
/// CommonMark does: a backslash before ASCII punctuation escapes it
/// (outside code spans only); a run of backticks opens a code span when
/// a run of the same length closes it, else it is literal.
fn pieces(s: &str) -> Vec<Piece<'_>> {
    let bytes = s.as_bytes();
    let run_at = |i: usize| bytes[i..].iter().take_while(|&&b| b == b'`').count();
    let mut out = Vec::new();
    let mut chars = Vec::new();
    let mut i = 0;
    while let Some(c) = s[i..].chars().next() {
        if c == '\\' {
            if let Some(next) = bytes.get(i + 1).filter(|b| b.is_ascii_punctuation()) {
                chars.push(Ch {
                    c: char::from(*next),
                    markup: false,
                    start: i,
                    end: i + 2,
                });
                i += 2;
                continue;
            }
        }
        if c == '`' {
            let run = run_at(i);
            let mut j = i + run;
            let close = loop {
                match bytes[j..].iter().position(|&b| b == b'`') {
                    None => break None,
                    Some(k) => {
                        let (at, n) = (j + k, run_at(j + k));
                        if n == run {
                            break Some(at);
                        }
                        j = at + n;
                    }
                }
            };
            match close {
                Some(at) => {
                    if !chars.is_empty() {
                        out.push(Piece::Text(std::mem::take(&mut chars)));
                    }
                    let content = &s[i + run..at];
                    let strip = content.len() >= 2
                        && content.starts_with(' ')
                        && content.ends_with(' ')
                        && content.bytes().any(|b| b != b' ');
                    out.push(Piece::Code {
                        raw: &s[i..at + run],
                        content: if strip {
                            &content[1..content.len() - 1]
                        } else {
                            content
                        },
                    });
                    i = at + run;
                }
                None => {
                    chars.extend((i..i + run).map(|k| Ch {
                        c: '`',
                        markup: false,
                        start: k,
                        end: k + 1,
                    }));
                    i += run;
                }
            }
            continue;
        }
        chars.push(Ch {
            c,
            markup: true,
            start: i,
            end: i + c.len_utf8(),
        });
        i += c.len_utf8();
    }
    if !chars.is_empty() {
        out.push(Piece::Text(chars));
    }
    out
}

/// The source of consecutive characters of `s`.
fn source<'a>(s: &'a str, chars: &[Ch]) -> &'a str {
    match (chars.first(), chars.last()) {
        (Some(a), Some(b)) => &s[a.start..b.end],
        _ => "",
    }
}

/// What the characters show, escapes taken out.
fn literal(chars: &[Ch]) -> String {
    chars.iter().map(|c| c.c).collect()
}

/// Where each `**` that has a partner starts (an odd last one is literal).
fn strong_marks(chars: &[Ch]) -> Vec<usize> {
    let mut marks = Vec::new();
    let mut i = 0;
    while i + 1 < chars.len() {
        if chars[i].is('*') && chars[i + 1].is('*') {
            marks.push(i);
            i += 2;
        } else {
            i += 1;
        }
    }
    if marks.len() % 2 == 1 {
        marks.pop();
    }
    marks
}

/// Escapes the characters and turns `**x**` into <strong>.
fn strong(chars: &[Ch]) -> String {
    let marks = strong_marks(chars);
    let mut out = String::new();
    let mut i = 0;
    let mut open = false;
    while i < chars.len() {
        if marks.contains(&i) {
            out.push_str(if open { "</strong>" } else { "<strong>" });
            open = !open;
            i += 2;
            continue;
        }
        match chars[i].c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
        i += 1;
    }
    out
}

struct Link<'a> {
    before: &'a [Ch],
    label: &'a [Ch],
    href: &'a [Ch],
    after: &'a [Ch],
    /// `[label](href)` whole.
    all: &'a [Ch],
}

impl Link<'_> {
    /// A link the report may make: to its own files, written without escapes.
    fn local(&self) -> bool {
        self.href.iter().all(|c| c.markup) && local_href(&literal(self.href))
    }
}

/// The first link `[label](href)` in `chars` (no brackets in the label,
/// no parenthesis in the href; escaped ones do not count).
fn next_link(chars: &[Ch]) -> Option<Link<'_>> {
    let find = |from: usize, c: char| chars[from..].iter().position(|x| x.is(c)).map(|i| from + i);
    let mut from = 0;
    while let Some(open) = find(from, '[') {
        let close = find(open, ']')?;
        let start = chars[open + 1..close]
            .iter()
            .rposition(|x| x.is('['))
            .map_or(open, |i| open + 1 + i);
        if chars.get(close + 1).is_some_and(|x| x.is('(')) {
            if let Some(end) = find(close + 2, ')') {
                return Some(Link {
                    before: &chars[..start],
                    label: &chars[start + 1..close],
                    href: &chars[close + 2..end],
                    after: &chars[end + 1..],
                    all: &chars[start..=end],
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
    use proptest::prelude::*;

    proptest! {
        /// Whatever the input holds, both renderers show it as it is.
        #[test]
        fn any_input_round_trips(s in prop_oneof!["[ -~]{0,40}", "\\PC{0,40}"]) {
            let t = text(&s);
            prop_assert_eq!(plain(&t), s.clone());
            prop_assert_eq!(inline(&t), escape(&s));
            prop_assert_eq!(md(&t), t.clone());
            let c = code(&s);
            prop_assert_eq!(plain(&c), s.clone());
            prop_assert_eq!(md(&c), c.clone());
            let page = inline(&format!("[r](r.html) **{t}** {c} {t}"));
            prop_assert_eq!(page.matches("<a ").count(), 1);
            prop_assert_eq!(page.matches("<strong>").count(), 1);
            prop_assert!(!page.contains("<img"));
        }
    }

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

    const HOSTILE: &str = "evil [x](javascript:alert(3)) <img src=x onerror=alert(1)> `tick` **b** _i_ \\ | ~~s~~ &amp; $m$ # ! ![i](x.png)";

    #[test]
    fn text_from_the_input_shows_literally_in_both_renderers() {
        let t = text(HOSTILE);
        assert_eq!(
            t,
            "evil \\[x\\]\\(javascript:alert\\(3\\)\\) \\<img src=x onerror=alert\\(1\\)\\> \\`tick\\` \\*\\*b\\*\\* \\_i\\_ \\\\ \\| \\~\\~s\\~\\~ \\&amp; \\$m\\$ \\# \\! \\!\\[i\\]\\(x.png\\)"
        );
        assert_eq!(inline(&t), escape(HOSTILE));
        assert_eq!(plain(&t), HOSTILE);
        assert_eq!(md(&t), t, "nothing for the Markdown to rewrite");
        // Ordinary names are written as they are.
        for name in [
            "ns-lo-v4.pcap",
            "captures/run-2024.06.01/x.pcap",
            "127.0.0.1:5001",
            "ESTABLISHED",
            "cubic",
        ] {
            assert_eq!(text(name), name);
            assert_eq!(code(name), format!("`{name}`"));
        }
        // A line break cannot start a block.
        assert_eq!(
            text("a\n# b\r\n<script>"),
            "a\u{FFFD}\\# b\u{FFFD}\u{FFFD}\\<script\\>"
        );
    }

    #[test]
    fn code_spans_hold_any_text() {
        for s in [HOSTILE, "`a", "a`", " a ", "x ` y", "a\\", "`", "  "] {
            let c = code(s);
            assert_eq!(
                inline(&c),
                format!("<code>{}</code>", escape(s)),
                "{s:?} as {c:?}"
            );
            assert_eq!(plain(&c), s, "{c:?}");
        }
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
        assert_eq!(code(" a "), "`  a  `");
        // Two backticks in a row would need a fence of three: escaped text.
        assert_eq!(code("a``b"), "a\\`\\`b");
        assert_eq!(inline(&code("a``b")), "a``b");
        assert_eq!(code(""), "");
        // Inside a sentence, next to markup of the template.
        let sentence = format!(
            "**{}** in {}: {}.",
            text("a*b"),
            code("x`y"),
            text("[z](javascript:q)")
        );
        assert_eq!(
            inline(&sentence),
            "<strong>a*b</strong> in <code>x`y</code>: [z](javascript:q)."
        );
        assert_eq!(plain(&sentence), "a*b in x`y: [z](javascript:q).");
    }

    #[test]
    fn only_links_to_the_reports_own_files_are_made() {
        for ok in [
            "reno/report.html",
            "../../captures/c/x.pcap",
            "a%20b.pcap",
            "a&b.pcap",
            "r.pcap#top",
        ] {
            assert!(local_href(ok), "{ok}");
            let t = format!("[f]({ok})");
            assert_eq!(md(&t), t);
            assert!(inline(&t).starts_with("<a href="), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "javascript:alert%281%29",
            "JavaScript:x",
            "http://example.com/",
            "data:text/html,x",
            "/etc/passwd",
            "//example.com/x",
            "\\\\example.com\\x",
            "java&#58;script&#58;x",
            "a b",
            "a\tb",
            "",
        ] {
            assert!(!local_href(bad), "{bad}");
        }
        assert_eq!(
            inline("see [x](javascript:alert%281%29) and [y](http://e.x/a)."),
            "see [x](javascript:alert%281%29) and [y](http://e.x/a)."
        );
        assert_eq!(
            md("see [x](javascript:alert%281%29) and [y](//e.x/a)."),
            "see \\[x\\]\\(javascript:alert%281%29\\) and \\[y\\]\\(//e.x/a\\)."
        );
        assert_eq!(
            inline("[**b**](/abs) [c](c.csv)"),
            "[**b**](/abs) <a href=\"c.csv\">c</a>"
        );
        // An escaped bracket makes no link, in either renderer.
        assert_eq!(inline("\\[x](y.html)"), "[x](y.html)");
        assert_eq!(md("\\[x](y.html)"), "\\[x](y.html)");
    }

    #[test]
    fn markdown_lines_and_cells_open_nothing_else() {
        assert_eq!(line_start("- a".into()), "\\- a");
        assert_eq!(line_start("--cc".into()), "\\--cc");
        assert_eq!(line_start("+ a".into()), "\\+ a");
        assert_eq!(line_start("* a".into()), "\\* a");
        assert_eq!(line_start("**a** b".into()), "**a** b");
        assert_eq!(line_start("12. a".into()), "12\\. a");
        assert_eq!(line_start("3) a".into()), "3\\) a");
        assert_eq!(
            line_start("10.77.0.1:40001 → x".into()),
            "10.77.0.1:40001 → x"
        );
        assert_eq!(line_start("# a".into()), "\\# a");
        assert_eq!(line_start("> a".into()), "\\> a");
        assert_eq!(cell("a | b `c|d` \\| e"), "a \\| b `c\\|d` \\| e");
        let doc = markdown(&[
            Block::Title(format!("TCP report: {}", text(HOSTILE))),
            Block::List(vec![text("- 1. <b>")]),
            Block::Table {
                head: vec!["state".into()],
                rows: vec![vec![text("A|B"), code("c|d")]],
            },
        ]);
        assert_eq!(
            doc,
            format!(
                "# TCP report: {}\n\n- \\- 1. \\<b\\>\n\n| state |\n| --- |\n| A\\|B | `c\\|d` |\n",
                text(HOSTILE)
            )
        );
        let page = html(
            &[Block::Title(format!("TCP report: {}", text(HOSTILE)))],
            "en",
        );
        assert!(page.contains(&format!("<title>TCP report: {}</title>", escape(HOSTILE))));
        assert!(!page.contains("<img") && !page.contains("href"), "{page}");
    }
}
