//! One run's row of the comparison: what the capture's analysis says
//! (duration, throughput, retransmissions) beside what the sender's kernel
//! said (`TCP_INFO`: cwnd, srtt, its own retransmission count, where slow
//! start ended) and what the emulated link dropped.
//!
//! In: the analysed connection (`ConnectionSummary` and its
//! `ConnectionSeries`), the `TCP_INFO` series, the link's counters. Out:
//! a `Row`, serialised as is into `compare.json` (docs/compare.md). No
//! files are read here: `Measured::of_run` in `run` does that.

use serde::Serialize;
use tcplab_analysis::flow::Direction;
use tcplab_analysis::record::run_meta::LinkMeta;
use tcplab_analysis::record::tcp_info::{ca_state_name, TcpInfo};
use tcplab_analysis::{ConnectionSummary, SentAgain};
use tcplab_render::plot::ConnectionSeries;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// The algorithm asked for (`--cc`).
    pub algorithm: String,
    /// The algorithm the sender's socket reported (`TCP_CONGESTION`).
    pub congestion_control: Option<String>,
    /// Payload bytes the sender sent, each once.
    pub bytes: u64,
    /// From the connection's first packet (the SYN) to its last (the ACK
    /// of the last FIN), seconds.
    pub duration_s: f64,
    /// From the first data segment to the ACK of the last data byte.
    pub transfer_s: Option<f64>,
    /// The sender's IP bytes (as the link counts them) over `duration_s`.
    pub throughput_bps: f64,
    /// Payload bytes sent for the first time over `duration_s`.
    pub goodput_bps: f64,
    /// IP bytes the emulated link delivered to the receiver over
    /// `duration_s`: the throughput without the packets the link dropped.
    pub delivered_bps: Option<f64>,
    /// What the sender sent again, and why: the analysis's one rule
    /// (`tcplab_analysis::SentAgain`; docs/analyze-json.md).
    pub sent_again: SentAgain,
    /// Every segment sent again, data or SYN/FIN: what `total_retrans` counts.
    pub sent_again_total: u64,
    /// The kernel's count (`tcpi_total_retrans`) at the last sample.
    pub kernel_total_retrans: Option<u32>,
    /// Packets the emulated link dropped from sender to receiver.
    pub link_drops: Option<u64>,
    pub max_cwnd_segments: Option<u32>,
    pub max_cwnd_bytes: Option<u64>,
    pub srtt_min_s: Option<f64>,
    /// Time-weighted: each sample counts until the next one.
    pub srtt_avg_s: Option<f64>,
    pub slow_start_end: Option<SlowStartEnd>,
}

/// The first `TCP_INFO` sample out of the first slow start.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SlowStartEnd {
    /// Seconds since the connection's first packet.
    pub time_s: f64,
    pub cwnd_segments: u32,
    pub cwnd_bytes: u64,
    pub ssthresh_segments: Option<u32>,
    /// `open` when the algorithm set ssthresh without a loss (HyStart,
    /// BBR leaving Startup); else `cwr`, `recovery` or `loss`.
    pub ca_state: &'static str,
}

/// The direction that carried the data.
pub fn data_direction(c: &ConnectionSummary) -> Direction {
    if c.b_to_a.unique_bytes > c.a_to_b.unique_bytes {
        Direction::BtoA
    } else {
        Direction::AtoB
    }
}

impl Row {
    /// The row of one run. `tcp_info` may be empty (nothing sampled).
    pub fn new(
        algorithm: &str,
        congestion_control: Option<String>,
        conn: &ConnectionSummary,
        series: &ConnectionSeries,
        tcp_info: &[TcpInfo],
        link: Option<&LinkMeta>,
    ) -> Row {
        let dir = data_direction(conn);
        let sent = conn.direction(dir);
        let start = series.start.as_secs_f64();
        Row {
            algorithm: algorithm.to_string(),
            congestion_control,
            bytes: sent.unique_bytes,
            duration_s: conn.duration,
            transfer_s: transfer_time(series, dir),
            throughput_bps: sent.throughput_bps,
            goodput_bps: sent.goodput_bps,
            delivered_bps: link
                .filter(|_| conn.duration > 0.0)
                .map(|l| l.stats.forward.bytes_delivered as f64 * 8.0 / conn.duration),
            sent_again_total: sent.sent_again.total(),
            sent_again: sent.sent_again,
            kernel_total_retrans: tcp_info.iter().map(|i| i.total_retrans).max(),
            link_drops: link.map(|l| l.forward_drops),
            max_cwnd_segments: tcp_info.iter().map(|i| i.cwnd).max(),
            max_cwnd_bytes: tcp_info.iter().map(TcpInfo::cwnd_bytes).max(),
            srtt_min_s: srtts(tcp_info).map(|(_, s)| s).reduce(f64::min),
            srtt_avg_s: srtt_average(tcp_info),
            slow_start_end: slow_start_end(tcp_info, start),
        }
    }
}

/// From the first data segment of `dir` to the first ACK covering its
/// last data byte; `None` when that ACK is not in the capture.
pub fn transfer_time(series: &ConnectionSeries, dir: Direction) -> Option<f64> {
    let data = series.segments.iter().filter(|p| p.dir == dir && p.len > 0);
    let (first, end) = data.fold((None, i64::MIN), |(first, end), p| {
        (first.or(Some(p.t)), end.max(p.seq + i64::from(p.len)))
    });
    let first = first?;
    let acked = series
        .segments
        .iter()
        .find(|p| p.dir == dir.reverse() && p.flags.ack() && p.ack >= end)?;
    Some(acked.t - first)
}

/// (time, srtt in seconds) of the samples that have an RTT (0 until the
/// kernel measured one).
fn srtts(tcp_info: &[TcpInfo]) -> impl Iterator<Item = (f64, f64)> + '_ {
    tcp_info
        .iter()
        .filter(|i| i.srtt_us > 0)
        .map(|i| (i.time, f64::from(i.srtt_us) / 1e6))
}

/// The mean srtt over time: the sampler keeps a row when something changes
/// (and every 10 ms), so a plain mean would weigh busy moments more.
pub fn srtt_average(tcp_info: &[TcpInfo]) -> Option<f64> {
    let samples: Vec<(f64, f64)> = srtts(tcp_info).collect();
    let (mut weighted, mut total) = (0.0, 0.0);
    for w in samples.windows(2) {
        let dt = (w[1].0 - w[0].0).max(0.0);
        weighted += w[0].1 * dt;
        total += dt;
    }
    match samples.as_slice() {
        [] => None,
        _ if total > 0.0 => Some(weighted / total),
        all => Some(all.iter().map(|s| s.1).sum::<f64>() / all.len() as f64),
    }
}

/// The first sample out of slow start ([`TcpInfo::left_slow_start`]:
/// ssthresh set, or in CWR, Recovery or Loss); `start` is the connection's
/// first packet (epoch seconds).
pub fn slow_start_end(tcp_info: &[TcpInfo], start: f64) -> Option<SlowStartEnd> {
    let i = tcp_info.iter().find(|i| i.left_slow_start())?;
    Some(SlowStartEnd {
        time_s: i.time - start,
        cwnd_segments: i.cwnd,
        cwnd_bytes: i.cwnd_bytes(),
        ssthresh_segments: i.ssthresh,
        ca_state: ca_state_name(i.ca_state),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use tcplab_render::plot::collect_file;

    fn info(time: f64, cwnd: u32, ssthresh: Option<u32>, ca_state: u8, srtt_us: u32) -> TcpInfo {
        TcpInfo {
            time,
            state: 1,
            ca_state,
            cwnd,
            ssthresh,
            mss: 1448,
            srtt_us,
            ..TcpInfo::default()
        }
    }

    #[test]
    fn srtt_is_weighted_by_time() {
        let rows = [
            info(10.0, 10, None, 0, 0),
            info(10.0, 10, None, 0, 20_000),
            info(10.9, 20, None, 0, 40_000),
            info(11.0, 20, None, 0, 40_000),
        ];
        // 20 ms for 0.9 s, 40 ms for 0.1 s (the zero before the first RTT is left out).
        let avg = srtt_average(&rows).unwrap();
        assert!((avg - 0.022).abs() < 1e-9, "{avg}");
        assert_eq!(srtt_average(&rows[..2]), Some(0.02));
        assert_eq!(srtt_average(&rows[..1]), None);
    }

    #[test]
    fn slow_start_ends_at_a_threshold_or_a_loss_state() {
        let rows = [
            info(100.0, 10, None, 0, 1),
            info(100.1, 40, None, 1, 1), // disorder: still growing
            info(100.2, 60, None, 0, 1),
            info(100.3, 30, Some(30), 3, 1),
        ];
        let end = slow_start_end(&rows, 99.95).unwrap();
        assert!((end.time_s - 0.35).abs() < 1e-9);
        assert_eq!(end.cwnd_segments, 30);
        assert_eq!(end.cwnd_bytes, 30 * 1448);
        assert_eq!(end.ca_state, "recovery");
        // HyStart (or BBR) sets ssthresh while the state stays open.
        let hystart = [info(5.0, 10, None, 0, 1), info(5.2, 80, Some(80), 0, 1)];
        assert_eq!(slow_start_end(&hystart, 5.0).unwrap().ca_state, "open");
        assert_eq!(slow_start_end(&rows[..3], 99.95), None);
    }

    /// tests/data/lossy.pcap: 256,000 bytes from 10.77.0.1:40001; four
    /// data segments sent again: frame 152 (Wireshark: fast retransmission),
    /// 154 (retransmission), 306 and 308 (out of order: less than an RTT
    /// after the highest); frame 313, the server's FIN sent again, is not
    /// the sender's.
    #[test]
    fn a_row_from_a_real_capture() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lossy.pcap");
        let got = collect_file(&path, Some(0)).unwrap();
        let conn = &got.analysis.connections[0];
        let tcp_info = [
            info(got.series.start.as_secs_f64() + 0.001, 10, None, 0, 50),
            info(got.series.start.as_secs_f64() + 0.003, 44, Some(22), 3, 70),
        ];
        let row = Row::new(
            "reno",
            Some("reno".into()),
            conn,
            &got.series,
            &tcp_info,
            None,
        );
        assert_eq!(row.bytes, 256_000);
        assert_eq!(row.sent_again.segments, 4);
        assert_eq!(row.sent_again, conn.a_to_b.sent_again);
        assert_eq!(row.sent_again_total, 4);
        assert_eq!((row.delivered_bps, row.link_drops), (None, None));
        assert_eq!(row.duration_s, conn.duration);
        assert_eq!(row.goodput_bps, conn.a_to_b.goodput_bps);
        let transfer = row.transfer_s.unwrap();
        assert!(transfer > 0.0 && transfer < row.duration_s, "{transfer}");
        assert_eq!(row.max_cwnd_segments, Some(44));
        assert_eq!(row.max_cwnd_bytes, Some(44 * 1448));
        assert_eq!(row.srtt_min_s, Some(50e-6));
        let end = row.slow_start_end.clone().unwrap();
        assert!((end.time_s - 0.003).abs() < 1e-6);
        let json = serde_json::to_value(&row).unwrap();
        assert_eq!(json["sent_again"]["segments"], 4);
    }
}
