//! The comparison report's blocks: what ran over which path, the table,
//! how each number was measured, the three overlays, and links to every
//! run's lab report and files. Rendered by `report::doc` as Markdown and
//! as self-contained HTML, like the lab report.

use super::links::{href, relative};
use super::strings::{fill, CompareStrings};
use super::{table, Measured};
use std::path::Path;
use tcplab_net::emu::LinkParams;
use tcplab_net::path::PathEnd;
use tcplab_render::report::doc::{code, text, Block};

/// What the report says besides the runs' numbers.
pub struct Context<'a> {
    pub runs: &'a [Measured],
    pub link: &'a LinkParams,
    pub capture_at: PathEnd,
    /// The options tcplab chose when none was given (`--rate 10mbit --delay 20ms`).
    pub default_path: Option<&'a str>,
    /// The file sent, when not the generated payload.
    pub file_name: Option<&'a str>,
    pub warnings: &'a [String],
    /// The report's directory: links are relative to it.
    pub dir: &'a Path,
}

pub fn blocks(c: &Context<'_>, s: &CompareStrings, figures: Vec<Block>) -> Vec<Block> {
    let names: Vec<String> = c.runs.iter().map(|m| text(&m.row.algorithm)).collect();
    let mut out = vec![
        Block::Title(fill(s.title, &[&names.join(", ")])),
        Block::Para(fill(s.intro, &[&payload(c, s)])),
        Block::Para(path(c, s)),
        Block::Heading(s.results.to_string()),
    ];
    let rows: Vec<_> = c.runs.iter().map(|m| m.row.clone()).collect();
    let (head, mut rows) = table::cells(&rows, s);
    // The algorithm's name is the user's; the other cells are numbers.
    for r in &mut rows {
        if let Some(name) = r.first_mut() {
            *name = text(name);
        }
    }
    out.push(Block::Table { head, rows });
    out.push(Block::Subheading(s.definitions.to_string()));
    out.push(Block::List(
        s.def_items.iter().map(|d| d.to_string()).collect(),
    ));
    out.push(Block::Heading(s.graphs.to_string()));
    out.extend(figures);
    out.push(Block::Heading(s.runs.to_string()));
    out.push(Block::List(
        c.runs.iter().map(|m| run_item(c, m, s)).collect(),
    ));
    if !c.warnings.is_empty() {
        out.push(Block::Heading(s.warnings.to_string()));
        out.push(Block::List(c.warnings.iter().map(|w| text(w)).collect()));
    }
    out
}

fn payload(c: &Context<'_>, s: &CompareStrings) -> String {
    let bytes = c
        .runs
        .first()
        .map_or(0, |m| m.file_bytes.unwrap_or(m.row.bytes));
    let shown = s.lang.thousands(bytes);
    match c.file_name {
        Some(name) => fill(s.payload_file, &[&code(name), &shown]),
        None => fill(s.payload_generated, &[&shown]),
    }
}

fn path(c: &Context<'_>, s: &CompareStrings) -> String {
    let end = match c.capture_at {
        PathEnd::Sender => s.ends[0],
        PathEnd::Receiver => s.ends[1],
    };
    let mut out = fill(s.path, &[&code(&c.link.to_string()), &end]);
    if let Some(options) = c.default_path {
        out.push(' ');
        out.push_str(&fill(s.default_path, &[&code(options)]));
    }
    out
}

/// `**reno** (the socket reported `reno`): [lab report](…), [capture](…), …`
fn run_item(c: &Context<'_>, m: &Measured, s: &CompareStrings) -> String {
    let f = &m.files;
    let files = [
        Some(&f.lab_report),
        Some(&f.view),
        Some(&f.capture),
        f.tcp_info.as_ref(),
        f.drops.as_ref(),
        Some(&f.metadata),
    ];
    let links: Vec<String> = files
        .iter()
        .zip(s.link_labels)
        .filter_map(|(p, label)| p.map(|p| format!("[{label}]({})", href(&relative(c.dir, p)))))
        .collect();
    let reported = m.row.congestion_control.as_deref().unwrap_or("?");
    fill(
        s.run_item,
        &[
            &text(&m.row.algorithm),
            &code(reported),
            &links.join(s.number_sep),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::super::strings::EN;
    use super::*;
    use tcplab_render::report::doc;

    /// The file's name, the default path and the runs' warnings come from
    /// the user and the runs: both renderers show them as text.
    #[test]
    fn names_and_warnings_stay_text() {
        let link = LinkParams::default();
        let warnings = vec![
            "reno: <img src=x onerror=alert(1)>".to_string(),
            "cubic: [w](javascript:alert(2)) `x`".to_string(),
        ];
        let c = Context {
            runs: &[],
            link: &link,
            capture_at: PathEnd::Sender,
            default_path: Some("--rate 10mbit <b>"),
            file_name: Some("a`b [f](javascript:alert(3)).txt"),
            warnings: &warnings,
            dir: Path::new("reports/c"),
        };
        let blocks = blocks(&c, &EN, Vec::new());
        let md = doc::markdown(&blocks);
        assert!(
            md.contains(
                "The same transfer (the file ``a`b [f](javascript:alert(3)).txt``, 0 bytes)"
            ),
            "{md}"
        );
        assert!(md.contains("default path (`--rate 10mbit <b>`)"), "{md}");
        assert!(
            md.contains("- reno: \\<img src=x onerror=alert\\(1\\)\\>\n"),
            "{md}"
        );
        assert!(
            md.contains("- cubic: \\[w\\]\\(javascript:alert\\(2\\)\\) \\`x\\`\n"),
            "{md}"
        );
        let html = doc::html(&blocks, "en");
        for needle in ["<img", "<b>", "href="] {
            assert!(!html.contains(needle), "{needle}: {html}");
        }
        assert!(
            html.contains("<li>cubic: [w](javascript:alert(2)) `x`</li>"),
            "{html}"
        );
        assert!(
            html.contains("<code>a`b [f](javascript:alert(3)).txt</code>"),
            "{html}"
        );
    }
}
