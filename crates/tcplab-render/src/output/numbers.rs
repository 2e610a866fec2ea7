//! Numbers as the text output prints them, without `core::fmt`'s general
//! machinery, which was most of the time of `--format text` on captures
//! with many connections. Each function writes exactly what the `format!`
//! spec in its name writes (the tests compare them), only faster.

use std::fmt::Write;

const POW10: [u64; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// `{x:.d}` (d ≤ 9): `x` rounded to `d` decimals.
///
/// `x * 10^d` rounded to an integer is the answer unless the exact product
/// lies near a half: the floating-point product is off the exact one by at
/// most half a unit in the last place, so when it is further than two such
/// units from a half, it rounds the same way. Near a half (RTT averages of
/// whole microseconds land there often), integers decide exactly which
/// side `x` is on. Exact halves, negative, huge and non-finite values go
/// to `core::fmt`.
pub fn fixed(out: &mut String, x: f64, d: usize) {
    if let Some(n) = scaled(x, d) {
        let mut int = itoa::Buffer::new();
        out.push_str(int.format(n / POW10[d]));
        if d > 0 {
            out.push('.');
            let digits = int.format(n % POW10[d]);
            out.push_str(&"000000000"[..d - digits.len()]);
            out.push_str(digits);
        }
        return;
    }
    let _ = write!(out, "{x:.d$}");
}

/// `x * 10^d` rounded to the nearest integer, when that is sure.
fn scaled(x: f64, d: usize) -> Option<u64> {
    let scale = *POW10.get(d)?;
    let y = x * scale as f64;
    if !(x.is_sign_positive() && y < 4.0e15) {
        return None;
    }
    let whole = y.floor();
    let frac = y - whole;
    let n = whole as u64;
    if (frac - 0.5).abs() > y * 4.5e-16 {
        return Some(n + u64::from(frac > 0.5));
    }
    // Near n + 1/2: with x = m * 2^e exactly, compare m * 10^d * 2^(e+1)
    // with 2n + 1 in integers.
    let bits = x.to_bits();
    let biased = (bits >> 52) as i32;
    if biased == 0 {
        return None;
    }
    let m = u128::from(bits & ((1 << 52) - 1) | 1 << 52);
    let shift = biased - 1075 + 1;
    let (lhs, rhs) = (m * u128::from(scale), u128::from(2 * n + 1));
    let (lhs, rhs) = if shift >= 0 {
        (lhs.checked_shl(shift as u32)?, rhs)
    } else {
        let k = shift.unsigned_abs();
        if k >= rhs.leading_zeros() {
            return None;
        }
        (lhs, rhs << k)
    };
    match lhs.cmp(&rhs) {
        std::cmp::Ordering::Greater => Some(n + 1),
        std::cmp::Ordering::Less => Some(n),
        std::cmp::Ordering::Equal => None,
    }
}

/// `{x:>w.d}`: `fixed`, right-aligned in `w` columns.
pub fn fixed_right(out: &mut String, x: f64, d: usize, w: usize) {
    let start = out.len();
    fixed(out, x, d);
    pad_left(out, start, w);
}

const SPACES: &str = "                                ";

/// `n` spaces.
fn spaces(out: &mut String, mut n: usize) {
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// `{n:>w}` for an integer.
pub fn int_right(out: &mut String, n: impl itoa::Integer, w: usize) {
    let mut int = itoa::Buffer::new();
    let s = int.format(n);
    spaces(out, w.saturating_sub(s.len()));
    out.push_str(s);
}

/// `{n}` for an integer.
pub fn int(out: &mut String, n: impl itoa::Integer) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// `{s:<w}`.
pub fn str_left(out: &mut String, s: &str, w: usize) {
    out.push_str(s);
    spaces(out, w.saturating_sub(s.chars().count()));
}

/// Right-aligns what was written since `start` in `w` columns.
fn pad_left(out: &mut String, start: usize, w: usize) {
    let n = out.len() - start;
    if n < w {
        out.insert_str(start, &SPACES[..(w - n).min(SPACES.len())]);
        pad_left(out, start, w);
    }
}

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

/// `.` and `n` (< 10⁹) in exactly nine digits.
pub fn point_nine_digits(n: u32) -> [u8; 10] {
    let mut out = [b'.'; 10];
    out[1] = b'0' + (n / 100_000_000 % 10) as u8;
    let text = eight_digits(n % 100_000_000) + ASCII_ZEROS;
    out[2..].copy_from_slice(&text.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(x: f64) {
        for d in [0, 1, 2, 6, 9] {
            let mut s = String::new();
            fixed(&mut s, x, d);
            assert_eq!(s, format!("{x:.d$}"), "{x:e} to {d} decimals");
            let mut s = String::new();
            fixed_right(&mut s, x, d, 12);
            assert_eq!(s, format!("{x:>12.d$}"), "{x:e} to {d} decimals, width 12");
        }
    }

    #[test]
    fn halves_and_edges_match_core_fmt() {
        for x in [
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            0.125,
            0.000_000_5,
            0.000_001_5,
            0.000_000_499_999_999_9,
            1e-300,
            0.1,
            0.7,
            1e15,
            4.0e15,
            1e16,
            1.234_567_5e9,
            9.999_999_5,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NAN,
            -1.5,
            -0.000_000_1,
            1_764_000_000.000_010_5,
        ] {
            check(x);
        }
        for n in 0..2000u32 {
            check(f64::from(n) / 1024.0);
        }
        // Means of whole microseconds: many sit right at a half.
        for n in 0..50_000u32 {
            let (a, b) = (f64::from(n) * 1e-6, f64::from(n + 1) * 1e-6);
            check((a + b) / 2.0);
            check(f64::from(n) * 0.000_000_5);
        }
    }

    #[test]
    fn integers_and_strings_pad_like_core_fmt() {
        let mut s = String::new();
        int_right(&mut s, 42u64, 7);
        int_right(&mut s, 123_456_789u32, 6);
        str_left(&mut s, "SA", 5);
        int(&mut s, u64::MAX);
        assert_eq!(
            s,
            format!("{:>7}{:>6}{:<5}{}", 42, 123_456_789, "SA", u64::MAX)
        );
        let mut s = String::from("x");
        fixed_right(&mut s, 0.25, 6, 25);
        assert_eq!(s, format!("x{:>25.6}", 0.25));
    }

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
    fn nine_digits_are_the_zero_padded_number() {
        for n in [0, 5, 99, 100, 123_456_789, 999_999_999, 10_000_001] {
            let got = point_nine_digits(n);
            assert_eq!(&got[..], format!(".{n:09}").as_bytes(), "{n}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

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

        #[test]
        fn any_float_matches_core_fmt(bits: u64) {
            check(f64::from_bits(bits));
        }

        #[test]
        fn seconds_and_rates_match_core_fmt(x in 0.0f64..1e10) {
            check(x);
        }

        #[test]
        fn near_halves_match_core_fmt(n in 0u64..10_000_000_000, d in 0usize..10, tweak in -3i64..4) {
            // n + 0.5 units of the last decimal, nudged by a few ulps.
            let x = (n as f64 + 0.5) / POW10[d] as f64;
            let x = f64::from_bits((x.to_bits() as i64 + tweak) as u64);
            let mut s = String::new();
            fixed(&mut s, x, d);
            prop_assert_eq!(s, format!("{x:.d$}"));
        }
    }
}
