//! Numbers as the report prints them: durations with a unit that suits
//! them, rates with SI prefixes, times since the connection's start, and
//! lists of frames cut after a few.

use super::strings::{fill, Strings};

/// `25.0 µs`, `3.71 ms`, `1.058 s`.
pub fn duration(secs: f64) -> String {
    let a = secs.abs();
    if a < 1e-3 {
        format!("{:.1} µs", secs * 1e6)
    } else if a < 1.0 {
        format!("{:.2} ms", secs * 1e3)
    } else {
        format!("{secs:.3} s")
    }
}

/// `335.28 Mbit/s`.
pub fn rate(bps: f64) -> String {
    let (f, name) = match bps {
        b if b >= 1e9 => (1e9, "Gbit/s"),
        b if b >= 1e6 => (1e6, "Mbit/s"),
        b if b >= 1e3 => (1e3, "kbit/s"),
        _ => (1.0, "bit/s"),
    };
    format!("{:.2} {name}", bps / f)
}

/// Seconds since the connection's first packet, to the microsecond.
pub fn at(t: f64) -> String {
    format!("{t:.6}")
}

/// `12, 16, 36 … (45 in all)`: the first `show` frames of a list of `count`.
pub fn frames(s: &Strings, list: &[u64], count: u64) -> String {
    const SHOW: usize = 12;
    let shown: Vec<String> = list.iter().take(SHOW).map(u64::to_string).collect();
    let mut out = shown.join(", ");
    if count > shown.len() as u64 {
        out.push(' ');
        out.push_str(&fill(s.more, &[&count]));
    }
    out
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
    use super::*;

    #[test]
    fn units_follow_the_size() {
        assert_eq!(duration(0.000025), "25.0 µs");
        assert_eq!(duration(0.003712), "3.71 ms");
        assert_eq!(duration(7.878886), "7.879 s");
        assert_eq!(rate(335_280_000.0), "335.28 Mbit/s");
        let s = &super::super::strings::EN;
        assert_eq!(frames(s, &[1, 2], 2), "1, 2");
        assert_eq!(frames(s, &[1, 2], 5), "1, 2 … (5 in all)");
    }
}
