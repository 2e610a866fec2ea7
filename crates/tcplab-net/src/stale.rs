//! What a run killed with SIGKILL (or a machine that lost power) leaves
//! behind: its namespaces `tcplab-<tag>-<pid>` (with their TUN devices) and
//! its scratch directory `$TMPDIR/tcplab-received-<pid>-<random>` (only
//! one this user made and marked: `crate::scratch`). A killed process
//! cannot clean up, so the next run does: anything named after a process
//! that no longer exists is removed, once per process, with a note that
//! [`sweep`] returns for the caller to show.
//! A name whose process still runs is left alone, whoever that process is.

use crate::netns::NetnsError;
use crate::scratch;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Once;

/// What the sweep did with one thing a killed run left.
#[derive(Debug)]
pub enum StaleNote {
    /// A namespace `tcplab-<tag>-<pid>`, removed.
    RemovedNamespace { name: String, pid: u32 },
    /// A namespace that could not be removed.
    NamespaceNotRemoved { name: String, error: NetnsError },
    /// A scratch directory `$TMPDIR/tcplab-received-<pid>-<random>`, removed.
    RemovedDir { path: PathBuf, pid: u32 },
    /// A received copy that could not be removed.
    DirNotRemoved {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl StaleNote {
    /// Failing to remove something is only a warning: the new run does not
    /// need it gone. The other notes are notes.
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            StaleNote::NamespaceNotRemoved { .. } | StaleNote::DirNotRemoved { .. }
        )
    }
}

/// The sentence, without the `note:` or `warning:` before it.
impl fmt::Display for StaleNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StaleNote::RemovedNamespace { name, pid } => write!(
                f,
                "removed namespace {name}, left by tcplab process {pid} that no longer runs (killed?)"
            ),
            StaleNote::NamespaceNotRemoved { name, error } => {
                write!(f, "could not remove stale namespace {name}: {error}")
            }
            StaleNote::RemovedDir { path, pid } => write!(
                f,
                "removed {}, left by tcplab process {pid} that no longer runs (killed?)",
                path.display()
            ),
            StaleNote::DirNotRemoved { path, error } => {
                write!(f, "could not remove {}: {error}", path.display())
            }
        }
    }
}

/// The pid in `tcplab-<tag>-<pid>`, for the tags tcplab uses (lowercase letters).
fn pid_in_namespace(name: &str) -> Option<u32> {
    let (tag, pid) = name.strip_prefix("tcplab-")?.rsplit_once('-')?;
    if tag.is_empty() || !tag.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    pid_of(pid)
}

fn pid_of(digits: &str) -> Option<u32> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&p| p > 0)
}

/// No process `pid` runs: none exists, or it is a zombie (it has exited and
/// only waits for its parent to collect its status: it cleans up nothing).
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

/// The names in `dir` whose owner (by `pid_in`) is gone.
fn orphans(dir: &Path, pid_in: fn(&str) -> Option<u32>) -> Vec<(String, u32)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(String, u32)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let pid = pid_in(&name).filter(|&p| gone(p))?;
            Some((name, pid))
        })
        .collect();
    found.sort();
    found
}

/// Removes what killed runs left behind, at most once per process (later
/// calls return nothing), and says what it did: the caller shows the notes
/// on standard error. Call it before making a namespace or a received copy.
pub fn sweep() -> Vec<StaleNote> {
    static ONCE: Once = Once::new();
    let mut notes = Vec::new();
    ONCE.call_once(|| notes = sweep_now());
    notes
}

fn sweep_now() -> Vec<StaleNote> {
    let mut notes = Vec::new();
    for (name, pid) in orphans(Path::new("/run/netns"), pid_in_namespace) {
        notes.push(match super::netns::delete(&name) {
            Ok(()) => StaleNote::RemovedNamespace { name, pid },
            Err(error) => StaleNote::NamespaceNotRemoved { name, error },
        });
    }
    let tmp = std::env::temp_dir();
    for (name, pid) in orphans(&tmp, scratch::pid_in_name) {
        let path = tmp.join(&name);
        // Only what this program made: never another user's directory,
        // never a link.
        if !scratch::is_ours(&path) {
            continue;
        }
        notes.push(match std::fs::remove_dir_all(&path) {
            Ok(()) => StaleNote::RemovedDir { path, pid },
            Err(error) => StaleNote::DirNotRemoved { path, error },
        });
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zombie_is_gone_a_running_process_is_not() {
        assert!(!gone(std::process::id()));
        assert!(gone(u32::MAX - 1));
        // A child that has exited and was not waited for is a zombie.
        let mut child = std::process::Command::new("true")
            .spawn()
            .expect("true runs");
        let pid = child.id();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !gone(pid) {
            assert!(
                std::time::Instant::now() < deadline,
                "never became a zombie"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(
            Path::new("/proc").join(pid.to_string()).exists(),
            "a zombie still has its /proc entry"
        );
        child.wait().expect("reaped");
    }

    #[test]
    fn only_tcplab_names_with_a_pid_are_candidates() {
        assert_eq!(pid_in_namespace("tcplab-snd-1234"), Some(1234));
        assert_eq!(pid_in_namespace("tcplab-run-7"), Some(7));
        for other in [
            "tcplab-snd-",
            "tcplab--12",
            "tcplab-snd-12a",
            "tcplab-Snd-12",
            "tcplab-snd-0",
            "tcplab-12",
            "other-snd-12",
            "tcplab-snd-99999999999",
        ] {
            assert_eq!(pid_in_namespace(other), None, "{other}");
        }
        assert_eq!(scratch::pid_in_name("tcplab-received-42-x1"), Some(42));
        assert_eq!(scratch::pid_in_name("tcplab-received-42.txt"), None);
    }

    #[test]
    fn names_of_running_processes_are_left_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mine = format!("tcplab-received-{}-a", std::process::id());
        let mut child = std::process::Command::new("true")
            .spawn()
            .expect("true runs");
        let dead = child.id();
        child.wait().expect("true ends");
        for name in [
            mine.clone(),
            format!("tcplab-received-{dead}-b"),
            "tcplab-received-1-c".to_string(),
            "unrelated".to_string(),
        ] {
            std::fs::create_dir(dir.path().join(name)).expect("mkdir");
        }
        // pid 1 runs; this process runs; the child has ended.
        let found = orphans(dir.path(), scratch::pid_in_name);
        assert_eq!(found, vec![(format!("tcplab-received-{dead}-b"), dead)]);
    }
}
