//! What the live view's drawing costs, for the benchmark
//! (`bench/live-capture.sh`): with `TCPLAB_LIVE_STATS=FILE` in the
//! environment the draw loop counts the frames it draws and the time each
//! takes (locking the model, building the frame, writing it to the
//! terminal), and at the end writes them to FILE with the drawing thread's
//! CPU time (docs/live-stats.md). Without the variable nothing is measured.

use anyhow::{Context, Result};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The environment variable that names the file.
pub const ENV: &str = "TCPLAB_LIVE_STATS";

pub struct DrawStats {
    file: PathBuf,
    began: Instant,
    cpu_began: Duration,
    frames: u64,
    drawing: Duration,
    longest: Duration,
}

impl DrawStats {
    /// Measuring from now on, if the environment asks for it.
    pub fn from_env() -> Option<DrawStats> {
        let file = std::env::var_os(ENV).filter(|f| !f.is_empty())?;
        Some(DrawStats {
            file: PathBuf::from(file),
            began: Instant::now(),
            cpu_began: thread_cpu_time(),
            frames: 0,
            drawing: Duration::ZERO,
            longest: Duration::ZERO,
        })
    }

    /// One frame drawn that began at `start`.
    pub fn frame(&mut self, start: Instant) {
        let took = start.elapsed();
        self.frames += 1;
        self.drawing += took;
        self.longest = self.longest.max(took);
    }

    /// Writes the figures (`key value` lines) to the file.
    pub fn write(&self) -> Result<()> {
        let seconds = self.began.elapsed().as_secs_f64();
        let cpu = (thread_cpu_time().saturating_sub(self.cpu_began)).as_secs_f64();
        let per_second = |x: f64| if seconds > 0.0 { x / seconds } else { 0.0 };
        let text = format!(
            "seconds {seconds:.3}\n\
             frames {}\n\
             fps {:.2}\n\
             draw_ms_total {:.1}\n\
             draw_ms_mean {:.3}\n\
             draw_ms_longest {:.3}\n\
             draw_share_of_wall {:.4}\n\
             thread_cpu_ms {:.1}\n\
             thread_cpu_share {:.4}\n",
            self.frames,
            per_second(self.frames as f64),
            self.drawing.as_secs_f64() * 1e3,
            if self.frames > 0 {
                self.drawing.as_secs_f64() * 1e3 / self.frames as f64
            } else {
                0.0
            },
            self.longest.as_secs_f64() * 1e3,
            per_second(self.drawing.as_secs_f64()),
            cpu * 1e3,
            per_second(cpu),
        );
        std::fs::write(&self.file, text)
            .with_context(|| format!("writing {} ({ENV})", self.file.display()))
    }
}

/// CPU time (user and system) this thread has used so far.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for the call to fill in;
    // CLOCK_THREAD_CPUTIME_ID exists on every Linux.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_counts_the_frames_and_their_time() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("stats.txt");
        let mut stats = DrawStats {
            file: file.clone(),
            began: Instant::now(),
            cpu_began: thread_cpu_time(),
            frames: 0,
            drawing: Duration::ZERO,
            longest: Duration::ZERO,
        };
        for _ in 0..3 {
            let start = Instant::now();
            std::thread::sleep(Duration::from_millis(2));
            stats.frame(start);
        }
        stats.write().expect("writes");
        let text = std::fs::read_to_string(&file).expect("reads");
        let value = |key: &str| -> f64 {
            text.lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix(' '))
                .unwrap_or_else(|| panic!("{key} in {text}"))
                .parse()
                .expect("a number")
        };
        assert_eq!(value("frames"), 3.0);
        assert!(value("draw_ms_total") >= 6.0, "{text}");
        assert!(value("draw_ms_longest") >= 2.0, "{text}");
        assert!(value("draw_ms_mean") >= 2.0, "{text}");
        assert!(value("seconds") > 0.0, "{text}");
        let share = value("thread_cpu_share");
        assert!((0.0..=1.0).contains(&share), "{text}");
    }
}
