//! The spill file's encoding of a connection (with `crate::disk::Code`):
//! every field of every state type, listed once. In: a connection; out:
//! its bytes, and the same connection from them. A connection read back
//! from the spill file goes on exactly as if it had stayed in memory. Not
//! here: the encoding of the field types (`crate::disk`'s codec) or the
//! file (`crate::disk::SpillFile`).

use super::{Brief, Connection, DirAccum, HandshakeState, TeardownState};
use crate::disk::{record, Code, Fixed, Reader, Sink, Stack};
use crate::flow::Direction;
use tcplab_wire::dissect::Flags;

/// Seven of these in most connections: a fixed layout of 43 bytes, not
/// `record!`'s field-by-field `Code` with its option tags and varints
/// (four times slower). Built on the stack and appended in one piece, read
/// from a copy of known size: the bounds checks of the fields fold away.
impl Fixed for Brief {
    const SIZE: usize = BRIEF_BYTES;

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

record!(HandshakeState {
    syn,
    syn_ack,
    ack,
    syn_retransmissions,
});
record!(TeardownState {
    fins,
    resets,
    half_close,
    simultaneous_close,
});

record!(DirAccum {
    packets,
    bytes,
    payload_bytes,
    data_segments,
    truncated,
    isn,
    mss,
    window_scale,
    sack_permitted,
    timestamps,
    max_window,
    min_window,
    ack_rtt,
    ts_rtt,
    data_start,
    data_end,
    highest_ack,
    ts,
    reserved_flags,
});

// The whole state, so that a connection read back from the spill file goes
// on exactly as if it had stayed in memory.
record!(Connection {
    stream,
    a,
    b,
    reused_ports,
    flows,
    dirs,
    sent_again,
    base,
    timing,
    last_syn,
    handshake,
    teardown,
    client,
    first,
    last,
    packets,
    malformed,
    event_counts,
    event_frames,
    released,
});
