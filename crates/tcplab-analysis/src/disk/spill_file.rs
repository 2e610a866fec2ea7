//! The spill file: the analysis state of the connections that do not fit
//! in memory, in an unnamed temporary file (`TempFile`).
//!
//! In: payloads (a connection encoded with `Code`), each written into a
//! new slot or back into the slot it came from. Out: a `Slot` per payload,
//! and the payload again when its slot is asked for, one at a time
//! (`load`) or in file order (`SpillReader`); a `DiskError` when the file
//! cannot be written (the caller keeps the connection in memory) or read
//! back. Not here: which connections go out (`crate::connections`), nor
//! what a payload means.
//!
//! The file is a row of slots, each starting at a multiple of `UNIT` (64)
//! bytes: an 8-byte header (payload length and capacity, two `u32`s), then
//! the payload. A slot is named by its offset / 64, a `u32` below 2^31
//! (`MAX_SLOTS`; the top bit is `crate::connections`'), so the file may
//! grow to `LIMIT_BYTES`, 2^31 × 64 bytes = 128 GiB: about 130 million
//! connections of ~1,000 bytes (the padding costs about 3 %). Past that,
//! `store` says `DiskError::Full` and connections stay in memory. A
//! connection read back and sent out again returns to its own slot when it
//! still fits; a slot that is outgrown is abandoned for one a quarter
//! larger than needed. So a capture whose busy connections outnumber the
//! in-memory limit rewrites slots rather than growing the file.
//!
//! Writes are gathered in a `FLUSH_AT` (256 KiB) buffer; slots still in it
//! are read from it. A slot read on its own is read `SMALL_READ` (1 KiB)
//! first, the rest after if it is longer; `SpillReader` reads `BULK_READ`
//! (256 KiB) at a time while slots are read in file order.

use super::temp_file::TempFile;
use super::{DiskError, DiskFile, Fixed, Stack};

const UNIT: u64 = 64;
/// A slot's payload length and capacity.
type Header = (u32, u32);
const HEADER: usize = <Header as Fixed>::SIZE;
const FLUSH_AT: usize = 256 << 10;
/// Slot numbers are `u32`s below 2^31 (the top bit is `crate::connections`').
const MAX_SLOTS: u64 = 1 << 31;
/// The size the file may reach.
pub(super) const LIMIT_BYTES: u64 = MAX_SLOTS * UNIT;
/// The first read of a slot on its own: most connections fit in it.
const SMALL_READ: usize = 1 << 10;
/// A read of slots in file order.
const BULK_READ: usize = 256 << 10;

/// Where a connection's state is in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    pub index: u32,
    cap: u32,
}

impl Slot {
    /// The byte where slot `index` starts.
    pub fn offset_of(index: u32) -> u64 {
        u64::from(index) * UNIT
    }

    fn offset(self) -> u64 {
        Slot::offset_of(self.index)
    }
}

fn round_up(n: u64) -> u64 {
    n.div_ceil(UNIT) * UNIT
}

/// A slot's header: the payload's length and the slot's capacity.
fn header(len: u32, cap: u32) -> [u8; HEADER] {
    let mut b = Stack::<HEADER>::new();
    (len, cap).put_fixed(&mut b);
    *b.full()
}

pub(crate) struct SpillFile {
    /// Made at the first flush.
    file: TempFile,
    /// Bytes of the file from `flushed` on, not written yet.
    pending: Vec<u8>,
    flushed: u64,
    /// A slot being rewritten in place.
    patch: Vec<u8>,
    /// The payload of a slot being rewritten, while it is encoded.
    scratch: Vec<u8>,
}

impl Default for SpillFile {
    fn default() -> SpillFile {
        SpillFile {
            file: TempFile::new(DiskFile::SpilledConnections),
            pending: Vec::new(),
            flushed: 0,
            patch: Vec::new(),
            scratch: Vec::new(),
        }
    }
}

impl SpillFile {
    /// Bytes written so far (what the file will hold).
    pub fn len(&self) -> u64 {
        self.flushed + self.pending.len() as u64
    }

    /// Writes `payload` into `old` if it fits there, else into a new slot.
    #[cfg(test)]
    pub fn store(&mut self, payload: &[u8], old: Option<Slot>) -> Result<Slot, DiskError> {
        self.store_with(old, |out| out.extend_from_slice(payload))
    }

    /// As `store`, for the payload that `encode` appends to the `Vec` it
    /// is given: a new slot's payload is encoded in place in the write
    /// buffer, never copied (a rewritten slot's goes through a scratch
    /// buffer, since its length decides where it goes).
    pub fn store_with(
        &mut self,
        old: Option<Slot>,
        encode: impl FnOnce(&mut Vec<u8>),
    ) -> Result<Slot, DiskError> {
        if let Some(old) = old {
            let mut payload = std::mem::take(&mut self.scratch);
            payload.clear();
            encode(&mut payload);
            let stored = self.store_again(&payload, old);
            self.scratch = payload;
            return stored;
        }
        let (start, at) = (self.len(), self.pending.len());
        self.pending.extend_from_slice(&[0; HEADER]);
        encode(&mut self.pending);
        let len = self.pending.len() - at - HEADER;
        match SpillFile::new_slot(start, len, 0) {
            Ok((slot, end)) => {
                self.pending[at..at + HEADER].copy_from_slice(&header(len as u32, slot.cap));
                self.pending.resize((end - self.flushed) as usize, 0);
                if self.pending.len() >= FLUSH_AT {
                    self.flush()?;
                }
                Ok(slot)
            }
            Err(e) => {
                self.pending.truncate(at);
                Err(e)
            }
        }
    }

    /// `payload` back into `old` if it fits there, else at the end with a
    /// quarter more room: a connection that comes back tends to grow.
    fn store_again(&mut self, payload: &[u8], old: Slot) -> Result<Slot, DiskError> {
        let len = u32::try_from(payload.len()).map_err(|_| DiskError::Full)?;
        if len <= old.cap {
            self.write_at(old.offset(), len, old.cap, payload)?;
            return Ok(old);
        }
        let (slot, end) = SpillFile::new_slot(self.len(), payload.len(), len / 4)?;
        self.pending.extend_from_slice(&header(len, slot.cap));
        self.pending.extend_from_slice(payload);
        self.pending.resize((end - self.flushed) as usize, 0);
        if self.pending.len() >= FLUSH_AT {
            self.flush()?;
        }
        Ok(slot)
    }

    /// The slot that starts at byte `start` of the file (its end), for
    /// `len` bytes of payload and `room` more, and the file's end after it.
    fn new_slot(start: u64, len: usize, room: u32) -> Result<(Slot, u64), DiskError> {
        let len = u32::try_from(len).map_err(|_| DiskError::Full)?;
        let end = round_up(start + HEADER as u64 + u64::from(len) + u64::from(room));
        if end / UNIT > MAX_SLOTS {
            return Err(DiskError::Full);
        }
        let slot = Slot {
            index: (start / UNIT) as u32,
            cap: (end - start) as u32 - HEADER as u32,
        };
        Ok((slot, end))
    }

    fn write_at(
        &mut self,
        offset: u64,
        len: u32,
        cap: u32,
        payload: &[u8],
    ) -> Result<(), DiskError> {
        // Header and payload in one piece: one write.
        self.patch.clear();
        (len, cap).put_fixed(&mut self.patch);
        self.patch.extend_from_slice(payload);
        if offset >= self.flushed {
            let at = (offset - self.flushed) as usize;
            self.pending[at..at + self.patch.len()].copy_from_slice(&self.patch);
            return Ok(());
        }
        self.file.write_at(&self.patch, offset)
    }

    fn flush(&mut self) -> Result<(), DiskError> {
        self.file.write_at(&self.pending, self.flushed)?;
        self.flushed += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// Reads slot `index` into `buf` (just the payload).
    pub fn load(&self, index: u32, buf: &mut Vec<u8>) -> Result<Slot, DiskError> {
        let offset = Slot::offset_of(index);
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
    fn read(&self, offset: u64, want: usize, buf: &mut Vec<u8>) -> Result<(), DiskError> {
        let n = want.min((self.flushed - offset) as usize);
        buf.resize(n, 0);
        self.file.read_at(buf, offset)
    }

    fn parse_header(&self, bytes: &[u8], offset: u64) -> Result<(usize, u32), DiskError> {
        match Header::at(bytes, 0) {
            Some((len, cap)) if len <= cap => Ok((len as usize, cap)),
            _ => Err(self.file.corrupt(offset)),
        }
    }

    /// The payload of the slot at the start of `bytes`.
    fn parse<'a>(&self, bytes: &'a [u8], index: u32) -> Result<(&'a [u8], Slot), DiskError> {
        let offset = Slot::offset_of(index);
        let (len, cap) = self.parse_header(bytes, offset)?;
        let payload = bytes
            .get(HEADER..HEADER + len)
            .ok_or_else(|| self.file.corrupt(offset))?;
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
    pub fn payload(&mut self, index: u32) -> Result<&[u8], DiskError> {
        let spill = self.spill;
        let offset = Slot::offset_of(index);
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

    fn fill(&mut self, offset: u64, want: usize) -> Result<(), DiskError> {
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

    #[test]
    fn a_payload_encoded_in_place_is_the_one_stored() {
        let mut spill = SpillFile::default();
        let mut copy = SpillFile::default();
        for (i, n) in [0usize, 1, 56, 57, 1240, 5000].into_iter().enumerate() {
            let p = payload(n, i as u8);
            let slot = spill.store_with(None, |out| out.extend_from_slice(&p));
            assert_eq!(slot.ok(), copy.store(&p, None).ok());
        }
        assert_eq!(spill.pending, copy.pending, "headers, payloads and padding");
        let first = Slot::offset_of(0) as u32;
        let again = spill.store_with(
            Some(Slot {
                index: first,
                cap: 56,
            }),
            |out| out.extend_from_slice(&payload(40, 9)),
        );
        assert_eq!(again.ok(), Some(Slot { index: 0, cap: 56 }));
        let grown = spill.store_with(Some(Slot { index: 0, cap: 56 }), |out| {
            out.extend_from_slice(&payload(100, 8))
        });
        let grown = grown.expect("stored");
        assert!(grown.index > 0 && grown.cap >= 125, "{grown:?}");
        let mut buf = Vec::new();
        spill.load(0, &mut buf).expect("loaded");
        assert_eq!(buf, payload(40, 9));
        spill.load(grown.index, &mut buf).expect("loaded");
        assert_eq!(buf, payload(100, 8));
    }
}
