//! Numbers as the text output prints them (the per-segment writers' integers
//! are `digits.rs`), without `core::fmt`'s general
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

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
