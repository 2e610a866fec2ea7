//! The `Fixed` encodings of the basic types. In: integers (little-endian:
//! the one place where `to_le_bytes` and `from_le_bytes` are written for
//! the disk tier), sequence numbers, timestamps, and pairs and arrays of
//! fixed values. Out: exactly `SIZE` bytes each, and the same values back
//! through `Reader`. Not here: the layouts made of them (stream records in
//! `crate::flow::streams`, handshake segments in
//! `crate::connection::codec`, run entries and slot headers in `disk`).

use super::{Fixed, Reader, Sink};
use tcplab_wire::capture::Timestamp;
use tcplab_wire::Seq;

macro_rules! little_endian {
    ($($t:ty),+) => {$(
        impl Fixed for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            #[inline]
            fn put_fixed(&self, out: &mut impl Sink) {
                out.put_bytes(&self.to_le_bytes());
            }
            #[inline]
            fn get_fixed(r: &mut Reader) -> Self {
                <$t>::from_le_bytes(r.bytes())
            }
        }
    )+};
}
little_endian!(u8, u16, u32, u64, u128, i32, i64);

impl Fixed for Seq {
    const SIZE: usize = u32::SIZE;
    #[inline]
    fn put_fixed(&self, out: &mut impl Sink) {
        self.0.put_fixed(out);
    }
    #[inline]
    fn get_fixed(r: &mut Reader) -> Self {
        Seq(u32::get_fixed(r))
    }
}

impl Fixed for Timestamp {
    const SIZE: usize = i64::SIZE;
    #[inline]
    fn put_fixed(&self, out: &mut impl Sink) {
        self.0.put_fixed(out);
    }
    #[inline]
    fn get_fixed(r: &mut Reader) -> Self {
        Timestamp(i64::get_fixed(r))
    }
}

impl<A: Fixed, B: Fixed> Fixed for (A, B) {
    const SIZE: usize = A::SIZE + B::SIZE;
    #[inline]
    fn put_fixed(&self, out: &mut impl Sink) {
        self.0.put_fixed(out);
        self.1.put_fixed(out);
    }
    #[inline]
    fn get_fixed(r: &mut Reader) -> Self {
        let a = A::get_fixed(r);
        (a, B::get_fixed(r))
    }
}

impl<T: Fixed, const N: usize> Fixed for [T; N] {
    const SIZE: usize = T::SIZE * N;
    #[inline]
    fn put_fixed(&self, out: &mut impl Sink) {
        self.iter().for_each(|v| v.put_fixed(out));
    }
    #[inline]
    fn get_fixed(r: &mut Reader) -> Self {
        std::array::from_fn(|_| T::get_fixed(r))
    }
}

/// One byte, 0 or 1.
impl Fixed for bool {
    const SIZE: usize = 1;
    #[inline]
    fn put_fixed(&self, out: &mut impl Sink) {
        u8::from(*self).put_fixed(out);
    }
    #[inline]
    fn get_fixed(r: &mut Reader) -> Self {
        let b = u8::get_fixed(r);
        r.reject(b > 1);
        b == 1
    }
}

/// A tag byte (0 or 1), then the value, or as many zeros when there is
/// none: the same size either way, so that a layout of them is fixed.
impl<T: Fixed> Fixed for Option<T> {
    const SIZE: usize = 1 + T::SIZE;
    #[inline]
    fn put_fixed(&self, out: &mut impl Sink) {
        match self {
            Some(v) => {
                1u8.put_fixed(out);
                v.put_fixed(out);
            }
            None => out.put_zeros(Self::SIZE),
        }
    }
    #[inline]
    fn get_fixed(r: &mut Reader) -> Self {
        let tag = u8::get_fixed(r);
        let v = T::get_fixed(r);
        r.reject(tag > 1);
        (tag == 1).then_some(v)
    }
}
