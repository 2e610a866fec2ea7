//! One capture in one row: what a teacher reads first about each of a
//! class's runs, and what an engineer reads first about each of a
//! directory of captures (`tcplab summary`, docs/summary.md).
//!
//! A [`DigestBuilder`] is fed every segment report as the analysis streams
//! them (for the RTT distribution) and then every connection's summary
//! (for the counts); memory is the RTT histogram's, a few kilobytes however
//! many packets the capture holds.

use crate::{CaptureStats, ConnectionSummary, Event, SegmentReport, SentAgain};
use hdrhistogram::Histogram;

/// The RTT samples' histogram keeps 3 significant digits: the median it
/// gives is within 0.1 % of the true median.
const RTT_DIGITS: u8 = 3;

/// A capture's totals over all its connections.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CaptureDigest {
    pub connections: u64,
    /// TCP segments (both directions, every connection).
    pub segments: u64,
    /// Payload bytes carried, both directions, counting those sent again.
    pub payload_bytes: u64,
    /// Payload bytes seen for the first time.
    pub unique_bytes: u64,
    /// What was sent again, both directions, by mechanism.
    pub sent_again: SentAgain,
    /// Zero-window advertisements, and the connections that had any.
    pub zero_windows: u64,
    pub zero_window_connections: u64,
    /// Connections reset (an RST in either direction).
    pub reset_connections: u64,
    /// ACK RTT over every sample of the capture, in seconds.
    pub rtt: Option<RttDigest>,
    /// Seconds from the first to the last packet of the capture.
    pub span: Option<f64>,
    /// Seconds from the first to the last segment carrying data.
    pub data_span: Option<f64>,
}

/// The minimum and median of a capture's ACK RTT samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RttDigest {
    pub samples: u64,
    pub min: f64,
    pub median: f64,
}

impl CaptureDigest {
    /// New payload bytes per second (as bits/s) from the first to the last
    /// segment carrying data: the rate at which the capture's connections
    /// together delivered new data while they were sending (the handshakes,
    /// the idle time around and the teardowns are left out).
    pub fn goodput_bps(&self) -> Option<f64> {
        self.data_span
            .filter(|&s| s > 0.0)
            .map(|s| self.unique_bytes as f64 * 8.0 / s)
    }
}

/// Builds a [`CaptureDigest`] from the analysis' streamed output.
pub struct DigestBuilder {
    digest: CaptureDigest,
    rtt_ns: Histogram<u64>,
    rtt_min_ns: Option<i64>,
    /// The first and the last time stamp of a segment carrying data (ns).
    data: Option<(i64, i64)>,
}

impl Default for DigestBuilder {
    fn default() -> Self {
        DigestBuilder {
            digest: CaptureDigest::default(),
            rtt_ns: Histogram::new(RTT_DIGITS).expect("3 significant digits is a valid precision"),
            rtt_min_ns: None,
            data: None,
        }
    }
}

impl DigestBuilder {
    /// One segment, as the analysis reports it.
    pub fn segment(&mut self, r: &SegmentReport) {
        self.digest.segments += 1;
        if r.len > 0 {
            let t = r.ts.0;
            self.data = Some(self.data.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
        }
        if let Some(ns) = r.ack_rtt_ns.filter(|&ns| ns >= 0) {
            // The histogram resizes itself; a sample it still cannot hold
            // (beyond u64) does not exist for an i64.
            let _ = self.rtt_ns.record(ns as u64);
            self.rtt_min_ns = Some(self.rtt_min_ns.map_or(ns, |m| m.min(ns)));
        }
    }

    /// One connection's summary, once the capture is read.
    pub fn connection(&mut self, c: &ConnectionSummary) {
        let d = &mut self.digest;
        d.connections += 1;
        for dir in [&c.a_to_b, &c.b_to_a] {
            d.payload_bytes += dir.payload_bytes;
            d.unique_bytes += dir.unique_bytes;
            d.sent_again.add(&dir.sent_again);
        }
        let zero = c.count(Event::ZeroWindow);
        d.zero_windows += zero;
        d.zero_window_connections += u64::from(zero > 0);
        d.reset_connections += u64::from(!c.teardown.resets.is_empty());
    }

    pub fn finish(mut self, stats: &CaptureStats) -> CaptureDigest {
        self.digest.span = match (stats.first_time, stats.last_time) {
            (Some(first), Some(last)) if last >= first => Some(last - first),
            _ => None,
        };
        self.digest.data_span = self.data.map(|(first, last)| (last - first) as f64 / 1e9);
        self.digest.rtt = self.rtt_min_ns.map(|min| {
            // The middle of the median's bucket, never below the minimum.
            let median = self
                .rtt_ns
                .median_equivalent(self.rtt_ns.value_at_quantile(0.5))
                .max(min as u64);
            RttDigest {
                samples: self.rtt_ns.len(),
                min: min as f64 / 1e9,
                median: median as f64 / 1e9,
            }
        });
        self.digest
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::{closed, seg, A, PA, RA, S, SA};
    use crate::Analyzer;

    /// A clean connection, then one that sends a segment again, hears a
    /// zero window and is reset.
    #[test]
    fn two_connections_in_one_row() {
        let (c, s) = (5000, 9000);
        let mut zero = seg(4001, false, 106, s + 1, c + 101, A, 0);
        zero.window = 0;
        let mut segs = closed(4000, 0, 1000);
        segs.extend([
            seg(4001, true, 100, c, 0, S, 0),
            seg(4001, false, 101, s, c + 1, SA, 0),
            seg(4001, true, 102, c + 1, s + 1, A, 0),
            seg(4001, true, 103, c + 1, s + 1, PA, 100),
            seg(4001, true, 105, c + 1, s + 1, PA, 100),
            zero,
            seg(4001, true, 110, c + 101, s + 1, RA, 0),
        ]);
        let mut a = Analyzer::new();
        let mut b = DigestBuilder::default();
        let mut rtt = Vec::new();
        for (i, seg) in segs.iter().enumerate() {
            let mut seg = seg.clone();
            seg.frame = i as u64 + 1;
            let r = a.push_segment(&seg);
            rtt.extend(r.ack_rtt_ns);
            b.segment(&r);
        }
        let finished = a.finish();
        for summary in finished.summaries() {
            b.connection(&summary);
        }
        // The file-reading loop sets the capture's times; this one had none.
        let mut stats = finished.capture.clone();
        (stats.first_time, stats.last_time) = (Some(1.0), Some(1.5));
        let d = b.finish(&stats);
        assert_eq!(d.connections, 2);
        assert_eq!(d.segments, segs.len() as u64);
        assert_eq!(d.payload_bytes, 200 + 200);
        assert_eq!(d.unique_bytes, 200 + 100);
        assert_eq!(d.sent_again.total(), 1);
        assert_eq!((d.zero_windows, d.zero_window_connections), (1, 1));
        assert_eq!(d.reset_connections, 1);
        let r = d.rtt.expect("ACKs were timed");
        assert_eq!(r.samples, rtt.len() as u64);
        assert_eq!(r.min, *rtt.iter().min().expect("samples") as f64 / 1e9);
        rtt.sort_unstable();
        let median = rtt[(rtt.len() - 1) / 2] as f64 / 1e9;
        assert!((r.median - median).abs() <= median * 1e-3, "{r:?} {median}");
        assert_eq!(d.span, Some(0.5));
        // Data from 3 ms (the first connection's) to 105 ms.
        assert_eq!(d.data_span, Some(0.102));
        assert_eq!(d.goodput_bps(), Some(300.0 * 8.0 / 0.102));
    }
}
