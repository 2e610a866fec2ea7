//! The pieces of a CSV row (`csv.rs`), each written in place into the
//! row's buffer with no growth check: the buffer has room for the widest
//! row, and a piece may write a few bytes past its end
//! (`digits::PUT_ROOM`), which the next overwrites. Here: the time with its
//! seconds kept as text, the text of an endpoint, the flags' cells.

use super::digits;
use std::io::Write;
use std::net::IpAddr;
use tcplab_wire::dissect::Flags;

/// The flags' cell for each value of `Flags::classic`: at most eight
/// letters and the comma, copied whole (`.1` bytes of it are the cell).
pub(super) type FlagCells = [([u8; 16], usize); 256];

/// The digits of the seconds last written: they change once a second
/// (`time`) or hardly ever (`ack_rtt`, mostly 0), rows come thousands a
/// second.
pub(super) struct Seconds {
    secs: u64,
    text: [u8; digits::PUT_ROOM],
    len: usize,
}

impl Default for Seconds {
    fn default() -> Seconds {
        let mut text = [0; digits::PUT_ROOM];
        text[0] = b'0';
        Seconds {
            secs: 0,
            text,
            len: 1,
        }
    }
}

/// A row being made in place: `buf[..at]`. Each write may leave bytes
/// past `at` (`digits::PUT_ROOM`), which the next overwrites.
pub(super) struct Row<'a> {
    pub(super) buf: &'a mut [u8],
    pub(super) at: usize,
}

impl Row<'_> {
    #[inline(always)]
    pub(super) fn byte(&mut self, b: u8) {
        self.buf[self.at] = b;
        self.at += 1;
    }

    #[inline(always)]
    pub(super) fn bytes(&mut self, bytes: &[u8]) {
        let end = self.at + bytes.len();
        self.buf[self.at..end].copy_from_slice(bytes);
        self.at = end;
    }

    /// The first `len` bytes of `bytes` (all of them copied: the row has
    /// room, and the next piece overwrites the rest).
    #[inline(always)]
    pub(super) fn fixed<const N: usize>(&mut self, bytes: &[u8; N], len: usize) {
        self.buf[self.at..self.at + N].copy_from_slice(bytes);
        self.at += len;
    }

    #[inline(always)]
    pub(super) fn u32(&mut self, n: u32) {
        self.at = digits::put_u32(self.buf, self.at, n);
    }

    /// `n` and a comma.
    #[inline(always)]
    pub(super) fn u32_cell(&mut self, n: u32) {
        self.u32(n);
        self.byte(b',');
    }

    /// The `len` bytes written from `from` again (len ≤ 16).
    #[inline(always)]
    pub(super) fn again(&mut self, from: usize, len: usize) {
        let mut copy = [0; 16];
        copy.copy_from_slice(&self.buf[from..from + 16]);
        self.fixed(&copy, len);
    }

    /// `secs.nanos` with exactly nine decimals (negative allowed).
    #[inline(always)]
    pub(super) fn nanos(&mut self, ns: i64, cache: &mut Seconds) {
        if ns < 0 {
            self.byte(b'-');
        }
        let ns = ns.unsigned_abs();
        let secs = ns / 1_000_000_000;
        if cache.secs != secs {
            cache.secs = secs;
            cache.len = digits::put_u64(&mut cache.text, 0, secs);
        }
        self.fixed(&cache.text, cache.len);
        let fraction = digits::point_nine_digits((ns % 1_000_000_000) as u32);
        self.fixed(&fraction, fraction.len());
    }
}

/// `addr,port,` at `row.at` (IPv4 made here, an octet at a time; IPv6 by
/// `core::fmt`). The row has room for it and `digits::PUT_ROOM` more.
pub(super) fn endpoint_text(row: &mut Row<'_>, addr: IpAddr, port: u16) {
    match addr {
        IpAddr::V4(a) => {
            for (i, octet) in a.octets().into_iter().enumerate() {
                if i > 0 {
                    row.byte(b'.');
                }
                row.at = digits::put_u8(row.buf, row.at, octet);
            }
        }
        IpAddr::V6(a) => {
            let mut rest = &mut row.buf[row.at..];
            let room = rest.len();
            // Infallible: at most 39 bytes, where the caller made room.
            let _ = write!(rest, "{a}");
            row.at += room - rest.len();
        }
    }
    row.byte(b',');
    row.u32_cell(u32::from(port));
}

/// [`FlagCells`] from `Flags::letters`.
pub(super) fn flag_cells() -> Box<FlagCells> {
    let mut cells = Box::new([([0; 16], 0); 256]);
    for (classic, (text, len)) in (0u16..).zip(cells.iter_mut()) {
        let letters = Flags(classic).letters().as_bytes();
        text[..letters.len()].copy_from_slice(letters);
        text[letters.len()] = b',';
        *len = letters.len() + 1;
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nanoseconds_keep_nine_digits() {
        let mut buf = vec![0; 512];
        let mut row = Row {
            buf: &mut buf,
            at: 0,
        };
        let mut cache = Seconds::default();
        row.nanos(1_795_617_348_338_765_000, &mut cache);
        row.nanos(18_000, &mut cache);
        row.nanos(-5, &mut cache);
        row.nanos(7_000_000_000, &mut cache);
        row.nanos(1_795_617_348_000_000_001, &mut cache);
        let end = row.at;
        let text = String::from_utf8(buf[..end].to_vec()).expect("utf-8");
        assert!(
            text == "1795617348.3387650000.000018000-0.0000000057.0000000001795617348.000000001",
            "{text}"
        );
    }

    #[test]
    fn endpoints_are_written_as_display_does() {
        for (a, port) in [
            ("0.0.0.0", 0),
            ("255.255.255.255", 65535),
            ("10.1.200.3", 80),
            ("192.0.2.9", 9),
            ("::1", 443),
            ("2001:db8::10", 50000),
        ] {
            let addr: IpAddr = a.parse().expect("an address");
            let mut buf = [b'x'; 2 + 112 + digits::PUT_ROOM];
            let mut row = Row {
                buf: &mut buf,
                at: 2,
            };
            endpoint_text(&mut row, addr, port);
            endpoint_text(&mut row, addr, port);
            let end = row.at;
            assert_eq!(
                &buf[..end],
                format!("xx{addr},{port},{addr},{port},").as_bytes()
            );
        }
    }

    #[test]
    fn the_flag_cells_are_the_letters_and_a_comma() {
        let cells = flag_cells();
        for classic in 0..256u16 {
            let (text, len) = &cells[usize::from(classic)];
            let want = format!("{},", Flags(classic).letters());
            assert_eq!(&text[..*len], want.as_bytes(), "{classic:#x}");
        }
    }

    #[test]
    fn a_row_written_again_is_the_same_bytes() {
        let mut buf = vec![0; 512];
        let mut row = Row {
            buf: &mut buf,
            at: 0,
        };
        row.u32_cell(4_294_967_295);
        row.again(0, 11);
        row.u32_cell(7);
        row.again(22, 2);
        let end = row.at;
        assert_eq!(&buf[..end], b"4294967295,4294967295,7,7,");
    }
}
