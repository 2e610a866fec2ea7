//! Durations as a person writes them on the command line (`20ms`, `1.5s`,
//! `250us`, `2m`) and as tcplab writes them back: the one parser and the
//! one formatter of that spelling.
//!
//! Every option that takes a duration reads it here: the emulated link's
//! `--delay`, `--rtt` and `--jitter` (`tcplab_analysis::record::link`), the
//! lab servers' `--idle-timeout` and `--max-time` and the plot's
//! `--interval` (the binary's `src/cli`). It lives in the bottom crate of
//! the workspace so that every crate that reads or writes a duration
//! reaches it without a backward edge; `tcplab-lab` depends on no tcplab
//! crate, so the lab's options are parsed by the binary, which reaches it
//! too.
//!
//! One spelling for all: a decimal number (`20`, `1.5`, `.5`, `1e-3`)
//! followed by an optional unit `ns`, `us` or `µs`, `ms`, `s`, `m` or
//! `min`, `h`, spaces allowed around the unit. What differs between options
//! is left to the caller and said with the call:
//!
//! - what a bare number means ([`Bare`]): seconds for the lab's timeouts
//!   and the plot's interval; refused for the link's delays, whose `tc`
//!   spelling would read `20` as microseconds (a bare `0` is always zero);
//! - the range (the link's delays are at most 10 s; a throughput interval
//!   must be longer than zero), checked by the caller, whose error names
//!   the option and the value.
//!
//! The language-aware durations of reports and graphs (`3.71 ms`,
//! `3,71 ms`, to a fixed or significant number of digits) are not this
//! spelling: they are written for reading, not for parsing back, and live
//! in `tcplab-render`.

use std::time::Duration;
use thiserror::Error;

/// What a number without a unit means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bare {
    /// Seconds (`5` is `5s`).
    Seconds,
    /// Nothing: a unit must be given, except for zero.
    NeedsUnit,
}

/// Why a text is not a duration (the caller names the option and value).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum DurationError {
    #[error("write a number and a unit, e.g. 20ms, 1.5s or 250us")]
    NotANumber,
    #[error("unknown unit {0:?}; use ns, us, ms, s, m or h")]
    UnknownUnit(String),
    #[error("give a unit: ns, us, ms, s, m or h")]
    NoUnit,
    #[error("a duration cannot be negative")]
    Negative,
    #[error("too long")]
    TooLong,
}

/// Units and the seconds in one of each. `m` is minutes (the lab's
/// timeouts); nothing shorter than a nanosecond is kept.
const UNITS: [(&str, f64); 9] = [
    ("ns", 1e-9),
    ("us", 1e-6),
    ("µs", 1e-6),
    ("ms", 1e-3),
    ("s", 1.0),
    ("m", 60.0),
    ("min", 60.0),
    ("h", 3600.0),
    ("", 1.0),
];

/// `text` in seconds, finite and not negative: the number times its unit.
/// For callers that work in seconds as `f64` (the plot); the others use
/// [`parse`].
pub fn parse_secs(text: &str, bare: Bare) -> Result<f64, DurationError> {
    let text = text.trim();
    let at = text
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '+' | '-' | 'e' | 'E')))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(at);
    let value: f64 = number.parse().map_err(|_| DurationError::NotANumber)?;
    if !value.is_finite() {
        return Err(DurationError::NotANumber);
    }
    if value < 0.0 || number.starts_with('-') {
        return Err(DurationError::Negative);
    }
    let unit = unit.trim();
    let factor = UNITS
        .iter()
        .find(|(name, _)| *name == unit)
        .map(|&(_, factor)| factor)
        .ok_or_else(|| DurationError::UnknownUnit(unit.to_string()))?;
    if unit.is_empty() && bare == Bare::NeedsUnit && value != 0.0 {
        return Err(DurationError::NoUnit);
    }
    Ok(value * factor)
}

/// `text` as a `Duration`, to the nanosecond (rounded).
pub fn parse(text: &str, bare: Bare) -> Result<Duration, DurationError> {
    let secs = parse_secs(text, bare)?;
    Duration::try_from_secs_f64(secs).map_err(|_| DurationError::TooLong)
}

/// `d` in the spelling [`parse`] reads back exactly: the largest of `s`,
/// `ms`, `µs` and `ns` that keeps the number at 1 or more, with as many
/// decimals as it needs: `20ms`, `1.5s`, `250µs`, `0ns`. (The same text as
/// `Duration`'s `Debug`, written here so that it cannot change with Rust.)
pub fn format(d: Duration) -> String {
    let nanos = d.as_nanos();
    let (per_unit, unit) = match nanos {
        n if n >= 1_000_000_000 => (1_000_000_000, "s"),
        n if n >= 1_000_000 => (1_000_000, "ms"),
        n if n >= 1_000 => (1_000, "µs"),
        _ => (1, "ns"),
    };
    let whole = nanos / per_unit;
    let fraction = nanos % per_unit;
    if fraction == 0 {
        return format!("{whole}{unit}");
    }
    let width = per_unit.ilog10() as usize;
    let digits = format!("{fraction:0width$}");
    format!("{whole}.{}{unit}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> Result<f64, DurationError> {
        parse_secs(text, Bare::Seconds)
    }

    #[test]
    fn every_unit() {
        assert_eq!(parse("100ns", Bare::Seconds), Ok(Duration::from_nanos(100)));
        assert_eq!(
            parse("250us", Bare::Seconds),
            Ok(Duration::from_micros(250))
        );
        assert_eq!(
            parse("250µs", Bare::Seconds),
            Ok(Duration::from_micros(250))
        );
        assert_eq!(parse("20ms", Bare::Seconds), Ok(Duration::from_millis(20)));
        assert_eq!(
            parse("1.5s", Bare::Seconds),
            Ok(Duration::from_millis(1500))
        );
        assert_eq!(parse("2m", Bare::Seconds), Ok(Duration::from_secs(120)));
        assert_eq!(parse("2min", Bare::Seconds), Ok(Duration::from_secs(120)));
        assert_eq!(parse("1h", Bare::Seconds), Ok(Duration::from_secs(3600)));
    }

    #[test]
    fn numbers_and_spaces() {
        assert_eq!(secs(" 2 s "), Ok(2.0));
        assert_eq!(secs(".5s"), Ok(0.5));
        assert_eq!(secs("+2s"), Ok(2.0));
        assert_eq!(secs("1e-3"), Ok(0.001));
        assert_eq!(secs("1E3us"), Ok(1e3 * 1e-6));
        assert_eq!(secs("2.5 ms"), Ok(2.5 * 1e-3));
        // The number times its unit, as the plot has always computed it.
        assert_eq!(secs("9ms"), Ok(9.0 * 1e-3));
    }

    #[test]
    fn a_bare_number() {
        assert_eq!(parse("1.5", Bare::Seconds), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("20", Bare::NeedsUnit), Err(DurationError::NoUnit));
        assert_eq!(parse("0", Bare::NeedsUnit), Ok(Duration::ZERO));
        assert_eq!(parse("0.0", Bare::NeedsUnit), Ok(Duration::ZERO));
        assert_eq!(parse("0", Bare::Seconds), Ok(Duration::ZERO));
    }

    #[test]
    fn what_is_refused() {
        assert_eq!(secs(""), Err(DurationError::NotANumber));
        assert_eq!(secs("fast"), Err(DurationError::NotANumber));
        assert_eq!(secs("soon"), Err(DurationError::NotANumber));
        assert_eq!(secs("ms"), Err(DurationError::NotANumber));
        assert_eq!(secs("1.2.3s"), Err(DurationError::NotANumber));
        assert_eq!(secs("inf"), Err(DurationError::NotANumber));
        assert_eq!(secs("1e999s"), Err(DurationError::NotANumber));
        assert_eq!(secs("-1s"), Err(DurationError::Negative));
        assert_eq!(secs("-0"), Err(DurationError::Negative));
        assert_eq!(
            secs("5 parsecs"),
            Err(DurationError::UnknownUnit("parsecs".into()))
        );
        assert_eq!(secs("2S"), Err(DurationError::UnknownUnit("S".into())));
        assert_eq!(parse("1e300s", Bare::Seconds), Err(DurationError::TooLong));
    }

    #[test]
    fn errors_read_as_one_line() {
        for e in [secs("x"), secs("5 parsecs"), secs("-1s")] {
            let text = e.unwrap_err().to_string();
            assert!(!text.contains('\n') && !text.is_empty(), "{text}");
        }
        assert_eq!(
            secs("5 parsecs").unwrap_err().to_string(),
            "unknown unit \"parsecs\"; use ns, us, ms, s, m or h"
        );
    }

    #[test]
    fn formatted_as_debug_and_read_back() {
        for d in [
            Duration::ZERO,
            Duration::from_nanos(7),
            Duration::from_nanos(1_500),
            Duration::from_micros(250),
            Duration::from_millis(2),
            Duration::from_micros(2_001),
            Duration::from_millis(1500),
            Duration::from_secs(60),
            Duration::from_nanos(10_000_000_001),
        ] {
            let text = format(d);
            assert_eq!(text, format!("{d:?}"));
            assert_eq!(parse(&text, Bare::NeedsUnit), Ok(d), "{text}");
        }
        assert_eq!(format(Duration::from_millis(20)), "20ms");
        assert_eq!(format(Duration::from_micros(1_500)), "1.5ms");
    }
}
