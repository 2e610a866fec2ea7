//! `Record` in, TCP `Segment` out (or the reason the packet is not one).
//!
//! Plain Ethernet/IPv4/TCP goes the hand-made fast way (`fast`). Anything
//! else descends through its encapsulations (`encap`: VLAN, MPLS, PPPoE,
//! PPP, GRE, ERSPAN, VXLAN, Geneve, IP-in-IP, and the link types that carry
//! IP) to the innermost IP packet, recording the tunnel path it took; that
//! packet's IPv4/IPv6 headers with extension headers and the TCP header
//! are sliced by `etherparse` in its lax mode, so that a packet cut short
//! by the snap length still yields its TCP header. The TCP payload length
//! is taken from the IP length fields, not from the bytes captured
//! (`Segment::len` vs `Segment::captured_len`).
//!
//! An IP fragment stops the descent: [`dissect_encapsulated`] hands it
//! over as a [`Fragment`] for the caller's [`Defragmenter`] (`defrag`, the
//! only state here), and [`dissect_reassembled`] goes on into the whole
//! datagram, with the path the fragment came through.
//!
//! Not done here: anything else that needs more than one packet (that is
//! `flow` and `analysis`).

pub mod defrag;
pub mod encap;
mod fast;
mod flags;
mod options;
mod skip;

pub use defrag::{Defragmenter, Fragment, Loss};
pub use encap::{DecodeOptions, Encap, Hop, Outer, TunnelPath, UdpTunnel};
pub use flags::{Flags, NotAFlagLetter};
pub use options::{SackBlocks, TcpOptions};
pub use skip::{Rejected, Skip};

use crate::capture::{LinkType, Record, Timestamp};
use crate::Seq;
use encap::{Descent, Innermost};
use etherparse::{LaxNetSlice, LaxSlicedPacket, TransportSlice};
use std::net::IpAddr;

/// One TCP segment, as far as one packet can tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub frame: u64,
    pub ts: Timestamp,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub sport: u16,
    pub dport: u16,
    pub seq: Seq,
    pub ack: Seq,
    pub flags: Flags,
    /// The window field as sent (unscaled).
    pub window: u16,
    /// Payload length from the IP length fields (what was on the wire).
    pub len: u32,
    /// Payload bytes actually present in the capture (`< len` when truncated).
    pub captured_len: u32,
    pub options: TcpOptions,
    /// Length of IP + TCP headers plus payload, i.e. the IP packet length.
    pub ip_len: u32,
}

impl Segment {
    /// The sequence number after this segment: SYN and FIN count one each.
    pub fn next_seq(&self) -> Seq {
        self.seq + self.len + u32::from(self.flags.syn()) + u32::from(self.flags.fin())
    }

    pub fn payload_missing(&self) -> bool {
        self.captured_len < self.len
    }
}

/// A TCP segment and the tunnel path it came through (empty for a plain
/// link).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dissected {
    pub segment: Segment,
    pub path: TunnelPath,
}

/// Dissects one record down to TCP, with the default settings.
pub fn dissect(record: &Record<'_>) -> Result<Segment, Rejected> {
    if let Some(seg) = fast::ipv4_tcp(record) {
        return Ok(seg);
    }
    dissect_general(record, &DecodeOptions::default()).map(|d| d.segment)
}

/// Dissects one record down to TCP through any encapsulation, keeping the
/// path it took.
pub fn dissect_with(record: &Record<'_>, opts: &DecodeOptions) -> Result<Dissected, Rejected> {
    if let Some(segment) = fast::ipv4_tcp(record) {
        return Ok(Dissected {
            segment,
            path: TunnelPath::default(),
        });
    }
    dissect_general(record, opts)
}

/// Plain Ethernet (or raw) IPv4/TCP, by the fast path alone: `None` for
/// anything else, which [`dissect_encapsulated`] then reads. The two
/// together are [`dissect_with`], without a tunnel path to carry for the
/// common packet.
#[inline]
pub fn dissect_plain(record: &Record<'_>) -> Option<Segment> {
    fast::ipv4_tcp(record)
}

/// Where [`dissect_encapsulated`] ended: a TCP segment, or an IP fragment
/// to be reassembled.
#[derive(Clone, Debug)]
pub enum Descended<'a> {
    Tcp(Dissected),
    Fragment(Fragment<'a>),
}

/// What [`dissect_plain`] leaves: every link type and encapsulation. An IP
/// fragment comes back as it is, for a [`Defragmenter`].
pub fn dissect_encapsulated<'a>(
    record: &Record<'a>,
    opts: &DecodeOptions,
) -> Result<Descended<'a>, Rejected> {
    descend_from(record, opts, TunnelPath::default(), None)
}

/// Goes on into a datagram a [`Defragmenter`] rebuilt from fragments:
/// `record` is the frame that completed it (its number and time are the
/// segment's, as Wireshark shows the reassembled packet), `path` and
/// `inside` what the fragments came through.
pub fn dissect_reassembled<'a>(
    record: &Record<'_>,
    datagram: &'a [u8],
    path: TunnelPath,
    inside: Option<Encap>,
    opts: &DecodeOptions,
) -> Result<Descended<'a>, Rejected> {
    let whole = Record {
        link: LinkType::Raw,
        orig_len: u32::try_from(datagram.len()).unwrap_or(u32::MAX),
        data: datagram,
        ..*record
    };
    descend_from(&whole, opts, path, inside)
}

/// Dissects one IPv4 or IPv6 packet without a link layer (as a TUN device
/// hands it over), whole: the same parser as [`dissect`] on a raw-IP
/// record of `packet.len()` bytes, with frame number and time zero.
pub fn dissect_ip(packet: &[u8]) -> Result<Segment, Rejected> {
    dissect(&Record {
        frame: 0,
        offset: 0,
        ts: Timestamp(0),
        link: LinkType::Raw,
        orig_len: u32::try_from(packet.len()).unwrap_or(u32::MAX),
        data: packet,
        ts_valid: true,
    })
}

/// Every link type, encapsulation and IP version; a fragment is counted
/// as one (no state to reassemble it in).
fn dissect_general(record: &Record<'_>, opts: &DecodeOptions) -> Result<Dissected, Rejected> {
    match descend_from(record, opts, TunnelPath::default(), None)? {
        Descended::Tcp(found) => Ok(found),
        Descended::Fragment(fragment) => Err(Rejected {
            skip: Skip::IpFragment,
            ports: None,
            inside: fragment.inside,
        }),
    }
}

/// The descent from `record`'s link layer, with the path and
/// encapsulation already gone through.
fn descend_from<'a>(
    record: &Record<'a>,
    opts: &DecodeOptions,
    path: TunnelPath,
    inside: Option<Encap>,
) -> Result<Descended<'a>, Rejected> {
    let mut descent = Descent {
        path,
        inside,
        outer: None,
        opts,
    };
    let found =
        encap::descend(record.link, record.data, &mut descent).map_err(|skip| Rejected {
            skip,
            ports: None,
            inside: descent.inside,
        })?;
    let packet = match found {
        Innermost::Packet(packet) => packet,
        Innermost::Fragment(ip) => {
            return Ok(Descended::Fragment(Fragment {
                ip,
                path: descent.path,
                inside: descent.inside,
            }))
        }
    };
    let segment = segment_of(record, &packet).map_err(|mut rejected| {
        rejected.inside = descent.inside;
        rejected
    })?;
    Ok(Descended::Tcp(Dissected {
        segment,
        path: descent.path,
    }))
}

/// The TCP segment of the innermost IP packet, sliced by etherparse.
fn segment_of(record: &Record<'_>, packet: &LaxSlicedPacket<'_>) -> Result<Segment, Rejected> {
    let (src, dst, ip_start, declared_end, payload) = match &packet.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            let h = ip.header();
            // A zero total length is what TCP segmentation offload writes.
            let declared = (h.total_len() != 0).then(|| usize::from(h.total_len()));
            (
                IpAddr::V4(h.source_addr()),
                IpAddr::V4(h.destination_addr()),
                h.slice().as_ptr(),
                declared,
                ip.payload(),
            )
        }
        Some(LaxNetSlice::Ipv6(ip)) => {
            let h = ip.header();
            // A zero payload length means a jumbogram (RFC 2675): use what was captured.
            let declared = (h.payload_length() != 0).then(|| 40 + usize::from(h.payload_length()));
            (
                IpAddr::V6(h.source_addr()),
                IpAddr::V6(h.destination_addr()),
                h.slice().as_ptr(),
                declared,
                ip.payload(),
            )
        }
        Some(LaxNetSlice::Arp(_)) => return Err(Skip::NotIp.into()),
        None => return Err(classify_stop(packet).into()),
    };
    if payload.fragmented {
        return Err(Skip::IpFragment.into());
    }
    if payload.ip_number != etherparse::ip_number::TCP {
        return Err(Skip::NotTcp.into());
    }
    let tcp = match &packet.transport {
        Some(TransportSlice::Tcp(tcp)) => tcp,
        _ => {
            let p = payload.payload;
            let ports = (p.len() >= 4).then(|| {
                (
                    src,
                    u16::from_be_bytes([p[0], p[1]]),
                    dst,
                    u16::from_be_bytes([p[2], p[3]]),
                )
            });
            return Err(Rejected {
                skip: classify_stop(packet),
                ports,
                inside: None,
            });
        }
    };
    // The IP length cannot exceed what the frame carried on the wire (orig_len):
    // Wireshark trusts the frame then ("IP length exceeds framing length").
    let ip_in_frame = (ip_start as usize).saturating_sub(record.data.as_ptr() as usize);
    let on_wire = (record.orig_len as usize).saturating_sub(ip_in_frame);
    let declared_end = declared_end.map(|d| d.min(on_wire));
    // Offset of the TCP header from the start of the IP header.
    let tcp_offset = (payload.payload.as_ptr() as usize).saturating_sub(ip_start as usize);
    let header_len = usize::from(tcp.data_offset()) * 4;
    let captured_len = tcp.payload().len();
    let len = match declared_end {
        Some(end) => end.checked_sub(tcp_offset + header_len).ok_or(Rejected {
            skip: Skip::Malformed,
            ports: Some((src, tcp.source_port(), dst, tcp.destination_port())),
            inside: None,
        })?,
        None => captured_len,
    };
    let ip_len = declared_end.unwrap_or(tcp_offset + header_len + captured_len);
    Ok(Segment {
        frame: record.frame,
        ts: record.ts,
        src,
        dst,
        sport: tcp.source_port(),
        dport: tcp.destination_port(),
        seq: Seq(tcp.sequence_number()),
        ack: Seq(tcp.acknowledgment_number()),
        flags: Flags::from_header(tcp.header_slice()[12], tcp.header_slice()[13]),
        window: tcp.window_size(),
        len: len as u32,
        captured_len: captured_len.min(len) as u32,
        options: TcpOptions::parse(tcp.options()),
        ip_len: ip_len as u32,
    })
}

fn classify_stop(packet: &LaxSlicedPacket<'_>) -> Skip {
    use etherparse::err::packet::SliceError;
    match &packet.stop_err {
        Some((SliceError::Len(_), _)) => Skip::HeadersTruncated,
        Some(_) => Skip::Malformed,
        None => Skip::NotIp,
    }
}

#[cfg(test)]
mod encap_props;
#[cfg(test)]
mod tests;
