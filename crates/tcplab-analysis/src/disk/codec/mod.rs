//! How values become bytes on disk and come back: one module, two traits.
//!
//! - `Fixed`: a value in exactly `SIZE` bytes, integers little-endian.
//!   Arrays of them can be read one element at a time, element `i` at byte
//!   `i × SIZE`: the paged arrays (`PagedVec`) and the runs (`RunIndex`)
//!   need that.
//! - `Code`: a value laid out for the spill file: integers, floats,
//!   sequence numbers and timestamps in their `Fixed` encoding, a one-byte
//!   tag before an optional value or an enum, a varint length before a
//!   list. A connection's whole analysis state is written this way to the
//!   spill file (about 1 KB), and read back in one piece, from its start,
//!   so variable sizes cost nothing. Counters that are zero in most
//!   connections are a tag byte alone then (`put_sparse`). Fixed widths rather than varints
//!   everywhere: a varint costs a loop per byte, and spilling is on the
//!   path of every short connection of a busy capture.
//!
//! They are two traits because some values are only `Fixed` (the paged
//! arrays' elements, whose place must not depend on their value) and
//! others only `Code` (options, lists, addresses). Both write to a
//! `Vec<u8>` (`Fixed` also to a `Stack`, for a layout built in one piece)
//! and read through one `Reader`; every integer of a `Code` is its `Fixed`
//! encoding: little-endian integers are encoded in exactly one place
//! (`fixed.rs`).
//!
//! In: values, and bytes that were written by this run of tcplab. Out:
//! bytes, and values exactly as they were (floats bit for bit). Bytes that
//! do not decode (read past the end, an impossible tag) are `Corrupt`,
//! never a panic and never a guess. Not here: versions or schemas (only
//! this run reads what it wrote), and files (see `TempFile`).
//!
//! Each state type lists its fields once, in `record!` (or `fixed_record!`,
//! whose fields of fixed size are one layout written in one piece): the
//! decoder builds the struct from that list, so a field added to a struct
//! and not to its list is a compile error, not a silently lost value.

mod code;
mod fixed;
#[cfg(test)]
mod tests;

/// The bytes do not decode: the file was damaged after it was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Corrupt;

/// A value with a fixed-size encoding (see the module's doc).
pub(crate) trait Fixed: Sized {
    /// The bytes `put_fixed` writes and `get_fixed` reads.
    const SIZE: usize;
    /// Writes exactly `SIZE` bytes.
    fn put_fixed(&self, out: &mut impl Sink);
    /// Reads `SIZE` bytes from the front of `r`.
    fn get_fixed(r: &mut Reader) -> Self;

    /// Element `i` of an array of these in `bytes`; `None` when it is not
    /// all there or does not decode.
    #[inline]
    fn at(bytes: &[u8], i: usize) -> Option<Self> {
        let start = i.checked_mul(Self::SIZE)?;
        let mut r = Reader::new(bytes.get(start..start.checked_add(Self::SIZE)?)?);
        let v = Self::get_fixed(&mut r);
        r.finish(v).ok()
    }
}

/// Where `Fixed` values are written: the end of a `Vec`, or a `Stack`.
pub(crate) trait Sink {
    fn put_bytes(&mut self, bytes: &[u8]);
    /// Writes `n` zero bytes.
    fn put_zeros(&mut self, n: usize);
}

impl Sink for Vec<u8> {
    #[inline]
    fn put_bytes(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    #[inline]
    fn put_zeros(&mut self, n: usize) {
        self.resize(self.len() + n, 0);
    }
}

/// `N` bytes built on the stack, for a layout that goes into a `Vec`
/// in one piece: its fields are written at places known when compiling,
/// so their bounds checks fold away (appending each field to the `Vec`
/// would check its capacity every time).
pub(crate) struct Stack<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Stack<N> {
    #[inline]
    pub fn new() -> Stack<N> {
        Stack {
            bytes: [0; N],
            len: 0,
        }
    }

    /// All `N` bytes, once written.
    #[inline]
    pub fn full(&self) -> &[u8; N] {
        debug_assert_eq!(self.len, N, "a layout of {N} bytes");
        &self.bytes
    }
}

impl<const N: usize> Sink for Stack<N> {
    /// Panics past `N` bytes: a layout larger than its `Stack` is a bug.
    #[inline]
    fn put_bytes(&mut self, bytes: &[u8]) {
        self.bytes[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
    /// Nothing to write: a `Stack` starts all zeros and each byte is
    /// written once. Panics past `N` bytes, as `put_bytes`.
    #[inline]
    fn put_zeros(&mut self, n: usize) {
        assert!(self.len + n <= N, "a layout of {N} bytes");
        self.len += n;
    }
}

/// A value with a compact, variable-size encoding (see the module's doc).
pub(crate) trait Code: Sized {
    fn put(&self, out: &mut Vec<u8>);
    /// Reads one value from the front of `r`.
    fn get(r: &mut Reader) -> Self;
}

/// `impl Code` for a struct from the list of its fields, in order.
macro_rules! record {
    ($ty:ident { $($field:ident),+ $(,)? }) => {
        impl $crate::disk::Code for $ty {
            #[inline]
            fn put(&self, out: &mut Vec<u8>) {
                $( $crate::disk::Code::put(&self.$field, out); )+
            }
            #[inline]
            fn get(r: &mut $crate::disk::Reader) -> Self {
                $ty { $( $field: $crate::disk::Code::get(r), )+ }
            }
        }
    };
}
pub(crate) use record;

/// `record!` for a struct whose fields (or its first fields) all have a
/// `Fixed` size, listed with their types: those are built on the stack in
/// one layout and appended in one piece (one capacity check, bounds checks
/// folded away, not one of each per field); the fields after `then`, which
/// vary in size (lists), follow with their `Code`. Without `then` the
/// struct is `Fixed` too, so it can sit inside another layout. A field
/// listed with a type that is not its own, or a field left out, does not
/// compile.
macro_rules! fixed_record {
    ($ty:ident { $($field:ident: $t:ty),+ $(,)? }) => {
        impl $crate::disk::Fixed for $ty {
            const SIZE: usize = 0 $(+ <$t as $crate::disk::Fixed>::SIZE)+;
            #[inline]
            fn put_fixed(&self, out: &mut impl $crate::disk::Sink) {
                $( <$t as $crate::disk::Fixed>::put_fixed(&self.$field, out); )+
            }
            #[inline]
            fn get_fixed(r: &mut $crate::disk::Reader) -> Self {
                $ty { $( $field: <$t as $crate::disk::Fixed>::get_fixed(r), )+ }
            }
        }
        $crate::disk::fixed_record!(@code $ty { $($field: $t),+ } then {});
    };
    ($ty:ident { $($field:ident: $t:ty),+ $(,)? } then { $($tail:ident),* $(,)? }) => {
        $crate::disk::fixed_record!(@code $ty { $($field: $t),+ } then { $($tail),* });
    };
    (@code $ty:ident { $($field:ident: $t:ty),+ } then { $($tail:ident),* }) => {
        impl $crate::disk::Code for $ty {
            #[inline]
            fn put(&self, out: &mut Vec<u8>) {
                const N: usize = 0 $(+ <$t as $crate::disk::Fixed>::SIZE)+;
                let mut b = $crate::disk::Stack::<N>::new();
                $( <$t as $crate::disk::Fixed>::put_fixed(&self.$field, &mut b); )+
                $crate::disk::Sink::put_bytes(out, b.full());
                $( $crate::disk::Code::put(&self.$tail, out); )*
            }
            #[inline]
            fn get(r: &mut $crate::disk::Reader) -> Self {
                const N: usize = 0 $(+ <$t as $crate::disk::Fixed>::SIZE)+;
                let copy: [u8; N] = r.bytes();
                let mut fields = $crate::disk::Reader::new(&copy);
                let f = &mut fields;
                let v = $ty {
                    $( $field: <$t as $crate::disk::Fixed>::get_fixed(f), )+
                    $( $tail: $crate::disk::Code::get(r), )*
                };
                r.reject(fields.finish(()).is_err());
                v
            }
        }
    };
}
pub(crate) use fixed_record;

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

    /// Marks the bytes bad when `impossible`.
    #[inline]
    pub fn reject(&mut self, impossible: bool) {
        self.bad |= impossible;
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

/// A value whose layout is most often all zeros (counters that stay zero
/// in most connections: what was sent again, event counts, reserved
/// flags): a tag byte, 0 alone for a layout of zeros, 1 before the
/// layout. Smaller for most connections, and about as quick: the layout
/// is built on the stack either way, and testing its `N` bytes for zeros
/// is a few wide ORs (comparing the value with its default field by field
/// cost more than the copy it saves). `N`, the layout's size, is a
/// multiple of 8.
#[inline]
pub(crate) fn put_sparse<T: Fixed, const N: usize>(v: &T, out: &mut Vec<u8>) {
    const {
        assert!(
            N == T::SIZE && N.is_multiple_of(8),
            "N is the layout's size, in words"
        )
    };
    let mut b = Stack::<N>::new();
    v.put_fixed(&mut b);
    let bytes = b.full();
    // Eight bytes at a time (a byte at a time is not unrolled).
    let any = bytes
        .chunks_exact(8)
        .filter_map(|word| word.first_chunk::<8>())
        .fold(0, |any, word| any | u64::from_ne_bytes(*word));
    if any == 0 {
        out.push(0);
    } else {
        out.push(1);
        out.extend_from_slice(bytes);
    }
}

/// What `put_sparse` wrote.
#[inline]
pub(crate) fn get_sparse<T: Fixed, const N: usize>(r: &mut Reader) -> T {
    const { assert!(N == T::SIZE, "N is the layout's size") };
    match r.byte() {
        0 => T::get_fixed(&mut Reader::new(&[0; N])),
        1 => T::get_fixed(r),
        _ => {
            r.bad = true;
            T::get_fixed(&mut Reader::new(&[0; N]))
        }
    }
}

/// A list as every list is encoded: its length (a varint), then its
/// entries in order (`Reader::count` and `Vec::get` read it back).
#[inline]
pub(crate) fn put_list<'a, T: Code + 'a>(
    len: usize,
    items: impl Iterator<Item = &'a T>,
    out: &mut Vec<u8>,
) {
    put_varint(len as u64, out);
    items.for_each(|v| v.put(out));
}

#[inline]
fn put_varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}
