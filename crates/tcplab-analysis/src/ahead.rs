//! The end of an analysis on two cores: one thread builds the connections'
//! summaries (reading spilled connections back, decoding them, computing
//! statistics) while the caller formats the ones already built. On a
//! capture of many short connections the two halves take about as long
//! as each other, so the end of `tcplab analyze` takes about half as long.

use super::{ConnectionSummary, Finished};
use std::sync::mpsc;
use std::thread;

/// Summaries travel in batches, to keep the channel's cost per summary small.
const BATCH: usize = 64;
/// How many batches may wait: bounds the memory the builder can run ahead with.
const BATCHES_AHEAD: usize = 8;

impl Finished {
    /// Calls `consume` with every connection's summary, in stream order, while another thread builds the next ones. Gives
    /// `self` back afterwards (for `take_error`) with `consume`'s result.
    /// If `consume` returns before the end, the builder stops.
    pub fn with_summaries_ahead<R>(
        self,
        consume: impl FnOnce(&mut dyn Iterator<Item = ConnectionSummary>) -> R,
    ) -> (Finished, R) {
        let (tx, rx) = mpsc::sync_channel::<Vec<ConnectionSummary>>(BATCHES_AHEAD);
        thread::scope(|s| {
            let builder = s.spawn(move || {
                {
                    let mut batch = Vec::with_capacity(BATCH);
                    for c in self.summaries() {
                        batch.push(c);
                        if batch.len() == BATCH {
                            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                            if tx.send(full).is_err() {
                                break;
                            }
                        }
                    }
                    if !batch.is_empty() {
                        // The consumer may have stopped already: nothing to do then.
                        let _ = tx.send(batch);
                    }
                }
                self
            });
            let result = {
                let mut summaries = rx.iter().flatten();
                consume(&mut summaries)
            };
            drop(rx);
            match builder.join() {
                Ok(finished) => (finished, result),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::spill_tests::{interleave, run};
    use crate::synthetic::closed;

    #[test]
    fn ahead_yields_what_summaries_yields_and_stops_early() {
        let conns = (0..300).map(|i| closed(20_000 + i, i64::from(i), 1000 * u32::from(i) + 1));
        let segs = interleave(conns.collect());
        for limit in [0, 5, usize::MAX] {
            let r = run(limit, &segs);
            let (finished, all) = r.finished.with_summaries_ahead(|it| {
                it.map(|c| serde_json::to_string(&c).expect("serializable"))
                    .collect::<Vec<_>>()
            });
            assert_eq!(all, r.summaries, "{limit} in memory");
            assert!(finished.take_error().is_none());
            let (finished, first) = finished
                .with_summaries_ahead(|it| it.take(100).map(|c| c.stream).collect::<Vec<_>>());
            assert_eq!(first, (0..100).collect::<Vec<_>>());
            assert!(finished.take_error().is_none());
        }
    }
}
