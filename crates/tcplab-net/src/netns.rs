//! A private network namespace for one run. Its owner removes it with
//! [`Netns::remove`], which says whether that worked (on success, on error,
//! and by the caller's Ctrl-C handler); dropping the guard removes it too,
//! silently, as a last resort (a panic, an error on the way out).
//! Its `lo` is set to MTU 1500 with segmentation offloads off, so that TCP
//! segments look like on an Ethernet link instead of 64 KB loopback blobs.

use rustix::thread::{move_into_link_name_space, LinkNameSpaceType};
use std::os::fd::AsFd;
use std::process::Command;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum NetnsError {
    #[error("`{command}` failed: {detail} (is iproute2/ethtool installed and are you root?)")]
    Command { command: String, detail: String },
    #[error("entering namespace {name}: {source}")]
    Enter {
        name: String,
        source: std::io::Error,
    },
}

/// A namespace that could not be removed: the caller says so (a warning).
#[derive(Debug, Error)]
#[error("could not remove namespace {name}: {error}")]
pub struct RemoveError {
    pub name: String,
    pub error: NetnsError,
}

pub struct Netns {
    /// Empty once removed (the drop then has nothing to do).
    name: String,
}

pub const LO_MTU: u32 = 1500;

fn run(args: &[&str]) -> Result<(), NetnsError> {
    let command = args.join(" ");
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .map_err(|e| NetnsError::Command {
            command: command.clone(),
            detail: e.to_string(),
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(NetnsError::Command {
            command,
            detail: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

impl Netns {
    /// Creates `tcplab-<tag>-<pid>` with its loopback up and nothing else.
    /// Call [`crate::stale::sweep`] first (and show its notes), so that the
    /// namespaces that killed runs left behind are removed.
    pub fn add(tag: &str) -> Result<Netns, NetnsError> {
        let name = format!("tcplab-{tag}-{}", std::process::id());
        run(&["ip", "netns", "add", &name])?;
        let ns = Netns { name };
        ns.ip(&["link", "set", "lo", "up"])?;
        Ok(ns)
    }

    /// Creates `tcplab-<tag>-<pid>` and configures its loopback like an Ethernet link.
    pub fn create(tag: &str) -> Result<Netns, NetnsError> {
        let ns = Netns::add(tag)?;
        let mtu = LO_MTU.to_string();
        ns.exec(&["ip", "link", "set", "lo", "mtu", &mtu, "up"])?;
        ns.exec(&[
            "ethtool", "-K", "lo", "tso", "off", "gso", "off", "gro", "off",
        ])?;
        Ok(ns)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `ip -n <name> ARGS…`
    pub fn ip(&self, args: &[&str]) -> Result<(), NetnsError> {
        let mut full = vec!["ip", "-n", &self.name];
        full.extend_from_slice(args);
        run(&full)
    }

    /// Runs `f` on a thread that has entered this namespace, so that the
    /// sockets, TUN devices and captures it opens belong to it (they stay
    /// there when used from other threads afterwards).
    pub fn run_inside<T: Send>(&self, f: impl FnOnce() -> T + Send) -> Result<T, NetnsError> {
        Netns::run_inside_named(&self.name, f)
    }

    /// [`Netns::run_inside`] for a namespace known by name only.
    pub fn run_inside_named<T: Send>(
        name: &str,
        f: impl FnOnce() -> T + Send,
    ) -> Result<T, NetnsError> {
        let enter_err = |source| NetnsError::Enter {
            name: name.to_string(),
            source,
        };
        let path = std::path::Path::new("/run/netns").join(name);
        let file = std::fs::File::open(&path).map_err(enter_err)?;
        std::thread::scope(|scope| {
            let thread = scope.spawn(move || {
                // setns changes only this (short-lived) thread's network namespace.
                move_into_link_name_space(file.as_fd(), Some(LinkNameSpaceType::Network))?;
                Ok(f())
            });
            match thread.join() {
                Ok(result) => result.map_err(enter_err),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }

    pub fn exec(&self, args: &[&str]) -> Result<(), NetnsError> {
        let mut full = vec!["ip", "netns", "exec", &self.name];
        full.extend_from_slice(args);
        run(&full)
    }

    /// Removes the namespace (and the devices in it).
    pub fn remove(mut self) -> Result<(), RemoveError> {
        let name = std::mem::take(&mut self.name);
        delete(&name).map_err(|error| RemoveError { name, error })
    }

    /// True while the namespace exists (for tests that check clean-up).
    pub fn exists(name: &str) -> bool {
        std::path::Path::new("/run/netns").join(name).exists()
    }
}

/// Removes the namespace `name` (and the devices in it).
pub(super) fn delete(name: &str) -> Result<(), NetnsError> {
    run(&["ip", "netns", "delete", name])
}

/// The last resort when the owner did not call [`Netns::remove`]: nothing
/// is said if it fails (a library does not print).
impl Drop for Netns {
    fn drop(&mut self) {
        if !self.name.is_empty() {
            let _ = delete(&self.name);
        }
    }
}

/// For the process a run starts inside its namespace: have the kernel send
/// it `SIGTERM` when the process that started it dies (`PR_SET_PDEATHSIG`),
/// so that a parent killed outright never leaves it running as an orphan.
/// `Err` when the parent is already gone (or the kernel refused).
pub fn die_with_parent(parent: u32) -> std::io::Result<()> {
    rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::TERM))?;
    // The parent may have died before the call: then nobody will signal us.
    match rustix::process::getppid() {
        Some(p) if p.as_raw_nonzero().get() as u32 == parent => Ok(()),
        _ => Err(std::io::Error::other(format!(
            "the process that started this run ({parent}) is gone"
        ))),
    }
}

/// Asks process `pid` to stop (`SIGTERM`), so that it can clean up.
pub fn ask_to_stop(pid: u32) -> std::io::Result<()> {
    let pid = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
        .ok_or_else(|| std::io::Error::other(format!("{pid} is not a process id")))?;
    rustix::process::kill_process(pid, rustix::process::Signal::TERM)?;
    Ok(())
}
