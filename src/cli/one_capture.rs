//! The capture argument of `report`, `plot` and `view`, which read their
//! capture more than once (the analysis, then the graphs' series): a file
//! as it is; `-` (standard input) copied first to `stdin.pcap` in a
//! private temporary directory (mode 0700, removed when the command ends),
//! so that `tcpdump -w - | tcplab report -` works; a directory refused in
//! one line (those commands are about one capture).

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// The capture to read, and the temporary copy of standard input if any
/// (removed when this is dropped).
pub struct OneCapture {
    path: PathBuf,
    _spooled: Option<tempfile::TempDir>,
}

impl OneCapture {
    /// Checks `arg` for `command` (`report`, `plot`, `view`), copying
    /// standard input when it is `-`.
    pub fn new(arg: &Path, command: &str) -> Result<OneCapture> {
        if arg == Path::new("-") {
            let dir =
                tempfile::tempdir().context("standard input: making a temporary directory")?;
            let path = dir.path().join("stdin.pcap");
            let mut file = std::fs::File::create(&path)
                .with_context(|| format!("standard input: creating {}", path.display()))?;
            std::io::copy(&mut std::io::stdin().lock(), &mut file)
                .with_context(|| format!("standard input: copying to {}", path.display()))?;
            return Ok(OneCapture {
                path,
                _spooled: Some(dir),
            });
        }
        if arg.is_dir() {
            bail!(
                "{}: a directory; tcplab {command} takes one capture file: name one, or use tcplab summary or tcplab analyze for a directory of captures",
                arg.display()
            );
        }
        Ok(OneCapture {
            path: arg.to_path_buf(),
            _spooled: None,
        })
    }

    /// Where to read the capture (`stdin.pcap` for standard input).
    pub fn path(&self) -> &Path {
        &self.path
    }
}
