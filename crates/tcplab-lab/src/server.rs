//! Listening sockets and the limits every lab server obeys.
//!
//! In: an address to [`bind`], or a `TcpListener` the caller bound (port 0 is
//! fine: read the port back with `local_addr`), plus [`Limits`]. Out: accepted
//! connections, one at a time from an [`Acceptor`] (the lab's iterative
//! servers) or each in its own task with [`serve_each`] (the select-style
//! servers), until `max_clients` connections have been accepted and served or
//! `max_time` has passed; then the server returns why it stopped. Limits exist
//! so that tests and `run-and-capture` can start a server that ends by itself.

use super::event::{Departure, Event, EventSink, StopReason};
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::task::JoinSet;
use tokio::time::Instant;

/// The lab's port.
pub const DEFAULT_PORT: u16 = 5000;
/// Pending connections the kernel queues for us. The lab uses `listen(10)`;
/// we leave room for a burst of simultaneous connects (1,000 clients at once
/// in the load benchmark); the kernel caps it at net.core.somaxconn.
const BACKLOG: u32 = 1024;
/// Pause after a failed `accept` (e.g. out of descriptors) so we do not spin.
pub const ACCEPT_RETRY: Duration = Duration::from_millis(100);
/// While `accept` keeps failing, or the server stays full, say so at most
/// this often.
pub const REPORT_EVERY: Duration = Duration::from_secs(10);
/// Clients served at once unless configured otherwise: well below the usual
/// 1,024 descriptors a process may open (`ulimit -n`).
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

/// Binds a listening socket with `SO_REUSEADDR`, as the lab's servers do, so a
/// restarted server need not wait for TIME_WAIT. Must run inside a runtime.
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// When a server stops by itself (`None`: never), and how many clients the
/// concurrent servers serve at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Accept this many connections, serve them, then stop.
    pub max_clients: Option<u64>,
    /// Stop this long after starting, closing any connection still open.
    pub max_time: Option<Duration>,
    /// Concurrent servers: with this many clients connected, accept no more
    /// until one leaves (the others wait in the listen queue). `None`: no cap
    /// but the descriptors the process may open. Default
    /// [`DEFAULT_MAX_CONNECTIONS`].
    pub max_connections: Option<usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_clients: None,
            max_time: None,
            max_connections: Some(DEFAULT_MAX_CONNECTIONS),
        }
    }
}

/// Says something at once, then at most every [`REPORT_EVERY`], even when it
/// stops and starts again (a server at its descriptor limit flaps: each
/// client leaving lets one more in).
#[derive(Debug, Default)]
struct Streak {
    /// Times it happened in this streak.
    count: u64,
    /// This streak was reported.
    reported: bool,
    last_report: Option<Instant>,
}

impl Streak {
    /// Counts one more; true if it should be reported now.
    fn hit(&mut self) -> bool {
        self.count += 1;
        let now = Instant::now();
        let due = self
            .last_report
            .is_none_or(|last| now.duration_since(last) >= REPORT_EVERY);
        if due {
            self.last_report = Some(now);
            self.reported = true;
        }
        due
    }

    /// Ends the streak: its length if it was reported (so its end is too).
    fn end(&mut self) -> Option<u64> {
        let count = std::mem::take(&mut self.count);
        std::mem::take(&mut self.reported).then_some(count)
    }
}

/// Accepts connections within the [`Limits`], reporting each one.
pub struct Acceptor {
    listener: TcpListener,
    limits: Limits,
    deadline: Option<Instant>,
    accepted: u64,
    failures: Streak,
    sink: EventSink,
}

impl Acceptor {
    /// Starts the `max_time` clock now.
    pub fn new(listener: TcpListener, limits: Limits, sink: EventSink) -> Self {
        let deadline = limits.max_time.map(|t| Instant::now() + t);
        Acceptor {
            listener,
            limits,
            deadline,
            accepted: 0,
            failures: Streak::default(),
            sink,
        }
    }

    pub fn sink(&self) -> &EventSink {
        &self.sink
    }

    /// The next client, or `None` once the limits say stop.
    pub async fn accept(&mut self) -> Option<(TcpStream, SocketAddr)> {
        loop {
            if self
                .limits
                .max_clients
                .is_some_and(|max| self.accepted >= max)
            {
                return None;
            }
            match self.within_deadline(self.listener.accept()).await? {
                Ok((stream, peer)) => {
                    self.accepted += 1;
                    if let Some(failures) = self.failures.end() {
                        (self.sink)(&Event::AcceptRecovered { failures });
                    }
                    (self.sink)(&Event::Connected { peer });
                    return Some((stream, peer));
                }
                Err(err) => {
                    if self.failures.hit() {
                        let failures = self.failures.count;
                        let reason = accept_failure(&err);
                        (self.sink)(&Event::AcceptFailed { reason, failures });
                    }
                    // The listening socket stays readable: without a pause
                    // the loop would spin at full speed.
                    self.within_deadline(tokio::time::sleep(ACCEPT_RETRY))
                        .await?;
                }
            }
        }
    }

    /// Runs `work`, giving up (`None`) when `max_time` runs out.
    pub async fn within_deadline<F: Future>(&self, work: F) -> Option<F::Output> {
        match self.deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, work).await.ok(),
            None => Some(work.await),
        }
    }

    /// When `max_time` runs out, if there is one.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Why [`accept`](Acceptor::accept) returned `None`.
    pub fn stop_reason(&self) -> StopReason {
        match (self.limits.max_time, self.deadline) {
            (Some(t), Some(deadline)) if Instant::now() >= deadline => StopReason::MaxTime(t),
            _ => StopReason::MaxClients(self.accepted),
        }
    }

    /// Reports and returns the stop.
    pub fn stopped(&self, why: StopReason) -> StopReason {
        (self.sink)(&Event::Stopped { why });
        why
    }
}

/// Why `accept` failed, with what to do when the descriptors ran out.
fn accept_failure(err: &io::Error) -> String {
    let errno = err.raw_os_error().map(rustix::io::Errno::from_raw_os_error);
    match errno {
        Some(rustix::io::Errno::MFILE) => format!(
            "{err}: the process is out of file descriptors (raise `ulimit -n` or \
             lower --max-connections)"
        ),
        Some(rustix::io::Errno::NFILE) => format!("{err}: the system is out of file descriptors"),
        _ => err.to_string(),
    }
}

/// Serves every accepted connection in its own task (the lab's select-based
/// v2, with tasks instead of `select`). Stops accepting when the limits say so
/// or when `enough` returns a reason on a finished connection's result, waits
/// for the open connections, and at `max_time` closes them. With
/// `max_connections` clients connected it accepts no more until one leaves.
pub async fn serve_each<H, Fut, E>(
    mut acceptor: Acceptor,
    mut handler: H,
    mut enough: E,
) -> StopReason
where
    H: FnMut(TcpStream, SocketAddr) -> Fut,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
    E: FnMut(&Fut::Output) -> Option<StopReason>,
{
    let mut tasks = JoinSet::new();
    let mut peers = HashMap::new();
    let mut stop: Option<StopReason> = None;
    let deadline = acceptor.deadline();
    let sink = acceptor.sink().clone();
    let cap = acceptor.limits.max_connections;
    let mut full = Streak::default();
    loop {
        if let (Some(why), true) = (stop, tasks.is_empty()) {
            return acceptor.stopped(why);
        }
        let room = cap.is_none_or(|max| tasks.len() < max);
        if !room && full.hit() {
            let open = tasks.len();
            sink(&Event::Full { open });
        }
        tokio::select! {
            next = acceptor.accept(), if stop.is_none() && room => match next {
                Some((stream, peer)) => {
                    let task = tasks.spawn(handler(stream, peer));
                    peers.insert(task.id(), peer);
                }
                None => stop = Some(acceptor.stop_reason()),
            },
            Some(joined) = tasks.join_next_with_id(), if !tasks.is_empty() => {
                let id = match &joined {
                    Ok((id, _)) => *id,
                    Err(err) => err.id(),
                };
                peers.remove(&id);
                if let (Ok((_, output)), None) = (&joined, stop) {
                    stop = enough(output);
                }
            }
            () = sleep_until(deadline) => {
                tasks.abort_all();
                while tasks.join_next().await.is_some() {}
                for peer in peers.into_values() {
                    let why = Departure::ServerStopped;
                    sink(&Event::Left { peer, why });
                }
                let why = acceptor.stop_reason();
                return acceptor.stopped(why);
            }
        }
    }
}

/// Resolves at `deadline`; never if there is none.
pub async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// One read's outcome: data, or why the connection ended.
pub enum Chunk {
    Data(usize),
    End(Departure),
}

/// Reads what is there (at most `buf.len()` bytes), giving up after `idle`.
pub async fn read_chunk<R: AsyncRead + Unpin>(
    reader: &mut R,
    buf: &mut [u8],
    idle: Option<Duration>,
) -> Chunk {
    let read = reader.read(buf);
    let result = match idle {
        Some(limit) => match tokio::time::timeout(limit, read).await {
            Ok(result) => result,
            Err(_) => return Chunk::End(Departure::Idle(limit)),
        },
        None => read.await,
    };
    match result {
        Ok(0) => Chunk::End(Departure::Closed),
        Ok(n) => Chunk::Data(n),
        Err(err) => Chunk::End(Departure::Failed(err.to_string())),
    }
}
