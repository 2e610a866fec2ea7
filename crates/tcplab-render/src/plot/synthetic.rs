//! A made-up bulk transfer of any size, for the benchmark and the tests of
//! large connections: no capture file of a million segments needs to be
//! kept in the repository.
//!
//! Two data segments of 1448 bytes per ACK, one loss every 997 segments
//! (three duplicate ACKs with SACK, then a fast retransmission), a receive
//! window that breathes, RTT samples on every ACK, 10 µs between segments.

use super::collect::{ConnectionSeries, SackMark, SegPoint};
use std::net::{IpAddr, Ipv4Addr};
use tcplab_analysis::flow::{Direction, Endpoint};
use tcplab_analysis::{Event, EventSet, Mechanism};
use tcplab_wire::capture::Timestamp;
use tcplab_wire::dissect::Flags;

const MSS: u32 = 1448;
const ISN: i64 = 1_000_000;
const LOSS_EVERY: usize = 997;

fn endpoint(last: u8, port: u16) -> Endpoint {
    Endpoint {
        addr: IpAddr::V4(Ipv4Addr::new(192, 0, 2, last)),
        port,
    }
}

fn point(t: f64, dir: Direction, flags: u16) -> SegPoint {
    SegPoint {
        t,
        frame: 0,
        dir,
        flags: Flags(flags),
        seq: 0,
        ack: 0,
        len: 0,
        new_bytes: 0,
        window: 0,
        in_flight: None,
        events: EventSet::default(),
        sent_again: None,
        ack_rtt: None,
        ts_rtt: None,
    }
}

/// A connection of `segments` segments (both directions together).
pub fn bulk_transfer(segments: usize) -> ConnectionSeries {
    let mut s = ConnectionSeries {
        stream: 0,
        a: endpoint(10, 40001),
        b: endpoint(20, 5001),
        start: Timestamp(0),
        segments: Vec::with_capacity(segments),
        sacks: Vec::new(),
        base: [Some(ISN), Some(0)],
        unscaled_window: [false; 2],
        zoom: None,
    };
    let (mut next, mut acked) = (ISN + 1, ISN + 1);
    let mut lost: Option<i64> = None;
    let mut dups = 0;
    let mut i = 0;
    while s.segments.len() < segments {
        let t = i as f64 * 10e-6;
        i += 1;
        let mut p = if i % 3 == 0 {
            ack(&mut s, t, &mut acked, next, &mut lost, &mut dups)
        } else if let (Some(hole), 3) = (lost, dups) {
            // Fast retransmission of the hole after three duplicate ACKs.
            dups = 4;
            let mut p = data(t, hole, 0);
            p.events.insert(Event::FastRetransmission);
            p.sent_again = Some(Mechanism::FastRecovery);
            p
        } else {
            let p = data(t, next, MSS);
            if lost.is_none() && i % LOSS_EVERY == 0 {
                lost = Some(next);
            }
            next += i64::from(MSS);
            p
        };
        p.in_flight = (p.dir == Direction::AtoB).then(|| (next - acked) as u32);
        p.frame = u32::try_from(s.segments.len() + 1).unwrap_or(u32::MAX);
        s.segments.push(p);
    }
    s
}

fn data(t: f64, seq: i64, new_bytes: u32) -> SegPoint {
    let mut p = point(t, Direction::AtoB, Flags::ACK);
    p.seq = seq;
    p.len = MSS;
    p.new_bytes = new_bytes;
    p.window = 64_000;
    p
}

fn ack(
    s: &mut ConnectionSeries,
    t: f64,
    acked: &mut i64,
    next: i64,
    lost: &mut Option<i64>,
    dups: &mut u32,
) -> SegPoint {
    let mut p = point(t, Direction::BtoA, Flags::ACK);
    p.window = 200_000 + ((t * 50.0).sin() * 60_000.0) as u32;
    p.ack_rtt = Some(50e-6 + (t * 7.0).sin().abs() * 20e-6);
    match *lost {
        Some(hole) if *dups < 4 => {
            // Duplicate ACKs for the hole, with a SACK block above it.
            *acked = hole;
            *dups += 1;
            p.events.insert(Event::DuplicateAck);
            s.sacks.push(SackMark {
                t,
                dir: Direction::BtoA,
                left: hole + i64::from(MSS),
                right: next,
            });
        }
        _ => {
            *lost = None;
            *dups = 0;
            *acked = next - i64::from(MSS);
        }
    }
    p.ack = *acked;
    p
}
