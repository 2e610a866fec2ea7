//! How the live views write numbers: byte counts, rates, durations and
//! axis labels, short enough for a table cell.

pub(crate) fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

pub(crate) fn bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        _ => format!("{:.2} GB", n as f64 / 1e9),
    }
}

/// The widest text `rate` writes ("999.99 Gbit/s", or "1000.0 Mbit/s"
/// just below a Gbit/s): the table's rate column is this wide.
pub(crate) const RATE_WIDTH: u16 = 13;

pub(crate) fn rate(bps: f64) -> String {
    if bps >= 1e9 {
        format!("{:.2} Gbit/s", bps / 1e9)
    } else if bps >= 1e6 {
        format!("{:.1} Mbit/s", bps / 1e6)
    } else if bps >= 1e3 {
        format!("{:.1} kbit/s", bps / 1e3)
    } else {
        format!("{bps:.0} bit/s")
    }
}

pub(crate) fn ms(ns: i64) -> String {
    let ms = ns as f64 / 1e6;
    if ms < 1.0 {
        format!("{:.0} µs", ns as f64 / 1e3)
    } else if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// An axis label: 1234567 → "1.23M".
pub(crate) fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.2}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if a >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 10.0 || a == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rate below a Tbit/s fits the table's column, including those
    /// that round up into the next unit's digits ("1000.0 Mbit/s").
    #[test]
    fn every_rate_fits_its_column() {
        let mut bps = 0.5;
        while bps < 1e12 {
            for near in [bps, bps * 0.99996, bps * 1.00004] {
                let text = rate(near);
                assert!(
                    text.chars().count() <= usize::from(RATE_WIDTH),
                    "{near}: {text:?}"
                );
            }
            bps *= 1.01;
        }
        assert_eq!(rate(302.4e6), "302.4 Mbit/s");
        assert_eq!(rate(999.96e6), "1000.0 Mbit/s");
        assert_eq!(rate(999.994e9), "999.99 Gbit/s");
    }
}
