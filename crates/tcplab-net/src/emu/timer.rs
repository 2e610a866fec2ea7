//! A high-resolution timer for the emulator's deliveries: a Linux timerfd
//! (CLOCK_MONOTONIC, the clock of `std::time::Instant`) watched by tokio.
//! tokio's own timers have millisecond resolution; this one fires within
//! tens of microseconds of the packet's time.

use rustix::time::{
    clock_gettime, timerfd_create, timerfd_settime, ClockId, Itimerspec, TimerfdClockId,
    TimerfdFlags, TimerfdTimerFlags, Timespec,
};
use std::io;
use std::os::fd::OwnedFd;
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

pub struct Timer {
    fd: AsyncFd<OwnedFd>,
    /// CLOCK_MONOTONIC nanoseconds at the emulator's start.
    origin: i128,
    armed: Option<u64>,
}

fn monotonic_ns() -> i128 {
    let ts = clock_gettime(ClockId::Monotonic);
    i128::from(ts.tv_sec) * 1_000_000_000 + i128::from(ts.tv_nsec)
}

impl Timer {
    /// A disarmed timer whose times count from now (call it next to the
    /// `Instant` the emulator counts from). Needs a tokio runtime.
    pub fn new() -> io::Result<Timer> {
        let fd = timerfd_create(
            TimerfdClockId::Monotonic,
            TimerfdFlags::NONBLOCK | TimerfdFlags::CLOEXEC,
        )?;
        // SAFETY: an `OwnedFd` stays open and keeps its number while the
        // `AsyncFd` owns it.
        let fd = unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE)? };
        Ok(Timer {
            fd,
            origin: monotonic_ns(),
            armed: None,
        })
    }

    /// Makes the timer fire at `at` nanoseconds after its origin (no-op if
    /// already armed for that time).
    pub fn arm(&mut self, at: u64) -> io::Result<()> {
        if self.armed == Some(at) {
            return Ok(());
        }
        // An absolute time of 0 would disarm: one nanosecond is as good.
        let when = (self.origin + i128::from(at)).max(1);
        let spec = Itimerspec {
            it_interval: Timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: Timespec {
                tv_sec: (when / 1_000_000_000) as i64,
                tv_nsec: (when % 1_000_000_000) as i64,
            },
        };
        timerfd_settime(self.fd.get_ref(), TimerfdTimerFlags::ABSTIME, &spec)?;
        self.armed = Some(at);
        Ok(())
    }

    /// Waits until the armed time has passed.
    pub async fn fired(&mut self) -> io::Result<()> {
        loop {
            let mut guard = self.fd.readable().await?;
            let mut expirations = [0u8; 8];
            // timerfd hands over 8 bytes: the count of expirations.
            let read = guard.try_io(|fd| {
                rustix::io::read(fd.get_ref(), &mut expirations)?;
                Ok(())
            });
            match read {
                Ok(Ok(())) => {
                    self.armed = None;
                    return Ok(());
                }
                Ok(Err(e)) => return Err(e),
                Err(_would_block) => continue,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn fires_on_time() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let start = Instant::now();
            let mut t = Timer::new().unwrap();
            t.arm(3_000_000).unwrap();
            t.fired().await.unwrap();
            let waited = start.elapsed();
            assert!(waited >= Duration::from_millis(3), "{waited:?}");
            assert!(waited < Duration::from_millis(50), "{waited:?}");
        });
    }
}
