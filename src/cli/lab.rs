//! The lab's programs as subcommands: echo servers and client, group chat,
//! remote file copy. Each builds options from its arguments, runs the library
//! (`tcplab::lab`) on a tokio runtime and prints.
//!
//! Servers print `listening on ADDR` on stdout before anything else (so a
//! script can learn the port chosen for `--port 0`) and one line per event on
//! stderr; `--max-clients` / `--max-time` make them stop by themselves.

mod chat;
mod echo;
mod file;

use crate::signals::StopSignals;
use anyhow::Context;
use clap::{Args, Subcommand};
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tcplab_lab::event::{EventSink, StopReason};
use tcplab_lab::server::DEFAULT_MAX_CONNECTIONS;
use tcplab_lab::{bind, Limits, DEFAULT_PORT};
use tcplab_wire::duration::{self, Bare};
use tcplab_wire::size;
use tokio::net::TcpListener;

/// How long, at exit, the runtime waits for blocked work (a pending read of
/// the terminal would otherwise keep the process alive).
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

#[derive(Subcommand, Debug)]
pub enum LabCommand {
    /// Run one of the lab's echo servers (v1, v1_2, v1_3, v2, v3_7)
    EchoServer(echo::EchoServerArgs),
    /// Send each input line to an echo server and print the reply
    EchoClient(echo::EchoClientArgs),
    /// Run the group chat server: password first, idle clients expelled
    ChatServer(chat::ChatServerArgs),
    /// Talk to the chat server (plain `nc HOST PORT` works too)
    ChatClient(chat::ChatClientArgs),
    /// Receive files (final exercise 2): the lab's protocol, or --verified
    FileServer(file::FileServerArgs),
    /// Send a file to a file server, line by line or in one message
    SendFile(file::SendFileArgs),
}

/// Runs a lab subcommand on its own runtime.
pub fn run(cmd: LabCommand) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    let result = runtime.block_on(async move {
        match cmd {
            LabCommand::EchoServer(args) => echo::serve(args).await,
            LabCommand::EchoClient(args) => echo::client(args).await,
            LabCommand::ChatServer(args) => chat::serve(args).await,
            LabCommand::ChatClient(args) => chat::client(args).await,
            LabCommand::FileServer(args) => file::serve(args).await,
            LabCommand::SendFile(args) => file::send(args).await,
        }
    });
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    result
}

/// Where a server listens and when it stops.
#[derive(Args, Debug)]
pub struct ListenArgs {
    /// Address to listen on (0.0.0.0: every IPv4 interface; :: every IPv6 one)
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::UNSPECIFIED))]
    pub bind: IpAddr,
    /// Port to listen on; 0 picks a free one (printed on stdout)
    #[arg(long, short, default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// Stop after accepting this many connections and serving them
    #[arg(long, value_name = "N")]
    pub max_clients: Option<u64>,
    /// Stop after this long, closing open connections (e.g. 30s, 500ms, 2m)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_time: Option<Duration>,
    /// Serve at most this many clients at once (multi, framed, chat, file
    /// server); more wait in the listen queue until one leaves. 0: no cap
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
}

impl ListenArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            max_clients: self.max_clients,
            max_time: self.max_time,
            max_connections: (self.max_connections > 0).then_some(self.max_connections),
        }
    }

    /// Binds and announces the address on stdout.
    pub fn listen(&self) -> anyhow::Result<TcpListener> {
        let addr = SocketAddr::new(self.bind, self.port);
        let listener = bind(addr).with_context(|| format!("listening on {addr}"))?;
        let local = listener
            .local_addr()
            .context("reading the listening address")?;
        println!("listening on {local}");
        Ok(listener)
    }
}

/// Prints each event as one stderr line, prefixed with the program's name.
/// The line is formatted first and written with one call: stderr is
/// unbuffered, and `eprintln!` would issue a system call per piece.
pub fn stderr_log(program: &'static str) -> EventSink {
    Arc::new(move |event| {
        let line = format!("{program}: {event}\n");
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
    })
}

/// Runs a server until it stops by itself or a signal stops it (Ctrl-C,
/// `kill`, a closed terminal): then the server is dropped, which closes its
/// connections and removes the files it had not finished (the file
/// server's part files), and the program exits with 128 + the signal.
pub async fn until_interrupted<F>(server: F) -> anyhow::Result<ExitCode>
where
    F: Future<Output = anyhow::Result<StopReason>>,
{
    let mut stop = StopSignals::catch().context("catching SIGINT, SIGTERM and SIGHUP")?;
    tokio::select! {
        stopped = server => stopped.map(|_| ExitCode::SUCCESS),
        signal = stop.recv() => {
            eprintln!("interrupted");
            Ok(ExitCode::from(signal.exit_code()))
        }
    }
}

/// `500ms`, `5s`, `1.5s`, `2m`, `1h`; a bare number means seconds (the
/// spelling of `tcplab_wire::duration`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    duration::parse(text, Bare::Seconds).map_err(|e| super::not_a_duration(text, &e))
}

/// A size in bytes, at least 1: `65536`, `64KiB`, `1MiB`, `64k`, `1.5M`
/// (the spelling of `tcplab_wire::size`).
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    match size::parse(text) {
        Ok(0) => Err(format!(
            "{text:?} is not a size: it must be at least 1 byte"
        )),
        Ok(n) => Ok(n),
        Err(why) => Err(super::not_a_size(text, &why)),
    }
}

/// [`parse_bytes`] into a narrower type (`usize` for a size held in
/// memory, `u32` for a socket option).
pub fn parse_bytes_as<T: TryFrom<u64>>(text: &str) -> Result<T, String> {
    let n = parse_bytes(text)?;
    T::try_from(n).map_err(|_| format!("{text:?} is too large a size for this option"))
}

/// A header width in digits, 1 to 18.
pub fn parse_digits(text: &str) -> Result<tcplab_lab::framing::HeaderWidth, String> {
    let digits: u8 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    tcplab_lab::framing::HeaderWidth::new(digits).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("").is_err());
        assert_eq!(parse_duration("250us"), Ok(Duration::from_micros(250)));
        assert_eq!(
            parse_duration("5 parsecs"),
            Err("\"5 parsecs\" is not a duration: unknown unit \"parsecs\"; use ns, us, ms, s, m or h".into())
        );
    }

    #[test]
    fn bytes() {
        assert_eq!(parse_bytes("65536"), Ok(65536));
        assert_eq!(parse_bytes("64KiB"), Ok(65536));
        assert_eq!(parse_bytes("1MiB"), Ok(1 << 20));
        assert_eq!(parse_bytes("512B"), Ok(512));
        assert_eq!(parse_bytes("2M"), Ok(2_000_000));
        assert_eq!(parse_bytes("1.5MiB"), Ok(1_572_864));
        assert_eq!(
            parse_bytes("0"),
            Err("\"0\" is not a size: it must be at least 1 byte".into())
        );
        for bad in ["", "-1", "1.5", "lots", "99999999999999999999GiB"] {
            assert!(parse_bytes(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn digits() {
        assert_eq!(parse_digits("7").unwrap().max_len(), 9_999_999);
        assert!(parse_digits("0").is_err() && parse_digits("19").is_err());
    }
}
