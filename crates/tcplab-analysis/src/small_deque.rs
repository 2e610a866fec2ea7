//! A queue with room for its first few entries inside the connection
//! state: the per-direction lists of a short connection (segments waiting
//! for their ACK, TSvals waiting for their echo) hold one or two entries
//! at a time, and a heap allocation for each of them cost more than the
//! rest of the connection's analysis.
//!
//! In: entries pushed at the back, taken from the front, kept or dropped
//! in place; out: the same entries in the same order as a `VecDeque`
//! would hold them. Up to `N` entries live in an array; one more moves
//! them all to a `VecDeque`, which holds every entry until it empties
//! again, and then the array takes over (the deque keeps its capacity
//! until `release`). Its spill-file encoding is a `VecDeque`'s (a length,
//! then the entries). Not here: any limit on the length (the users cap
//! their lists).

use crate::disk::{put_list, Code, Reader};
use std::collections::VecDeque;

#[derive(Clone, Debug)]
pub struct SmallDeque<T, const N: usize> {
    /// The entries `head..head + len`, while `heap` is empty.
    inline: [T; N],
    head: u8,
    len: u8,
    /// Every entry, once there were more than `N` (then `len` is 0).
    heap: VecDeque<T>,
}

impl<T: Copy + Default, const N: usize> Default for SmallDeque<T, N> {
    fn default() -> Self {
        const { assert!(N > 0 && N < 256) };
        SmallDeque {
            inline: [T::default(); N],
            head: 0,
            len: 0,
            heap: VecDeque::new(),
        }
    }
}

impl<T: Copy + Default, const N: usize> SmallDeque<T, N> {
    #[inline]
    fn on_heap(&self) -> bool {
        !self.heap.is_empty()
    }

    #[inline]
    fn inline_range(&self) -> std::ops::Range<usize> {
        let head = usize::from(self.head);
        head..head + usize::from(self.len)
    }

    #[inline]
    pub fn len(&self) -> usize {
        usize::from(self.len) + self.heap.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0 && self.heap.is_empty()
    }

    #[inline]
    pub fn front(&self) -> Option<&T> {
        if self.on_heap() {
            return self.heap.front();
        }
        (self.len > 0).then(|| &self.inline[usize::from(self.head)])
    }

    #[inline]
    pub fn front_mut(&mut self) -> Option<&mut T> {
        if self.on_heap() {
            return self.heap.front_mut();
        }
        (self.len > 0).then(|| &mut self.inline[usize::from(self.head)])
    }

    #[inline]
    pub fn back(&self) -> Option<&T> {
        if self.on_heap() {
            return self.heap.back();
        }
        let range = self.inline_range();
        self.inline[range].last()
    }

    #[inline]
    pub fn push_back(&mut self, v: T) {
        if self.on_heap() {
            self.heap.push_back(v);
            return;
        }
        let len = usize::from(self.len);
        if len == N {
            self.move_to_heap(v);
            return;
        }
        if usize::from(self.head) + len == N {
            let range = self.inline_range();
            self.inline.copy_within(range, 0);
            self.head = 0;
        }
        self.inline[usize::from(self.head) + len] = v;
        self.len += 1;
    }

    #[cold]
    fn move_to_heap(&mut self, v: T) {
        let range = self.inline_range();
        self.heap.reserve(2 * N);
        self.heap.extend(&self.inline[range]);
        self.heap.push_back(v);
        self.head = 0;
        self.len = 0;
    }

    #[inline]
    pub fn pop_front(&mut self) -> Option<T> {
        if self.on_heap() {
            return self.heap.pop_front();
        }
        if self.len == 0 {
            return None;
        }
        let v = self.inline[usize::from(self.head)];
        self.len -= 1;
        self.head = if self.len == 0 { 0 } else { self.head + 1 };
        Some(v)
    }

    /// Front to back.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        let range = self.inline_range();
        self.inline[range].iter().chain(self.heap.iter())
    }

    /// Keeps the entries for which `keep` is true, in order.
    pub fn retain_mut(&mut self, mut keep: impl FnMut(&mut T) -> bool) {
        if self.on_heap() {
            self.heap.retain_mut(keep);
            return;
        }
        let mut kept = 0;
        for i in self.inline_range() {
            let mut v = self.inline[i];
            if keep(&mut v) {
                self.inline[kept] = v;
                kept += 1;
            }
        }
        self.head = 0;
        self.len = kept as u8;
    }

    pub fn clear(&mut self) {
        self.heap.clear();
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
    /// The inline entries as the slice they are (a chain of the array and
    /// an empty `VecDeque` costs a hundred instructions even when empty).
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        if self.on_heap() {
            put_list(self.heap.len(), self.heap.iter(), out);
        } else {
            let inline = &self.inline[self.inline_range()];
            put_list(inline.len(), inline.iter(), out);
        }
    }
    fn get(r: &mut Reader) -> Self {
        let mut d = SmallDeque::default();
        let all = Vec::<T>::get(r);
        if all.len() > N {
            d.heap = all.into();
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
        let mut d = SmallDeque::<u32, 3>::default();
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
        assert_eq!(contents(&d), vec![8, 9, 10]);
        assert_eq!(d.heap.capacity(), 0, "three entries never needed the heap");
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
        fn behaves_as_a_vecdeque(ops in proptest::collection::vec((0u8..10, any::<u32>()), 1..200)) {
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
                    _ => if x.is_multiple_of(4) { d.clear(); v.clear(); } else { d.release(); },
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
