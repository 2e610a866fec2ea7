//! The comparison table: one row per algorithm, its cells written in the
//! report's language (decimal separator, plurals), for the Markdown/HTML
//! report and, turned on its side, for the terminal.

use super::measure::Row;
use super::strings::{fill, CompareStrings};
use tcplab_render::report::strings::Strings;
use tcplab_render::report::units::{duration_in, rate_in};

/// The head and the cells of every row.
pub fn cells(rows: &[Row], s: &CompareStrings) -> (Vec<String>, Vec<Vec<String>>) {
    let head = s.head.iter().map(|h| h.to_string()).collect();
    (head, rows.iter().map(|r| row_cells(r, s)).collect())
}

const NONE: &str = "–";

fn row_cells(r: &Row, s: &CompareStrings) -> Vec<String> {
    let lang = s.lang;
    let secs = |v: Option<f64>| v.map_or_else(|| NONE.to_string(), |v| duration_in(lang, v));
    let count = |v: Option<u64>| v.map_or_else(|| NONE.to_string(), |v| lang.thousands(v));
    let breakdown = Strings::of(lang).sent_again_breakdown(&r.sent_again);
    let cwnd = match (r.max_cwnd_segments, r.max_cwnd_bytes) {
        (Some(seg), Some(bytes)) => format!(
            "{} ({})",
            lang.thousands(u64::from(seg)),
            lang.thousands(bytes)
        ),
        _ => NONE.to_string(),
    };
    let slow_start = match &r.slow_start_end {
        Some(e) => fill(
            s.ss_cell,
            &[
                &duration_in(lang, e.time_s),
                &e.cwnd_segments,
                &s.ss_cause(e.ca_state),
            ],
        ),
        None if r.max_cwnd_segments.is_some() => s.ss_none.to_string(),
        None => NONE.to_string(),
    };
    vec![
        r.algorithm.clone(),
        duration_in(lang, r.duration_s),
        secs(r.transfer_s),
        match r.delivered_bps {
            Some(d) => fill(
                s.throughput_cell,
                &[&rate_in(lang, r.throughput_bps), &rate_in(lang, d)],
            ),
            None => rate_in(lang, r.throughput_bps),
        },
        rate_in(lang, r.goodput_bps),
        if breakdown.is_empty() {
            lang.thousands(r.sent_again_total)
        } else {
            fill(
                s.retrans_cell,
                &[&lang.thousands(r.sent_again_total), &breakdown],
            )
        },
        match r.kernel_total_retrans.map(u64::from) {
            // The kernel's own count confirms the capture's, or not.
            Some(k) => format!(
                "{} {}",
                lang.thousands(k),
                if k == r.sent_again_total {
                    "✓"
                } else {
                    "✗"
                }
            ),
            None => NONE.to_string(),
        },
        count(r.link_drops),
        cwnd,
        srtt(r, s),
        slow_start,
    ]
}

/// `42.4 / 86.8 ms`: the smallest and the average srtt.
fn srtt(r: &Row, s: &CompareStrings) -> String {
    match (r.srtt_min_s, r.srtt_avg_s) {
        (Some(min), Some(avg)) => {
            let ms = |v: f64| s.lang.decimal(format!("{:.1}", v * 1e3));
            format!("{} / {} ms", ms(min), ms(avg))
        }
        _ => NONE.to_string(),
    }
}

/// The table for a terminal, turned on its side so that it stays narrow
/// whatever the number of algorithms: one line per measure (its name on
/// the left), one column per algorithm.
pub fn text(head: &[String], rows: &[Vec<String>]) -> String {
    let width = |cells: &mut dyn Iterator<Item = &String>| {
        cells.map(|c| c.chars().count()).max().unwrap_or(0)
    };
    let label_width = width(&mut head.iter());
    let widths: Vec<usize> = rows.iter().map(|r| width(&mut r.iter())).collect();
    let mut out = String::new();
    for (i, label) in head.iter().enumerate() {
        out.push_str(label);
        out.push_str(&" ".repeat(label_width - label.chars().count()));
        for (r, w) in rows.iter().zip(&widths) {
            let cell = r.get(i).map_or("", String::as_str);
            out.push_str("   ");
            out.push_str(cell);
            out.push_str(&" ".repeat(w - cell.chars().count()));
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::measure::SlowStartEnd;
    use super::super::strings::{EN, ES};
    use super::*;
    use tcplab_analysis::SentAgain;

    fn row() -> Row {
        Row {
            algorithm: "cubic".into(),
            congestion_control: Some("cubic".into()),
            bytes: 1_000_000,
            duration_s: 0.9612,
            transfer_s: Some(0.9231),
            throughput_bps: 8_712_345.0,
            goodput_bps: 8_323_000.0,
            delivered_bps: Some(8_500_000.0),
            sent_again: SentAgain {
                segments: 4,
                bytes: 4 * 1448,
                fast_recovery: 3,
                timeout: 1,
                ..SentAgain::default()
            },
            sent_again_total: 4,
            kernel_total_retrans: Some(4),
            link_drops: Some(3),
            max_cwnd_segments: Some(62),
            max_cwnd_bytes: Some(89_776),
            srtt_min_s: Some(0.0203),
            srtt_avg_s: Some(0.0612),
            slow_start_end: Some(SlowStartEnd {
                time_s: 0.31,
                cwnd_segments: 44,
                cwnd_bytes: 63_712,
                ssthresh_segments: Some(30),
                ca_state: "recovery",
            }),
        }
    }

    #[test]
    fn cells_in_both_languages() {
        let (head, rows) = cells(&[row()], &EN);
        assert_eq!(head.len(), rows[0].len());
        assert_eq!(
            rows[0],
            [
                "cubic",
                "961.20 ms",
                "923.10 ms",
                "8.71 Mbit/s (8.50 Mbit/s delivered)",
                "8.32 Mbit/s",
                "4 (3 in fast recovery, 1 after a timeout)",
                "4 ✓",
                "3",
                "62 (89,776)",
                "20.3 / 61.2 ms",
                "310.00 ms at cwnd 44 (fast recovery)",
            ]
        );
        let (_, rows) = cells(&[row()], &ES);
        assert_eq!(rows[0][3], "8,71 Mbit/s (8,50 Mbit/s entregados)");
        assert_eq!(
            rows[0][5],
            "4 (3 en recuperación rápida; 1 tras vencer el temporizador)"
        );
        let r = Row {
            kernel_total_retrans: Some(5),
            ..row()
        };
        assert_eq!(cells(&[r], &EN).1[0][6], "5 ✗");
        assert_eq!(rows[0][8], "62 (89\u{202f}776)");
        assert_eq!(rows[0][10], "310,00 ms con cwnd 44 (recuperación rápida)");
    }

    #[test]
    fn missing_numbers_show_a_dash() {
        let r = Row {
            transfer_s: None,
            kernel_total_retrans: None,
            delivered_bps: None,
            max_cwnd_segments: None,
            max_cwnd_bytes: None,
            slow_start_end: None,
            ..row()
        };
        let (_, rows) = cells(&[r], &EN);
        assert_eq!(rows[0][2], "–");
        assert_eq!(rows[0][3], "8.71 Mbit/s");
        assert_eq!(rows[0][8], "–");
        assert_eq!(rows[0][10], "–");
    }

    #[test]
    fn text_has_a_line_per_measure_and_a_column_per_algorithm() {
        let (head, rows) = cells(
            &[
                row(),
                Row {
                    algorithm: "bbr".into(),
                    ..row()
                },
            ],
            &EN,
        );
        let t = text(&head, &rows);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), head.len(), "{t}");
        assert!(lines[0].starts_with(&head[0]), "{t}");
        assert!(lines[1].starts_with(&head[1]), "{t}");
        // Each algorithm's column starts at the same place on every line.
        let cubic = lines[0].find("cubic").unwrap();
        let bbr = lines[0].find("bbr").unwrap();
        assert!(lines[1][cubic..].starts_with("961.20 ms   "), "{t}");
        assert!(lines[1][bbr..].starts_with("961.20 ms"), "{t}");
        assert!(lines.iter().all(|l| l.len() < 120), "narrow enough: {t}");
        let (head, rows) = cells(&[row()], &ES);
        assert!(text(&head, &rows).contains("961,20 ms"));
    }
}
