//! MPLS label stacks (RFC 3032): every label is a hop; after the bottom
//! of the stack, the first nibble says what follows, as Wireshark 4.0
//! guesses it: 4 is IPv4, 6 is IPv6, 0 an Ethernet pseudowire (RFC 4448):
//! without a control word when the bytes look like an Ethernet header
//! (an IP, ARP, VLAN or MPLS ethertype at byte 12), else after a control
//! word (RFC 4385). Any other nibble is a payload neither reads.

use super::{after, be32, Descent, Encap, Hop, Layer};
use crate::dissect::Skip;

const BOTTOM_OF_STACK: u32 = 0x100;

pub(super) fn stack<'a>(data: &'a [u8], d: &mut Descent<'_>) -> Result<Layer<'a>, Skip> {
    d.enter(Encap::Mpls);
    let mut at = 0;
    loop {
        let entry = be32(data, at)?;
        d.hop(Hop::Mpls(entry >> 12))?;
        at += 4;
        if entry & BOTTOM_OF_STACK != 0 {
            break;
        }
    }
    let payload = after(data, at)?;
    match payload.first().map(|b| b >> 4) {
        Some(4) | Some(6) => Ok(Layer::Ip(payload)),
        Some(0) if looks_like_ethernet(payload) => Ok(Layer::Ethernet(payload)),
        Some(0) => Ok(Layer::Ethernet(after(payload, 4)?)),
        Some(_) => Err(Skip::Unsupported {
            layer: Encap::Mpls,
            what: "payload other than IP or an Ethernet pseudowire",
        }),
        None => Err(Skip::HeadersTruncated),
    }
}

/// An Ethernet header right after the label stack (no control word):
/// a common ethertype at byte 12.
fn looks_like_ethernet(payload: &[u8]) -> bool {
    matches!(
        payload.get(12..14),
        Some(
            [0x08, 0x00] | [0x86, 0xdd] | [0x08, 0x06] | [0x81, 0x00] | [0x88, 0xa8] | [0x88, 0x47]
        )
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::DecodeOptions;
    use super::*;

    fn label(value: u32, bottom: bool) -> [u8; 4] {
        (value << 12 | u32::from(bottom) << 8 | 64).to_be_bytes()
    }

    #[test]
    fn a_stack_of_two_labels_then_ip() {
        let ip = ipv4_tcp();
        let mut data = Vec::new();
        data.extend_from_slice(&label(16, false));
        data.extend_from_slice(&label(1_048_575, true));
        data.extend_from_slice(&ip);
        let opts = DecodeOptions::default();
        let mut d = descent(&opts);
        assert!(is_ip(&stack(&data, &mut d).expect("IP"), &ip));
        let hops: Vec<_> = d.path.hops().copied().collect();
        assert_eq!(hops, [Hop::Mpls(16), Hop::Mpls(1_048_575)]);
    }

    #[test]
    fn ethernet_pseudowires_with_and_without_a_control_word() {
        let mut frame = vec![
            0x00, 0x1b, 0x21, 0, 0, 2, 0x00, 0x1b, 0x21, 0, 0, 1, 0x08, 0x00,
        ];
        frame.extend_from_slice(&ipv4_tcp());
        let opts = DecodeOptions::default();
        let mut with_cw = label(100, true).to_vec();
        with_cw.extend_from_slice(&[0, 0, 0, 7]);
        with_cw.extend_from_slice(&frame);
        let next = stack(&with_cw, &mut descent(&opts)).expect("a pseudowire");
        assert!(matches!(next, Layer::Ethernet(f) if f == frame));
        let mut without = label(100, true).to_vec();
        without.extend_from_slice(&frame);
        let next = stack(&without, &mut descent(&opts)).expect("a pseudowire");
        assert!(matches!(next, Layer::Ethernet(f) if f == frame));
        let mut other = label(100, true).to_vec();
        other.extend_from_slice(&[0xa0; 20]);
        let next = stack(&other, &mut descent(&opts));
        assert!(matches!(next, Err(Skip::Unsupported { .. })));
    }

    #[test]
    fn a_stack_without_its_bottom_is_cut_off() {
        let opts = DecodeOptions::default();
        let data = [label(1, false), label(2, false)].concat();
        assert_eq!(
            stack(&data, &mut descent(&opts)).err(),
            Some(Skip::HeadersTruncated)
        );
        let deep: Vec<u8> = (0..20).flat_map(|l| label(l, false)).collect();
        assert_eq!(stack(&deep, &mut descent(&opts)).err(), Some(Skip::TooDeep));
    }
}
