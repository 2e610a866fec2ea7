//! How many connections stay in memory: a small working set while
//! connections come one after another, more when connections open at the
//! same time outnumber it, never more than `max_in_memory`; the results are
//! the same every way (`spill_tests.rs`).

use super::spill_tests::{interleave, run};
use super::synthetic::closed;
use super::*;
use tcplab_wire::dissect::Segment;

fn connections(n: u16) -> Vec<Vec<Segment>> {
    (0..n)
        .map(|i| closed(10_000 + i, i64::from(i) * 10, u32::from(i) * 7919))
        .collect()
}

#[test]
fn connections_one_after_another_keep_the_first_working_set() {
    let segs: Vec<Segment> = connections(5000).concat();
    let r = run(AnalyzerOptions::DEFAULT_MAX_IN_MEMORY, &segs);
    let stats = r.finished.spill_stats();
    assert!(r.finished.conns.resident() <= AnalyzerOptions::FIRST_WORKING_SET);
    assert_eq!(stats.read_back, 0, "{stats:?}");
    assert!(stats.written >= 5000 - 1024, "{stats:?}");
}

#[test]
fn the_working_set_grows_when_open_connections_outnumber_it() {
    // 2000 connections open at once, their packets in turn: past 1024 in
    // memory the ones sent out come back at their next packet, so the
    // working set doubles to 2048 and every connection stays.
    let segs = interleave(connections(2000));
    let all = run(usize::MAX, &segs);
    let r = run(AnalyzerOptions::DEFAULT_MAX_IN_MEMORY, &segs);
    assert_eq!(r.reports, all.reports);
    assert_eq!(r.summaries, all.summaries);
    let stats = r.finished.spill_stats();
    assert_eq!(r.finished.conns.resident(), 2000, "{stats:?}");
    assert!(stats.written < 1500, "{stats:?}");
    // Held to 1024, the same capture sends them out and reads them back
    // at nearly every packet.
    let held = run(1024, &segs);
    assert_eq!(held.reports, all.reports);
    let stats = held.finished.spill_stats();
    assert!(held.finished.conns.resident() <= 1024);
    assert!(stats.read_back > 5000, "{stats:?}");
}

#[test]
fn the_working_set_never_passes_max_in_memory() {
    let segs = interleave(connections(2000));
    let r = run(1500, &segs);
    assert!(r.finished.conns.resident() <= 1500);
    assert!(r.finished.spill_stats().read_back > 0);
}
