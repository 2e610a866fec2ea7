//! The spill file's encoding of a connection (with `crate::disk::Code`):
//! every field of every state type, listed once. In: a connection; out:
//! its bytes, and the same connection from them. A connection read back
//! from the spill file goes on exactly as if it had stayed in memory. Not
//! here: the encoding of the field types (`crate::disk`'s codec), the file
//! (`crate::disk::SpillFile`), nor the shorter form of a finished
//! connection when no summary is wanted (`for_analysis.rs`).

use super::{Brief, Connection, DirAccum, HandshakeState, TeardownState};
use crate::disk::{fixed_record, get_sparse, put_sparse, Code, Fixed, Reader, Sink, Stack};
use crate::flow::Direction;
use tcplab_wire::capture::Timestamp;
use tcplab_wire::dissect::Flags;
use tcplab_wire::Seq;

/// Seven of these in most connections: a fixed layout of 44 bytes, not
/// `record!`'s field-by-field `Code` with its option tags and a capacity
/// check per field (four times slower). Built on the stack and appended
/// in one piece, read from a copy of known size: the bounds checks of the
/// fields fold away.
impl Fixed for Brief {
    const SIZE: usize = BRIEF_BYTES;

    /// Inline always: in its parent's layout, at an offset known when
    /// compiling (a call writes through the parent's length, checked).
    #[inline(always)]
    fn put_fixed(&self, out: &mut impl Sink) {
        let mut b = Stack::<BRIEF_BYTES>::new();
        self.frame.put_fixed(&mut b);
        self.ts.put_fixed(&mut b);
        self.seq.put_fixed(&mut b);
        self.ack.put_fixed(&mut b);
        self.len.put_fixed(&mut b);
        self.window.put_fixed(&mut b);
        self.flags.0.put_fixed(&mut b);
        let bits = self.from.index() as u8
            | u8::from(self.mss.is_some()) << 1
            | u8::from(self.window_scale.is_some()) << 2
            | u8::from(self.sack_permitted) << 3
            | u8::from(self.timestamps.is_some()) << 4;
        bits.put_fixed(&mut b);
        self.mss.unwrap_or(0).put_fixed(&mut b);
        self.window_scale.unwrap_or(0).put_fixed(&mut b);
        self.timestamps.unwrap_or((0, 0)).put_fixed(&mut b);
        out.put_bytes(b.full());
    }

    fn get_fixed(from: &mut Reader) -> Self {
        let copy: [u8; BRIEF_BYTES] = from.bytes();
        let mut fields = Reader::new(&copy);
        let r = &mut fields;
        let frame = Fixed::get_fixed(r);
        let ts = Fixed::get_fixed(r);
        let seq = Fixed::get_fixed(r);
        let ack = Fixed::get_fixed(r);
        let len = Fixed::get_fixed(r);
        let window = Fixed::get_fixed(r);
        let flags = Flags(Fixed::get_fixed(r));
        let bits = u8::get_fixed(r);
        r.reject(bits >> 5 != 0);
        let mss = u16::get_fixed(r);
        let window_scale = u8::get_fixed(r);
        let timestamps = <(u32, u32)>::get_fixed(r);
        let brief = Brief {
            frame,
            ts,
            seq,
            ack,
            len,
            window,
            flags,
            from: if bits & 1 == 0 {
                Direction::AtoB
            } else {
                Direction::BtoA
            },
            mss: (bits & 2 != 0).then_some(mss),
            window_scale: (bits & 4 != 0).then_some(window_scale),
            sack_permitted: bits & 8 != 0,
            timestamps: (bits & 16 != 0).then_some(timestamps),
        };
        from.reject(fields.finish(()).is_err());
        brief
    }
}

const BRIEF_BYTES: usize = 44;

impl Code for Brief {
    #[inline]
    fn put(&self, out: &mut Vec<u8>) {
        self.put_fixed(out);
    }
    #[inline]
    fn get(r: &mut Reader) -> Self {
        Brief::get_fixed(r)
    }
}

/// The three segments and the count in one fixed layout.
impl Code for HandshakeState {
    fn put(&self, out: &mut Vec<u8>) {
        let mut b = Stack::<HANDSHAKE_BYTES>::new();
        self.syn.put_fixed(&mut b);
        self.syn_ack.put_fixed(&mut b);
        self.ack.put_fixed(&mut b);
        self.syn_retransmissions.put_fixed(&mut b);
        out.put_bytes(b.full());
    }

    fn get(r: &mut Reader) -> Self {
        HandshakeState {
            syn: Fixed::get_fixed(r),
            syn_ack: Fixed::get_fixed(r),
            ack: Fixed::get_fixed(r),
            syn_retransmissions: Fixed::get_fixed(r),
        }
    }
}

const HANDSHAKE_BYTES: usize = 3 * <Option<Brief>>::SIZE + u32::SIZE;

fixed_record!(TeardownState {
    fins: [Option<(Brief, Option<Brief>)>; 2],
    half_close: bool,
    simultaneous_close: bool,
} then { resets });

/// The counters and options in one fixed layout (one capacity check for
/// them all, not one per field), then the RTT statistics and the
/// timestamps waiting for their echo, which vary in size, and the reserved
/// flags' counts (a byte when they are all zero, as in most connections).
impl Code for DirAccum {
    fn put(&self, out: &mut Vec<u8>) {
        let mut b = Stack::<DIR_BYTES>::new();
        self.packets.put_fixed(&mut b);
        self.bytes.put_fixed(&mut b);
        self.payload_bytes.put_fixed(&mut b);
        self.data_segments.put_fixed(&mut b);
        self.truncated.put_fixed(&mut b);
        self.isn.put_fixed(&mut b);
        self.mss.put_fixed(&mut b);
        self.window_scale.put_fixed(&mut b);
        self.sack_permitted.put_fixed(&mut b);
        self.timestamps.put_fixed(&mut b);
        self.max_window().put_fixed(&mut b);
        self.min_window().put_fixed(&mut b);
        self.data_start.put_fixed(&mut b);
        self.data_end.put_fixed(&mut b);
        self.highest_ack.put_fixed(&mut b);
        out.put_bytes(b.full());
        self.ack_rtt.put(out);
        self.ts_rtt.put(out);
        self.ts.put(out);
        put_sparse::<_, { <[u64; 4]>::SIZE }>(&self.reserved_flags, out);
    }

    fn get(r: &mut Reader) -> Self {
        let copy: [u8; DIR_BYTES] = r.bytes();
        let mut fields = Reader::new(&copy);
        let f = &mut fields;
        let dir = DirAccum {
            packets: Fixed::get_fixed(f),
            bytes: Fixed::get_fixed(f),
            payload_bytes: Fixed::get_fixed(f),
            data_segments: Fixed::get_fixed(f),
            truncated: Fixed::get_fixed(f),
            isn: Fixed::get_fixed(f),
            mss: Fixed::get_fixed(f),
            window_scale: Fixed::get_fixed(f),
            sack_permitted: Fixed::get_fixed(f),
            timestamps: Fixed::get_fixed(f),
            // Kept in memory as a maximum and an inverted minimum (`mod.rs`).
            max_window: <Option<u32>>::get_fixed(f).unwrap_or(0),
            not_min_window: <Option<u32>>::get_fixed(f).map_or(0, |m| !m),
            data_start: Fixed::get_fixed(f),
            data_end: Fixed::get_fixed(f),
            highest_ack: Fixed::get_fixed(f),
            ack_rtt: Code::get(r),
            ts_rtt: Code::get(r),
            ts: Code::get(r),
            reserved_flags: get_sparse::<_, { <[u64; 4]>::SIZE }>(r),
        };
        r.reject(fields.finish(()).is_err());
        dir
    }
}

const DIR_BYTES: usize = 5 * u64::SIZE
    + 4 * <Option<Seq>>::SIZE
    + <Option<u16>>::SIZE
    + <Option<u8>>::SIZE
    + 2 * bool::SIZE
    + 2 * <Option<u32>>::SIZE;

/// The fields both forms of a connection start with (the whole state, and
/// the state for the analysis only).
pub(super) struct Head {
    pub stream: u32,
    pub reused_ports: bool,
    pub base: [Option<Seq>; 2],
    pub last_syn: Option<Timestamp>,
    pub client: Option<Direction>,
}

pub(super) const HEAD_BYTES: usize = u32::SIZE
    + bool::SIZE
    + <[Option<Seq>; 2]>::SIZE
    + <Option<Timestamp>>::SIZE
    + <Option<u8>>::SIZE;

impl Head {
    pub(super) fn get(f: &mut Reader) -> Head {
        let stream = Fixed::get_fixed(f);
        let reused_ports = Fixed::get_fixed(f);
        let base = Fixed::get_fixed(f);
        let last_syn = Fixed::get_fixed(f);
        let client = <Option<u8>>::get_fixed(f).map(|d| {
            f.reject(d > 1);
            if d == 0 {
                Direction::AtoB
            } else {
                Direction::BtoA
            }
        });
        Head {
            stream,
            reused_ports,
            base,
            last_syn,
            client,
        }
    }
}

impl Connection {
    /// `Head`'s fields, in the layout `b` is building.
    #[inline(always)]
    pub(super) fn put_head(&self, b: &mut impl Sink) {
        self.stream.put_fixed(b);
        self.reused_ports.put_fixed(b);
        self.base.put_fixed(b);
        self.last_syn.put_fixed(b);
        self.client.map(|d| d.index() as u8).put_fixed(b);
    }
}

/// The whole state, so that a connection read back from the spill file
/// goes on exactly as if it had stayed in memory: the fields of fixed size
/// in one layout, then the event counts (a byte when there was no event),
/// then the others. Decoding names every field (a field
/// added to `Connection` and not here does not compile).
impl Code for Connection {
    fn put(&self, out: &mut Vec<u8>) {
        let mut b = Stack::<CONN_BYTES>::new();
        self.put_head(&mut b);
        self.first.put_fixed(&mut b);
        self.last.put_fixed(&mut b);
        self.packets.put_fixed(&mut b);
        self.malformed.put_fixed(&mut b);
        self.released.put_fixed(&mut b);
        out.put_bytes(b.full());
        put_sparse::<_, { <[u32; 14]>::SIZE }>(&self.event_counts, out);
        self.a.put(out);
        self.b.put(out);
        self.flows.put(out);
        self.dirs.put(out);
        self.sent_again.put(out);
        self.timing.put(out);
        self.handshake.put(out);
        self.teardown.put(out);
        self.event_frames.put(out);
    }

    fn get(r: &mut Reader) -> Self {
        let copy: [u8; CONN_BYTES] = r.bytes();
        let mut fields = Reader::new(&copy);
        let f = &mut fields;
        let Head {
            stream,
            reused_ports,
            base,
            last_syn,
            client,
        } = Head::get(f);
        let mut conn = Connection {
            stream,
            reused_ports,
            base,
            last_syn,
            client,
            first: Fixed::get_fixed(f),
            last: Fixed::get_fixed(f),
            packets: Fixed::get_fixed(f),
            malformed: Fixed::get_fixed(f),
            released: Fixed::get_fixed(f),
            event_counts: get_sparse::<_, { <[u32; 14]>::SIZE }>(r),
            a: Code::get(r),
            b: Code::get(r),
            // Both sides in place (`[T; 2]`'s `from_fn` moves each one).
            flows: [Code::get(r), Code::get(r)],
            dirs: [Code::get(r), Code::get(r)],
            sent_again: [Code::get(r), Code::get(r)],
            timing: Code::get(r),
            handshake: Code::get(r),
            teardown: Code::get(r),
            event_frames: Code::get(r),
            settled: false,
        };
        conn.settled = conn.phases_settled();
        r.reject(fields.finish(()).is_err());
        conn
    }
}

const CONN_BYTES: usize = HEAD_BYTES + 2 * <(u64, Timestamp)>::SIZE + 2 * u64::SIZE + bool::SIZE;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::Endpoint;
    use crate::synthetic::{closed, seg, PA, RA};
    use crate::Analyzer;

    fn bytes(c: &Connection) -> Vec<u8> {
        let mut out = Vec::new();
        c.put(&mut out);
        out
    }

    /// Connection 0 after `segs` (frames numbered from 1), in memory.
    fn after(segs: &[tcplab_wire::dissect::Segment]) -> (Analyzer, Vec<u8>) {
        let mut a = Analyzer::new();
        for (i, s) in segs.iter().enumerate() {
            let mut s = s.clone();
            s.frame = i as u64 + 1;
            a.push_segment(&s);
        }
        let encoded = bytes(a.conns.get_mut(0).expect("in memory"));
        (a, encoded)
    }

    /// A connection with something in every part: a retransmission (events
    /// and their frames, what was sent again), six segments left
    /// unacknowledged (more than the lists hold inline) and a reset.
    fn busy() -> Vec<tcplab_wire::dissect::Segment> {
        let mut segs = closed(40_000, 0, 1000);
        let late = segs.len() as i64;
        segs.insert(4, segs[3].clone());
        let (c, s) = (1102, 7102);
        for k in 0..6 {
            segs.push(seg(40_000, true, late + k, c + 10 * k as u32, s, PA, 10));
        }
        segs.push(seg(40_000, false, late + 9, s, c, RA, 0));
        // A reserved flag bit (AE) on the client's first data segment.
        segs[3].flags.0 |= 0x100;
        segs
    }

    fn endpoints(conn: &Connection) -> (Endpoint, Endpoint) {
        (conn.a, conn.b)
    }

    fn decoded(encoded: &[u8]) -> Connection {
        let mut r = Reader::new(encoded);
        let back = Connection::get(&mut r);
        r.finish(back).expect("decodes")
    }

    /// The parts written as a tag alone when they are all default.
    fn sparse_parts(c: &Connection) -> [bool; 5] {
        let zero = crate::SentAgain::default();
        [
            c.event_counts != [0; 14],
            c.sent_again[0].counts() != zero,
            c.sent_again[1].counts() != zero,
            c.dirs[0].reserved_flags != [0; 4],
            c.dirs[1].reserved_flags != [0; 4],
        ]
    }

    #[test]
    fn a_connection_comes_back_exactly() {
        let cases = [
            (closed(40_000, 0, u32::MAX - 50), [false; 5]),
            (busy(), [true, true, false, true, false]),
            (closed(1, 0, 0)[..1].to_vec(), [false; 5]),
        ];
        for (segs, parts) in cases {
            let (_, encoded) = after(&segs);
            let back = decoded(&encoded);
            assert_eq!(sparse_parts(&back), parts, "default parts and not");
            assert_eq!(bytes(&back), encoded);
        }
        // The other side's parts not default.
        let (mut a, _) = after(&busy());
        let conn = a.conns.get_mut(0).expect("in memory");
        conn.dirs.swap(0, 1);
        conn.sent_again.swap(0, 1);
        let encoded = bytes(conn);
        let back = decoded(&encoded);
        assert_eq!(sparse_parts(&back), [true, false, true, false, true]);
        assert_eq!(bytes(&back), encoded);
    }

    #[test]
    fn a_part_all_default_is_a_byte() {
        let (_, plain) = after(&closed(40_000, 0, 1000));
        let (_, busy) = after(&busy());
        // Not default in `busy`: events (56 bytes), what one side sent
        // again (64) and one side's reserved flags (32); its lists hold more.
        let more = 56 + 64 + 32;
        assert!(
            busy.len() >= plain.len() + more,
            "{} {}",
            busy.len(),
            plain.len()
        );
    }

    #[test]
    fn a_renewed_connection_is_a_new_one() {
        for segs in [busy(), closed(40_000, 0, 1000)] {
            let (mut a, used) = after(&segs);
            let conn = a.conns.get_mut(0).expect("in memory");
            let (x, y) = endpoints(conn);
            let fresh = Connection::new(7, y, x, (9, Timestamp(5)), true);
            assert_ne!(used, bytes(&fresh), "the test starts from a used one");
            conn.renew(7, y, x, (9, Timestamp(5)), true);
            assert_eq!(bytes(conn), bytes(&fresh));
        }
    }
}
