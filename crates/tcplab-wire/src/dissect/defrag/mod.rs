//! IPv4 and IPv6 fragments in, whole datagrams out, in bounded memory.
//!
//! The descent (`dissect`) is pure: it stops at a fragment and hands it
//! over as a [`Fragment`]. The one read loop (tcplab-analysis' `Analyzer`)
//! keeps a `Defragmenter`, pushes each fragment into it and, when a
//! datagram is complete, descends again into the rebuilt datagram with the
//! tunnel path the fragment came through ([`super::dissect_reassembled`]):
//! fragments are reassembled at any layer, outer or inner.
//!
//! Datagrams are keyed as RFC 791 (source, destination, protocol,
//! identification) and RFC 8200 (source, destination, identification) say.
//! The bytes are gathered by etherparse's `IpDefragBuf`; what is decided
//! here: out-of-order and duplicate fragments are fine, overlapping ones
//! must agree byte for byte (else the datagram is refused: which copy is
//! the right one cannot be told), a datagram over 65,535 bytes is refused,
//! and three limits keep memory bounded whatever the capture holds —
//! datagrams pending at once, bytes held, and age in capture time. A
//! datagram that cannot be completed is a [`Lost`] with its reason and the
//! number of frames it had: the caller counts them, nothing goes unsaid.
//!
//! Not done here: what the datagram carries (the descent's work).

mod piece;
#[cfg(test)]
mod tests;

use super::{Encap, TunnelPath};
use crate::capture::Timestamp;
use etherparse::defrag::IpDefragBuf;
use etherparse::{IpFragOffset, IpNumber};
use piece::{Key, Version};
use std::collections::{HashMap, VecDeque};
use std::fmt;

/// A fragment as the descent found it: the IP packet from its header on,
/// the tunnel path outside it and the encapsulation it was in.
#[derive(Clone, Copy, Debug)]
pub struct Fragment<'a> {
    pub ip: &'a [u8],
    pub path: TunnelPath,
    pub inside: Option<Encap>,
}

/// Why a datagram's fragments were not reassembled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Loss {
    /// A fragment never came (the capture ended first).
    Missing,
    /// No fragment completed it within [`Limits::max_age_ns`] of the first.
    TimedOut,
    /// Dropped to keep within [`Limits`]: too many datagrams or bytes pending.
    Evicted,
    /// Its fragments add up to more than 65,535 bytes.
    TooLarge,
    /// Fragments overlap with different bytes.
    Conflict,
    /// A fragment was cut short by the snap length.
    CutOff,
    /// A fragment's header or lengths do not add up (a non-last fragment
    /// not a multiple of 8 bytes, two different ends).
    Malformed,
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Loss::Missing => "a fragment missing",
            Loss::TimedOut => "not completed within 30 s",
            Loss::Evicted => "more incomplete datagrams than tcplab holds at once",
            Loss::TooLarge => "larger than 65,535 bytes",
            Loss::Conflict => "overlapping fragments with different bytes",
            Loss::CutOff => "a fragment cut off by the snap length",
            Loss::Malformed => "fragment lengths that do not add up",
        })
    }
}

/// The bounds on what is held. Defaults: 4096 datagrams, 16 MiB, 30 s
/// (Linux's `ipfrag_time`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_pending: usize,
    pub max_bytes: usize,
    pub max_age_ns: i64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_pending: 4096,
            max_bytes: 16 << 20,
            max_age_ns: 30_000_000_000,
        }
    }
}

/// A datagram whose last missing fragment just came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reassembled {
    /// The IP datagram, whole, with its header marked as not a fragment.
    pub datagram: Vec<u8>,
    /// Frames it was gathered from, the completing one included.
    pub frames: u32,
    /// The frame of its first fragment to arrive.
    pub first_frame: u64,
    pub path: TunnelPath,
    pub inside: Option<Encap>,
}

/// A datagram given up, and how many frames carried its fragments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lost {
    pub loss: Loss,
    pub frames: u32,
    pub inside: Option<Encap>,
}

/// What became of a fragment pushed.
#[derive(Debug, PartialEq, Eq)]
pub enum Pushed {
    /// Held until the rest of its datagram comes.
    Held,
    Complete(Box<Reassembled>),
}

struct Pending {
    started: Timestamp,
    /// Tells this datagram's place in `order` from an earlier one's with the same key.
    generation: u64,
    frames: u32,
    first_frame: u64,
    path: TunnelPath,
    inside: Option<Encap>,
    /// Bytes gathered, or why the datagram is refused (its later
    /// fragments are then only counted).
    state: Result<Gathering, Loss>,
}

struct Gathering {
    buf: IpDefragBuf,
    /// The first fragment's header, once it has come.
    head: Option<(Vec<u8>, Version)>,
}

impl Gathering {
    fn held(&self) -> usize {
        self.buf.data().capacity() + self.head.as_ref().map_or(0, |(h, _)| h.capacity())
    }
}

/// The reassembly state of one capture.
#[derive(Default)]
pub struct Defragmenter {
    limits: Limits,
    pending: HashMap<Key, Pending>,
    /// Datagrams by when they started, oldest first (entries of finished
    /// ones are skipped by their generation).
    order: VecDeque<(Key, u64)>,
    generation: u64,
    held: usize,
    lost: Vec<Lost>,
}

impl Defragmenter {
    pub fn new(limits: Limits) -> Defragmenter {
        Defragmenter {
            limits,
            ..Defragmenter::default()
        }
    }

    /// Takes in one fragment seen in `frame` at `ts`. Datagrams given up on
    /// the way (this one, or older ones by age or limits) wait in
    /// [`Self::take_lost`].
    pub fn push(&mut self, frame: u64, ts: Timestamp, fragment: &Fragment<'_>) -> Pushed {
        self.expire(ts);
        let piece = match piece::read(fragment.ip) {
            Ok(piece) => piece,
            Err(loss) => {
                self.lost.push(Lost {
                    loss,
                    frames: 1,
                    inside: fragment.inside,
                });
                return Pushed::Held;
            }
        };
        let key = piece.key;
        if !self.pending.contains_key(&key) {
            self.make_room();
            self.generation += 1;
            self.order.push_back((key, self.generation));
            self.pending.insert(
                key,
                Pending {
                    started: ts,
                    generation: self.generation,
                    frames: 0,
                    first_frame: frame,
                    path: fragment.path,
                    inside: fragment.inside,
                    state: Ok(Gathering {
                        buf: IpDefragBuf::new(IpNumber(key.proto), Vec::new(), Vec::new()),
                        head: None,
                    }),
                },
            );
        }
        let Some(p) = self.pending.get_mut(&key) else {
            return Pushed::Held;
        };
        p.frames += 1;
        let Ok(g) = &mut p.state else {
            return Pushed::Held;
        };
        let before = g.held();
        let added = add(g, &piece);
        let after = match &added {
            Ok(()) => g.held(),
            Err(_) => 0,
        };
        self.held = self.held + after - before;
        if let Err(loss) = added {
            p.state = Err(loss);
            return Pushed::Held;
        }
        let complete = g.buf.is_complete() && g.head.is_some();
        if complete {
            if let Some(done) = self.pending.remove(&key) {
                return self.complete(done);
            }
        }
        if self.held > self.limits.max_bytes {
            self.make_room();
        }
        Pushed::Held
    }

    /// Datagrams given up since the last call.
    pub fn take_lost(&mut self) -> std::vec::Drain<'_, Lost> {
        self.lost.drain(..)
    }

    /// The capture has ended: every datagram still pending is lost (a
    /// fragment missing, or the reason it was refused).
    pub fn finish(&mut self) -> Vec<Lost> {
        let mut lost: Vec<Lost> = self.lost.drain(..).collect();
        let mut rest: Vec<(Key, Pending)> = self.pending.drain().collect();
        rest.sort_by_key(|(_, p)| p.generation);
        lost.extend(rest.into_iter().map(|(_, p)| lost_of(&p, Loss::Missing)));
        self.order.clear();
        self.held = 0;
        lost
    }

    /// Datagrams pending and bytes held (for tests and limits).
    pub fn holding(&self) -> (usize, usize) {
        (self.pending.len(), self.held)
    }

    fn complete(&mut self, done: Pending) -> Pushed {
        let Ok(g) = done.state else {
            return Pushed::Held;
        };
        self.held = self.held.saturating_sub(g.held());
        let Some((head, version)) = g.head else {
            return Pushed::Held;
        };
        let (payload, _) = g.buf.take_bufs();
        match piece::rebuild(&head, version, &payload) {
            Ok(datagram) => Pushed::Complete(Box::new(Reassembled {
                datagram,
                frames: done.frames,
                first_frame: done.first_frame,
                path: done.path,
                inside: done.inside,
            })),
            Err(loss) => {
                self.lost.push(Lost {
                    loss,
                    frames: done.frames,
                    inside: done.inside,
                });
                Pushed::Held
            }
        }
    }

    /// Gives up datagrams older than the age limit at `now`.
    fn expire(&mut self, now: Timestamp) {
        while let Some(&(key, generation)) = self.order.front() {
            match self.pending.get(&key) {
                Some(p) if p.generation == generation => {
                    if now.0.saturating_sub(p.started.0) <= self.limits.max_age_ns {
                        break;
                    }
                    self.give_up_oldest(Loss::TimedOut);
                }
                _ => {
                    self.order.pop_front();
                }
            }
        }
        // Entries of completed datagrams are dropped as they reach the
        // front; a long run of completions is compacted here instead.
        if self.order.len() > 2 * self.limits.max_pending.max(self.pending.len()) {
            let pending = &self.pending;
            self.order
                .retain(|(k, g)| pending.get(k).is_some_and(|p| p.generation == *g));
        }
    }

    /// Gives up the oldest datagrams until one more fits.
    fn make_room(&mut self) {
        while !self.pending.is_empty()
            && (self.pending.len() >= self.limits.max_pending || self.held > self.limits.max_bytes)
        {
            self.give_up_oldest(Loss::Evicted);
        }
    }

    /// Gives up the oldest pending datagram (with its own refusal reason
    /// when it already has one).
    fn give_up_oldest(&mut self, loss: Loss) {
        while let Some((key, generation)) = self.order.pop_front() {
            if self
                .pending
                .get(&key)
                .is_some_and(|p| p.generation == generation)
            {
                if let Some(p) = self.pending.remove(&key) {
                    if let Ok(g) = &p.state {
                        self.held = self.held.saturating_sub(g.held());
                    }
                    self.lost.push(lost_of(&p, loss));
                }
                return;
            }
        }
    }
}

fn lost_of(p: &Pending, loss: Loss) -> Lost {
    Lost {
        loss: p.state.as_ref().err().copied().unwrap_or(loss),
        frames: p.frames,
        inside: p.inside,
    }
}

/// Adds one fragment's bytes; an overlap must repeat the bytes already there.
fn add(g: &mut Gathering, piece: &piece::Piece<'_>) -> Result<(), Loss> {
    let start = usize::from(piece.offset) * 8;
    let end = start + piece.payload.len();
    if end > usize::from(u16::MAX) {
        return Err(Loss::TooLarge);
    }
    for range in g.buf.sections() {
        let (a, b) = (
            start.max(usize::from(range.start)),
            end.min(usize::from(range.end)),
        );
        if a < b && g.buf.data().get(a..b) != piece.payload.get(a - start..b - start) {
            return Err(Loss::Conflict);
        }
    }
    let offset = IpFragOffset::try_new(piece.offset).map_err(|_| Loss::Malformed)?;
    g.buf
        .add(offset, piece.more, piece.payload)
        .map_err(|e| match e {
            etherparse::defrag::IpDefragError::SegmentTooBig { .. } => Loss::TooLarge,
            etherparse::defrag::IpDefragError::AllocationFailure { .. } => Loss::Evicted,
            _ => Loss::Malformed,
        })?;
    if piece.offset == 0 && g.head.is_none() {
        g.head = Some((piece.head.to_vec(), piece.version));
    }
    Ok(())
}
