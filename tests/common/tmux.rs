//! A program in a real terminal for the live views' tests: a detached
//! tmux session of 180×50, keys sent with send-keys, the screen read with
//! capture-pane; the session is killed when dropped.

use super::stdout;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub struct Tmux {
    session: String,
}

impl Tmux {
    pub fn start(command: &str) -> Tmux {
        // One session per call: the tests of a file run at once.
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let session = format!(
            "tcplab-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let ok = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                "180",
                "-y",
                "50",
                command,
            ])
            .status()
            .expect("tmux runs");
        assert!(ok.success(), "tmux new-session");
        Tmux { session }
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .expect("tmux capture-pane");
        stdout(&out)
    }

    pub fn keys(&self, keys: &str) {
        let ok = Command::new("tmux")
            .args(["send-keys", "-t", &self.session, keys])
            .status()
            .expect("tmux send-keys");
        assert!(ok.success());
    }

    /// Waits until the screen holds `needle`; the screen then.
    pub fn wait_for(&self, needle: &str, limit: Duration) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                started.elapsed() < limit,
                "{needle:?} never showed; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}
