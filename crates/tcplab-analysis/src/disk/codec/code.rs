//! The `Code` encodings of the basic types. In: integers, floats, flags,
//! directions, events, endpoints, and options, pairs, vectors and arrays
//! of coded values. Out: integers, floats, sequence numbers and timestamps
//! in their `Fixed` encoding (little-endian, fixed width), one-byte tags
//! for options, enums and addresses, a varint length before each
//! sequence. Decoding an impossible
//! tag or length marks the `Reader` bad. Not here: the state types'
//! field lists (`record!` beside each type).

use super::{put_list, Code, Fixed, Reader, Sink, Stack};
use crate::events::Event;
use crate::flow::{Direction, Endpoint};
use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use tcplab_wire::capture::Timestamp;
use tcplab_wire::dissect::Flags;
use tcplab_wire::Seq;

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

/// Bit for bit.
impl Code for f64 {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        self.to_bits().put_fixed(out);
    }
    #[inline]
    fn get(r: &mut Reader) -> Self {
        f64::from_bits(u64::get_fixed(r))
    }
}

/// Fixed width, little-endian: one capacity check and one store per field
/// (varints cost a loop per byte, and counters, sequence numbers and
/// timestamps are written for every connection spilled).
macro_rules! as_fixed {
    ($($t:ty),+) => {$(
        impl Code for $t {
            #[inline]
            fn put(&self, out: &mut Vec<u8>) {
                self.put_fixed(out);
            }
            #[inline]
            fn get(r: &mut Reader) -> Self {
                <$t>::get_fixed(r)
            }
        }
    )+};
}
as_fixed!(u16, u32, u64, i32, i64, Seq, Timestamp);

impl Code for Flags {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
    }
    #[inline]
    fn get(r: &mut Reader) -> Self {
        Flags(u16::get(r))
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

/// The address's version (4 or 6), its bytes and the port, in one piece.
impl Code for Endpoint {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        match self.addr {
            IpAddr::V4(a) => {
                let mut b = Stack::<{ 1 + 4 + 2 }>::new();
                4u8.put_fixed(&mut b);
                b.put_bytes(&a.octets());
                self.port.put_fixed(&mut b);
                out.put_bytes(b.full());
            }
            IpAddr::V6(a) => {
                let mut b = Stack::<{ 1 + 16 + 2 }>::new();
                6u8.put_fixed(&mut b);
                b.put_bytes(&a.octets());
                self.port.put_fixed(&mut b);
                out.put_bytes(b.full());
            }
        }
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
        put_list(self.len(), self.iter(), out);
    }
    fn get(r: &mut Reader) -> Self {
        let n = r.count();
        (0..n).map(|_| T::get(r)).collect()
    }
}

impl<T: Code> Code for VecDeque<T> {
    fn put(&self, out: &mut Vec<u8>) {
        put_list(self.len(), self.iter(), out);
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
