//! Sizes in bytes as a person writes them on the command line (`150000`,
//! `150k`, `1.5M`, `64KiB`, `512B`): the one parser of that spelling.
//!
//! Every option that takes a size reads it here: run-and-capture's and
//! compare's `--payload-size`, capture's `--rotate-size`, the chat
//! server's `--max-message` and the file server's `--max-size` (the
//! binary's `src/cli`). Like [`crate::duration`] it lives in the bottom
//! crate so that whoever parses a size reaches it without a backward edge.
//!
//! One spelling for all: a decimal number (`150000`, `1.5`) followed by an
//! optional unit, spaces allowed before it. Decimal units are powers of
//! 1000 as in SI (`k` or `K`, `M`, `G`, `T`, each with or without a final
//! `B`: `kB`, `MB`); binary units are powers of 1024 (`KiB`, `MiB`, `GiB`,
//! `TiB`); `B` or nothing is bytes. A fraction of a byte is refused rather
//! than rounded (`1.5` alone is not a size; `1.5k` is 1500). What the
//! option allows (at least 1, at most a header's reach) is the caller's to
//! check, and its error names the option and the value.

use thiserror::Error;

/// Why a text is not a size (the caller names the option and value).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum SizeError {
    #[error("write a number of bytes, e.g. 150000, 150k, 5M or 64KiB")]
    NotANumber,
    #[error(
        "unknown unit {0:?}; use B, k, M, G, T (powers of 1000) or KiB, MiB, GiB, TiB (of 1024)"
    )]
    UnknownUnit(String),
    #[error("a size is a whole number of bytes")]
    Fraction,
    #[error("too large (at most {} bytes)", u64::MAX)]
    TooLarge,
}

/// Units and the bytes in one of each.
const UNITS: [(&str, u64); 16] = [
    ("", 1),
    ("B", 1),
    ("k", 1_000),
    ("K", 1_000),
    ("kB", 1_000),
    ("KB", 1_000),
    ("M", 1_000_000),
    ("MB", 1_000_000),
    ("G", 1_000_000_000),
    ("GB", 1_000_000_000),
    ("T", 1_000_000_000_000),
    ("TB", 1_000_000_000_000),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
];

/// `text` in bytes: the number times its unit, exactly (no floating-point
/// rounding for whole numbers; a decimal fraction is scaled in integers).
pub fn parse(text: &str) -> Result<u64, SizeError> {
    let text = text.trim();
    let at = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(at);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
        return Err(SizeError::NotANumber);
    }
    let unit = unit.trim();
    let factor = UNITS
        .iter()
        .find(|(name, _)| *name == unit)
        .map(|&(_, factor)| factor)
        .ok_or_else(|| SizeError::UnknownUnit(unit.to_string()))?;
    let digits = |s: &str| -> Result<u64, SizeError> {
        if s.is_empty() {
            return Ok(0);
        }
        s.parse().map_err(|_| SizeError::TooLarge)
    };
    let bytes = digits(whole)?
        .checked_mul(factor)
        .ok_or(SizeError::TooLarge)?;
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        return Ok(bytes);
    }
    // 0.fraction × factor must be a whole number of bytes.
    let scale = 10u64
        .checked_pow(u32::try_from(fraction.len()).map_err(|_| SizeError::Fraction)?)
        .ok_or(SizeError::Fraction)?;
    let scaled = u128::from(digits(fraction)?) * u128::from(factor);
    if scaled % u128::from(scale) != 0 {
        return Err(SizeError::Fraction);
    }
    let part = u64::try_from(scaled / u128::from(scale)).map_err(|_| SizeError::TooLarge)?;
    bytes.checked_add(part).ok_or(SizeError::TooLarge)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_and_binary_units() {
        assert_eq!(parse("150000"), Ok(150_000));
        assert_eq!(parse("150k"), Ok(150_000));
        assert_eq!(parse("150K"), Ok(150_000));
        assert_eq!(parse("5M"), Ok(5_000_000));
        assert_eq!(parse("5 MB"), Ok(5_000_000));
        assert_eq!(parse("2G"), Ok(2_000_000_000));
        assert_eq!(parse("64KiB"), Ok(65_536));
        assert_eq!(parse("1MiB"), Ok(1 << 20));
        assert_eq!(parse("512B"), Ok(512));
        assert_eq!(parse(" 7 "), Ok(7));
        assert_eq!(parse("0"), Ok(0));
    }

    #[test]
    fn fractions_only_when_they_make_whole_bytes() {
        assert_eq!(parse("1.5M"), Ok(1_500_000));
        assert_eq!(parse("1.5k"), Ok(1_500));
        assert_eq!(parse(".5k"), Ok(500));
        assert_eq!(parse("0.5KiB"), Ok(512));
        assert_eq!(parse("3.0"), Ok(3));
        assert_eq!(parse("1.5"), Err(SizeError::Fraction));
        assert_eq!(parse("1.0001k"), Err(SizeError::Fraction));
    }

    #[test]
    fn what_is_not_a_size() {
        assert_eq!(parse("lots"), Err(SizeError::NotANumber));
        assert_eq!(parse(""), Err(SizeError::NotANumber));
        assert_eq!(parse("."), Err(SizeError::NotANumber));
        assert_eq!(parse("1.2.3"), Err(SizeError::NotANumber));
        assert_eq!(parse("-5"), Err(SizeError::NotANumber));
        assert_eq!(parse("5 lb"), Err(SizeError::UnknownUnit("lb".into())));
        assert_eq!(
            parse("5 parsecs"),
            Err(SizeError::UnknownUnit("parsecs".into()))
        );
        assert_eq!(parse("20000000000G"), Err(SizeError::TooLarge));
        assert_eq!(parse("99999999999999999999"), Err(SizeError::TooLarge));
    }
}
