//! Many captures at once: one worker per core (`-j N`), each analysing one
//! capture at a time in its own bounded memory, and the results handed
//! back in the order the captures were given (directories sorted), so that
//! the output of `-j 4` is byte for byte that of `-j 1`.
//!
//! A result waits only until the captures before it are done; a worker
//! does not start a capture more than `2 × jobs` ahead of the first one
//! not yet handed back, so a huge capture early in the list holds back at
//! most that many finished results in memory.
//!
//! On a terminal, a progress bar on standard error (the `indicatif` crate)
//! shows the captures done of the total, their bytes, the rate and the
//! time left; piped or redirected, nothing is drawn.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Mutex;

/// How many workers: `-j N`, or one per core.
pub fn jobs(asked: Option<usize>) -> usize {
    asked.filter(|&n| n > 0).unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    })
}

/// Runs `work` on every file on `jobs` threads and calls `deliver` with
/// each result in the files' order, on the calling thread, as soon as the
/// results before it are in. `work` must not print (the calling thread
/// owns the output); it returns what should be printed.
pub fn run_in_order<T: Send>(
    files: &[PathBuf],
    jobs: usize,
    work: impl Fn(&Path) -> T + Sync,
    deliver: impl FnMut(usize, T),
) {
    run_in_order_indexed(files, jobs, |_, file| work(file), deliver);
}

/// As [`run_in_order`], `work` also told the file's place in `files` (the
/// same file may be named twice, and each time may call for other work).
pub fn run_in_order_indexed<T: Send>(
    files: &[PathBuf],
    jobs: usize,
    work: impl Fn(usize, &Path) -> T + Sync,
    mut deliver: impl FnMut(usize, T),
) {
    let progress = Progress::new(files);
    let jobs = jobs.clamp(1, files.len().max(1));
    let ahead = 2 * jobs;
    let next = Mutex::new(0usize);
    // The index of the first result not yet delivered, so a worker can
    // tell how far ahead it may start.
    let delivered = Mutex::new(0usize);
    let wake = std::sync::Condvar::new();
    let (done_tx, done_rx) = mpsc::channel::<(usize, T)>();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            let done_tx = done_tx.clone();
            let (next, delivered, wake, work) = (&next, &delivered, &wake, &work);
            scope.spawn(move || loop {
                let i = {
                    let mut next = next.lock().unwrap_or_else(|e| e.into_inner());
                    let i = *next;
                    if i >= files.len() {
                        return;
                    }
                    *next += 1;
                    i
                };
                let mut first = delivered.lock().unwrap_or_else(|e| e.into_inner());
                while i >= *first + ahead {
                    first = wake.wait(first).unwrap_or_else(|e| e.into_inner());
                }
                drop(first);
                let result = work(i, &files[i]);
                if done_tx.send((i, result)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        let mut waiting = BTreeMap::new();
        let mut first = 0;
        for (i, result) in done_rx {
            progress.done(&files[i]);
            waiting.insert(i, result);
            while let Some(result) = waiting.remove(&first) {
                deliver(first, result);
                first += 1;
                *delivered.lock().unwrap_or_else(|e| e.into_inner()) = first;
                wake.notify_all();
            }
        }
    });
    progress.finish();
}

/// The progress bar, drawn only when standard error is a terminal.
struct Progress {
    bar: Option<ProgressBar>,
    files: usize,
    done: Mutex<usize>,
}

impl Progress {
    fn new(files: &[PathBuf]) -> Progress {
        let bar = (std::io::stderr().is_terminal() && files.len() > 1).then(|| {
            let bytes: u64 = files.iter().map(|f| file_size(f)).sum();
            let bar = ProgressBar::with_draw_target(Some(bytes), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{msg} captures  {binary_bytes}/{binary_total_bytes}  {binary_bytes_per_sec}  ETA {eta}  [{wide_bar}]",
            )
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_message(format!("0/{}", files.len()));
            bar
        });
        Progress {
            bar,
            files: files.len(),
            done: Mutex::new(0),
        }
    }

    fn done(&self, file: &Path) {
        if let Some(bar) = &self.bar {
            let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
            *done += 1;
            bar.set_message(format!("{done}/{}", self.files));
            bar.inc(file_size(file));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A file's size for the progress bar (standard input and unreadable
/// files count 0: the bar is a guide, the errors are reported elsewhere).
fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn results_come_in_the_files_order_whatever_order_they_finish_in() {
        let files: Vec<PathBuf> = (0..20).map(|i| PathBuf::from(i.to_string())).collect();
        for jobs in [1, 2, 5] {
            let mut seen = Vec::new();
            run_in_order(
                &files,
                jobs,
                |f| {
                    let i: u64 = f.to_str().and_then(|s| s.parse().ok()).expect("a number");
                    // Early files take longest, so later ones finish first.
                    std::thread::sleep(Duration::from_millis(20 - i));
                    i * 10
                },
                |i, r| seen.push((i, r)),
            );
            let expected: Vec<(usize, u64)> = (0..20).map(|i| (i, i as u64 * 10)).collect();
            assert_eq!(seen, expected, "jobs {jobs}");
        }
    }

    #[test]
    fn no_worker_runs_far_ahead_of_what_was_delivered() {
        let files: Vec<PathBuf> = (0..30).map(|i| PathBuf::from(i.to_string())).collect();
        let started = Mutex::new(Vec::new());
        let mut max_ahead = 0;
        let delivered = std::sync::atomic::AtomicUsize::new(0);
        run_in_order(
            &files,
            3,
            |f| {
                let i: usize = f.to_str().and_then(|s| s.parse().ok()).expect("a number");
                let first = delivered.load(std::sync::atomic::Ordering::SeqCst);
                started.lock().expect("lock").push(i - first.min(i));
                if i == 0 {
                    std::thread::sleep(Duration::from_millis(100));
                }
            },
            |i, ()| delivered.store(i + 1, std::sync::atomic::Ordering::SeqCst),
        );
        for ahead in started.into_inner().expect("lock") {
            max_ahead = max_ahead.max(ahead);
        }
        assert!(max_ahead < 2 * 3, "a worker started {max_ahead} ahead");
    }

    #[test]
    fn jobs_default_to_the_cores() {
        assert_eq!(jobs(Some(3)), 3);
        assert!(jobs(None) >= 1);
        assert!(jobs(Some(0)) >= 1);
    }
}
