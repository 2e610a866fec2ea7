//! What the CSV rows of one stream repeat, by direction, kept for the
//! latest streams only (a direct-mapped cache by stream number, so that
//! memory does not grow with their number): the text `stream,src,sport,
//! dst,dport,`, the last `seq` and `ack` (of which the next rows mostly
//! rewrite the last digits, `kept_numbers::LastNumber`). The text of an IPv4 address is kept too (most
//! captures have few hosts), so that a stream's first row in a direction
//! writes only its numbers.
//!
//! Each text is made in the row itself, where it goes, then copied from
//! there for the next rows.

use super::csv_row::{Row, SPAN, WINDOW};
use super::digits;
use super::kept_numbers::LastNumber;
use std::io::Write;
use std::net::IpAddr;
use tcplab_analysis::SegmentReport;

/// Streams whose text is kept.
const STREAMS: usize = 1024;

/// The widest `stream,src,sport,dst,dport,`: ten digits, two IPv6
/// addresses (39 bytes each), two ports and five commas make 103.
const ENDPOINTS_MAX: usize = 112;

/// One direction of one stream.
#[derive(Clone, Copy)]
pub(super) struct DirText {
    /// The stream whose endpoints `endpoints` holds (`None`: not made).
    stream: Option<u32>,
    len: usize,
    endpoints: [u8; ENDPOINTS_MAX],
    pub(super) seq: LastNumber,
    pub(super) ack: LastNumber,
}

impl Default for DirText {
    fn default() -> DirText {
        DirText {
            stream: None,
            len: 0,
            endpoints: [0; ENDPOINTS_MAX],
            seq: LastNumber::default(),
            ack: LastNumber::default(),
        }
    }
}

/// The text of an IPv4 address and its comma.
#[derive(Clone, Copy, Default)]
struct V4Text {
    addr: Option<u32>,
    len: usize,
    text: [u8; 16],
}

pub(super) struct StreamTexts {
    dirs: Vec<[DirText; 2]>,
    /// A direct-mapped cache by the address' last bits.
    v4: [V4Text; 16],
}

impl Default for StreamTexts {
    fn default() -> StreamTexts {
        StreamTexts {
            dirs: vec![Default::default(); STREAMS],
            v4: Default::default(),
        }
    }
}

impl StreamTexts {
    /// Stream numbers restart (a new capture): their texts are forgotten.
    pub(super) fn forget_streams(&mut self) {
        for dir in self.dirs.iter_mut().flatten() {
            dir.stream = None;
        }
    }

    /// Writes `r`'s `stream,src,sport,dst,dport,` and returns what else
    /// its stream and direction repeat.
    #[inline(always)]
    pub(super) fn endpoints(&mut self, row: &mut Row<'_>, r: &SegmentReport) -> &mut DirText {
        let pair = &mut self.dirs[r.stream as usize % STREAMS];
        let d = r.dir.index();
        if pair[d].stream != Some(r.stream) {
            row.at = first_row(pair, &mut self.v4, row.w, row.at, r);
            return &mut pair[d];
        }
        let dir = &mut pair[d];
        if let (true, Some(head)) = (dir.len <= 64, dir.endpoints.first_chunk::<64>()) {
            // IPv4 and most IPv6 texts: half the copy.
            row.fixed(head, dir.len);
        } else {
            row.fixed(&dir.endpoints, dir.len);
        }
        dir
    }
}

/// The first row of a stream kept here: its endpoints written at `at`
/// (returns where they end) and kept for both directions (the other's
/// is this one's with the ends swapped). Out of line, and on the window
/// rather than the row, so that the row stays in registers.
#[inline(never)]
fn first_row(
    pair: &mut [DirText; 2],
    v4: &mut [V4Text; 16],
    w: &mut [u8; WINDOW],
    at: usize,
    r: &SegmentReport,
) -> usize {
    let mut row = Row { w, at };
    row.u32_cell(r.stream);
    let mut ends = [0; 3];
    for (end, e) in ends.iter_mut().zip([r.src, r.dst]) {
        *end = row.at;
        address(&mut row, v4, e.addr);
        row.u32_cell(u32::from(e.port));
    }
    ends[2] = row.at;
    let d = r.dir.index();
    let len = row.at - at;
    pair[d] = DirText {
        stream: Some(r.stream),
        len,
        endpoints: row.since(at),
        ..pair[d]
    };
    // `stream,` then the receiver's end and the sender's.
    let [src, dst, end] = ends;
    let mut swapped = [0; ENDPOINTS_MAX];
    let stream: [u8; 16] = row.since(at);
    swapped[..16].copy_from_slice(&stream);
    let mut put = |from: usize, to: usize, len: usize| {
        let to = to & 63;
        let piece: [u8; END_MAX] = row.since(from);
        swapped[to..to + END_MAX].copy_from_slice(&piece);
        to + len
    };
    let to = put(dst, src - at, end - dst);
    put(src, to, dst - src);
    pair[1 - d] = DirText {
        stream: Some(r.stream),
        len,
        endpoints: swapped,
        ..pair[1 - d]
    };
    end
}

/// The widest `addr,port,`: 39 + 1 + 5 + 1.
const END_MAX: usize = 48;

/// `addr,` (IPv4 from the cache, made an octet at a time; IPv6 by
/// `core::fmt`).
fn address(row: &mut Row<'_>, v4: &mut [V4Text; 16], addr: IpAddr) {
    match addr {
        IpAddr::V4(a) => {
            let bits = a.to_bits();
            let kept = &mut v4[bits as usize % 16];
            if kept.addr != Some(bits) {
                let mut at = 0;
                for (i, octet) in a.octets().into_iter().enumerate() {
                    if i > 0 {
                        kept.text[at] = b'.';
                        at += 1;
                    }
                    at = digits::put_u8(&mut kept.text, at, octet);
                }
                kept.text[at] = b',';
                kept.len = at + 1;
                kept.addr = Some(bits);
            }
            row.fixed(&kept.text, kept.len);
        }
        IpAddr::V6(a) => {
            let mut text = [0; 48];
            let mut rest = &mut text[..];
            // Infallible: at most 40 bytes.
            let _ = write!(rest, "{a},");
            let len = 48 - rest.len();
            row.bytes(&text[..len]);
        }
    }
}

/// A row's window has room for any piece from any position below
/// `SPAN`: the texts kept here are copied out of it whole.
const _: () = assert!(ENDPOINTS_MAX <= WINDOW - SPAN && 63 + END_MAX <= ENDPOINTS_MAX);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_written_as_display_does_again_and_again() {
        let mut v4 = [V4Text::default(); 16];
        let mut w = [b'x'; WINDOW];
        let mut row = Row { w: &mut w, at: 2 };
        let mut want = String::from("xx");
        for a in [
            "0.0.0.0",
            "255.255.255.255",
            "10.1.200.3",
            "192.0.2.9",
            "10.1.200.3",
            "10.1.200.19",
            "::1",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "2001:db8::10",
            "255.255.255.255",
        ] {
            let addr: IpAddr = a.parse().expect("an address");
            address(&mut row, &mut v4, addr);
            want += &format!("{addr},");
        }
        let end = row.at;
        assert_eq!(&w[..end], want.as_bytes());
    }
}
