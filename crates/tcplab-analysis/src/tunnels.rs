//! Which tunnel each connection travels in.
//!
//! In: the tunnel path of every dissected segment (`TunnelPath`, empty on
//! a plain link). Out: the number the flow table keys on (with
//! `TunnelMode::Separate`, one per tunnel identity, both directions
//! alike; otherwise 0, as Wireshark numbers streams by the innermost
//! 4-tuple alone), and the path's text, shared by every segment of it
//! (`VXLAN vni 5001 over 192.0.2.1 → 192.0.2.2`).
//!
//! Memory grows with the distinct tunnel paths and with the connections
//! that travel in one (a text per path, a map entry per such
//! connection), never with packets; a capture without tunnels keeps
//! nothing here.

use std::collections::HashMap;
use std::sync::Arc;
use tcplab_wire::dissect::TunnelPath;

/// How connections in tunnels are told apart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TunnelMode {
    /// By the innermost 4-tuple only, as Wireshark's `tcp.stream`.
    #[default]
    Merge,
    /// By the innermost 4-tuple and the tunnel identity (VLAN ids, MPLS
    /// labels, PPPoE session, GRE key, VNI, outer addresses): overlays
    /// that reuse private addresses.
    Separate,
}

pub(crate) struct Tunnels {
    mode: TunnelMode,
    /// Canonical path → its number (from 1).
    ids: HashMap<TunnelPath, u32>,
    /// Path as seen → its text.
    names: HashMap<TunnelPath, Arc<str>>,
    /// Stream → the path of its first packet, the number of its tunnel
    /// identity, and whether a later packet came through another tunnel.
    of_stream: HashMap<u32, StreamTunnel>,
}

/// The tunnel of one stream, as the summaries tell it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamTunnel {
    /// The path of the stream's first packet.
    pub path: Arc<str>,
    identity: u32,
    /// Some packet came through another tunnel (possible only with
    /// `TunnelMode::Merge`).
    pub others: bool,
}

/// Where a segment travelled: the flow table's tunnel number, the tunnel
/// identity and the path's text (no text on a plain link).
pub(crate) struct Place {
    pub key: u32,
    identity: u32,
    pub name: Option<Arc<str>>,
}

impl Place {
    /// A plain link.
    pub const NONE: Place = Place {
        key: 0,
        identity: 0,
        name: None,
    };
}

impl Tunnels {
    pub fn new(mode: TunnelMode) -> Tunnels {
        Tunnels {
            mode,
            ids: HashMap::new(),
            names: HashMap::new(),
            of_stream: HashMap::new(),
        }
    }

    /// Where a segment that came through `path` travelled.
    pub fn place(&mut self, path: &TunnelPath) -> Place {
        if path.is_empty() {
            return Place::NONE;
        }
        let next = self.ids.len() as u32 + 1;
        let identity = *self.ids.entry(path.canonical()).or_insert(next);
        let name = self
            .names
            .entry(*path)
            .or_insert_with(|| Arc::from(path.to_string()));
        Place {
            key: match self.mode {
                TunnelMode::Merge => 0,
                TunnelMode::Separate => identity,
            },
            identity,
            name: Some(Arc::clone(name)),
        }
    }

    /// Some segment came through a tunnel.
    #[inline]
    pub fn any(&self) -> bool {
        !self.ids.is_empty()
    }

    /// A segment of `stream` travelled at `place`; `opened` when it opened
    /// the stream.
    pub fn seen(&mut self, stream: u32, place: &Place, opened: bool) {
        if opened {
            match &place.name {
                Some(path) => {
                    self.of_stream.insert(
                        stream,
                        StreamTunnel {
                            path: Arc::clone(path),
                            identity: place.identity,
                            others: false,
                        },
                    );
                }
                None => {
                    self.of_stream.remove(&stream);
                }
            }
            return;
        }
        if self.ids.is_empty() {
            return;
        }
        match self.of_stream.get_mut(&stream) {
            Some(t) => t.others |= t.identity != place.identity,
            None if place.name.is_some() => {
                // A plain stream joined by a tunnelled packet.
                self.of_stream.insert(
                    stream,
                    StreamTunnel {
                        path: Arc::from("none"),
                        identity: 0,
                        others: true,
                    },
                );
            }
            None => {}
        }
    }

    /// Each stream's tunnel, for the summaries.
    pub fn into_streams(self) -> HashMap<u32, StreamTunnel> {
        self.of_stream
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tcplab_wire::capture::{LinkType, Record, Timestamp};
    use tcplab_wire::dissect::{dissect_with, DecodeOptions};

    /// The tunnel path of a VXLAN packet (VNI `vni`) from `src` to `dst`.
    fn vxlan_path(vni: u32, src: [u8; 4], dst: [u8; 4]) -> TunnelPath {
        let mut inner = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
        etherparse::PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
            .tcp(40000, 80, 1, 1000)
            .write(&mut inner, &[])
            .expect("vec write");
        let mut vxlan = vec![0x08, 0, 0, 0];
        vxlan.extend_from_slice(&(vni << 8).to_be_bytes());
        vxlan.extend_from_slice(&inner);
        let mut frame = vec![2, 0, 0, 0, 0, 0xb, 2, 0, 0, 0, 0, 0xa, 0x08, 0x00];
        etherparse::PacketBuilder::ipv4(src, dst, 64)
            .udp(50000, 4789)
            .write(&mut frame, &vxlan)
            .expect("vec write");
        let record = Record {
            frame: 1,
            offset: 24,
            ts: Timestamp(0),
            link: LinkType::Ethernet,
            orig_len: frame.len() as u32,
            data: &frame,
            ts_valid: true,
        };
        dissect_with(&record, &DecodeOptions::default())
            .expect("TCP in VXLAN")
            .path
    }

    #[test]
    fn separate_tells_vnis_apart_and_not_directions() {
        let (a, b) = ([192, 0, 2, 1], [192, 0, 2, 2]);
        let mut t = Tunnels::new(TunnelMode::Separate);
        let there = t.place(&vxlan_path(5001, a, b));
        let back = t.place(&vxlan_path(5001, b, a));
        let other = t.place(&vxlan_path(5002, a, b));
        assert_eq!(there.key, back.key);
        assert_ne!(there.key, other.key);
        assert_ne!(there.key, 0);
        assert_eq!(
            there.name.as_deref(),
            Some("VXLAN vni 5001 over 192.0.2.1 → 192.0.2.2")
        );
        let plain = t.place(&TunnelPath::default());
        assert_eq!((plain.key, plain.name), (0, None));
    }

    #[test]
    fn merge_keys_every_tunnel_as_none_and_notes_a_second_one() {
        let (a, b) = ([192, 0, 2, 1], [192, 0, 2, 2]);
        let mut t = Tunnels::new(TunnelMode::Merge);
        let first = t.place(&vxlan_path(5001, a, b));
        assert_eq!(first.key, 0);
        t.seen(3, &first, true);
        let back = t.place(&vxlan_path(5001, b, a));
        t.seen(3, &back, false);
        t.seen(4, &first, true);
        let other = t.place(&vxlan_path(5002, a, b));
        t.seen(4, &other, false);
        let streams = t.into_streams();
        let three = &streams[&3];
        assert_eq!(&*three.path, "VXLAN vni 5001 over 192.0.2.1 → 192.0.2.2");
        assert!(!three.others);
        assert!(streams[&4].others);
    }
}
