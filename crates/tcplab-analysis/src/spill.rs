//! The spill file: connections' analysis state (encoded by `codec.rs`)
//! kept on disk instead of in memory, in an unnamed temporary file
//! (`tempfile::tempfile()`: in `$TMPDIR`, else /tmp; the kernel deletes it
//! when tcplab exits, even when it is killed).
//!
//! The file is a row of slots, each starting at a multiple of 64 bytes: an
//! 8-byte header (payload length and capacity, u32 little-endian), then the
//! payload. A slot is named by its offset / 64, a `u32` below 2^31, so the
//! file may grow to 128 GiB: about 180 million connections of ~720 bytes
//! (the padding costs about 4 %). Past that, connections stay in memory
//! (`store.rs`). A connection read back and sent out again returns to its own
//! slot when it still fits; a slot that is outgrown is abandoned for one a
//! quarter larger than needed. So a capture whose busy connections
//! outnumber the in-memory limit rewrites slots rather than growing the file.
//!
//! Writes are gathered in a 256 KiB buffer; slots still in it are read from
//! it. `SpillReader` reads back in bulk while slots are read in file order.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use thiserror::Error;

const UNIT: u64 = 64;
const HEADER: usize = 8;
const FLUSH_AT: usize = 256 << 10;
/// Slot numbers are `u32`s below 2^31 (the top bit is the store's).
const MAX_SLOTS: u64 = 1 << 31;
/// The first read of a slot on its own: most connections fit in it.
const SMALL_READ: usize = 1 << 10;
/// A read of slots in file order.
const BULK_READ: usize = 256 << 10;

#[derive(Debug, Error)]
pub enum SpillError {
    #[error("cannot create a temporary file in {} for the connections that do not fit in memory: {source}; set TMPDIR to a writable directory", dir.display())]
    Create { dir: PathBuf, source: io::Error },
    #[error("writing the temporary file of connections at byte {offset}: {source}; set TMPDIR to a directory with more free space")]
    Write { offset: u64, source: io::Error },
    #[error("reading back the temporary file of connections at byte {offset}: {source}")]
    Read { offset: u64, source: io::Error },
    #[error(
        "the temporary file of connections is damaged at byte {offset} (changed by someone else?)"
    )]
    Corrupt { offset: u64 },
    #[error("the temporary file of connections reached its limit of 32 GiB")]
    Full,
    /// The table of old streams (`crate::cold`) could not be read back.
    #[error(transparent)]
    Cold(#[from] crate::cold::ColdError),
}

/// Where a connection's state is in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    pub index: u32,
    cap: u32,
}

impl Slot {
    fn offset(self) -> u64 {
        u64::from(self.index) * UNIT
    }
}

fn round_up(n: u64) -> u64 {
    n.div_ceil(UNIT) * UNIT
}

fn header(bytes: &[u8]) -> (u32, u32) {
    let word = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (word(0), word(4))
}

#[derive(Default)]
pub(crate) struct SpillFile {
    /// Made at the first flush.
    file: Option<File>,
    /// Bytes of the file from `flushed` on, not written yet.
    pending: Vec<u8>,
    flushed: u64,
    /// A slot being rewritten in place.
    patch: Vec<u8>,
}

impl SpillFile {
    /// Bytes written so far (what the file will hold).
    pub fn len(&self) -> u64 {
        self.flushed + self.pending.len() as u64
    }

    /// Writes `payload` into `old` if it fits there, else into a new slot.
    pub fn store(&mut self, payload: &[u8], old: Option<Slot>) -> Result<Slot, SpillError> {
        let len = u32::try_from(payload.len()).map_err(|_| SpillError::Full)?;
        if let Some(slot) = old.filter(|s| len <= s.cap) {
            self.write_at(slot.offset(), len, slot.cap, payload)?;
            return Ok(slot);
        }
        // A connection that comes back tends to grow: leave it room.
        let room = if old.is_some() { len / 4 } else { 0 };
        let start = self.len();
        let end = round_up(start + HEADER as u64 + u64::from(len) + u64::from(room));
        if end / UNIT > MAX_SLOTS {
            return Err(SpillError::Full);
        }
        let slot = Slot {
            index: (start / UNIT) as u32,
            cap: (end - start) as u32 - HEADER as u32,
        };
        self.pending.extend_from_slice(&len.to_le_bytes());
        self.pending.extend_from_slice(&slot.cap.to_le_bytes());
        self.pending.extend_from_slice(payload);
        self.pending.resize((end - self.flushed) as usize, 0);
        if self.pending.len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(slot)
    }

    fn write_at(
        &mut self,
        offset: u64,
        len: u32,
        cap: u32,
        payload: &[u8],
    ) -> Result<(), SpillError> {
        let mut head = [0u8; HEADER];
        head[..4].copy_from_slice(&len.to_le_bytes());
        head[4..].copy_from_slice(&cap.to_le_bytes());
        if offset >= self.flushed {
            let at = (offset - self.flushed) as usize;
            self.pending[at..at + HEADER].copy_from_slice(&head);
            self.pending[at + HEADER..at + HEADER + payload.len()].copy_from_slice(payload);
            return Ok(());
        }
        // One write for header and payload.
        self.patch.clear();
        self.patch.extend_from_slice(&head);
        self.patch.extend_from_slice(payload);
        let file = self.file.as_ref().ok_or(SpillError::Corrupt { offset })?;
        file.write_all_at(&self.patch, offset)
            .map_err(|source| SpillError::Write { offset, source })
    }

    fn flush(&mut self) -> Result<(), SpillError> {
        if self.file.is_none() {
            let file = tempfile::tempfile().map_err(|source| SpillError::Create {
                dir: std::env::temp_dir(),
                source,
            })?;
            self.file = Some(file);
        }
        if let Some(file) = &self.file {
            file.write_all_at(&self.pending, self.flushed)
                .map_err(|source| SpillError::Write {
                    offset: self.flushed,
                    source,
                })?;
        }
        self.flushed += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// Reads slot `index` into `buf` (just the payload).
    pub fn load(&self, index: u32, buf: &mut Vec<u8>) -> Result<Slot, SpillError> {
        let offset = u64::from(index) * UNIT;
        if offset >= self.flushed {
            let at = ((offset - self.flushed) as usize).min(self.pending.len());
            let (payload, slot) = self.parse(&self.pending[at..], index)?;
            buf.clear();
            buf.extend_from_slice(payload);
            return Ok(slot);
        }
        self.read(offset, SMALL_READ, buf)?;
        let (len, _) = self.parse_header(buf, offset)?;
        if HEADER + len > buf.len() {
            self.read(offset, HEADER + len, buf)?;
        }
        let (_, slot) = self.parse(buf, index)?;
        buf.copy_within(HEADER..HEADER + len, 0);
        buf.truncate(len);
        Ok(slot)
    }

    /// Reads up to `want` bytes of the file from `offset` into `buf` (replacing it).
    fn read(&self, offset: u64, want: usize, buf: &mut Vec<u8>) -> Result<(), SpillError> {
        let n = want.min((self.flushed - offset) as usize);
        buf.resize(n, 0);
        let file = self.file.as_ref().ok_or(SpillError::Corrupt { offset })?;
        file.read_exact_at(buf, offset)
            .map_err(|source| SpillError::Read { offset, source })
    }

    fn parse_header(&self, bytes: &[u8], offset: u64) -> Result<(usize, u32), SpillError> {
        if bytes.len() < HEADER {
            return Err(SpillError::Corrupt { offset });
        }
        let (len, cap) = header(bytes);
        if len > cap {
            return Err(SpillError::Corrupt { offset });
        }
        Ok((len as usize, cap))
    }

    /// The payload of the slot at the start of `bytes`.
    fn parse<'a>(&self, bytes: &'a [u8], index: u32) -> Result<(&'a [u8], Slot), SpillError> {
        let offset = u64::from(index) * UNIT;
        let (len, cap) = self.parse_header(bytes, offset)?;
        let payload = bytes
            .get(HEADER..HEADER + len)
            .ok_or(SpillError::Corrupt { offset })?;
        Ok((payload, Slot { index, cap }))
    }

    pub fn reader(&self) -> SpillReader<'_> {
        SpillReader {
            spill: self,
            window: Vec::new(),
            start: 0,
            served: 0,
            single: Vec::new(),
        }
    }
}

/// Reads slots back: a 256 KiB window at a time while they are asked for
/// roughly in file order (and the window pays off), one slot at a time
/// otherwise, so that scattered slots never cost a bulk read each.
pub(crate) struct SpillReader<'a> {
    spill: &'a SpillFile,
    /// File bytes from `start`.
    window: Vec<u8>,
    start: u64,
    /// Bytes of the window handed out so far.
    served: usize,
    /// The last slot read on its own.
    single: Vec<u8>,
}

impl SpillReader<'_> {
    /// The payload of slot `index`.
    pub fn payload(&mut self, index: u32) -> Result<&[u8], SpillError> {
        let spill = self.spill;
        let offset = u64::from(index) * UNIT;
        if offset >= spill.flushed {
            let at = ((offset - spill.flushed) as usize).min(spill.pending.len());
            return spill.parse(&spill.pending[at..], index).map(|(p, _)| p);
        }
        let end = self.start + self.window.len() as u64;
        let in_window = offset >= self.start && offset + HEADER as u64 <= end;
        if !in_window {
            // Just past the window, and the window was worth reading: the next one.
            let ahead = offset >= self.start && offset < end + BULK_READ as u64;
            let worth = self.served * 4 >= self.window.len();
            if !(ahead && worth) {
                spill.load(index, &mut self.single)?;
                return Ok(&self.single);
            }
            self.fill(offset, BULK_READ)?;
        }
        let at = (offset - self.start) as usize;
        let (len, _) = spill.parse_header(&self.window[at..], offset)?;
        if at + HEADER + len > self.window.len() {
            self.fill(offset, (HEADER + len).max(BULK_READ))?;
        }
        let at = (offset - self.start) as usize;
        let (payload, _) = spill.parse(&self.window[at..], index)?;
        self.served += HEADER + payload.len();
        Ok(payload)
    }

    fn fill(&mut self, offset: u64, want: usize) -> Result<(), SpillError> {
        self.start = offset;
        self.served = 0;
        self.spill.read(offset, want, &mut self.window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(n: usize, seed: u8) -> Vec<u8> {
        (0..n).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect()
    }

    #[test]
    fn slots_come_back_from_the_buffer_and_the_file() {
        let mut spill = SpillFile::default();
        let sizes = [0usize, 5, 600, 3000, 70_000, 1];
        let mut slots = Vec::new();
        // Enough to flush several times.
        for round in 0..20u8 {
            for (i, &n) in sizes.iter().enumerate() {
                let p = payload(n, round ^ i as u8);
                slots.push((spill.store(&p, None).expect("stored"), p));
            }
        }
        assert!(spill.flushed > 0 && !spill.pending.is_empty());
        let mut buf = Vec::new();
        for (slot, p) in &slots {
            assert_eq!(spill.load(slot.index, &mut buf).expect("loaded"), *slot);
            assert_eq!(&buf, p);
        }
        let mut reader = spill.reader();
        for (slot, p) in slots.iter().chain(slots.iter().rev()) {
            assert_eq!(reader.payload(slot.index).expect("read"), p.as_slice());
        }
    }

    #[test]
    fn a_slot_is_rewritten_in_place_while_it_fits() {
        let mut spill = SpillFile::default();
        let first = spill.store(&payload(100, 1), None).expect("stored");
        spill.flush().expect("flushed");
        let same = spill.store(&payload(90, 2), Some(first)).expect("stored");
        assert_eq!(same, first);
        let mut buf = Vec::new();
        spill.load(first.index, &mut buf).expect("loaded");
        assert_eq!(buf, payload(90, 2));
        let moved = spill.store(&payload(200, 3), Some(first)).expect("stored");
        assert_ne!(moved.index, first.index);
        assert!(moved.cap >= 250, "room to grow: {moved:?}");
        spill.load(moved.index, &mut buf).expect("loaded");
        assert_eq!(buf, payload(200, 3));
    }
}
