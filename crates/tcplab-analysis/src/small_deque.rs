//! A queue with room for its first few entries inside the connection
//! state: the per-direction lists of a short connection (segments waiting
//! for their ACK, TSvals waiting for their echo) hold one or two entries
//! at a time, and a heap allocation for each of them cost more than the
//! rest of the connection's analysis.
//!
//! In: entries pushed at the back, taken from the front, kept or dropped
//! in place; out: the same entries in the same order as a `VecDeque`
//! would hold them. Up to `N` entries (a power of two) live in a ring
//! in an array; one more moves
//! them all to a `VecDeque`, which holds every entry until it empties
//! again, and then the array takes over (the deque keeps its capacity
//! until `release`). Its spill-file encoding is a `VecDeque`'s (a length,
//! then the entries). Not here: any limit on the length (the users cap
//! their lists).

use crate::disk::{put_list, Code, Reader};
use std::collections::VecDeque;

/// `repr(C)`: the ring's place and length first, then the ring, then the
/// heap's deque (touched only once the entries moved there), so that a
/// short list's work reads the fewest cache lines of its owner.
#[derive(Clone, Debug)]
#[repr(C)]
pub struct SmallDeque<T, const N: usize> {
    head: u8,
    /// Entries in `inline`, or `ON_HEAP`: then `heap` holds them all and
    /// is not empty. One comparison with `N` tells a push which case it is.
    len: u8,
    /// A ring: the entries at `head`, `head + 1`, … (modulo `N`, a power
    /// of two), `len` of them, while they fit.
    inline: [T; N],
    /// Every entry, once there were more than `N`.
    heap: VecDeque<T>,
}

/// `len` while the entries are on the heap (above any `N`).
const ON_HEAP: u8 = u8::MAX;

impl<T: Copy + Default, const N: usize> Default for SmallDeque<T, N> {
    fn default() -> Self {
        const { assert!(N.is_power_of_two() && N < ON_HEAP as usize) };
        SmallDeque {
            inline: [T::default(); N],
            head: 0,
            len: 0,
            heap: VecDeque::new(),
        }
    }
}

impl<T: Copy + Default, const N: usize> SmallDeque<T, N> {
    /// The entries are on the heap (there were more than `N`).
    #[inline]
    pub fn on_heap(&self) -> bool {
        self.len == ON_HEAP
    }

    /// The place in `inline` of the `i`-th entry.
    #[inline]
    fn at(&self, i: usize) -> usize {
        (usize::from(self.head) + i) & (N - 1)
    }

    /// The inline entries, front to back, in the ring's two pieces.
    fn inline_slices(&self) -> (&[T], &[T]) {
        if self.on_heap() {
            return (&[], &[]);
        }
        let (head, len) = (usize::from(self.head), usize::from(self.len));
        let first = (head + len).min(N);
        (
            &self.inline[head..first],
            &self.inline[..head + len - first],
        )
    }

    #[inline]
    pub fn len(&self) -> usize {
        if self.on_heap() {
            return self.heap.len();
        }
        usize::from(self.len)
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    pub fn front(&self) -> Option<&T> {
        match self.len {
            0 => None,
            ON_HEAP => self.heap.front(),
            _ => Some(&self.inline[self.at(0)]),
        }
    }

    #[inline]
    pub fn front_mut(&mut self) -> Option<&mut T> {
        match self.len {
            0 => None,
            ON_HEAP => self.heap.front_mut(),
            _ => Some(&mut self.inline[self.at(0)]),
        }
    }

    #[inline]
    pub fn back(&self) -> Option<&T> {
        match self.len {
            0 => None,
            ON_HEAP => self.heap.back(),
            n => Some(&self.inline[self.at(usize::from(n) - 1)]),
        }
    }

    #[inline]
    pub fn push_back(&mut self, v: T) {
        let len = usize::from(self.len);
        if len < N {
            self.inline[self.at(len)] = v;
            self.len += 1;
        } else if self.on_heap() {
            self.heap.push_back(v);
        } else {
            self.move_to_heap(v);
        }
    }

    #[cold]
    fn move_to_heap(&mut self, v: T) {
        self.heap.reserve(2 * N);
        for i in 0..N {
            let x = self.inline[self.at(i)];
            self.heap.push_back(x);
        }
        self.heap.push_back(v);
        self.head = 0;
        self.len = ON_HEAP;
    }

    /// After the heap may have emptied: the array takes over again.
    #[inline]
    fn back_inline_if_empty(&mut self) {
        if self.on_heap() && self.heap.is_empty() {
            self.head = 0;
            self.len = 0;
        }
    }

    #[inline]
    pub fn pop_front(&mut self) -> Option<T> {
        match self.len {
            0 => None,
            ON_HEAP => {
                let v = self.heap.pop_front();
                self.back_inline_if_empty();
                v
            }
            _ => {
                let v = self.inline[self.at(0)];
                self.head = (self.head + 1) & (N - 1) as u8;
                self.len -= 1;
                Some(v)
            }
        }
    }

    /// Takes the one entry when it is the only one, held inline, and
    /// `take` says so (otherwise: `None`, nothing changed).
    #[inline]
    pub fn pop_only_if(&mut self, take: impl FnOnce(&T) -> bool) -> Option<T> {
        if self.len != 1 {
            return None;
        }
        let v = self.inline[self.at(0)];
        if !take(&v) {
            return None;
        }
        self.len = 0;
        Some(v)
    }

    /// Front to back.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        let (a, b) = self.inline_slices();
        a.iter().chain(b).chain(self.heap.iter())
    }

    /// Keeps the entries for which `keep` is true, in order.
    pub fn retain_mut(&mut self, mut keep: impl FnMut(&mut T) -> bool) {
        if self.on_heap() {
            self.heap.retain_mut(keep);
            self.back_inline_if_empty();
            return;
        }
        let mut kept = [T::default(); N];
        let mut n = 0;
        for i in 0..usize::from(self.len) {
            let mut v = self.inline[self.at(i)];
            if keep(&mut v) {
                kept[n] = v;
                n += 1;
            }
        }
        self.inline = kept;
        self.head = 0;
        self.len = n as u8;
    }

    pub fn clear(&mut self) {
        self.heap.clear();
        self.head = 0;
        self.len = 0;
    }

    /// As `SmallDeque::default()`, in place and without its heap memory;
    /// the inline places past the (empty) ring keep what they held, which
    /// nothing reads.
    #[inline]
    pub fn reset(&mut self) {
        self.heap = VecDeque::new();
        self.head = 0;
        self.len = 0;
    }

    /// Gives back the heap memory when it holds nothing.
    pub fn release(&mut self) {
        if self.heap.is_empty() && self.heap.capacity() > 0 {
            self.heap = VecDeque::new();
        }
    }
}

/// As a `VecDeque<T>`: the length, then the entries front to back.
impl<T: Code + Copy + Default, const N: usize> Code for SmallDeque<T, N> {
    /// The inline entries as the ring's two slices (a chain of the array
    /// and an empty `VecDeque` costs a hundred instructions even when empty).
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        if self.on_heap() {
            put_list(self.heap.len(), self.heap.iter(), out);
        } else {
            let (front, back) = self.inline_slices();
            put_list(front.len() + back.len(), front.iter().chain(back), out);
        }
    }
    fn get(r: &mut Reader) -> Self {
        let mut d = SmallDeque::default();
        let all = Vec::<T>::get(r);
        if all.len() > N {
            d.heap = all.into();
            d.len = ON_HEAP;
        } else {
            d.inline[..all.len()].copy_from_slice(&all);
            d.len = all.len() as u8;
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use tcplab_wire::Seq;

    fn contents<const N: usize>(d: &SmallDeque<u32, N>) -> Vec<u32> {
        d.iter().copied().collect()
    }

    #[test]
    fn overflows_to_the_heap_and_comes_back() {
        let mut d = SmallDeque::<u32, 2>::default();
        assert!(d.is_empty() && d.front().is_none() && d.back().is_none());
        d.push_back(1);
        d.push_back(2);
        assert_eq!(d.heap.capacity(), 0, "two entries fit inline");
        d.push_back(3);
        assert!(d.on_heap());
        assert_eq!((contents(&d), d.len()), (vec![1, 2, 3], 3));
        assert_eq!((d.front(), d.back()), (Some(&1), Some(&3)));
        assert_eq!(d.pop_front(), Some(1));
        assert_eq!(d.pop_front(), Some(2));
        assert_eq!(d.pop_front(), Some(3));
        assert!(d.is_empty() && !d.on_heap());
        // Back inline: the heap keeps its room until released.
        d.push_back(4);
        assert_eq!((contents(&d), d.len), (vec![4], 1));
        assert!(d.heap.capacity() > 0);
        d.release();
        assert_eq!(d.heap.capacity(), 0);
        assert_eq!(contents(&d), vec![4]);
    }

    #[test]
    fn sliding_inline_window_reuses_the_array() {
        let mut d = SmallDeque::<u32, 4>::default();
        for i in 0..100 {
            d.push_back(i);
            d.push_back(i + 1000);
            assert_eq!(d.pop_front(), Some(i));
            assert_eq!(d.pop_front(), Some(i + 1000));
        }
        d.push_back(7);
        d.push_back(8);
        d.pop_front();
        d.push_back(9);
        d.push_back(10);
        d.push_back(11);
        // The ring wraps: 11 went to the start of the array, before the front.
        assert_eq!((d.head, d.inline[0]), (1, 11));
        assert_eq!(contents(&d), vec![8, 9, 10, 11]);
        assert_eq!((d.front(), d.back()), (Some(&8), Some(&11)));
        assert_eq!(d.heap.capacity(), 0, "four entries never needed the heap");
        d.retain_mut(|x| *x != 9);
        assert_eq!(contents(&d), vec![8, 10, 11]);
    }

    #[test]
    fn keeps_wrapping_sequence_numbers_in_order() {
        let mut d = SmallDeque::<Seq, 2>::default();
        for s in [u32::MAX - 1, u32::MAX, 0, 1] {
            d.push_back(Seq(s));
        }
        d.retain_mut(|s| s.after(Seq(u32::MAX)));
        assert_eq!(d.iter().copied().collect::<Vec<_>>(), vec![Seq(0), Seq(1)]);
    }

    #[test]
    fn encodes_as_a_vecdeque() {
        for n in [0u32, 1, 2, 3, 9] {
            let mut d = SmallDeque::<u32, 2>::default();
            let mut v = VecDeque::new();
            for i in 0..n {
                d.push_back(i * 300);
                v.push_back(i * 300);
            }
            let (mut a, mut b) = (Vec::new(), Vec::new());
            d.put(&mut a);
            v.put(&mut b);
            assert_eq!(a, b);
            let mut r = Reader::new(&a);
            let back = SmallDeque::<u32, 2>::get(&mut r);
            assert_eq!(r.finish(contents(&back)).ok(), Some(contents(&d)));
            assert_eq!(back.on_heap(), n > 2);
        }
    }

    proptest! {
        /// Any mix of pushes, pops, retains and clears gives what a
        /// `VecDeque` gives.
        #[test]
        fn behaves_as_a_vecdeque(ops in proptest::collection::vec((0u8..11, any::<u32>()), 1..200)) {
            let mut d = SmallDeque::<u32, 4>::default();
            let mut v = VecDeque::new();
            for (op, x) in ops {
                match op {
                    0..=4 => { d.push_back(x); v.push_back(x); }
                    5..=7 => prop_assert_eq!(d.pop_front(), v.pop_front()),
                    8 => {
                        let keep = |y: &mut u32| { *y = y.wrapping_add(1); !y.is_multiple_of(3) };
                        d.retain_mut(keep);
                        v.retain_mut(keep);
                    }
                    9 => if x.is_multiple_of(4) { d.clear(); v.clear(); } else { d.release(); },
                    _ => {
                        let take = |y: &u32| y % 2 == x % 2;
                        // Only an entry held inline is taken.
                        let inline_one = !d.on_heap() && v.len() == 1;
                        let want = if inline_one && v.front().is_some_and(take) { v.pop_front() } else { None };
                        prop_assert_eq!(d.pop_only_if(take), want);
                    }
                }
                if let Some(f) = d.front_mut() { *f ^= 1; }
                if let Some(f) = v.front_mut() { *f ^= 1; }
                prop_assert_eq!(contents(&d), v.iter().copied().collect::<Vec<_>>());
                prop_assert_eq!((d.len(), d.is_empty()), (v.len(), v.is_empty()));
                prop_assert_eq!((d.front(), d.back()), (v.front(), v.back()));
            }
        }
    }
}
