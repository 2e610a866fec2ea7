//! Helpers for the `lab_*` integration tests: run the real `tcplab` binary (or
//! `nc`, or `python3`) with piped standard streams, wait for lines on them as
//! readiness signals, and never wait forever.

#![allow(dead_code)] // each test file uses its own subset

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

/// Longest a test waits for anything; reaching it fails the test.
pub const PATIENCE: Duration = Duration::from_secs(15);

pub fn tcplab() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tcplab"))
}

/// `cmd` with arguments, for programs other than tcplab.
pub fn program(name: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(name);
    cmd.args(args);
    cmd
}

pub mod chat_peer;

#[path = "../common/lab_text.rs"]
mod lab_text;
#[allow(unused_imports)] // the file-copy tests use it, the others do not
pub use lab_text::alice;

/// The lab's Python helpers (`encapsula`, `readmsg`).
pub fn lab_python() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/lab/lab_framing.py");
    path.to_string_lossy().into_owned()
}

/// Lines of one of a process's output streams, as they arrive.
struct Lines {
    rx: Receiver<String>,
    seen: Vec<String>,
}

impl Lines {
    fn spawn<R: Read + Send + 'static>(stream: R) -> Self {
        let (tx, rx) = channel();
        thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Lines {
            rx,
            seen: Vec::new(),
        }
    }

    /// Waits for a line containing `needle`; returns it.
    fn expect(&mut self, needle: &str, what: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        if let Some(line) = self.seen.iter().find(|l| l.contains(needle)) {
            return line.clone();
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "{what}: no line with {needle:?} within {PATIENCE:?}; got {:#?}",
                        self.seen
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "{what}: stream ended without a line with {needle:?}; got {:#?}",
                        self.seen
                    )
                }
            }
        }
    }

    /// Everything, once the stream has ended.
    fn drain(&mut self) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(RecvTimeoutError::Disconnected) => return self.seen.clone(),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("output did not end; got {:#?}", self.seen)
                }
            }
        }
    }
}

/// A running process with its standard streams piped.
pub struct Proc {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    out: Lines,
    err: Lines,
}

/// What a finished process left.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub out: Vec<String>,
    pub err: Vec<String>,
}

impl Proc {
    pub fn spawn(mut cmd: Command) -> Proc {
        let name = format!("{cmd:?}");
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {name}: {e} (is it installed?)"));
        let out = Lines::spawn(child.stdout.take().expect("piped stdout"));
        let err = Lines::spawn(child.stderr.take().expect("piped stderr"));
        let stdin = child.stdin.take();
        Proc {
            name,
            child,
            stdin,
            out,
            err,
        }
    }

    /// Starts a tcplab server and waits for its `listening on ADDR` line.
    pub fn server(args: &[&str]) -> (Proc, SocketAddr) {
        let mut cmd = tcplab();
        cmd.args(args);
        let mut server = Proc::spawn(cmd);
        let line = server.expect_out("listening on ");
        let addr = line["listening on ".len()..].parse().expect("an address");
        (server, addr)
    }

    /// The process's PID.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    pub fn send(&mut self, text: &str) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        stdin
            .write_all(text.as_bytes())
            .expect("writing to the process");
        stdin.flush().expect("flushing");
    }

    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    pub fn expect_out(&mut self, needle: &str) -> String {
        let what = format!("{} stdout", self.name);
        self.out.expect(needle, &what)
    }

    pub fn expect_err(&mut self, needle: &str) -> String {
        let what = format!("{} stderr", self.name);
        self.err.expect(needle, &what)
    }

    /// Waits for the process to exit by itself (closing its stdin first).
    /// Finishes and checks that the process exited successfully.
    pub fn finish_ok(self) -> Finished {
        let done = self.finish();
        assert!(done.status.success(), "{done:?}");
        done
    }

    pub fn finish(mut self) -> Finished {
        self.close_stdin();
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("waiting") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "{} did not exit within {PATIENCE:?}; stderr {:#?}",
                    self.name, self.err.seen
                );
            }
            thread::sleep(Duration::from_millis(10));
        };
        Finished {
            status,
            out: self.out.drain(),
            err: self.err.drain(),
        }
    }

    /// Sends `signal` (`TERM`, `HUP`, `INT`) with `kill`, then waits for the exit.
    pub fn signal(self, signal: &str) -> Finished {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal}");
        self.finish()
    }

    /// Stops a process the test no longer needs (e.g. `nc` that would linger).
    pub fn kill(mut self) -> Finished {
        let _ = self.child.kill();
        self.finish()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `cmd` to completion with `input` on stdin.
pub fn run_with_input(cmd: Command, input: &str) -> Finished {
    let mut proc = Proc::spawn(cmd);
    proc.send(input);
    proc.finish()
}

pub fn addr_args(addr: SocketAddr) -> [String; 2] {
    [addr.ip().to_string(), addr.port().to_string()]
}
