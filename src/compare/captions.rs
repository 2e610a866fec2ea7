//! The report's one sentence under each overlay: what differs in this
//! comparison (who finished first, who sent most segments again, the
//! largest window, the first to leave slow start, the highest goodput),
//! and, when the runs are within a few per cent of each other, that they
//! are (one run's timing alone moves a number that much).

use super::measure::Row;
use super::strings::{fill, CompareStrings};
use tcplab_render::plot::OverlayKind;
use tcplab_render::report::doc::text;
use tcplab_render::report::units::{duration_in, rate_in};

/// Runs this close (relative to the smallest) are "about the same".
const CLOSE: f64 = 0.02;

pub fn caption(
    kind: OverlayKind,
    rows: &[Row],
    link_rate: Option<u64>,
    s: &CompareStrings,
) -> String {
    match kind {
        OverlayKind::Sequence => sequence(rows, s),
        OverlayKind::Cwnd => cwnd(rows, s),
        OverlayKind::Throughput => throughput(rows, link_rate, s),
    }
}

/// The rows with the smallest and the largest `key` (the first of equals).
fn extremes(rows: &[Row], key: impl Fn(&Row) -> Option<f64>) -> Option<(&Row, &Row)> {
    let keyed: Vec<(&Row, f64)> = rows.iter().filter_map(|r| key(r).map(|k| (r, k))).collect();
    let low = keyed.iter().reduce(|b, x| if x.1 < b.1 { x } else { b })?;
    let high = keyed.iter().reduce(|b, x| if x.1 > b.1 { x } else { b })?;
    Some((low.0, high.0))
}

fn close(low: f64, high: f64) -> bool {
    low > 0.0 && (high - low) / low < CLOSE
}

fn sequence(rows: &[Row], s: &CompareStrings) -> String {
    let lang = s.lang;
    let resent = match extremes(rows, |r| Some(r.sent_again_total as f64)) {
        Some((_, most)) if most.sent_again_total > 0 => fill(
            s.retrans_most,
            &[
                &text(&most.algorithm),
                &s.n_segments.shown(
                    most.sent_again_total,
                    &lang.thousands(most.sent_again_total),
                ),
            ],
        ),
        _ => s.retrans_none.to_string(),
    };
    let Some((first, last)) = extremes(rows, |r| Some(r.duration_s)) else {
        return resent;
    };
    let template = if close(first.duration_s, last.duration_s) {
        s.cap_sequence_close
    } else {
        s.cap_sequence
    };
    fill(
        template,
        &[
            &text(&first.algorithm),
            &duration_in(lang, first.duration_s),
            &text(&last.algorithm),
            &duration_in(lang, last.duration_s),
            &resent,
        ],
    )
}

fn cwnd(rows: &[Row], s: &CompareStrings) -> String {
    let lang = s.lang;
    let Some((small, large)) = extremes(rows, |r| r.max_cwnd_bytes.map(|b| b as f64)) else {
        return s.cap_cwnd_none.to_string();
    };
    let slow_start = match extremes(rows, |r| r.slow_start_end.as_ref().map(|e| e.time_s)) {
        Some((first, _)) => fill(
            s.ss_first,
            &[
                &text(&first.algorithm),
                &first
                    .slow_start_end
                    .as_ref()
                    .map_or_else(String::new, |e| duration_in(lang, e.time_s)),
            ],
        ),
        None => s.ss_never.to_string(),
    };
    let seg = |r: &Row| lang.thousands(u64::from(r.max_cwnd_segments.unwrap_or(0)));
    let bytes = |r: &Row| lang.thousands(r.max_cwnd_bytes.unwrap_or(0));
    fill(
        s.cap_cwnd,
        &[
            &text(&large.algorithm),
            &seg(large),
            &bytes(large),
            &text(&small.algorithm),
            &seg(small),
            &bytes(small),
            &slow_start,
        ],
    )
}

fn throughput(rows: &[Row], link_rate: Option<u64>, s: &CompareStrings) -> String {
    let lang = s.lang;
    let Some((low, high)) = extremes(rows, |r| Some(r.goodput_bps)) else {
        return String::new();
    };
    let link = link_rate.map_or_else(
        || ".".to_string(),
        |bps| fill(s.link_rate, &[&rate_in(lang, bps as f64)]),
    );
    let template = if close(low.goodput_bps, high.goodput_bps) {
        s.cap_throughput_close
    } else {
        s.cap_throughput
    };
    fill(
        template,
        &[
            &text(&high.algorithm),
            &rate_in(lang, high.goodput_bps),
            &text(&low.algorithm),
            &rate_in(lang, low.goodput_bps),
            &link,
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::super::measure::SlowStartEnd;
    use super::super::strings::{EN, ES};
    use super::*;

    fn row(algorithm: &str, duration_s: f64, resent: u64, cwnd: u32, goodput_bps: f64) -> Row {
        Row {
            algorithm: algorithm.into(),
            congestion_control: Some(algorithm.into()),
            bytes: 1_000_000,
            duration_s,
            transfer_s: None,
            throughput_bps: goodput_bps,
            goodput_bps,
            delivered_bps: None,
            sent_again: Default::default(),
            sent_again_total: resent,
            kernel_total_retrans: None,
            link_drops: None,
            max_cwnd_segments: Some(cwnd),
            max_cwnd_bytes: Some(u64::from(cwnd) * 1448),
            srtt_min_s: None,
            srtt_avg_s: None,
            slow_start_end: Some(SlowStartEnd {
                time_s: duration_s / 10.0,
                cwnd_segments: cwnd,
                cwnd_bytes: u64::from(cwnd) * 1448,
                ssthresh_segments: None,
                ca_state: "recovery",
            }),
        }
    }

    #[test]
    fn captions_name_who_differs() {
        let rows = [
            row("reno", 1.5, 12, 80, 5.0e6),
            row("cubic", 1.2, 30, 120, 6.5e6),
            row("bbr", 1.0, 3, 60, 8.0e6),
        ];
        assert_eq!(
            caption(OverlayKind::Sequence, &rows, None, &EN),
            "bbr finished first (1.000 s from its SYN to its last packet) and reno last (1.500 s); cubic sent the most segments again (30 segments, the crosses under its line)."
        );
        assert_eq!(
            caption(OverlayKind::Cwnd, &rows, None, &EN),
            "cubic reached the largest congestion window (120 segments, 173,760 bytes) and bbr the smallest (60 segments, 86,880 bytes); slow start ended first for bbr, 100.00 ms after its SYN (the diamonds mark where each run left it)."
        );
        assert_eq!(
            caption(OverlayKind::Throughput, &rows, Some(10_000_000), &ES),
            "bbr tuvo el mayor goodput (8,00 Mbit/s) y reno el menor (5,00 Mbit/s); el enlace lleva como mucho 10,00 Mbit/s de paquetes IP."
        );
    }

    #[test]
    fn runs_within_two_per_cent_are_called_close() {
        let rows = [
            row("reno", 4.36, 0, 80, 9.15e6),
            row("cubic", 4.35, 0, 80, 9.19e6),
        ];
        assert_eq!(
            caption(OverlayKind::Sequence, &rows, None, &EN),
            "The runs ended within 2 % of each other (cubic first, 4.350 s from its SYN to its last packet; reno last, 4.360 s); no run sent a segment twice."
        );
        assert!(
            caption(OverlayKind::Throughput, &rows, None, &EN).starts_with(
                "All runs had about the same goodput (cubic 9.19 Mbit/s, reno 9.15 Mbit/s)"
            )
        );
    }
}
