//! The key of a connection in the stream table: its 4-tuple, endpoints in
//! a canonical order, and, with `--tunnels separate`, the tunnel it
//! travels in (a number given to each tunnel identity; 0 is none).

use super::hasher::SeededFx;
use std::hash::BuildHasher;
use std::net::IpAddr;

/// A 4-tuple with its endpoints in a canonical order, so that both
/// directions of a connection have the same key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Key {
    V4 {
        low: (u32, u16),
        high: (u32, u16),
    },
    V6 {
        low: (u128, u16),
        high: (u128, u16),
    },
    /// Either IP version inside tunnel `tunnel` (≥ 1); stored as an IPv6 key.
    Tunneled {
        tunnel: u32,
        low: (u128, u16),
        high: (u128, u16),
    },
}

impl Key {
    /// The key of a packet from `src` to `dst`, and whether `src` is its `high` end.
    #[inline]
    pub fn of(src: (IpAddr, u16), dst: (IpAddr, u16)) -> (Key, bool) {
        match (src.0, dst.0) {
            (IpAddr::V4(s), IpAddr::V4(d)) => Key::v4((u32::from(s), src.1), (u32::from(d), dst.1)),
            (s, d) => {
                let (s, d) = ((v6_bits(s), src.1), (v6_bits(d), dst.1));
                let src_high = s > d;
                let (low, high) = if src_high { (d, s) } else { (s, d) };
                (Key::V6 { low, high }, src_high)
            }
        }
    }

    /// As [`Key::of`], for IPv4 addresses as numbers.
    #[inline]
    pub fn v4(s: (u32, u16), d: (u32, u16)) -> (Key, bool) {
        let (low, high, src_high) = Key::v4_ends(s, d);
        (Key::V4 { low, high }, src_high)
    }

    /// The `low` and `high` ends of `Key::V4` for a packet from `s` to
    /// `d`, and whether `s` is the `high` one.
    #[inline]
    pub fn v4_ends(s: (u32, u16), d: (u32, u16)) -> ((u32, u16), (u32, u16), bool) {
        let src_high = s > d;
        let (low, high) = if src_high { (d, s) } else { (s, d) };
        (low, high, src_high)
    }

    /// As [`Key::of`], in tunnel `tunnel` (0: not told apart by tunnel).
    #[inline]
    pub fn of_in(src: (IpAddr, u16), dst: (IpAddr, u16), tunnel: u32) -> (Key, bool) {
        if tunnel == 0 {
            return Key::of(src, dst);
        }
        let (s, d) = ((v6_bits(src.0), src.1), (v6_bits(dst.0), dst.1));
        let src_high = s > d;
        let (low, high) = if src_high { (d, s) } else { (s, d) };
        (Key::Tunneled { tunnel, low, high }, src_high)
    }

    /// The hash of `Key::V4 { low, high }`, without the key.
    #[inline]
    pub fn hash_v4(build: &SeededFx, low: (u32, u16), high: (u32, u16)) -> u64 {
        build.hash_one((
            u64::from(low.0) << 32 | u64::from(high.0),
            u32::from(low.1) << 16 | u32::from(high.1),
        ))
    }

    #[inline]
    pub fn hash(&self, build: &SeededFx) -> u64 {
        match *self {
            Key::V4 { low, high } => Key::hash_v4(build, low, high),
            Key::V6 { low, high } => {
                build.hash_one((low.0, high.0, u32::from(low.1) << 16 | u32::from(high.1)))
            }
            Key::Tunneled { tunnel, low, high } => build.hash_one((
                low.0,
                high.0,
                u32::from(low.1) << 16 | u32::from(high.1),
                tunnel,
            )),
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
