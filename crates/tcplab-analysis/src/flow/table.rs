//! The connection table: maps each segment to a stream index numbered the
//! way Wireshark numbers `tcp.stream` (order of first packet), and to a
//! direction within it.
//!
//! A pure SYN on a 4-tuple that already has a connection starts a new
//! stream when, and only when, its sequence number differs from that
//! side's base sequence number (Wireshark 4.0, `dissect_tcp`: port reuse).
//! A SYN that repeats the ISN stays in the stream whatever came before it:
//! a client retrying a refused connection (SYN, RST, the same SYN 0.5 s
//! later) or even a new connection after a FIN close that happens to reuse
//! the ISN. tshark 4.0 numbers both that way and flags the SYN a
//! retransmission (`tests/data/syn-refused-retry.pcap`).
//!
//! Like Wireshark, the table never forgets a 4-tuple: a late packet joins
//! the stream that last used it however long after. Old streams go to
//! disk to make that possible in bounded memory (`streams.rs`); reading
//! them back can fail, hence the `Result`s.

use super::key::Key;
use super::latest::{Latest, Tuple};
use super::streams::{Meta, Streams};
use crate::disk::DiskError;
use serde::Serialize;
use std::fmt;
use std::net::IpAddr;
use tcplab_wire::dissect::Segment;
use tcplab_wire::Seq;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Endpoint {
    pub addr: IpAddr,
    pub port: u16,
}

/// `192.0.2.1:80`, `[2001:db8::1]:80`. IPv4 by hand: `Ipv4Addr`'s
/// `Display` was a tenth of the text output's time on many connections.
impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.addr {
            IpAddr::V4(_) => f.write_str(self.v4_text(&mut [0; 21])),
            IpAddr::V6(a) => write!(f, "[{a}]:{}", self.port),
        }
    }
}

impl Endpoint {
    /// Appends the `Display` text to `out`.
    pub fn push_to(&self, out: &mut String) {
        match self.addr {
            IpAddr::V4(_) => out.push_str(self.v4_text(&mut [0; 21])),
            IpAddr::V6(_) => {
                use fmt::Write;
                let _ = write!(out, "{self}");
            }
        }
    }

    /// The text of an IPv4 endpoint, made in `buf` (`255.255.255.255:65535` fits).
    fn v4_text<'b>(&self, buf: &'b mut [u8; 21]) -> &'b str {
        let IpAddr::V4(a) = self.addr else {
            return "";
        };
        let mut int = itoa::Buffer::new();
        let mut n = 0;
        let mut put = |bytes: &[u8]| {
            buf[n..n + bytes.len()].copy_from_slice(bytes);
            n += bytes.len();
        };
        let [a, b, c, d] = a.octets();
        for (octet, sep) in [(a, b"."), (b, b"."), (c, b"."), (d, b":")] {
            put(int.format(octet).as_bytes());
            put(sep);
        }
        put(int.format(self.port).as_bytes());
        std::str::from_utf8(&buf[..n]).unwrap_or("?")
    }
}

/// Direction of a segment within its connection: `AtoB` is from the endpoint
/// that sent the connection's first captured packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Direction {
    #[serde(rename = "a_to_b")]
    AtoB,
    #[serde(rename = "b_to_a")]
    BtoA,
}

impl Direction {
    pub fn index(self) -> usize {
        match self {
            Direction::AtoB => 0,
            Direction::BtoA => 1,
        }
    }

    pub fn reverse(self) -> Direction {
        match self {
            Direction::AtoB => Direction::BtoA,
            Direction::BtoA => Direction::AtoB,
        }
    }
}

/// Where a segment belongs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lookup {
    pub stream: u32,
    pub dir: Direction,
    /// This segment opened a new stream.
    pub is_new: bool,
    /// This segment opened a new stream on a 4-tuple used before.
    pub reused_ports: bool,
    /// A pure SYN repeating the ISN of this (live) stream.
    pub repeated_syn: bool,
    /// Wireshark's base sequence numbers (for relative numbers) of the
    /// sending and the receiving side, when known.
    pub fwd_base: Option<Seq>,
    pub rev_base: Option<Seq>,
}

pub struct FlowTable {
    streams: Streams,
    /// The latest plain IPv4 stream looked up, whole (`latest.rs`).
    pub(super) latest: Option<Latest>,
}

impl Default for FlowTable {
    fn default() -> FlowTable {
        FlowTable::with_max_hot(FlowTable::DEFAULT_MAX_HOT)
    }
}

impl FlowTable {
    /// Streams kept in memory by default (262,144): about 10 MB of
    /// records and index, and a 4 MiB filter once streams go to disk;
    /// captures with fewer streams never touch the disk. Chosen so that a
    /// capture of any number of connections stays near 40 MB.
    pub const DEFAULT_MAX_HOT: usize = 1 << 18;

    pub fn new() -> FlowTable {
        FlowTable::default()
    }

    /// At most `max_hot` streams (an IPv6 one counting twice) in memory,
    /// the older ones on disk.
    pub fn with_max_hot(max_hot: usize) -> FlowTable {
        FlowTable {
            streams: Streams::new(max_hot),
            latest: None,
        }
    }

    /// Why some old streams stayed in memory: writing them to disk failed.
    pub fn old_streams_off(&self) -> Option<&DiskError> {
        self.streams.off()
    }

    pub fn take_old_streams_off(&mut self) -> Option<DiskError> {
        self.streams.take_off()
    }

    /// Empties the files of old streams, as a failing disk would (for tests).
    #[cfg(test)]
    pub(crate) fn damage_old_streams(&mut self) {
        self.streams.recs.damage();
        self.streams.v6.damage();
        self.streams.runs.damage();
        self.latest = None;
    }

    pub fn stream_count(&self) -> usize {
        self.streams.len()
    }

    /// Finds (or opens) the stream of `seg` and updates what numbering
    /// needs. An error when an old stream cannot be read back from disk.
    #[inline]
    pub fn lookup(&mut self, seg: &Segment) -> Result<Lookup, DiskError> {
        self.lookup_in(seg, 0)
    }

    /// As [`FlowTable::lookup`], for a segment in tunnel number `tunnel`
    /// (0: none, or tunnels not told apart).
    ///
    /// A packet on the latest stream's 4-tuple (most packets) is numbered
    /// from `latest` (`latest.rs`); any other plain IPv4 one goes
    /// [`FlowTable::lookup_v4`], the rest [`FlowTable::lookup_keyed`].
    #[inline(always)]
    pub fn lookup_in(&mut self, seg: &Segment, tunnel: u32) -> Result<Lookup, DiskError> {
        let sent = if tunnel == 0 { Tuple::sent(seg) } else { None };
        let Some(sent) = sent else {
            return self.lookup_keyed(seg, tunnel);
        };
        if let Some(latest) = &self.latest {
            if let Some(from_a) = latest.side_of(sent) {
                let dir = if from_a {
                    Direction::AtoB
                } else {
                    Direction::BtoA
                };
                if !starts_new_stream(latest.meta, dir, seg) {
                    return self.on_latest(latest.stream, latest.meta, dir, seg);
                }
            }
        }
        self.lookup_v4(seg, sent)
    }

    /// A segment on the latest stream, which it does not replace.
    #[inline]
    fn on_latest(
        &mut self,
        stream: u32,
        before: Meta,
        dir: Direction,
        seg: &Segment,
    ) -> Result<Lookup, DiskError> {
        let (meta, changed) = numbered(before, dir, seg);
        if changed {
            self.streams.set_meta(stream, meta)?;
            if let Some(latest) = self.latest.as_mut() {
                latest.meta = meta;
            }
        }
        Ok(lookup_of(stream, dir, false, false, meta, seg))
    }

    /// A plain IPv4 segment not on the latest stream: the general lookup's
    /// rules without a `Key` (the table's index probed with the 4-tuple's
    /// ends, the stream's record read once). Its stream becomes the latest.
    #[inline(never)]
    fn lookup_v4(&mut self, seg: &Segment, sent: Tuple) -> Result<Lookup, DiskError> {
        let (low, high, src_high) = sent.key_ends();
        let hash = self.streams.hash_v4(low, high);
        let existing = self.streams.find_v4(low, high, hash)?;
        let (found, is_new, reused, before) = decide(existing, src_high, seg);
        let dir = direction(before, src_high);
        let (meta, changed) = numbered(before, dir, seg);
        let stream = self.settle(found, changed, meta, |streams, meta| {
            streams.push_with(&Key::V4 { low, high }, hash, meta)
        })?;
        self.latest = Some(Latest::new(sent, dir == Direction::AtoB, stream, meta));
        Ok(lookup_of(stream, dir, is_new, reused, meta, seg))
    }

    /// The stream a lookup ends on: a known one, with its numbering state
    /// written when it changed, or a new one made by `push` (which builds
    /// its key only then).
    #[inline(always)]
    fn settle(
        &mut self,
        found: Option<u32>,
        changed: bool,
        meta: Meta,
        push: impl FnOnce(&mut Streams, Meta) -> Result<u32, DiskError>,
    ) -> Result<u32, DiskError> {
        match found {
            Some(id) => {
                if changed {
                    self.streams.set_meta(id, meta)?;
                }
                Ok(id)
            }
            None => push(&mut self.streams, meta),
        }
    }

    /// The general lookup (IPv6, tunnels told apart): one hash, one read
    /// of the stream's record and at most one write per packet.
    #[inline(never)]
    pub(super) fn lookup_keyed(&mut self, seg: &Segment, tunnel: u32) -> Result<Lookup, DiskError> {
        let (key, src_high) = Key::of_in((seg.src, seg.sport), (seg.dst, seg.dport), tunnel);
        // Hashed only when needed: not for the latest key's packets.
        let mut hash = None;
        let found = match self.streams.latest(&key) {
            Some(id) => Some(id),
            None => {
                let h = self.streams.hash(&key);
                hash = Some(h);
                self.streams.find_hashed(&key, h)?
            }
        };
        let existing = match found {
            Some(id) => Some((id, self.streams.meta(id)?)),
            None => None,
        };
        let (found, is_new, reused, before) = decide(existing, src_high, seg);
        let dir = direction(before, src_high);
        let (meta, changed) = numbered(before, dir, seg);
        let stream = self.settle(found, changed, meta, |streams, meta| {
            let hash = hash.unwrap_or_else(|| streams.hash(&key));
            streams.push_with(&key, hash, meta)
        })?;
        Ok(lookup_of(stream, dir, is_new, reused, meta, seg))
    }

    /// A packet with a TCP 4-tuple but a damaged header: numbered like
    /// Wireshark does (a new stream when the 4-tuple is new), not analysed.
    /// Returns the stream and whether it is new.
    pub fn touch(
        &mut self,
        src: Endpoint,
        dst: Endpoint,
        tunnel: u32,
    ) -> Result<(u32, bool), DiskError> {
        let (key, src_high) = Key::of_in((src.addr, src.port), (dst.addr, dst.port), tunnel);
        Ok(match self.streams.find(&key)? {
            Some(id) => (id, false),
            None => {
                // Nothing kept can be on a new key; kept simple all the same.
                self.latest = None;
                (self.streams.push(&key, src_high)?, true)
            }
        })
    }
}

/// What the stream found on a packet's key (if any, with its numbering
/// state) means for the packet, sent by the key's `high` end when
/// `src_high`: the stream it joins (`None`: a new one), whether it opens a
/// new stream, whether on a 4-tuple used before, and the numbering state
/// before it.
#[inline]
fn decide(
    existing: Option<(u32, Meta)>,
    src_high: bool,
    seg: &Segment,
) -> (Option<u32>, bool, bool, Meta) {
    match existing {
        Some((id, meta)) if !starts_new_stream(meta, direction(meta, src_high), seg) => {
            (Some(id), false, false, meta)
        }
        previous => (
            None,
            true,
            previous.is_some(),
            Meta {
                a_is_high: src_high,
                base: [None; 2],
            },
        ),
    }
}

/// The direction of a packet whose sender is the key's `high` end when
/// `src_high`.
fn direction(meta: Meta, src_high: bool) -> Direction {
    if meta.a_is_high == src_high {
        Direction::AtoB
    } else {
        Direction::BtoA
    }
}

/// A pure SYN whose sequence number differs from its side's base: port
/// reuse (Wireshark 4.0, `dissect_tcp`; see the module's doc).
#[inline]
fn starts_new_stream(meta: Meta, dir: Direction, seg: &Segment) -> bool {
    if !seg.flags.is_pure_syn() {
        return false;
    }
    match meta.base[dir.index()] {
        Some(base) => base != seg.seq.0,
        None => false,
    }
}

/// The stream's numbering state after `seg`, sent in direction `dir`,
/// and whether it changed: Wireshark's base sequence numbers, set by the
/// first segment that tells them.
#[inline]
fn numbered(mut meta: Meta, dir: Direction, seg: &Segment) -> (Meta, bool) {
    let (fwd, rev) = (dir.index(), dir.reverse().index());
    let mut changed = false;
    if meta.base[fwd].is_none() {
        meta.base[fwd] = Some(if seg.flags.syn() {
            seg.seq.0
        } else {
            (seg.seq - 1).0
        });
        changed = true;
    }
    if meta.base[rev].is_none() && seg.flags.ack() {
        meta.base[rev] = Some((seg.ack - 1).0);
        changed = true;
    }
    (meta, changed)
}

#[inline]
fn lookup_of(
    stream: u32,
    dir: Direction,
    is_new: bool,
    reused_ports: bool,
    meta: Meta,
    seg: &Segment,
) -> Lookup {
    let (fwd, rev) = (dir.index(), dir.reverse().index());
    Lookup {
        stream,
        dir,
        is_new,
        reused_ports,
        repeated_syn: !is_new && seg.flags.is_pure_syn(),
        fwd_base: meta.base[fwd].map(Seq),
        rev_base: meta.base[rev].map(Seq),
    }
}
