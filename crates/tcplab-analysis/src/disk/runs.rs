//! `RunIndex`: where to find a 4-tuple among the old streams, those whose
//! entry left the in-memory index of `crate::flow`.
//!
//! In: at each eviction, the evicted streams' (key hash, stream) pairs,
//! all newer than those already indexed; then lookups by hash, with a test
//! of whether a candidate stream really has the key. Out: the newest stream
//! with that key, or none; a `DiskError` when a run cannot be read back.
//! Not here: the keys themselves (a hash match is checked against the
//! stream's own record, which the caller reads), and when to evict.
//!
//! Each eviction writes one run: the pairs sorted by hash, then newest
//! stream first, in `BLOCK` (1 KiB) blocks of `PER_BLOCK` (85) entries of
//! `ENTRY` (12) bytes. Memory keeps one fence per block (the top 32 bits
//! of the block's first hash: 4 bytes per 85 streams, 0.047 bytes a
//! stream), so a lookup reads one block per run (rarely two, when equal
//! fences straddle blocks). Every connection's first packet looks in every
//! run, so blocks are small: a read's cost is mostly the copy.
//!
//! A run holds the streams evicted after those of every older run, so the
//! newest run with a matching entry has the latest stream of a 4-tuple.
//! 64-bit hashes of different keys almost never match, but when they do,
//! the next entry is tried. Runs are merged two at a time while an older
//! one is less than `RATIO` (8) times the size of the newer: one run up to
//! 8 evictions, then at most about log8(evictions) runs, each entry
//! rewritten about 4 times per run level; merges read and write
//! `CHUNK_BLOCKS` (64) blocks at a time.
//!
//! Most lookups are for 4-tuples never seen (every connection's first
//! packet), so before the runs comes `seen`: one bit per hash bucket, set
//! for every key in the runs, of a fixed size (128 bits per stream kept in
//! memory, from 2^12 bits to at most 2^25 bits = 4 MiB, which is the
//! default's size). A clear bit proves a key new without reading the
//! disk; a set one (a key seen, or a collision: about 1 - e^(-n/m) of new
//! keys, n keys on disk, m bits, so 10% at 3.5 million, 45% at 20 million)
//! sends the lookup to the runs. It never grows: past a few tens of
//! millions of connections, most new ones read the runs.

use super::temp_file::TempFile;
use super::{DiskError, DiskFile, Fixed};
use std::cmp::Ordering;

/// A stream's key hash and its id.
pub(crate) type Entry = (u64, u32);

const ENTRY: usize = <Entry as Fixed>::SIZE;
const BLOCK: usize = 1024;
const PER_BLOCK: u64 = (BLOCK / ENTRY) as u64;
/// Blocks read or written at once while merging.
const CHUNK_BLOCKS: u64 = 64;
const RATIO: u64 = 8;

fn order(a: &Entry, b: &Entry) -> Ordering {
    a.0.cmp(&b.0).then(b.1.cmp(&a.1))
}

fn block_offset(b: u64) -> u64 {
    b * BLOCK as u64
}

fn fence(hash: u64) -> u32 {
    (hash >> 32) as u32
}

struct Run {
    file: TempFile,
    len: u64,
    /// The top half of the first hash of each block.
    fences: Vec<u32>,
}

pub(crate) struct RunIndex {
    runs: Vec<Run>,
    /// A run or a merge could not be written: no more streams go out to
    /// disk (`Streams::off`), so memory grows again, and tcplab says so.
    off: Option<DiskError>,
    /// Bit `h >> shift` is set for the hash `h` of every key in the runs;
    /// made at the first run.
    seen: Vec<u64>,
    seen_bits: usize,
}

/// Spreads the hash's bits again, for `seen` (the in-memory index takes
/// the low bits, the runs sort by the high ones).
fn seen_bit(hash: u64, bits: usize) -> usize {
    let mixed = (hash ^ hash >> 31).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (mixed >> (64 - bits.trailing_zeros())) as usize
}

impl RunIndex {
    /// An index whose filter of new keys has `bits` bits (a power of two
    /// from 2^12 to 2^25 is made of it).
    pub fn new(bits: usize) -> RunIndex {
        RunIndex {
            runs: Vec::new(),
            off: None,
            seen: Vec::new(),
            seen_bits: bits.clamp(1 << 12, 1 << 25).next_power_of_two(),
        }
    }

    fn may_have(&self, hash: u64) -> bool {
        let bit = seen_bit(hash, self.seen_bits);
        self.seen
            .get(bit / 64)
            .is_some_and(|w| w & (1 << (bit % 64)) != 0)
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    #[cfg(test)]
    pub fn run_count(&self) -> usize {
        self.runs.len()
    }

    /// Indexes `entries`, whose streams are all newer than those already
    /// indexed. An error of writing leaves the index as it was.
    pub fn add(&mut self, entries: &mut [Entry]) -> Result<(), DiskError> {
        if entries.is_empty() {
            return Ok(());
        }
        entries.sort_unstable_by(order);
        let mut out = RunWriter::new();
        for e in entries.iter() {
            out.push(*e)?;
        }
        self.runs.push(out.finish()?);
        if self.seen.is_empty() {
            self.seen = vec![0; self.seen_bits / 64];
        }
        for (hash, _) in entries.iter() {
            let bit = seen_bit(*hash, self.seen_bits);
            self.seen[bit / 64] |= 1 << (bit % 64);
        }
        while self.off.is_none() && self.runs.len() >= 2 {
            let n = self.runs.len();
            if self.runs[n - 2].len >= RATIO * self.runs[n - 1].len {
                break;
            }
            match self.merge_last_two() {
                Ok(()) => {}
                Err(e) if e.is_write() => self.off = Some(e),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn merge_last_two(&mut self) -> Result<(), DiskError> {
        let n = self.runs.len();
        let merged = {
            let (a, b) = (&self.runs[n - 2], &self.runs[n - 1]);
            let (mut ra, mut rb) = (RunReader::new(a), RunReader::new(b));
            let mut out = RunWriter::new();
            let (mut ea, mut eb) = (ra.next()?, rb.next()?);
            loop {
                let take_a = match (ea, eb) {
                    (Some(x), Some(y)) => order(&x, &y) != Ordering::Greater,
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (None, None) => break,
                };
                if let (true, Some(x)) = (take_a, ea) {
                    out.push(x)?;
                    ea = ra.next()?;
                } else if let Some(y) = eb {
                    out.push(y)?;
                    eb = rb.next()?;
                }
            }
            out.finish()?
        };
        self.runs.truncate(n - 2);
        self.runs.push(merged);
        Ok(())
    }

    /// The newest stream whose hash is `hash` and for which `is_key` holds.
    pub fn find(
        &self,
        hash: u64,
        mut is_key: impl FnMut(u32) -> Result<bool, DiskError>,
    ) -> Result<Option<u32>, DiskError> {
        if !self.may_have(hash) {
            return Ok(None);
        }
        let mut block = [0u8; BLOCK];
        let top = fence(hash);
        for run in self.runs.iter().rev() {
            let lo = run.fences.partition_point(|&f| f < top);
            // Entries equal to `hash` may begin in the block before.
            let start = lo.saturating_sub(1);
            for b in start..run.fences.len() {
                if run.fences[b] > top {
                    break;
                }
                let first = b as u64 * PER_BLOCK;
                let n = PER_BLOCK.min(run.len - first) as usize;
                let bytes = &mut block[..n * ENTRY];
                run.file.read_at(bytes, block_offset(b as u64))?;
                let bytes = &*bytes;
                let at = |j: usize| {
                    Entry::at(bytes, j).ok_or_else(|| {
                        run.file
                            .corrupt(block_offset(b as u64) + (j * ENTRY) as u64)
                    })
                };
                let mut j = partition(n, |j| at(j).is_ok_and(|(h, _)| h < hash));
                while j < n {
                    let (h, id) = at(j)?;
                    if h != hash {
                        break;
                    }
                    if is_key(id)? {
                        return Ok(Some(id));
                    }
                    j += 1;
                }
                if j < n {
                    // Past `hash`: no later block has it.
                    break;
                }
            }
        }
        Ok(None)
    }

    pub fn off(&self) -> Option<&DiskError> {
        self.off.as_ref()
    }

    pub fn take_off(&mut self) -> Option<DiskError> {
        self.off.take()
    }

    #[cfg(test)]
    pub fn damage(&self) {
        for run in &self.runs {
            run.file.damage();
        }
    }
}

/// The first of `0..n` for which `below` is false (it is true, then false).
fn partition(n: usize, below: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if below(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Writes a run, a chunk of blocks at a time.
struct RunWriter {
    file: TempFile,
    len: u64,
    fences: Vec<u32>,
    buf: Vec<u8>,
    /// File offset of `buf`.
    at: u64,
}

impl RunWriter {
    fn new() -> RunWriter {
        RunWriter {
            file: TempFile::new(DiskFile::OldStreams),
            len: 0,
            fences: Vec::new(),
            buf: Vec::new(),
            at: 0,
        }
    }

    fn push(&mut self, (hash, id): Entry) -> Result<(), DiskError> {
        let within = self.len % PER_BLOCK;
        if within == 0 {
            self.fences.push(fence(hash));
            if !self.buf.is_empty() {
                // Pad the full block.
                self.buf.resize(self.buf.len().div_ceil(BLOCK) * BLOCK, 0);
                if self.buf.len() >= CHUNK_BLOCKS as usize * BLOCK {
                    self.flush()?;
                }
            }
        }
        (hash, id).put_fixed(&mut self.buf);
        self.len += 1;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), DiskError> {
        self.file.write_at(&self.buf, self.at)?;
        self.at += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    fn finish(mut self) -> Result<Run, DiskError> {
        if !self.buf.is_empty() {
            self.flush()?;
        }
        Ok(Run {
            file: self.file,
            len: self.len,
            fences: self.fences,
        })
    }
}

/// Reads a run in order, a chunk of blocks at a time.
struct RunReader<'a> {
    run: &'a Run,
    next: u64,
    buf: Vec<u8>,
    /// Block number of the start of `buf`.
    buf_block: u64,
}

impl<'a> RunReader<'a> {
    fn new(run: &'a Run) -> RunReader<'a> {
        RunReader {
            run,
            next: 0,
            buf: Vec::new(),
            buf_block: 0,
        }
    }

    fn next(&mut self) -> Result<Option<Entry>, DiskError> {
        if self.next >= self.run.len {
            return Ok(None);
        }
        let (block, within) = (self.next / PER_BLOCK, self.next % PER_BLOCK);
        if self.buf.is_empty() || block >= self.buf_block + CHUNK_BLOCKS {
            let last_block = (self.run.len - 1) / PER_BLOCK;
            let blocks = CHUNK_BLOCKS.min(last_block + 1 - block);
            // The last block of the run is not padded.
            let end = block_offset(block + blocks).min(
                block_offset(last_block) + (self.run.len - last_block * PER_BLOCK) * ENTRY as u64,
            );
            self.buf.resize((end - block_offset(block)) as usize, 0);
            self.run.file.read_at(&mut self.buf, block_offset(block))?;
            self.buf_block = block;
        }
        let at = ((block - self.buf_block) * BLOCK as u64 + within * ENTRY as u64) as usize;
        let entry = self.buf.get(at..).and_then(|bytes| Entry::at(bytes, 0));
        let entry = entry.ok_or_else(|| {
            self.run
                .file
                .corrupt(block_offset(self.buf_block) + at as u64)
        })?;
        self.next += 1;
        Ok(Some(entry))
    }
}
