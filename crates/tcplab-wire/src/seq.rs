//! TCP sequence numbers: a `u32` on the wire, compared with serial-number
//! arithmetic (RFC 1982, as RFC 9293 §3.4 asks): `a < b` when `b - a`,
//! taken modulo 2^32, is between 1 and 2^31 - 1. Every comparison of
//! sequence or acknowledgement numbers in tcplab goes through this type, so
//! wraparound is handled in exactly one place.

use serde::{Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, Sub};

/// An absolute (raw, as on the wire) sequence or acknowledgement number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Seq(pub u32);

impl Seq {
    /// The raw 32-bit value, for display and output only.
    pub fn raw(self) -> u32 {
        self.0
    }

    /// Signed distance from `other` to `self` (positive when `self` is later).
    pub fn distance_from(self, other: Seq) -> i32 {
        self.0.wrapping_sub(other.0) as i32
    }

    /// Bytes from `other` up to `self`, when `self` is not earlier; 0 otherwise.
    pub fn bytes_after(self, other: Seq) -> u32 {
        let d = self.distance_from(other);
        if d > 0 {
            d as u32
        } else {
            0
        }
    }

    /// The later of two sequence numbers (serial-number order).
    pub fn max_seq(self, other: Seq) -> Seq {
        if self.after(other) {
            self
        } else {
            other
        }
    }

    /// The earlier of two sequence numbers (serial-number order).
    pub fn min_seq(self, other: Seq) -> Seq {
        if self.before(other) {
            self
        } else {
            other
        }
    }

    pub fn before(self, other: Seq) -> bool {
        self.distance_from(other) < 0
    }

    pub fn after(self, other: Seq) -> bool {
        self.distance_from(other) > 0
    }

    pub fn before_or_eq(self, other: Seq) -> bool {
        self.distance_from(other) <= 0
    }

    pub fn after_or_eq(self, other: Seq) -> bool {
        self.distance_from(other) >= 0
    }
}

/// Serial-number order. Not a total order (2^31 apart is undefined by
/// RFC 1982); we treat exactly-half-apart values as `Less` consistently.
impl PartialOrd for Seq {
    fn partial_cmp(&self, other: &Seq) -> Option<Ordering> {
        Some(self.distance_from(*other).cmp(&0))
    }
}

impl Add<u32> for Seq {
    type Output = Seq;
    fn add(self, rhs: u32) -> Seq {
        Seq(self.0.wrapping_add(rhs))
    }
}

impl Sub<u32> for Seq {
    type Output = Seq;
    fn sub(self, rhs: u32) -> Seq {
        Seq(self.0.wrapping_sub(rhs))
    }
}

/// `a - b` is the number of sequence positions from `b` to `a`, modulo 2^32
/// (the relative sequence number of `a` when `b` is the base).
impl Sub<Seq> for Seq {
    type Output = u32;
    fn sub(self, rhs: Seq) -> u32 {
        self.0.wrapping_sub(rhs.0)
    }
}

/// The absolute value; honours width and alignment like a `u32`.
impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Seq({})", self.0)
    }
}

impl Serialize for Seq {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn wraps_around_zero() {
        let near_end = Seq(u32::MAX - 10);
        let wrapped = near_end + 20;
        assert_eq!(wrapped, Seq(9));
        assert!(near_end.before(wrapped));
        assert!(wrapped.after(near_end));
        assert_eq!(wrapped - near_end, 20);
        assert_eq!(wrapped.bytes_after(near_end), 20);
        assert_eq!(near_end.bytes_after(wrapped), 0);
    }

    #[test]
    fn max_and_min_follow_serial_order() {
        let a = Seq(u32::MAX);
        let b = Seq(5);
        assert_eq!(a.max_seq(b), b);
        assert_eq!(a.min_seq(b), a);
    }

    proptest! {
        #[test]
        fn adding_a_small_step_always_moves_forward(x: u32, step in 1u32..(1 << 31)) {
            let a = Seq(x);
            let b = a + step;
            prop_assert!(a.before(b));
            prop_assert!(b.after(a));
            prop_assert_eq!(b - a, step);
            prop_assert_eq!(b - step, a);
        }

        #[test]
        fn comparison_is_antisymmetric(x: u32, y: u32) {
            let (a, b) = (Seq(x), Seq(y));
            prop_assert!(!(a.before(b) && b.before(a)));
            if x != y && x.wrapping_sub(y) != 1 << 31 {
                prop_assert!(a.before(b) != b.before(a));
            }
        }
    }
}
