//! `tcplab echo-server` and `tcplab echo-client`.

use super::{parse_bytes, parse_digits, parse_duration, stderr_log, until_interrupted, ListenArgs};
use crate::cli::values::EchoVersionArg;
use anyhow::Context;
use clap::Args;
use std::process::ExitCode;
use std::time::Duration;
use tcplab_lab::echo::{self, EchoOptions};
use tcplab_lab::echo_client::{self, ClientEnd, ClientOptions};
use tcplab_lab::framing::HeaderWidth;
use tokio::io::BufReader;

#[derive(Args, Debug)]
pub struct EchoServerArgs {
    /// Which of the lab's servers to run
    #[arg(long, value_enum, default_value_t = EchoVersionArg::Multi)]
    pub version: EchoVersionArg,
    #[command(flatten)]
    pub listen: ListenArgs,
    /// Close clients silent this long (once: 5s unless set; multi and framed:
    /// expel with a message, exercise 6)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub idle_timeout: Option<Duration>,
    /// Digits in the A-PDU length header (framed)
    #[arg(long, value_name = "N", default_value = "6", value_parser = parse_digits)]
    pub header_digits: HeaderWidth,
    /// framed: close a client whose header announces more bytes than this,
    /// before reading the message (default 1 MiB; the 6-digit header allows
    /// 999,999)
    #[arg(long, value_name = "BYTES", default_value_t = echo::DEFAULT_MAX_MESSAGE, value_parser = parse_bytes)]
    pub max_message: u64,
}

pub async fn serve(args: EchoServerArgs) -> anyhow::Result<ExitCode> {
    let listener = args.listen.listen()?;
    let options = EchoOptions {
        limits: args.listen.limits(),
        idle_timeout: args.idle_timeout,
        width: args.header_digits,
        max_message: args.max_message,
    };
    let sink = stderr_log("echo-server");
    until_interrupted(async { Ok(echo::serve(listener, args.version.into(), options, sink).await) })
        .await
}

#[derive(Args, Debug)]
pub struct EchoClientArgs {
    /// Server name or address (IPv4 or IPv6)
    pub host: String,
    /// Server port
    pub port: u16,
    /// Use the lab's A-PDUs (for `echo-server --version framed`)
    #[arg(long)]
    pub framed: bool,
    /// Close after the first reply (v1_3). A line that is just "." is sent
    /// and ends the client in any case (the v1 server stops at it)
    #[arg(long)]
    pub once: bool,
    /// Send each line with its line end (for line-based servers such as nc -l)
    #[arg(long)]
    pub keep_newline: bool,
    /// Digits in the A-PDU length header (with --framed)
    #[arg(long, value_name = "N", default_value = "6", value_parser = parse_digits)]
    pub header_digits: HeaderWidth,
}

pub async fn client(args: EchoClientArgs) -> anyhow::Result<ExitCode> {
    let (host, port) = (args.host.as_str(), args.port);
    let stream = tcplab_lab::connect(host, port)
        .await
        .with_context(|| format!("connecting to {host} port {port}"))?;
    let peer = stream.peer_addr().context("reading the server's address")?;
    eprintln!("echo-client: connected to {peer}");
    let options = ClientOptions {
        framing: args.framed.then_some(args.header_digits),
        once: args.once,
        keep_newline: args.keep_newline,
    };
    let input = BufReader::new(tokio::io::stdin());
    let report = echo_client::run(stream, input, tokio::io::stdout(), options).await?;
    let how = match report.end {
        ClientEnd::InputDone => "end of input, connection closed",
        ClientEnd::SentDot => "sent \".\", the end of the conversation; connection closed",
        ClientEnd::FirstReply => "first reply received, connection closed",
        ClientEnd::ServerClosed => "the server closed the connection",
    };
    let (sent, replies) = (report.sent, report.replies);
    let unasked = match report.unasked {
        0 => String::new(),
        1 => "; the server also sent 1 message on its own, shown above".to_owned(),
        n => format!("; the server also sent {n} messages on its own, shown above"),
    };
    let not_echo = match report.not_echo {
        0 => String::new(),
        n if n == replies => ", none of them the echo of its line".to_string(),
        n => format!(", {n} of them not the echo of its line"),
    };
    eprintln!("echo-client: {how} ({sent} sent, {replies} replies{not_echo}{unasked})");
    Ok(ExitCode::SUCCESS)
}
