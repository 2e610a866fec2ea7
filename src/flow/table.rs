//! The connection table: maps each segment to a stream index numbered the
//! way Wireshark numbers `tcp.stream` (order of first packet), and to a
//! direction within it.
//!
//! A pure SYN on a 4-tuple that already has a connection starts a new
//! stream when its sequence number differs from that side's first sequence
//! number, or when the old connection saw a FIN or RST (Wireshark 4.x,
//! `dissect_tcp`: port reuse). A repeated SYN with the same ISN on a live
//! connection is a retransmission and stays in the same stream.

use super::hasher::SeededFx;
use super::Seq;
use crate::dissect::Segment;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Endpoint {
    pub addr: IpAddr,
    pub port: u16,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.addr {
            IpAddr::V4(a) => write!(f, "{a}:{}", self.port),
            IpAddr::V6(a) => write!(f, "[{a}]:{}", self.port),
        }
    }
}

/// A 4-tuple with its endpoints in canonical (sorted) order, so that both
/// directions of a connection map to the same key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConnKey {
    low: Endpoint,
    high: Endpoint,
}

impl ConnKey {
    pub fn of(src: Endpoint, dst: Endpoint) -> ConnKey {
        if src <= dst {
            ConnKey {
                low: src,
                high: dst,
            }
        } else {
            ConnKey {
                low: dst,
                high: src,
            }
        }
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

/// What the table needs to remember of each stream to number the next ones.
#[derive(Clone, Debug)]
struct StreamMeta {
    a: Endpoint,
    /// Wireshark's `base_seq`: the ISN, or `seq - 1` / `ack - 1` when the
    /// handshake was not seen.
    base_seq: [Option<Seq>; 2],
    closed: bool,
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

#[derive(Default)]
pub struct FlowTable {
    current: HashMap<ConnKey, u32, SeededFx>,
    streams: Vec<StreamMeta>,
}

impl FlowTable {
    pub fn new() -> FlowTable {
        FlowTable::default()
    }

    pub fn stream_count(&self) -> usize {
        self.streams.len()
    }

    /// Finds (or opens) the stream of `seg` and updates what numbering needs.
    pub fn lookup(&mut self, seg: &Segment) -> Lookup {
        let src = Endpoint {
            addr: seg.src,
            port: seg.sport,
        };
        let dst = Endpoint {
            addr: seg.dst,
            port: seg.dport,
        };
        let key = ConnKey::of(src, dst);
        let existing = self.current.get(&key).copied();
        let (stream, is_new, reused) = match existing {
            Some(id) if !self.starts_new_stream(id, src, seg) => (id, false, false),
            previous => {
                let id = self.streams.len() as u32;
                self.streams.push(StreamMeta {
                    a: src,
                    base_seq: [None, None],
                    closed: false,
                });
                self.current.insert(key, id);
                (id, true, previous.is_some())
            }
        };
        let meta = &mut self.streams[stream as usize];
        let dir = if meta.a == src {
            Direction::AtoB
        } else {
            Direction::BtoA
        };
        let fwd = dir.index();
        if meta.base_seq[fwd].is_none() {
            meta.base_seq[fwd] = Some(if seg.flags.syn() {
                seg.seq
            } else {
                seg.seq - 1
            });
        }
        let rev = dir.reverse().index();
        if meta.base_seq[rev].is_none() && seg.flags.ack() {
            meta.base_seq[rev] = Some(seg.ack - 1);
        }
        if !is_new && (seg.flags.rst() || (seg.flags.fin() && seg.flags.ack())) {
            meta.closed = true;
        }
        let repeated_syn = !is_new && seg.flags.is_pure_syn();
        Lookup {
            stream,
            dir,
            is_new,
            reused_ports: reused,
            repeated_syn,
            fwd_base: meta.base_seq[fwd],
            rev_base: meta.base_seq[rev],
        }
    }

    /// A packet with a TCP 4-tuple but a damaged header: numbered like
    /// Wireshark does (a new stream when the 4-tuple is new), not analysed.
    /// Returns the stream and whether it is new.
    pub fn touch(&mut self, src: Endpoint, dst: Endpoint) -> (u32, bool) {
        let key = ConnKey::of(src, dst);
        if let Some(id) = self.current.get(&key) {
            return (*id, false);
        }
        let id = self.streams.len() as u32;
        self.streams.push(StreamMeta {
            a: src,
            base_seq: [None, None],
            closed: false,
        });
        self.current.insert(key, id);
        (id, true)
    }

    fn starts_new_stream(&self, id: u32, src: Endpoint, seg: &Segment) -> bool {
        if !seg.flags.is_pure_syn() {
            return false;
        }
        let meta = &self.streams[id as usize];
        let fwd = if meta.a == src { 0 } else { 1 };
        match meta.base_seq[fwd] {
            Some(base) => base != seg.seq || meta.closed,
            None => false,
        }
    }
}
