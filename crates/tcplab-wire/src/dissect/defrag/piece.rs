//! One fragment read for reassembly: which datagram it belongs to (the
//! RFCs' key), where its bytes go, and — for the first fragment — the
//! header the whole datagram is rebuilt with.
//!
//! The fields come from etherparse's header slices; only the positions
//! (where the fragment header sits in an IPv6 chain, which byte names it)
//! are worked out here, because rebuilding needs them.

use super::Loss;
use etherparse::{Ipv4HeaderSlice, Ipv6ExtensionSlice, LaxIpv6Slice};
use std::net::IpAddr;

/// The datagram a fragment belongs to: RFC 791 (source, destination,
/// protocol, identification) and RFC 8200 §4.5 (source, destination,
/// identification; `proto` is 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub proto: u8,
    pub id: u32,
}

/// How the first fragment's header becomes the datagram's header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Version {
    V4,
    /// The byte that names the fragment header (6 in the fixed header, or
    /// byte 0 of the extension header before it), and the protocol after it.
    V6 {
        next_header_at: usize,
        next: u8,
    },
}

pub(super) struct Piece<'a> {
    pub key: Key,
    /// Where the payload goes in the datagram, in 8-byte units.
    pub offset: u16,
    pub more: bool,
    pub payload: &'a [u8],
    /// The header before the payload (IPv4 header; IPv6 header and the
    /// extension headers before the fragment header).
    pub head: &'a [u8],
    pub version: Version,
}

/// Reads the IPv4 or IPv6 packet `ip` (a fragment, as the descent found
/// it). A fragment the capture cut short cannot be reassembled.
pub(super) fn read(ip: &[u8]) -> Result<Piece<'_>, Loss> {
    match ip.first().map(|b| b >> 4) {
        Some(4) => ipv4(ip),
        Some(6) => ipv6(ip),
        _ => Err(Loss::Malformed),
    }
}

fn ipv4(ip: &[u8]) -> Result<Piece<'_>, Loss> {
    let h = Ipv4HeaderSlice::from_slice(ip).map_err(|_| Loss::Malformed)?;
    let head_len = h.slice().len();
    let end = usize::from(h.total_len());
    if end < head_len {
        return Err(Loss::Malformed);
    }
    let payload = ip.get(head_len..end).ok_or(Loss::CutOff)?;
    Ok(Piece {
        key: Key {
            src: h.source_addr().into(),
            dst: h.destination_addr().into(),
            proto: h.protocol().0,
            id: u32::from(h.identification()),
        },
        offset: h.fragments_offset().value(),
        more: h.more_fragments(),
        payload,
        head: h.slice(),
        version: Version::V4,
    })
}

fn ipv6(ip: &[u8]) -> Result<Piece<'_>, Loss> {
    let (slice, _) = LaxIpv6Slice::from_slice(ip).map_err(|_| Loss::Malformed)?;
    let h = slice.header();
    let end = 40 + usize::from(h.payload_length());
    let mut next_header_at = 6;
    for ext in slice.extensions().clone() {
        let at = |s: &[u8]| s.as_ptr() as usize - ip.as_ptr() as usize;
        match ext {
            Ipv6ExtensionSlice::Fragment(f) => {
                let start = at(f.slice()) + f.slice().len();
                let payload = ip.get(start..end).ok_or(if end < start {
                    Loss::Malformed
                } else {
                    Loss::CutOff
                })?;
                return Ok(Piece {
                    key: Key {
                        src: h.source_addr().into(),
                        dst: h.destination_addr().into(),
                        proto: 0,
                        id: f.identification(),
                    },
                    offset: f.fragment_offset().value(),
                    more: f.more_fragments(),
                    payload,
                    head: &ip[..at(f.slice())],
                    version: Version::V6 {
                        next_header_at,
                        next: f.next_header().0,
                    },
                });
            }
            Ipv6ExtensionSlice::HopByHop(s)
            | Ipv6ExtensionSlice::Routing(s)
            | Ipv6ExtensionSlice::DestinationOptions(s) => next_header_at = at(s.slice()),
            Ipv6ExtensionSlice::Authentication(s) => next_header_at = at(s.slice()),
        }
    }
    // The descent saw a fragment header; a chain that hides it is damaged.
    Err(Loss::Malformed)
}

/// The whole datagram: the first fragment's header, marked as not a
/// fragment, with the lengths of the reassembled payload.
pub(super) fn rebuild(head: &[u8], version: Version, payload: &[u8]) -> Result<Vec<u8>, Loss> {
    let mut out = Vec::with_capacity(head.len() + payload.len());
    out.extend_from_slice(head);
    match version {
        Version::V4 => {
            let total = u16::try_from(head.len() + payload.len()).map_err(|_| Loss::TooLarge)?;
            out[2..4].copy_from_slice(&total.to_be_bytes());
            // Keep DF, clear MF and the offset.
            out[6] &= 0x40;
            out[7] = 0;
            out[10..12].copy_from_slice(&[0, 0]);
            let sum = checksum(&out);
            out[10..12].copy_from_slice(&sum.to_be_bytes());
        }
        Version::V6 {
            next_header_at,
            next,
        } => {
            let len = u16::try_from(head.len() - 40 + payload.len()).map_err(|_| Loss::TooLarge)?;
            out[4..6].copy_from_slice(&len.to_be_bytes());
            out[next_header_at] = next;
        }
    }
    out.extend_from_slice(payload);
    Ok(out)
}

/// The IPv4 header checksum (RFC 791), so that the rebuilt header reads as sound.
fn checksum(header: &[u8]) -> u16 {
    let mut sum: u32 = header
        .chunks(2)
        .map(|w| u32::from(u16::from_be_bytes([w[0], *w.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}
