//! The emulator's engine: a thread with its own tokio runtime that reads
//! packets from the two TUN devices as they become readable, decides their
//! fate with a [`Link`] per direction, holds them until their delivery
//! time (a timerfd, see `timer`), and writes them into the other device: a
//! packet is delivered within tens of microseconds after its computed time.

use super::gauge::{LaneGauge, LinkGauges};
use super::key::Keyer;
use super::link::{Fate, Link, Nanos};
use super::timer::Timer;
use super::tun;
use std::collections::VecDeque;
use std::io;
use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::thread::JoinHandle;
use tcplab_analysis::record::drops::{DropReason, DroppedPacket, LinkDirection};
use tcplab_analysis::record::link::LinkStats;
use tcplab_analysis::record::link::{EmuStats, LinkParams};
use thiserror::Error;
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;
use tokio::sync::oneshot;
use tokio::time::Instant;

/// Largest packet read from a device (IPv4/IPv6 maximum).
const MAX_PACKET: usize = 65_535;

#[derive(Debug, Error)]
pub enum EmuError {
    #[error("link emulator: {0}")]
    Io(#[from] io::Error),
    #[error("the link emulator thread stopped unexpectedly")]
    Died,
}

/// Drops logged one by one; beyond, only counted (in `LinkStats`).
pub const MAX_DROP_LOG: usize = 100_000;

/// What the emulator's thread returns: its counters and drop log.
type Outcome = Result<(EmuStats, Vec<DroppedPacket>), io::Error>;

/// A running emulator; stop it to get its counters (dropping it stops it too).
pub struct Emulator {
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<Outcome>>,
    died: tokio::sync::watch::Receiver<bool>,
    gauges: Arc<LinkGauges>,
}

impl Emulator {
    /// Starts moving packets between `sender_tun` and `receiver_tun`.
    pub fn start(
        params: LinkParams,
        sender_tun: OwnedFd,
        receiver_tun: OwnedFd,
    ) -> Result<Emulator, EmuError> {
        let (stop_tx, stop_rx) = oneshot::channel();
        let (died_tx, died) = tokio::sync::watch::channel(false);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let gauges = Arc::new(LinkGauges::default());
        let shown = Arc::clone(&gauges);
        let thread = std::thread::Builder::new()
            .name("tcplab-link".into())
            .spawn(move || {
                let outcome =
                    runtime.block_on(pump(params, sender_tun, receiver_tun, stop_rx, &shown));
                if outcome.is_err() {
                    let _ = died_tx.send(true);
                }
                outcome
            })?;
        Ok(Emulator {
            stop: Some(stop_tx),
            thread: Some(thread),
            died,
            gauges,
        })
    }

    /// The link's counters as it runs (for a live view).
    pub fn gauges(&self) -> Arc<LinkGauges> {
        Arc::clone(&self.gauges)
    }

    /// Becomes `true` if the emulator stops on an error before it is told
    /// to (the run must then fail at once rather than wait for TCP to give up).
    pub fn died(&self) -> tokio::sync::watch::Receiver<bool> {
        self.died.clone()
    }

    /// Stops and returns the counters and the log of dropped packets.
    pub fn stop(mut self) -> Result<(EmuStats, Vec<DroppedPacket>), EmuError> {
        self.halt()
    }

    fn halt(&mut self) -> Result<(EmuStats, Vec<DroppedPacket>), EmuError> {
        if let Some(stop) = self.stop.take() {
            // The thread may have ended on an error already; join tells.
            let _ = stop.send(());
        }
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => Ok(result?),
            Some(Err(_)) | None => Err(EmuError::Died),
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if self.thread.is_some() {
            let _ = self.halt();
        }
    }
}

/// One direction: its link model, the packets on their way, and where they go.
struct Lane {
    way: LinkDirection,
    link: Link,
    in_flight: VecDeque<(Nanos, Vec<u8>)>,
    /// Accepted by the link but never written to the far device: (packets, bytes).
    undelivered: (u64, u64),
}

impl Lane {
    /// The link's counters, with `delivered` meaning written to the far device.
    fn stats(&self) -> LinkStats {
        let mut s = self.link.stats();
        let left: u64 = self.in_flight.iter().map(|(_, p)| p.len() as u64).sum();
        s.delivered -= (self.undelivered.0 + self.in_flight.len() as u64).min(s.delivered);
        s.bytes_delivered -= (self.undelivered.1 + left).min(s.bytes_delivered);
        s
    }

    /// Stores the link's counters as they stand for a live view (a few
    /// relaxed stores: nothing waits).
    fn show(&self, gauge: &LaneGauge, now: Nanos) {
        gauge.store(&self.link.stats(), self.link.queue_len(now));
    }
}

async fn pump(
    params: LinkParams,
    sender_tun: OwnedFd,
    receiver_tun: OwnedFd,
    mut stop: oneshot::Receiver<()>,
    gauges: &LinkGauges,
) -> io::Result<(EmuStats, Vec<DroppedPacket>)> {
    // SAFETY: an `OwnedFd` stays open and returns the same descriptor for
    // as long as the `AsyncFd` owns it.
    let snd = unsafe { AsyncFd::register_with_interest(sender_tun, Interest::READABLE)? };
    // SAFETY: as above.
    let rcv = unsafe { AsyncFd::register_with_interest(receiver_tun, Interest::READABLE)? };
    let start = Instant::now();
    let mut timer = Timer::new()?;
    let epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64);
    let mut log = DropLog {
        epoch,
        drops: Vec::new(),
    };
    let mut keyer = Keyer::new(params.seed);
    let mut forward = Lane {
        way: LinkDirection::Forward,
        link: Link::new(params, params.loss),
        in_flight: VecDeque::new(),
        undelivered: (0, 0),
    };
    let mut backward = Lane {
        way: LinkDirection::Backward,
        link: Link::new(params, params.ack_loss),
        in_flight: VecDeque::new(),
        undelivered: (0, 0),
    };
    let mut stats = EmuStats::default();
    let mut buf = vec![0u8; MAX_PACKET];
    loop {
        let next = [forward.in_flight.front(), backward.in_flight.front()]
            .into_iter()
            .flatten()
            .map(|(at, _)| *at)
            .min();
        if let Some(at) = next {
            timer.arm(at)?;
        }
        // Unbiased: a sender that keeps its device busy must not starve
        // the other direction's reads.
        tokio::select! {
            _ = &mut stop => break,
            ready = snd.readable() => {
                let mut guard = ready?;
                drain(&mut guard, &mut buf, start, &mut keyer, &mut forward, &mut log)?;
            }
            ready = rcv.readable() => {
                let mut guard = ready?;
                drain(&mut guard, &mut buf, start, &mut keyer, &mut backward, &mut log)?;
            }
            fired = timer.fired(), if next.is_some() => fired?,
        }
        let now = elapsed(start);
        deliver(&mut forward, rcv.get_ref(), now, &mut stats);
        deliver(&mut backward, snd.get_ref(), now, &mut stats);
        forward.show(&gauges.forward, now);
        backward.show(&gauges.backward, now);
    }
    stats.in_flight_at_stop = (forward.in_flight.len() + backward.in_flight.len()) as u64;
    stats.forward = forward.stats();
    stats.backward = backward.stats();
    Ok((stats, log.drops))
}

struct DropLog {
    /// Epoch nanoseconds at the emulator's start.
    epoch: i64,
    drops: Vec<DroppedPacket>,
}

fn elapsed(start: Instant) -> Nanos {
    start.elapsed().as_nanos() as Nanos
}

/// Reads every packet waiting on a device and queues the ones that survive.
fn drain(
    guard: &mut tokio::io::unix::AsyncFdReadyGuard<'_, OwnedFd>,
    buf: &mut [u8],
    start: Instant,
    keyer: &mut Keyer,
    lane: &mut Lane,
    log: &mut DropLog,
) -> io::Result<()> {
    loop {
        match guard.try_io(|fd| tun::read(fd.get_ref(), buf)) {
            Ok(Ok(n)) => {
                let pkt = &buf[..n];
                let draws = keyer.draws(lane.way, pkt);
                let now = elapsed(start);
                let reason = match lane.link.offer(now, n as u32, draws.loss, draws.jitter) {
                    Fate::Deliver(at) => {
                        lane.in_flight.push_back((at, pkt.to_vec()));
                        continue;
                    }
                    Fate::Lost => DropReason::Lost,
                    Fate::QueueFull => DropReason::QueueFull,
                };
                if log.drops.len() < MAX_DROP_LOG {
                    log.drops.push(DroppedPacket {
                        time_ns: log.epoch + now as i64,
                        way: lane.way,
                        reason,
                        tcp: super::key::tcp_brief(pkt),
                    });
                }
            }
            Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => continue,
            Ok(Err(e)) => return Err(e),
            Err(_would_block) => return Ok(()),
        }
    }
}

/// Writes the packets whose time has come into the far device.
fn deliver(lane: &mut Lane, out: &OwnedFd, now: Nanos, stats: &mut EmuStats) {
    while lane.in_flight.front().is_some_and(|(at, _)| *at <= now) {
        let Some((at, pkt)) = lane.in_flight.pop_front() else {
            break;
        };
        stats.max_late_us = stats.max_late_us.max((now - at) / 1000);
        if tun::write(out, &pkt).is_err() {
            stats.write_errors += 1;
            lane.undelivered.0 += 1;
            lane.undelivered.1 += pkt.len() as u64;
        }
    }
}
