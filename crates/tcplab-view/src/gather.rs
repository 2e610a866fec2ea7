//! One pass over the capture: the analysis (every connection's summary)
//! and the segments of every connection, up to the page's limits.
//!
//! In: a capture path and `Limits`. Out: `Gathered`. Segments go through
//! `tcplab_render::plot::Collector`, the same one the static graphs use
//! (sequence numbers unwrapped once, goodput bytes counted once), one
//! collector per connection as its first segment arrives. A segment past
//! a limit is counted, not kept: the page says how many it lacks.

use std::collections::BTreeMap;
use std::path::Path;
use tcplab_analysis::{Analysis, AnalyzerOptions, SegmentReport};
use tcplab_render::plot::{Collector, ConnectionSeries};
use tcplab_wire::capture::CaptureError;

/// How many segments the page holds. A million segments of one
/// connection still open in under two seconds (docs/view.md); beyond
/// that the page would be slow to load and to hold on a phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub per_connection: u64,
    pub total: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            per_connection: 1_000_000,
            total: 2_000_000,
        }
    }
}

/// A capture read for the view.
pub struct Gathered {
    pub analysis: Analysis,
    /// By stream; a connection whose segments were all beyond the limits
    /// has none.
    pub series: Vec<ConnectionSeries>,
    /// Per stream: segments not kept because of the limits.
    pub left_out: BTreeMap<u32, u64>,
    /// The damage that stopped the reading early, if any.
    pub damage: Option<CaptureError>,
}

struct Keeper {
    limits: Limits,
    kept_total: u64,
    kept: BTreeMap<u32, u64>,
    left_out: BTreeMap<u32, u64>,
    collectors: BTreeMap<u32, Collector>,
}

impl Keeper {
    fn push(&mut self, r: &SegmentReport) {
        let kept = self.kept.entry(r.stream).or_default();
        if *kept >= self.limits.per_connection || self.kept_total >= self.limits.total {
            *self.left_out.entry(r.stream).or_default() += 1;
            return;
        }
        *kept += 1;
        self.kept_total += 1;
        self.collectors
            .entry(r.stream)
            .or_insert_with(|| Collector::new([r.stream]))
            .push(r);
    }
}

/// Reads `path` once, as `analyzer` says (`--tunnels`, `--decode-as`).
pub fn gather(path: &Path, limits: Limits, analyzer: AnalyzerOptions) -> crate::Result<Gathered> {
    let mut keeper = Keeper {
        limits,
        kept_total: 0,
        kept: BTreeMap::new(),
        left_out: BTreeMap::new(),
        collectors: BTreeMap::new(),
    };
    let (analysis, damage) =
        tcplab_analysis::analyze_file_with(path, analyzer, |r| keeper.push(r))?;
    let series = keeper
        .collectors
        .into_values()
        .flat_map(Collector::finish)
        .collect();
    Ok(Gathered {
        analysis,
        series,
        left_out: keeper.left_out,
        damage,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/data")
            .join(name)
    }

    #[test]
    fn every_connection_is_gathered_with_all_its_segments() {
        let got = gather(
            &data("echo-two-clients.pcap"),
            Limits::default(),
            AnalyzerOptions::default(),
        )
        .expect("reads");
        assert_eq!(got.series.len(), got.analysis.connections.len());
        for (s, c) in got.series.iter().zip(&got.analysis.connections) {
            assert_eq!(s.stream, c.stream);
            assert_eq!(s.segments.len() as u64, c.packets - c.malformed_packets);
        }
        assert!(got.left_out.is_empty());
    }

    #[test]
    fn the_limits_keep_the_first_segments_and_count_the_rest() {
        let limits = Limits {
            per_connection: 10,
            total: 15,
        };
        let got = gather(
            &data("echo-two-clients.pcap"),
            limits,
            AnalyzerOptions::default(),
        )
        .expect("reads");
        let kept: usize = got.series.iter().map(|s| s.segments.len()).sum();
        assert_eq!(kept, 15);
        assert!(got.series.iter().all(|s| s.segments.len() <= 10));
        let packets: u64 = got.analysis.connections.iter().map(|c| c.packets).sum();
        assert_eq!(got.left_out.values().sum::<u64>() + 15, packets);
    }
}
