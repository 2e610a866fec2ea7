//! A compact binary encoding of a connection's analysis state, for the
//! spill file (`spill.rs`). Integers are LEB128 varints (counters, frame
//! numbers and lengths are mostly small); sequence numbers, timestamps and
//! floats are fixed width (they rarely are), floats bit for bit, so that a
//! connection read back is exactly the one written.
//!
//! Each state type lists its fields once, in `record!`: the decoder builds
//! the struct from that list, so a field added to a struct and not to its
//! list is a compile error, not a silently lost value. Only this run of
//! tcplab reads what it wrote: there is no version and no schema.

use super::events::Event;
use crate::flow::{Direction, Endpoint};
use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use tcplab_wire::capture::Timestamp;
use tcplab_wire::dissect::Flags;
use tcplab_wire::Seq;

/// The bytes do not decode: the spill file was damaged after it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Corrupt;

/// The bytes being decoded. Reading past the end or an impossible value
/// marks them `bad` and yields a placeholder: decoding goes on without a
/// branch per field, and `finish` says at the end whether it all made sense.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    bad: bool,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, bad: false }
    }

    /// `v`, if every byte was used and made sense.
    pub fn finish<T>(self, v: T) -> Result<T, Corrupt> {
        if self.bad || !self.buf.is_empty() {
            return Err(Corrupt);
        }
        Ok(v)
    }

    #[inline]
    fn byte(&mut self) -> u8 {
        match self.buf.split_first() {
            Some((&b, rest)) => {
                self.buf = rest;
                b
            }
            None => {
                self.bad = true;
                0
            }
        }
    }

    /// Marks the bytes bad when `impossible`.
    pub fn reject(&mut self, impossible: bool) {
        self.bad |= impossible;
    }

    #[inline]
    pub fn bytes<const N: usize>(&mut self) -> [u8; N] {
        match self.buf.split_first_chunk::<N>() {
            Some((head, rest)) => {
                self.buf = rest;
                *head
            }
            None => {
                self.bad = true;
                [0; N]
            }
        }
    }

    #[inline]
    fn varint(&mut self) -> u64 {
        let b = self.byte();
        if b < 0x80 {
            return u64::from(b);
        }
        let (mut v, mut shift) = (u64::from(b & 0x7f), 7);
        while shift < 64 {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return v;
            }
            shift += 7;
        }
        self.bad = true;
        0
    }

    /// A value that does not fit: marks the bytes bad.
    #[inline]
    fn fit<T: Default, U: TryInto<T>>(&mut self, v: U) -> T {
        v.try_into().unwrap_or_else(|_| {
            self.bad = true;
            T::default()
        })
    }

    /// A length that cannot be right (every element takes a byte at least) marks the bytes bad.
    #[inline]
    fn count(&mut self) -> usize {
        let n = self.varint();
        if n > self.buf.len() as u64 {
            self.bad = true;
            return 0;
        }
        n as usize
    }
}

pub(crate) trait Code: Sized {
    fn put(&self, out: &mut Vec<u8>);
    /// Reads one value from the front of `r`.
    fn get(r: &mut Reader) -> Self;
}

/// `impl Code` for a struct from the list of its fields, in order.
macro_rules! record {
    ($ty:ident { $($field:ident),+ $(,)? }) => {
        impl $crate::codec::Code for $ty {
            #[inline]
            fn put(&self, out: &mut Vec<u8>) {
                $( $crate::codec::Code::put(&self.$field, out); )+
            }
            #[inline]
            fn get(r: &mut $crate::codec::Reader) -> Self {
                $ty { $( $field: $crate::codec::Code::get(r), )+ }
            }
        }
    };
}
pub(crate) use record;

#[inline]
fn put_varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

macro_rules! unsigned {
    ($($t:ty),+) => {$(
        impl Code for $t {
            #[inline]
            fn put(&self, out: &mut Vec<u8>) {
                put_varint(u64::from(*self), out);
            }
            #[inline]
            fn get(r: &mut Reader) -> Self {
                let v = r.varint();
                r.fit(v)
            }
        }
    )+};
}
unsigned!(u16, u32, u64);

/// Zigzag: small negative numbers stay short.
macro_rules! signed {
    ($($t:ty),+) => {$(
        impl Code for $t {
            #[inline]
            fn put(&self, out: &mut Vec<u8>) {
                let v = i64::from(*self);
                put_varint(((v << 1) ^ (v >> 63)) as u64, out);
            }
            #[inline]
            fn get(r: &mut Reader) -> Self {
                let z = r.varint();
                r.fit((z >> 1) as i64 ^ -((z & 1) as i64))
            }
        }
    )+};
}
signed!(i32, i64);

impl Code for u8 {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
    #[inline]
    fn get(r: &mut Reader) -> Self {
        r.byte()
    }
}

impl Code for bool {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    #[inline]
    fn get(r: &mut Reader) -> Self {
        let b = r.byte();
        r.bad |= b > 1;
        b == 1
    }
}

impl Code for f64 {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_bits().to_le_bytes());
    }
    #[inline]
    fn get(r: &mut Reader) -> Self {
        f64::from_bits(u64::from_le_bytes(r.bytes()))
    }
}

impl Code for Seq {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0.to_le_bytes());
    }
    #[inline]
    fn get(r: &mut Reader) -> Self {
        Seq(u32::from_le_bytes(r.bytes()))
    }
}

impl Code for Timestamp {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0.to_le_bytes());
    }
    #[inline]
    fn get(r: &mut Reader) -> Self {
        Timestamp(i64::from_le_bytes(r.bytes()))
    }
}

impl Code for Flags {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        out.push(self.0);
    }
    #[inline]
    fn get(r: &mut Reader) -> Self {
        Flags(r.byte())
    }
}

impl Code for Direction {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        out.push(self.index() as u8);
    }
    #[inline]
    fn get(r: &mut Reader) -> Self {
        match r.byte() {
            0 => Direction::AtoB,
            1 => Direction::BtoA,
            _ => {
                r.bad = true;
                Direction::AtoB
            }
        }
    }
}

impl Code for Event {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        out.push(*self as u8);
    }
    #[inline]
    fn get(r: &mut Reader) -> Self {
        let i = usize::from(r.byte());
        Event::ALL.get(i).copied().unwrap_or_else(|| {
            r.bad = true;
            Event::Retransmission
        })
    }
}

impl Code for Endpoint {
    fn put(&self, out: &mut Vec<u8>) {
        match self.addr {
            IpAddr::V4(a) => {
                out.push(4);
                out.extend_from_slice(&a.octets());
            }
            IpAddr::V6(a) => {
                out.push(6);
                out.extend_from_slice(&a.octets());
            }
        }
        self.port.put(out);
    }
    fn get(r: &mut Reader) -> Self {
        let addr = match r.byte() {
            4 => IpAddr::V4(Ipv4Addr::from(r.bytes::<4>())),
            6 => IpAddr::V6(Ipv6Addr::from(r.bytes::<16>())),
            _ => {
                r.bad = true;
                IpAddr::V4(Ipv4Addr::UNSPECIFIED)
            }
        };
        Endpoint {
            addr,
            port: u16::get(r),
        }
    }
}

impl<T: Code> Code for Option<T> {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                v.put(out);
            }
        }
    }
    #[inline]
    fn get(r: &mut Reader) -> Self {
        match r.byte() {
            0 => None,
            1 => Some(T::get(r)),
            _ => {
                r.bad = true;
                None
            }
        }
    }
}

impl<A: Code, B: Code> Code for (A, B) {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
        self.1.put(out);
    }
    #[inline]
    fn get(r: &mut Reader) -> Self {
        let a = A::get(r);
        (a, B::get(r))
    }
}

impl<T: Code> Code for Vec<T> {
    fn put(&self, out: &mut Vec<u8>) {
        put_varint(self.len() as u64, out);
        self.iter().for_each(|v| v.put(out));
    }
    fn get(r: &mut Reader) -> Self {
        let n = r.count();
        (0..n).map(|_| T::get(r)).collect()
    }
}

impl<T: Code> Code for VecDeque<T> {
    fn put(&self, out: &mut Vec<u8>) {
        put_varint(self.len() as u64, out);
        self.iter().for_each(|v| v.put(out));
    }
    fn get(r: &mut Reader) -> Self {
        Vec::get(r).into()
    }
}

impl<T: Code, const N: usize> Code for [T; N] {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        self.iter().for_each(|v| v.put(out));
    }
    #[inline]
    fn get(r: &mut Reader) -> Self {
        std::array::from_fn(|_| T::get(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode<T: Code>(bytes: &[u8]) -> Result<T, Corrupt> {
        let mut r = Reader::new(bytes);
        let v = T::get(&mut r);
        r.finish(v)
    }

    fn round_trip<T: Code + PartialEq + std::fmt::Debug>(v: T) -> usize {
        let mut out = Vec::new();
        v.put(&mut out);
        assert_eq!(decode::<T>(&out), Ok(v), "everything read, the same value");
        out.len()
    }

    #[test]
    fn values_come_back_exactly() {
        assert_eq!(round_trip(0u64), 1);
        assert_eq!(round_trip(300u32), 2);
        round_trip(u64::MAX);
        assert_eq!(round_trip(-1i64), 1);
        round_trip(i64::MIN);
        round_trip(i32::MAX);
        round_trip(0.1f64 + 0.2);
        round_trip(f64::MIN_POSITIVE / 3.0);
        round_trip(Some((Seq(u32::MAX), Timestamp(-5))));
        round_trip(vec![Event::KeepAliveAck, Event::Retransmission]);
        round_trip(VecDeque::from([(7u32, Timestamp(1))]));
        round_trip([Some(Direction::BtoA), None]);
        round_trip(Endpoint {
            addr: "2001:db8::1".parse().expect("an address"),
            port: 65535,
        });
        round_trip(Endpoint {
            addr: "192.0.2.1".parse().expect("an address"),
            port: 0,
        });
    }

    #[test]
    fn damage_is_an_error_not_a_panic() {
        let mut out = Vec::new();
        vec![1u64 << 40, 2].put(&mut out);
        for cut in 0..out.len() {
            assert_eq!(decode::<Vec<u64>>(&out[..cut]), Err(Corrupt));
        }
        assert_eq!(decode::<u16>(&[0xff, 0xff, 0x7f]), Err(Corrupt));
        assert_eq!(decode::<bool>(&[2]), Err(Corrupt));
        assert_eq!(decode::<Vec<u8>>(&[0xff, 0xff, 0x03]), Err(Corrupt));
        assert_eq!(decode::<u64>(&[0x80; 11]), Err(Corrupt));
        assert_eq!(decode::<u8>(&[1, 2]), Err(Corrupt), "bytes left over");
    }
}
