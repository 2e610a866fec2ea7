//! The last section: whether the file arrived intact (SHA-256 at both
//! ends, from the run metadata), what of it the capture carries (the file
//! copy's payload against the file's size), and how good the capture is
//! (drops, truncated segments, packets that are not TCP, damage).

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
                if m.scenario == "file" {
                    items.push(on_the_wire(input, m.mode.as_deref(), a.bytes, s));
                }
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

/// What the file copy put on the wire: in the lab's protocol the client's
/// new payload is the file (`lines`) or the file and the header (`whole`),
/// and the server sends none.
fn on_the_wire(input: &Input<'_>, mode: Option<&str>, size: u64, s: &Strings) -> String {
    let (ab, ba) = (&input.conn.a_to_b, &input.conn.b_to_a);
    let (sent, back) = if ab.unique_bytes >= ba.unique_bytes {
        (ab.unique_bytes, ba.unique_bytes)
    } else {
        (ba.unique_bytes, ab.unique_bytes)
    };
    let header = sent.checked_sub(size).filter(|h| (2..=19).contains(h));
    match (mode, header) {
        (Some("lines"), _) if sent == size && back == 0 => fill(s.wire_lines, &[&size, &sent]),
        (Some("whole"), Some(h)) if back == 0 => fill(s.wire_whole, &[&sent, &h, &(h - 1), &size]),
        _ => fill(s.wire_other, &[&sent, &back, &size]),
    }
}
