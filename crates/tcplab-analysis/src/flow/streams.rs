//! The memory behind `FlowTable`: one compact record per stream and an
//! index from 4-tuple to the latest stream on it.
//!
//! In: keys (4-tuples) to find, new streams to open on a key, numbering
//! state (`Meta`) to read and update. Out: stream ids and their `Meta`, or
//! a `DiskError` when an old stream cannot be read back. Not here: the
//! numbering rules (`table.rs`) and the files themselves (`crate::disk`).
//!
//! Wireshark never forgets a conversation: a packet that comes back on a
//! 4-tuple hours later still joins the stream that last used it (or opens a
//! new one, by the port-reuse rules in `table.rs`). So nothing here is ever
//! dropped; instead, old streams go to disk (`crate::disk`, the old
//! streams' file):
//!
//! - records: 21 bytes per stream (IPv6 streams 32 more, in a side table),
//!   in `PagedVec`s: the newest in memory, older ones in a temporary file;
//! - the index (`index.rs`): an open-addressing table in memory (8-byte buckets: the
//!   top 32 bits of the key's hash and the stream, load 3/8 to 3/4; a
//!   new key goes first in its probe sequence, `put_first`) for
//!   the streams from `hot_from` on; the older ones are in `RunIndex`,
//!   sorted runs on disk (`evict.rs`). A probe compares the stored hash
//!   bits first, so it reads a stream's record only when they match (once
//!   in four billion by chance), and growing the index hashes nothing.
//!
//! At most `max_hot` streams (counting an IPv6 one twice) are in memory:
//! when there are more, the older half goes to disk. Below that, nothing
//! touches the disk and a lookup costs what it always did.

use super::hasher::SeededFx;
use super::index::Bucket;
use super::key::Key;
use crate::disk::{DiskError, DiskFile, Fixed, PagedVec, Reader, RunIndex, Sink};

/// Bits of `StreamRec::flags`.
pub(super) const V6: u8 = 1;
/// The stream's first packet came from the `high` endpoint.
const A_IS_HIGH: u8 = 2;
/// `base[0]` (side a) and `base[1]` (side b) are set.
const BASE_SET: [u8; 2] = [4, 8];
/// A `Key::Tunneled` stream (with `V6`): `high_addr` holds the tunnel.
const TUNNEL: u8 = 16;

/// What is kept of each stream: its 4-tuple and what numbering needs.
#[derive(Clone, Copy)]
#[repr(C, packed)]
pub(super) struct StreamRec {
    /// IPv4: the low and high addresses. IPv6: `low_addr` indexes `v6`
    /// (and, in a tunnel, `high_addr` is the tunnel's number).
    low_addr: u32,
    high_addr: u32,
    low_port: u16,
    high_port: u16,
    /// Wireshark's base sequence number of side a and side b.
    base: [u32; 2],
    pub(super) flags: u8,
}

/// The fields in order, as in memory (21 bytes).
impl Fixed for StreamRec {
    const SIZE: usize = 21;
    fn put_fixed(&self, out: &mut impl Sink) {
        let (la, ha, lp, hp, base) = (
            self.low_addr,
            self.high_addr,
            self.low_port,
            self.high_port,
            self.base,
        );
        la.put_fixed(out);
        ha.put_fixed(out);
        lp.put_fixed(out);
        hp.put_fixed(out);
        base.put_fixed(out);
        self.flags.put_fixed(out);
    }
    fn get_fixed(r: &mut Reader) -> StreamRec {
        StreamRec {
            low_addr: Fixed::get_fixed(r),
            high_addr: Fixed::get_fixed(r),
            low_port: Fixed::get_fixed(r),
            high_port: Fixed::get_fixed(r),
            base: Fixed::get_fixed(r),
            flags: Fixed::get_fixed(r),
        }
    }
}

/// The numbering state of one stream, as `FlowTable` reads and updates it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Meta {
    /// The first packet came from the key's `high` endpoint.
    pub a_is_high: bool,
    pub base: [Option<u32>; 2],
}

impl Meta {
    /// The numbering state kept in a stream's record.
    #[inline]
    fn of(r: &StreamRec) -> Meta {
        let (flags, base) = (r.flags, r.base);
        Meta {
            a_is_high: flags & A_IS_HIGH != 0,
            base: [0, 1].map(|i| (flags & BASE_SET[i] != 0).then_some(base[i])),
        }
    }

    /// `StreamRec`'s `flags` (`A_IS_HIGH`, `BASE_SET`) and `base` for it.
    fn packed(&self) -> (u8, [u32; 2]) {
        let mut flags = if self.a_is_high { A_IS_HIGH } else { 0 };
        let mut base = [0u32; 2];
        for (i, b) in self.base.iter().enumerate() {
            if let Some(b) = b {
                flags |= BASE_SET[i];
                base[i] = *b;
            }
        }
        (flags, base)
    }
}

/// Slots of the cache of old streams' 4-tuples found recently, by hash (a
/// long-lived connection among many short ones keeps finding its stream
/// here instead of reading the runs; two such keys on one slot take turns).
const RECENT: usize = 1024;

pub(super) struct Streams {
    pub(super) recs: PagedVec<StreamRec>,
    /// The two addresses of each IPv6 stream.
    pub(super) v6: PagedVec<[u128; 2]>,
    /// The latest stream of each key whose latest stream is `hot_from` or
    /// newer, as a [`Bucket`]; 0 is an empty bucket.
    pub(super) buckets: Vec<u64>,
    /// Buckets in use.
    pub(super) hot_keys: usize,
    /// Streams before this one are found through `runs`.
    pub(super) hot_from: u32,
    pub(super) runs: RunIndex,
    /// Old streams' keys found lately and their stream, by hash; emptied at each
    /// eviction (a stream evicted then may be newer than one here).
    pub(super) recent: Vec<Option<(Key, u32)>>,
    pub(super) hasher: SeededFx,
    /// The latest key looked up and its stream, unless a plain IPv4 one
    /// (`remember`): consecutive packets of a bulk transfer mostly belong
    /// to one connection.
    last: Option<(Key, u32)>,
    /// The hash of the latest key `find_hashed` did not find in the
    /// buckets, and the empty bucket its probe ended on: where `push_with`
    /// puts that key next, without probing again. Cleared whenever a
    /// bucket is filled.
    pub(super) vacant: Option<(u64, usize)>,
    pub(super) max_hot: usize,
    /// Eviction failed to write: everything stays in memory since.
    pub(super) off: Option<DiskError>,
}

impl Streams {
    pub fn new(max_hot: usize) -> Streams {
        Streams {
            recs: PagedVec::new(DiskFile::OldStreams),
            v6: PagedVec::new(DiskFile::OldStreams),
            buckets: Vec::new(),
            hot_keys: 0,
            hot_from: 0,
            runs: RunIndex::new(max_hot.saturating_mul(128)),
            recent: Vec::new(),
            hasher: SeededFx::default(),
            last: None,
            vacant: None,
            max_hot,
            off: None,
        }
    }

    pub fn len(&self) -> usize {
        self.recs.len() as usize
    }

    /// The hash `find_hashed` and `push_with` take: computed once per
    /// packet by the caller.
    #[inline]
    pub fn hash(&self, key: &Key) -> u64 {
        key.hash(&self.hasher)
    }

    /// As [`Streams::hash`], for `Key::V4 { low, high }`.
    #[inline]
    pub fn hash_v4(&self, low: (u32, u16), high: (u32, u16)) -> u64 {
        Key::hash_v4(&self.hasher, low, high)
    }

    /// The latest stream on `key`.
    pub fn find(&mut self, key: &Key) -> Result<Option<u32>, DiskError> {
        self.find_hashed(key, self.hash(key))
    }

    /// The stream of `key` if it is the latest key looked up or opened:
    /// consecutive packets mostly belong to one connection, and then no
    /// hash is needed.
    #[inline]
    pub fn latest(&self, key: &Key) -> Option<u32> {
        match &self.last {
            Some((k, id)) if k == key => Some(*id),
            _ => None,
        }
    }

    /// As [`Streams::find`], with `hash == self.hash(key)`.
    #[inline]
    pub fn find_hashed(&mut self, key: &Key, hash: u64) -> Result<Option<u32>, DiskError> {
        self.vacant = None;
        if let Some(id) = self.latest(key) {
            return Ok(Some(id));
        }
        let mut found = None;
        if !self.buckets.is_empty() {
            let i = self.bucket_of(key, hash);
            found = Bucket(self.buckets[i]).stream();
            if found.is_none() {
                self.vacant = Some((hash, i));
            }
        }
        if found.is_none() && !self.runs.is_empty() {
            found = self.find_on_disk(key, hash)?;
        }
        if let Some(id) = found {
            self.remember(key, id);
        }
        Ok(found)
    }

    /// Keeps `key` and its stream `id` as the latest, unless it is a plain
    /// IPv4 key: `FlowTable` keeps those itself, whole (`latest.rs`), and
    /// copying an 80-byte key for nothing cost a tenth of a lookup.
    #[inline]
    fn remember(&mut self, key: &Key, id: u32) {
        if !matches!(key, Key::V4 { .. }) {
            self.last = Some((*key, id));
        }
    }

    /// As [`Streams::find_hashed`] for a plain IPv4 key (`Key::V4 { low,
    /// high }`, `hash` its hash), with the stream's numbering state read in
    /// the same visit to its record: no `Key` is built, and the record is
    /// read once. A plain IPv4 key is never `last` (`remember`).
    #[inline]
    pub fn find_v4(
        &mut self,
        low: (u32, u16),
        high: (u32, u16),
        hash: u64,
    ) -> Result<Option<(u32, Meta)>, DiskError> {
        self.vacant = None;
        let buckets = &self.buckets[..];
        if !buckets.is_empty() {
            let (mask, tag) = (buckets.len() - 1, Bucket::tag_of(hash));
            let mut i = Bucket::home(tag, buckets.len());
            loop {
                let b = Bucket(buckets[i]);
                let Some(id) = b.stream() else {
                    self.vacant = Some((hash, i));
                    break;
                };
                if b.tag() == tag {
                    // Streams in the buckets are in memory: `get` cannot fail.
                    if let Ok(r) = self.recs.get(u64::from(id)) {
                        let (la, ha, lp, hp) = (r.low_addr, r.high_addr, r.low_port, r.high_port);
                        if r.flags & V6 == 0 && (la, lp) == low && (ha, hp) == high {
                            return Ok(Some((id, Meta::of(&r))));
                        }
                    }
                }
                i = (i + 1) & mask;
            }
        }
        if self.runs.is_empty() {
            return Ok(None);
        }
        self.find_v4_on_disk(low, high, hash)
    }

    /// [`Streams::find_v4`] among the old streams (out of line: rare).
    #[inline(never)]
    fn find_v4_on_disk(
        &mut self,
        low: (u32, u16),
        high: (u32, u16),
        hash: u64,
    ) -> Result<Option<(u32, Meta)>, DiskError> {
        match self.find_on_disk(&Key::V4 { low, high }, hash)? {
            Some(id) => Ok(Some((id, self.meta(id)?))),
            None => Ok(None),
        }
    }

    fn find_on_disk(&mut self, key: &Key, hash: u64) -> Result<Option<u32>, DiskError> {
        if self.recent.is_empty() {
            self.recent = vec![None; RECENT];
        }
        let slot = (hash as usize) & (RECENT - 1);
        if let Some((k, id)) = &self.recent[slot] {
            if k == key {
                return Ok(Some(*id));
            }
        }
        let (recs, v6) = (&self.recs, &self.v6);
        let found = self.runs.find(hash, |id| has_key(recs, v6, id, key))?;
        if let Some(id) = found {
            self.recent[slot] = Some((*key, id));
        }
        Ok(found)
    }

    /// Opens stream `len()` on `key`, which becomes the latest on it. An
    /// error when old streams could not be read back while making room.
    pub fn push(&mut self, key: &Key, a_is_high: bool) -> Result<u32, DiskError> {
        let meta = Meta {
            a_is_high,
            base: [None; 2],
        };
        self.push_with(key, self.hash(key), meta)
    }

    /// As [`Streams::push`], with `hash == self.hash(key)` and the new
    /// stream's numbering state already known.
    pub fn push_with(&mut self, key: &Key, hash: u64, meta: Meta) -> Result<u32, DiskError> {
        // Only the probe of the `find_hashed` just before counts (callers
        // find a key, then open a stream on it).
        let mut vacant = self.vacant.take();
        if self.recs.memory_len() + self.v6.memory_len() >= self.max_hot.max(1)
            && self.off().is_none()
        {
            vacant = None;
            self.evict()?;
        }
        if (self.hot_keys + 1) * 4 > self.buckets.len() * 3 {
            vacant = None;
            self.grow();
        }
        let id = self.len() as u32;
        let (low_addr, high_addr, low_port, high_port, v6) = match *key {
            Key::V4 { low, high } => (low.0, high.0, low.1, high.1, 0),
            Key::V6 { low, high } => {
                self.v6.push([low.0, high.0]);
                ((self.v6.len() - 1) as u32, 0, low.1, high.1, V6)
            }
            Key::Tunneled { tunnel, low, high } => {
                self.v6.push([low.0, high.0]);
                (
                    (self.v6.len() - 1) as u32,
                    tunnel,
                    low.1,
                    high.1,
                    V6 | TUNNEL,
                )
            }
        };
        let (flags, base) = meta.packed();
        self.recs.push(StreamRec {
            low_addr,
            high_addr,
            low_port,
            high_port,
            base,
            flags: v6 | flags,
        });
        // The key's older stream, if `recent` remembers it, is no longer the
        // latest (the in-memory index is asked first today; this keeps
        // `recent` right whatever the order).
        if let Some(r) = self.recent.get_mut(hash as usize & (RECENT - 1)) {
            if r.as_ref().is_some_and(|(k, _)| k == key) {
                *r = None;
            }
        }
        let i = match vacant {
            // The probe `find_hashed` just made for this key (nothing has
            // filled a bucket since) ended here.
            Some((h, i)) if h == hash && self.buckets.get(i) == Some(&0) => i,
            _ => self.bucket_of(key, hash),
        };
        if self.buckets[i] == 0 {
            self.hot_keys += 1;
            self.put_first(Bucket::new(hash, id), i);
        } else {
            // The key's older stream (port reuse): its bucket, in place.
            self.buckets[i] = Bucket::new(hash, id).0;
        }
        self.remember(key, id);
        Ok(id)
    }

    pub fn meta(&self, id: u32) -> Result<Meta, DiskError> {
        Ok(Meta::of(&self.recs.get(u64::from(id))?))
    }

    /// Sets the bases of stream `id` (its `a_is_high` never changes).
    pub fn set_meta(&mut self, id: u32, m: Meta) -> Result<(), DiskError> {
        let mut r = self.recs.get(u64::from(id))?;
        let (flags, base) = m.packed();
        r.flags = r.flags & (V6 | TUNNEL | A_IS_HIGH) | flags & !A_IS_HIGH;
        r.base = base;
        self.recs.set(u64::from(id), r);
        Ok(())
    }

    pub(super) fn key_at(&self, id: u32) -> Result<Key, DiskError> {
        key_at(&self.recs, &self.v6, id)
    }

    /// Why some old streams stay in memory (writing them out failed).
    pub fn off(&self) -> Option<&DiskError> {
        self.off
            .as_ref()
            .or(self.recs.off())
            .or(self.v6.off())
            .or(self.runs.off())
    }

    pub fn take_off(&mut self) -> Option<DiskError> {
        self.off
            .take()
            .or_else(|| self.recs.take_off())
            .or_else(|| self.v6.take_off())
            .or_else(|| self.runs.take_off())
    }
}

/// Stream `id` is on `key`.
#[inline]
pub(super) fn has_key(
    recs: &PagedVec<StreamRec>,
    v6: &PagedVec<[u128; 2]>,
    id: u32,
    key: &Key,
) -> Result<bool, DiskError> {
    let r = recs.get(u64::from(id))?;
    let (la, ha, lp, hp, flags) = (r.low_addr, r.high_addr, r.low_port, r.high_port, r.flags);
    Ok(match *key {
        Key::V4 { low, high } => flags & V6 == 0 && (la, lp) == low && (ha, hp) == high,
        Key::V6 { low, high } => {
            flags & (V6 | TUNNEL) == V6
                && (lp, hp) == (low.1, high.1)
                && v6.get(u64::from(la))? == [low.0, high.0]
        }
        Key::Tunneled { tunnel, low, high } => {
            flags & TUNNEL != 0
                && ha == tunnel
                && (lp, hp) == (low.1, high.1)
                && v6.get(u64::from(la))? == [low.0, high.0]
        }
    })
}

/// The key of stream `id`.
fn key_at(recs: &PagedVec<StreamRec>, v6: &PagedVec<[u128; 2]>, id: u32) -> Result<Key, DiskError> {
    let r = recs.get(u64::from(id))?;
    let (la, ha, lp, hp) = (r.low_addr, r.high_addr, r.low_port, r.high_port);
    if r.flags & V6 == 0 {
        Ok(Key::V4 {
            low: (la, lp),
            high: (ha, hp),
        })
    } else {
        let [l, h] = v6.get(u64::from(la))?;
        let (low, high) = ((l, lp), (h, hp));
        Ok(if r.flags & TUNNEL != 0 {
            Key::Tunneled {
                tunnel: ha,
                low,
                high,
            }
        } else {
            Key::V6 { low, high }
        })
    }
}
