//! Links from the comparison report to each run's files: relative to the
//! report's directory, so that the reports and captures can be moved or
//! zipped together, and written so that a Markdown viewer and a browser
//! both follow them.

use std::path::{Component, Path, PathBuf};

/// `to` as seen from the directory `from` (`../../captures/x.pcap`).
/// Both are made absolute against the current directory first; on
/// Windows-like different roots the absolute path is returned.
pub fn relative(from: &Path, to: &Path) -> PathBuf {
    let (Ok(from), Ok(to)) = (std::path::absolute(from), std::path::absolute(to)) else {
        return to.to_path_buf();
    };
    let (from, to) = (normal(&from), normal(&to));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return to.iter().collect();
    }
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to[common..] {
        out.push(c);
    }
    out
}

/// The path's components with `.` and `a/..` taken out.
fn normal(p: &Path) -> Vec<Component<'_>> {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A relative path as a link target: `/` between components, and the
/// characters Markdown or HTML would misread percent-encoded.
pub fn href(path: &Path) -> String {
    let joined = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    let mut out = String::with_capacity(joined.len());
    for b in joined.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_report() {
        assert_eq!(
            relative(
                Path::new("/w/reports/compare-1"),
                Path::new("/w/captures/compare-1/reno/x.pcap")
            ),
            PathBuf::from("../../captures/compare-1/reno/x.pcap")
        );
        assert_eq!(
            relative(
                Path::new("/w/reports/compare-1"),
                Path::new("/w/reports/compare-1/./reno/r/report.html")
            ),
            PathBuf::from("reno/r/report.html")
        );
        assert_eq!(
            relative(Path::new("reports/c"), Path::new("captures/c/x.pcap")),
            PathBuf::from("../../captures/c/x.pcap")
        );
    }

    #[test]
    fn hrefs_are_safe_in_markdown_and_html() {
        assert_eq!(href(Path::new("../a b/(x).pcap")), "../a%20b/%28x%29.pcap");
        assert_eq!(href(Path::new("reno/report.html")), "reno/report.html");
        assert_eq!(href(Path::new("ñ.csv")), "%C3%B1.csv");
    }
}
