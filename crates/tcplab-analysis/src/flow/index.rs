//! The in-memory index of the stream table (`streams.rs`): from a key's
//! hash to the latest stream on it, open addressing with linear probing
//! over 8-byte buckets (`Bucket`: the top 32 bits of the hash and the
//! stream). A new key goes first in its probe sequence (`put_first`), so
//! that the newest streams, which most lookups ask for, take one probe.
//!
//! In: hashes, keys and streams to put. Out: bucket positions. Not here:
//! finding keys among the old streams on disk (`streams.rs`, `evict.rs`).

use super::key::Key;
use super::streams::{has_key, Streams};

impl Streams {
    /// The bucket that holds `key`, or the empty one where it would go.
    #[inline]
    pub(super) fn bucket_of(&self, key: &Key, hash: u64) -> usize {
        let mask = self.buckets.len() - 1;
        let tag = Bucket::tag_of(hash);
        let mut i = Bucket::home(tag, self.buckets.len());
        loop {
            let b = Bucket(self.buckets[i]);
            match b.stream() {
                None => return i,
                // Streams in the buckets are in memory: `has_key` cannot fail.
                Some(id)
                    if b.tag() == tag
                        && matches!(has_key(&self.recs, &self.v6, id, key), Ok(true)) =>
                {
                    return i
                }
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Puts a new key's bucket `b` first in its probe sequence, at its
    /// home, and moves the buckets from there up to `empty` (where a probe
    /// for the key from its home ended) one place further. Lookups mostly
    /// ask for the newest streams (a short connection's packets come soon
    /// after its first), and a new key put last, at the end of its
    /// cluster, took as many probes as a failed search every time: 3.3 a
    /// lookup on the million-connection cut, against 1.3 now ("last come,
    /// first served" linear probing; the same index, the same load). A
    /// bucket moved one place further stays found: every bucket between
    /// its home and its new place is full.
    pub(super) fn put_first(&mut self, b: Bucket, empty: usize) {
        let mask = self.buckets.len() - 1;
        let mut i = Bucket::home(b.tag(), self.buckets.len());
        let mut carry = b.0;
        while i != empty {
            carry = std::mem::replace(&mut self.buckets[i], carry);
            i = (i + 1) & mask;
        }
        self.buckets[empty] = carry;
    }

    /// Doubles the index and puts the latest stream of each key back in.
    pub(super) fn grow(&mut self) {
        let old = std::mem::take(&mut self.buckets);
        self.buckets = vec![0; (old.len() * 2).max(64)];
        self.reinsert(old.into_iter());
    }

    /// Puts `buckets` (one per key; empty ones are skipped) back into the
    /// index, each in the first empty bucket from its home: their hash
    /// bits say where, without reading or hashing a key.
    pub(super) fn reinsert(&mut self, buckets: impl Iterator<Item = u64>) {
        self.vacant = None;
        let (len, mask) = (self.buckets.len(), self.buckets.len() - 1);
        for b in buckets.filter(|&b| b != 0) {
            let mut i = Bucket::home(Bucket(b).tag(), len);
            while self.buckets[i] != 0 {
                i = (i + 1) & mask;
            }
            self.buckets[i] = b;
        }
    }
}

/// One bucket of the index: the top 32 bits of the key's hash (its tag)
/// above `stream + 1`, so that 0 is an empty bucket. The tag also gives
/// the bucket's home (its top bits), which grows with the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Bucket(pub(super) u64);

impl Bucket {
    #[inline]
    pub(super) fn new(hash: u64, stream: u32) -> Bucket {
        Bucket((u64::from(Bucket::tag_of(hash)) << 32) | (u64::from(stream) + 1))
    }

    #[inline]
    pub(super) fn tag_of(hash: u64) -> u32 {
        (hash >> 32) as u32
    }

    #[inline]
    pub(super) fn tag(self) -> u32 {
        (self.0 >> 32) as u32
    }

    /// The stream, `None` for an empty bucket.
    #[inline]
    pub(super) fn stream(self) -> Option<u32> {
        (self.0 as u32).checked_sub(1)
    }

    /// Where a probe for `tag` starts in an index of `len` buckets: the
    /// tag scaled to `len` (its top bits when `len` is a power of two).
    #[inline]
    pub(super) fn home(tag: u32, len: usize) -> usize {
        ((u64::from(tag) * len as u64) >> 32) as usize
    }
}
