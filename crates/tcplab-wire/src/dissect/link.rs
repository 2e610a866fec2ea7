//! Link-layer headers: finds where the network layer starts and hands the
//! rest to etherparse. Ethernet (with 802.1Q/802.1ad tags) is etherparse's
//! own; Linux cooked SLL/SLL2, BSD NULL/LOOP and raw IP are peeled here.

use super::Skip;
use crate::capture::LinkType;
use etherparse::{EtherType, LaxSlicedPacket};

const SLL_LEN: usize = 16;
const SLL2_LEN: usize = 20;

pub(super) fn slice(link: LinkType, data: &[u8]) -> Result<LaxSlicedPacket<'_>, Skip> {
    match link {
        LinkType::Ethernet => {
            LaxSlicedPacket::from_ethernet(data).map_err(|_| Skip::HeadersTruncated)
        }
        LinkType::Raw | LinkType::Ipv4 | LinkType::Ipv6 => from_ip(data),
        LinkType::LinuxSll => {
            let proto = be16(data, 14).ok_or(Skip::HeadersTruncated)?;
            Ok(LaxSlicedPacket::from_ether_type(
                EtherType(proto),
                &data[SLL_LEN..],
            ))
        }
        LinkType::LinuxSll2 => {
            let proto = be16(data, 0).ok_or(Skip::HeadersTruncated)?;
            if data.len() < SLL2_LEN {
                return Err(Skip::HeadersTruncated);
            }
            Ok(LaxSlicedPacket::from_ether_type(
                EtherType(proto),
                &data[SLL2_LEN..],
            ))
        }
        LinkType::Null | LinkType::Loop => {
            if data.len() < 4 {
                return Err(Skip::HeadersTruncated);
            }
            let family = [data[0], data[1], data[2], data[3]];
            // NULL stores the family in the writer's byte order: accept both.
            let is_ip = [u32::from_le_bytes(family), u32::from_be_bytes(family)]
                .iter()
                .any(|f| matches!(f, 2 | 24 | 28 | 30));
            if !is_ip {
                return Err(Skip::NotIp);
            }
            from_ip(&data[4..])
        }
        LinkType::Other(n) => Err(Skip::UnsupportedLink(n)),
    }
}

fn from_ip(data: &[u8]) -> Result<LaxSlicedPacket<'_>, Skip> {
    use etherparse::err::ip::LaxHeaderSliceError;
    LaxSlicedPacket::from_ip(data).map_err(|e| match e {
        LaxHeaderSliceError::Len(_) => Skip::HeadersTruncated,
        LaxHeaderSliceError::Content(_) => Skip::Malformed,
    })
}

fn be16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*data.get(at)?, *data.get(at + 1)?]))
}
