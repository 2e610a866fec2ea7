//! PPP (RFC 1661) with or without its HDLC-like framing (RFC 1662), PPPoE
//! sessions (RFC 2516) and Cisco HDLC.

use super::{after, be16, Descent, Encap, Hop, Layer};
use crate::dissect::Skip;

const IPV4: u16 = 0x0021;
const IPV6: u16 = 0x0057;
const MPLS_UNICAST: u16 = 0x0281;
const MPLS_MULTICAST: u16 = 0x0283;

/// A PPP link (LINKTYPE_PPP 9, PPP_HDLC 50): the address and control
/// bytes `ff 03` may come first.
pub(super) fn link(data: &[u8]) -> Result<Layer<'_>, Skip> {
    Ok(Layer::Ppp(match data {
        [0xff, 0x03, ..] => after(data, 2)?,
        _ => data,
    }))
}

/// A PPP frame from its protocol field (one byte when compressed: odd).
pub(super) fn protocol<'a>(data: &'a [u8], d: &mut Descent<'_>) -> Result<Layer<'a>, Skip> {
    d.enter(Encap::Ppp);
    let (proto, at) = match data.first() {
        Some(&b) if b & 1 == 1 => (u16::from(b), 1),
        Some(_) => (be16(data, 0)?, 2),
        None => return Err(Skip::HeadersTruncated),
    };
    let payload = after(data, at)?;
    match proto {
        IPV4 | IPV6 => Ok(Layer::Ip(payload)),
        MPLS_UNICAST | MPLS_MULTICAST => Ok(Layer::Mpls(payload)),
        // LCP, IPCP, authentication…: the link's own traffic.
        p if p >= 0x8000 => Err(Skip::NotIp),
        p => Err(Skip::UnknownProtocol {
            layer: Encap::Ppp,
            proto: u32::from(p),
        }),
    }
}

/// A PPPoE session frame: version/type 0x11, code 0, session id, length.
pub(super) fn pppoe_session<'a>(data: &'a [u8], d: &mut Descent<'_>) -> Result<Layer<'a>, Skip> {
    d.enter(Encap::Pppoe);
    if be16(data, 0)? != 0x1100 {
        return Err(Skip::Unsupported {
            layer: Encap::Pppoe,
            what: "version or code other than 1/0",
        });
    }
    d.hop(Hop::Pppoe(be16(data, 2)?))?;
    Ok(Layer::Ppp(after(data, 6)?))
}

/// Cisco HDLC (LINKTYPE_C_HDLC 104): address, control, then an ethertype.
pub(super) fn cisco_hdlc(data: &[u8]) -> Result<Layer<'_>, Skip> {
    Ok(Layer::EtherType {
        ether_type: be16(data, 2)?,
        data: after(data, 4)?,
        by: Some(Encap::Hdlc),
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::DecodeOptions;
    use super::*;

    #[test]
    fn pppoe_then_ppp_then_ip() {
        let ip = ipv4_tcp();
        let mut data = vec![0x11, 0x00, 0x12, 0x34, 0, 0];
        data.extend_from_slice(&[0x00, 0x21]);
        data.extend_from_slice(&ip);
        let opts = DecodeOptions::default();
        let mut d = descent(&opts);
        let Layer::Ppp(ppp) = pppoe_session(&data, &mut d).expect("PPP") else {
            panic!("PPP after PPPoE");
        };
        assert!(is_ip(&protocol(ppp, &mut d).expect("IP"), &ip));
        assert_eq!(d.path.hops().next(), Some(&Hop::Pppoe(0x1234)));
    }

    #[test]
    fn hdlc_framing_and_compressed_protocol_fields() {
        let ip = ipv4_tcp();
        let mut framed = vec![0xff, 0x03, 0x00, 0x21];
        framed.extend_from_slice(&ip);
        let Layer::Ppp(ppp) = link(&framed).expect("PPP") else {
            panic!("PPP");
        };
        let opts = DecodeOptions::default();
        assert!(is_ip(&protocol(ppp, &mut descent(&opts)).expect("IP"), &ip));
        let mut compressed = vec![0x21];
        compressed.extend_from_slice(&ip);
        let next = protocol(&compressed, &mut descent(&opts)).expect("IP");
        assert!(is_ip(&next, &ip));
    }

    #[test]
    fn control_protocols_are_not_ip_and_others_are_named() {
        let opts = DecodeOptions::default();
        let lcp = protocol(&[0xc0, 0x21, 1, 1, 0, 4], &mut descent(&opts));
        assert_eq!(lcp.err(), Some(Skip::NotIp));
        let other = protocol(&[0x00, 0x3d, 0, 0], &mut descent(&opts));
        assert_eq!(
            other.err(),
            Some(Skip::UnknownProtocol {
                layer: Encap::Ppp,
                proto: 0x3d
            })
        );
    }
}
