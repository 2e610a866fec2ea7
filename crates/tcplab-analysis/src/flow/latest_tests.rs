//! The latest stream kept whole (`latest.rs`) and the plain IPv4 lookup
//! (`FlowTable::lookup_v4`) number every packet exactly as the general
//! lookup (a `Key`, `FlowTable::lookup_keyed`) does: port reuse, repeated
//! SYNs, bases set late, sequence numbers that wrap, IPv6 and tunnels
//! between, old streams on disk.

use super::{Direction, FlowTable, Lookup};
use proptest::prelude::*;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use tcplab_wire::capture::Timestamp;
use tcplab_wire::dissect::{Flags, Segment, TcpOptions};
use tcplab_wire::Seq;

/// One packet of the made-up traffic: endpoints from a small set (so that
/// 4-tuples repeat and meet themselves), a tunnel number, flags, numbers
/// near the wrap.
#[derive(Clone, Debug)]
struct Packet {
    src: u8,
    dst: u8,
    tunnel: u32,
    flags: u16,
    seq: u32,
    ack: u32,
}

fn endpoint(i: u8) -> (IpAddr, u16) {
    let addr = match i % 4 {
        0 => IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
        1 => IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
        2 => IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7)),
        _ => IpAddr::V6(Ipv6Addr::LOCALHOST),
    };
    (addr, [80, 443, 40000][usize::from(i / 4) % 3])
}

fn segment(p: &Packet) -> Segment {
    let (src, sport) = endpoint(p.src);
    let (mut dst, dport) = endpoint(p.dst);
    // IPv4 with IPv6 cannot share a header.
    if src.is_ipv4() != dst.is_ipv4() {
        dst = src;
    }
    Segment {
        frame: 0,
        ts: Timestamp(0),
        src,
        dst,
        sport,
        dport,
        seq: Seq(p.seq),
        ack: Seq(p.ack),
        flags: Flags(p.flags),
        window: 0,
        len: 0,
        captured_len: 0,
        options: TcpOptions::default(),
        ip_len: 40,
    }
}

fn packet() -> impl Strategy<Value = Packet> {
    let flags = prop::sample::select(vec![
        Flags::SYN,
        Flags::SYN | Flags::ACK,
        Flags::ACK,
        Flags::ACK | Flags::PSH,
        Flags::FIN | Flags::ACK,
        Flags::RST,
        Flags::SYN | Flags::ECE | Flags::CWR,
        0,
    ]);
    let number = prop::sample::select(vec![0, 1, 2, 1000, u32::MAX - 1, u32::MAX]);
    (
        0u8..12,
        0u8..12,
        prop::sample::select(vec![0u32, 0, 0, 1]),
        flags,
        number.clone(),
        number,
    )
        .prop_map(|(src, dst, tunnel, flags, seq, ack)| Packet {
            src,
            dst,
            tunnel,
            flags,
            seq,
            ack,
        })
}

/// Looks every packet up in a table the usual way (the latest stream
/// kept, plain IPv4 without a `Key`) and in one that goes the general way
/// for every packet.
fn both_ways(packets: &[Packet], max_hot: usize) -> (Vec<Lookup>, Vec<Lookup>) {
    let mut kept = FlowTable::with_max_hot(max_hot);
    let mut general = FlowTable::with_max_hot(max_hot);
    let mut out = (Vec::new(), Vec::new());
    for p in packets {
        let seg = segment(p);
        out.0.push(
            kept.lookup_in(&seg, p.tunnel)
                .expect("in memory or a sound disk"),
        );
        out.1.push(
            general
                .lookup_keyed(&seg, p.tunnel)
                .expect("in memory or a sound disk"),
        );
    }
    (out.0, out.1)
}

proptest! {
    #[test]
    fn the_latest_stream_numbers_as_the_general_lookup(
        packets in prop::collection::vec(packet(), 1..200),
        max_hot in prop::sample::select(vec![1usize, 3, 1 << 18]),
    ) {
        let (kept, general) = both_ways(&packets, max_hot);
        prop_assert_eq!(kept, general);
    }
}

/// A handshake, data and port reuse on one 4-tuple, with the sequence
/// numbers wrapping: every lookup after the first is a kept one.
#[test]
fn a_connection_and_its_port_reuse() {
    let p = |src, dst, flags, seq, ack| Packet {
        src,
        dst,
        tunnel: 0,
        flags,
        seq,
        ack,
    };
    let (a, b) = (0, 5);
    let packets = [
        p(a, b, Flags::SYN, u32::MAX, 0),
        p(b, a, Flags::SYN | Flags::ACK, 7, 0),
        p(a, b, Flags::ACK, 0, 8),
        p(a, b, Flags::SYN, u32::MAX, 0), // the same ISN: the same stream
        p(a, b, Flags::SYN, 1000, 0),     // another ISN: port reuse
        p(b, a, Flags::ACK, 8, 1001),
    ];
    let (kept, general) = both_ways(&packets, 1 << 18);
    assert_eq!(kept, general);
    let streams: Vec<u32> = kept.iter().map(|l| l.stream).collect();
    assert_eq!(streams, [0, 0, 0, 0, 1, 1]);
    assert_eq!(kept[1].dir, Direction::BtoA);
    assert!(kept[3].repeated_syn && kept[4].reused_ports && kept[4].is_new);
    assert_eq!(kept[2].fwd_base, Some(Seq(u32::MAX)));
    assert_eq!(kept[2].rev_base, Some(Seq(7)));
    assert_eq!(kept[5].rev_base, Some(Seq(1000)));
}
