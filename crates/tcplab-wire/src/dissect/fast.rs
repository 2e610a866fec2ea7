//! The common case by hand: Ethernet (up to two VLAN tags) or raw IP,
//! IPv4 not fragmented, TCP with a sound header. About a quarter of the
//! work etherparse's general slicing does for such a packet
//! (bench/FINDINGS.md). Anything else — IPv6, cooked captures, fragments,
//! damaged or cut-off headers, TSO's zero length — returns `None` and goes
//! the general way, so the answers never differ (tested on every capture).

use super::{Flags, Segment, TcpOptions};
use crate::capture::{LinkType, Record};
use crate::Seq;
use std::net::{IpAddr, Ipv4Addr};

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Where the IPv4 header starts in the frame, for the link types we handle here.
fn ipv4_offset(link: LinkType, data: &[u8]) -> Option<usize> {
    match link {
        LinkType::Ethernet => {
            let mut at = 12;
            for _ in 0..=2 {
                let ether_type = be16(data.get(..at + 2)?, at);
                match ether_type {
                    0x0800 => return Some(at + 2),
                    0x8100 | 0x88a8 => at += 4,
                    _ => return None,
                }
            }
            None
        }
        LinkType::Raw | LinkType::Ipv4 => Some(0),
        _ => None,
    }
}

pub(super) fn ipv4_tcp(record: &Record<'_>) -> Option<Segment> {
    let headers = Headers::of(record)?;
    match TcpOptions::common(headers.options) {
        Some(options) => Some(headers.segment(record, options)),
        // Rare (SACK blocks, other layouts): the general option loop, out of
        // line, with nothing live across its call but the record.
        None => ipv4_tcp_any_options(record),
    }
}

/// As [`ipv4_tcp`], for a segment whose options are not in one of the
/// common layouts.
#[inline(never)]
fn ipv4_tcp_any_options(record: &Record<'_>) -> Option<Segment> {
    let headers = Headers::of(record)?;
    let options = TcpOptions::parse_list(headers.options);
    Some(headers.segment(record, options))
}

/// A plain IPv4/TCP packet's headers, checked, and its lengths.
struct Headers<'a> {
    ip: &'a [u8; 20],
    tcp: &'a [u8; 20],
    options: &'a [u8],
    /// Payload length from the IP length fields, and what was captured of it.
    len: usize,
    captured: usize,
    /// Where the IP packet ends (its length, never beyond the frame on the wire).
    end: usize,
}

impl<'a> Headers<'a> {
    #[inline(always)]
    fn of(record: &Record<'a>) -> Option<Headers<'a>> {
        let data = record.data;
        let ip_at = ipv4_offset(record.link, data)?;
        let ip = data.get(ip_at..)?;
        // The fixed headers as arrays: their fields are read without bounds checks.
        let ip_fixed: &[u8; 20] = ip.get(..20)?.try_into().ok()?;
        if ip_fixed[0] >> 4 != 4 || ip_fixed[9] != 6 {
            return None;
        }
        let ihl = usize::from(ip_fixed[0] & 0x0f) * 4;
        let total = usize::from(be16(ip_fixed, 2));
        let fragment = be16(ip_fixed, 6) & 0x3fff != 0;
        if ihl < 20 || total < ihl || fragment || ip.len() < ihl {
            return None;
        }
        // As in the general path: the IP length, but never beyond the frame on the wire.
        let on_wire = (record.orig_len as usize).saturating_sub(ip_at);
        let end = total.min(on_wire);
        let tcp = ip.get(ihl..total.min(ip.len()))?;
        let (fixed, rest) = tcp.split_first_chunk::<20>()?;
        let header_len = usize::from(fixed[12] >> 4) * 4;
        let options = rest.get(..header_len.checked_sub(20)?)?;
        let len = end.checked_sub(ihl + header_len)?;
        let captured = tcp.len() - header_len;
        Some(Headers {
            ip: ip_fixed,
            tcp: fixed,
            options,
            len,
            captured: captured.min(len),
            end,
        })
    }

    /// The segment, built where it is returned.
    #[inline(always)]
    fn segment(&self, record: &Record<'_>, options: TcpOptions) -> Segment {
        let fixed = self.tcp;
        let [_, _, _, _, _, _, _, _, _, _, _, _, s0, s1, s2, s3, d0, d1, d2, d3] = *self.ip;
        Segment {
            frame: record.frame,
            ts: record.ts,
            src: IpAddr::V4(Ipv4Addr::new(s0, s1, s2, s3)),
            dst: IpAddr::V4(Ipv4Addr::new(d0, d1, d2, d3)),
            sport: be16(fixed, 0),
            dport: be16(fixed, 2),
            seq: Seq(be32(fixed, 4)),
            ack: Seq(be32(fixed, 8)),
            flags: Flags::from_header(fixed[12], fixed[13]),
            window: be16(fixed, 14),
            len: self.len as u32,
            captured_len: self.captured as u32,
            options,
            ip_len: self.end as u32,
        }
    }
}
