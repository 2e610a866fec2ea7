//! What the CSV rows of one stream repeat, by direction, kept for the
//! latest streams only (a direct-mapped cache by stream number, so that
//! memory does not grow with their number): the text `stream,src,sport,
//! dst,dport,`, the last `seq` and `ack` (of which the next rows mostly
//! rewrite the last digits, `kept_numbers::LastNumber`). The text of an IPv4 address is kept too (most
//! captures have few hosts), so that a stream's first row in a direction
//! writes only its numbers.
//!
//! Each text is made in the row itself, where it goes, then copied from
//! there for the next rows. A direction is two cache lines (128 bytes:
//! the text's first 56 bytes, which is all of it for IPv4, and the
//! stream; then `seq`, `ack` and the text's length), a stream 256 bytes,
//! the cache 256 KiB for 1,024 streams; the text past 56 bytes (IPv6) is
//! kept apart (112 KiB, read and written for IPv6 streams only). Most
//! streams of a capture of short connections live a few rows, each first
//! row a cold entry: four lines written, then two read by each row.

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

/// The part of the endpoints' text kept beside the stream number, in
/// the direction's first cache line: all of it for IPv4 (at most 55
/// bytes); the rest of a wider one (IPv6) is in `StreamTexts::tails`.
const HEAD: usize = 56;

/// One direction of one stream, in two cache lines: the stream and its
/// endpoints' text (what a row reads first), then the last `seq` and
/// `ack` and the text's length.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
pub(super) struct DirText {
    /// The text's first `HEAD` bytes, then the stream whose endpoints
    /// they are, as [`key`] makes it (0: none), little-endian: one line,
    /// copied whole into the row (the key's bytes land past the text,
    /// where the next piece goes).
    line: [u8; 64],
    pub(super) seq: LastNumber,
    pub(super) ack: LastNumber,
    len: u8,
}

impl DirText {
    #[inline(always)]
    fn key(&self) -> u64 {
        let (_, key) = self.line.split_at(HEAD);
        key.try_into().map_or(0, u64::from_le_bytes)
    }

    #[inline(always)]
    fn set_key(&mut self, key: u64) {
        self.line[HEAD..].copy_from_slice(&key.to_le_bytes());
    }
}

/// `stream` as `DirText::key`: never 0, so that one comparison tells a
/// direction made for the stream (and its text all in `line`: a wide
/// one's key has [`WIDE`] too).
#[inline(always)]
fn key(stream: u32) -> u64 {
    u64::from(stream) | 1 << 32
}

/// In the key of a text longer than `HEAD`.
const WIDE: u64 = 1 << 33;

impl Default for DirText {
    fn default() -> DirText {
        DirText {
            line: [0; 64],
            seq: LastNumber::default(),
            ack: LastNumber::default(),
            len: 0,
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
    /// By `stream % STREAMS` (an array: no bounds to check).
    dirs: Box<[[DirText; 2]; STREAMS]>,
    /// The endpoints' text past `HEAD` bytes, by stream and direction
    /// (as `dirs`): written and read only for texts that long (IPv6), so
    /// that its pages are not touched by IPv4 streams.
    tails: Box<[[[u8; ENDPOINTS_MAX - HEAD]; 2]; STREAMS]>,
    /// A direct-mapped cache by the address' last bits.
    v4: [V4Text; 16],
}

impl Default for StreamTexts {
    fn default() -> StreamTexts {
        StreamTexts {
            dirs: boxed_array(Default::default()),
            tails: boxed_array([[0; ENDPOINTS_MAX - HEAD]; 2]),
            v4: Default::default(),
        }
    }
}

/// `STREAMS` copies of `value` on the heap (made there: a `Box::new` of
/// the array would first be made on the stack).
fn boxed_array<T: Clone>(value: T) -> Box<[T; STREAMS]> {
    match vec![value; STREAMS].into_boxed_slice().try_into() {
        Ok(array) => array,
        Err(_) => unreachable!("a vec of STREAMS elements"),
    }
}

impl StreamTexts {
    /// Stream numbers restart (a new capture): their texts are forgotten.
    pub(super) fn forget_streams(&mut self) {
        for dir in self.dirs.iter_mut().flatten() {
            dir.set_key(0);
        }
    }

    /// Writes `r`'s `stream,src,sport,dst,dport,` and returns what else
    /// its stream and direction repeat.
    #[inline(always)]
    pub(super) fn endpoints(&mut self, row: &mut Row<'_>, r: &SegmentReport) -> &mut DirText {
        let slot = r.stream as usize % STREAMS;
        let d = r.dir.index();
        if self.dirs[slot][d].key() == key(r.stream) {
            let dir = &self.dirs[slot][d];
            row.fixed(&dir.line, usize::from(dir.len));
        } else {
            row.at = self.not_kept_whole(slot, row.w, row.at, r);
        }
        &mut self.dirs[slot][d]
    }
}

impl StreamTexts {
    /// The endpoints of a row whose text is not all in its direction's
    /// first line: a wide text (its head and its tail), or a stream's
    /// first row. Out of line, and on the window rather than the row,
    /// so that the row stays in registers.
    #[inline(never)]
    fn not_kept_whole(
        &mut self,
        slot: usize,
        w: &mut [u8; WINDOW],
        at: usize,
        r: &SegmentReport,
    ) -> usize {
        let d = r.dir.index();
        let dir = &self.dirs[slot][d];
        if dir.key() != key(r.stream) | WIDE {
            return self.first_row(slot, w, at, r);
        }
        let mut row = Row { w, at };
        let len = usize::from(dir.len);
        row.fixed(&dir.line, HEAD);
        row.fixed(&self.tails[slot][d], len - HEAD);
        row.at
    }
}

impl StreamTexts {
    /// The first row of stream `r.stream` kept here (in `slot`): its
    /// endpoints written at `at` (returns where they end) and kept for
    /// both directions (the other's is this one's with the ends
    /// swapped). Out of line, and on the window rather than the row, so
    /// that the row stays in registers.
    #[inline(never)]
    fn first_row(
        &mut self,
        slot: usize,
        w: &mut [u8; WINDOW],
        at: usize,
        r: &SegmentReport,
    ) -> usize {
        let mut row = Row { w, at };
        row.u32_cell(r.stream);
        let mut ends = [0; 3];
        for (end, e) in ends.iter_mut().zip([r.src, r.dst]) {
            *end = row.at;
            address(&mut row, &mut self.v4, e.addr);
            row.u32_cell(u32::from(e.port));
        }
        ends[2] = row.at;
        let (pair, tails) = (&mut self.dirs[slot], &mut self.tails[slot]);
        let d = r.dir.index();
        let len = row.at - at;
        let text: [u8; ENDPOINTS_MAX] = row.since(at);
        keep(&mut pair[d], &mut tails[d], r.stream, &text, len);
        // `stream,` then the receiver's end and the sender's.
        let [src, dst, end] = ends;
        let mut swapped = [0; ENDPOINTS_MAX];
        swapped[..16].copy_from_slice(&text[..16]);
        let mut put = |from: usize, to: usize, len: usize| {
            let to = to & 63;
            let piece: [u8; END_MAX] = row.since(from);
            swapped[to..to + END_MAX].copy_from_slice(&piece);
            to + len
        };
        let to = put(dst, src - at, end - dst);
        put(src, to, dst - src);
        keep(&mut pair[1 - d], &mut tails[1 - d], r.stream, &swapped, len);
        end
    }
}

/// Keeps `text[..len]` as `stream`'s in `dir` (and `tail`, when longer
/// than `HEAD`); its `seq` and `ack` are left as they are.
#[inline(always)]
fn keep(
    dir: &mut DirText,
    tail: &mut [u8; ENDPOINTS_MAX - HEAD],
    stream: u32,
    text: &[u8; ENDPOINTS_MAX],
    len: usize,
) {
    let (head, rest) = text.split_at(HEAD);
    dir.line[..HEAD].copy_from_slice(head);
    if len > HEAD {
        tail.copy_from_slice(rest);
    }
    dir.set_key(if len > HEAD {
        key(stream) | WIDE
    } else {
        key(stream)
    });
    // At most ENDPOINTS_MAX.
    dir.len = len as u8;
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
const _: () = assert!(
    ENDPOINTS_MAX <= WINDOW - SPAN
        && 63 + END_MAX <= ENDPOINTS_MAX
        && ENDPOINTS_MAX <= u8::MAX as usize
        && size_of::<DirText>() == 128
        && HEAD + 8 == 64
);

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
    /// Streams that share a place in the cache (1, 1025, 2049, …),
    /// IPv6 and IPv4 in turn, each direction's first row and the ones after, a
    /// stream evicted and coming back: every text as `format!` writes it.
    #[test]
    fn endpoints_are_written_as_format_does_through_evictions() {
        use tcplab_analysis::synthetic::{closed, reports_of};
        let v6: [IpAddr; 2] = [
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"
                .parse()
                .expect("v6"),
            "2001:db8::1".parse().expect("v6"),
        ];
        let base = reports_of(&closed(40_000, 0, 1));
        let mut texts = StreamTexts::default();
        let mut w = [0; WINDOW];
        for stream in [1, 1025, 1, 2049, u32::MAX, 1023, 1025, 1, 2047, 1] {
            for (j, r) in base.iter().enumerate() {
                let mut r = r.clone();
                r.stream = stream;
                if (stream / 1024) % 2 == 0 {
                    r.src.addr = v6[r.dir.index()];
                    r.dst.addr = v6[1 - r.dir.index()];
                }
                let mut row = Row { w: &mut w, at: 3 };
                texts.endpoints(&mut row, &r);
                let end = row.at;
                let want = format!(
                    "{},{},{},{},{},",
                    r.stream, r.src.addr, r.src.port, r.dst.addr, r.dst.port
                );
                assert_eq!(
                    std::str::from_utf8(&w[3..end]).expect("utf-8"),
                    want,
                    "row {j} of stream {stream}"
                );
            }
        }
    }
}
