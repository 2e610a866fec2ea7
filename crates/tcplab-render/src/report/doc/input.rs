//! Text from the input made safe for both renderers: escaped for
//! CommonMark ([`text`], [`code`]), kept to one block (`line_start`) and one
//! table cell (`cell`), and the one rule for links ([`local_href`]).

use super::inline::{literal, next_link, pieces, source, Piece};

/// The ASCII punctuation that means something in inline Markdown
/// (CommonMark, and GitHub's tables, strikethrough and math): [`text`]
/// puts a backslash before each. The rest (`.`, `-`, `/`, `:`, `,`, `=`, …)
/// means nothing in the middle of a line and is left as it is, so that an
/// ordinary file name reads the same in the Markdown source.
pub(super) const SIGNIFICANT: &[u8] = b"\\`*_[]()<>!#|~&$";

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
pub(super) fn md(s: &str) -> String {
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
pub(super) fn line_start(s: String) -> String {
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
pub(super) fn cell(s: &str) -> String {
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
