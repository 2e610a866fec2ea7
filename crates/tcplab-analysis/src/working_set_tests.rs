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
    // working set doubles to 2048 and every connection stays until it
    // finishes.
    let segs = interleave(connections(2000));
    let all = run(usize::MAX, &segs);
    let r = run(AnalyzerOptions::DEFAULT_MAX_IN_MEMORY, &segs);
    assert_eq!(r.reports, all.reports);
    assert_eq!(r.summaries, all.summaries);
    let stats = r.finished.spill_stats();
    assert_eq!(r.finished.conns.working_set(), 2048, "{stats:?}");
    assert!(stats.read_back < 1500, "{stats:?}");
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

#[test]
fn finished_connections_go_out_at_once_once_a_batch_has_gone() {
    // Connections one after another: the first batch takes the working
    // set to three quarters, then each connection goes out as it ends and
    // none comes back.
    let stay = AnalyzerOptions::FIRST_WORKING_SET * 3 / 4 - 1;
    let segs: Vec<Segment> = connections(3000).concat();
    let r = run(AnalyzerOptions::DEFAULT_MAX_IN_MEMORY, &segs);
    let stats = r.finished.spill_stats();
    assert_eq!(r.finished.conns.resident(), stay, "{stats:?}");
    assert_eq!(stats.written, 3000 - stay as u64, "{stats:?}");
    assert_eq!(stats.read_back, 0, "{stats:?}");
    // As many as the working set never make the spill file.
    let few: Vec<Segment> = connections(1024).concat();
    let r = run(AnalyzerOptions::DEFAULT_MAX_IN_MEMORY, &few);
    assert_eq!(r.finished.spill_stats(), SpillStats::default());
}

/// `n` connections one after another, each followed by the server's FIN
/// again and, when `reset(i)`, the client's RST.
fn with_late_packets(n: u16, reset: impl Fn(usize) -> bool) -> Vec<Segment> {
    let conns: Vec<Vec<Segment>> = connections(n)
        .into_iter()
        .enumerate()
        .map(|(i, mut c)| {
            c.push(c[6].clone());
            if reset(i) {
                let mut rst = c[7].clone();
                rst.flags = Flags(Flags::RST);
                c.push(rst);
            }
            c
        })
        .collect();
    conns.concat()
}

#[test]
fn packets_after_the_end_give_the_same_results() {
    let segs = with_late_packets(2000, |i| i % 10 == 0);
    let all = run(usize::MAX, &segs);
    let r = run(AnalyzerOptions::DEFAULT_MAX_IN_MEMORY, &segs);
    assert_eq!(r.reports, all.reports);
    assert_eq!(r.summaries, all.summaries);
    assert!(r.finished.conns.resident() <= AnalyzerOptions::FIRST_WORKING_SET);
}

#[test]
fn when_finished_connections_come_back_they_wait_for_the_batches() {
    // Every connection gets a packet after its end: sending each out as it
    // finished would read nearly every one back. A few do come back after
    // each batch, before the rule turns; the rest go out once, in batches,
    // and the working set does not grow for them.
    let segs = with_late_packets(3000, |_| false);
    let r = run(AnalyzerOptions::DEFAULT_MAX_IN_MEMORY, &segs);
    let stats = r.finished.spill_stats();
    // 48 come back (about 2,200 would, sent out as they finished), and
    // fewer are written than there are connections.
    assert!(stats.read_back < 100, "{stats:?}");
    assert!(stats.written < 3000, "{stats:?}");
    assert_eq!(
        r.finished.conns.working_set(),
        AnalyzerOptions::FIRST_WORKING_SET
    );
}
