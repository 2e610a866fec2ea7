//! Numbers of a CSV row kept as their text from one row to the next, for
//! the numbers that mostly repeat or change a little: a connection's
//! sequence and acknowledgement numbers (`LastNumber`), the frame number
//! (`Counting`). Each holds the cell: the digits and a comma.

use super::digits::{four_ascii, put_u32, put_u64};

/// The cell (digits and comma) of the last `u32` written by one column of
/// one connection (a sequence or acknowledgement number): the next is
/// most often the same (an ACK number that did not move, a `seq` that is
/// the last `next_seq`) or the same but for its last four digits, which
/// are all that is rewritten then.
#[derive(Clone, Copy)]
pub struct LastNumber {
    /// The number in `text`.
    n: u32,
    /// `n / 10⁴`; 0 when it has four digits or fewer (written whole).
    high: u32,
    /// Its digits and a comma, then whatever (`text[..len]`).
    text: [u8; 16],
    /// A byte, so that a stream's `seq` and `ack` of one direction fit
    /// in one cache line (`csv_streams::DirText`).
    len: u8,
}

impl Default for LastNumber {
    fn default() -> LastNumber {
        let mut text = [0; 16];
        text[..2].copy_from_slice(b"0,");
        LastNumber {
            n: 0,
            high: 0,
            text,
            len: 2,
        }
    }
}

impl LastNumber {
    /// `n`'s digits and a comma (the first `.1` bytes of `.0`).
    #[inline(always)]
    pub fn cell(&mut self, n: u32) -> (&[u8; 16], usize) {
        if n != self.n {
            self.n = n;
            self.make(n);
        }
        (&self.text, usize::from(self.len))
    }

    #[inline(always)]
    fn make(&mut self, n: u32) {
        let high = n / 10_000;
        if high != 0 && high == self.high {
            // Same digits but for the last four; five to ten digits and
            // the comma: the last four start at 1 to 6, which the mask
            // tells the compiler (no bounds to check).
            let at = (usize::from(self.len) - 5) & 7;
            self.text[at..at + 4].copy_from_slice(&four_ascii(n % 10_000));
        } else {
            self.high = high;
            let end = put_u32(&mut self.text, 0, n);
            self.text[end] = b',';
            // At most eleven.
            self.len = (end + 1) as u8;
        }
    }
}

/// The cell (digits and comma) of a number that most often grows by one
/// (frame numbers): then its last digit is counted up in place, carrying
/// into the ones before it.
#[derive(Clone, Copy)]
pub struct Counting {
    n: u64,
    text: [u8; 24],
    len: usize,
}

impl Default for Counting {
    fn default() -> Counting {
        let mut text = [0; 24];
        text[..2].copy_from_slice(b"0,");
        Counting { n: 0, text, len: 2 }
    }
}

impl Counting {
    /// `n`'s digits and a comma (the first `.1` bytes of `.0`).
    #[inline(always)]
    pub fn cell(&mut self, n: u64) -> (&[u8; 24], usize) {
        if self.n.checked_add(1) != Some(n) || !self.count_up() {
            let end = put_u64(&mut self.text, 0, n);
            self.text[end] = b',';
            self.len = end + 1;
        }
        self.n = n;
        (&self.text, self.len)
    }

    /// Adds one to the digits; false when all are nines (one more digit).
    #[inline(always)]
    fn count_up(&mut self) -> bool {
        for digit in self.text[..self.len - 1].iter_mut().rev() {
            if *digit == b'9' {
                *digit = b'0';
            } else {
                *digit += 1;
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn last_number_writes(last: &mut LastNumber, n: u32) {
        let (text, len) = last.cell(n);
        assert_eq!(&text[..len], format!("{n},").as_bytes(), "{n}");
    }

    #[test]
    fn the_last_number_is_rewritten_right_at_the_edges() {
        let mut last = LastNumber::default();
        for n in [
            0,
            9_999,
            10_000,
            19_999,
            10_000,
            10_001,
            u32::MAX,
            u32::MAX - 9_999,
            4_294_959_999,
            4_294_960_000,
            99_999_999,
            100_000_000,
            100_009_999,
            0,
            0,
            1,
            10_000,
            10_000,
            10_001,
            10_001,
        ] {
            last_number_writes(&mut last, n);
        }
    }

    #[test]
    fn counting_carries_and_jumps() {
        let mut c = Counting::default();
        for n in (0..1_100)
            .chain(9_990..10_010)
            .chain([5, 6, u64::MAX - 1, u64::MAX, 0, 1])
        {
            let (text, len) = c.cell(n);
            assert_eq!(&text[..len], format!("{n},").as_bytes(), "{n}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn counting_writes_each_as_to_string(start: u64, run in 1usize..30) {
            let mut c = Counting::default();
            for n in (0..run as u64).map(|i| start.wrapping_add(i)) {
                let (text, len) = c.cell(n);
                let want = format!("{n},");
                prop_assert_eq!(&text[..len], want.as_bytes());
            }
        }

        /// A connection's numbers: a start anywhere (wrap-around
        /// included), then small steps forwards and backwards.
        #[test]
        fn the_last_number_writes_each_as_to_string(start: u32, steps in proptest::collection::vec(-20_000i32..20_000, 1..40)) {
            let mut last = LastNumber::default();
            let mut n = start;
            last_number_writes(&mut last, n);
            for step in steps {
                n = n.wrapping_add_signed(step);
                let (text, len) = last.cell(n);
                let want = format!("{n},");
                prop_assert_eq!(&text[..len], want.as_bytes());
            }
        }
    }
}
