//! What a run adds to the capture's view: the sender's `TCP_INFO` as the
//! sampler keeps it (cwnd, ssthresh, srtt, the kernel's own count of
//! segments sent again) and the emulated link's counters and queue. The
//! capture's connections stay in [`LiveModel`](crate::model::LiveModel);
//! these are the kernel's and the link's own numbers, shown beside them,
//! never mixed into them.
//!
//! Times here are epoch seconds (the clock of `TCP_INFO` rows and of the
//! capture's time stamps); the view draws them against a connection's
//! first packet.

use crate::model::Series;
use tcplab_analysis::record::link::LinkStats;
use tcplab_analysis::record::tcp_info::TcpInfo;

/// The sender's `TCP_INFO` rows so far: the latest one, and cwnd,
/// ssthresh (segments) and srtt (ms) as bounded series.
#[derive(Clone, Debug, Default)]
pub struct KernelSeries {
    pub last: Option<TcpInfo>,
    pub rows: u64,
    pub cwnd: Series,
    pub ssthresh: Series,
    pub srtt_ms: Series,
}

impl KernelSeries {
    pub fn push(&mut self, row: &TcpInfo) {
        self.rows += 1;
        self.cwnd.push(row.time, f64::from(row.cwnd));
        if let Some(ssthresh) = row.ssthresh {
            self.ssthresh.push(row.time, f64::from(ssthresh));
        }
        self.srtt_ms.push(row.time, f64::from(row.srtt_us) / 1e3);
        self.last = Some(*row);
    }
}

/// The emulated link as it stands: each direction's counters and the
/// packets in its queue now, and the forward queue's length over time.
#[derive(Clone, Debug, Default)]
pub struct LinkState {
    /// Sender → receiver (the data's way).
    pub forward: LinkStats,
    /// Receiver → sender (the ACKs' way).
    pub backward: LinkStats,
    /// Packets waiting now: `[forward, backward]`.
    pub queue: [u32; 2],
    /// The forward queue in packets against epoch seconds.
    pub queue_series: Series,
}

impl LinkState {
    /// Takes the link's counters read at `time` (epoch seconds).
    pub fn update(&mut self, time: f64, forward: LinkStats, backward: LinkStats, queue: [u32; 2]) {
        self.forward = forward;
        self.backward = backward;
        self.queue = queue;
        self.queue_series.push(time, f64::from(queue[0]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_row_is_the_one_shown() {
        let mut k = KernelSeries::default();
        for (i, cwnd) in [10u32, 20, 40, 28].into_iter().enumerate() {
            k.push(&TcpInfo {
                time: 100.0 + i as f64 * 0.01,
                cwnd,
                ssthresh: (cwnd == 28).then_some(28),
                srtt_us: 40_000,
                ..TcpInfo::default()
            });
        }
        assert_eq!(k.last.map(|r| r.cwnd), Some(28));
        assert_eq!(k.rows, 4);
        assert_eq!(k.cwnd.points().len(), 4);
        assert_eq!(k.ssthresh.points().len(), 1, "set once, by the last row");
        assert_eq!(k.srtt_ms.points()[0], (100.0, 40.0));
    }
}
