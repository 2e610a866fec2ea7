//! The comparison report's blocks: what ran over which path, the table,
//! how each number was measured, the three overlays, and links to every
//! run's lab report and files. Rendered by `report::doc` as Markdown and
//! as self-contained HTML, like the lab report.

use super::links::{href, relative};
use super::strings::{fill, CompareStrings};
use super::{table, Measured};
use std::path::Path;
use tcplab_net::emu::LinkParams;
use tcplab_net::path::End;
use tcplab_render::report::doc::Block;

/// What the report says besides the runs' numbers.
pub struct Context<'a> {
    pub runs: &'a [Measured],
    pub link: &'a LinkParams,
    pub capture_at: End,
    /// The options tcplab chose when none was given (`--rate 10mbit --delay 20ms`).
    pub default_path: Option<&'a str>,
    /// The file sent, when not the generated payload.
    pub file_name: Option<&'a str>,
    pub warnings: &'a [String],
    /// The report's directory: links are relative to it.
    pub dir: &'a Path,
}

pub fn blocks(c: &Context<'_>, s: &CompareStrings, figures: Vec<Block>) -> Vec<Block> {
    let names: Vec<&str> = c.runs.iter().map(|m| m.row.algorithm.as_str()).collect();
    let mut out = vec![
        Block::Title(fill(s.title, &[&names.join(", ")])),
        Block::Para(fill(s.intro, &[&payload(c, s)])),
        Block::Para(path(c, s)),
        Block::Heading(s.results.to_string()),
    ];
    let rows: Vec<_> = c.runs.iter().map(|m| m.row.clone()).collect();
    let (head, rows) = table::cells(&rows, s);
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
        out.push(Block::List(c.warnings.to_vec()));
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
        Some(name) => fill(s.payload_file, &[&name, &shown]),
        None => fill(s.payload_generated, &[&shown]),
    }
}

fn path(c: &Context<'_>, s: &CompareStrings) -> String {
    let end = match c.capture_at {
        End::Sender => s.ends[0],
        End::Receiver => s.ends[1],
    };
    let mut text = fill(s.path, &[c.link, &end]);
    if let Some(options) = c.default_path {
        text.push(' ');
        text.push_str(&fill(s.default_path, &[&options]));
    }
    text
}

/// `**reno** (the socket reported `reno`): [lab report](…), [capture](…), …`
fn run_item(c: &Context<'_>, m: &Measured, s: &CompareStrings) -> String {
    let f = &m.files;
    let files = [
        Some(&f.lab_report),
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
        &[&m.row.algorithm, &reported, &links.join(s.number_sep)],
    )
}
