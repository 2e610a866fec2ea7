//! Template text as HTML: the inline markup `doc` understands (`**bold**`,
//! code spans, local links, backslash escapes) parsed once into pieces and
//! written escaped; `plain` gives the same text without markup (the page's
//! title, and the tests' round trips).

use super::escape;
use super::input::local_href;
use std::fmt::Write;

/// Template text as HTML: escaped, with `**x**` as <strong>, code spans as
/// <code>, local links as anchors and backslash escapes taken out.
pub(super) fn inline(s: &str) -> String {
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
pub(super) fn plain(s: &str) -> String {
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
pub(super) struct Ch {
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

pub(super) enum Piece<'a> {
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
pub(super) fn pieces(s: &str) -> Vec<Piece<'_>> {
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
pub(super) fn source<'a>(s: &'a str, chars: &[Ch]) -> &'a str {
    match (chars.first(), chars.last()) {
        (Some(a), Some(b)) => &s[a.start..b.end],
        _ => "",
    }
}

/// What the characters show, escapes taken out.
pub(super) fn literal(chars: &[Ch]) -> String {
    chars.iter().map(|c| c.c).collect()
}

/// Where each `**` that has a partner starts (an odd last one is literal).
pub(super) fn strong_marks(chars: &[Ch]) -> Vec<usize> {
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
pub(super) fn strong(chars: &[Ch]) -> String {
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

pub(super) struct Link<'a> {
    pub(super) before: &'a [Ch],
    pub(super) label: &'a [Ch],
    pub(super) href: &'a [Ch],
    pub(super) after: &'a [Ch],
    /// `[label](href)` whole.
    pub(super) all: &'a [Ch],
}

impl Link<'_> {
    /// A link the report may make: to its own files, written without escapes.
    pub(super) fn local(&self) -> bool {
        self.href.iter().all(|c| c.markup) && local_href(&literal(self.href))
    }
}

/// The first link `[label](href)` in `chars` (no brackets in the label,
/// no parenthesis in the href; escaped ones do not count).
pub(super) fn next_link(chars: &[Ch]) -> Option<Link<'_>> {
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
