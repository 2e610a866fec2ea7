//! The spill file and the streams on disk change nothing: the same
//! segments analysed with every connection in memory and with connections
//! sent out to the spill file (down to after every packet), and with all
//! but the newest streams' records on disk, give the same per-segment
//! reports and the same summaries, in stream order.

use super::connections::Place;
use super::synthetic::{closed, seg, A, PA, RA, S, SA};
use super::*;
use tcplab_wire::dissect::Segment;

pub(super) struct Run {
    pub reports: Vec<String>,
    pub summaries: Vec<String>,
    pub finished: Finished,
}

pub(super) fn run(max_in_memory: usize, segs: &[Segment]) -> Run {
    run_with(max_in_memory, usize::MAX, segs)
}

fn run_with(max_in_memory: usize, max_hot_streams: usize, segs: &[Segment]) -> Run {
    run_options(
        AnalyzerOptions {
            max_in_memory,
            max_hot_streams,
            ..AnalyzerOptions::default()
        },
        segs,
    )
}

/// As `run_with`, told that no summary will be asked for (finished
/// connections go out for analysis only): the reports alone.
fn reports_without_summaries(
    max_in_memory: usize,
    max_hot_streams: usize,
    segs: &[Segment],
) -> Vec<String> {
    let mut a = Analyzer::with_options(AnalyzerOptions {
        max_in_memory,
        max_hot_streams,
        summaries: false,
        ..AnalyzerOptions::default()
    });
    let reports = reports_of(&mut a, segs);
    assert!(a.finish().take_error().is_none());
    reports
}

/// Each segment's report, frames numbered from 1.
fn reports_of(a: &mut Analyzer, segs: &[Segment]) -> Vec<String> {
    segs.iter()
        .enumerate()
        .map(|(i, s)| {
            let mut s = s.clone();
            s.frame = i as u64 + 1;
            format!("{:?}", a.push_segment(&s))
        })
        .collect()
}

fn run_options(opts: AnalyzerOptions, segs: &[Segment]) -> Run {
    let mut a = Analyzer::with_options(opts);
    let reports = reports_of(&mut a, segs);
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
        let lean = reports_without_summaries(limit, usize::MAX, segs);
        assert_eq!(
            lean, all.reports,
            "reports with {limit} in memory, no summaries"
        );
    }
    for (limit, hot) in [(usize::MAX, 1), (usize::MAX, 2), (0, 1), (1, 3), (2, 2)] {
        let r = run_with(limit, hot, segs);
        let what = format!("{limit} in memory, {hot} streams in memory");
        assert_eq!(r.reports, all.reports, "reports with {what}");
        assert_eq!(r.summaries, all.summaries, "summaries with {what}");
        assert!(r.finished.old_streams_off().is_none());
        let lean = reports_without_summaries(limit, hot, segs);
        assert_eq!(lean, all.reports, "reports with {what}, no summaries");
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
    // The fifth connection made 5 > 4 in memory: the two oldest finished
    // ones went out (down to 3), then the fifth itself as it finished; the
    // two open ones stayed.
    assert_eq!(in_memory, vec![2, 3, 5, 6]);
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
        ..AnalyzerOptions::default()
    });
    for s in &segs {
        a.push_segment(s);
    }
    assert!(!a.failed());
    a.table.damage_old_streams();
    // A late ACK of stream 3, whose record and index entry are on disk.
    let mut late = segs[3 * 8 + 7].clone();
    late.ts = Timestamp(late.ts.0 + 1_000_000_000);
    let report = a.push_segment(&late);
    assert!(a.failed());
    assert_ne!(report.stream, 3);
    let finished = a.finish();
    assert!(matches!(
        finished.take_error(),
        Some(DiskError::Read {
            file: DiskFile::OldStreams,
            ..
        })
    ));
}

/// A connection that sets most of its state: both sides' sequence numbers
/// wrap around 2^32, data both ways, a retransmission, duplicate ACKs, a
/// segment out of order, a zero window, then an RST; over IPv6 if `v6`.
fn eventful(port: u16, v6: bool) -> Vec<Segment> {
    let (c, s) = (u32::MAX - 150, u32::MAX - 20);
    let at = |isn: u32, n: u32| isn.wrapping_add(n);
    let mut segs = vec![
        seg(port, true, 0, c, 0, S, 0),
        seg(port, false, 1, s, at(c, 1), SA, 0),
        seg(port, true, 2, at(c, 1), at(s, 1), A, 0),
        seg(port, true, 3, at(c, 1), at(s, 1), PA, 100),
        seg(port, true, 4, at(c, 101), at(s, 1), PA, 100),
        seg(port, true, 5, at(c, 1), at(s, 1), PA, 100),
        seg(port, false, 6, at(s, 1), at(c, 201), PA, 100),
        seg(port, true, 7, at(c, 301), at(s, 101), PA, 100),
        seg(port, false, 8, at(s, 101), at(c, 201), A, 0),
        seg(port, false, 9, at(s, 101), at(c, 201), A, 0),
        seg(port, true, 10, at(c, 201), at(s, 101), PA, 100),
        seg(port, false, 11, at(s, 101), at(c, 401), A, 0),
        seg(port, true, 30, at(c, 401), at(s, 101), RA, 0),
    ];
    segs[11].window = 0;
    if v6 {
        for x in &mut segs {
            let swap = |a: std::net::IpAddr| match a {
                std::net::IpAddr::V4(v4) => std::net::IpAddr::V6(v4.to_ipv6_mapped()),
                v6 => v6,
            };
            (x.src, x.dst) = (swap(x.src), swap(x.dst));
        }
    }
    segs
}

/// Encodes `conn`, decodes it and encodes it again: the same bytes (every
/// field came back as it was) and the same summary.
fn round_trip(conn: &crate::connection::Connection) -> Vec<u8> {
    let mut bytes = Vec::new();
    spilled::encode(conn, false, &mut bytes);
    let back = spilled::decode(&bytes, 5).expect("decodes");
    let mut again = Vec::new();
    spilled::encode(&back, false, &mut again);
    assert!(again == bytes, "the same bytes after a round trip");
    let json = |c: &crate::connection::Connection| serde_json::to_string(&c.summary());
    assert_eq!(json(&back).ok(), json(conn).ok());
    // The form for analysis only: its own fields come back as they were
    // (the same bytes again), and it has no summary to give.
    let mut lean = Vec::new();
    spilled::encode(conn, true, &mut lean);
    let back = spilled::decode(&lean, 5).expect("decodes");
    let mut again = Vec::new();
    spilled::encode(&back, true, &mut again);
    assert!(
        again == lean,
        "the same bytes after a round trip, for analysis"
    );
    assert!(spilled::with_decoded(&lean, 5, |_| ()).is_err());
    bytes
}

#[test]
fn a_finished_connection_for_analysis_only_takes_a_third_of_the_bytes() {
    let mut a = Analyzer::new();
    reports_of(&mut a, &closed(40_000, 0, 1000));
    let f = a.finish();
    let Ok(Place::Memory(conn)) = f.conns.place(0) else {
        panic!("in memory")
    };
    let (mut whole, mut lean) = (Vec::new(), Vec::new());
    spilled::encode(conn, false, &mut whole);
    spilled::encode(conn, true, &mut lean);
    // 312 of 974 bytes.
    assert!(
        lean.len() * 3 <= whole.len(),
        "{} of {} bytes",
        lean.len(),
        whole.len()
    );
}

#[test]
fn every_field_comes_back_and_the_analysis_goes_on() {
    let segs = interleave(vec![eventful(40_000, false), eventful(40_001, true)]);
    let r = same_with_every_limit(&segs);
    assert!(r.summaries[0].contains(r#""final_state":"reset""#));
    assert!(
        r.summaries[1].contains("::ffff:192.0.2.10"),
        "{}",
        r.summaries[1]
    );
    for ev in [
        "retransmission",
        "duplicate_ack",
        "out_of_order",
        "zero_window",
    ] {
        assert!(r.summaries[0].contains(ev), "{ev} in {}", r.summaries[0]);
    }
    // Midway too, with the lists not empty.
    let mut a = Analyzer::new();
    for (i, s) in segs[..14].iter().enumerate() {
        let mut s = s.clone();
        s.frame = i as u64 + 1;
        a.push_segment(&s);
    }
    let f = a.finish();
    for i in 0..2 {
        let Ok(Place::Memory(conn)) = f.conns.place(i) else {
            panic!("in memory")
        };
        round_trip(conn);
    }
}

#[test]
fn lists_at_their_caps_come_back() {
    // 10,100 segments never acknowledged (10,000 kept), then 1,100 of them
    // sent again (1,000 frames kept per event).
    let (c, s) = (u32::MAX - 5000, 7);
    let mut segs = vec![
        seg(40_000, true, 0, c, 0, S, 0),
        seg(40_000, false, 1, s, c.wrapping_add(1), SA, 0),
        seg(40_000, true, 2, c.wrapping_add(1), s + 1, A, 0),
    ];
    let data = |i: u32, t: i64| seg(40_000, true, t, c.wrapping_add(1 + i * 10), s + 1, PA, 10);
    segs.extend((0..10_100).map(|i| data(i, 3)));
    segs.extend((0..1_100).map(|i| data(i, 4_000)));
    let mut a = Analyzer::new();
    for (i, s) in segs.iter().enumerate() {
        let mut s = s.clone();
        s.frame = i as u64 + 1;
        a.push_segment(&s);
    }
    let f = a.finish();
    let Ok(Place::Memory(conn)) = f.conns.place(0) else {
        panic!("in memory")
    };
    let summary = serde_json::to_string(&conn.summary()).expect("serializable");
    assert!(
        summary.contains(r#""retransmission","count":1100"#),
        "{summary}"
    );
    let bytes = round_trip(conn);
    // 10,000 unacknowledged segments of 24 bytes, 1,000 frames of 9.
    assert!(
        bytes.len() > 10_000 * 24 + 1_000 * 9,
        "{} bytes",
        bytes.len()
    );
    // Damaged: cut anywhere, it does not decode, and says where.
    for cut in [0, 1, 100, bytes.len() / 2, bytes.len() - 1] {
        let e = spilled::decode(&bytes[..cut], 2).err();
        assert!(
            matches!(
                e,
                Some(DiskError::Corrupt {
                    file: DiskFile::SpilledConnections,
                    offset: 128,
                })
            ),
            "cut at {cut}: {e:?}"
        );
    }
}

#[test]
fn packets_after_the_end_are_analysed_the_same_for_analysis_only() {
    // After the last ACK: the server's FIN sent again (a retransmission),
    // the client's data sent again, a duplicate ACK, then a reset; the
    // connection is finished when each comes, and sent out after each
    // packet with 0 in memory (`same_with_every_limit` compares the
    // reports with and without summaries).
    let mut segs = closed(40_000, 0, 1000);
    let (fin, data, last) = (segs[6].clone(), segs[3].clone(), segs[7].clone());
    for (k, mut late) in [fin, data, last.clone(), last].into_iter().enumerate() {
        late.ts = Timestamp(late.ts.0 + 1_000_000 * (k as i64 + 1));
        segs.push(late);
    }
    let mut rst = segs[7].clone();
    rst.flags = tcplab_wire::dissect::Flags(RA);
    rst.ts = Timestamp(rst.ts.0 + 9_000_000);
    segs.push(rst);
    let r = same_with_every_limit(&segs);
    assert!(
        r.reports
            .iter()
            .filter(|x| x.contains("retransmission"))
            .count()
            >= 2,
        "{:?}",
        r.reports
    );
}
