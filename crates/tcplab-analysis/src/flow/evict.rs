//! Making room in the stream table: the older half of the streams in
//! memory goes to disk (`streams.rs`).
//!
//! Order matters for failures. First the index entries of the evicted
//! streams are written as a run; if that fails, nothing has changed and
//! nothing is evicted again (the table simply stays in memory, and says
//! so). Then they leave the in-memory index, and the records go out; if
//! writing records fails, they stay in memory, where the run's lookups
//! find them just as well. The IPv6 addresses of the evicted streams go
//! last, only if their records went, so that a stream in the in-memory
//! index always has its key in memory (its lookups never touch the disk).

use super::index::Bucket;
use super::streams::{Streams, V6};
use crate::disk::DiskError;

impl Streams {
    pub(super) fn evict(&mut self) -> Result<(), DiskError> {
        let hot = self.len() as u32 - self.hot_from;
        let end = self.hot_from + (hot - hot / 2);
        let mut moved = Vec::with_capacity((end - self.hot_from) as usize);
        let mut kept = Vec::with_capacity(hot as usize / 2);
        for &b in &self.buckets {
            match Bucket(b).stream() {
                Some(id) if id < end => moved.push((self.key_at(id)?.hash(&self.hasher), id)),
                Some(_) => kept.push(b),
                None => {}
            }
        }
        match self.runs.add(&mut moved) {
            Ok(()) => {}
            Err(e) if e.is_write() => {
                self.off = Some(e);
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        drop(moved);
        self.buckets.fill(0);
        self.hot_keys = kept.len();
        self.reinsert(kept.into_iter());
        self.hot_from = end;
        self.recent.iter_mut().for_each(|r| *r = None);

        let first = self.recs.disk_len();
        let mut v6_count = 0;
        for id in first..u64::from(end) {
            v6_count += usize::from(self.recs.get(id)?.flags & V6 != 0);
        }
        if self.recs.evict((u64::from(end) - first) as usize) {
            self.v6.evict(v6_count);
        }
        Ok(())
    }
}
