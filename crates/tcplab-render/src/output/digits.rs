//! Integers as decimal text written in place into a byte buffer, for the
//! per-segment writers (a row per packet): eight digits at a time in a
//! `u64` rather than one at a time, and no length check per digit — each
//! call may write a few bytes past the digits ([`PUT_ROOM`]), which the
//! caller's buffer has room for and the next piece overwrites. What comes
//! out is exactly `n.to_string()` (the tests compare them).

/// `00` to `99`, two bytes each.
pub const PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// How many decimal digits `n` has (1 for 0).
fn digit_count(n: u64) -> usize {
    // log10(2) ≈ 1233 / 4096: a guess that is right or one short.
    // `n | 1` counts the same digits, and 0 as one.
    let n = n | 1;
    let bits = 64 - n.leading_zeros() as usize;
    // At most 19 (for 64 bits), so always an index of `POW10_U64`.
    let guess = (bits * 1233) >> 12;
    guess + usize::from(n >= POW10_U64[guess])
}

const POW10_U64: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// Bytes that [`put_u32`] and [`put_u64`] may write from `at`: the digits
/// and then whatever, which the next piece of the row overwrites.
pub const PUT_ROOM: usize = 20;

/// `{n}` for an integer into `out` at `at`; returns where it ends. It may
/// write past the end, up to [`PUT_ROOM`] bytes from `at` (the callers
/// size their buffers for that): eight digits are made at once in a
/// `u64`, its leading zeros shifted out, and all its bytes stored.
#[inline(always)]
pub fn put_u32(out: &mut [u8], at: usize, n: u32) -> usize {
    if n < 10 {
        // Lengths of pure ACKs, bytes in flight: 0 is frequent.
        out[at] = b'0' + n as u8;
        return at + 1;
    }
    if n < 100_000_000 {
        let digits = eight_digits(n);
        // The leading zeros are the low bytes; 0 keeps one.
        let zeros = (digits.trailing_zeros() / 8).min(7);
        let text = (digits + ASCII_ZEROS) >> (zeros * 8);
        out[at..at + 8].copy_from_slice(&text.to_le_bytes());
        return at + 8 - zeros as usize;
    }
    // Nine or ten digits: the first one or two, then eight.
    let top = (n / 100_000_000) as usize;
    let at = if top >= 10 {
        out[at..at + 2].copy_from_slice(&PAIRS[2 * top..2 * top + 2]);
        at + 2
    } else {
        out[at] = b'0' + top as u8;
        at + 1
    };
    let text = eight_digits(n % 100_000_000) + ASCII_ZEROS;
    out[at..at + 8].copy_from_slice(&text.to_le_bytes());
    at + 8
}

/// [`put_u32`] for a `u64` (wider ones, rare here, two digits at a time).
#[inline]
pub fn put_u64(out: &mut [u8], at: usize, n: u64) -> usize {
    if let Ok(small) = u32::try_from(n) {
        return put_u32(out, at, small);
    }
    let end = at + digit_count(n);
    let digits = &mut out[at..end];
    let mut i = digits.len();
    let mut n = n;
    while n >= 100 {
        let p = (n % 100) as usize * 2;
        n /= 100;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&PAIRS[p..p + 2]);
    }
    if n >= 10 {
        digits[..2].copy_from_slice(&PAIRS[2 * n as usize..2 * n as usize + 2]);
    } else {
        digits[0] = b'0' + n as u8;
    }
    end
}

/// `n` (< 10⁸) as its ASCII digits in the low bytes of a `u64`, the
/// first digit lowest, and how many there are: what [`put_u32`] writes,
/// as a value to be stored by the caller (with no bounds to check). Most
/// numbers of a row are short (lengths, windows, ports): up to four
/// digits are made in a `u32`, two pairs at once.
#[inline(always)]
pub fn up_to_eight(n: u32) -> (u64, usize) {
    if n < 10 {
        return (u64::from(n) + 0x30, 1);
    }
    if n < 10_000 {
        let digits = four_digits(n);
        // At least two digits: at most two leading zeros, in the low bytes.
        let zeros = digits.trailing_zeros() / 8;
        let text = (digits + 0x3030_3030) >> (zeros * 8);
        return (u64::from(text), 4 - zeros as usize);
    }
    if n < 100_000 {
        // Windows, ports: the first digit, then four.
        let first = n / 10_000;
        let rest = four_digits(n - first * 10_000) + 0x3030_3030;
        return ((u64::from(first) + 0x30) | (u64::from(rest) << 8), 5);
    }
    let digits = eight_digits(n);
    // At least six digits: at most two leading zeros.
    let zeros = digits.trailing_zeros() / 8;
    ((digits + ASCII_ZEROS) >> (zeros * 8), 8 - zeros as usize)
}

/// `00` to `99` as little-endian `u16`s (the tens in the low byte), in a
/// table of 128 so that an index masked with 127 needs no bounds check.
const PAIRS_LE: [u16; 128] = {
    let mut t = [0u16; 128];
    let mut i = 0;
    while i < 100 {
        t[i] = (b'0' as u16 + (i / 10) as u16) | (b'0' as u16 + (i % 10) as u16) << 8;
        i += 1;
    }
    t
};

/// `n` (< 10⁴) as four ASCII digits, the first in the low byte: two
/// pairs from a table (fewer instructions than [`four_digits`]).
#[inline(always)]
pub fn four_ascii(n: u32) -> [u8; 4] {
    let high = n / 100;
    let low = n - high * 100;
    let text =
        u32::from(PAIRS_LE[high as usize & 127]) | (u32::from(PAIRS_LE[low as usize & 127]) << 16);
    text.to_le_bytes()
}

/// `n` (< 10⁴) as four digits (0 to 9, not yet ASCII), the first in the
/// low byte: [`eight_digits`]' last two steps on a `u32`.
#[inline(always)]
fn four_digits(n: u32) -> u32 {
    let pairs = (n / 100) | ((n % 100) << 16);
    let tens = ((pairs * 103) >> 10) & 0x000f_000f;
    tens | (pairs - tens * 10) << 8
}

/// `n` (< 10⁹) as nine digits: the first as an ASCII byte, the other
/// eight as ASCII in a `u64` (the first lowest).
#[inline(always)]
pub fn nine_digits(n: u32) -> (u8, u64) {
    let first = n / 100_000_000;
    (
        b'0' + first as u8,
        eight_digits(n - first * 100_000_000) + ASCII_ZEROS,
    )
}

/// `b'0'` in each byte of a `u64`.
const ASCII_ZEROS: u64 = 0x3030_3030_3030_3030;

/// `n` (< 10⁸) as eight digits (0 to 9, not yet ASCII), the first in the
/// low byte:
/// split in two halves of four digits, each half in two of two, each of
/// those in two digits, every step on all the lanes of the `u64` at once
/// (divisions by 100 and 10 as a multiplication and a shift, exact for
/// these ranges: n·10486 >> 20 for n < 10⁴, n·103 >> 10 for n < 100).
#[inline]
fn eight_digits(n: u32) -> u64 {
    let halves = u64::from(n / 10_000) | u64::from(n % 10_000) << 32;
    let hundreds = ((halves * 10_486) >> 20) & 0x0000_007f_0000_007f;
    let pairs = hundreds | (halves - hundreds * 100) << 16;
    let tens = ((pairs * 103) >> 10) & 0x000f_000f_000f_000f;
    tens | (pairs - tens * 10) << 8
}

/// `{n}` for a byte (an IPv4 address' octet): at most three digits, from
/// the table of pairs. Writes up to three bytes from `at`.
#[inline]
pub fn put_u8(out: &mut [u8], at: usize, n: u8) -> usize {
    let n = usize::from(n);
    if n >= 100 {
        out[at] = b'0' + (n / 100) as u8;
        let p = 2 * (n % 100);
        out[at + 1..at + 3].copy_from_slice(&PAIRS[p..p + 2]);
        at + 3
    } else if n >= 10 {
        out[at..at + 2].copy_from_slice(&PAIRS[2 * n..2 * n + 2]);
        at + 2
    } else {
        out[at] = b'0' + n as u8;
        at + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn put(n: u64) -> String {
        let mut buf = [b'x'; 2 + PUT_ROOM];
        let end = put_u64(&mut buf, 2, n);
        assert_eq!(&buf[..2], b"xx", "{n}: nothing before");
        String::from_utf8(buf[2..end].to_vec()).expect("digits")
    }

    #[test]
    fn the_digit_writer_writes_what_to_string_does() {
        let mut cases = vec![0, 9, 10, 99, 100, u64::from(u32::MAX), u64::MAX];
        for p in POW10_U64 {
            cases.extend([p - 1, p, p + 1]);
        }
        cases.extend([u64::from(u32::MAX) - 1, u64::from(u32::MAX) + 1]);
        for n in cases {
            assert_eq!(put(n), n.to_string());
            if let Ok(small) = u32::try_from(n) {
                let mut buf = [b'x'; 1 + PUT_ROOM];
                let end = put_u32(&mut buf, 1, small);
                assert_eq!(&buf[..end], format!("x{n}").as_bytes());
            }
        }
    }

    #[test]
    fn eight_digits_are_the_zero_padded_number() {
        for n in (0..100_000_000)
            .step_by(9_999)
            .chain([99_999_999, 10_000, 9_999])
        {
            let got = (eight_digits(n) + ASCII_ZEROS).to_le_bytes();
            assert_eq!(&got[..], format!("{n:08}").as_bytes(), "{n}");
        }
    }

    #[test]
    fn bytes_are_written_as_to_string() {
        for n in 0..=u8::MAX {
            let mut buf = [b'x'; 4];
            let end = put_u8(&mut buf, 1, n);
            assert_eq!(&buf[..end], format!("x{n}").as_bytes());
        }
    }

    fn up_to_eight_text(n: u32) -> String {
        let (word, len) = up_to_eight(n);
        assert!((1..=8).contains(&len), "{n}: {len} digits");
        assert!(
            len == 8 || word >> (8 * len) == 0,
            "{n}: nothing after the digits"
        );
        String::from_utf8(word.to_le_bytes()[..len].to_vec()).expect("digits")
    }

    #[test]
    fn four_digits_are_the_zero_padded_number() {
        for n in 0..10_000 {
            assert_eq!(four_ascii(n), format!("{n:04}").as_bytes(), "{n}");
        }
    }

    #[test]
    fn short_numbers_are_written_as_to_string() {
        for n in (0..200_000).chain([9_999_999, 10_000_000, 12_345_678, 99_999_999]) {
            assert_eq!(up_to_eight_text(n), n.to_string(), "{n}");
        }
        for n in [
            0,
            1,
            9,
            99_999_999,
            100_000_000 - 1,
            123_456_789,
            999_999_999,
        ] {
            let (first, rest) = nine_digits(n);
            let mut text = vec![first];
            text.extend(rest.to_le_bytes());
            assert_eq!(text, format!("{n:09}").as_bytes(), "{n}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn any_short_number_is_written_as_to_string(n in 0u32..100_000_000) {
            prop_assert_eq!(up_to_eight_text(n), n.to_string());
        }

        #[test]
        fn any_integer_is_written_as_to_string(n: u64) {
            let small = n as u32;
            let mut buf = [0; PUT_ROOM];
            let end = put_u32(&mut buf, 0, small);
            let want = small.to_string();
            prop_assert_eq!(&buf[..end], want.as_bytes());
            prop_assert_eq!(put(n), n.to_string());
            prop_assert_eq!(put(n >> (n % 64)), (n >> (n % 64)).to_string());
        }
    }
}
