//! Ethernet II frames, 802.1Q/802.1ad VLAN tags, and the ethertype table
//! every layer that names its payload by ethertype goes through (Ethernet,
//! SLL, GRE, Geneve, SNAP, Cisco HDLC).

use super::{after, be16, Descent, Encap, Hop, Layer};
use crate::dissect::Skip;

pub const IPV4: u16 = 0x0800;
pub const IPV6: u16 = 0x86dd;
const VLAN_TAGS: [u16; 3] = [0x8100, 0x88a8, 0x9100];
const MPLS_UNICAST: u16 = 0x8847;
const MPLS_MULTICAST: u16 = 0x8848;
const PPPOE_SESSION: u16 = 0x8864;
/// Transparent Ethernet bridging: an Ethernet frame (GRE, Geneve).
pub const ETHERNET: u16 = 0x6558;
/// PPP inside GRE version 1 (PPTP).
const PPP: u16 = 0x880b;

/// An Ethernet II frame: its ethertype and payload.
pub(super) fn frame(data: &[u8]) -> Result<Layer<'_>, Skip> {
    Ok(Layer::EtherType {
        ether_type: be16(data, 12)?,
        data: after(data, 14)?,
        by: None,
    })
}

/// The layer an ethertype names. An unknown one is "not IP" on a plain
/// link, and "GRE with unknown protocol 0x…" when a tunnel named it.
pub(super) fn ether_type<'a>(
    ether_type: u16,
    data: &'a [u8],
    by: Option<Encap>,
    d: &mut Descent<'_>,
) -> Result<Layer<'a>, Skip> {
    Ok(match ether_type {
        IPV4 | IPV6 => Layer::Ip(data),
        t if VLAN_TAGS.contains(&t) => {
            d.hop(Hop::Vlan(be16(data, 0)? & 0x0fff))?;
            Layer::EtherType {
                ether_type: be16(data, 2)?,
                data: after(data, 4)?,
                by,
            }
        }
        MPLS_UNICAST | MPLS_MULTICAST => Layer::Mpls(data),
        PPPOE_SESSION => super::ppp::pppoe_session(data, d)?,
        ETHERNET => Layer::Ethernet(data),
        PPP => Layer::Ppp(data),
        other => {
            return Err(match by {
                Some(layer) => Skip::UnknownProtocol {
                    layer,
                    proto: u32::from(other),
                },
                None => Skip::NotIp,
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::DecodeOptions;
    use super::*;

    #[test]
    fn vlan_tags_are_hops_and_ip_follows() {
        let ip = ipv4_tcp();
        let mut tagged = vec![0x00, 0x64, 0x81, 0x00, 0x22, 0x00, 0x08, 0x00];
        tagged.extend_from_slice(&ip);
        let opts = DecodeOptions::default();
        let mut d = descent(&opts);
        let next = ether_type(0x88a8, &tagged, None, &mut d).expect("a tag");
        let Layer::EtherType {
            ether_type: t,
            data,
            by,
        } = next
        else {
            panic!("an ethertype after the tag: {next:?}");
        };
        assert_eq!((t, by), (0x8100, None));
        let next = super::ether_type(t, data, by, &mut d).expect("a second tag");
        let Layer::EtherType {
            ether_type: t,
            data,
            ..
        } = next
        else {
            panic!("IPv4 after the tags");
        };
        assert!(is_ip(&ether_type(t, data, None, &mut d).expect("IP"), &ip));
        let hops: Vec<_> = d.path.hops().copied().collect();
        assert_eq!(hops, [Hop::Vlan(100), Hop::Vlan(0x200)]);
    }

    #[test]
    fn unknown_types_are_not_ip_on_a_link_and_named_in_a_tunnel() {
        let opts = DecodeOptions::default();
        let mut d = descent(&opts);
        assert_eq!(
            ether_type(0x0806, &[0; 28], None, &mut d).err(),
            Some(Skip::NotIp)
        );
        assert_eq!(
            ether_type(0x1234, &[0; 28], Some(Encap::Gre), &mut d).err(),
            Some(Skip::UnknownProtocol {
                layer: Encap::Gre,
                proto: 0x1234
            })
        );
        assert_eq!(frame(&[0; 13]).err(), Some(Skip::HeadersTruncated));
    }
}
