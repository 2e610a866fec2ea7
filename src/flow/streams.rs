//! The memory behind `FlowTable`: one compact record per stream and an
//! open-addressing index from 4-tuple to the latest stream on it.
//!
//! Wireshark never forgets a conversation: a packet that comes back on a
//! 4-tuple hours later still joins the stream that last used it (or opens a
//! new one, by the port-reuse rules in `table.rs`). So this is the one part
//! of the analysis that grows with every connection, and it is kept small:
//! 21 bytes per stream (IPv6 streams 32 more, in a side table), plus the
//! index, 4 bytes per bucket at a load between 3/8 and 3/4 (5–11 bytes per
//! stream). Both are plain `Vec`s: large ones live in their own `mmap` and
//! grow with `mremap`, so growing never holds two copies.

use super::hasher::SeededFx;
use std::hash::BuildHasher;
use std::net::IpAddr;

/// Bits of `StreamRec::flags`.
const V6: u8 = 1;
/// The stream's first packet came from the `high` endpoint.
const A_IS_HIGH: u8 = 2;
/// `base[0]` (side a) and `base[1]` (side b) are set.
const BASE_SET: [u8; 2] = [4, 8];
const CLOSED: u8 = 16;

/// A 4-tuple with its endpoints in a canonical order, so that both
/// directions of a connection have the same key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Key {
    V4 { low: (u32, u16), high: (u32, u16) },
    V6 { low: (u128, u16), high: (u128, u16) },
}

impl Key {
    /// The key of a packet from `src` to `dst`, and whether `src` is its `high` end.
    pub fn of(src: (IpAddr, u16), dst: (IpAddr, u16)) -> (Key, bool) {
        match (src.0, dst.0) {
            (IpAddr::V4(s), IpAddr::V4(d)) => {
                let (s, d) = ((u32::from(s), src.1), (u32::from(d), dst.1));
                let src_high = s > d;
                let (low, high) = if src_high { (d, s) } else { (s, d) };
                (Key::V4 { low, high }, src_high)
            }
            (s, d) => {
                let (s, d) = ((v6_bits(s), src.1), (v6_bits(d), dst.1));
                let src_high = s > d;
                let (low, high) = if src_high { (d, s) } else { (s, d) };
                (Key::V6 { low, high }, src_high)
            }
        }
    }

    fn hash(&self, build: &SeededFx) -> u64 {
        match *self {
            Key::V4 { low, high } => build.hash_one((
                u64::from(low.0) << 32 | u64::from(high.0),
                u32::from(low.1) << 16 | u32::from(high.1),
            )),
            Key::V6 { low, high } => {
                build.hash_one((low.0, high.0, u32::from(low.1) << 16 | u32::from(high.1)))
            }
        }
    }
}

/// An IPv6 address as a number (IPv4 ones, mixed with IPv6 in one header,
/// cannot happen; mapped into the same space just in case).
fn v6_bits(a: IpAddr) -> u128 {
    match a {
        IpAddr::V6(a) => u128::from(a),
        IpAddr::V4(a) => u128::from(a.to_ipv6_mapped()),
    }
}

/// What is kept of each stream: its 4-tuple and what numbering needs.
#[derive(Clone, Copy)]
#[repr(C, packed)]
struct StreamRec {
    /// IPv4: the low and high addresses. IPv6: `low_addr` indexes `v6`.
    low_addr: u32,
    high_addr: u32,
    low_port: u16,
    high_port: u16,
    /// Wireshark's base sequence number of side a and side b.
    base: [u32; 2],
    flags: u8,
}

/// The numbering state of one stream, as `FlowTable` reads and updates it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Meta {
    /// The first packet came from the key's `high` endpoint.
    pub a_is_high: bool,
    pub base: [Option<u32>; 2],
    pub closed: bool,
}

#[derive(Default)]
pub(super) struct Streams {
    recs: Vec<StreamRec>,
    /// The two addresses of each IPv6 stream.
    v6: Vec<[u128; 2]>,
    /// `stream + 1` of the latest stream of each key; 0 is an empty bucket.
    buckets: Vec<u32>,
    hasher: SeededFx,
    /// The latest key looked up and its stream: consecutive packets of a
    /// bulk transfer mostly belong to one connection.
    last: Option<(Key, u32)>,
}

impl Streams {
    pub fn len(&self) -> usize {
        self.recs.len()
    }

    /// The latest stream on `key`.
    pub fn find(&mut self, key: &Key) -> Option<u32> {
        if let Some((k, id)) = &self.last {
            if k == key {
                return Some(*id);
            }
        }
        if self.buckets.is_empty() {
            return None;
        }
        let i = self.bucket_of(key);
        let id = self.buckets[i].checked_sub(1)?;
        self.last = Some((*key, id));
        Some(id)
    }

    /// Opens stream `len()` on `key`, which becomes the latest on it.
    pub fn push(&mut self, key: &Key, a_is_high: bool) -> u32 {
        if (self.recs.len() + 1) * 4 > self.buckets.len() * 3 {
            self.grow();
        }
        let id = self.recs.len() as u32;
        let (low_addr, high_addr, low_port, high_port, v6) = match *key {
            Key::V4 { low, high } => (low.0, high.0, low.1, high.1, 0),
            Key::V6 { low, high } => {
                self.v6.push([low.0, high.0]);
                ((self.v6.len() - 1) as u32, 0, low.1, high.1, V6)
            }
        };
        self.recs.push(StreamRec {
            low_addr,
            high_addr,
            low_port,
            high_port,
            base: [0, 0],
            flags: v6 | if a_is_high { A_IS_HIGH } else { 0 },
        });
        let i = self.bucket_of(key);
        self.buckets[i] = id + 1;
        self.last = Some((*key, id));
        id
    }

    pub fn meta(&self, id: u32) -> Meta {
        let r = self.recs[id as usize];
        let (flags, base) = (r.flags, r.base);
        Meta {
            a_is_high: flags & A_IS_HIGH != 0,
            base: [0, 1].map(|i| (flags & BASE_SET[i] != 0).then_some(base[i])),
            closed: flags & CLOSED != 0,
        }
    }

    pub fn set_meta(&mut self, id: u32, m: Meta) {
        let r = &mut self.recs[id as usize];
        let mut flags = r.flags & (V6 | A_IS_HIGH);
        let mut base = [0u32; 2];
        for (i, b) in m.base.iter().enumerate() {
            if let Some(b) = b {
                flags |= BASE_SET[i];
                base[i] = *b;
            }
        }
        if m.closed {
            flags |= CLOSED;
        }
        r.flags = flags;
        r.base = base;
    }

    /// The bucket that holds `key`, or the empty one where it would go.
    fn bucket_of(&self, key: &Key) -> usize {
        let mask = self.buckets.len() - 1;
        let mut i = key.hash(&self.hasher) as usize & mask;
        loop {
            match self.buckets[i] {
                0 => return i,
                id if self.has_key(id - 1, key) => return i,
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn has_key(&self, id: u32, key: &Key) -> bool {
        let r = self.recs[id as usize];
        let (la, ha, lp, hp, flags) = (r.low_addr, r.high_addr, r.low_port, r.high_port, r.flags);
        match *key {
            Key::V4 { low, high } => flags & V6 == 0 && (la, lp) == low && (ha, hp) == high,
            Key::V6 { low, high } => {
                flags & V6 != 0
                    && (lp, hp) == (low.1, high.1)
                    && self.v6[la as usize] == [low.0, high.0]
            }
        }
    }

    fn key_of(&self, id: u32) -> Key {
        let r = self.recs[id as usize];
        let (la, ha, lp, hp) = (r.low_addr, r.high_addr, r.low_port, r.high_port);
        if r.flags & V6 == 0 {
            Key::V4 {
                low: (la, lp),
                high: (ha, hp),
            }
        } else {
            let [l, h] = self.v6[la as usize];
            Key::V6 {
                low: (l, lp),
                high: (h, hp),
            }
        }
    }

    /// Doubles the index and puts the latest stream of each key back in.
    fn grow(&mut self) {
        let old = std::mem::take(&mut self.buckets);
        self.buckets = vec![0; (old.len() * 2).max(64)];
        for id in old.into_iter().filter(|&b| b != 0).map(|b| b - 1) {
            let i = self.bucket_of(&self.key_of(id));
            self.buckets[i] = id + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn v4(a: u32, p: u16) -> (IpAddr, u16) {
        (IpAddr::V4(Ipv4Addr::from(a)), p)
    }

    #[test]
    fn both_directions_have_one_key() {
        let (k1, h1) = Key::of(v4(9, 80), v4(3, 4000));
        let (k2, h2) = Key::of(v4(3, 4000), v4(9, 80));
        assert_eq!(k1, k2);
        assert!(h1 && !h2);
        let a = (IpAddr::V6(Ipv6Addr::LOCALHOST), 1);
        let b = (IpAddr::V6(Ipv6Addr::UNSPECIFIED), 2);
        assert_eq!(Key::of(a, b).0, Key::of(b, a).0);
    }

    #[test]
    fn finds_the_latest_stream_of_each_key_across_growth() {
        let mut s = Streams::default();
        let keys: Vec<Key> = (0..5000u32)
            .map(|i| Key::of(v4(i / 7, (i % 7) as u16), v4(1 << 30, 80)).0)
            .collect();
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(s.find(k), None);
            assert_eq!(s.push(k, false), i as u32);
        }
        // Port reuse: a second stream on key 17 replaces the first.
        assert_eq!(s.push(&keys[17], true), 5000);
        for (i, k) in keys.iter().enumerate() {
            let want = if i == 17 { 5000 } else { i as u32 };
            assert_eq!(s.find(k), Some(want));
        }
        let six = Key::of(
            (IpAddr::V6(Ipv6Addr::LOCALHOST), 5),
            (IpAddr::V6(Ipv6Addr::UNSPECIFIED), 6),
        )
        .0;
        let id = s.push(&six, false);
        assert_eq!(s.find(&six), Some(id));
        assert!(s.buckets.len() >= s.len() * 4 / 3);
    }

    #[test]
    fn meta_round_trips() {
        let mut s = Streams::default();
        let k = Key::of(v4(1, 2), v4(3, 4)).0;
        let id = s.push(&k, true);
        let m = Meta {
            a_is_high: true,
            base: [None, Some(u32::MAX)],
            closed: true,
        };
        s.set_meta(id, m);
        assert_eq!(s.meta(id), m);
        assert_eq!(std::mem::size_of::<StreamRec>(), 21);
    }
}
