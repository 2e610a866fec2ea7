//! Exercise 5's checks that need more than one segment: the data bytes
//! a direction sent against its sequence numbers, and RST segments.

use super::compose::endpoint;
use super::strings::{fill, Strings};
use super::units::mark;
use tcplab_analysis::flow::Direction;
use tcplab_analysis::{ConnectionSummary, SegmentBrief};

/// Exercise 5: bytes sent = (seq after the last byte) − (ISN + 1), using
/// the direction's FIN, or its RST when it aborted.
pub fn bytes_sent(c: &ConnectionSummary, s: &Strings, d: Direction) -> Option<String> {
    let isn = c.direction(d).isn?;
    let (end, kind) = c
        .teardown
        .fins
        .iter()
        .map(|f| (f.fin, "FIN"))
        .chain(c.teardown.resets.iter().map(|r| (*r, "RST")))
        .find(|(b, _)| b.from == d)?;
    let last = end.seq + end.len;
    let n = last - (isn + 1);
    let counted = c.direction(d).unique_bytes;
    Some(fill(
        s.chk_bytes,
        &[
            &endpoint(c, d),
            &last,
            &isn,
            &n,
            &kind,
            &end.frame,
            &counted,
            &mark(u64::from(n) == counted, counted),
        ],
    ))
}

/// An RST: refusing a SYN (ack = SYN seq + 1), or aborting a connection
/// (seq = the next byte its sender would send).
pub fn rst(c: &ConnectionSummary, s: &Strings, r: &SegmentBrief) -> String {
    let who = endpoint(c, r.from);
    let h = &c.handshake;
    if let (Some(syn), None) = (h.syn.filter(|syn| syn.from != r.from), h.syn_ack) {
        let want = syn.seq + 1;
        return fill(
            s.rst_refused,
            &[
                &r.frame,
                &who,
                &r.ack,
                &syn.seq,
                &mark(r.ack == want, r.ack),
                &who.port,
            ],
        );
    }
    let sum = c.direction(r.from);
    match sum.isn {
        Some(isn) => {
            let next = isn + 1 + sum.unique_bytes as u32;
            fill(
                s.rst_line,
                &[&r.frame, &who, &r.seq, &next, &mark(r.seq == next, r.seq)],
            )
        }
        None => fill(s.rst_line, &[&r.frame, &who, &r.seq, &"?", &""]),
    }
}
