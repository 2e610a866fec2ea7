//! An IPv4 or IPv6 header: either the packet carries a tunnel (IP-in-IP
//! and IPv6-in-IPv4/IPv4-in-IPv6, GRE, VXLAN or Geneve in UDP), whose
//! inner layer the descent follows, or it is the innermost packet,
//! handed back sliced by etherparse for its TCP segment.
//!
//! A fragment never opens a tunnel (its payload is only a piece); it goes
//! back as it is, for the caller's defragmenter (`dissect::defrag`).

use super::{gre, udp, Descent, Encap, Hop, Layer, Outer};
use crate::dissect::Skip;
use etherparse::err::ip::LaxHeaderSliceError;
use etherparse::{ip_number, LaxNetSlice, LaxSlicedPacket, TransportSlice};
use std::net::IpAddr;

// The sliced packet is moved once, to `dissect`; boxing it would allocate
// for every packet.
#[allow(clippy::large_enum_variant)]
pub(super) enum Next<'a> {
    Tunnel(Layer<'a>),
    Transport(LaxSlicedPacket<'a>),
    /// An IPv4 or IPv6 fragment, from its IP header on.
    Fragment(&'a [u8]),
}

pub(super) fn packet<'a>(data: &'a [u8], d: &mut Descent<'_>) -> Result<Next<'a>, Skip> {
    let packet = LaxSlicedPacket::from_ip(data).map_err(|e| match e {
        LaxHeaderSliceError::Len(_) => Skip::HeadersTruncated,
        LaxHeaderSliceError::Content(_) => Skip::Malformed,
    })?;
    let (outer, payload) = match &packet.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            let h = ip.header();
            let (src, dst) = (h.source_addr(), h.destination_addr());
            (Outer::new(src.into(), dst.into()), ip.payload())
        }
        Some(LaxNetSlice::Ipv6(ip)) => {
            let h = ip.header();
            let (src, dst) = (h.source_addr(), h.destination_addr());
            (Outer::new(src.into(), dst.into()), ip.payload())
        }
        _ => return Ok(Next::Transport(packet)),
    };
    if payload.fragmented {
        return Ok(Next::Fragment(data));
    }
    let inner = payload.payload;
    match payload.ip_number {
        ip_number::IPV4 | ip_number::IPV6 => {
            d.enter(Encap::IpInIp);
            d.hop(Hop::IpInIp(outer))?;
            Ok(Next::Tunnel(Layer::Ip(inner)))
        }
        ip_number::GRE => {
            d.outer = Some(outer);
            Ok(Next::Tunnel(gre::packet(inner, d)?))
        }
        ip_number::UDP => {
            let Some(TransportSlice::Udp(datagram)) = &packet.transport else {
                return Ok(Next::Transport(packet));
            };
            let ports = [datagram.destination_port(), datagram.source_port()];
            match ports.iter().find_map(|&p| d.opts.udp_tunnel(p)) {
                Some(tunnel) => {
                    d.outer = Some(outer);
                    Ok(Next::Tunnel(udp::payload(tunnel, datagram.payload(), d)?))
                }
                None => Ok(Next::Transport(packet)),
            }
        }
        _ => Ok(Next::Transport(packet)),
    }
}

impl Outer {
    fn new(src: IpAddr, dst: IpAddr) -> Outer {
        Outer { src, dst }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::{DecodeOptions, UdpTunnel};
    use super::*;
    use etherparse::PacketBuilder;

    fn wrap(proto: u8, inner: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let header = etherparse::Ipv4Header::new(
            inner.len() as u16,
            64,
            etherparse::IpNumber(proto),
            [192, 0, 2, 1],
            [192, 0, 2, 2],
        )
        .expect("a small payload");
        header.write(&mut out).expect("vec write");
        out.extend_from_slice(inner);
        out
    }

    #[test]
    fn ip_in_ip_is_a_tunnel_and_tcp_the_end() {
        let inner = ipv4_tcp();
        let outer = wrap(4, &inner);
        let opts = DecodeOptions::default();
        let mut d = descent(&opts);
        let Ok(Next::Tunnel(layer)) = packet(&outer, &mut d) else {
            panic!("a tunnel");
        };
        assert!(is_ip(&layer, &inner));
        assert_eq!(d.inside, Some(Encap::IpInIp));
        assert!(matches!(packet(&inner, &mut d), Ok(Next::Transport(_))));
    }

    #[test]
    fn udp_ports_decoded_as_the_user_says() {
        let mut datagram = Vec::new();
        PacketBuilder::ipv4([192, 0, 2, 1], [192, 0, 2, 2], 64)
            .udp(50000, 8472)
            .write(&mut datagram, &[0x08, 0, 0, 0, 0, 0, 1, 0, 1, 2])
            .expect("vec write");
        let standard = DecodeOptions::default();
        assert!(matches!(
            packet(&datagram, &mut descent(&standard)),
            Ok(Next::Transport(_))
        ));
        let mut linux = DecodeOptions::default();
        linux.decode_udp_as(8472, UdpTunnel::Vxlan);
        let mut d = descent(&linux);
        assert!(matches!(
            packet(&datagram, &mut d),
            Ok(Next::Tunnel(Layer::Ethernet([1, 2])))
        ));
        assert!(matches!(
            d.path.hops().next(),
            Some(Hop::Vxlan { vni: 1, .. })
        ));
    }

    #[test]
    fn a_fragment_opens_no_tunnel() {
        let mut outer = wrap(47, &[0, 0, 8, 0, 1, 2, 3, 4]);
        outer[6] = 0x20; // more fragments
        outer[10..12].copy_from_slice(&[0, 0]);
        let opts = DecodeOptions::default();
        assert!(matches!(
            packet(&outer, &mut descent(&opts)),
            Ok(Next::Fragment(bytes)) if bytes == outer.as_slice()
        ));
    }
}
