//! Where each connection's analysis state lives while a capture is read:
//! in memory, or in the spill file (`spill.rs`). Memory then holds at most
//! `AnalyzerOptions::max_in_memory` connections (about 1.5 KB each) however
//! many the capture has; what still grows with every connection is the
//! stream table of `flow` and 4 bytes here (docs/memory.md).
//!
//! When one connection too many is in memory, the least useful quarter
//! goes to the spill file: finished connections (RST, or both FINs
//! acknowledged) first, then the others, each group by its latest frame,
//! oldest first. A packet for a connection in the file brings it back
//! whole, so results never depend on when a connection was sent out: a late
//! retransmission, a port reused by a new SYN, a connection idle for an hour
//! are all analysed exactly as if everything had stayed in memory.

use super::codec::{Code, Reader};
use super::connection::Connection;
use super::spill::{Slot, SpillError, SpillFile, SpillReader};

/// How the analysis uses memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnalyzerOptions {
    /// At most this many connections keep their analysis state in memory;
    /// the others wait in a temporary file. 0 sends every connection out
    /// after each of its packets (for tests).
    pub max_in_memory: usize,
}

impl AnalyzerOptions {
    /// About 6 MB of connection state.
    pub const DEFAULT_MAX_IN_MEMORY: usize = 4096;
}

impl Default for AnalyzerOptions {
    fn default() -> AnalyzerOptions {
        AnalyzerOptions {
            max_in_memory: AnalyzerOptions::DEFAULT_MAX_IN_MEMORY,
        }
    }
}

/// How much the spill file was used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SpillStats {
    /// Connections written out (counting each time).
    pub written: u64,
    /// Connections read back because a packet came for them.
    pub read_back: u64,
    /// Size of the file, in bytes.
    pub file_bytes: u64,
}

/// Tags a place that is an index into `in_memory` (otherwise a slot).
const IN_MEMORY: u32 = 1 << 31;

struct Resident {
    stream: u32,
    conn: Box<Connection>,
    /// The slot it was read back from, to go back into.
    slot: Option<Slot>,
}

pub(crate) struct ConnStore {
    /// Per stream: `IN_MEMORY | index` into `in_memory`, or its slot number.
    places: Vec<u32>,
    in_memory: Vec<Option<Resident>>,
    free: Vec<u32>,
    resident: usize,
    max_in_memory: usize,
    spill: SpillFile,
    finished: usize,
    stats: SpillStats,
    /// Writing to the spill file failed: everything stays in memory since.
    spill_off: Option<SpillError>,
    /// Reading back failed: the analysis of some connection is incomplete.
    failure: Option<SpillError>,
    buf: Vec<u8>,
    order: Vec<(bool, u64, u32)>,
}

/// A stream's state as `Finished` finds it.
pub(crate) enum Place<'a> {
    Memory(&'a Connection),
    Spilled(u32),
}

impl ConnStore {
    pub fn new(opts: AnalyzerOptions) -> ConnStore {
        ConnStore {
            places: Vec::new(),
            in_memory: Vec::new(),
            free: Vec::new(),
            resident: 0,
            max_in_memory: opts.max_in_memory,
            spill: SpillFile::default(),
            finished: 0,
            stats: SpillStats::default(),
            spill_off: None,
            failure: None,
            buf: Vec::new(),
            order: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.places.len()
    }

    /// Connections in memory now.
    #[cfg(test)]
    pub fn resident(&self) -> usize {
        self.resident
    }

    /// Every connection seen has finished.
    pub fn all_finished(&self) -> bool {
        self.finished == self.places.len()
    }

    /// The connection of the next stream (`len()`).
    pub fn push(&mut self, conn: Connection) {
        let stream = self.places.len() as u32;
        let place = self.keep(stream, Box::new(conn), None);
        self.places.push(place);
    }

    fn keep(&mut self, stream: u32, conn: Box<Connection>, slot: Option<Slot>) -> u32 {
        let r = Some(Resident { stream, conn, slot });
        self.resident += 1;
        match self.free.pop() {
            Some(i) => {
                self.in_memory[i as usize] = r;
                IN_MEMORY | i
            }
            None => {
                self.in_memory.push(r);
                IN_MEMORY | (self.in_memory.len() - 1) as u32
            }
        }
    }

    /// The connection of `stream`, read back if it was spilled. `None` only
    /// when reading back failed (the error is kept for `failure`).
    #[inline]
    pub fn get_mut(&mut self, stream: u32) -> Option<&mut Connection> {
        let mut place = self.places[stream as usize];
        if place & IN_MEMORY == 0 {
            place = self.read_back(stream, place)?;
        }
        let r = self.in_memory[(place & !IN_MEMORY) as usize].as_mut()?;
        Some(&mut r.conn)
    }

    /// Brings `stream` back from slot `index`; its new place.
    fn read_back(&mut self, stream: u32, index: u32) -> Option<u32> {
        let read = self
            .spill
            .load(index, &mut self.buf)
            .and_then(|slot| Ok((decode(&self.buf, index)?, slot)));
        match read {
            Ok((conn, slot)) => {
                self.stats.read_back += 1;
                let place = self.keep(stream, conn, Some(slot));
                self.places[stream as usize] = place;
                Some(place)
            }
            Err(e) => {
                self.failure.get_or_insert(e);
                None
            }
        }
    }

    /// A connection has just finished (counted once per connection).
    pub fn count_finished(&mut self) {
        self.finished += 1;
    }

    /// Sends connections to the spill file when too many are in memory.
    #[inline]
    pub fn make_room(&mut self) {
        if self.resident > self.max_in_memory {
            self.spill_some();
        }
    }

    fn spill_some(&mut self) {
        let keep = self.max_in_memory * 3 / 4;
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        order.extend(self.in_memory.iter().enumerate().filter_map(|(i, r)| {
            let c = &r.as_ref()?.conn;
            Some((!c.is_finished(), c.last_frame(), i as u32))
        }));
        let n = self.resident - keep;
        if n < order.len() {
            order.select_nth_unstable(n);
            order.truncate(n);
        }
        // Out in stream order: summaries are read back in stream order.
        order.sort_unstable_by_key(|&(_, _, i)| {
            self.in_memory[i as usize].as_ref().map(|r| r.stream)
        });
        for &(_, _, i) in &order {
            if let Err(e) = self.spill_out(i) {
                self.spill_off = Some(e);
                self.max_in_memory = usize::MAX;
                break;
            }
        }
        self.order = order;
    }

    fn spill_out(&mut self, i: u32) -> Result<(), SpillError> {
        let Some(r) = self.in_memory[i as usize].take() else {
            return Ok(());
        };
        self.buf.clear();
        r.conn.put(&mut self.buf);
        match self.spill.store(&self.buf, r.slot) {
            Ok(slot) => {
                self.places[r.stream as usize] = slot.index;
                self.free.push(i);
                self.resident -= 1;
                self.stats.written += 1;
                self.stats.file_bytes = self.spill.len();
                Ok(())
            }
            Err(e) => {
                self.in_memory[i as usize] = Some(r);
                Err(e)
            }
        }
    }

    pub fn place(&self, stream: usize) -> Place<'_> {
        let place = self.places[stream];
        if place & IN_MEMORY == 0 {
            return Place::Spilled(place);
        }
        match &self.in_memory[(place & !IN_MEMORY) as usize] {
            Some(r) => Place::Memory(&r.conn),
            // `keep` fills the entry before the place points at it.
            None => Place::Spilled(u32::MAX),
        }
    }

    pub fn reader(&self) -> SpillReader<'_> {
        self.spill.reader()
    }

    pub fn stats(&self) -> SpillStats {
        self.stats
    }

    pub fn spill_off(&self) -> Option<&SpillError> {
        self.spill_off.as_ref()
    }

    pub fn take_failure(&mut self) -> Option<SpillError> {
        self.failure.take()
    }
}

/// A connection from its spill-file payload (slot `index`).
pub(crate) fn decode(payload: &[u8], index: u32) -> Result<Box<Connection>, SpillError> {
    let mut r = Reader::new(payload);
    let conn = Box::new(Connection::get(&mut r));
    r.finish(conn).map_err(|_| SpillError::Corrupt {
        offset: u64::from(index) * 16,
    })
}
