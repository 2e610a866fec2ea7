//! Wireshark 4.0's answers for repeated SYNs, data that a pure ACK skipped
//! past, and bytes in flight before the peer's first ACK (checked against
//! tshark 4.0 on the captures named in each test).

use super::events::Event;
use super::synthetic::{reports_of, seg, A, PA, RA, S};

const ISN: u32 = 3_011_000_000;

/// `syn-refused-retry.pcap`: a SYN refused by RST/ACK and sent again with
/// the same ISN stays in its stream, a retransmission; another ISN on the
/// same 4-tuple opens the next stream.
#[test]
fn a_refused_syn_sent_again_with_the_same_isn_stays_in_its_stream() {
    let mut segs = Vec::new();
    for i in 0..3 {
        segs.push(seg(52700, true, i * 500, ISN, 0, S, 0));
        segs.push(seg(52700, false, i * 500, 0, ISN + 1, RA, 0));
    }
    segs.push(seg(52700, true, 2000, ISN + 7777, 0, S, 0));
    let r = reports_of(&segs);
    let streams: Vec<u32> = r.iter().map(|r| r.stream).collect();
    assert_eq!(streams, [0, 0, 0, 0, 0, 0, 1]);
    let resent: Vec<bool> = r
        .iter()
        .map(|r| r.events.contains(Event::Retransmission))
        .collect();
    assert_eq!(resent, [false, false, true, false, true, false, false]);
    // The handshake tells the same: the SYN was sent 2 more times.
    let run = super::spill_tests::run(usize::MAX, &segs);
    assert!(run.summaries[0].contains(r#""syn_retransmissions":2"#));
    assert!(run.summaries[1].contains(r#""reused_ports":true"#));
}

/// `syn-repeated-fast.pcap`: the same SYN again well within the
/// out-of-order threshold is a retransmission, not out of order.
#[test]
fn a_syn_repeated_at_once_is_a_retransmission() {
    let r = reports_of(&[
        seg(52710, true, 0, ISN, 0, S, 0),
        seg(52710, true, 0, ISN, 0, S, 0),
    ]);
    assert!(r[1].events.contains(Event::Retransmission));
    assert!(!r[1].events.contains(Event::OutOfOrder));
}

/// tshark 4.0: data that ends exactly where a pure ACK of the same side had
/// already jumped to is a retransmission (not out of order), however soon.
#[test]
fn data_a_pure_ack_skipped_past_is_a_retransmission() {
    let r = reports_of(&[
        seg(52711, true, 0, ISN, 0, S, 0),
        seg(52711, false, 3, 900, ISN + 1, S | A, 0),
        seg(52711, true, 3, ISN + 1, 901, A, 0),
        seg(52711, true, 4, ISN + 301, 901, A, 0),
        seg(52711, true, 4, ISN + 1, 901, PA, 300),
    ]);
    assert!(r[3].events.contains(Event::LostSegment));
    assert!(r[4].events.contains(Event::Retransmission));
    assert!(!r[4].events.contains(Event::OutOfOrder));
}

/// `midstream-bif.pcap`: without the handshake and before any ACK from
/// the receiver, bytes in flight count from the first data segment.
#[test]
fn bytes_in_flight_count_from_the_first_segment_of_a_capture_mid_connection() {
    let r = reports_of(&[
        seg(44013, true, 0, ISN, 9000, A, 1448),
        seg(44013, true, 0, ISN + 1448, 9000, A, 1448),
        seg(44013, true, 0, ISN + 2896, 9000, PA, 1448),
        seg(44013, false, 4, 9000, ISN + 2896, A, 0),
    ]);
    let bif: Vec<Option<u32>> = r.iter().map(|r| r.bytes_in_flight).collect();
    assert_eq!(bif, [Some(1448), Some(2896), Some(4344), None]);
}
