//! The descent through encapsulations down to the innermost IP packet.
//!
//! In: a record's link type and bytes, the user's `DecodeOptions`. Out: the
//! innermost IP packet sliced by etherparse (handed to `dissect` for its
//! TCP segment) and the `TunnelPath` taken, or the `Skip` where the descent
//! stopped and the encapsulation it stopped in.
//!
//! Each encapsulation is a small unit that reads its own header and says
//! what comes next (`Layer`): `ethernet` (with VLAN tags and the ethertype
//! table), `mpls`, `ppp` (PPP, HDLC framing, PPPoE), `gre` (with ERSPAN),
//! `udp` (VXLAN, Geneve), `ip` (IP-in-IP, and the hand-over to TCP),
//! `links` (Juniper, IPoIB, ARCNET) and `wlan` (802.11, radiotap). The loop
//! here only follows `Layer`s; it never looks into a header itself.
//!
//! Not done here: TCP (that is `dissect`), and anything that needs more than
//! one packet: an IP fragment stops the descent and goes back as it is
//! (`Innermost::Fragment`), for `dissect::defrag`; A-MSDUs are not
//! reassembled, 802.11 not decrypted.

mod ethernet;
mod gre;
mod ip;
mod links;
mod mpls;
mod path;
mod ppp;
mod udp;
mod wlan;

pub use path::{Encap, Hop, Outer, TunnelPath, MAX_HOPS};

use super::Skip;
use crate::capture::LinkType;
use etherparse::LaxSlicedPacket;

/// What a UDP port carries when the user says so (Wireshark's "Decode As").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UdpTunnel {
    Vxlan,
    Geneve,
}

/// The dissector's settings: which UDP ports carry tunnels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeOptions {
    udp: Vec<(u16, UdpTunnel)>,
}

impl DecodeOptions {
    /// VXLAN's IANA port.
    pub const VXLAN_PORT: u16 = 4789;
    /// Geneve's IANA port.
    pub const GENEVE_PORT: u16 = 6081;

    /// Also decode UDP `port` as `tunnel` (a later call for the same port wins).
    pub fn decode_udp_as(&mut self, port: u16, tunnel: UdpTunnel) {
        self.udp.retain(|(p, _)| *p != port);
        self.udp.push((port, tunnel));
    }

    fn udp_tunnel(&self, port: u16) -> Option<UdpTunnel> {
        self.udp.iter().find(|(p, _)| *p == port).map(|(_, t)| *t)
    }
}

/// VXLAN on 4789 and Geneve on 6081, as Wireshark decodes them.
impl Default for DecodeOptions {
    fn default() -> DecodeOptions {
        DecodeOptions {
            udp: vec![
                (Self::VXLAN_PORT, UdpTunnel::Vxlan),
                (Self::GENEVE_PORT, UdpTunnel::Geneve),
            ],
        }
    }
}

/// What the bytes after a header are.
#[derive(Debug)]
pub(super) enum Layer<'a> {
    /// An Ethernet II frame from its destination address on.
    Ethernet(&'a [u8]),
    /// The payload of an ethertype (or of a protocol field that uses
    /// ethertype numbers: GRE, Geneve, SLL, SNAP). `by` names the
    /// encapsulation whose field it was, for "GRE with unknown protocol".
    EtherType {
        ether_type: u16,
        data: &'a [u8],
        by: Option<Encap>,
    },
    /// A PPP frame from its protocol field on.
    Ppp(&'a [u8]),
    /// An MPLS label stack.
    Mpls(&'a [u8]),
    /// An IPv4 or IPv6 packet (the version nibble decides).
    Ip(&'a [u8]),
}

/// The state of one descent: the path so far, the encapsulation entered
/// last, the addresses of the last IP header (the outer addresses of a
/// GRE or UDP tunnel) and the settings.
pub(super) struct Descent<'o> {
    pub path: TunnelPath,
    pub inside: Option<Encap>,
    pub outer: Option<Outer>,
    pub opts: &'o DecodeOptions,
}

impl Descent<'_> {
    /// Notes that the packet entered `encap`.
    pub fn enter(&mut self, encap: Encap) {
        self.inside = Some(encap);
    }

    /// Records a hop; a path deeper than `MAX_HOPS` is refused.
    pub fn hop(&mut self, hop: Hop) -> Result<(), Skip> {
        if self.path.push(hop) {
            Ok(())
        } else {
            Err(Skip::TooDeep)
        }
    }

    /// The outer addresses of the tunnel being entered (from the IP header
    /// just left; every caller comes from `ip`).
    pub fn outer(&self) -> Result<Outer, Skip> {
        self.outer.ok_or(Skip::Malformed)
    }
}

/// Layers followed at most: beyond, a packet is refused as `TooDeep`
/// (a crafted packet could nest IP-in-IP until its bytes run out).
const MAX_LAYERS: usize = 24;

/// Where a descent ended.
// The sliced packet is moved once, to `dissect`; boxing it would allocate
// for every packet.
#[allow(clippy::large_enum_variant)]
pub(super) enum Innermost<'a> {
    /// The innermost IP packet, sliced.
    Packet(LaxSlicedPacket<'a>),
    /// An IP fragment (from its header on): the rest of its datagram is
    /// in other packets.
    Fragment(&'a [u8]),
}

/// Follows `link`'s bytes down to the innermost IP packet.
pub(super) fn descend<'a>(
    link: LinkType,
    data: &'a [u8],
    d: &mut Descent<'_>,
) -> Result<Innermost<'a>, Skip> {
    let mut layer = links::first_layer(link, data, d)?;
    for _ in 0..MAX_LAYERS {
        layer = match layer {
            Layer::Ethernet(bytes) => ethernet::frame(bytes)?,
            Layer::EtherType {
                ether_type,
                data,
                by,
            } => ethernet::ether_type(ether_type, data, by, d)?,
            Layer::Ppp(bytes) => ppp::protocol(bytes, d)?,
            Layer::Mpls(bytes) => mpls::stack(bytes, d)?,
            Layer::Ip(bytes) => match ip::packet(bytes, d)? {
                ip::Next::Tunnel(inner) => inner,
                ip::Next::Transport(packet) => return Ok(Innermost::Packet(packet)),
                ip::Next::Fragment(bytes) => return Ok(Innermost::Fragment(bytes)),
            },
        };
    }
    Err(Skip::TooDeep)
}

pub(super) fn be16(data: &[u8], at: usize) -> Result<u16, Skip> {
    match data.get(at..at + 2) {
        Some(b) => Ok(u16::from_be_bytes([b[0], b[1]])),
        None => Err(Skip::HeadersTruncated),
    }
}

pub(super) fn be32(data: &[u8], at: usize) -> Result<u32, Skip> {
    match data.get(at..at + 4) {
        Some(b) => Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]])),
        None => Err(Skip::HeadersTruncated),
    }
}

/// `data` from `at` on; cut off by the snap length when shorter.
pub(super) fn after(data: &[u8], at: usize) -> Result<&[u8], Skip> {
    data.get(at..).ok_or(Skip::HeadersTruncated)
}

#[cfg(test)]
pub(super) mod test_util {
    use super::*;

    /// A descent with the default settings, for the units' tests.
    pub fn descent(opts: &DecodeOptions) -> Descent<'_> {
        Descent {
            path: TunnelPath::default(),
            inside: None,
            outer: None,
            opts,
        }
    }

    /// A 20-byte IPv4 header + 20-byte TCP header (ports 1234 → 80, SYN).
    pub fn ipv4_tcp() -> Vec<u8> {
        let mut out = Vec::new();
        etherparse::PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
            .tcp(1234, 80, 1, 1000)
            .syn()
            .write(&mut out, &[])
            .expect("vec write");
        out
    }

    pub fn is_ip(layer: &Layer<'_>, expected: &[u8]) -> bool {
        matches!(layer, Layer::Ip(bytes) if *bytes == expected)
    }
}
