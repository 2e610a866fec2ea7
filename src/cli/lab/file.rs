//! `tcplab file-server` and `tcplab send-file`.

use super::{parse_digits, parse_duration, stderr_log, until_interrupted, ListenArgs};
use crate::cli::values::ModeArg;
use anyhow::{anyhow, Context};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tcplab_lab::file_copy::{self, FileServerOptions, SendRequest};
use tcplab_lab::framing::HeaderWidth;

#[derive(Args, Debug)]
pub struct FileServerArgs {
    #[command(flatten)]
    pub listen: ListenArgs,
    /// Directory to store received files in (must exist)
    #[arg(long)]
    pub dir: PathBuf,
    /// Stop after storing this many files
    #[arg(long, value_name = "N")]
    pub max_files: Option<u64>,
    /// Drop senders silent this long
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub idle_timeout: Duration,
    /// Refuse files larger than this many bytes
    #[arg(long, value_name = "BYTES", default_value_t = file_copy::FileServerOptions::default().max_size)]
    pub max_size: u64,
    /// Read at most this many bytes per second (a slow reader: the receive window fills)
    #[arg(long, value_name = "BYTES_PER_S")]
    pub slow_reader: Option<u64>,
}

pub async fn serve(args: FileServerArgs) -> anyhow::Result<ExitCode> {
    let listener = args.listen.listen()?;
    let options = FileServerOptions {
        limits: args.listen.limits(),
        max_files: args.max_files,
        idle_timeout: Some(args.idle_timeout),
        max_size: args.max_size,
        read_rate: args.slow_reader,
    };
    let sink = stderr_log("file-server");
    let dir = args.dir;
    until_interrupted(async { Ok(file_copy::serve(listener, &dir, options, sink).await?) }).await
}

#[derive(Args, Debug)]
pub struct SendFileArgs {
    /// The file to send
    pub file: PathBuf,
    /// Server name or address (IPv4 or IPv6)
    pub host: String,
    /// Server port
    pub port: u16,
    /// lines: one send per line, ended by FIN; whole: one A-PDU, one send
    #[arg(long, value_enum, default_value_t = ModeArg::Whole)]
    pub mode: ModeArg,
    /// Digits in the whole-mode header (6: files up to 999,999 bytes)
    #[arg(long, value_name = "N", default_value = "6", value_parser = parse_digits)]
    pub header_digits: HeaderWidth,
    /// Name to store the file under (default: the file's own name)
    #[arg(long)]
    pub name: Option<String>,
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
    let contents = tokio::fs::read(path)
        .await
        .with_context(|| format!("reading {}", path.display()))?;
    let request = SendRequest {
        name: &name,
        contents: &contents,
        mode: args.mode.into(),
        width: args.header_digits,
    };
    let local = request.check()?;
    let mode = format!("{:?}", args.mode).to_lowercase();
    println!("sending {name} ({mode}): {local}");
    let (host, port) = (args.host.as_str(), args.port);
    let stream = tcplab_lab::connect(host, port)
        .await
        .with_context(|| format!("connecting to {host} port {port}"))?;
    let stored = file_copy::send_over(stream, &request).await?;
    println!("server stored {name}: {stored} (identical)");
    Ok(ExitCode::SUCCESS)
}
