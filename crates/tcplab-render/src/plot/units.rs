//! Numbers on axes and in captions: a unit chosen from the data's range
//! (s/ms/µs, bit/s with SI prefixes, bytes), tick labels with just enough
//! decimals. The language's decimal separator and thousands grouping are
//! `Lang`'s.

use super::lang::Lang;

/// A unit for an axis: values are divided by `factor` and labelled `name`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unit {
    pub name: &'static str,
    pub factor: f64,
}

impl Unit {
    /// Seconds, milliseconds or microseconds, whichever keeps `max_secs`
    /// at or above 1 (loopback RTTs are tens of µs, a WAN transfer seconds).
    pub fn time(max_secs: f64) -> Unit {
        match max_secs.abs() {
            m if m >= 1.0 => Unit {
                name: "s",
                factor: 1.0,
            },
            m if m >= 1e-3 => Unit {
                name: "ms",
                factor: 1e-3,
            },
            _ => Unit {
                name: "µs",
                factor: 1e-6,
            },
        }
    }

    /// SI prefixes (k = 1000) for `base` ("bit/s", "B").
    pub fn si(max: f64, base: &'static str) -> Unit {
        const PREFIXED: [(&str, &str, f64); 4] = [
            ("bit/s", "Gbit/s", 1e9),
            ("bit/s", "Mbit/s", 1e6),
            ("bit/s", "kbit/s", 1e3),
            ("B", "MB", 1e6),
        ];
        for (b, name, factor) in PREFIXED {
            if b == base && max.abs() >= factor {
                return Unit { name, factor };
            }
        }
        if base == "B" && max.abs() >= 1e4 {
            return Unit {
                name: "kB",
                factor: 1e3,
            };
        }
        Unit {
            name: base,
            factor: 1.0,
        }
    }

    /// Plain numbers (sequence numbers).
    pub fn plain() -> Unit {
        Unit {
            name: "",
            factor: 1.0,
        }
    }

    /// A tick label for `v` on an axis whose ticks are `step` apart (both
    /// in base units), with `lang`'s decimal separator.
    pub fn tick(&self, lang: Lang, v: f64, step: f64) -> String {
        lang.decimal(tidy(v / self.factor, step / self.factor))
    }
}

/// `v` with as many decimals as ticks `step` apart need (1-2-5 steps: 0.5
/// needs one, 0.25 never happens), and no "-0": every label of an axis
/// gets the same decimals.
pub fn tidy(v: f64, step: f64) -> String {
    let step = step.abs().max(f64::MIN_POSITIVE);
    let decimals = (-step.log10() - 1e-9).ceil().clamp(0.0, 9.0) as usize;
    let s = format!("{v:.decimals$}");
    match s.strip_prefix('-') {
        Some(abs) if abs.chars().all(|c| c == '0' || c == '.') => abs.to_string(),
        _ => s,
    }
}

/// A duration for captions, to 3 significant digits: "250 µs", "53.7 µs",
/// "10 ms", "1.5 s" ("1,5 s" in Spanish). One of the two ways tcplab writes
/// a duration for reading: the report's sentences and tables use
/// `report::units::duration` (fixed decimals per unit: "1.00 ms", so that
/// values line up), the same unit for the same value. Neither is parsed
/// back; the command line's spelling is `tcplab_wire::duration`'s.
pub fn duration(lang: Lang, secs: f64) -> String {
    let u = Unit::time(secs);
    let v = secs / u.factor;
    let decimals = match v.abs() {
        a if a >= 100.0 => 0,
        a if a >= 10.0 => 1,
        _ => 2,
    };
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    format!("{} {}", lang.decimal(s.to_string()), u.name)
}

/// `335.28 Mbit/s` (`335,28 Mbit/s` in Spanish): a rate in prose, the
/// graphs' captions and the report's sentences alike.
pub fn rate(lang: Lang, bps: f64) -> String {
    let (f, name) = match bps {
        b if b >= 1e9 => (1e9, "Gbit/s"),
        b if b >= 1e6 => (1e6, "Mbit/s"),
        b if b >= 1e3 => (1e3, "kbit/s"),
        _ => (1.0, "bit/s"),
    };
    format!("{} {name}", lang.decimal(format!("{:.2}", bps / f)))
}

/// The 1-2-5 step nearest above `raw` (…, 0.5, 1, 2, 5, 10, …).
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_follow_the_range() {
        assert_eq!(Unit::time(0.000_05).name, "µs");
        assert_eq!(Unit::time(0.002).name, "ms");
        assert_eq!(Unit::time(8.0).name, "s");
        assert_eq!(Unit::si(2.4e6, "bit/s").name, "Mbit/s");
        assert_eq!(Unit::si(900.0, "bit/s").name, "bit/s");
        assert_eq!(Unit::si(65_535.0, "B").name, "kB");
        assert_eq!(Unit::si(3_000.0, "B").name, "B");
        assert_eq!(Unit::time(0.002).tick(Lang::En, 0.0015, 0.0005), "1.5");
        assert_eq!(Unit::time(0.002).tick(Lang::Es, 0.0015, 0.0005), "1,5");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(tidy(0.300_000_000_04, 0.1), "0.3");
        assert_eq!(tidy(2.8, 0.1), "2.8");
        assert_eq!(tidy(2.5, 0.5), "2.5");
        assert_eq!(tidy(-0.000_001, 0.2), "0.0");
        assert_eq!(tidy(0.0, 1.0), "0");
        assert_eq!(tidy(150_000.0, 50_000.0), "150000");
        assert_eq!(duration(Lang::En, 0.001), "1 ms");
        assert_eq!(duration(Lang::En, 0.0025), "2.5 ms");
        assert_eq!(duration(Lang::Es, 0.0025), "2,5 ms");
        assert_eq!(duration(Lang::En, 0.000_053_667), "53.7 µs");
        assert_eq!(duration(Lang::Es, 0.000_053_667), "53,7 µs");
        assert_eq!(duration(Lang::En, 209.638e-3), "210 ms");
        assert_eq!(nice_step(0.0013), 0.002);
        assert_eq!(nice_step(7.0), 10.0);
    }
}
