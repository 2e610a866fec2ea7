//! The partition name of a capture (`capture=NAME`): its file name, made
//! safe for a path, for Hive partitioning and for DuckDB's guess of the
//! partition's type, and made unique in the dataset.

use std::collections::HashSet;
use std::path::Path;

/// Longest name kept, in bytes (file systems allow 255).
const MAX_LEN: usize = 200;

/// The partition name for `file`, not one of `taken`:
/// - the file's name, with every byte other than ASCII letters, digits,
///   `.`, `_` and `-` replaced by `_` (so no `/`, `=`, space or `%`), a
///   leading `.` too (hidden files are skipped by some readers), cut to
///   200 bytes; standard input is `stdin`;
/// - prefixed with `capture-` when it has no letter or reads as a number
///   (`2024`, `1e5`, `inf`), so that readers that guess a partition's type
///   from its values keep it a string;
/// - when taken by another capture, `-2`, `-3`, … before the extension
///   (`lossy.pcap`, `lossy-2.pcap`).
pub fn partition_name(file: &Path, taken: &HashSet<String>) -> String {
    let raw = if file == Path::new(tcplab_wire::capture::STDIN_NAME) || file == Path::new("-") {
        "stdin".to_string()
    } else {
        file.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.starts_with('.') {
        name.replace_range(0..1, "_");
    }
    name.truncate(MAX_LEN);
    if !name.chars().any(|c| c.is_ascii_alphabetic()) || name.parse::<f64>().is_ok() {
        name = format!("capture-{name}");
    }
    if !taken.contains(&name) {
        return name;
    }
    let (stem, ext) = match name.find('.') {
        Some(i) if i > 0 => name.split_at(i),
        _ => (name.as_str(), ""),
    };
    (2u32..)
        .map(|n| format!("{stem}-{n}{ext}"))
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(file: &str, taken: &[&str]) -> String {
        let taken = taken.iter().map(|s| s.to_string()).collect();
        partition_name(Path::new(file), &taken)
    }

    #[test]
    fn file_names_become_safe_partition_names() {
        assert_eq!(name("tests/data/lossy.pcap", &[]), "lossy.pcap");
        assert_eq!(name("a/b c=d%.pcap.gz", &[]), "b_c_d_.pcap.gz");
        assert_eq!(name("x/.hidden.pcap", &[]), "_hidden.pcap");
        assert_eq!(name("ü.pcap", &[]), "_.pcap");
        assert_eq!(name("-", &[]), "stdin");
    }

    #[test]
    fn names_that_read_as_numbers_or_dates_are_prefixed() {
        assert_eq!(name("2024", &[]), "capture-2024");
        assert_eq!(name("2024-01-01", &[]), "capture-2024-01-01");
        assert_eq!(name("1e5", &[]), "capture-1e5");
        assert_eq!(name("inf", &[]), "capture-inf");
        assert_eq!(name("run1", &[]), "run1");
    }

    #[test]
    fn a_taken_name_gets_a_number_before_its_extension() {
        assert_eq!(name("b/lossy.pcap", &["lossy.pcap"]), "lossy-2.pcap");
        assert_eq!(
            name("c/lossy.pcap", &["lossy.pcap", "lossy-2.pcap"]),
            "lossy-3.pcap"
        );
        assert_eq!(name("d/run", &["run"]), "run-2");
    }
}
