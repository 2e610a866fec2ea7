//! The kernel's own view of a connection: `TCP_INFO` read from the socket
//! (cwnd, ssthresh, smoothed RTT, retransmissions, delivery rate, congestion
//! state …), sampled every millisecond while a transfer runs and kept as a
//! series. The series' model and its CSV (columns in docs/emulated-path.md)
//! are `tcplab_analysis::record::tcp_info`.

use rustix::net::sockopt;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::time::{Duration, SystemTime};
pub use tcplab_analysis::record::tcp_info::TcpInfo;

/// `struct tcp_info` of include/uapi/linux/tcp.h, up to `tcpi_snd_wnd`
/// (Linux 5.19). Older kernels fill a prefix and leave the rest zero.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct RawTcpInfo {
    state: u8,
    ca_state: u8,
    retransmits: u8,
    probes: u8,
    backoff: u8,
    options: u8,
    wscale: u8,
    app_limited: u8,
    rto: u32,
    ato: u32,
    snd_mss: u32,
    rcv_mss: u32,
    unacked: u32,
    sacked: u32,
    lost: u32,
    retrans: u32,
    fackets: u32,
    last_data_sent: u32,
    last_ack_sent: u32,
    last_data_recv: u32,
    last_ack_recv: u32,
    pmtu: u32,
    rcv_ssthresh: u32,
    rtt: u32,
    rttvar: u32,
    snd_ssthresh: u32,
    snd_cwnd: u32,
    advmss: u32,
    reordering: u32,
    rcv_rtt: u32,
    rcv_space: u32,
    total_retrans: u32,
    pacing_rate: u64,
    max_pacing_rate: u64,
    bytes_acked: u64,
    bytes_received: u64,
    segs_out: u32,
    segs_in: u32,
    notsent_bytes: u32,
    min_rtt: u32,
    data_segs_in: u32,
    data_segs_out: u32,
    delivery_rate: u64,
    busy_time: u64,
    rwnd_limited: u64,
    sndbuf_limited: u64,
    delivered: u32,
    delivered_ce: u32,
    bytes_sent: u64,
    bytes_retrans: u64,
    dsack_dups: u32,
    reord_seen: u32,
    rcv_ooopack: u32,
    snd_wnd: u32,
}

/// The kernel's "no threshold yet" (TCP_INFINITE_SSTHRESH).
const INFINITE_SSTHRESH: u32 = 0x7fff_ffff;

/// Reads `TCP_INFO` from a TCP socket.
pub fn read(fd: BorrowedFd<'_>) -> io::Result<TcpInfo> {
    let mut raw = RawTcpInfo::default();
    let mut len = std::mem::size_of::<RawTcpInfo>() as libc::socklen_t;
    // SAFETY: `raw` is plain data (`repr(C)`, every bit pattern valid) of
    // `len` bytes, and the kernel writes at most `len`. Neither rustix nor
    // socket2 reads TCP_INFO, so this one call stays with libc.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&mut raw as *mut RawTcpInfo).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    let time = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    Ok(TcpInfo {
        time,
        state: raw.state,
        ca_state: raw.ca_state,
        cwnd: raw.snd_cwnd,
        ssthresh: (raw.snd_ssthresh < INFINITE_SSTHRESH).then_some(raw.snd_ssthresh),
        mss: raw.snd_mss,
        srtt_us: raw.rtt,
        rttvar_us: raw.rttvar,
        min_rtt_us: raw.min_rtt,
        rto_us: raw.rto,
        unacked: raw.unacked,
        sacked: raw.sacked,
        lost: raw.lost,
        retrans: raw.retrans,
        total_retrans: raw.total_retrans,
        backoff: raw.backoff,
        delivery_rate_bps: raw.delivery_rate.saturating_mul(8),
        pacing_rate_bps: if raw.pacing_rate == u64::MAX {
            0
        } else {
            raw.pacing_rate.saturating_mul(8)
        },
        bytes_sent: raw.bytes_sent,
        bytes_acked: raw.bytes_acked,
        bytes_retrans: raw.bytes_retrans,
        notsent_bytes: raw.notsent_bytes,
        snd_wnd: raw.snd_wnd,
        rwnd_limited_us: raw.rwnd_limited,
        sndbuf_limited_us: raw.sndbuf_limited,
    })
}

/// The socket's congestion control algorithm (`TCP_CONGESTION`).
pub fn congestion(fd: BorrowedFd<'_>) -> io::Result<String> {
    Ok(sockopt::tcp_congestion(fd)?)
}

/// Sets the socket's congestion control algorithm; the error lists what the kernel offers.
pub fn set_congestion(fd: BorrowedFd<'_>, algorithm: &str) -> io::Result<()> {
    sockopt::set_tcp_congestion(fd, algorithm).map_err(|errno| {
        let e = io::Error::from(errno);
        io::Error::new(
            e.kind(),
            format!(
                "congestion control {algorithm:?}: {e}; this kernel offers: {}",
                available_congestion().join(", ")
            ),
        )
    })
}

/// Checks that this kernel has `algorithm` by setting it on a socket that
/// is never connected (with CAP_NET_ADMIN the kernel loads its module, as
/// it would for the real socket); the error lists what the kernel offers.
pub fn check_congestion(algorithm: &str) -> io::Result<()> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    set_congestion(std::os::fd::AsFd::as_fd(&socket), algorithm)
}

/// What `net.ipv4.tcp_available_congestion_control` lists.
pub fn available_congestion() -> Vec<String> {
    std::fs::read_to_string("/proc/sys/net/ipv4/tcp_available_congestion_control")
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// A duplicate of a socket's descriptor for the sampler: the socket stays
/// readable even after its owner drops it (its FIN still goes out when the
/// owner calls `shutdown`).
pub fn dup(fd: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    fd.try_clone_to_owned()
}

/// How often the sampler reads `TCP_INFO`.
pub const PERIOD: Duration = Duration::from_millis(1);
/// A row is kept when anything changed, and at least this often.
const KEEP_EVERY: Duration = Duration::from_millis(10);

/// Samples a socket until stopped; rows where nothing changed are skipped
/// (but one is kept every 10 ms).
pub struct Sampler {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Vec<TcpInfo>>,
}

impl Sampler {
    /// Starts sampling on the current tokio runtime.
    pub fn start(fd: OwnedFd) -> Sampler {
        Sampler::start_with(fd, |_| {})
    }

    /// Starts sampling and hands `on_row` every row the series keeps, as
    /// it is kept (a live view draws them while the transfer runs; the
    /// series [`Sampler::finish`] returns holds the same rows).
    pub fn start_with(fd: OwnedFd, mut on_row: impl FnMut(&TcpInfo) + Send + 'static) -> Sampler {
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        // The first row now, not when the task first runs: on a busy
        // machine that can be after a short transfer has ended, and the
        // series would then have no row while the connection lived.
        let mut rows: Vec<TcpInfo> = Vec::new();
        if let Ok(info) = read(fd.as_fd_ref()) {
            on_row(&info);
            rows.push(info);
        }
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(PERIOD);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = tick.tick() => {}
                }
                let Ok(info) = read(fd.as_fd_ref()) else {
                    break;
                };
                let keep = rows.last().is_none_or(|last| {
                    !last.same_state(&info) || info.time - last.time >= KEEP_EVERY.as_secs_f64()
                });
                if keep {
                    on_row(&info);
                    rows.push(info);
                }
            }
            if let Ok(info) = read(fd.as_fd_ref()) {
                on_row(&info);
                rows.push(info);
            }
            rows
        });
        Sampler { stop, task }
    }

    /// Stops and returns the series.
    pub async fn finish(self) -> Vec<TcpInfo> {
        let _ = self.stop.send(());
        self.task.await.unwrap_or_default()
    }
}

trait AsFdRef {
    fn as_fd_ref(&self) -> BorrowedFd<'_>;
}

impl AsFdRef for OwnedFd {
    fn as_fd_ref(&self) -> BorrowedFd<'_> {
        std::os::fd::AsFd::as_fd(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_the_kernel() {
        // Offsets from include/uapi/linux/tcp.h.
        assert_eq!(std::mem::offset_of!(RawTcpInfo, rto), 8);
        assert_eq!(std::mem::offset_of!(RawTcpInfo, rtt), 68);
        assert_eq!(std::mem::offset_of!(RawTcpInfo, snd_cwnd), 80);
        assert_eq!(std::mem::offset_of!(RawTcpInfo, pacing_rate), 104);
        assert_eq!(std::mem::offset_of!(RawTcpInfo, delivery_rate), 160);
        assert_eq!(std::mem::offset_of!(RawTcpInfo, bytes_sent), 200);
        assert_eq!(std::mem::size_of::<RawTcpInfo>(), 232);
    }

    #[test]
    fn reads_a_live_socket() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let info = read(std::os::fd::AsFd::as_fd(&client)).unwrap();
        assert_eq!(
            tcplab_analysis::record::tcp_info::tcp_state_name(info.state),
            "ESTABLISHED"
        );
        assert!(info.cwnd >= 1 && info.mss > 0);
        assert!(!congestion(std::os::fd::AsFd::as_fd(&client))
            .unwrap()
            .is_empty());
        assert!(check_congestion("reno").is_ok());
        assert!(check_congestion("nosuchcc")
            .unwrap_err()
            .to_string()
            .contains("this kernel offers"));
        assert!(
            set_congestion(std::os::fd::AsFd::as_fd(&client), "no-such-cc")
                .unwrap_err()
                .to_string()
                .contains("this kernel offers")
        );
    }
}
