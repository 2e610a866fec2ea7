//! One run's lines in the three overlays, in seconds since the run's
//! first packet: bytes sent (from the capture), cwnd and ssthresh (from
//! `TCP_INFO`, whose clock is the capture's), and throughput per interval
//! (from the capture, the interval shared by every run so that the lines
//! compare).
//!
//! In: the run's `ConnectionSeries` (data direction known) and `TCP_INFO`
//! series. Out: `plot::Trace`s. Nothing is drawn here.

use super::measure::SlowStartEnd;
use tcplab_analysis::flow::Direction;
use tcplab_analysis::record::tcp_info::TcpInfo;
use tcplab_render::plot::{rates, ConnectionSeries, Rates, Trace};

/// Fewer throughput intervals than a single graph's: several lines share
/// the plot, and shorter intervals make them cross all the time.
const THROUGHPUT_INTERVALS: f64 = 60.0;

/// The data segments of `dir` as (time, payload bytes, first-time bytes).
fn data(series: &ConnectionSeries, dir: Direction) -> impl Iterator<Item = (f64, u64, u64)> + '_ {
    series
        .segments
        .iter()
        .filter(move |p| p.dir == dir && p.len > 0)
        .map(|p| (p.t, u64::from(p.len), u64::from(p.new_bytes)))
}

/// The highest byte sent so far at each data segment (a Stevens graph
/// drawn as a line, from (0, 0) at the SYN), and a cross at the end of
/// each segment sent again (`measure::RESENT`).
pub fn sequence(label: &str, series: &ConnectionSeries, dir: Direction) -> Trace {
    let sent: Vec<_> = series
        .segments
        .iter()
        .filter(|p| p.dir == dir && p.len > 0)
        .collect();
    // Relative numbers count from the ISN, so the first data byte is 1.
    let base = series.base[dir.index()]
        .or_else(|| sent.iter().map(|p| p.seq - 1).min())
        .unwrap_or(0);
    let end = |p: &tcplab_render::plot::SegPoint| (p.seq + i64::from(p.len) - base - 1) as f64;
    let mut line = vec![(0.0, 0.0)];
    let mut highest = 0.0;
    for p in &sent {
        highest = end(p).max(highest);
        line.push((p.t, highest));
    }
    let crosses = sent
        .iter()
        .filter(|p| p.sent_again.is_some())
        .map(|p| (p.t, end(p)))
        .collect();
    Trace {
        label: label.to_string(),
        line,
        crosses,
        ..Trace::default()
    }
}

/// cwnd in bytes as the kernel reported it, ssthresh dashed wherever it
/// is set, and a diamond where slow start ended. `start` is the run's
/// first packet in epoch seconds (the `TCP_INFO` clock).
pub fn cwnd(label: &str, tcp_info: &[TcpInfo], start: f64, end: Option<&SlowStartEnd>) -> Trace {
    let at = |i: &TcpInfo| i.time - start;
    let line = tcp_info
        .iter()
        .map(|i| (at(i), i.cwnd_bytes() as f64))
        .collect();
    let mut dashed: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut piece: Vec<(f64, f64)> = Vec::new();
    for i in tcp_info {
        match i.ssthresh_bytes() {
            Some(b) => piece.push((at(i), b as f64)),
            None if !piece.is_empty() => dashed.push(std::mem::take(&mut piece)),
            None => {}
        }
    }
    if !piece.is_empty() {
        dashed.push(piece);
    }
    Trace {
        label: label.to_string(),
        line,
        dashed,
        diamond: end.map(|e| (e.time_s, e.cwnd_bytes as f64)),
        ..Trace::default()
    }
}

/// The throughput interval for every run: about 60 over the longest
/// transfer, with enough segments per interval in the shortest.
pub fn throughput_interval(runs: &[(&ConnectionSeries, Direction)]) -> f64 {
    let span = runs
        .iter()
        .map(|(s, d)| {
            let (lo, hi) = data(s, *d).fold((f64::MAX, f64::MIN), |(lo, hi), p| {
                (lo.min(p.0), hi.max(p.0))
            });
            (hi - lo).max(0.0)
        })
        .fold(0.0, f64::max);
    let segments = runs
        .iter()
        .map(|(s, d)| data(s, *d).count())
        .min()
        .unwrap_or(0);
    rates::interval_for(span, segments, THROUGHPUT_INTERVALS)
}

/// All payload sent per `interval` (retransmissions included, as in the
/// single connection's throughput graph), in bit/s, from the first data
/// segment to the last.
pub fn throughput(label: &str, series: &ConnectionSeries, dir: Direction, interval: f64) -> Trace {
    let (lo, hi) = data(series, dir).fold((f64::MAX, f64::MIN), |(lo, hi), p| {
        (lo.min(p.0), hi.max(p.0))
    });
    let line = if lo <= hi {
        let count = ((hi - lo) / interval).ceil().max(1.0) as usize;
        let r = Rates::bin(data(series, dir), lo, hi, interval, count);
        r.steps(&r.all)
    } else {
        Vec::new()
    };
    Trace {
        label: label.to_string(),
        line,
        ..Trace::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use tcplab_render::plot::collect_file;

    fn lossy() -> ConnectionSeries {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lossy.pcap");
        collect_file(&path, Some(0)).unwrap().series
    }

    #[test]
    fn bytes_sent_climb_to_the_payload() {
        let s = lossy();
        let t = sequence("reno", &s, Direction::AtoB);
        assert_eq!(t.line[0], (0.0, 0.0));
        assert_eq!(t.line.last().unwrap().1, 256_000.0);
        assert!(t
            .line
            .windows(2)
            .all(|w| w[1].1 >= w[0].1 && w[1].0 >= w[0].0));
        // The fast retransmission (frame 152), the retransmission (154)
        // and the two resent out of order (306, 308).
        assert_eq!(t.crosses.len(), 4);
        assert!(t.crosses.iter().all(|c| c.1 < 256_000.0));
    }

    #[test]
    fn throughput_keeps_every_byte() {
        let s = lossy();
        let interval = throughput_interval(&[(&s, Direction::AtoB)]);
        let t = throughput("reno", &s, Direction::AtoB, interval);
        // Each interval's rate held across it: bit/s × seconds = bits.
        let bits: f64 = t.line.chunks(2).map(|w| w[0].1 * (w[1].0 - w[0].0)).sum();
        let payload = 261_792.0 * 8.0;
        assert!(
            (bits - payload).abs() / payload < 1e-9,
            "{bits} vs {payload}"
        );
        assert!(interval > 0.0);
    }

    #[test]
    fn ssthresh_is_dashed_only_where_set() {
        let row = |time: f64, cwnd: u32, ssthresh: Option<u32>| TcpInfo {
            time,
            cwnd,
            ssthresh,
            mss: 1000,
            ..TcpInfo::default()
        };
        let rows = [
            row(10.1, 10, None),
            row(10.2, 20, None),
            row(10.3, 10, Some(10)),
            row(10.4, 11, Some(10)),
        ];
        let end = SlowStartEnd {
            time_s: 0.3,
            cwnd_segments: 10,
            cwnd_bytes: 10_000,
            ssthresh_segments: Some(10),
            ca_state: "recovery",
        };
        let t = cwnd("cubic", &rows, 10.0, Some(&end));
        assert_eq!(t.line.len(), 4);
        assert!((t.line[1].0 - 0.2).abs() < 1e-9 && t.line[1].1 == 20_000.0);
        assert_eq!(t.dashed.len(), 1);
        assert_eq!(t.dashed[0].len(), 2);
        assert_eq!(t.diamond, Some((0.3, 10_000.0)));
    }
}
