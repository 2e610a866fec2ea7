//! `PagedVec`: an append-only array whose oldest elements live in a
//! temporary file. The newest elements are a plain `Vec`; `evict` writes
//! the oldest ones out in order, so element `i` of the file is at byte
//! `i * SIZE`, and reads go through a cache of 16 pages of 4 KiB.
//!
//! Changing an element on disk writes it through at once (these are late
//! packets of old streams, rare); should that write fail, the element is
//! kept in memory instead (`pinned`) and nothing more goes to the file.

use super::file::TempFile;
use super::ColdError;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// A value with a fixed-size byte encoding.
pub(crate) trait Fixed: Copy {
    /// At most 64 (`set_cold` encodes on the stack).
    const SIZE: usize;
    /// Writes exactly `SIZE` bytes at the start of `out`.
    fn put(&self, out: &mut [u8]);
    /// Reads the `SIZE` bytes at the start of `bytes`.
    fn get(bytes: &[u8]) -> Self;
}

impl Fixed for u32 {
    const SIZE: usize = 4;
    fn put(&self, out: &mut [u8]) {
        out[..4].copy_from_slice(&self.to_le_bytes());
    }
    fn get(b: &[u8]) -> u32 {
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }
}

impl Fixed for [u128; 2] {
    const SIZE: usize = 32;
    fn put(&self, out: &mut [u8]) {
        out[..16].copy_from_slice(&self[0].to_le_bytes());
        out[16..32].copy_from_slice(&self[1].to_le_bytes());
    }
    fn get(b: &[u8]) -> [u128; 2] {
        let word = |at: usize| {
            let mut w = [0u8; 16];
            w.copy_from_slice(&b[at..at + 16]);
            u128::from_le_bytes(w)
        };
        [word(0), word(16)]
    }
}

const PAGE_BYTES: usize = 4096;
const CACHE_PAGES: usize = 64;
/// Evicted elements are written this many bytes at a time.
const WRITE_CHUNK: usize = 64 << 10;

pub(crate) struct PagedVec<T: Fixed> {
    /// Elements `cold..`.
    hot: Vec<T>,
    /// Elements `0..cold` are in `file`.
    cold: u64,
    file: TempFile,
    cache: RefCell<Cache>,
    /// Elements in the file whose new value could not be written.
    pinned: BTreeMap<u64, T>,
    /// Writing failed: everything stays in memory from then on.
    off: Option<ColdError>,
}

impl<T: Fixed> Default for PagedVec<T> {
    fn default() -> PagedVec<T> {
        PagedVec {
            hot: Vec::new(),
            cold: 0,
            file: TempFile::default(),
            cache: RefCell::new(Cache::default()),
            pinned: BTreeMap::new(),
            off: None,
        }
    }
}

impl<T: Fixed> PagedVec<T> {
    const PER_PAGE: u64 = {
        let n = PAGE_BYTES / T::SIZE;
        if n == 0 {
            1
        } else {
            n as u64
        }
    };

    pub fn len(&self) -> u64 {
        self.cold + self.hot.len() as u64
    }

    /// Elements in memory.
    pub fn hot_len(&self) -> usize {
        self.hot.len()
    }

    /// Elements in the file.
    pub fn cold_len(&self) -> u64 {
        self.cold
    }

    pub fn push(&mut self, v: T) {
        self.hot.push(v);
    }

    /// Element `i`; an error when it is in the file and cannot be read
    /// back, or does not exist.
    #[inline]
    pub fn get(&self, i: u64) -> Result<T, ColdError> {
        match i.checked_sub(self.cold) {
            Some(h) => self
                .hot
                .get(h as usize)
                .copied()
                .ok_or(ColdError::Corrupt { offset: i }),
            None => self.get_cold(i),
        }
    }

    /// Sets element `i` (which exists).
    #[inline]
    pub fn set(&mut self, i: u64, v: T) {
        match i.checked_sub(self.cold) {
            Some(h) => {
                if let Some(e) = self.hot.get_mut(h as usize) {
                    *e = v;
                }
            }
            None => self.set_cold(i, v),
        }
    }

    #[inline(never)]
    fn get_cold(&self, i: u64) -> Result<T, ColdError> {
        if let Some(v) = self.pinned.get(&i) {
            return Ok(*v);
        }
        let page = i / Self::PER_PAGE;
        let at = (i % Self::PER_PAGE) as usize * T::SIZE;
        let mut cache = self.cache.borrow_mut();
        let bytes = cache.page(page, |buf| {
            let first = page * Self::PER_PAGE;
            let n = Self::PER_PAGE.min(self.cold - first) as usize;
            buf.resize(n * T::SIZE, 0);
            self.file.read_at(buf, first * T::SIZE as u64)
        })?;
        let bytes = bytes
            .get(at..at + T::SIZE)
            .ok_or(ColdError::Corrupt { offset: i })?;
        Ok(T::get(bytes))
    }

    fn set_cold(&mut self, i: u64, v: T) {
        let mut bytes = [0u8; 64];
        let bytes = &mut bytes[..T::SIZE];
        v.put(bytes);
        let at = (i % Self::PER_PAGE) as usize * T::SIZE;
        self.cache.get_mut().update(i / Self::PER_PAGE, at, bytes);
        if self.off.is_none() {
            match self.file.write_at(bytes, i * T::SIZE as u64) {
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
        let n = n.min(self.hot.len());
        let mut buf = Vec::with_capacity(WRITE_CHUNK);
        let per_chunk = (WRITE_CHUNK / T::SIZE).max(1);
        let mut offset = self.cold * T::SIZE as u64;
        for chunk in self.hot[..n].chunks(per_chunk) {
            buf.clear();
            buf.resize(chunk.len() * T::SIZE, 0);
            for (v, out) in chunk.iter().zip(buf.chunks_exact_mut(T::SIZE)) {
                v.put(out);
            }
            if let Err(e) = self.file.write_at(&buf, offset) {
                self.off = Some(e);
                return false;
            }
            offset += buf.len() as u64;
        }
        self.hot.drain(..n);
        self.cold += n as u64;
        // The cached last page held fewer elements than it does now.
        self.cache.get_mut().clear();
        true
    }

    /// Why nothing goes to the file any more.
    pub fn off(&self) -> Option<&ColdError> {
        self.off.as_ref()
    }

    pub fn take_off(&mut self) -> Option<ColdError> {
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
        fill: impl FnOnce(&mut Vec<u8>) -> Result<(), ColdError>,
    ) -> Result<&[u8], ColdError> {
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
        let mut v = PagedVec::<u32>::default();
        for i in 0..10_000u32 {
            v.push(i * 3);
            if i % 1000 == 999 {
                assert!(v.evict(700));
            }
        }
        assert_eq!(v.len(), 10_000);
        assert!(v.cold_len() == 7000 && v.hot_len() == 3000);
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
        let mut v = PagedVec::<[u128; 2]>::default();
        for i in 0..300u128 {
            v.push([i, !i]);
        }
        assert!(v.evict(200));
        assert_eq!(v.get(150).expect("read"), [150, !150]);
        v.damage();
        assert!(matches!(v.get(150), Err(ColdError::Read { .. })));
        assert_eq!(v.get(250).expect("in memory"), [250, !250]);
    }
}
