//! The spill file and the streams on disk change nothing: the same
//! segments analysed with every connection in memory and with connections
//! sent out to the spill file (down to after every packet), and with all
//! but the newest streams' records on disk, give the same per-segment
//! reports and the same summaries, in stream order.

use super::store::Place;
use super::*;
use crate::dissect::{Flags, Segment, TcpOptions};
use std::net::{IpAddr, Ipv4Addr};

const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10));
const SERVER: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 20));

/// A segment of the connection from client port `port`, `at_ms` into the capture.
fn seg(port: u16, to_server: bool, at_ms: i64, seq: u32, ack: u32, flags: u8, len: u32) -> Segment {
    let (src, dst, sport, dport) = if to_server {
        (CLIENT, SERVER, port, 80)
    } else {
        (SERVER, CLIENT, 80, port)
    };
    Segment {
        frame: 0,
        ts: Timestamp(1_700_000_000_000_000_000 + at_ms * 1_000_000),
        src,
        dst,
        sport,
        dport,
        seq: Seq(seq),
        ack: Seq(ack),
        flags: Flags(flags),
        window: 500,
        len,
        captured_len: len,
        options: TcpOptions {
            timestamps: Some((at_ms as u32, at_ms as u32 / 2)),
            // The handshake's options, as Linux sends them.
            mss: (flags & S != 0).then_some(1460),
            window_scale: (flags & S != 0).then_some(7),
            sack_permitted: flags & S != 0,
            ..TcpOptions::default()
        },
        ip_len: 52 + len,
    }
}

const S: u8 = Flags::SYN;
const A: u8 = Flags::ACK;
const SA: u8 = Flags::SYN | Flags::ACK;
const PA: u8 = Flags::PSH | Flags::ACK;
const FA: u8 = Flags::FIN | Flags::ACK;
const RA: u8 = Flags::RST | Flags::ACK;

/// A whole connection from `port` starting at `t` ms: handshake, 100 bytes
/// each way, FIN/FIN close.
pub(crate) fn closed(port: u16, t: i64, isn: u32) -> Vec<Segment> {
    let (c, s) = (isn, isn.wrapping_mul(7));
    vec![
        seg(port, true, t, c, 0, S, 0),
        seg(port, false, t + 1, s, c + 1, SA, 0),
        seg(port, true, t + 2, c + 1, s + 1, A, 0),
        seg(port, true, t + 3, c + 1, s + 1, PA, 100),
        seg(port, false, t + 4, s + 1, c + 101, PA, 100),
        seg(port, true, t + 5, c + 101, s + 101, FA, 0),
        seg(port, false, t + 6, s + 101, c + 102, FA, 0),
        seg(port, true, t + 7, c + 102, s + 102, A, 0),
    ]
}

pub(super) struct Run {
    pub reports: Vec<String>,
    pub summaries: Vec<String>,
    pub finished: Finished,
}

pub(super) fn run(max_in_memory: usize, segs: &[Segment]) -> Run {
    run_with(max_in_memory, usize::MAX, segs)
}

fn run_with(max_in_memory: usize, max_hot_streams: usize, segs: &[Segment]) -> Run {
    let mut a = Analyzer::with_options(AnalyzerOptions {
        max_in_memory,
        max_hot_streams,
    });
    let reports = segs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut s = s.clone();
            s.frame = i as u64 + 1;
            format!("{:?}", a.push_segment(&s))
        })
        .collect();
    let finished = a.finish();
    let summaries = finished
        .summaries()
        .map(|c| serde_json::to_string(&c).expect("serializable"))
        .collect();
    assert!(finished.take_error().is_none());
    Run {
        reports,
        summaries,
        finished,
    }
}

/// The reports of `segs` (frames numbered from 1), everything in memory.
pub(crate) fn run_reports(segs: &[Segment]) -> Vec<SegmentReport> {
    let mut a = Analyzer::new();
    segs.iter()
        .enumerate()
        .map(|(i, s)| {
            let mut s = s.clone();
            s.frame = i as u64 + 1;
            a.push_segment(&s)
        })
        .collect()
}

/// Interleaves connections packet by packet.
pub(super) fn interleave(conns: Vec<Vec<Segment>>) -> Vec<Segment> {
    let longest = conns.iter().map(Vec::len).max().unwrap_or(0);
    (0..longest)
        .flat_map(|i| conns.iter().filter_map(move |c| c.get(i).cloned()))
        .collect()
}

fn same_with_every_limit(segs: &[Segment]) -> Run {
    let all = run(usize::MAX, segs);
    assert_eq!(all.finished.spill_stats(), SpillStats::default());
    for limit in [0, 1, 2, 3] {
        let r = run(limit, segs);
        assert_eq!(r.reports, all.reports, "reports with {limit} in memory");
        assert_eq!(
            r.summaries, all.summaries,
            "summaries with {limit} in memory"
        );
        let spilled = r.finished.spill_stats().written > 0;
        assert_eq!(spilled, r.summaries.len() > limit, "{limit} in memory");
    }
    for (limit, hot) in [(usize::MAX, 1), (usize::MAX, 2), (0, 1), (1, 3), (2, 2)] {
        let r = run_with(limit, hot, segs);
        let what = format!("{limit} in memory, {hot} streams in memory");
        assert_eq!(r.reports, all.reports, "reports with {what}");
        assert_eq!(r.summaries, all.summaries, "summaries with {what}");
        assert!(r.finished.cold_off().is_none());
    }
    all
}

#[test]
fn a_connection_read_back_goes_on_as_if_it_had_stayed() {
    // Every packet after the first reads its connection back (0 in memory).
    let r = same_with_every_limit(&closed(40_000, 0, 1000));
    assert_eq!(r.summaries.len(), 1);
    let spilled = run(0, &closed(40_000, 0, 1000)).finished.spill_stats();
    assert_eq!((spilled.written, spilled.read_back), (8, 7));
}

#[test]
fn summaries_come_in_stream_order() {
    let conns = (0..6).map(|i| closed(40_000 + i, i64::from(i) * 3, 1000 * u32::from(i) + 1));
    let r = same_with_every_limit(&interleave(conns.collect()));
    let streams: Vec<u64> = r
        .finished
        .summaries()
        .map(|c| u64::from(c.stream) * 100_000 + u64::from(c.a.port))
        .collect();
    let want: Vec<u64> = (0..6).map(|i| i * 100_000 + 40_000 + i).collect();
    assert_eq!(streams, want);
}

#[test]
fn open_connections_stay_in_memory_and_finished_ones_go_first() {
    // Five connections one after the other, then two that never close.
    let mut segs: Vec<Segment> = (0..5)
        .flat_map(|i| closed(40_000 + i, i64::from(i) * 10, 77 + u32::from(i)))
        .collect();
    let open = [41_000, 41_001].map(|port| closed(port, 100, 5000)[..5].to_vec());
    segs.extend(interleave(open.to_vec()));
    let r = same_with_every_limit(&segs);
    assert!(r.summaries[5].contains(r#""final_state":"open""#));
    let mut a = Analyzer::with_options(AnalyzerOptions {
        max_in_memory: 4,
        ..AnalyzerOptions::default()
    });
    for s in &segs {
        a.push_segment(s);
    }
    let f = a.finish();
    let in_memory: Vec<usize> = (0..f.connection_count())
        .filter(|i| matches!(f.conns.place(*i), Ok(Place::Memory(_))))
        .collect();
    // Twice 5 > 4 in memory: the four oldest finished ones went out.
    assert_eq!(in_memory, vec![4, 5, 6]);
}

#[test]
fn a_late_packet_and_a_reused_port_after_the_spill() {
    let first = closed(40_000, 0, 1000);
    let mut segs = first.clone();
    // The last ACK again, 1 s later: joins stream 0 (read back), a dup.
    let mut late = first[7].clone();
    late.ts = Timestamp(late.ts.0 + 1_000_000_000);
    segs.push(late);
    // A new SYN on the same 4-tuple with another ISN: stream 1, port reuse;
    // then an RST from the server.
    segs.push(seg(40_000, true, 2000, 9000, 0, S, 0));
    segs.push(seg(40_000, false, 2001, 0, 9001, RA, 0));
    // A packet for the first connection's 4-tuple now belongs to stream 1.
    segs.push(seg(40_000, true, 2002, 9001, 1, A, 0));
    let r = same_with_every_limit(&segs);
    assert_eq!(r.summaries.len(), 2);
    assert!(
        r.summaries[0].contains(r#""packets":9,"#),
        "{}",
        r.summaries[0]
    );
    assert!(r.summaries[1].contains(r#""reused_ports":true"#));
    assert!(r.summaries[1].contains(r#""final_state":"reset""#));
    assert!(r.reports[8].contains("stream: 0"), "{}", r.reports[8]);
    assert!(r.reports[11].contains("stream: 1"), "{}", r.reports[11]);
}

#[test]
fn many_connections_keep_memory_bounded() {
    let conns: Vec<Vec<Segment>> = (0..2000u16)
        .map(|i| closed(10_000 + i, i64::from(i), u32::from(i) * 7919))
        .collect();
    let segs = interleave(conns);
    let all = run(usize::MAX, &segs);
    let r = run(64, &segs);
    assert_eq!(r.reports, all.reports);
    assert_eq!(r.summaries, all.summaries);
    let stats = r.finished.spill_stats();
    assert!(stats.written >= 2000 - 64, "{stats:?}");
    assert!(r.finished.conns.resident() <= 64);
    // And with the records of all but the newest 100 streams on disk.
    let r = run_with(64, 100, &segs);
    assert_eq!(r.reports, all.reports);
    assert_eq!(r.summaries, all.summaries);
}

#[test]
fn old_streams_that_cannot_be_read_back_stop_the_analysis() {
    let segs: Vec<Segment> = (0..50u16).flat_map(|i| closed(20_000 + i, 0, 77)).collect();
    let mut a = Analyzer::with_options(AnalyzerOptions {
        max_in_memory: 4,
        max_hot_streams: 8,
    });
    for s in &segs {
        a.push_segment(s);
    }
    assert!(!a.failed());
    a.table.damage_cold_files();
    // A late ACK of stream 3, whose record and index entry are on disk.
    let mut late = segs[3 * 8 + 7].clone();
    late.ts = Timestamp(late.ts.0 + 1_000_000_000);
    let report = a.push_segment(&late);
    assert!(a.failed());
    assert_ne!(report.stream, 3);
    let finished = a.finish();
    assert!(matches!(
        finished.take_error(),
        Some(SpillError::Cold(ColdError::Read { .. }))
    ));
}
