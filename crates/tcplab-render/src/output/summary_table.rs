//! `tcplab summary`: one row per capture, as aligned text, CSV or a small
//! HTML page (docs/summary.md). The columns, in every format: the capture,
//! its packets and connections, payload bytes, what was sent again and by
//! which mechanism, zero windows, the minimum and median ACK RTT, goodput
//! over the capture, and, for a run made by `tcplab run-and-capture`,
//! whether the copy arrived identical.

use crate::plot::Lang;
use crate::report::doc::{self, Block};
use crate::report::units::{duration_in, rate_in};
use std::io::{self, Write};
use tcplab_analysis::capture_digest::CaptureDigest;
use tcplab_analysis::SentAgain;

/// One capture's row.
pub struct SummaryRow {
    /// The capture's path, as given or as found in a directory.
    pub capture: String,
    /// What the analysis found, or why the capture could not be read.
    pub outcome: Result<RowData, String>,
}

/// A capture that could be read (perhaps only in part).
pub struct RowData {
    /// Records in the file (packets).
    pub packets: u64,
    pub digest: CaptureDigest,
    /// Why the capture was read only in part (a cut or damaged file).
    pub damage: Option<String>,
    pub copy: Copy,
}

/// The integrity check of a run made by tcplab (docs/run-metadata.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Copy {
    /// No run metadata beside the capture.
    NotARun,
    /// The stored copy's size and SHA-256 equal the sent file's.
    Identical,
    /// They differ.
    Differs,
    /// A run whose metadata has no verdict (an echo run, or a copy that
    /// was never stored).
    Unchecked,
}

/// The column names, in the CSV's spelling (docs/summary.md).
const CSV_HEAD: &[&str] = &[
    "capture",
    "packets",
    "connections",
    "segments",
    "payload_bytes",
    "unique_bytes",
    "sent_again",
    "fast_recovery",
    "timeout",
    "tail_loss_probe",
    "spurious",
    "unexplained",
    "zero_windows",
    "zero_window_connections",
    "reset_connections",
    "rtt_samples",
    "rtt_min_s",
    "rtt_median_s",
    "goodput_bps",
    "copy",
    "error",
];

struct Words {
    capture: &'static str,
    packets: &'static str,
    connections: &'static str,
    payload: &'static str,
    sent_again: &'static str,
    zero_windows: &'static str,
    rtt_min: &'static str,
    rtt_median: &'static str,
    goodput: &'static str,
    copy: &'static str,
    identical: &'static str,
    differs: &'static str,
    unchecked: &'static str,
    not_read: &'static str,
    read_in_part: &'static str,
    notes: &'static str,
    conn: &'static str,
    title: &'static str,
    intro: &'static str,
    mechanisms: [&'static str; 5],
}

const EN: Words = Words {
    capture: "capture",
    packets: "packets",
    connections: "connections",
    payload: "payload bytes",
    sent_again: "sent again",
    zero_windows: "zero windows",
    rtt_min: "RTT min",
    rtt_median: "RTT median",
    goodput: "goodput",
    copy: "copy",
    identical: "✓ identical",
    differs: "✗ differs",
    unchecked: "not checked",
    not_read: "not read",
    read_in_part: "read in part",
    notes: "Notes:",
    conn: "conn.",
    title: "Captures",
    intro: "One row per capture: what was sent again and by which mechanism (fast recovery, timeout, tail-loss probe, spurious, unexplained), zero-window advertisements (and in how many connections), the ACK RTT over all samples, and new payload bytes per second from the first to the last data segment. *Copy* is the integrity check of a run made by `tcplab run-and-capture`.",
    mechanisms: ["fast", "timeout", "TLP", "spurious", "unexplained"],
};

const ES: Words = Words {
    capture: "captura",
    packets: "paquetes",
    connections: "conexiones",
    payload: "bytes de carga",
    sent_again: "reenviados",
    zero_windows: "ventanas cero",
    rtt_min: "RTT mín",
    rtt_median: "RTT mediana",
    goodput: "goodput",
    copy: "copia",
    identical: "✓ idéntica",
    differs: "✗ difiere",
    unchecked: "sin comprobar",
    not_read: "no leída",
    read_in_part: "leída en parte",
    notes: "Notas:",
    conn: "con.",
    title: "Capturas",
    intro: "Una fila por captura: los segmentos reenviados y por qué mecanismo (recuperación rápida, temporizador, sonda de pérdida de cola, espurios, sin explicar), los anuncios de ventana cero (y en cuántas conexiones), el RTT de los ACK sobre todas las muestras y los bytes de carga nuevos por segundo desde el primer segmento de datos hasta el último. *Copia* es la comprobación de integridad de una ejecución de `tcplab run-and-capture`.",
    mechanisms: ["rec. rápida", "por timeout", "TLP", "espurios", "sin explicar"],
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Es => &ES,
    }
}

/// `12 (8 fast, 3 timeout, 1 TLP)`: the total and its non-zero mechanisms.
fn sent_again(w: &Words, s: &SentAgain) -> String {
    let parts: Vec<String> = [
        s.fast_recovery,
        s.timeout,
        s.tail_loss_probe,
        s.spurious,
        s.unexplained,
    ]
    .iter()
    .zip(w.mechanisms)
    .filter(|(n, _)| **n > 0)
    .map(|(n, name)| format!("{n} {name}"))
    .collect();
    if parts.is_empty() {
        s.total().to_string()
    } else {
        format!("{} ({})", s.total(), parts.join(", "))
    }
}

/// The human cells of a row (text and HTML), after the capture's name.
/// A capture not read says so in its first cell (the reason is the
/// table's note, below it); the others stay empty.
fn cells(lang: Lang, row: &SummaryRow) -> Vec<String> {
    let w = words(lang);
    let data = match &row.outcome {
        Ok(data) => data,
        Err(_) => {
            let mut cells = vec![String::new(); 9];
            cells[0] = format!("({})*", w.not_read);
            return cells;
        }
    };
    let d = &data.digest;
    let dash = || "—".to_string();
    let packets = match &data.damage {
        Some(_) => format!("{} ({})*", data.packets, w.read_in_part),
        None => data.packets.to_string(),
    };
    let zero = match d.zero_windows {
        0 => "0".to_string(),
        n => format!("{n} ({} {})", d.zero_window_connections, w.conn),
    };
    vec![
        packets,
        d.connections.to_string(),
        d.payload_bytes.to_string(),
        sent_again(w, &d.sent_again),
        zero,
        d.rtt.map_or_else(dash, |r| duration_in(lang, r.min)),
        d.rtt.map_or_else(dash, |r| duration_in(lang, r.median)),
        d.goodput_bps().map_or_else(dash, |b| rate_in(lang, b)),
        match data.copy {
            Copy::NotARun => dash(),
            Copy::Identical => w.identical.to_string(),
            Copy::Differs => w.differs.to_string(),
            Copy::Unchecked => w.unchecked.to_string(),
        },
    ]
}

/// Why each capture marked `*` was not read, or read only in part.
fn notes(rows: &[SummaryRow]) -> Vec<String> {
    rows.iter()
        .filter_map(|row| match &row.outcome {
            Err(why) => Some(why.clone()),
            Ok(data) => data.damage.clone(),
        })
        .collect()
}

fn head(lang: Lang) -> Vec<String> {
    let w = words(lang);
    [
        w.capture,
        w.packets,
        w.connections,
        w.payload,
        w.sent_again,
        w.zero_windows,
        w.rtt_min,
        w.rtt_median,
        w.goodput,
        w.copy,
    ]
    .map(String::from)
    .to_vec()
}

/// The text table, its columns aligned: written whole once every capture
/// is done, since a column's width depends on every row (a row is a few
/// hundred bytes, so a class's or a directory's rows wait in memory).
pub fn write_text(out: &mut impl Write, lang: Lang, rows: &[SummaryRow]) -> io::Result<()> {
    let mut table = vec![head(lang)];
    for row in rows {
        let mut line = vec![row.capture.clone()];
        line.extend(cells(lang, row));
        table.push(line);
    }
    let columns = table[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            table
                .iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for line in &table {
        let mut text = String::new();
        for (i, cell) in line.iter().enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            // The name and the verdict read left-aligned, numbers right.
            let pad = widths[i].saturating_sub(cell.chars().count());
            if i == 0 || i + 1 == columns {
                text.push_str(cell);
                text.extend(std::iter::repeat_n(' ', pad));
            } else {
                text.extend(std::iter::repeat_n(' ', pad));
                text.push_str(cell);
            }
        }
        writeln!(out, "{}", text.trim_end())?;
    }
    let notes = notes(rows);
    if !notes.is_empty() {
        writeln!(out, "\n{}", words(lang).notes)?;
        for note in notes {
            writeln!(out, "* {note}")?;
        }
    }
    Ok(())
}

/// The CSV header (docs/summary.md).
pub fn write_csv_head(out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{}", CSV_HEAD.join(","))
}

/// One CSV row, written as soon as its capture is done.
pub fn write_csv_row(out: &mut impl Write, row: &SummaryRow) -> io::Result<()> {
    let mut fields = vec![csv_field(&row.capture)];
    match &row.outcome {
        Err(why) => {
            fields.extend(std::iter::repeat_n(String::new(), CSV_HEAD.len() - 2));
            fields.push(csv_field(why));
        }
        Ok(data) => {
            let d = &data.digest;
            let s = &d.sent_again;
            let opt = |x: Option<f64>| x.map_or_else(String::new, |v| format!("{v:.9}"));
            fields.extend(
                [
                    data.packets,
                    d.connections,
                    d.segments,
                    d.payload_bytes,
                    d.unique_bytes,
                    s.total(),
                    s.fast_recovery,
                    s.timeout,
                    s.tail_loss_probe,
                    s.spurious,
                    s.unexplained,
                    d.zero_windows,
                    d.zero_window_connections,
                    d.reset_connections,
                    d.rtt.map_or(0, |r| r.samples),
                ]
                .map(|n| n.to_string()),
            );
            fields.push(opt(d.rtt.map(|r| r.min)));
            fields.push(opt(d.rtt.map(|r| r.median)));
            fields.push(
                d.goodput_bps()
                    .map_or_else(String::new, |b| format!("{b:.0}")),
            );
            fields.push(
                match data.copy {
                    Copy::NotARun => "",
                    Copy::Identical => "identical",
                    Copy::Differs => "differs",
                    Copy::Unchecked => "unchecked",
                }
                .to_string(),
            );
            fields.push(data.damage.as_deref().map_or_else(String::new, csv_field));
        }
    }
    writeln!(out, "{}", fields.join(","))
}

/// A CSV field, quoted when it holds a comma, a quote or a line end.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The HTML page (the report's style and Content-Security-Policy).
pub fn html(lang: Lang, rows: &[SummaryRow]) -> String {
    let w = words(lang);
    let table = rows
        .iter()
        .map(|row| {
            let mut line = vec![doc::code(&row.capture)];
            line.extend(cells(lang, row).iter().map(|c| doc::text(c)));
            line
        })
        .collect();
    let mut blocks = vec![
        Block::Title(w.title.to_string()),
        Block::Para(w.intro.to_string()),
        Block::Table {
            head: head(lang),
            rows: table,
        },
    ];
    let notes = notes(rows);
    if !notes.is_empty() {
        blocks.push(Block::Para(w.notes.to_string()));
        blocks.push(Block::List(notes.iter().map(|n| doc::text(n)).collect()));
    }
    doc::html(&blocks, lang.code())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tcplab_analysis::capture_digest::RttDigest;

    fn rows() -> Vec<SummaryRow> {
        let digest = CaptureDigest {
            connections: 2,
            segments: 140,
            payload_bytes: 150_100,
            unique_bytes: 150_000,
            sent_again: SentAgain {
                segments: 3,
                fast_recovery: 2,
                timeout: 1,
                ..SentAgain::default()
            },
            zero_windows: 4,
            zero_window_connections: 1,
            reset_connections: 0,
            rtt: Some(RttDigest {
                samples: 25,
                min: 6e-6,
                median: 24.6e-6,
            }),
            span: Some(0.6),
            data_span: Some(0.5),
        };
        vec![
            SummaryRow {
                capture: "class/ana, run 1.pcap".into(),
                outcome: Ok(RowData {
                    packets: 142,
                    digest,
                    damage: None,
                    copy: Copy::Identical,
                }),
            },
            SummaryRow {
                capture: "class/<b>.pcap".into(),
                outcome: Err("not a capture file".into()),
            },
        ]
    }

    #[test]
    fn text_names_the_mechanisms_and_aligns_columns() {
        let mut out = Vec::new();
        write_text(&mut out, Lang::En, &rows()).expect("written");
        let text = String::from_utf8(out).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6, "{text}");
        assert!(lines[0].starts_with("capture "), "{text}");
        assert!(lines[1].contains("3 (2 fast, 1 timeout)"), "{text}");
        assert!(lines[1].contains("4 (1 conn.)"), "{text}");
        assert!(
            lines[1].contains("6.0 µs") && lines[1].contains("24.6 µs"),
            "{text}"
        );
        assert!(lines[1].contains("2.40 Mbit/s"), "{text}");
        assert!(lines[1].ends_with("✓ identical"), "{text}");
        assert!(lines[2].contains("(not read)*"), "{text}");
        assert_eq!(lines[4..], ["Notes:", "* not a capture file"], "{text}");
        let at = |line: &str| line.find("connections").or_else(|| line.find(" 2 "));
        assert!(at(lines[0]).is_some() && at(lines[1]).is_some());
    }

    #[test]
    fn csv_has_one_field_per_column_and_quotes_names() {
        let mut out = Vec::new();
        write_csv_head(&mut out).expect("written");
        for r in &rows() {
            write_csv_row(&mut out, r).expect("written");
        }
        let text = String::from_utf8(out).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0].split(',').count(), CSV_HEAD.len());
        assert!(lines[1].starts_with("\"class/ana, run 1.pcap\",142,2,140,150100,150000,3,2,1,0,0,0,4,1,0,25,0.000006000,0.000024600,2400000,identical,"), "{text}");
        assert_eq!(
            lines[2],
            format!(
                "class/<b>.pcap{}not a capture file",
                ",".repeat(CSV_HEAD.len() - 1)
            )
        );
    }

    #[test]
    fn html_escapes_names_and_is_spanish_when_asked() {
        let page = html(Lang::Es, &rows());
        assert!(page.contains("<html lang=\"es\">"));
        assert!(page.contains("class/&lt;b&gt;.pcap"), "{page}");
        assert!(!page.contains("<b>.pcap"));
        assert!(page.contains("3 (2 rec. rápida, 1 por timeout)"));
        assert!(page.contains("<li>not a capture file</li>"), "{page}");
        assert!(page.contains("✓ idéntica"));
        assert!(page.contains("default-src 'none'"));
    }
}
