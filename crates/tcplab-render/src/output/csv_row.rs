//! The pieces of a CSV row (`csv.rs`), each written in place into a
//! window of the writer's buffer with no bounds to check (`Row`): the
//! window has room for the widest row and for the widest piece past it,
//! and a piece may store bytes past its end, which the next overwrites.
//! Here: integers, the time with its seconds kept as text, the flags'
//! cells.

use super::digits;
use tcplab_wire::dissect::Flags;

/// The flags' cell for each value of `Flags::classic`: at most eight
/// letters and the comma, copied whole (`.1` bytes of it are the cell).
pub(super) type FlagCells = [([u8; 16], usize); 256];

/// The text of the last time (or RTT) written but for its last five
/// digits: `secs.dddd`, for all the times of the same 100 µs, which the
/// next row's most often is (a `time` comes microseconds after the last
/// one, an RTT of loopback is a few microseconds); then only the last
/// five digits are made. The seconds are made again only when they
/// change.
pub(super) struct Seconds {
    secs: u64,
    secs_len: usize,
    /// `ns / 10⁵` of the times whose text is `text[..len]`.
    bucket: u64,
    /// The widest: ten digits of seconds, `.`, four digits; then room for
    /// what `put_u64` may write past the seconds.
    text: [u8; TIME_TEXT],
    len: usize,
}

const TIME_TEXT: usize = 12 + digits::PUT_ROOM;

impl Default for Seconds {
    fn default() -> Seconds {
        Seconds {
            secs: u64::MAX,
            secs_len: 0,
            bucket: u64::MAX,
            text: [0; TIME_TEXT],
            len: 0,
        }
    }
}

impl Seconds {
    /// `secs.dddd` of `ns` (≥ 0), in `bucket` (`ns / 10⁵`).
    #[inline(always)]
    fn make(&mut self, ns: u64, bucket: u64) {
        // Under a second (most RTTs): no division.
        let secs = if ns < 1_000_000_000 {
            0
        } else {
            ns / 1_000_000_000
        };
        if secs != self.secs {
            self.secs = secs;
            self.secs_len = digits::put_u64(&mut self.text, 0, secs);
        }
        // The first four decimals: `(ns mod 10⁹) / 10⁵`.
        let four = (bucket - secs * 10_000) as u32;
        let at = self.secs_len & 15;
        self.text[at] = b'.';
        self.text[at + 1..at + 5].copy_from_slice(&digits::four_ascii(four));
        self.len = at + 5;
        self.bucket = bucket;
    }
}

/// How far a row may reach into its window: more than the widest row
/// (past its capture cell: endpoints, every number at its widest with
/// four SACK blocks, the flags, the commas and every event's name, about
/// 530 bytes; a test makes the widest). A power of two, so that a position
/// masked with `SPAN - 1` is known to be below it.
pub(super) const SPAN: usize = 1024;

/// The window a row is made in: `SPAN`, then room for the widest piece
/// written whole (`fixed`: the endpoints' 112 bytes) from any position
/// below `SPAN`.
pub(super) const WINDOW: usize = SPAN + 128;

/// A row being made in place: `w[..at]`, in a window of the writer's
/// buffer. Each piece is stored whole (its bytes past the piece's length
/// are whatever, which the next piece overwrites), at `at` masked with
/// `SPAN - 1`: a no-op, as a row never reaches `SPAN`, that tells the
/// compiler each piece fits, so no piece checks bounds.
pub(super) struct Row<'a> {
    pub(super) w: &'a mut [u8; WINDOW],
    pub(super) at: usize,
}

impl Row<'_> {
    /// Where the next piece goes.
    #[inline(always)]
    fn here(&self) -> usize {
        debug_assert!(self.at < SPAN, "a row reached {} bytes", self.at);
        self.at & (SPAN - 1)
    }

    #[inline(always)]
    pub(super) fn byte(&mut self, b: u8) {
        let at = self.here();
        self.w[at] = b;
        self.at = at + 1;
    }

    /// Bytes of any length (event names: a rare path, bounds checked).
    #[inline(always)]
    pub(super) fn bytes(&mut self, bytes: &[u8]) {
        let at = self.here();
        let end = at + bytes.len();
        self.w[at..end].copy_from_slice(bytes);
        self.at = end;
    }

    /// The first `len` bytes of `bytes` (all of them copied: the row has
    /// room, and the next piece overwrites the rest).
    #[inline(always)]
    pub(super) fn fixed<const N: usize>(&mut self, bytes: &[u8; N], len: usize) {
        let at = self.here();
        self.w[at..at + N].copy_from_slice(bytes);
        self.at = at + len;
    }

    /// The first `len` bytes of `word` stored little-endian.
    #[inline(always)]
    pub(super) fn word(&mut self, word: u64, len: usize) {
        self.fixed(&word.to_le_bytes(), len);
    }

    #[inline(always)]
    pub(super) fn u32(&mut self, n: u32) {
        if n < 100_000_000 {
            let (word, len) = digits::up_to_eight(n);
            self.word(word, len);
        } else {
            self.at = wide_u32(self.w, self.at, n);
        }
    }

    /// `n` and a comma.
    #[inline(always)]
    pub(super) fn u32_cell(&mut self, n: u32) {
        if n < 10 {
            // Lengths of pure ACKs: one store.
            self.word(u64::from(n) + 0x2c30, 2);
            return;
        }
        self.u32(n);
        self.byte(b',');
    }

    /// The `N` bytes from `from` (a position of this row), to be kept
    /// and written again with `fixed`.
    #[inline(always)]
    pub(super) fn since<const N: usize>(&self, from: usize) -> [u8; N] {
        const { assert!(N <= WINDOW - SPAN) };
        let from = from & (SPAN - 1);
        let mut copy = [0; N];
        copy.copy_from_slice(&self.w[from..from + N]);
        copy
    }

    /// The `len` bytes written from `from` again (len ≤ 16).
    #[inline(always)]
    pub(super) fn again(&mut self, from: usize, len: usize) {
        let copy: [u8; 16] = self.since(from);
        self.fixed(&copy, len);
    }

    /// `secs.nanos` with exactly nine decimals (negative allowed) and a
    /// comma.
    #[inline(always)]
    pub(super) fn nanos_cell(&mut self, ns: i64, cache: &mut Seconds) {
        if ns < 0 {
            self.byte(b'-');
        }
        let ns = ns.unsigned_abs();
        let bucket = ns / 100_000;
        if bucket != cache.bucket {
            cache.make(ns, bucket);
        }
        self.fixed(&cache.text, cache.len);
        let low = (ns - bucket * 100_000) as u32;
        let first = low / 10_000;
        let rest = u32::from_le_bytes(digits::four_ascii(low - first * 10_000));
        let comma = u64::from(b',') << 40;
        self.word(
            (u64::from(first) + 0x30) | (u64::from(rest) << 8) | comma,
            6,
        );
    }
}

/// Nine or ten digits (sequence numbers in SACK blocks) at `at`; returns
/// where they end. Out of line, and on the window rather than the row, so
/// that the row stays in registers.
#[inline(never)]
fn wide_u32(w: &mut [u8; WINDOW], at: usize, n: u32) -> usize {
    let mut row = Row { w, at };
    let top = n / 1_000_000_000;
    if top > 0 {
        row.byte(b'0' + top as u8);
    }
    let (first, rest) = digits::nine_digits(n - top * 1_000_000_000);
    row.byte(first);
    row.word(rest, 8);
    row.at
}

/// The text of `win,win_scaled,` for the last few pairs seen (a
/// direct-mapped cache by a hash of the pair): a connection's windows
/// change seldom, and short connections of one capture mostly open with
/// the same ones.
pub(super) struct WindowCells {
    keys: [u64; 8],
    cells: [[u8; WINDOW_CELLS]; 8],
    lens: [usize; 8],
}

/// The widest `win,win_scaled,`: 5 + 10 digits and two commas.
const WINDOW_CELLS: usize = 24;

impl Default for WindowCells {
    fn default() -> WindowCells {
        WindowCells {
            // No pair has this key.
            keys: [u64::MAX; 8],
            cells: [[0; WINDOW_CELLS]; 8],
            lens: [0; 8],
        }
    }
}

impl WindowCells {
    /// `win,win_scaled,` into `row`.
    #[inline(always)]
    pub(super) fn put(&mut self, row: &mut Row<'_>, window: u16, scaled: Option<u32>) {
        let key = (u64::from(window) << 33) | scaled.map_or(1 << 32, u64::from);
        let slot = (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 61) as usize;
        if self.keys[slot] == key {
            row.fixed(&self.cells[slot], self.lens[slot]);
            return;
        }
        let at = row.at;
        row.u32_cell(u32::from(window));
        if let Some(w) = scaled {
            row.u32(w);
        }
        row.byte(b',');
        self.cells[slot] = row.since(at);
        self.lens[slot] = row.at - at;
        self.keys[slot] = key;
    }
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
        let mut buf = [0; WINDOW];
        let mut row = Row { w: &mut buf, at: 0 };
        let mut cache = Seconds::default();
        row.nanos_cell(1_795_617_348_338_765_000, &mut cache);
        row.nanos_cell(18_000, &mut cache);
        row.nanos_cell(-5, &mut cache);
        row.nanos_cell(7_000_000_000, &mut cache);
        row.nanos_cell(1_795_617_348_000_000_001, &mut cache);
        let end = row.at;
        let text = String::from_utf8(buf[..end].to_vec()).expect("utf-8");
        assert!(
            text == "1795617348.338765000,0.000018000,-0.000000005,7.000000000,1795617348.000000001,",
            "{text}"
        );
    }

    proptest::proptest! {
        /// Times from anywhere (negative too), then small steps and
        /// jumps: each as `secs` writes it.
        #[test]
        fn times_are_written_as_secs_does(start: i64, steps in proptest::collection::vec(-30_000i64..30_000_000_000, 1..40)) {
            let mut buf = [0; WINDOW];
            let mut cache = Seconds::default();
            let mut ns = start;
            for step in steps {
                let mut row = Row { w: &mut buf, at: 0 };
                row.nanos_cell(ns, &mut cache);
                let end = row.at;
                let want = format!("{},", crate::output::secs(ns));
                proptest::prop_assert_eq!(&buf[..end], want.as_bytes());
                ns = ns.saturating_add(step);
            }
        }
    }

    #[test]
    fn window_cells_are_written_as_format_does() {
        let mut cells = WindowCells::default();
        let mut w = [0; WINDOW];
        let mut row = Row { w: &mut w, at: 0 };
        let mut want = String::new();
        // Every pair at least twice, many sharing a place in the cache.
        for i in 0..60u32 {
            let window = [0, 1, 63, 64, 9_999, 10_000, 64_240, 65_535][(i % 8) as usize];
            let scaled = [
                None,
                Some(0),
                Some(u32::MAX),
                Some(64_512),
                Some(window.into()),
            ][(i / 3 % 5) as usize];
            cells.put(&mut row, window, scaled);
            let scaled = scaled.map(|s| s.to_string()).unwrap_or_default();
            want += &format!("{window},{scaled},");
        }
        let end = row.at;
        assert_eq!(&w[..end], want.as_bytes());
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
        let mut buf = [0; WINDOW];
        let mut row = Row { w: &mut buf, at: 0 };
        row.u32_cell(4_294_967_295);
        row.again(0, 11);
        row.u32_cell(7);
        row.again(22, 2);
        let end = row.at;
        assert_eq!(&buf[..end], b"4294967295,4294967295,7,7,");
    }

    #[test]
    fn integers_are_written_as_to_string() {
        let mut cases = vec![0, 1, 9, 10, 99, 100, 9_999, 10_000, 99_999, 100_000];
        cases.extend([99_999_999, 100_000_000, 999_999_999, 1_000_000_000]);
        cases.extend([4_294_967_294, u32::MAX]);
        let mut buf = [0; WINDOW];
        let mut row = Row { w: &mut buf, at: 0 };
        let mut want = String::new();
        for n in &cases {
            row.u32_cell(*n);
            row.u32(*n);
            want += &format!("{n},{n}");
        }
        let end = row.at;
        assert_eq!(&buf[..end], want.as_bytes());
    }
}
