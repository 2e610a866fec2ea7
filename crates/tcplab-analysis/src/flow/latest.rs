//! The latest stream looked up, kept whole: most packets belong to the
//! same connection as the packet before them (a bulk transfer; the
//! handshake, request and teardown of a short connection), and such a
//! packet is numbered from here without building a `Key`, hashing, or
//! reading the stream's record.
//!
//! In: a segment's IPv4 addresses and ports. Out: whether it travels on
//! the kept stream's 4-tuple, and from which side. Only plain IPv4
//! 4-tuples outside tunnels told apart (`--tunnels separate`) are kept;
//! anything else goes the general way (`table.rs`), which is also the one
//! place where a kept stream is replaced.
//!
//! What is kept stays true: a 4-tuple's latest stream changes only through
//! a lookup of that 4-tuple (port reuse), and its numbering state (`Meta`)
//! only through a lookup too, which writes it here and to the stream's
//! record alike.

use super::key::Key;
use super::streams::Meta;
use std::net::IpAddr;
use tcplab_wire::dissect::Segment;

/// An IPv4 4-tuple as seen from one side (its sender, or side a):
/// addresses `src << 32 | dst`, ports `src << 16 | dst`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Tuple {
    addrs: u64,
    ports: u32,
}

impl Tuple {
    /// `seg`'s 4-tuple as seen from its sender; `None` unless it is IPv4.
    #[inline]
    pub fn sent(seg: &Segment) -> Option<Tuple> {
        match (seg.src, seg.dst) {
            (IpAddr::V4(s), IpAddr::V4(d)) => Some(Tuple {
                addrs: u64::from(u32::from(s)) << 32 | u64::from(u32::from(d)),
                ports: u32::from(seg.sport) << 16 | u32::from(seg.dport),
            }),
            _ => None,
        }
    }

    /// The `low` and `high` ends of the stream table's key of this
    /// 4-tuple (`Key::V4`), and whether the side it is seen from is the
    /// `high` one (as [`Key::of`]).
    #[inline]
    pub fn key_ends(self) -> ((u32, u16), (u32, u16), bool) {
        let src = ((self.addrs >> 32) as u32, (self.ports >> 16) as u16);
        let dst = (self.addrs as u32, self.ports as u16);
        Key::v4_ends(src, dst)
    }

    /// The same 4-tuple seen from the other side.
    #[inline]
    fn reversed(self) -> Tuple {
        Tuple {
            addrs: self.addrs.rotate_left(32),
            ports: self.ports.rotate_left(16),
        }
    }
}

/// The latest stream looked up and its numbering state.
#[derive(Clone, Copy, Debug)]
pub(super) struct Latest {
    /// The stream's 4-tuple as seen from its side a.
    from_a: Tuple,
    pub stream: u32,
    pub meta: Meta,
}

impl Latest {
    /// Stream `stream` of the 4-tuple `sent`, seen from side a when
    /// `from_a`.
    #[inline]
    pub fn new(sent: Tuple, from_a: bool, stream: u32, meta: Meta) -> Latest {
        Latest {
            from_a: if from_a { sent } else { sent.reversed() },
            stream,
            meta,
        }
    }

    /// `Some(true)` when a packet whose 4-tuple is `sent` is on this
    /// stream's 4-tuple and sent by side a, `Some(false)` when sent by
    /// side b, `None` when it is on another 4-tuple. (A packet from an
    /// endpoint to itself is side a's, as the general way numbers it.)
    #[inline]
    pub fn side_of(&self, sent: Tuple) -> Option<bool> {
        if sent == self.from_a {
            Some(true)
        } else if sent.reversed() == self.from_a {
            Some(false)
        } else {
            None
        }
    }
}
