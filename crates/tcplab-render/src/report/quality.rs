//! The last section: whether the file arrived intact (SHA-256 at both
//! ends, from the run metadata) and how good the capture is (drops,
//! truncated segments, packets that are not TCP, damage).

use super::doc::{code, text, Block};
use super::strings::{fill, Strings};
use super::Input;

pub fn blocks(input: &Input<'_>, s: &Strings) -> Vec<Block> {
    let cap = input.capture;
    let mut items = Vec::new();
    match input.meta {
        Some(m) => {
            if let (Some(a), Some(b)) = (&m.sent, &m.received) {
                items.push(fill(
                    s.sha_line,
                    &[&a.bytes, &code(&a.sha256), &b.bytes, &code(&b.sha256)],
                ));
                let same = m
                    .identical
                    .unwrap_or(a.sha256 == b.sha256 && a.bytes == b.bytes);
                items.push(if same { s.sha_identical } else { s.sha_differ }.to_string());
            }
            if let Some(l) = &m.capture {
                let ok = if l.kernel_dropped == 0 && l.interface_dropped == 0 {
                    "✓"
                } else {
                    "✗"
                };
                items.push(fill(
                    s.drops,
                    &[
                        &l.kernel_received,
                        &l.kernel_dropped,
                        &l.interface_dropped,
                        &ok,
                    ],
                ));
            }
        }
        None => {
            items.push(s.no_meta.to_string());
            items.push(s.drops_unknown.to_string());
        }
    }
    items.push(fill(s.truncated, &[&cap.truncated_payload]));
    let detail = if cap.skipped.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = cap
            .skipped
            .iter()
            .map(|(k, v)| format!("{v} {k}"))
            .collect();
        format!(" ({})", parts.join(", "))
    };
    items.push(fill(s.not_tcp, &[&cap.skipped_total(), &detail]));
    if let Some(d) = &cap.damage {
        // The file name only: the report must not depend on where it was read.
        let d = d.replace(&cap.file, &input.file_name);
        items.push(fill(s.damaged, &[&text(&d)]));
    }
    vec![Block::Heading(s.quality.to_string()), Block::List(items)]
}
