//! The end of an analysis: the capture's statistics and every connection,
//! whose summaries are built one at a time, in stream order, from memory or
//! from the spill file (`connections.rs`), so that a capture with many
//! connections is written out without holding every summary.
//!
//! In: the analyser's connections and statistics, and the first failure
//! of the disk tier, if any. Out: summaries (one, or all in stream order),
//! the spill file's statistics, and the failures: `take_error` (the
//! results are incomplete) and the notes `spill_off` and `old_streams_off`
//! (a file could not be written: the results are complete). Not here:
//! formatting (tcplab-render) and deciding the exit code (the binary).

use super::connections::{Connections, Place, SpillStats};
use super::spilled;
use super::{Analysis, CaptureStats, ConnectionSummary};
use crate::disk::{DiskError, SpillReader};
use crate::StreamTunnel;
use std::cell::RefCell;
use std::collections::HashMap;

/// The end state of an analysis: capture statistics and every connection.
pub struct Finished {
    pub capture: CaptureStats,
    pub(super) conns: Connections,
    /// The first failure to read back from disk, if any.
    error: RefCell<Option<DiskError>>,
    /// Why some old streams stayed in memory (writing them out failed).
    old_streams_off: Option<DiskError>,
    /// The tunnel path of each stream that travels in one.
    tunnels: HashMap<u32, StreamTunnel>,
}

impl Finished {
    pub(super) fn new(
        capture: CaptureStats,
        mut conns: Connections,
        old_streams_off: Option<DiskError>,
        tunnels: HashMap<u32, StreamTunnel>,
    ) -> Finished {
        let error = RefCell::new(conns.take_failure());
        Finished {
            capture,
            conns,
            error,
            old_streams_off,
            tunnels,
        }
    }

    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }

    /// The streams present (for messages about `--stream N`).
    pub fn has_stream(&self, n: u32) -> bool {
        (n as usize) < self.conns.len()
    }

    /// Each connection's summary, built as it is asked for (in stream
    /// order), from memory or from the spill file. Should reading back
    /// from disk fail, the iteration stops early and `take_error` says why.
    /// None when the analysis was told no summary would be asked for
    /// (`AnalyzerOptions::summaries` false: finished connections kept only
    /// what the analysis needed).
    pub fn summaries(&self) -> impl Iterator<Item = ConnectionSummary> + '_ {
        debug_assert!(
            self.conns.summaries(),
            "summaries of an analysis without them"
        );
        let mut reader = self.conns.reader();
        let n = if self.conns.summaries() {
            self.conns.len()
        } else {
            0
        };
        (0..n).map_while(move |i| self.summary_with(&mut reader, i))
    }

    /// One connection's summary (`None` when there is no stream `n`, or
    /// reading back from disk failed: `take_error` says so, or the analysis
    /// was told no summary would be asked for), without reading back the
    /// other connections.
    pub fn summary(&self, n: u32) -> Option<ConnectionSummary> {
        debug_assert!(
            self.conns.summaries(),
            "a summary of an analysis without them"
        );
        if !self.has_stream(n) || !self.conns.summaries() {
            return None;
        }
        self.summary_with(&mut self.conns.reader(), n as usize)
    }

    /// Stream `i`'s summary, from memory or read back with `reader`; on a
    /// failure, `None` and the error kept for `take_error`.
    fn summary_with(&self, reader: &mut SpillReader<'_>, i: usize) -> Option<ConnectionSummary> {
        let mut summary = self.bare_summary(reader, i)?;
        if let Some(t) = self.tunnels.get(&(i as u32)) {
            summary.tunnel = Some(t.path.to_string());
            summary.other_tunnels = t.others;
        }
        Some(summary)
    }

    fn bare_summary(&self, reader: &mut SpillReader<'_>, i: usize) -> Option<ConnectionSummary> {
        let summary = match self.conns.place(i) {
            Ok(Place::Memory(conn)) => return Some(conn.summary()),
            Ok(Place::Spilled(index)) => reader
                .payload(index)
                .and_then(|payload| spilled::with_decoded(payload, index, |conn| conn.summary())),
            Err(e) => Err(e),
        };
        match summary {
            Ok(summary) => Some(summary),
            Err(e) => {
                self.error.borrow_mut().get_or_insert(e);
                None
            }
        }
    }

    /// Why the analysis is incomplete, when reading back from disk failed
    /// (spilled connections or old streams, during the analysis or in
    /// `summaries`).
    pub fn take_error(&self) -> Option<DiskError> {
        self.error.borrow_mut().take()
    }

    /// Set when the spill file could not be written: the connections then
    /// all stayed in memory (the results are complete).
    pub fn spill_off(&self) -> Option<&DiskError> {
        self.conns.spill_off()
    }

    /// Set when old streams could not be written to disk: they stayed in
    /// memory (the results are complete).
    pub fn old_streams_off(&self) -> Option<&DiskError> {
        self.old_streams_off
            .as_ref()
            .or(self.conns.old_streams_off())
    }

    pub fn spill_stats(&self) -> SpillStats {
        self.conns.stats()
    }

    /// Everything at once (convenient for small captures and tests).
    pub fn into_analysis(self) -> Analysis {
        let connections = self.summaries().collect();
        Analysis {
            capture: self.capture,
            connections,
        }
    }
}
