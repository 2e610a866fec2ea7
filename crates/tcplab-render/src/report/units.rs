//! Numbers as the report prints them: durations with a unit that suits
//! them, rates with SI prefixes, times since the connection's start, and
//! lists of frames cut after a few. Fractions take the table's decimal
//! separator (`3.71 ms`, `3,71 ms`); counts, frame and sequence numbers
//! are printed as they are, without thousands separators.

use super::strings::{fill, Lang, Strings};
use crate::plot::units::Unit;

/// `25.0 µs`, `3.71 ms`, `1.058 s`: a fixed number of decimals per unit,
/// as the report's sentences and tables (and the comparison's) have always
/// written them. The graphs' captions write the same unit to 3 significant
/// digits (`plot::units::duration`: `1 ms`, not `1.00 ms`). Both are for
/// reading, in the report's language; the command line's spelling, which
/// tcplab parses back, is `tcplab_wire::duration`'s.
pub fn duration(s: &Strings, secs: f64) -> String {
    duration_in(s.lang, secs)
}

/// [`duration`] for any sentence table of `lang` (the comparison's too).
pub fn duration_in(lang: Lang, secs: f64) -> String {
    // The unit is the graphs' (one rule: `Unit::time`); the decimals are
    // the report's: 1 for µs, 2 for ms, 3 for s.
    // (Multiplying by 1e6 rounds as the report always has; dividing by
    // the unit's factor 1e-6 would move a few last digits.)
    let unit = Unit::time(secs);
    let (decimals, per_second) = match unit.name {
        "µs" => (1, 1e6),
        "ms" => (2, 1e3),
        _ => (3, 1.0),
    };
    let number = format!("{:.decimals$}", secs * per_second);
    format!("{} {}", lang.decimal(number), unit.name)
}

/// `335.28 Mbit/s`.
pub fn rate(s: &Strings, bps: f64) -> String {
    rate_in(s.lang, bps)
}

/// [`rate`] for any sentence table of `lang`.
pub fn rate_in(lang: Lang, bps: f64) -> String {
    crate::plot::units::rate(lang, bps)
}

/// A plain number with at most two decimals, trailing zeros dropped: `1`, `0.5`, `2,25`.
pub fn number(s: &Strings, x: f64) -> String {
    let text = format!("{x:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    s.lang.decimal(text.to_string())
}

/// A byte count for reading (bytes in flight, windows, cwnd), grouped as
/// the graphs group their axis labels, by the one rule `Lang::thousands`:
/// `148,495` in English, `148 495` (narrow no-break space, from five
/// digits on) in Spanish. Sequence, acknowledgement and frame numbers and
/// the checks' arithmetic are not grouped: they stay copyable.
pub fn bytes(s: &Strings, n: impl Into<u64>) -> String {
    s.lang.thousands(n.into())
}

/// Seconds since the connection's first packet, to the microsecond.
pub fn at(s: &Strings, t: f64) -> String {
    s.lang.decimal(format!("{t:.6}"))
}

/// A growth factor: `×1.5`.
pub fn times(s: &Strings, factor: f64) -> String {
    format!("×{}", s.lang.decimal(format!("{factor:.1}")))
}

/// `frames 12, 16, 36 … (45 in all)`: the first few frames of a list of
/// `count`, after the word for one frame or several.
pub fn frames(s: &Strings, list: &[u64], count: u64) -> String {
    const SHOW: usize = 12;
    let shown: Vec<String> = list.iter().take(SHOW).map(u64::to_string).collect();
    let mut out = shown.join(", ");
    if count > shown.len() as u64 {
        out.push(' ');
        out.push_str(&fill(s.more, &[&count]));
    }
    s.frames.shown(count, &out)
}

/// `47 times (frames 7, 9, …)`, `once (frame 7)`, `0 times`: how often
/// something happened, and where.
pub fn times_at(s: &Strings, list: &[u64], count: u64) -> String {
    let times = s.n_times.of(count);
    if count == 0 {
        times
    } else {
        format!("{times} ({})", frames(s, list, count))
    }
}

/// ✓, or ✗ with what was found instead.
pub fn mark(ok: bool, found: impl std::fmt::Display) -> String {
    if ok {
        "✓".to_string()
    } else {
        format!("✗ ({found})")
    }
}

#[cfg(test)]
mod tests {
    use super::super::strings::{EN, ES};
    use super::*;

    #[test]
    fn units_follow_the_size() {
        assert_eq!(duration(&EN, 0.000025), "25.0 µs");
        assert_eq!(duration(&EN, 0.003712), "3.71 ms");
        assert_eq!(duration(&EN, 7.878886), "7.879 s");
        assert_eq!(rate(&EN, 335_280_000.0), "335.28 Mbit/s");
        assert_eq!(at(&EN, 1.128721), "1.128721");
        assert_eq!(times(&EN, 1.96), "×2.0");
    }

    #[test]
    fn spanish_writes_a_decimal_comma() {
        assert_eq!(duration(&ES, 0.000025), "25,0 µs");
        assert_eq!(duration(&ES, 0.003712), "3,71 ms");
        assert_eq!(duration(&ES, 7.878886), "7,879 s");
        assert_eq!(rate(&ES, 335_280_000.0), "335,28 Mbit/s");
        assert_eq!(rate(&ES, 512.0), "512,00 bit/s");
        assert_eq!(at(&ES, 1.128721), "1,128721");
        assert_eq!(times(&ES, 1.5), "×1,5");
    }

    #[test]
    fn frame_lists_agree_with_their_count() {
        assert_eq!(frames(&EN, &[29], 1), "frame 29");
        assert_eq!(frames(&EN, &[1, 2], 2), "frames 1, 2");
        assert_eq!(frames(&EN, &[1, 2], 5), "frames 1, 2 … (5 in all)");
        assert_eq!(frames(&ES, &[29], 1), "trama 29");
        assert_eq!(frames(&ES, &[1, 2], 5), "tramas 1, 2 … (5 en total)");
        assert_eq!(times_at(&EN, &[8, 10], 2), "2 times (frames 8, 10)");
        assert_eq!(times_at(&EN, &[8], 1), "once (frame 8)");
        assert_eq!(times_at(&ES, &[8], 1), "una vez (trama 8)");
        assert_eq!(times_at(&ES, &[], 0), "0 veces");
    }
}
