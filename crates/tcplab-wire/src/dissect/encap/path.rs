//! The path a packet took down to its TCP segment: the encapsulations
//! passed through (`Encap`) and, for those that name a tunnel, what names
//! it (`Hop`: a VLAN id, MPLS label, PPPoE session, GRE key, VNI, and the
//! outer addresses of IP tunnels).
//!
//! A `TunnelPath` is a small fixed array, `Copy`, with no allocation: it is
//! made for every packet that is not plain Ethernet/IP. `canonical` turns
//! it into the identity of a tunnel independent of direction (the outer
//! addresses in a fixed order), which `--tunnels separate` keys on.

use std::fmt;
use std::net::IpAddr;

/// An encapsulation or link layer the dissector goes through: where a
/// packet that is not TCP stopped, and the layers of a tunnel path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Encap {
    Vlan,
    Mpls,
    Pppoe,
    Ppp,
    Hdlc,
    Gre,
    Erspan,
    Vxlan,
    Geneve,
    IpInIp,
    Juniper,
    Ipoib,
    Arcnet,
    Wlan,
    Radiotap,
}

impl fmt::Display for Encap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encap::Vlan => "VLAN",
            Encap::Mpls => "MPLS",
            Encap::Pppoe => "PPPoE",
            Encap::Ppp => "PPP",
            Encap::Hdlc => "Cisco HDLC",
            Encap::Gre => "GRE",
            Encap::Erspan => "ERSPAN",
            Encap::Vxlan => "VXLAN",
            Encap::Geneve => "Geneve",
            Encap::IpInIp => "IP-in-IP",
            Encap::Juniper => "Juniper",
            Encap::Ipoib => "IPoIB",
            Encap::Arcnet => "ARCNET",
            Encap::Wlan => "802.11",
            Encap::Radiotap => "radiotap",
        })
    }
}

/// Outer addresses of an IP tunnel, as the packet carried them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Outer {
    pub src: IpAddr,
    pub dst: IpAddr,
}

impl Outer {
    /// The same pair in a fixed order: both directions of a tunnel.
    fn canonical(self) -> Outer {
        if self.src <= self.dst {
            self
        } else {
            Outer {
                src: self.dst,
                dst: self.src,
            }
        }
    }
}

impl fmt::Display for Outer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} → {}", self.src, self.dst)
    }
}

/// One layer of a tunnel path that names something.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hop {
    Vlan(u16),
    /// One MPLS label (a stack is several hops).
    Mpls(u32),
    Pppoe(u16),
    Gre {
        key: Option<u32>,
        outer: Outer,
    },
    /// ERSPAN type (1, 2 or 3) and session id (0 for type I).
    Erspan {
        version: u8,
        session: u16,
    },
    Vxlan {
        vni: u32,
        outer: Outer,
    },
    Geneve {
        vni: u32,
        outer: Outer,
    },
    /// IPv4 or IPv6 directly inside IPv4 or IPv6 (protocols 4 and 41).
    IpInIp(Outer),
}

impl Hop {
    fn canonical(self) -> Hop {
        match self {
            Hop::Gre { key, outer } => Hop::Gre {
                key,
                outer: outer.canonical(),
            },
            Hop::Vxlan { vni, outer } => Hop::Vxlan {
                vni,
                outer: outer.canonical(),
            },
            Hop::Geneve { vni, outer } => Hop::Geneve {
                vni,
                outer: outer.canonical(),
            },
            Hop::IpInIp(outer) => Hop::IpInIp(outer.canonical()),
            other => other,
        }
    }
}

impl fmt::Display for Hop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hop::Vlan(id) => write!(f, "VLAN {id}"),
            Hop::Mpls(label) => write!(f, "MPLS label {label}"),
            Hop::Pppoe(session) => write!(f, "PPPoE session 0x{session:04x}"),
            Hop::Gre {
                key: Some(key),
                outer,
            } => write!(f, "GRE key {key} over {outer}"),
            Hop::Gre { key: None, outer } => write!(f, "GRE over {outer}"),
            Hop::Erspan {
                version: 1,
                session: _,
            } => f.write_str("ERSPAN type I"),
            Hop::Erspan { version, session } => {
                let kind = if *version == 2 { "II" } else { "III" };
                write!(f, "ERSPAN type {kind} session {session}")
            }
            Hop::Vxlan { vni, outer } => write!(f, "VXLAN vni {vni} over {outer}"),
            Hop::Geneve { vni, outer } => write!(f, "Geneve vni {vni} over {outer}"),
            Hop::IpInIp(outer) => write!(f, "IP-in-IP over {outer}"),
        }
    }
}

/// Hops kept per packet; a deeper path is refused (`Skip::TooDeep`).
pub const MAX_HOPS: usize = 8;

/// The hops of one packet, outermost first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct TunnelPath {
    hops: [Option<Hop>; MAX_HOPS],
    len: u8,
}

impl TunnelPath {
    /// Appends `hop`; `false` when the path is full.
    pub(crate) fn push(&mut self, hop: Hop) -> bool {
        match self.hops.get_mut(usize::from(self.len)) {
            Some(slot) => {
                *slot = Some(hop);
                self.len += 1;
                true
            }
            None => false,
        }
    }

    pub fn hops(&self) -> impl Iterator<Item = &Hop> + '_ {
        self.hops.iter().flatten()
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The same tunnel seen from either end: outer addresses in a fixed
    /// order (VNIs, keys and labels as they are).
    pub fn canonical(&self) -> TunnelPath {
        let mut out = *self;
        for hop in out.hops.iter_mut().flatten() {
            *hop = hop.canonical();
        }
        out
    }

    /// Only the layers that name a tunnel: without VLAN tags (which a
    /// plain Ethernet capture has too).
    pub fn tunnels_only(&self) -> TunnelPath {
        let mut out = TunnelPath::default();
        for hop in self.hops().filter(|h| !matches!(h, Hop::Vlan(_))) {
            out.push(*hop);
        }
        out
    }
}

/// Innermost first, each layer `in` the one that carries it:
/// `VXLAN vni 5001 over 192.0.2.1 → 192.0.2.2 in VLAN 10`; consecutive
/// MPLS labels as one stack (`MPLS labels 100/200`, outermost first).
impl fmt::Display for TunnelPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hops: Vec<&Hop> = self.hops().collect();
        let mut groups: Vec<&[&Hop]> = Vec::new();
        let mut start = 0;
        for i in 1..=hops.len() {
            let same_stack = i < hops.len()
                && matches!(hops[i], Hop::Mpls(_))
                && matches!(hops[i - 1], Hop::Mpls(_));
            if !same_stack {
                groups.push(&hops[start..i]);
                start = i;
            }
        }
        for (n, group) in groups.iter().rev().enumerate() {
            if n > 0 {
                f.write_str(" in ")?;
            }
            match group {
                [Hop::Mpls(_), _, ..] => {
                    f.write_str("MPLS labels ")?;
                    for (i, hop) in group.iter().enumerate() {
                        if let Hop::Mpls(label) = hop {
                            let sep = if i > 0 { "/" } else { "" };
                            write!(f, "{sep}{label}")?;
                        }
                    }
                }
                [hop, ..] => write!(f, "{hop}")?,
                [] => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outer(a: [u8; 4], b: [u8; 4]) -> Outer {
        Outer {
            src: IpAddr::from(a),
            dst: IpAddr::from(b),
        }
    }

    #[test]
    fn reads_innermost_first_with_label_stacks_grouped() {
        let mut path = TunnelPath::default();
        path.push(Hop::Vlan(10));
        path.push(Hop::Mpls(100));
        path.push(Hop::Mpls(200));
        path.push(Hop::Vxlan {
            vni: 5001,
            outer: outer([192, 0, 2, 1], [192, 0, 2, 2]),
        });
        assert_eq!(
            path.to_string(),
            "VXLAN vni 5001 over 192.0.2.1 → 192.0.2.2 in MPLS labels 100/200 in VLAN 10"
        );
        assert_eq!(
            path.tunnels_only().to_string(),
            "VXLAN vni 5001 over 192.0.2.1 → 192.0.2.2 in MPLS labels 100/200"
        );
    }

    #[test]
    fn both_directions_of_a_tunnel_are_one_identity() {
        let mut there = TunnelPath::default();
        there.push(Hop::Gre {
            key: Some(7),
            outer: outer([10, 0, 0, 1], [10, 0, 0, 2]),
        });
        let mut back = TunnelPath::default();
        back.push(Hop::Gre {
            key: Some(7),
            outer: outer([10, 0, 0, 2], [10, 0, 0, 1]),
        });
        assert_ne!(there, back);
        assert_eq!(there.canonical(), back.canonical());
        let mut other_key = back;
        other_key.hops[0] = Some(Hop::Gre {
            key: Some(8),
            outer: outer([10, 0, 0, 2], [10, 0, 0, 1]),
        });
        assert_ne!(there.canonical(), other_key.canonical());
    }

    #[test]
    fn a_full_path_refuses_more() {
        let mut path = TunnelPath::default();
        for label in 0..MAX_HOPS as u32 {
            assert!(path.push(Hop::Mpls(label)));
        }
        assert!(!path.push(Hop::Mpls(99)));
        assert_eq!(path.hops().count(), MAX_HOPS);
    }
}
