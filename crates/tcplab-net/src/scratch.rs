//! A run's private scratch directory under `$TMPDIR` (the server's copy of
//! the file lives there until it is compared), safe in a temporary
//! directory shared with other users while tcplab runs as root:
//!
//! - its name is `tcplab-received-<pid>-<random>`: nobody can create it
//!   first, and the directory is made with `mkdir` (never an existing one,
//!   never through a symbolic link), mode 0700;
//! - a marker file inside says tcplab made it; [`of_process`] and the
//!   stale sweep accept only a real directory (not a link) owned by this
//!   user that holds the marker, so a directory someone else made under a
//!   look-alike name is never entered, used or removed.
//!
//! Out: the directory's path; the caller removes it ([`ScratchDir`] does
//! on drop).

use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The start of every scratch directory's name.
pub const PREFIX: &str = "tcplab-received-";
/// The file inside that marks the directory as tcplab's.
const MARKER: &str = ".tcplab-scratch";

/// A scratch directory, removed with its contents when dropped.
#[derive(Debug)]
pub struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    /// Makes this process's scratch directory in `std::env::temp_dir()`.
    pub fn create() -> io::Result<ScratchDir> {
        ScratchDir::create_in(&std::env::temp_dir(), std::process::id())
    }

    fn create_in(tmp: &Path, pid: u32) -> io::Result<ScratchDir> {
        // tempfile makes the directory with mkdir(2), mode 0700, under a
        // random name, and tries another name if one exists.
        let dir = tempfile::Builder::new()
            .prefix(&format!("{PREFIX}{pid}-"))
            .rand_bytes(12)
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir_in(tmp)?
            .keep();
        let marker = dir.join(MARKER);
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&marker)?;
        Ok(ScratchDir { path: dir })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The pid in a scratch directory's name (`tcplab-received-<pid>-<random>`).
pub fn pid_in_name(name: &str) -> Option<u32> {
    let (pid, random) = name.strip_prefix(PREFIX)?.split_once('-')?;
    if pid.is_empty() || random.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok().filter(|&p| p > 0)
}

/// `path` is a scratch directory this user made: a directory (not a
/// symbolic link to one) owned by the effective user, holding the marker.
pub fn is_ours(path: &Path) -> bool {
    let uid = rustix::process::geteuid().as_raw();
    let owned_dir = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir() && m.uid() == uid);
    let marked =
        std::fs::symlink_metadata(path.join(MARKER)).is_ok_and(|m| m.is_file() && m.uid() == uid);
    owned_dir && marked
}

/// The scratch directories of process `pid` in `std::env::temp_dir()`
/// (the parent of an interrupted run removes its child's).
pub fn of_process(pid: u32) -> Vec<PathBuf> {
    of_process_in(&std::env::temp_dir(), pid)
}

fn of_process_in(tmp: &Path, pid: u32) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .and_then(pid_in_name)
                .is_some_and(|p| p == pid)
        })
        .map(|e| e.path())
        .filter(|p| is_ours(p))
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scratch_dir_is_private_unpredictable_and_found_again() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let a = ScratchDir::create_in(tmp.path(), 4242).expect("made");
        let b = ScratchDir::create_in(tmp.path(), 4242).expect("made");
        assert_ne!(a.path(), b.path());
        let name = a.path().file_name().and_then(|n| n.to_str()).expect("name");
        assert!(name.starts_with("tcplab-received-4242-"), "{name}");
        assert_eq!(pid_in_name(name), Some(4242));
        let mode = std::fs::metadata(a.path())
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
        assert!(is_ours(a.path()));
        assert_eq!(of_process_in(tmp.path(), 4242).len(), 2);
        let path = a.path().to_path_buf();
        drop(a);
        assert!(!path.exists());
    }

    #[test]
    fn look_alikes_are_not_ours() {
        let tmp = tempfile::tempdir().expect("temp dir");
        // A directory with the right name but no marker.
        let bare = tmp.path().join("tcplab-received-4242-abc");
        std::fs::create_dir(&bare).expect("dir");
        assert!(!is_ours(&bare));
        // A link to a real scratch directory.
        let real = ScratchDir::create_in(tmp.path(), 7).expect("made");
        let link = tmp.path().join("tcplab-received-4242-link");
        std::os::unix::fs::symlink(real.path(), &link).expect("link");
        assert!(!is_ours(&link));
        assert_eq!(of_process_in(tmp.path(), 4242), Vec::<PathBuf>::new());
        // Names that are not a scratch directory's.
        assert_eq!(pid_in_name("tcplab-received-42"), None);
        assert_eq!(pid_in_name("tcplab-received--x"), None);
        assert_eq!(pid_in_name("tcplab-received-4x-y"), None);
        assert_eq!(pid_in_name("tcplab-received-42-y"), Some(42));
        // Another user's directory, marker and all (root can make one).
        if rustix::process::geteuid().is_root() {
            let theirs = tmp.path().join("tcplab-received-4242-theirs");
            std::fs::create_dir(&theirs).expect("dir");
            std::fs::write(theirs.join(MARKER), b"").expect("marker");
            std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).expect("chown");
            std::os::unix::fs::chown(theirs.join(MARKER), Some(65534), Some(65534)).expect("chown");
            assert!(!is_ours(&theirs));
            assert_eq!(of_process_in(tmp.path(), 4242), Vec::<PathBuf>::new());
        }
    }
}
