//! Property tests of the descent: no bytes make it panic or loop, under
//! any link type, and a path never holds more than `MAX_HOPS` hops.

use super::*;
use proptest::prelude::*;

const LINKS: [u32; 15] = [
    1, 0, 9, 50, 104, 105, 127, 7, 129, 178, 242, 113, 276, 101, 229,
];

/// Prefixes that steer random bytes into each encapsulation.
const PREFIXES: [&[u8]; 8] = [
    &[],
    &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x88, 0x47],
    &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x88, 0x64, 0x11, 0],
    &[
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00, 0x45, 0, 0, 80, 0, 0, 0, 0, 64, 47,
    ],
    &[
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00, 0x45, 0, 0, 80, 0, 0, 0, 0, 64, 4,
    ],
    &[
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00, 0x45, 0, 0, 80, 0, 0, 0, 0, 64, 17,
    ],
    &[0x88, 0x01, 0, 0],
    &[b'M', b'G', b'C', 0x80],
];

proptest! {
    #[test]
    fn any_bytes_under_any_link_type_are_a_segment_or_a_reason(
        link in 0..LINKS.len(),
        prefix in 0..PREFIXES.len(),
        body in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let data = [PREFIXES[prefix], &body].concat();
        let record = Record {
            frame: 1,
            offset: 24,
            ts: Timestamp(0),
            link: LinkType::from_number(LINKS[link]),
            orig_len: data.len() as u32,
            data: &data,
            ts_valid: true,
        };
        let mut opts = DecodeOptions::default();
        opts.decode_udp_as(0, UdpTunnel::Vxlan);
        match dissect_with(&record, &opts) {
            Ok(found) => {
                prop_assert!(found.path.hops().count() <= encap::MAX_HOPS);
                prop_assert!(found.segment.captured_len <= found.segment.len);
            }
            Err(rejected) => prop_assert!(!rejected.reason().is_empty()),
        }
    }
}

#[test]
fn ip_in_ip_nested_until_the_bytes_run_out_is_too_deep() {
    let mut packet = Vec::new();
    etherparse::PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
        .tcp(1, 2, 3, 4)
        .write(&mut packet, &[])
        .expect("vec write");
    for _ in 0..30 {
        let mut outer = Vec::new();
        etherparse::Ipv4Header::new(
            packet.len() as u16,
            64,
            etherparse::IpNumber(4),
            [192, 0, 2, 1],
            [192, 0, 2, 2],
        )
        .expect("small")
        .write(&mut outer)
        .expect("vec write");
        outer.extend_from_slice(&packet);
        packet = outer;
    }
    let record = Record {
        frame: 1,
        offset: 24,
        ts: Timestamp(0),
        link: LinkType::Raw,
        orig_len: packet.len() as u32,
        data: &packet,
        ts_valid: true,
    };
    let err = dissect(&record).expect_err("too deep");
    assert_eq!(err.skip, Skip::TooDeep);
    assert_eq!(err.reason(), "more than 8 nested encapsulations");
}
