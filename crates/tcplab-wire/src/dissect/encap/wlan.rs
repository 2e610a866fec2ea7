//! IEEE 802.11 data frames (LINKTYPE_IEEE802_11 105) and the radiotap
//! header in front of them (LINKTYPE_IEEE802_11_RADIOTAP 127).
//!
//! Data and QoS data frames with an LLC/SNAP header carry an ethertype;
//! management, control and null frames carry no packet; a protected frame
//! is counted as encrypted (its bytes are not guessed at); A-MSDUs are not
//! taken apart.

use super::{after, be16, Descent, Encap, Layer};
use crate::dissect::Skip;

const DATA: u8 = 2;
const TO_AND_FROM_DS: u8 = 0x03;
const PROTECTED: u8 = 0x40;
const ORDER: u8 = 0x80;
const QOS: u8 = 0x08;
const NULL: u8 = 0x04;
const A_MSDU: u8 = 0x80;
const SNAP: [u8; 3] = [0xaa, 0xaa, 0x03];

/// Radiotap: version 0, a pad byte, the header's length (little-endian).
pub(super) fn radiotap<'a>(data: &'a [u8], d: &mut Descent<'_>) -> Result<Layer<'a>, Skip> {
    d.enter(Encap::Radiotap);
    let len = data.get(2..4).ok_or(Skip::HeadersTruncated)?;
    let len = usize::from(u16::from_le_bytes([len[0], len[1]]));
    if data[0] != 0 || len < 8 {
        return Err(Skip::Unsupported {
            layer: Encap::Radiotap,
            what: "header version or length",
        });
    }
    frame(after(data, len)?, d)
}

/// An 802.11 frame from its frame control field.
pub(super) fn frame<'a>(data: &'a [u8], d: &mut Descent<'_>) -> Result<Layer<'a>, Skip> {
    d.enter(Encap::Wlan);
    let (fc, flags) = match data {
        [fc, flags, ..] => (*fc, *flags),
        _ => return Err(Skip::HeadersTruncated),
    };
    let (kind, subtype) = ((fc >> 2) & 0x3, fc >> 4);
    if fc & 0x3 != 0 {
        return Err(Skip::Unsupported {
            layer: Encap::Wlan,
            what: "protocol version other than 0",
        });
    }
    if kind != DATA || subtype & NULL != 0 {
        return Err(Skip::NoPacket(Encap::Wlan));
    }
    let mut header = 24;
    if flags & TO_AND_FROM_DS == TO_AND_FROM_DS {
        header += 6;
    }
    if subtype & QOS != 0 {
        let qos = *data.get(header).ok_or(Skip::HeadersTruncated)?;
        header += 2;
        if flags & ORDER != 0 {
            header += 4;
        }
        if qos & A_MSDU != 0 {
            return Err(Skip::Unsupported {
                layer: Encap::Wlan,
                what: "A-MSDU",
            });
        }
    }
    if flags & PROTECTED != 0 {
        return Err(Skip::Encrypted(Encap::Wlan));
    }
    let llc = after(data, header)?;
    if llc.get(..3).ok_or(Skip::HeadersTruncated)? != SNAP {
        return Err(Skip::NotIp);
    }
    Ok(Layer::EtherType {
        ether_type: be16(llc, 6)?,
        data: after(llc, 8)?,
        by: None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_util::*;
    use super::super::DecodeOptions;
    use super::*;

    /// A data frame of `subtype` with `flags`, `extra` header bytes (QoS
    /// control, HT control, address 4) and an LLC/SNAP IPv4 payload.
    fn data_frame(subtype: u8, flags: u8, extra: &[u8], ip: &[u8]) -> Vec<u8> {
        let mut out = vec![subtype << 4 | DATA << 2, flags, 0, 0];
        out.extend_from_slice(&[0x11; 20]); // addresses 1-3, sequence control
        out.extend_from_slice(extra);
        out.extend_from_slice(&[0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00]);
        out.extend_from_slice(ip);
        out
    }

    fn run(data: &[u8]) -> Result<Layer<'_>, Skip> {
        let opts = DecodeOptions::default();
        frame(data, &mut descent(&opts))
    }

    #[test]
    fn data_and_qos_data_frames_carry_ip() {
        let ip = ipv4_tcp();
        for data in [
            data_frame(0, 0x01, &[], &ip),
            data_frame(8, 0x02, &[0, 0], &ip),
            data_frame(8, 0x83, &[0; 6 + 2 + 4], &ip),
        ] {
            let Ok(Layer::EtherType {
                ether_type: 0x0800,
                data: inner,
                ..
            }) = run(&data)
            else {
                panic!("IPv4 in {data:02x?}");
            };
            assert_eq!(inner, &ip[..]);
        }
    }

    #[test]
    fn encrypted_null_management_and_a_msdu_frames() {
        let ip = ipv4_tcp();
        let protected = data_frame(8, 0x41, &[0, 0], &ip);
        assert_eq!(run(&protected).err(), Some(Skip::Encrypted(Encap::Wlan)));
        let null = data_frame(12, 0x01, &[0, 0], &[]);
        assert_eq!(run(&null).err(), Some(Skip::NoPacket(Encap::Wlan)));
        let beacon = [0x80, 0, 0, 0, 0xff, 0xff];
        assert_eq!(run(&beacon).err(), Some(Skip::NoPacket(Encap::Wlan)));
        let amsdu = data_frame(8, 0x01, &[0x80, 0], &ip);
        assert!(matches!(run(&amsdu), Err(Skip::Unsupported { .. })));
    }

    #[test]
    fn radiotap_is_skipped_by_its_length() {
        let ip = ipv4_tcp();
        let mut data = vec![0, 0, 12, 0, 0x02, 0, 0, 0, 0x10, 0, 0, 0];
        data.extend_from_slice(&data_frame(0, 0x02, &[], &ip));
        let opts = DecodeOptions::default();
        let next = radiotap(&data, &mut descent(&opts)).expect("IPv4");
        assert!(matches!(
            next,
            Layer::EtherType {
                ether_type: 0x0800,
                ..
            }
        ));
        assert_eq!(
            radiotap(&data[..3], &mut descent(&opts)).err(),
            Some(Skip::HeadersTruncated)
        );
    }
}
