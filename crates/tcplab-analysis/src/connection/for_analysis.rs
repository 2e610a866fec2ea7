//! The spill file's shorter form of a finished connection, when no
//! summary will be asked for (`AnalyzerOptions::summaries` false,
//! `tcplab analyze --format csv`). In: a connection; out: its bytes, and
//! a connection from them that analyses a later packet exactly as the
//! whole state would. Not here: the whole state's encoding, whose head
//! this form shares (`codec.rs`), nor choosing the form (`spilled.rs`).

use super::codec::{Head, HEAD_BYTES};
use super::Connection;
use crate::disk::{Code, Fixed, Reader, Sink, Stack};
use tcplab_wire::capture::Timestamp;
use tcplab_wire::Seq;

/// A finished connection when no summary will be asked for
/// (`AnalyzerOptions::summaries` false): only what the analysis of a later
/// packet reads (`Connection::push`: the sequence state and sent-again
/// trackers of both sides, the handshake timing, the base sequence numbers,
/// the TSvals waiting for their echo and the highest ACK of each side, the
/// latest frame), not the handshake and teardown records, counters, RTT
/// statistics and events, which only the summary reads: a third of the
/// bytes and half the encoding. Decoded, the rest is as in a new
/// connection; a later packet is analysed exactly as with the whole
/// state (`spill_tests.rs`), but the summary would be wrong, so `Finished`
/// gives none.
impl Connection {
    pub(crate) fn put_for_analysis(&self, out: &mut Vec<u8>) {
        let mut b = Stack::<LEAN_BYTES>::new();
        self.put_head(&mut b);
        self.last.put_fixed(&mut b);
        self.released.put_fixed(&mut b);
        self.dirs[0].highest_ack.put_fixed(&mut b);
        self.dirs[1].highest_ack.put_fixed(&mut b);
        out.put_bytes(b.full());
        self.a.put(out);
        self.b.put(out);
        self.flows.put(out);
        self.sent_again.put(out);
        self.timing.put(out);
        self.dirs[0].ts.put(out);
        self.dirs[1].ts.put(out);
    }

    pub(crate) fn get_for_analysis(r: &mut Reader) -> Connection {
        let copy: [u8; LEAN_BYTES] = r.bytes();
        let mut fields = Reader::new(&copy);
        let f = &mut fields;
        let head = Head::get(f);
        let last: (u64, Timestamp) = Fixed::get_fixed(f);
        let released = Fixed::get_fixed(f);
        let highest_ack: [Option<Seq>; 2] = [Fixed::get_fixed(f), Fixed::get_fixed(f)];
        let (a, b) = (Code::get(r), Code::get(r));
        let mut conn = Connection::new(head.stream, a, b, last, head.reused_ports);
        conn.base = head.base;
        conn.last_syn = head.last_syn;
        conn.client = head.client;
        conn.released = released;
        conn.flows = [Code::get(r), Code::get(r)];
        conn.sent_again = [Code::get(r), Code::get(r)];
        conn.timing = Code::get(r);
        for (dir, highest_ack) in conn.dirs.iter_mut().zip(highest_ack) {
            dir.highest_ack = highest_ack;
            dir.ts = Code::get(r);
        }
        conn.settled = conn.phases_settled();
        r.reject(fields.finish(()).is_err());
        conn
    }
}

const LEAN_BYTES: usize =
    HEAD_BYTES + <(u64, Timestamp)>::SIZE + bool::SIZE + 2 * <Option<Seq>>::SIZE;
