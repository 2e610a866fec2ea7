//! echo-load: puts tcplab's multiplexed echo server (`echo-server --version
//! multi`, the lab's v2) under load and checks every byte it sends back.
//!
//! In: the server's address (loopback only), or `--in-process` to run the
//! library's server (`tcplab_lab::echo::serve`, events discarded) on its own
//! thread. Out: a summary on stdout (and `KEY=value` lines with `--out`),
//! exit status 0 only if every echo came back intact.
//!
//! The run, in phases separated by barriers so that all the clients really are
//! connected at the same time:
//!
//! 1. connect: every client opens its connection at once;
//! 2. exchange: each client sends `--messages` distinct lines, one at a time,
//!    and waits for each echo, reading until the whole line has arrived (TCP
//!    keeps no message boundaries) and comparing it byte for byte;
//! 3. peak: once every client is done, and none has closed yet, the server's
//!    memory (`VmHWM`, `VmRSS`) and open descriptors are read from /proc;
//! 4. close: each client sends FIN and reads until the server closes, so any
//!    stray byte after the last echo is caught.
//!
//! Every connect, write and read gives up after `--io-timeout`, the whole run
//! after `--deadline`.

use clap::Parser;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Barrier;
use tokio::time::timeout;

#[derive(Parser, Debug)]
#[command(about = "Load tcplab's multiplexed echo server with concurrent verified clients")]
struct Args {
    /// Echo server to load (loopback only), e.g. 127.0.0.1:5000
    #[arg(long, required_unless_present = "in_process")]
    addr: Option<SocketAddr>,
    /// Run the library's multi echo server in this process (events discarded)
    #[arg(long, conflicts_with = "addr")]
    in_process: bool,
    /// Concurrent clients
    #[arg(long, default_value_t = 1000)]
    clients: usize,
    /// Messages each client sends (each waits for its echo)
    #[arg(long, default_value_t = 100)]
    messages: usize,
    /// Largest pseudo-random padding per message (at least 8 bytes are added)
    #[arg(long, default_value_t = 100)]
    max_pad: usize,
    /// Server process whose memory and descriptors to read at the peak
    #[arg(long)]
    server_pid: Option<u32>,
    /// Seconds before a single connect, write or read gives up
    #[arg(long, default_value_t = 20.0)]
    io_timeout: f64,
    /// Seconds before the whole run gives up
    #[arg(long, default_value_t = 110.0)]
    deadline: f64,
    /// Worker threads of the clients' runtime
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Also write the figures here as KEY=value lines (for run.sh)
    #[arg(long)]
    out: Option<PathBuf>,
}

/// What one client saw.
#[derive(Default)]
struct Outcome {
    connected: bool,
    connect_us: u64,
    ok: u64,
    corrupted: u64,
    /// Messages whose echo never (fully) came back, sent or not.
    lost: u64,
    /// Echoes that needed more than one read.
    split: u64,
    /// Bytes received after the last echo, before the server closed.
    extra_bytes: u64,
    /// The server closed its side after our FIN.
    clean_close: bool,
    error: Option<String>,
    first_corruption: Option<String>,
    rtts_us: Vec<u32>,
}

struct Config {
    addr: SocketAddr,
    messages: usize,
    max_pad: usize,
    io_timeout: Duration,
}

/// The phases' meeting points: every client and the main task wait at each.
struct Barriers {
    connected: Barrier,
    exchanged: Barrier,
    close: Barrier,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(addr) = args.addr {
        if !addr.ip().is_loopback() {
            eprintln!("echo-load: {addr} is not a loopback address; refusing to load it");
            return ExitCode::from(2);
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run(args))
}

async fn run(args: Args) -> ExitCode {
    let (addr, in_process) = match args.addr {
        Some(addr) => (addr, None),
        None => {
            let limit = Duration::from_secs_f64(args.deadline + 10.0);
            let (addr, handle) = start_in_process(args.clients as u64, limit);
            (addr, Some(handle))
        }
    };
    let server_pid = args
        .server_pid
        .or_else(|| in_process.as_ref().map(|_| std::process::id()));
    let config = Arc::new(Config {
        addr,
        messages: args.messages,
        max_pad: args.max_pad.max(8),
        io_timeout: Duration::from_secs_f64(args.io_timeout),
    });
    let n = args.clients;
    let barriers = Arc::new(Barriers {
        connected: Barrier::new(n + 1),
        exchanged: Barrier::new(n + 1),
        close: Barrier::new(n + 1),
    });
    let overflows_before = listen_counters();
    let server_before = server_pid.and_then(proc_status);
    println!(
        "echo-load: {n} clients x {} messages against {addr}{}",
        args.messages,
        if in_process.is_some() {
            " (in-process server)"
        } else {
            ""
        }
    );

    let t_begin = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for id in 0..n {
        let (config, barriers) = (config.clone(), barriers.clone());
        tasks.push(tokio::spawn(client(id, config, barriers)));
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(args.deadline);
    let gave_up = |phase: &str| {
        eprintln!(
            "echo-load: gave up after --deadline {}s while {phase}",
            args.deadline
        );
        ExitCode::from(2)
    };

    if timeout_at(deadline, barriers.connected.wait())
        .await
        .is_none()
    {
        return gave_up("connecting");
    }
    let t_connected = Instant::now();
    if timeout_at(deadline, barriers.exchanged.wait())
        .await
        .is_none()
    {
        return gave_up("exchanging messages");
    }
    let t_exchanged = Instant::now();
    let server_peak = server_pid.and_then(proc_status);
    if timeout_at(deadline, barriers.close.wait()).await.is_none() {
        return gave_up("waiting to close");
    }
    let mut outcomes = Vec::with_capacity(n);
    for task in tasks {
        match timeout_at(deadline, task).await {
            Some(Ok(outcome)) => outcomes.push(outcome),
            Some(Err(err)) => {
                eprintln!("echo-load: a client task failed: {err}");
                return ExitCode::from(2);
            }
            None => return gave_up("closing"),
        }
    }
    let t_end = Instant::now();
    let overflows_after = listen_counters();
    let server_stop = in_process.map(|handle| {
        handle
            .join()
            .map(|why| why.to_string())
            .unwrap_or_else(|_| "panicked".into())
    });

    // Totals.
    let sum = |f: fn(&Outcome) -> u64| outcomes.iter().map(f).sum::<u64>();
    let expected = (n * args.messages) as u64;
    let connected = outcomes.iter().filter(|o| o.connected).count();
    let ok = sum(|o| o.ok);
    let corrupted = sum(|o| o.corrupted);
    let lost = sum(|o| o.lost);
    let split = sum(|o| o.split);
    let extra = sum(|o| o.extra_bytes);
    let unclean = outcomes
        .iter()
        .filter(|o| o.connected && !o.clean_close)
        .count();
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for o in &outcomes {
        if let Some(e) = &o.error {
            *errors.entry(e.clone()).or_default() += 1;
        }
    }
    let corruption_example = outcomes.iter().find_map(|o| o.first_corruption.clone());
    let mut rtts: Vec<u32> = outcomes
        .iter()
        .flat_map(|o| o.rtts_us.iter().copied())
        .collect();
    rtts.sort_unstable();
    let mut connects: Vec<u64> = outcomes
        .iter()
        .filter(|o| o.connected)
        .map(|o| o.connect_us)
        .collect();
    connects.sort_unstable();
    let bytes_each_way: u64 = (0..n)
        .flat_map(|id| (0..args.messages).map(move |m| (id, m)))
        .map(|(id, m)| message(id, m, config.max_pad).len() as u64)
        .sum();

    let total_s = (t_end - t_begin).as_secs_f64();
    let connect_s = (t_connected - t_begin).as_secs_f64();
    let exchange_s = (t_exchanged - t_connected).as_secs_f64();
    let close_s = (t_end - t_exchanged).as_secs_f64();
    let msgs_per_s = ok as f64 / exchange_s;
    let passed = connected == n
        && ok == expected
        && corrupted == 0
        && lost == 0
        && extra == 0
        && unclean == 0
        && errors.is_empty();

    let mut figures: Vec<(&str, String)> = vec![
        ("CLIENTS", n.to_string()),
        ("MESSAGES", args.messages.to_string()),
        ("EXPECTED", expected.to_string()),
        ("CONNECTED", connected.to_string()),
        ("OK", ok.to_string()),
        ("CORRUPTED", corrupted.to_string()),
        ("LOST", lost.to_string()),
        ("SPLIT_ECHOES", split.to_string()),
        ("EXTRA_BYTES", extra.to_string()),
        ("UNCLEAN_CLOSES", unclean.to_string()),
        ("ERRORS", errors.values().sum::<usize>().to_string()),
        ("BYTES_EACH_WAY", bytes_each_way.to_string()),
        ("TOTAL_S", format!("{total_s:.3}")),
        ("CONNECT_S", format!("{connect_s:.3}")),
        ("EXCHANGE_S", format!("{exchange_s:.3}")),
        ("CLOSE_S", format!("{close_s:.3}")),
        ("MSGS_PER_S", format!("{msgs_per_s:.0}")),
        ("RTT_P50_MS", ms(percentile(&rtts, 50.0))),
        ("RTT_P90_MS", ms(percentile(&rtts, 90.0))),
        ("RTT_P99_MS", ms(percentile(&rtts, 99.0))),
        ("RTT_P999_MS", ms(percentile(&rtts, 99.9))),
        ("RTT_MAX_MS", ms(rtts.last().map(|&x| x as u64))),
        ("CONNECT_P50_MS", ms(percentile(&connects, 50.0))),
        ("CONNECT_P99_MS", ms(percentile(&connects, 99.0))),
        ("CONNECT_MAX_MS", ms(connects.last().copied())),
        (
            "LISTEN_OVERFLOWS",
            delta(overflows_before, overflows_after, |c| c.0),
        ),
        (
            "LISTEN_DROPS",
            delta(overflows_before, overflows_after, |c| c.1),
        ),
        ("PASSED", (passed as u8).to_string()),
    ];
    if let Some(s) = server_before {
        figures.push(("SERVER_RSS_BEFORE_KB", s.rss_kb.to_string()));
    }
    if let Some(s) = server_peak {
        figures.push(("SERVER_HWM_KB", s.hwm_kb.to_string()));
        figures.push(("SERVER_RSS_PEAK_KB", s.rss_kb.to_string()));
        figures.push(("SERVER_THREADS", s.threads.to_string()));
        figures.push(("SERVER_FDS_PEAK", s.fds.to_string()));
    }
    if let Some(own) = proc_status(std::process::id()) {
        figures.push(("LOADER_HWM_KB", own.hwm_kb.to_string()));
    }

    // The human summary.
    println!("  connected       {connected}/{n} in {connect_s:.3} s (connect p50 {} ms, p99 {} ms, max {} ms)",
        ms(percentile(&connects, 50.0)), ms(percentile(&connects, 99.0)), ms(connects.last().copied()));
    println!("  exchanged       {ok}/{expected} echoes intact in {exchange_s:.3} s = {msgs_per_s:.0} msgs/s ({bytes_each_way} bytes each way)");
    println!(
        "  round trip      p50 {} ms, p90 {} ms, p99 {} ms, p99.9 {} ms, max {} ms",
        ms(percentile(&rtts, 50.0)),
        ms(percentile(&rtts, 90.0)),
        ms(percentile(&rtts, 99.0)),
        ms(percentile(&rtts, 99.9)),
        ms(rtts.last().map(|&x| x as u64))
    );
    println!("  lost {lost}, corrupted {corrupted}, stray bytes {extra}, unclean closes {unclean}; {split} echoes arrived in more than one read");
    println!("  closed          in {close_s:.3} s; total {total_s:.3} s");
    println!(
        "  listen queue    overflows {}, drops {} (TcpExt, whole namespace, during the run)",
        delta(overflows_before, overflows_after, |c| c.0),
        delta(overflows_before, overflows_after, |c| c.1)
    );
    if let Some(s) = server_peak {
        let who = if server_stop.is_some() {
            "this process (server + clients)"
        } else {
            "server"
        };
        println!(
            "  {who}: peak RSS (VmHWM) {:.1} MB, RSS with all clients open {:.1} MB{}, {} threads, {} open descriptors",
            s.hwm_kb as f64 / 1024.0,
            s.rss_kb as f64 / 1024.0,
            server_before
                .map(|b| format!(" (idle: {:.1} MB)", b.rss_kb as f64 / 1024.0))
                .unwrap_or_default(),
            s.threads,
            s.fds
        );
    }
    if let Some(why) = &server_stop {
        println!("  in-process server stopped: {why}");
        figures.push(("IN_PROCESS_STOP", format!("{why:?}")));
    }
    for (err, count) in &errors {
        println!("  error x{count}: {err}");
    }
    if let Some(example) = &corruption_example {
        println!("  first corruption: {example}");
    }
    println!("  result: {}", if passed { "PASS" } else { "FAIL" });

    if let Some(path) = &args.out {
        let mut text = String::new();
        for (key, value) in &figures {
            text.push_str(&format!("{key}={value}\n"));
        }
        if let Err(err) = std::fs::File::create(path).and_then(|mut f| f.write_all(text.as_bytes()))
        {
            eprintln!("echo-load: writing {}: {err}", path.display());
            return ExitCode::from(2);
        }
    }
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// One client through the four phases. Waits at every barrier whatever
/// happens, so one failure cannot stall the others.
async fn client(id: usize, config: Arc<Config>, barriers: Arc<Barriers>) -> Outcome {
    let mut out = Outcome::default();
    let io = config.io_timeout;
    let t0 = Instant::now();
    let mut stream = match timeout(io, TcpStream::connect(config.addr)).await {
        Ok(Ok(stream)) => Some(stream),
        Ok(Err(err)) => {
            out.error = Some(format!("connect: {err}"));
            None
        }
        Err(_) => {
            out.error = Some(format!("connect: no answer in {io:?}"));
            None
        }
    };
    out.connect_us = t0.elapsed().as_micros() as u64;
    out.connected = stream.is_some();
    barriers.connected.wait().await;

    match stream.as_mut() {
        Some(stream) => exchange(id, stream, &config, &mut out).await,
        None => out.lost = config.messages as u64,
    }
    barriers.exchanged.wait().await;
    barriers.close.wait().await;

    if let Some(mut stream) = stream {
        if out.error.is_none() {
            close(&mut stream, io, &mut out).await;
        }
    }
    out
}

/// Sends each message and reads its echo until complete, comparing bytes.
async fn exchange(id: usize, stream: &mut TcpStream, config: &Config, out: &mut Outcome) {
    let io = config.io_timeout;
    let mut buf = vec![0u8; 64 + config.max_pad + 32];
    out.rtts_us.reserve(config.messages);
    for m in 0..config.messages {
        let msg = message(id, m, config.max_pad);
        let len = msg.len();
        let left = (config.messages - m) as u64;
        let t = Instant::now();
        match timeout(io, stream.write_all(&msg)).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => return fail(out, left, format!("write: {err}")),
            Err(_) => return fail(out, left, format!("write: blocked for {io:?}")),
        }
        let (mut got, mut reads) = (0, 0);
        while got < len {
            match timeout(io, stream.read(&mut buf[got..len])).await {
                Ok(Ok(0)) => return fail(out, left, "server closed the connection mid-run".into()),
                Ok(Ok(k)) => {
                    got += k;
                    reads += 1;
                }
                Ok(Err(err)) => return fail(out, left, format!("read: {err}")),
                Err(_) => return fail(out, left, format!("echo not complete after {io:?}")),
            }
        }
        out.rtts_us
            .push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
        if reads > 1 {
            out.split += 1;
        }
        if buf[..len] == msg[..] {
            out.ok += 1;
        } else {
            out.corrupted += 1;
            if out.first_corruption.is_none() {
                out.first_corruption = Some(format!(
                    "client {id} message {m}: sent {:?}, got {:?}",
                    String::from_utf8_lossy(&msg),
                    String::from_utf8_lossy(&buf[..len])
                ));
            }
        }
    }
}

fn fail(out: &mut Outcome, left: u64, error: String) {
    out.lost += left;
    out.error = Some(error);
}

/// Half-closes and reads until the server closes too; counts stray bytes.
async fn close(stream: &mut TcpStream, io: Duration, out: &mut Outcome) {
    if let Err(err) = stream.shutdown().await {
        out.error = Some(format!("shutdown: {err}"));
        return;
    }
    let mut buf = [0u8; 1024];
    loop {
        match timeout(io, stream.read(&mut buf)).await {
            Ok(Ok(0)) => {
                out.clean_close = true;
                return;
            }
            Ok(Ok(k)) => out.extra_bytes += k as u64,
            Ok(Err(err)) => {
                out.error = Some(format!("closing: {err}"));
                return;
            }
            Err(_) => {
                out.error = Some(format!("closing: server did not close within {io:?}"));
                return;
            }
        }
    }
}

/// Client `id`'s message `m`: distinct, newline-terminated, 34 + 8..=max_pad
/// bytes of printable pseudo-random padding (the same on every run).
fn message(id: usize, m: usize, max_pad: usize) -> Vec<u8> {
    let mut x = splitmix64(((id as u64) << 32) | m as u64);
    let pad = 8 + (x % (max_pad as u64 - 8 + 1)) as usize;
    let mut v = format!("client {id:04} message {m:04} ").into_bytes();
    for _ in 0..pad {
        x = splitmix64(x);
        v.push(b'!' + (x % 94) as u8);
    }
    v.push(b'\n');
    v
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Nearest-rank percentile of sorted microsecond samples.
fn percentile<T: Copy + Into<u64>>(sorted: &[T], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1].into())
}

fn ms(us: Option<u64>) -> String {
    match us {
        Some(us) => format!("{:.3}", us as f64 / 1000.0),
        None => "-".into(),
    }
}

async fn timeout_at<F: std::future::Future>(
    deadline: tokio::time::Instant,
    f: F,
) -> Option<F::Output> {
    tokio::time::timeout_at(deadline, f).await.ok()
}

#[derive(Clone, Copy)]
struct ProcStatus {
    hwm_kb: u64,
    rss_kb: u64,
    threads: u64,
    fds: usize,
}

/// `VmHWM`, `VmRSS` and `Threads` from /proc/PID/status; open descriptors.
fn proc_status(pid: u32) -> Option<ProcStatus> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
    };
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0);
    Some(ProcStatus {
        hwm_kb: field("VmHWM:")?,
        rss_kb: field("VmRSS:")?,
        threads: field("Threads:").unwrap_or(0),
        fds,
    })
}

/// TcpExt `ListenOverflows` and `ListenDrops` from /proc/net/netstat.
fn listen_counters() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/net/netstat").ok()?;
    let mut lines = text.lines().filter(|l| l.starts_with("TcpExt:"));
    let names: Vec<&str> = lines.next()?.split_whitespace().collect();
    let values: Vec<&str> = lines.next()?.split_whitespace().collect();
    let get = |key: &str| {
        let i = names.iter().position(|n| *n == key)?;
        values.get(i)?.parse::<u64>().ok()
    };
    Some((get("ListenOverflows")?, get("ListenDrops")?))
}

fn delta(
    before: Option<(u64, u64)>,
    after: Option<(u64, u64)>,
    pick: fn((u64, u64)) -> u64,
) -> String {
    match (before, after) {
        (Some(b), Some(a)) => (pick(a) - pick(b)).to_string(),
        _ => "-".into(),
    }
}

/// The library's multi server on its own single-threaded runtime, like the
/// CLI's, stopping after `clients` connections or `limit`.
fn start_in_process(
    clients: u64,
    limit: Duration,
) -> (SocketAddr, std::thread::JoinHandle<tcplab_lab::StopReason>) {
    use tcplab_lab::echo::{self, EchoOptions, EchoVersion};
    use tcplab_lab::{event, Limits};
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        runtime.block_on(async move {
            let listener = tcplab_lab::bind("127.0.0.1:0".parse().unwrap()).expect("bind");
            tx.send(listener.local_addr().expect("local address"))
                .unwrap();
            let options = EchoOptions {
                limits: Limits {
                    max_clients: Some(clients),
                    max_time: Some(limit),
                    // Every client at once: the load is the point.
                    max_connections: None,
                },
                ..Default::default()
            };
            echo::serve(listener, EchoVersion::Multi, options, event::discard()).await
        })
    });
    let addr = rx.recv().expect("the server thread reports its address");
    (addr, handle)
}
