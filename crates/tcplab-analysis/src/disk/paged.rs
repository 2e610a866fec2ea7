//! `PagedVec`: an append-only array whose oldest elements live in a
//! temporary file.
//!
//! In: `Fixed`-size elements, pushed in order; `evict(n)` sends the oldest
//! `n` in memory to the file; `get` and `set` by index, anywhere. Out: the
//! elements, from memory or from the file, or a `DiskError` when the file
//! cannot be read back. The newest elements are a plain `Vec`; the file
//! holds elements `0..disk_len()`, element `i` at byte `i × SIZE`, written
//! `WRITE_CHUNK` (64 KiB) at a time, and reads go through a cache of
//! `CACHE_PAGES` (64) pages of `PAGE_BYTES` (4 KiB). Not here: when to
//! evict (the owner decides), and what the elements mean.
//!
//! Changing an element on disk writes it through at once (a late packet
//! of an old stream, an old connection spilled again: rare); should that
//! write fail, the element is kept in memory instead (`pinned`) and
//! nothing more goes to the file.

use super::temp_file::TempFile;
use super::{DiskError, DiskFile, Fixed};
use std::cell::RefCell;
use std::collections::BTreeMap;

const PAGE_BYTES: usize = 4096;
const CACHE_PAGES: usize = 64;
/// Evicted elements are written this many bytes at a time.
const WRITE_CHUNK: usize = 64 << 10;

pub(crate) struct PagedVec<T: Fixed + Copy> {
    /// Elements `on_disk..`.
    memory: Vec<T>,
    /// Elements `0..on_disk` are in `file`.
    on_disk: u64,
    file: TempFile,
    cache: RefCell<Cache>,
    /// Elements in the file whose new value could not be written.
    pinned: BTreeMap<u64, T>,
    /// Writing failed: everything stays in memory from then on.
    off: Option<DiskError>,
    /// The bytes of an element being written through.
    scratch: Vec<u8>,
}

impl<T: Fixed + Copy> PagedVec<T> {
    const PER_PAGE: u64 = {
        let n = PAGE_BYTES / T::SIZE;
        if n == 0 {
            1
        } else {
            n as u64
        }
    };

    /// An empty array; its file, once made, holds `holds` (for messages).
    pub fn new(holds: DiskFile) -> PagedVec<T> {
        PagedVec {
            memory: Vec::new(),
            on_disk: 0,
            file: TempFile::new(holds),
            cache: RefCell::new(Cache::default()),
            pinned: BTreeMap::new(),
            off: None,
            scratch: Vec::new(),
        }
    }

    pub fn len(&self) -> u64 {
        self.on_disk + self.memory.len() as u64
    }

    /// Elements in memory.
    pub fn memory_len(&self) -> usize {
        self.memory.len()
    }

    /// Elements in the file.
    pub fn disk_len(&self) -> u64 {
        self.on_disk
    }

    pub fn push(&mut self, v: T) {
        self.memory.push(v);
    }

    fn byte_of(i: u64) -> u64 {
        i.saturating_mul(T::SIZE as u64)
    }

    /// Element `i`; an error when it is in the file and cannot be read
    /// back, or does not exist.
    #[inline]
    pub fn get(&self, i: u64) -> Result<T, DiskError> {
        match i.checked_sub(self.on_disk) {
            Some(m) => self
                .memory
                .get(m as usize)
                .copied()
                .ok_or_else(|| self.file.corrupt(Self::byte_of(i))),
            None => self.get_on_disk(i),
        }
    }

    /// Sets element `i` (which exists).
    #[inline]
    pub fn set(&mut self, i: u64, v: T) {
        match i.checked_sub(self.on_disk) {
            Some(m) => {
                if let Some(e) = self.memory.get_mut(m as usize) {
                    *e = v;
                }
            }
            None => self.set_on_disk(i, v),
        }
    }

    #[inline(never)]
    fn get_on_disk(&self, i: u64) -> Result<T, DiskError> {
        if let Some(v) = self.pinned.get(&i) {
            return Ok(*v);
        }
        let page = i / Self::PER_PAGE;
        let mut cache = self.cache.borrow_mut();
        let bytes = cache.page(page, |buf| {
            let first = page * Self::PER_PAGE;
            let n = Self::PER_PAGE.min(self.on_disk - first) as usize;
            buf.resize(n * T::SIZE, 0);
            self.file.read_at(buf, Self::byte_of(first))
        })?;
        T::at(bytes, (i % Self::PER_PAGE) as usize)
            .ok_or_else(|| self.file.corrupt(Self::byte_of(i)))
    }

    fn set_on_disk(&mut self, i: u64, v: T) {
        let bytes = &mut self.scratch;
        bytes.clear();
        v.put_fixed(bytes);
        let at = (i % Self::PER_PAGE) as usize * T::SIZE;
        self.cache.get_mut().update(i / Self::PER_PAGE, at, bytes);
        if self.off.is_none() {
            match self.file.write_at(bytes, Self::byte_of(i)) {
                Ok(()) => {
                    self.pinned.remove(&i);
                    return;
                }
                Err(e) => self.off = Some(e),
            }
        }
        self.pinned.insert(i, v);
    }

    /// Moves the oldest `n` elements in memory to the file. False when
    /// writing fails (or failed before): they stay in memory, and `off`
    /// says why.
    pub fn evict(&mut self, n: usize) -> bool {
        if self.off.is_some() {
            return false;
        }
        let n = n.min(self.memory.len());
        let mut buf = Vec::with_capacity(WRITE_CHUNK);
        let per_chunk = (WRITE_CHUNK / T::SIZE).max(1);
        let mut offset = Self::byte_of(self.on_disk);
        for chunk in self.memory[..n].chunks(per_chunk) {
            buf.clear();
            chunk.iter().for_each(|v| v.put_fixed(&mut buf));
            if let Err(e) = self.file.write_at(&buf, offset) {
                self.off = Some(e);
                return false;
            }
            offset += buf.len() as u64;
        }
        self.memory.drain(..n);
        self.on_disk += n as u64;
        // The cached last page held fewer elements than it does now.
        self.cache.get_mut().clear();
        true
    }

    /// Why nothing goes to the file any more.
    pub fn off(&self) -> Option<&DiskError> {
        self.off.as_ref()
    }

    pub fn take_off(&mut self) -> Option<DiskError> {
        self.off.take()
    }

    #[cfg(test)]
    pub fn damage(&mut self) {
        self.cache.get_mut().clear();
        self.file.damage();
    }
}

/// The least recently used page goes when a new one comes in.
#[derive(Default)]
struct Cache {
    pages: Vec<Cached>,
    clock: u64,
}

struct Cached {
    page: u64,
    used: u64,
    bytes: Vec<u8>,
}

impl Cache {
    fn page(
        &mut self,
        page: u64,
        fill: impl FnOnce(&mut Vec<u8>) -> Result<(), DiskError>,
    ) -> Result<&[u8], DiskError> {
        self.clock += 1;
        let i = match self.pages.iter().position(|c| c.page == page) {
            Some(i) => i,
            None => {
                let i = if self.pages.len() < CACHE_PAGES {
                    self.pages.push(Cached {
                        page,
                        used: 0,
                        bytes: Vec::new(),
                    });
                    self.pages.len() - 1
                } else {
                    let oldest = self.pages.iter().enumerate().min_by_key(|(_, c)| c.used);
                    oldest.map_or(0, |(i, _)| i)
                };
                let c = &mut self.pages[i];
                c.page = page;
                if let Err(e) = fill(&mut c.bytes) {
                    self.pages.swap_remove(i);
                    return Err(e);
                }
                i
            }
        };
        let c = &mut self.pages[i];
        c.used = self.clock;
        Ok(&c.bytes)
    }

    fn update(&mut self, page: u64, at: usize, bytes: &[u8]) {
        if let Some(c) = self.pages.iter_mut().find(|c| c.page == page) {
            if let Some(dst) = c.bytes.get_mut(at..at + bytes.len()) {
                dst.copy_from_slice(bytes);
            }
        }
    }

    fn clear(&mut self) {
        self.pages.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_come_back_from_the_file_and_changes_stick() {
        let mut v = PagedVec::<u32>::new(DiskFile::OldStreams);
        for i in 0..10_000u32 {
            v.push(i * 3);
            if i % 1000 == 999 {
                assert!(v.evict(700));
            }
        }
        assert_eq!(v.len(), 10_000);
        assert!(v.disk_len() == 7000 && v.memory_len() == 3000);
        for i in (0..10_000u64).rev().step_by(7).chain(0..10_000) {
            assert_eq!(v.get(i).expect("read"), i as u32 * 3);
        }
        v.set(5, 1);
        v.set(9999, 2);
        assert_eq!((v.get(5).expect("5"), v.get(9999).expect("9999")), (1, 2));
        v.cache.get_mut().clear();
        assert_eq!(v.get(5).expect("from the file"), 1);
        assert!(v.get(10_000).is_err());
    }

    #[test]
    fn a_file_that_cannot_be_read_back_is_an_error() {
        let mut v = PagedVec::<[u128; 2]>::new(DiskFile::OldStreams);
        for i in 0..300u128 {
            v.push([i, !i]);
        }
        assert!(v.evict(200));
        assert_eq!(v.get(150).expect("read"), [150, !150]);
        v.damage();
        assert!(matches!(v.get(150), Err(DiskError::Read { .. })));
        assert_eq!(v.get(250).expect("in memory"), [250, !250]);
    }
}
