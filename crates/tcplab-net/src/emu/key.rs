//! What makes `--seed` reproducible: each packet's random draws come from
//! its *content*, not from its place in the packet sequence. A data
//! segment is named by its connection (in order of appearance), the block
//! of the byte stream its last byte falls in (blocks of one full segment,
//! the MSS the handshake agreed, counted from the ISN), and how many
//! segments ending in that block crossed before; a SYN or a FIN without
//! data by its relative sequence number; a pure ACK by its relative ACK
//! number and how many duplicates preceded it. Timing differences between
//! runs (an extra window update, an ACK delayed differently) therefore do
//! not shift the draws of every later packet, and neither does a sender
//! whose segments start a few bytes later than in another run (a short
//! segment where the application's writes met the window at another
//! moment): the segment that ends in block b is the same one in both runs.
//!
//! Packets are read with the wire's parser (`tcplab_wire::dissect`), and
//! every sequence comparison is `Seq`'s serial-number arithmetic.

use std::collections::HashMap;
use std::net::IpAddr;
use tcplab_analysis::record::drops::LinkDirection;
use tcplab_wire::dissect::{dissect_ip, Flags, Segment};
use tcplab_wire::Seq;

/// The two random numbers of a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Draws {
    pub loss: u64,
    pub jitter: u64,
}

type FlowId = (IpAddr, IpAddr, u16, u16);

#[derive(Default)]
struct Half {
    /// Ordinal of the connection, the same for both directions.
    ordinal: u32,
    isn: Option<Seq>,
    /// The MSS option of this side's SYN, and whether it offered timestamps.
    mss: Option<u16>,
    timestamps: bool,
    /// Where block 0 ends: the end (relative) of this side's first
    /// full-size segment. Segments before it are named exactly.
    origin: Option<Seq>,
    /// Per segment name (`Name`): how many crossed, and the relative seq
    /// where all of it is acknowledged; pruned below the peer's ACK.
    seen: HashMap<Name, (u32, Seq)>,
    last_ack: Option<Seq>,
    dup_acks: u32,
    acked: Option<Seq>,
    /// `acked` when `seen` was last pruned (prune again only once it moved).
    pruned_at: Option<Seq>,
}

/// Keeps what naming needs: per direction of each connection, its ISN,
/// segments not yet acknowledged, and the last ACK.
pub struct Keyer {
    seed: u64,
    flows: HashMap<FlowId, Half>,
    connections: u32,
    others: u64,
}

/// SplitMix64's finaliser: a good 64-bit mix.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn hash(parts: &[u64]) -> u64 {
    parts
        .iter()
        .fold(0x9e37_79b9_7f4a_7c15, |h, &p| mix(h ^ mix(p)))
}

/// Most connections tracked; beyond, packets are named by their order.
const MAX_FLOWS: usize = 4096;
/// Segments remembered per direction before pruning below the ACK.
const PRUNE_AT: usize = 4096;

/// What names a segment: the block its end falls in, or (before the first
/// full-size segment, and for SYN/FIN without data) its exact relative
/// sequence number and length; with its control flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Name {
    Block(u32, u8),
    Exact(Seq, u32, u8),
}

/// The full-segment payload when the handshake was not seen.
const DEFAULT_BLOCK: u32 = 1448;

/// A direction of a connection: source, destination and their ports.
fn flow_of(seg: &Segment) -> FlowId {
    (seg.src, seg.dst, seg.sport, seg.dport)
}

/// `n` relative to `isn` (itself when the ISN was not seen).
fn relative(n: Seq, isn: Option<Seq>) -> Seq {
    isn.map_or(n, |isn| Seq(n - isn))
}

/// Sequence number, payload length and flags of a TCP packet, for the drop log.
pub fn tcp_brief(pkt: &[u8]) -> Option<(u32, u32, u8)> {
    dissect_ip(pkt)
        .ok()
        .map(|seg| (seg.seq.raw(), seg.len, seg.flags.classic()))
}

/// The payload of a full segment from this side: the smaller MSS of the
/// two SYNs, less the 12 bytes of the timestamp option when both offered it.
fn block_size(mss: Option<u16>, timestamps: bool, peer: Option<(Option<u16>, bool)>) -> u32 {
    let (peer_mss, peer_ts) = peer.unwrap_or((None, false));
    let smaller = match (mss, peer_mss) {
        (Some(a), Some(b)) => a.min(b),
        (Some(m), None) | (None, Some(m)) => m,
        (None, None) => return DEFAULT_BLOCK,
    };
    let ts = if timestamps && peer_ts { 12 } else { 0 };
    u32::from(smaller).saturating_sub(ts).max(1)
}

impl Keyer {
    pub fn new(seed: u64) -> Keyer {
        Keyer {
            seed,
            flows: HashMap::new(),
            connections: 0,
            others: 0,
        }
    }

    pub fn draws(&mut self, way: LinkDirection, pkt: &[u8]) -> Draws {
        let name = match dissect_ip(pkt) {
            Ok(seg) => self.name_tcp(&seg),
            Err(_) => None,
        };
        let name = name.unwrap_or_else(|| {
            self.others += 1;
            [u64::MAX, self.others, 0, 0]
        });
        let way = way as u64;
        Draws {
            loss: hash(&[self.seed, way, 1, name[0], name[1], name[2], name[3]]),
            jitter: hash(&[self.seed, way, 2, name[0], name[1], name[2], name[3]]),
        }
    }

    fn name_tcp(&mut self, seg: &Segment) -> Option<[u64; 4]> {
        let flow = flow_of(seg);
        let reverse = (flow.1, flow.0, flow.3, flow.2);
        if !self.flows.contains_key(&flow) {
            if self.flows.len() >= MAX_FLOWS {
                return None;
            }
            let ordinal = match self.flows.get(&reverse) {
                Some(h) => h.ordinal,
                None => {
                    self.connections += 1;
                    self.connections
                }
            };
            self.flows.insert(
                flow,
                Half {
                    ordinal,
                    ..Half::default()
                },
            );
        }
        let peer = self.flows.get(&reverse);
        let peer_isn = peer.and_then(|h| h.isn);
        let peer_syn = peer.map(|h| (h.mss, h.timestamps));
        // The ACK this packet carries prunes what the peer remembers.
        if seg.flags.ack() {
            if let Some(peer) = self.flows.get_mut(&reverse) {
                let rel = relative(seg.ack, peer.isn);
                if peer.acked.is_none_or(|a| rel.after(a)) {
                    peer.acked = Some(rel);
                }
                if peer.seen.len() > PRUNE_AT && peer.pruned_at != peer.acked {
                    if let Some(acked) = peer.acked {
                        peer.seen.retain(|_, &mut (_, end)| end.after(acked));
                        peer.pruned_at = Some(acked);
                    }
                }
            }
        }
        let half = self.flows.get_mut(&flow)?;
        if seg.flags.syn() {
            half.isn = Some(seg.seq);
            half.mss = seg.options.mss;
            half.timestamps = seg.options.timestamps.is_some();
        }
        let rel_seq = relative(seg.seq, half.isn);
        let rel_ack = relative(seg.ack, peer_isn);
        let ordinal = u64::from(half.ordinal);
        let control = Flags(seg.flags.0 & (Flags::SYN | Flags::FIN | Flags::RST)).classic();
        if seg.len == 0 && control == 0 {
            if half.last_ack == Some(rel_ack) {
                half.dup_acks += 1;
            } else {
                half.last_ack = Some(rel_ack);
                half.dup_acks = 0;
            }
            return Some([
                ordinal,
                0,
                u64::from(rel_ack.raw()),
                u64::from(half.dup_acks),
            ]);
        }
        // SYN and FIN take one sequence number each.
        let end = rel_seq + seg.len + u32::from(seg.flags.has(Flags::SYN | Flags::FIN));
        let block = block_size(half.mss, half.timestamps, peer_syn);
        if seg.len == block && half.origin.is_none() {
            half.origin = Some(end);
        }
        // Full segments end where blocks end: a sender that cut the stream
        // shorter once (by less than a block) still ends its next segments
        // in the same blocks as a run that did not.
        let (name, covered) = match half.origin {
            Some(origin) if seg.len > 0 && end.after_or_eq(origin) => {
                let b = (end - origin).div_ceil(block);
                (Name::Block(b, control), origin + b.saturating_mul(block))
            }
            _ => (Name::Exact(rel_seq, seg.len, control), end),
        };
        let entry = half.seen.entry(name).or_insert((0, covered));
        let occurrence = entry.0;
        entry.0 += 1;
        let (kind, ident) = match name {
            Name::Block(b, _) => (16, u64::from(b)),
            Name::Exact(s, l, _) => (0, (u64::from(s.raw()) << 32) | u64::from(l)),
        };
        Some([
            ordinal,
            kind + 1 + u64::from(control),
            ident,
            u64::from(occurrence),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(sport: u16, dport: u16, seq: u32, ack: u32, flags: u16, len: usize) -> Vec<u8> {
        let total = 40 + len;
        let mut p = vec![0u8; total];
        p[0] = 0x45;
        p[2..4].copy_from_slice(&(total as u16).to_be_bytes());
        p[9] = 6;
        p[12..16].copy_from_slice(&[10, 77, 0, if sport < dport { 2 } else { 1 }]);
        p[16..20].copy_from_slice(&[10, 77, 0, if sport < dport { 1 } else { 2 }]);
        p[20..22].copy_from_slice(&sport.to_be_bytes());
        p[22..24].copy_from_slice(&dport.to_be_bytes());
        p[24..28].copy_from_slice(&seq.to_be_bytes());
        p[28..32].copy_from_slice(&ack.to_be_bytes());
        p[32] = 5 << 4;
        p[33] = Flags(flags).classic();
        p
    }

    /// The same transfer with other ISNs and ports gives the same draws.
    #[test]
    fn draws_depend_on_relative_content_only() {
        let run = |isn: u32, port: u16| {
            let mut k = Keyer::new(7);
            let mut out = vec![k.draws(
                LinkDirection::Forward,
                &segment(port, 80, isn, 0, Flags::SYN, 0),
            )];
            for i in 0..5u32 {
                let p = segment(port, 80, isn.wrapping_add(1 + i * 100), 9, Flags::ACK, 100);
                out.push(k.draws(LinkDirection::Forward, &p));
            }
            // A retransmission of the second segment gets a draw of its own.
            out.push(k.draws(
                LinkDirection::Forward,
                &segment(port, 80, isn.wrapping_add(101), 9, Flags::ACK, 100),
            ));
            out
        };
        let a = run(1000, 40000);
        let b = run(0xffff_ff00, 51234);
        assert_eq!(a, b);
        assert_ne!(a[2], a[6], "a retransmission is a new draw");
        let mut c = Keyer::new(8);
        assert_ne!(
            a[0],
            c.draws(
                LinkDirection::Forward,
                &segment(40000, 80, 1000, 0, Flags::SYN, 0)
            )
        );
    }

    #[test]
    fn duplicate_acks_are_told_apart() {
        let mut k = Keyer::new(1);
        let ack = segment(80, 40000, 5, 777, Flags::ACK, 0);
        let a = k.draws(LinkDirection::Backward, &ack);
        let b = k.draws(LinkDirection::Backward, &ack);
        assert_ne!(a, b);
        let mut k2 = Keyer::new(1);
        assert_eq!(a, k2.draws(LinkDirection::Backward, &ack));
    }

    #[test]
    fn non_tcp_and_garbage_are_named_by_order() {
        let mut k = Keyer::new(1);
        let a = k.draws(LinkDirection::Forward, &[0x45, 0, 0]);
        let b = k.draws(LinkDirection::Forward, &[]);
        assert_ne!(a, b);
    }

    #[test]
    fn memory_is_pruned_below_the_ack() {
        let mut k = Keyer::new(1);
        k.draws(
            LinkDirection::Forward,
            &segment(40000, 80, 0, 0, Flags::SYN, 0),
        );
        k.draws(
            LinkDirection::Backward,
            &segment(80, 40000, 0, 1, Flags::SYN | Flags::ACK, 0),
        );
        for i in 0..(PRUNE_AT as u32 + 10) {
            k.draws(
                LinkDirection::Forward,
                &segment(40000, 80, 1 + i * 10, 1, Flags::ACK, 10),
            );
        }
        let acked = 1 + (PRUNE_AT as u32 + 10) * 10;
        k.draws(
            LinkDirection::Backward,
            &segment(80, 40000, 1, acked, Flags::ACK, 0),
        );
        let half = &k.flows[&dissect_ip(&segment(40000, 80, 0, 0, 0, 0))
            .map(|seg| flow_of(&seg))
            .unwrap()];
        assert!(half.seen.is_empty());
    }

    /// A SYN with the options Linux sends: MSS, SACK permitted, timestamps.
    fn syn(sport: u16, dport: u16, seq: u32, ack: u32, flags: u16, mss: u16) -> Vec<u8> {
        let mut p = segment(sport, dport, seq, ack, flags, 16);
        p[32] = 9 << 4;
        let m = mss.to_be_bytes();
        p[40..56].copy_from_slice(&[2, 4, m[0], m[1], 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0]);
        p
    }

    /// Two runs whose senders cut the byte stream differently after a
    /// while (one sent a short segment): the segments that end in the same
    /// block of 1448 bytes (the MSS 1460 less the timestamps) draw alike.
    #[test]
    fn a_shifted_segmentation_keeps_the_draws() {
        let run = |short_at: u32| {
            let mut k = Keyer::new(3);
            k.draws(
                LinkDirection::Forward,
                &syn(40000, 80, 99, 0, Flags::SYN, 1460),
            );
            k.draws(
                LinkDirection::Backward,
                &syn(80, 40000, 7, 100, Flags::SYN | Flags::ACK, 1460),
            );
            let (mut seq, mut out) = (1u32, Vec::new());
            for i in 0..20u32 {
                let len = if i == short_at { 1448 - 80 } else { 1448 };
                let d = k.draws(
                    LinkDirection::Forward,
                    &segment(40000, 80, 99 + seq, 8, Flags::ACK, len as usize),
                );
                out.push(d);
                seq += len;
            }
            out
        };
        let (a, b) = (run(99), run(10));
        assert_eq!(a, b, "each segment ends in the same block in both runs");
        let all: std::collections::HashSet<u64> = a.iter().map(|d| d.loss).collect();
        assert_eq!(all.len(), a.len(), "and each block draws its own");
        assert_eq!(block_size(Some(1460), true, Some((Some(1400), true))), 1388);
        assert_eq!(block_size(None, false, None), DEFAULT_BLOCK);
    }
}
