//! Made-up connections, for the tests and benchmarks of this crate and of
//! the crates after it: no capture file needs to be kept for them.
//!
//! A connection from client port `port` of 192.0.2.10 to 198.51.100.20:80,
//! each segment `at_ms` milliseconds into the capture, with the options
//! Linux sends. Not for anything a user sees.

use crate::{Analyzer, SegmentReport};
use std::net::{IpAddr, Ipv4Addr};
use tcplab_wire::capture::Timestamp;
use tcplab_wire::dissect::{Flags, Segment, TcpOptions};
use tcplab_wire::Seq;

const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10));
const SERVER: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 20));

/// A segment of the connection from client port `port`, `at_ms` into the capture.
pub fn seg(
    port: u16,
    to_server: bool,
    at_ms: i64,
    seq: u32,
    ack: u32,
    flags: u16,
    len: u32,
) -> Segment {
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

pub const S: u16 = Flags::SYN;
pub const A: u16 = Flags::ACK;
pub const SA: u16 = Flags::SYN | Flags::ACK;
pub const PA: u16 = Flags::PSH | Flags::ACK;
pub const FA: u16 = Flags::FIN | Flags::ACK;
pub const RA: u16 = Flags::RST | Flags::ACK;

/// A whole connection from `port` starting at `t` ms: handshake, 100 bytes
/// each way, FIN/FIN close.
pub fn closed(port: u16, t: i64, isn: u32) -> Vec<Segment> {
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

/// The reports of `segs` (frames numbered from 1), everything in memory.
pub fn reports_of(segs: &[Segment]) -> Vec<SegmentReport> {
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
