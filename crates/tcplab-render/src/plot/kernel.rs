//! The sender's own view (`TCP_INFO` samples, see `tcplab_analysis::record::tcp_info`) laid
//! over the capture's graphs: cwnd and ssthresh on the window graph, the
//! kernel's smoothed RTT on the RTT graph. Times are moved onto the
//! connection's clock (seconds since its first captured packet).

use super::collect::ConnectionSeries;
use tcplab_analysis::flow::Direction;
use tcplab_analysis::record::tcp_info::TcpInfo;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KernelPoint {
    /// Seconds since the connection's first captured packet.
    pub t: f64,
    pub cwnd_bytes: f64,
    /// `None` while the sender has no threshold yet (first slow start).
    pub ssthresh_bytes: Option<f64>,
    /// The kernel's smoothed RTT, seconds.
    pub srtt: f64,
}

/// The samples of one socket, and which direction's data it sent.
#[derive(Clone, Debug, PartialEq)]
pub struct KernelSeries {
    pub dir: Direction,
    pub points: Vec<KernelPoint>,
}

impl KernelSeries {
    /// Places the samples of the socket `socket` (`addr:port`, as in the run
    /// metadata) on `series`' clock. `None` when the socket is neither end
    /// of this connection; without a socket, the connection's opener (the
    /// client, whose socket tcplab samples) is assumed.
    pub fn for_connection(
        series: &ConnectionSeries,
        rows: &[TcpInfo],
        socket: Option<&str>,
    ) -> Option<KernelSeries> {
        let dir = match socket {
            None => Direction::AtoB,
            Some(s) if series.a.to_string() == s => Direction::AtoB,
            Some(s) if series.b.to_string() == s => Direction::BtoA,
            Some(_) => return None,
        };
        let start = series.start.as_secs_f64();
        let end = series.duration();
        let points: Vec<KernelPoint> = rows
            .iter()
            .map(|r| KernelPoint {
                t: r.time - start,
                cwnd_bytes: r.cwnd_bytes() as f64,
                ssthresh_bytes: r.ssthresh_bytes().map(|b| b as f64),
                srtt: f64::from(r.srtt_us) / 1e6,
            })
            .filter(|p| p.t >= 0.0 && p.t <= end)
            .collect();
        (!points.is_empty()).then_some(KernelSeries { dir, points })
    }

    /// `(t, cwnd bytes)` within `x`.
    pub fn cwnd(&self, x: &std::ops::Range<f64>) -> Vec<(f64, f64)> {
        self.within(x, |p| Some(p.cwnd_bytes))
    }

    /// `(t, ssthresh bytes)` within `x`, where the threshold is set.
    pub fn ssthresh(&self, x: &std::ops::Range<f64>) -> Vec<(f64, f64)> {
        self.within(x, |p| p.ssthresh_bytes)
    }

    /// `(t, srtt seconds)` within `x`, once the kernel has a sample.
    pub fn srtt(&self, x: &std::ops::Range<f64>) -> Vec<(f64, f64)> {
        self.within(x, |p| (p.srtt > 0.0).then_some(p.srtt))
    }

    fn within(
        &self,
        x: &std::ops::Range<f64>,
        f: impl Fn(&KernelPoint) -> Option<f64>,
    ) -> Vec<(f64, f64)> {
        self.points
            .iter()
            .filter(|p| p.t >= x.start && p.t <= x.end)
            .filter_map(|p| f(p).map(|v| (p.t, v)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::synthetic;

    #[test]
    fn samples_move_onto_the_connection_clock() {
        let series = synthetic::bulk_transfer(50);
        let start = series.start.as_secs_f64();
        let row = |dt: f64, cwnd: u32, ssthresh: Option<u32>| TcpInfo {
            time: start + dt,
            cwnd,
            ssthresh,
            mss: 1000,
            srtt_us: 40_000,
            ..TcpInfo::default()
        };
        let half = series.duration() / 2.0;
        let rows = [
            row(-1.0, 10, None),
            row(0.0, 10, None),
            row(half, 20, Some(15)),
        ];
        let k = KernelSeries::for_connection(&series, &rows, None).expect("samples in range");
        assert_eq!(k.dir, Direction::AtoB);
        assert_eq!(
            k.points.len(),
            2,
            "the sample before the connection is dropped"
        );
        assert_eq!(k.cwnd(&(0.0..1.0)), vec![(0.0, 10_000.0), (half, 20_000.0)]);
        assert_eq!(k.ssthresh(&(0.0..1.0)), vec![(half, 15_000.0)]);
        assert_eq!(k.srtt(&(0.0..1.0))[0].1, 0.04);
        let b = series.b.to_string();
        assert_eq!(
            KernelSeries::for_connection(&series, &rows, Some(&b)).map(|k| k.dir),
            Some(Direction::BtoA)
        );
        assert!(KernelSeries::for_connection(&series, &rows, Some("1.2.3.4:5")).is_none());
    }
}
