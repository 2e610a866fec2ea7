//! The first layer of each link type: where the record's bytes start,
//! for the link types that carry IP (Ethernet, SLL/SLL2, NULL/LOOP, raw
//! IP, PPP, Cisco HDLC, Juniper Ethernet, IPoIB, ARCNET, 802.11 with or
//! without radiotap).

use super::{after, be16, ppp, wlan, Descent, Encap, Layer};
use crate::capture::LinkType;
use crate::dissect::Skip;

const SLL_LEN: usize = 16;
const SLL2_LEN: usize = 20;

pub(super) fn first_layer<'a>(
    link: LinkType,
    data: &'a [u8],
    d: &mut Descent<'_>,
) -> Result<Layer<'a>, Skip> {
    match link {
        LinkType::Ethernet => Ok(Layer::Ethernet(data)),
        LinkType::Raw | LinkType::Ipv4 | LinkType::Ipv6 => Ok(Layer::Ip(data)),
        LinkType::LinuxSll => ether_type_at(data, 14, SLL_LEN),
        LinkType::LinuxSll2 => ether_type_at(data, 0, SLL2_LEN),
        LinkType::Null | LinkType::Loop => bsd_loopback(data),
        LinkType::Ppp | LinkType::PppHdlc => ppp::link(data),
        LinkType::CiscoHdlc => ppp::cisco_hdlc(data),
        LinkType::JuniperEther => juniper_ether(data, d),
        LinkType::Ipoib => ipoib(data, d),
        LinkType::ArcnetBsd => arcnet(data, 2, d),
        LinkType::ArcnetLinux => arcnet(data, 4, d),
        LinkType::Ieee80211 => wlan::frame(data, d),
        LinkType::Radiotap => wlan::radiotap(data, d),
        LinkType::Other(n) => Err(Skip::UnsupportedLink(n)),
    }
}

fn ether_type_at(data: &[u8], field: usize, header: usize) -> Result<Layer<'_>, Skip> {
    Ok(Layer::EtherType {
        ether_type: be16(data, field)?,
        data: after(data, header)?,
        by: None,
    })
}

/// BSD NULL/LOOP: a 4-byte address family, in the writer's byte order
/// for NULL (both are accepted): 2 is IPv4; 24, 28 and 30 are IPv6 on
/// NetBSD/OpenBSD, FreeBSD and macOS.
fn bsd_loopback(data: &[u8]) -> Result<Layer<'_>, Skip> {
    let family: [u8; 4] = data
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .ok_or(Skip::HeadersTruncated)?;
    let is_ip = [u32::from_le_bytes(family), u32::from_be_bytes(family)]
        .iter()
        .any(|f| matches!(f, 2 | 24 | 28 | 30));
    if !is_ip {
        return Err(Skip::NotIp);
    }
    Ok(Layer::Ip(&data[4..]))
}

const JUNIPER_MAGIC: [u8; 3] = *b"MGC";
const JUNIPER_NO_L2: u8 = 0x02;
const JUNIPER_EXTENSIONS: u8 = 0x80;

/// Juniper's header (LINKTYPE_JUNIPER_ETHER 178): "MGC", flags, then
/// extension TLVs when flagged (their total length first). Then the
/// Ethernet frame, or, when the router stripped it (flag "no L2"), a
/// protocol family in little-endian (2 IPv4, 6 IPv6) and the IP packet.
fn juniper_ether<'a>(data: &'a [u8], d: &mut Descent<'_>) -> Result<Layer<'a>, Skip> {
    d.enter(Encap::Juniper);
    if data.get(..3).ok_or(Skip::HeadersTruncated)? != JUNIPER_MAGIC {
        return Err(Skip::Unsupported {
            layer: Encap::Juniper,
            what: "header without the MGC magic",
        });
    }
    let flags = *data.get(3).ok_or(Skip::HeadersTruncated)?;
    let mut at = 4;
    if flags & JUNIPER_EXTENSIONS != 0 {
        at += 2 + usize::from(be16(data, 4)?);
    }
    if flags & JUNIPER_NO_L2 == 0 {
        return Ok(Layer::Ethernet(after(data, at)?));
    }
    let family = data.get(at..at + 4).ok_or(Skip::HeadersTruncated)?;
    match u32::from_le_bytes([family[0], family[1], family[2], family[3]]) {
        2 | 6 => Ok(Layer::Ip(after(data, at + 4)?)),
        other => Err(Skip::UnknownProtocol {
            layer: Encap::Juniper,
            proto: other,
        }),
    }
}

/// LINKTYPE_IPOIB (242): a 40-byte pseudo global routing header, then
/// RFC 4391's 4-byte header (ethertype, reserved).
fn ipoib<'a>(data: &'a [u8], d: &mut Descent<'_>) -> Result<Layer<'a>, Skip> {
    d.enter(Encap::Ipoib);
    ether_type_at(data, 40, 44)
}

const ARCNET_IP_1051: u8 = 240;
const ARCNET_ARP_1051: u8 = 241;
const ARCNET_IP_1201: u8 = 212;
const ARCNET_IPV6: u8 = 196;

/// ARCNET (BSD 7: source and destination ids; Linux 129: and an offset),
/// then a protocol id. RFC 1051 (240) puts IP right after it; RFC 1201
/// (212, and 196 for IPv6) a split flag and a sequence number first
/// (exception packets, split flag 0xff, four bytes more). Split packets
/// (fragments of one IP packet) are not reassembled.
fn arcnet<'a>(data: &'a [u8], id_at: usize, d: &mut Descent<'_>) -> Result<Layer<'a>, Skip> {
    d.enter(Encap::Arcnet);
    let id = *data.get(id_at).ok_or(Skip::HeadersTruncated)?;
    if id == ARCNET_IP_1051 {
        return Ok(Layer::Ip(after(data, id_at + 1)?));
    }
    if id == ARCNET_ARP_1051 || !matches!(id, ARCNET_IP_1201 | ARCNET_IPV6) {
        return Err(Skip::NotIp);
    }
    let mut at = id_at + 1;
    let mut split = *data.get(at).ok_or(Skip::HeadersTruncated)?;
    if split == 0xff {
        at += 4;
        split = *data.get(at).ok_or(Skip::HeadersTruncated)?;
    }
    if split != 0 {
        return Err(Skip::Unsupported {
            layer: Encap::Arcnet,
            what: "split packet (fragment)",
        });
    }
    Ok(Layer::Ip(after(data, at + 3)?))
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::DecodeOptions;
    use super::*;

    fn first(link: LinkType, data: &[u8]) -> Result<Layer<'_>, Skip> {
        let opts = DecodeOptions::default();
        first_layer(link, data, &mut descent(&opts))
    }

    #[test]
    fn arcnet_rfc_1051_and_1201_on_bsd_and_linux() {
        let ip = ipv4_tcp();
        let bsd_1051 = [&[1, 2, 240][..], &ip].concat();
        let bsd_1201 = [&[1, 2, 212, 0, 0, 5][..], &ip].concat();
        let linux_1201 = [&[1, 2, 0, 0, 212, 0, 0, 5][..], &ip].concat();
        let exception = [&[1, 2, 212, 0xff, 0xff, 0xff, 212, 0, 0, 5][..], &ip].concat();
        for (link, data) in [
            (LinkType::ArcnetBsd, &bsd_1051),
            (LinkType::ArcnetBsd, &bsd_1201),
            (LinkType::ArcnetLinux, &linux_1201),
            (LinkType::ArcnetBsd, &exception),
        ] {
            assert!(is_ip(&first(link, data).expect("IP"), &ip), "{link:?}");
        }
        let split = [&[1, 2, 212, 3, 0, 5][..], &ip].concat();
        assert!(matches!(
            first(LinkType::ArcnetBsd, &split),
            Err(Skip::Unsupported { .. })
        ));
        let arp = [1, 2, 241, 0, 1];
        assert_eq!(first(LinkType::ArcnetBsd, &arp).err(), Some(Skip::NotIp));
    }

    #[test]
    fn juniper_with_extensions_and_without_layer_2() {
        let frame = [3u8; 20];
        let with_ext = [&b"MGC\x81\x00\x03"[..], &[1, 1, 9], &frame].concat();
        assert!(
            matches!(first(LinkType::JuniperEther, &with_ext), Ok(Layer::Ethernet(f)) if f == frame)
        );
        let ip = ipv4_tcp();
        let no_l2 = [&b"MGC\x02"[..], &[2, 0, 0, 0], &ip].concat();
        assert!(is_ip(
            &first(LinkType::JuniperEther, &no_l2).expect("IP"),
            &ip
        ));
        assert!(matches!(
            first(LinkType::JuniperEther, b"XYZ\x00abcdef"),
            Err(Skip::Unsupported { .. })
        ));
    }

    #[test]
    fn ipoib_after_its_pseudo_header() {
        let ip = ipv4_tcp();
        let data = [&[0u8; 40][..], &[0x08, 0x00, 0, 0], &ip].concat();
        let Ok(Layer::EtherType {
            ether_type: 0x0800,
            data: inner,
            ..
        }) = first(LinkType::Ipoib, &data)
        else {
            panic!("IPv4 after the IPoIB header");
        };
        assert_eq!(inner, &ip[..]);
        assert_eq!(
            first(LinkType::Ipoib, &data[..43]).err(),
            Some(Skip::HeadersTruncated)
        );
    }
}
