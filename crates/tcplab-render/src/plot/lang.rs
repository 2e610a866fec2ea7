//! The language of what tcplab writes for people (graphs and the report),
//! and what every sentence table shares: filling a template's `{}`,
//! singular and plural phrases, and how numbers are written.
//!
//! In: a `Lang` (from `--lang` or the `LANG` variable). Out: strings.
//! It lives in `plot`, the first room that writes words, so that the
//! report (which draws graphs) builds on it without the graphs knowing
//! about the report; `report::Lang` is the same type. Machine-readable
//! output (CSV, JSON, the terminal's `analyze` text) does not use it.

use std::fmt::Display;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    Es,
}

impl Lang {
    /// From a locale such as `es_ES.UTF-8` (the `LANG` variable); English otherwise.
    pub fn from_locale(locale: Option<&str>) -> Lang {
        match locale {
            Some(l) if l.to_ascii_lowercase().starts_with("es") => Lang::Es,
            _ => Lang::En,
        }
    }

    pub fn from_env() -> Lang {
        Lang::from_locale(std::env::var("LANG").ok().as_deref())
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// A number as Rust formats it (`3.71`) with this language's decimal
    /// separator: `3.71` in English, `3,71` in Spanish.
    pub fn decimal(self, formatted: String) -> String {
        match self {
            Lang::En => formatted,
            Lang::Es => formatted.replace('.', ","),
        }
    }

    /// A count with its thousands grouped: `148,495` in English; in
    /// Spanish, where a comma is the decimal separator, `148 495` with a
    /// narrow no-break space, and only from five digits on, as the RAE's
    /// Ortografía (2010) recommends: `1448`, `14 480`.
    pub fn thousands(self, n: u64) -> String {
        let digits = n.to_string();
        let sep = match self {
            Lang::En => ",",
            Lang::Es if digits.len() > 4 => "\u{202f}",
            Lang::Es => return digits,
        };
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 * sep.len());
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(c);
        }
        out
    }
}

/// Replaces each `{}` in `template` with the next of `args`.
pub fn fill(template: &str, args: &[&dyn Display]) -> String {
    let mut out = String::with_capacity(template.len() + 16 * args.len());
    let mut args = args.iter();
    let mut rest = template;
    while let Some(at) = rest.find("{}") {
        out.push_str(&rest[..at]);
        if let Some(a) = args.next() {
            out.push_str(&a.to_string());
        }
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

/// A phrase about a count, in the singular and in the plural, with `{}`
/// where the count goes: `Plural("{} connection", "{} connections")`.
/// The singular may spell the number out (`Plural("once", "{} times")`).
/// English and Spanish both use the singular for 1 only (`0 veces`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plural(pub &'static str, pub &'static str);

impl Plural {
    /// The form that agrees with `n`.
    pub fn pick(self, n: u64) -> &'static str {
        if n == 1 {
            self.0
        } else {
            self.1
        }
    }

    /// The phrase for `n`: `1 connection`, `3 connections`.
    pub fn of(self, n: u64) -> String {
        fill(self.pick(n), &[&n])
    }

    /// The phrase for `n`, with the number written as `shown` (grouped
    /// thousands in a graph's caption, a list of frames).
    pub fn shown(self, n: u64, shown: &dyn Display) -> String {
        fill(self.pick(n), &[shown])
    }

    /// A whole sentence about `n` things. The plural takes `n` at its
    /// first `{}`, then `rest`; the singular names its one thing without a
    /// number ("the only retransmission, at frame {}") and takes `rest`
    /// only, as many of them as it has `{}`.
    pub fn sentence(self, n: u64, rest: &[&dyn Display]) -> String {
        if n == 1 {
            fill(self.0, rest)
        } else {
            let mut args: Vec<&dyn Display> = vec![&n];
            args.extend_from_slice(rest);
            fill(self.1, &args)
        }
    }
}

/// Checks of the language tables, for the tests of every crate that has
/// one (`report`, `plot`, the comparison's): both languages must take the
/// same values in every sentence.
#[doc(hidden)]
pub mod table_check {
    use std::collections::BTreeMap;

    /// `field -> number of {}` in the table of a strings file that starts
    /// at `marker`: both languages' tables must take the same values.
    pub fn holes(source: &str, marker: &str) -> BTreeMap<String, usize> {
        let table = source.split(marker).nth(1).unwrap_or_default();
        let table = table.split("\n};").next().unwrap_or_default();
        let mut out = BTreeMap::new();
        let mut field = String::new();
        for line in table.lines() {
            let t = line.trim_start();
            if let Some((name, _)) = t.split_once(": ") {
                if !name.contains(' ') && !name.starts_with('"') {
                    field = name.to_string();
                }
            }
            *out.entry(field.clone()).or_default() += line.matches("{}").count();
        }
        out
    }

    /// Asserts that the `EN` and `ES` tables of type `ty` in `source` take
    /// the same number of values in every field, and have at least `fields`.
    pub fn assert_same_holes(source: &str, ty: &str, fields: usize) {
        let en = holes(source, &format!("pub static EN: {ty}"));
        let es = holes(source, &format!("pub static ES: {ty}"));
        assert!(en.len() > fields, "{ty}: {en:?}");
        assert_eq!(en, es, "{ty}: English and Spanish take different values");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_takes_values_in_order() {
        assert_eq!(fill("{} + {} = {}", &[&1, &2, &3]), "1 + 2 = 3");
        assert_eq!(fill("no holes", &[&1]), "no holes");
    }

    #[test]
    fn plurals_agree_with_the_count() {
        let times = Plural("once", "{} times");
        assert_eq!(times.of(1), "once");
        assert_eq!(times.of(0), "0 times");
        assert_eq!(times.of(3), "3 times");
        let veces = Plural("una vez", "{} veces");
        assert_eq!(veces.of(1), "una vez");
        assert_eq!(veces.of(3), "3 veces");
        let conexiones = Plural("{} conexión", "{} conexiones");
        assert_eq!(conexiones.of(1), "1 conexión");
        assert_eq!(conexiones.of(2), "2 conexiones");
        assert_eq!(conexiones.shown(14_480, &"14 480"), "14 480 conexiones");
        let crosses = Plural(
            "the only cross, at frame {}",
            "the {} crosses, from frame {} to {}",
        );
        assert_eq!(crosses.sentence(1, &[&7, &7]), "the only cross, at frame 7");
        assert_eq!(
            crosses.sentence(2, &[&7, &9]),
            "the 2 crosses, from frame 7 to 9"
        );
    }

    #[test]
    fn numbers_follow_the_language() {
        assert_eq!(Lang::En.decimal("3.71".into()), "3.71");
        assert_eq!(Lang::Es.decimal("3.71".into()), "3,71");
        assert_eq!(Lang::Es.decimal("150000".into()), "150000");
        assert_eq!(Lang::En.thousands(148_495), "148,495");
        assert_eq!(Lang::En.thousands(1_448), "1,448");
        assert_eq!(Lang::En.thousands(999), "999");
        assert_eq!(Lang::Es.thousands(1_448), "1448");
        assert_eq!(Lang::Es.thousands(14_480), "14\u{202f}480");
        assert_eq!(Lang::Es.thousands(2_001_353), "2\u{202f}001\u{202f}353");
    }

    #[test]
    fn lang_follows_the_locale() {
        assert_eq!(Lang::from_locale(Some("es_ES.UTF-8")), Lang::Es);
        assert_eq!(Lang::from_locale(Some("ES")), Lang::Es);
        assert_eq!(Lang::from_locale(Some("en_GB.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(Some("C.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(None), Lang::En);
    }
}
