//! VXLAN (RFC 7348) and Geneve (RFC 8926) inside UDP: on their IANA ports
//! (4789, 6081) and on the ports the user names (`DecodeOptions`). The hop
//! names the VNI and the outer addresses.

use super::{after, be16, be32, ethernet, Descent, Encap, Hop, Layer, UdpTunnel};
use crate::dissect::Skip;

pub(super) fn payload<'a>(
    tunnel: UdpTunnel,
    data: &'a [u8],
    d: &mut Descent<'_>,
) -> Result<Layer<'a>, Skip> {
    match tunnel {
        UdpTunnel::Vxlan => vxlan(data, d),
        UdpTunnel::Geneve => geneve(data, d),
    }
}

/// Flags (I: a VNI is present), 3 reserved bytes, VNI, 1 reserved byte,
/// then an Ethernet frame.
fn vxlan<'a>(data: &'a [u8], d: &mut Descent<'_>) -> Result<Layer<'a>, Skip> {
    d.enter(Encap::Vxlan);
    let vni = be32(data, 4)? >> 8;
    d.hop(Hop::Vxlan {
        vni,
        outer: d.outer()?,
    })?;
    Ok(Layer::Ethernet(after(data, 8)?))
}

/// Version and options length (in 4-byte words), flags, protocol type,
/// VNI; the options are skipped.
fn geneve<'a>(data: &'a [u8], d: &mut Descent<'_>) -> Result<Layer<'a>, Skip> {
    d.enter(Encap::Geneve);
    let first = *data.first().ok_or(Skip::HeadersTruncated)?;
    if first >> 6 != 0 {
        return Err(Skip::Unsupported {
            layer: Encap::Geneve,
            what: "version other than 0",
        });
    }
    let options = usize::from(first & 0x3f) * 4;
    let proto = be16(data, 2)?;
    let vni = be32(data, 4)? >> 8;
    d.hop(Hop::Geneve {
        vni,
        outer: d.outer()?,
    })?;
    let inner = after(data, 8 + options)?;
    Ok(match proto {
        ethernet::ETHERNET => Layer::Ethernet(inner),
        other => Layer::EtherType {
            ether_type: other,
            data: inner,
            by: Some(Encap::Geneve),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::{DecodeOptions, Outer};
    use super::*;
    use std::net::IpAddr;

    fn run(tunnel: UdpTunnel, data: &[u8]) -> (Result<Layer<'_>, Skip>, Vec<Hop>) {
        let opts = DecodeOptions::default();
        let mut d = descent(&opts);
        d.outer = Some(Outer {
            src: IpAddr::from([192, 0, 2, 1]),
            dst: IpAddr::from([192, 0, 2, 2]),
        });
        let next = payload(tunnel, data, &mut d);
        (next, d.path.hops().copied().collect())
    }

    #[test]
    fn vxlan_names_its_vni() {
        let frame = [7u8; 14];
        let data = [&[0x08, 0, 0, 0, 0x00, 0x13, 0x89, 0][..], &frame].concat();
        let (next, hops) = run(UdpTunnel::Vxlan, &data);
        assert!(matches!(next, Ok(Layer::Ethernet(f)) if f == frame));
        assert!(matches!(hops[..], [Hop::Vxlan { vni: 5001, .. }]));
        assert_eq!(
            run(UdpTunnel::Vxlan, &data[..7]).0.err(),
            Some(Skip::HeadersTruncated)
        );
    }

    #[test]
    fn geneve_skips_its_options() {
        let frame = [9u8; 14];
        let mut data = vec![0x02, 0x00, 0x65, 0x58, 0x00, 0x00, 0x0a, 0x00];
        data.extend_from_slice(&[0x01, 0x02, 0x80, 0x01, 0xde, 0xad, 0xbe, 0xef]);
        data.extend_from_slice(&frame);
        let (next, hops) = run(UdpTunnel::Geneve, &data);
        assert!(matches!(next, Ok(Layer::Ethernet(f)) if f == frame));
        assert!(matches!(hops[..], [Hop::Geneve { vni: 10, .. }]));
        let ip = ipv4_tcp();
        let mut bare = vec![0x00, 0x00, 0x08, 0x00, 0, 0, 1, 0];
        bare.extend_from_slice(&ip);
        let (next, _) = run(UdpTunnel::Geneve, &bare);
        assert!(matches!(
            next,
            Ok(Layer::EtherType {
                ether_type: 0x0800,
                ..
            })
        ));
        data[0] = 0x42;
        assert!(matches!(
            run(UdpTunnel::Geneve, &data).0,
            Err(Skip::Unsupported { .. })
        ));
    }
}
