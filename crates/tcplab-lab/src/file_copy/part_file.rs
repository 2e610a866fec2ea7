//! The file server's files in progress: the hidden part file a transfer
//! writes ([`PartialFile`]), the names being received right now
//! ([`Receiving`]: a second sender of the same name is refused instead of
//! racing the first to the rename), and the [`sweep`] at start-up of part
//! files a killed server left behind.
//!
//! In: the server's directory and the names senders ask for. Out: part files
//! named `.NAME.tcplab-part-PID-N` (N random), renamed into place (never
//! over a file that exists) or removed; one
//! `PartFileRemoved` event per leftover swept. The sweep removes only what
//! matches that pattern, is a regular file (links are not followed) owned by
//! this user, and was written by a process that no longer runs (a zombie
//! counts as gone); anything else is left alone.

use crate::event::{Event, EventSink};
use std::collections::HashSet;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// What follows the name in a part file's name, before `PID-N`.
const MARK: &str = ".tcplab-part-";

/// A hidden temporary file in the target directory, removed on drop unless
/// committed (renamed into place): no partial file survives an error, a
/// disconnect or the server stopping.
///
/// Its name ends in a random number, so nobody can plant a link under it
/// beforehand; it is created new (`O_CREAT | O_EXCL`, which never follows a
/// link) and readable by this user only (mode 0600).
pub struct PartialFile {
    path: PathBuf,
    armed: bool,
}

/// Attempts at a free part-file name before giving up (each collision is
/// with a name nobody could have guessed: something is wrong).
const CREATE_ATTEMPTS: usize = 16;

impl PartialFile {
    pub async fn create(dir: &Path, name: &str) -> io::Result<(Self, tokio::fs::File)> {
        let pid = std::process::id();
        for _ in 0..CREATE_ATTEMPTS {
            let n = random_u64();
            let path = dir.join(format!(".{name}{MARK}{pid}-{n}"));
            let opened = tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .await;
            match opened {
                Ok(file) => return Ok((PartialFile { path, armed: true }, file)),
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(err) => return Err(err),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{CREATE_ATTEMPTS} temporary names in a row were taken"),
        ))
    }

    /// Renames the part file to the first of `names` (in its directory) that
    /// does not exist, and returns that name. Never replaces anything, not
    /// even a link (`renameat2` with `RENAME_NOREPLACE`): a name that exists,
    /// or appears meanwhile, is skipped; if all exist, the error says so.
    pub fn commit<I>(mut self, names: I) -> io::Result<String>
    where
        I: IntoIterator<Item = String>,
    {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let mut last = None;
        for name in names {
            let target = dir.join(&name);
            let renamed = rustix::fs::renameat_with(
                rustix::fs::CWD,
                &self.path,
                rustix::fs::CWD,
                &target,
                rustix::fs::RenameFlags::NOREPLACE,
            );
            match renamed {
                Ok(()) => {
                    self.armed = false;
                    return Ok(name);
                }
                Err(rustix::io::Errno::EXIST) => last = Some(target),
                Err(err) => return Err(err.into()),
            }
        }
        let taken = last.map_or_else(String::new, |p| format!(": {} exists", p.display()));
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("not overwriting what exists{taken}"),
        ))
    }
}

/// 64 random bits from the standard library's hasher keys (seeded by the
/// operating system), without a dependency for so little.
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(u64::from(std::process::id()));
    hasher.finish()
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if self.armed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// The names being received right now, shared by the server's connections.
#[derive(Debug, Clone, Default)]
pub struct Receiving(Arc<Mutex<HashSet<String>>>);

/// A name being received; released when dropped (stored, refused or lost).
#[derive(Debug)]
pub struct Claim {
    names: Receiving,
    name: String,
}

impl Receiving {
    /// Claims `name`; `None` while another sender's transfer of it runs.
    pub fn claim(&self, name: &str) -> Option<Claim> {
        let mut names = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        names.insert(name.to_owned()).then(|| Claim {
            names: self.clone(),
            name: name.to_owned(),
        })
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let mut names = self.names.0.lock().unwrap_or_else(PoisonError::into_inner);
        names.remove(&self.name);
    }
}

/// Removes the part files in `dir` that a file server which no longer runs
/// left behind (killed, or the machine stopped), reporting each one.
pub fn sweep(dir: &Path, sink: &EventSink) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let uid = rustix::process::geteuid().as_raw();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(writer_pid) else {
            continue;
        };
        let path = entry.path();
        // symlink_metadata: a link is judged itself, never what it points to.
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.file_type().is_file() || meta.uid() != uid || !gone(pid) {
            continue;
        }
        let name = file_name.to_string_lossy().into_owned();
        // remove_file unlinks the entry; it does not follow a link either.
        match std::fs::remove_file(&path) {
            Ok(()) => sink(&Event::PartFileRemoved { name, pid }),
            Err(err) => sink(&Event::PartFileKept {
                name,
                pid,
                reason: err.to_string(),
            }),
        }
    }
}

/// The PID in a part file's name `.NAME.tcplab-part-PID-N`; `None` for any
/// other name.
fn writer_pid(file_name: &str) -> Option<u32> {
    let (front, tail) = file_name.rsplit_once(MARK)?;
    if front.len() < 2 || !front.starts_with('.') {
        return None;
    }
    let (pid, n) = tail.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(pid) || !digits(n) {
        return None;
    }
    pid.parse().ok()
}

/// No process `pid` runs: none exists, or it is a zombie (it has exited and
/// only waits for its parent to collect its status: it cleans up nothing).
/// This process never counts as gone.
fn gone(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    let Ok(pid) = i32::try_from(pid) else {
        return true;
    };
    match procfs::process::Process::new(pid).and_then(|p| p.stat()) {
        Ok(stat) => matches!(stat.state(), Ok(procfs::process::ProcState::Zombie)),
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_part_file_pattern_names_a_pid() {
        assert_eq!(writer_pid(".a.txt.tcplab-part-4242-0"), Some(4242));
        assert_eq!(writer_pid(".x.tcplab-part-1.tcplab-part-7-12"), Some(7));
        for other in [
            "a.txt.tcplab-part-4242-0",
            "..tcplab-part-4242-0",
            ".a.tcplab-part-4242",
            ".a.tcplab-part--1",
            ".a.tcplab-part-42x-1",
            ".a.tcplab-part-4242-1 ",
            ".a.tcplab-part-99999999999-1",
            "alice30.txt",
        ] {
            assert_eq!(writer_pid(other), None, "{other}");
        }
    }

    #[test]
    fn a_zombie_is_gone_a_running_process_is_not() {
        assert!(!gone(std::process::id()));
        assert!(gone(u32::MAX - 1));
    }

    #[test]
    fn a_second_claim_of_a_name_waits_for_the_first() {
        let names = Receiving::default();
        let first = names.claim("a.txt").expect("free");
        assert!(names.claim("a.txt").is_none());
        assert!(names.claim("b.txt").is_some());
        drop(first);
        assert!(names.claim("a.txt").is_some());
    }

    #[tokio::test]
    async fn a_commit_never_replaces_a_file_or_a_link() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("taken"), b"keep me").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("link")).unwrap();
        let (part, _file) = PartialFile::create(dir.path(), "taken").await.unwrap();
        let names = ["taken", "link", "free"].map(str::to_owned);
        assert_eq!(part.commit(names).unwrap(), "free");
        assert_eq!(std::fs::read(dir.path().join("taken")).unwrap(), b"keep me");
        assert!(std::fs::symlink_metadata(dir.path().join("link"))
            .unwrap()
            .file_type()
            .is_symlink());

        let (part, _file) = PartialFile::create(dir.path(), "taken").await.unwrap();
        let err = part.commit(["taken".to_owned()]).unwrap_err().to_string();
        assert!(
            err.contains("not overwriting") && err.contains("taken exists"),
            "{err}"
        );
        // The refused part file is gone with it.
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["free", "link", "taken"]);
    }

    #[tokio::test]
    async fn part_files_are_private_and_unguessable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = PartialFile::create(dir.path(), "x").await.unwrap();
        let (b, _) = PartialFile::create(dir.path(), "x").await.unwrap();
        assert_ne!(a.path, b.path);
        let mode = std::fs::metadata(&a.path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let name = a.path.file_name().unwrap().to_str().unwrap().to_owned();
        assert_eq!(writer_pid(&name), Some(std::process::id()));
    }
}
