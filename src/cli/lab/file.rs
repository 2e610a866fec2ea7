//! `tcplab file-server` and `tcplab send-file`: the lab's protocol by
//! default, tcplab's verified exchange with `--verified` on both ends.

use super::{parse_bytes, parse_digits, parse_duration, stderr_log, until_interrupted, ListenArgs};
use crate::cli::values::ModeArg;
use anyhow::{anyhow, Context};
use clap::{ArgGroup, Args};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tcplab_lab::file_copy::{
    self, Contents, FileContents, FileServerOptions, Mode, Protocol, SendEnd, SendRequest,
    ServerProtocol, Store,
};
use tcplab_lab::framing::HeaderWidth;

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("store").required(true).args(["dir", "out"])))]
pub struct FileServerArgs {
    #[command(flatten)]
    pub listen: ListenArgs,
    /// Directory to store received files in (must exist); the lab's protocol
    /// carries no name, so each file is named received-IP-PORT after its sender
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Store one file under this name (it must not exist), then stop
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// How the senders send (the lab's protocol has no header saying it):
    /// lines, ended by their FIN; whole, one A-PDU then FIN. Default: whole
    #[arg(long, value_enum, conflicts_with = "verified")]
    pub mode: Option<ModeArg>,
    /// Digits in the whole-mode header. Default: 6, files up to 999,999 bytes
    #[arg(long, value_name = "N", value_parser = parse_digits, conflicts_with = "verified")]
    pub header_digits: Option<HeaderWidth>,
    /// Speak tcplab's verified exchange (name, size and SHA-256 first, a
    /// verdict last) instead of the lab's protocol; the sender needs --verified too
    #[arg(long)]
    pub verified: bool,
    /// Stop after storing this many files
    #[arg(long, value_name = "N")]
    pub max_files: Option<u64>,
    /// Drop senders silent this long
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub idle_timeout: Duration,
    /// Refuse files larger than this many bytes (a limit on disk use: the
    /// server writes what arrives to disk as it comes, never holding a file in memory)
    #[arg(long, value_name = "BYTES", default_value_t = file_copy::FileServerOptions::default().max_size, value_parser = parse_bytes)]
    pub max_size: u64,
    /// Read at most this many bytes per second (a slow reader: the receive window fills)
    #[arg(long, value_name = "BYTES_PER_S", value_parser = parse_bytes)]
    pub slow_reader: Option<u64>,
}

pub async fn serve(args: FileServerArgs) -> anyhow::Result<ExitCode> {
    let store = match (args.dir, args.out) {
        (Some(dir), _) => Store::Dir(dir),
        (None, Some(out)) => Store::File(out),
        (None, None) => return Err(anyhow!("give --dir DIR or --out FILE")),
    };
    let mode = args.mode.unwrap_or(ModeArg::Whole);
    let width = args.header_digits.unwrap_or(HeaderWidth::LAB);
    let protocol = if args.verified {
        ServerProtocol::Verified
    } else {
        ServerProtocol::Lab {
            mode: mode.into(),
            width,
        }
    };
    let listener = args.listen.listen()?;
    eprintln!("file-server: {}", describe(&protocol, &store));
    let options = FileServerOptions {
        limits: args.listen.limits(),
        protocol,
        max_files: args.max_files,
        idle_timeout: Some(args.idle_timeout),
        max_size: args.max_size,
        read_rate: args.slow_reader,
    };
    let sink = stderr_log("file-server");
    until_interrupted(async { Ok(file_copy::serve(listener, &store, options, sink).await?) }).await
}

/// What the server expects and where it stores, for its first log line.
fn describe(protocol: &ServerProtocol, store: &Store) -> String {
    let what = match protocol {
        ServerProtocol::Lab {
            mode: Mode::Lines, ..
        } => "the lab's protocol, lines: the file's bytes up to the sender's FIN".to_owned(),
        ServerProtocol::Lab {
            mode: Mode::Whole,
            width,
        } => format!(
            "the lab's protocol, whole: one message ({}-digit length, ':', the file), then FIN",
            width.digits()
        ),
        ServerProtocol::Verified => "tcplab's verified exchange (send-file --verified)".to_owned(),
    };
    let into = match (store, protocol) {
        (Store::File(path), _) => format!("storing one file as {}", path.display()),
        (Store::Dir(dir), ServerProtocol::Verified) => {
            format!(
                "storing in {} under the names the senders give",
                dir.display()
            )
        }
        (Store::Dir(dir), _) => format!(
            "storing in {} as received-IP-PORT (the sender's address)",
            dir.display()
        ),
    };
    format!("expecting {what}; {into}")
}

#[derive(Args, Debug)]
pub struct SendFileArgs {
    /// The file to send
    pub file: PathBuf,
    /// Server name or address (IPv4 or IPv6)
    pub host: String,
    /// Server port
    pub port: u16,
    /// lines: one send per line, ended by FIN; whole: one A-PDU, one send, then FIN
    #[arg(long, value_enum, default_value_t = ModeArg::Whole)]
    pub mode: ModeArg,
    /// Digits in the whole-mode header (6: files up to 999,999 bytes)
    #[arg(long, value_name = "N", default_value = "6", value_parser = parse_digits)]
    pub header_digits: HeaderWidth,
    /// Speak tcplab's verified exchange: announce name, size and SHA-256 and
    /// wait for the server's verdict (the server needs --verified too)
    #[arg(long)]
    pub verified: bool,
    /// With --verified: the name to store the file under (default: the file's own name)
    #[arg(long, requires = "verified")]
    pub name: Option<String>,
    /// After sending, wait at most this long for the server to close the connection
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub wait_close: Duration,
}

pub async fn send(args: SendFileArgs) -> anyhow::Result<ExitCode> {
    let path = &args.file;
    let name = match &args.name {
        Some(name) => name.clone(),
        None => path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_owned)
            .ok_or_else(|| {
                anyhow!(
                    "{}: no usable file name; give one with --name",
                    path.display()
                )
            })?,
    };
    crate::run_and_capture::payload::check_file(path)?;
    // Read as it is sent: memory does not grow with the file.
    let contents =
        FileContents::new(path).with_context(|| format!("reading {}", path.display()))?;
    let request = SendRequest {
        name: &name,
        contents: &contents,
        mode: args.mode.into(),
        width: args.header_digits,
        protocol: if args.verified {
            Protocol::Verified
        } else {
            Protocol::Lab
        },
        close_wait: Some(args.wait_close),
    };
    request.check()?;
    println!(
        "sending {name} ({}): {} bytes",
        how(&request),
        contents.size()
    );
    let (host, port) = (args.host.as_str(), args.port);
    let stream = tcplab_lab::connect(host, port)
        .await
        .with_context(|| format!("connecting to {host} port {port}"))?;
    let sent = file_copy::send_over(stream, &request)
        .await
        .with_context(|| format!("sending {}", path.display()))?;
    println!("sent {} in {}", sent.digest, writes(sent.writes));
    match sent.end {
        SendEnd::Confirmed => {
            println!("server stored {name}: the same bytes and SHA-256 (identical)")
        }
        SendEnd::ServerClosed { bytes_back } => println!(
            "sent; the server closed the connection after our FIN{}. The lab's protocol \
             has no reply: the server's log says whether it stored the file (--verified \
             on both ends checks it)",
            back(bytes_back)
        ),
        SendEnd::ServerStillOpen { waited, bytes_back } => println!(
            "sent; the server had not closed the connection {waited:?} after our FIN{}, \
             so we closed ours (--wait-close)",
            back(bytes_back)
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// How the data travels, for the first line.
fn how(request: &SendRequest<'_>) -> String {
    let protocol = match request.protocol {
        Protocol::Lab => "the lab's protocol",
        Protocol::Verified => "verified exchange",
    };
    match request.mode {
        Mode::Lines => format!(
            "{protocol}, lines: one send per line, a line over {} KiB in pieces, then FIN",
            file_copy::LINE_PIECE_MAX / 1024
        ),
        Mode::Whole => format!(
            "{protocol}, whole: a {}-byte header and the file as one message (one sendall), then FIN",
            request.width.header_len()
        ),
    }
}

fn writes(n: u64) -> String {
    match n {
        1 => "1 send".to_owned(),
        n => format!("{n} sends"),
    }
}

fn back(bytes: u64) -> String {
    match bytes {
        0 => String::new(),
        1 => "; it sent 1 byte back, which the lab's protocol does not expect".to_owned(),
        n => format!("; it sent {n} bytes back, which the lab's protocol does not expect"),
    }
}
