//! A high-resolution timer for the emulator's deliveries: a Linux timerfd
//! (CLOCK_MONOTONIC, the clock of `std::time::Instant`) watched by tokio.
//! tokio's own timers have millisecond resolution; this one fires within
//! tens of microseconds of the packet's time.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

pub struct Timer {
    fd: AsyncFd<OwnedFd>,
    /// CLOCK_MONOTONIC nanoseconds at the emulator's start.
    origin: i128,
    armed: Option<u64>,
}

fn monotonic_ns() -> io::Result<i128> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid timespec to fill.
    if unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(i128::from(ts.tv_sec) * 1_000_000_000 + i128::from(ts.tv_nsec))
}

impl Timer {
    /// A disarmed timer whose times count from now (call it next to the
    /// `Instant` the emulator counts from). Needs a tokio runtime.
    pub fn new() -> io::Result<Timer> {
        // SAFETY: plain flags; the result is checked.
        let fd = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a fresh descriptor owned by nobody else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        // SAFETY: an `OwnedFd` stays open and keeps its number while the
        // `AsyncFd` owns it.
        let fd = unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE)? };
        Ok(Timer {
            fd,
            origin: monotonic_ns()?,
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
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: (when / 1_000_000_000) as libc::time_t,
                tv_nsec: (when % 1_000_000_000) as libc::c_long,
            },
        };
        // SAFETY: valid descriptor and itimerspec; the old value is not wanted.
        let rc = unsafe {
            libc::timerfd_settime(
                self.fd.get_ref().as_raw_fd(),
                libc::TFD_TIMER_ABSTIME,
                &spec,
                std::ptr::null_mut(),
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        self.armed = Some(at);
        Ok(())
    }

    /// Waits until the armed time has passed.
    pub async fn fired(&mut self) -> io::Result<()> {
        loop {
            let mut guard = self.fd.readable().await?;
            let mut expirations = [0u8; 8];
            let read = guard.try_io(|fd| {
                // SAFETY: 8 bytes to read into, as timerfd requires.
                let n = unsafe {
                    libc::read(fd.get_ref().as_raw_fd(), expirations.as_mut_ptr().cast(), 8)
                };
                if n < 0 {
                    Err(io::Error::last_os_error())
                } else {
                    Ok(())
                }
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
