//! Values come back exactly; damaged bytes are an error, not a panic.

use super::{Code, Corrupt, Fixed, Reader};
use crate::events::Event;
use crate::flow::{Direction, Endpoint};
use std::collections::VecDeque;
use tcplab_wire::capture::Timestamp;
use tcplab_wire::Seq;

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
    assert_eq!(round_trip(0u64), 8, "fixed width");
    assert_eq!(round_trip(300u32), 4);
    round_trip(u64::MAX);
    assert_eq!(round_trip(-1i64), 8);
    round_trip(i32::MIN);
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

#[test]
fn fixed_values_come_back_from_their_place_in_an_array() {
    let entries: [(u64, u32); 3] = [(1, 2), (u64::MAX, 0), (1 << 40, u32::MAX)];
    let mut out = Vec::new();
    entries.iter().for_each(|e| e.put_fixed(&mut out));
    assert_eq!(out.len(), 3 * <(u64, u32)>::SIZE);
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(<(u64, u32)>::at(&out, i), Some(*e));
    }
    assert_eq!(<(u64, u32)>::at(&out, 3), None);
    assert_eq!(<(u64, u32)>::at(&out[..20], 1), None, "cut short");
    let pair = [7u128 << 100, !0];
    out.clear();
    pair.put_fixed(&mut out);
    assert_eq!(<[u128; 2]>::at(&out, 0), Some(pair));
    out.clear();
    0x0102_0304u32.put_fixed(&mut out);
    assert_eq!(out, [4, 3, 2, 1], "little-endian");
}

#[test]
fn optional_fixed_values_take_the_same_room_either_way() {
    let mut out = Vec::new();
    Some(Seq(u32::MAX)).put_fixed(&mut out);
    None::<Seq>.put_fixed(&mut out);
    assert_eq!(out.len(), 2 * <Option<Seq>>::SIZE);
    assert_eq!(<Option<Seq>>::at(&out, 0), Some(Some(Seq(u32::MAX))));
    assert_eq!(<Option<Seq>>::at(&out, 1), Some(None));
    // In a layout built on the stack, too.
    let mut stack = super::Stack::<{ 2 * 9 }>::new();
    None::<Timestamp>.put_fixed(&mut stack);
    Some(Timestamp(-1)).put_fixed(&mut stack);
    assert_eq!(<Option<Timestamp>>::at(stack.full(), 0), Some(None));
    assert_eq!(
        <Option<Timestamp>>::at(stack.full(), 1),
        Some(Some(Timestamp(-1)))
    );
    out[0] = 2;
    assert_eq!(<Option<Seq>>::at(&out, 0), None, "an impossible tag");
    assert_eq!(<bool>::at(&[2], 0), None);
}

#[derive(Debug, Default, PartialEq)]
struct Inner {
    n: u64,
    at: Option<Seq>,
}
super::fixed_record!(Inner {
    n: u64,
    at: Option<Seq>
});

#[derive(Debug, Default, PartialEq)]
struct Outer {
    flag: bool,
    inner: Inner,
    when: Option<Timestamp>,
    list: Vec<u32>,
}
super::fixed_record!(Outer {
    flag: bool,
    inner: Inner,
    when: Option<Timestamp>,
} then { list });

#[test]
fn fixed_records_come_back_and_damage_is_caught() {
    assert_eq!(Inner::SIZE, 8 + 5);
    assert_eq!(round_trip(Inner::default()), Inner::SIZE);
    let wrapped = Inner {
        n: u64::MAX,
        at: Some(Seq(u32::MAX)),
    };
    assert_eq!(
        round_trip(wrapped),
        13,
        "the same room with a value or without"
    );
    let v = Outer {
        flag: true,
        inner: Inner {
            n: 3,
            at: Some(Seq(0)),
        },
        when: Some(Timestamp(-1)),
        list: vec![1, u32::MAX],
    };
    let mut out = Vec::new();
    v.put(&mut out);
    assert_eq!(
        out.len(),
        1 + 13 + 9 + 1 + 2 * 4,
        "the layout, then the list"
    );
    assert_eq!(decode::<Outer>(&out), Ok(v));
    assert_eq!(round_trip(Outer::default()), 1 + 13 + 9 + 1);
    // Cut anywhere, or an impossible tag in the layout: an error.
    for n in 0..out.len() {
        assert_eq!(decode::<Outer>(&out[..n]), Err(Corrupt), "cut at {n}");
    }
    let mut bad = out.clone();
    bad[0] = 2;
    assert_eq!(decode::<Outer>(&bad), Err(Corrupt), "a bool of 2");
    let mut bad = out;
    bad[1 + 8] = 7;
    assert_eq!(decode::<Outer>(&bad), Err(Corrupt), "an option tag of 7");
}

#[test]
fn values_mostly_zeros_take_a_byte_then() {
    use super::{get_sparse, put_sparse};
    fn sparse<T: Fixed + PartialEq + std::fmt::Debug, const N: usize>(v: T) -> usize {
        let mut out = Vec::new();
        put_sparse::<T, N>(&v, &mut out);
        let mut r = Reader::new(&out);
        let back: T = get_sparse::<T, N>(&mut r);
        assert_eq!(r.finish(back), Ok(v), "everything read, the same value");
        out.len()
    }
    assert_eq!(sparse::<_, 56>([0u32; 14]), 1, "all zeros: the tag alone");
    assert_eq!(sparse::<_, 32>([0u64, 0, 0, 1]), 1 + 32);
    let mut last = [0u32; 14];
    last[13] = 1 << 31;
    assert_eq!(
        sparse::<_, 56>(last),
        1 + 56,
        "not zero, even in the last byte"
    );
    assert_eq!(sparse::<_, 8>([None::<u8>; 4]), 1, "None's layout is zeros");
    assert_eq!(
        sparse::<_, 8>([None, None, None, Some(0u8)]),
        1 + 8,
        "Some(0)'s is not"
    );
    let mut r = Reader::new(&[2]);
    let _: [u64; 4] = get_sparse::<_, 32>(&mut r);
    assert_eq!(r.finish(()), Err(Corrupt), "an impossible tag");
    let mut r = Reader::new(&[1, 0, 0]);
    let _: u64 = get_sparse::<_, 8>(&mut r);
    assert_eq!(r.finish(()), Err(Corrupt), "cut short");
}
