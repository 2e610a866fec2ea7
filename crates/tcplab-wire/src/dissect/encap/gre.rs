//! GRE (RFC 2784/2890, and RFC 1701's routing; version 1 is PPTP's) and
//! ERSPAN types I, II and III inside it.
//!
//! The hop names the key (when present) and the outer addresses. ERSPAN
//! (protocol 0x88be) is type I when GRE carries no sequence number (no
//! ERSPAN header: the mirrored Ethernet frame follows), type II otherwise
//! (an 8-byte header); protocol 0x22eb is type III (12 bytes, and 8 more
//! when the platform-specific subheader is flagged).

use super::{after, be16, be32, Descent, Encap, Hop, Layer};
use crate::dissect::Skip;

const CHECKSUM: u16 = 0x8000;
const ROUTING: u16 = 0x4000;
const KEY: u16 = 0x2000;
const SEQUENCE: u16 = 0x1000;
/// GRE version 1 (PPTP): an acknowledgment number follows.
const ACK: u16 = 0x0080;
const ERSPAN_1_2: u16 = 0x88be;
const ERSPAN_3: u16 = 0x22eb;

pub(super) fn packet<'a>(data: &'a [u8], d: &mut Descent<'_>) -> Result<Layer<'a>, Skip> {
    d.enter(Encap::Gre);
    let flags = be16(data, 0)?;
    let proto = be16(data, 2)?;
    let mut at = 4;
    if flags & (CHECKSUM | ROUTING) != 0 {
        at += 4;
    }
    let key = if flags & KEY != 0 {
        at += 4;
        Some(be32(data, at - 4)?)
    } else {
        None
    };
    if flags & SEQUENCE != 0 {
        at += 4;
    }
    if flags & 0x7 == 1 && flags & ACK != 0 {
        at += 4;
    }
    if flags & ROUTING != 0 {
        at = skip_routing(data, at)?;
    }
    d.hop(Hop::Gre {
        key,
        outer: d.outer()?,
    })?;
    let payload = after(data, at)?;
    match proto {
        ERSPAN_1_2 if flags & SEQUENCE == 0 => erspan(payload, 1, 0, d),
        ERSPAN_1_2 => {
            let session = be16(payload, 2)? & 0x03ff;
            erspan(after(payload, 8)?, 2, session, d)
        }
        ERSPAN_3 => erspan_3(payload, d),
        _ => Ok(Layer::EtherType {
            ether_type: proto,
            data: payload,
            by: Some(Encap::Gre),
        }),
    }
}

/// RFC 1701 source route entries, up to the empty one that ends them.
fn skip_routing(data: &[u8], mut at: usize) -> Result<usize, Skip> {
    loop {
        let sre_len = usize::from(*data.get(at + 3).ok_or(Skip::HeadersTruncated)?);
        at += 4 + sre_len;
        if sre_len == 0 {
            return Ok(at);
        }
    }
}

fn erspan<'a>(
    frame: &'a [u8],
    version: u8,
    session: u16,
    d: &mut Descent<'_>,
) -> Result<Layer<'a>, Skip> {
    d.enter(Encap::Erspan);
    d.hop(Hop::Erspan { version, session })?;
    Ok(Layer::Ethernet(frame))
}

/// Type III: frame type 0 is Ethernet (the only one switches mirror).
fn erspan_3<'a>(data: &'a [u8], d: &mut Descent<'_>) -> Result<Layer<'a>, Skip> {
    let session = be16(data, 2)? & 0x03ff;
    let word2 = be32(data, 8)?;
    let frame_type = (word2 >> 10) & 0x1f;
    let len = if word2 & 1 != 0 { 20 } else { 12 };
    if frame_type != 0 {
        d.enter(Encap::Erspan);
        return Err(Skip::UnknownProtocol {
            layer: Encap::Erspan,
            proto: frame_type,
        });
    }
    erspan(after(data, len)?, 3, session, d)
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::{DecodeOptions, Outer};
    use super::*;
    use std::net::IpAddr;

    fn outer() -> Outer {
        Outer {
            src: IpAddr::from([192, 0, 2, 1]),
            dst: IpAddr::from([192, 0, 2, 2]),
        }
    }

    fn run(data: &[u8]) -> (Result<Layer<'_>, Skip>, Vec<Hop>) {
        let opts = DecodeOptions::default();
        let mut d = descent(&opts);
        d.outer = Some(outer());
        let next = packet(data, &mut d);
        (next, d.path.hops().copied().collect())
    }

    #[test]
    fn checksum_key_and_sequence_are_skipped_and_the_key_kept() {
        let ip = ipv4_tcp();
        let mut data = vec![0xb0, 0x00, 0x08, 0x00];
        data.extend_from_slice(&[0xaa, 0xbb, 0, 0]); // checksum, reserved
        data.extend_from_slice(&42u32.to_be_bytes()); // key
        data.extend_from_slice(&7u32.to_be_bytes()); // sequence
        data.extend_from_slice(&ip);
        let (next, hops) = run(&data);
        let Ok(Layer::EtherType {
            ether_type: 0x0800,
            data: inner,
            by: Some(Encap::Gre),
        }) = next
        else {
            panic!("IPv4 after GRE: {next:?}");
        };
        assert_eq!(inner, &ip[..]);
        assert_eq!(
            hops,
            [Hop::Gre {
                key: Some(42),
                outer: outer()
            }]
        );
    }

    #[test]
    fn erspan_types_one_two_and_three() {
        let frame = [0x5au8; 14];
        let type_1 = [&[0x00, 0x00, 0x88, 0xbe][..], &frame].concat();
        let (next, hops) = run(&type_1);
        assert!(matches!(next, Ok(Layer::Ethernet(f)) if f == frame));
        assert_eq!(
            hops[1],
            Hop::Erspan {
                version: 1,
                session: 0
            }
        );

        let mut type_2 = vec![0x10, 0x00, 0x88, 0xbe, 0, 0, 0, 9];
        type_2.extend_from_slice(&[0x10, 0x00, 0x00, 0x2a, 0, 0, 0, 0]);
        type_2.extend_from_slice(&frame);
        let (next, hops) = run(&type_2);
        assert!(matches!(next, Ok(Layer::Ethernet(f)) if f == frame));
        assert_eq!(
            hops[1],
            Hop::Erspan {
                version: 2,
                session: 42
            }
        );

        let mut type_3 = vec![0x10, 0x00, 0x22, 0xeb, 0, 0, 0, 9];
        type_3.extend_from_slice(&[0x20, 0x00, 0x00, 0x05, 1, 2, 3, 4, 0, 0, 0, 1]);
        type_3.extend_from_slice(&[0; 8]); // platform-specific subheader
        type_3.extend_from_slice(&frame);
        let (next, hops) = run(&type_3);
        assert!(matches!(next, Ok(Layer::Ethernet(f)) if f == frame));
        assert_eq!(
            hops[1],
            Hop::Erspan {
                version: 3,
                session: 5
            }
        );
    }

    #[test]
    fn cut_off_and_deep_headers() {
        assert_eq!(
            run(&[0x20, 0, 8, 0, 0]).0.err(),
            Some(Skip::HeadersTruncated)
        );
        let routing = [
            0x40, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4, 0, 0, 0, 0,
        ];
        let (next, _) = run(&routing);
        assert!(matches!(next, Ok(Layer::EtherType { data: [], .. })));
    }
}
