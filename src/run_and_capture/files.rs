//! The files of a run's record, made new: as root in a directory other
//! users can write to, a run must never write through a link planted under
//! the name one of its files will have.

use super::{io_err, RunError};
use std::fs;
use std::path::{Path, PathBuf};

/// A new file of the run's record, never one that exists and never
/// through a symbolic link (`O_CREAT|O_EXCL`): a run as root in a directory
/// others can write to cannot be made to write elsewhere. The names carry
/// the run's time stamp, so they are new unless two runs start in the same
/// second (then the second one stops and says so).
pub(super) fn create_new(path: &Path) -> Result<fs::File, RunError> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io_err(path))
}

/// `<out_dir>/<name>` as the base of the run's files, `<name>-2`, `-3` …
/// when a run that started in the same second took it; its capture file is
/// made here, new (libpcap opens it with fopen("w"), which would follow a
/// link planted under that name).
pub(super) fn new_base(out_dir: &Path, name: &str) -> Result<(PathBuf, PathBuf), RunError> {
    for n in 1..100 {
        let base = match n {
            1 => out_dir.join(name),
            _ => out_dir.join(format!("{name}-{n}")),
        };
        let pcap = base.with_extension("pcap");
        match create_new(&pcap) {
            Ok(_) => return Ok((base, pcap)),
            Err(RunError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    let path = out_dir.join(name);
    Err(RunError::Io {
        path,
        source: std::io::Error::other("99 runs of this name started in this second"),
    })
}
