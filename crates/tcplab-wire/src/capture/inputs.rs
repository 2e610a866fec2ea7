//! What a command's capture arguments name: files as they are, `-` for
//! standard input, and directories searched recursively for captures
//! (`.pcap`, `.pcapng`, `.cap`, each also with `.gz` or `.zst`), in sorted
//! order so that outputs come in the same order on every run. Links to
//! files are followed; links to directories are not (no loops).

use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum InputError {
    #[error("{}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: no capture in this directory (looked for .pcap, .pcapng and .cap, also ending .gz or .zst)", path.display())]
    EmptyDirectory { path: PathBuf },
}

/// The names a capture file found in a directory may have.
const CAPTURE_ENDINGS: [&str; 3] = [".pcap", ".pcapng", ".cap"];
const COMPRESSED_ENDINGS: [&str; 3] = ["", ".gz", ".zst"];

pub fn is_capture_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    CAPTURE_ENDINGS.iter().any(|c| {
        COMPRESSED_ENDINGS
            .iter()
            .any(|z| name.ends_with(&format!("{c}{z}")))
    })
}

/// The captures `args` name, in order: each file or `-` as given, each
/// directory's captures sorted by path.
pub fn expand(args: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    for arg in args {
        if arg == Path::new("-") || !arg.is_dir() {
            out.push(arg.clone());
            continue;
        }
        let before = out.len();
        walk(arg, &mut out)?;
        if out.len() == before {
            return Err(InputError::EmptyDirectory { path: arg.clone() });
        }
        out[before..].sort();
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), InputError> {
    let err = |source| InputError::Read {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(err)? {
        let entry = entry.map_err(err)?;
        let path = entry.path();
        let kind = entry.file_type().map_err(err)?;
        if kind.is_dir() {
            walk(&path, out)?;
        } else if (kind.is_file() || (kind.is_symlink() && path.is_file()))
            && is_capture_name(&entry.file_name().to_string_lossy())
        {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_names_with_or_without_compression() {
        for yes in ["a.pcap", "b.PCAPNG", "c.cap", "d.pcap.gz", "e.pcapng.zst"] {
            assert!(is_capture_name(yes), "{yes}");
        }
        for no in ["notes.txt", "pcap", "x.pcap.bak", "y.gz"] {
            assert!(!is_capture_name(no), "{no}");
        }
    }

    #[test]
    fn directories_are_searched_recursively_and_sorted_files_kept_as_given() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let d = tmp.path();
        std::fs::create_dir_all(d.join("run/b")).expect("mkdir");
        for f in [
            "run/z.pcap",
            "run/a.pcapng.gz",
            "run/b/m.cap",
            "run/readme.txt",
        ] {
            std::fs::write(d.join(f), b"x").expect("write");
        }
        std::os::unix::fs::symlink(d.join("run"), d.join("run/b/loop")).expect("symlink");
        let given = d.join("given.txt");
        std::fs::write(&given, b"x").expect("write");
        let got = expand(&[given.clone(), d.join("run"), PathBuf::from("-")]).expect("expands");
        assert_eq!(
            got,
            [
                given,
                d.join("run/a.pcapng.gz"),
                d.join("run/b/m.cap"),
                d.join("run/z.pcap"),
                PathBuf::from("-"),
            ]
        );
        std::fs::create_dir(d.join("empty")).expect("mkdir");
        let err = expand(&[d.join("empty")]).expect_err("nothing there");
        assert!(
            err.to_string().contains("no capture in this directory"),
            "{err}"
        );
    }
}
