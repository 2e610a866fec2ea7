//! Every connection of the capture while it is read, each in memory or
//! spilled to disk (`disk::SpillFile`). Memory then holds at most
//! `AnalyzerOptions::max_in_memory` connections (about 2 KB each) however
//! many the capture has.
//!
//! In: a new connection per new stream (`push`), requests for a stream's
//! connection (`get_mut`, which reads a spilled one back), and `make_room`
//! after each packet. Out: the connection, or at the end, where each one is
//! (`place`) for `Finished` to build the summaries in stream order. Not
//! here: the file's layout (`disk::SpillFile`), the encoding (`disk::Code`,
//! `connection/codec.rs`), nor the analysis itself.
//!
//! Where each stream's connection is (its place, 4 bytes) is kept for the
//! newest `max_hot_streams` streams in memory, for older ones on disk
//! (`disk::PagedVec`, in the old streams' file), like the stream records
//! of `flow` (docs/memory.md).
//!
//! How many may stay in memory grows with need: at first
//! `FIRST_WORKING_SET` (about 2 MB, so that the connections a packet
//! touches stay in the processor's caches), doubled, up to
//! `max_in_memory`, whenever a quarter of the connections last sent out
//! came back before the next ones had to go (connections open at the same
//! time outnumber the working set). When one connection too many is in
//! memory, the least useful quarter goes to the spill file: finished
//! connections first, then the others, each group by its latest frame,
//! oldest first; from then on, a connection that finishes (RST, or both
//! FINs acknowledged) goes at once (`finished`), unless many of those
//! come back. The boxes of connections sent out wait (`spare`) for the
//! next new or read-back connections, so that boxes in use and waiting
//! never outnumber the peak without them, the working set plus one. A
//! packet for a connection in the file brings it back whole, so results
//! never depend on when a connection was sent out: a late retransmission,
//! a port reused by a new SYN, a connection idle for an hour are all
//! analysed exactly as if everything had stayed in memory. (With no
//! summary to write, a finished connection goes out with only what the
//! analysis of a later packet reads: `spilled::encode`.)

use crate::connection::Connection;
use crate::disk::{DiskError, DiskFile, PagedVec, Slot, SpillFile, SpillReader};
use crate::flow::{Endpoint, FlowTable};
use crate::spilled;
use crate::tunnels::TunnelMode;
use tcplab_wire::capture::Timestamp;
use tcplab_wire::dissect::defrag::Limits;
use tcplab_wire::dissect::DecodeOptions;

/// How the analysis uses memory, and how packets are dissected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyzerOptions {
    /// At most this many connections keep their analysis state in memory;
    /// the others wait in a temporary file. 0 sends every connection out
    /// after each of its packets (for tests).
    pub max_in_memory: usize,
    /// At most this many streams (an IPv6 one counting twice) keep their
    /// numbering record, index entry and place in memory; older ones are on
    /// disk. 1 sends every stream but the newest to disk (for tests).
    pub max_hot_streams: usize,
    /// Which UDP ports carry tunnels (VXLAN, Geneve).
    pub decode: DecodeOptions,
    /// Whether connections in different tunnels are told apart.
    pub tunnels: TunnelMode,
    /// A read filter in tcpdump's language: only matching records are
    /// analysed (`tcplab analyze -f`).
    pub filter: Option<String>,
    /// The bounds on IP fragments held for reassembly.
    pub defrag: Limits,
    /// Whether connection summaries will be asked for. false (per-segment
    /// output only, `tcplab analyze --format csv`): what only a summary
    /// reads (counters, events, RTT statistics) is not kept, a finished
    /// connection sent to the spill file keeps only what the analysis of a
    /// later packet reads (a third of its bytes), and `Finished` gives no
    /// summaries; every segment's findings are the same
    /// (bench/results.md, 2026-12-04).
    pub summaries: bool,
}

impl AnalyzerOptions {
    /// About 8 MB of connection state (2 KB each).
    pub const DEFAULT_MAX_IN_MEMORY: usize = 4096;
    /// How many connections stay in memory before any comes back from the
    /// spill file: about 2 MB of state, which stays in the processor's
    /// caches (bench/results.md, 2026-12-03: `many-conns.pcap` to CSV takes
    /// about a sixth less time than with 4096).
    pub const FIRST_WORKING_SET: usize = 1024;
    /// About 11 MB of stream records, index and places (262,144 streams).
    pub const DEFAULT_MAX_HOT_STREAMS: usize = FlowTable::DEFAULT_MAX_HOT;
}

impl Default for AnalyzerOptions {
    fn default() -> AnalyzerOptions {
        AnalyzerOptions {
            max_in_memory: AnalyzerOptions::DEFAULT_MAX_IN_MEMORY,
            max_hot_streams: AnalyzerOptions::DEFAULT_MAX_HOT_STREAMS,
            decode: DecodeOptions::default(),
            tunnels: TunnelMode::default(),
            filter: None,
            defrag: Limits::default(),
            summaries: true,
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

/// Finished connections that may come back between two batches before
/// the rest wait for the batches (`Connections::finished`): a few late
/// packets do not change the rule.
const LATE_ALLOWANCE: usize = 16;

/// Tags a place that is an index into `in_memory` (otherwise a slot).
const IN_MEMORY: u32 = 1 << 31;

struct Resident {
    stream: u32,
    conn: Box<Connection>,
    /// The slot it was read back from, to go back into.
    slot: Option<Slot>,
}

pub(crate) struct Connections {
    /// Per stream: `IN_MEMORY | index` into `in_memory`, or its slot number.
    places: PagedVec<u32>,
    max_hot: usize,
    in_memory: Vec<Option<Resident>>,
    free: Vec<u32>,
    resident: usize,
    /// The most that may be in memory (`AnalyzerOptions::max_in_memory`).
    max_in_memory: usize,
    /// How many may be in memory now: from `FIRST_WORKING_SET` up to
    /// `max_in_memory` (`grow_if_needed`).
    working_set: usize,
    /// Open connections read back since the last batch went out, and how
    /// many that batch sent: more than a quarter back means the working
    /// set is too small for the connections open at once.
    came_back: usize,
    sent_last: usize,
    /// Since the last batch: finished connections sent out as they
    /// finished, and finished ones read back (a packet after their end).
    /// While more than a quarter come back, finished ones wait for the
    /// batches instead (`finished`).
    finished_sent: usize,
    finished_back: usize,
    spill: SpillFile,
    finished: usize,
    stats: SpillStats,
    /// Writing to the spill file failed: everything stays in memory since.
    spill_off: Option<DiskError>,
    /// Reading back failed: the analysis of some connection is incomplete.
    failure: Option<DiskError>,
    buf: Vec<u8>,
    /// No summary will be asked for: finished connections go out in the
    /// spill file's form for analysis only (`spilled::encode`).
    analysis_only: bool,
    /// The boxes of connections sent out, for new or read-back ones (no
    /// allocation each): at most the working set plus one boxes in all, in
    /// memory or here, as at the peak without it (`spill_out`). Boxes,
    /// not connections: the point is their allocations.
    #[allow(clippy::vec_box)]
    spare: Vec<Box<Connection>>,
    /// `spill_some`'s choice: first (unfinished, latest frame, index)
    /// packed in one `u128`, then (stream, index) in one `u64`.
    order: Vec<u128>,
    batch: Vec<u64>,
}

/// A stream's state as `Finished` finds it.
pub(crate) enum Place<'a> {
    Memory(&'a Connection),
    Spilled(u32),
}

impl Connections {
    pub fn new(opts: AnalyzerOptions) -> Connections {
        Connections {
            places: PagedVec::new(DiskFile::OldStreams),
            max_hot: opts.max_hot_streams.max(1),
            in_memory: Vec::new(),
            free: Vec::new(),
            resident: 0,
            max_in_memory: opts.max_in_memory,
            working_set: opts.max_in_memory.min(AnalyzerOptions::FIRST_WORKING_SET),
            came_back: 0,
            sent_last: 0,
            finished_sent: 0,
            finished_back: 0,
            spill: SpillFile::default(),
            finished: 0,
            stats: SpillStats::default(),
            spill_off: None,
            failure: None,
            buf: Vec::new(),
            analysis_only: !opts.summaries,
            spare: Vec::new(),
            order: Vec::new(),
            batch: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.places.len() as usize
    }

    /// Connections in memory now.
    #[cfg(test)]
    pub fn resident(&self) -> usize {
        self.resident
    }

    /// How many may be in memory now.
    #[cfg(test)]
    pub fn working_set(&self) -> usize {
        self.working_set
    }

    /// Every connection seen has finished.
    pub fn all_finished(&self) -> bool {
        self.finished == self.len()
    }

    /// The connection of the next stream (`len()`, which the flow table
    /// numbered `id`): `Connection::new` with these values, made in the box
    /// of a connection sent out when there is one (no allocation, nothing
    /// moved: `Connection::renew`).
    pub fn push_new(
        &mut self,
        id: u32,
        a: Endpoint,
        b: Endpoint,
        first: (u64, Timestamp),
        reused_ports: bool,
    ) {
        if self.places.memory_len() >= self.max_hot && self.places.off().is_none() {
            let n = self.places.memory_len() - self.max_hot / 2;
            self.places.evict(n);
        }
        let stream = self.len() as u32;
        let conn = match self.spare.pop() {
            Some(mut spare) => {
                spare.renew(id, a, b, first, reused_ports);
                spare
            }
            None => Box::new(Connection::new(id, a, b, first, reused_ports)),
        };
        let place = self.keep(stream, conn, None);
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
        let mut place = match self.places.get(u64::from(stream)) {
            Ok(place) => place,
            Err(e) => {
                self.fail(e);
                return None;
            }
        };
        if place & IN_MEMORY == 0 {
            place = self.read_back(stream, place)?;
        }
        let r = self
            .in_memory
            .get_mut((place & !IN_MEMORY) as usize)?
            .as_mut()?;
        Some(&mut r.conn)
    }

    /// Brings `stream` back from slot `index`; its new place. Out of line:
    /// `get_mut`, on every packet, stays a few instructions.
    #[cold]
    #[inline(never)]
    fn read_back(&mut self, stream: u32, index: u32) -> Option<u32> {
        let read = self
            .spill
            .load(index, &mut self.buf)
            .and_then(|slot| Ok((spilled::decode(&self.buf, index)?, slot)));
        match read {
            Ok((conn, slot)) => {
                self.stats.read_back += 1;
                if conn.is_finished() {
                    self.finished_back += 1;
                } else {
                    self.came_back += 1;
                }
                // In the box of a connection sent out, if there is one.
                let conn = match self.spare.pop() {
                    Some(mut spare) => {
                        *spare = conn;
                        spare
                    }
                    None => Box::new(conn),
                };
                let place = self.keep(stream, conn, Some(slot));
                self.places.set(u64::from(stream), place);
                Some(place)
            }
            Err(e) => {
                self.fail(e);
                None
            }
        }
    }

    /// Keeps the first failure: the analysis is incomplete from here on.
    pub fn fail(&mut self, e: DiskError) {
        self.failure.get_or_insert(e);
    }

    pub fn failed(&self) -> bool {
        self.failure.is_some()
    }

    /// Stream `stream`'s connection has just finished: once the working
    /// set has filled up (a batch has gone out), it goes to the spill file
    /// at once rather than with the next batch. Few packets come after the
    /// end of a connection, so it seldom comes back, and its box, still in
    /// the processor's caches, serves the next new connection
    /// (bench/results.md, 2026-12-04: about 5 % less time on
    /// `many-conns.pcap`). Should more than a quarter come back since the
    /// last batch (a reset after every close, say), the others wait for the
    /// next batch: sending each out twice would cost more than it saves. A
    /// capture whose connections fit in the working set never makes the
    /// file.
    pub fn finished(&mut self, stream: u32) {
        self.finished += 1;
        let coming_back = self.finished_back * 4 > self.finished_sent + LATE_ALLOWANCE;
        if self.stats.written == 0 || self.spill_off.is_some() || coming_back {
            return;
        }
        // A place that cannot be read leaves the connection where it is
        // (`get_mut` has kept the failure).
        let Ok(place) = self.places.get(u64::from(stream)) else {
            return;
        };
        if place & IN_MEMORY == 0 {
            return;
        }
        self.finished_sent += 1;
        if let Err(e) = self.spill_out(place & !IN_MEMORY) {
            self.stop_spilling(e);
        }
    }

    /// Writing to the spill file failed: every connection stays in memory
    /// from now on (the results stay complete; a note says so).
    fn stop_spilling(&mut self, e: DiskError) {
        self.spill_off = Some(e);
        self.max_in_memory = usize::MAX;
        self.working_set = usize::MAX;
    }

    /// Sends connections to the spill file when too many are in memory.
    #[inline]
    pub fn make_room(&mut self) {
        if self.resident > self.working_set {
            self.spill_some();
        }
    }

    /// Doubles the working set (up to `max_in_memory`) when more than a
    /// quarter of the connections the last batch sent out came back before
    /// this one: they are open at the same time and more of them than the
    /// working set holds, so sending them out again would only read them
    /// back again. True when the working set now holds every connection in
    /// memory.
    fn grow_if_needed(&mut self) -> bool {
        let came_back = std::mem::take(&mut self.came_back);
        if self.sent_last > 0 && came_back * 4 > self.sent_last {
            self.working_set = self.working_set.saturating_mul(2).min(self.max_in_memory);
        }
        self.resident <= self.working_set
    }

    /// Sends the least useful connections out, down to three quarters of
    /// the limit: finished ones first, then by latest frame, oldest first
    /// (ties by place in memory). The keys are packed into integers, so
    /// choosing and sorting compare integers, not tuples, and never look
    /// into the connections again. Out of line: `make_room`, after every
    /// packet, stays a comparison.
    #[cold]
    #[inline(never)]
    fn spill_some(&mut self) {
        if self.grow_if_needed() {
            return;
        }
        let keep = self.working_set * 3 / 4;
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        order.extend(self.in_memory.iter().enumerate().filter_map(|(i, r)| {
            let c = &r.as_ref()?.conn;
            let unfinished = u128::from(!c.is_finished()) << 96;
            Some(unfinished | u128::from(c.last_frame()) << 32 | i as u128)
        }));
        let n = self.resident - keep;
        self.sent_last = n;
        self.finished_sent = 0;
        self.finished_back = 0;
        if n < order.len() {
            order.select_nth_unstable(n);
            order.truncate(n);
        }
        // Out in stream order: summaries are read back in stream order.
        let mut batch = std::mem::take(&mut self.batch);
        batch.clear();
        batch.extend(order.iter().filter_map(|&key| {
            let i = key as u32;
            let stream = self.in_memory[i as usize].as_ref()?.stream;
            Some(u64::from(stream) << 32 | u64::from(i))
        }));
        batch.sort_unstable();
        for &key in &batch {
            if let Err(e) = self.spill_out(key as u32) {
                self.stop_spilling(e);
                break;
            }
        }
        self.order = order;
        self.batch = batch;
    }

    fn spill_out(&mut self, i: u32) -> Result<(), DiskError> {
        let Some(r) = self.in_memory[i as usize].take() else {
            return Ok(());
        };
        // Encoded straight into the file's write buffer: no copy.
        let for_analysis = self.analysis_only && r.conn.is_finished();
        let encode = |out: &mut Vec<u8>| spilled::encode(&r.conn, for_analysis, out);
        match self.spill.store_with(r.slot, encode) {
            Ok(slot) => {
                self.places.set(u64::from(r.stream), slot.index);
                self.free.push(i);
                self.resident -= 1;
                // Its box serves the next new or read-back connection, while
                // boxes in memory and spare stay within the limit plus the
                // one that called for room: what memory held before it went.
                if self.resident + self.spare.len() <= self.working_set {
                    self.spare.push(r.conn);
                }
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

    pub fn place(&self, stream: usize) -> Result<Place<'_>, DiskError> {
        let place = self.places.get(stream as u64)?;
        if place & IN_MEMORY == 0 {
            return Ok(Place::Spilled(place));
        }
        Ok(match self.in_memory.get((place & !IN_MEMORY) as usize) {
            Some(Some(r)) => Place::Memory(&r.conn),
            // `keep` fills the entry before the place points at it; a place
            // read back damaged names no slot either (reading it fails).
            _ => Place::Spilled(u32::MAX),
        })
    }

    /// Why the places of some old streams stayed in memory.
    pub fn old_streams_off(&self) -> Option<&DiskError> {
        self.places.off()
    }

    pub fn reader(&self) -> SpillReader<'_> {
        self.spill.reader()
    }

    /// Whether summaries may be asked for (`AnalyzerOptions::summaries`).
    pub fn summaries(&self) -> bool {
        !self.analysis_only
    }

    pub fn stats(&self) -> SpillStats {
        self.stats
    }

    pub fn spill_off(&self) -> Option<&DiskError> {
        self.spill_off.as_ref()
    }

    pub fn take_failure(&mut self) -> Option<DiskError> {
        self.failure.take()
    }
}
