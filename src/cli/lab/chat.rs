//! `tcplab chat-server` and `tcplab chat-client`.

use super::{parse_duration, stderr_log, until_interrupted, ListenArgs};
use anyhow::Context;
use clap::Args;
use std::process::ExitCode;
use std::time::Duration;
use tcplab_lab::chat::{self, ChatOptions};
use tcplab_lab::chat_client;
use tokio::io::BufReader;

#[derive(Args, Debug)]
pub struct ChatServerArgs {
    #[command(flatten)]
    pub listen: ListenArgs,
    /// The word every client must send before it may talk
    #[arg(long)]
    pub password: String,
    /// Expel clients silent this long
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub idle_timeout: Duration,
}

pub async fn serve(args: ChatServerArgs) -> anyhow::Result<ExitCode> {
    let listener = args.listen.listen()?;
    let options = ChatOptions {
        password: args.password,
        idle_timeout: Some(args.idle_timeout),
        limits: args.listen.limits(),
    };
    let sink = stderr_log("chat-server");
    until_interrupted(async { Ok(chat::serve(listener, options, sink).await) }).await
}

#[derive(Args, Debug)]
pub struct ChatClientArgs {
    /// Server name or address (IPv4 or IPv6)
    pub host: String,
    /// Server port
    pub port: u16,
    /// Send this password as the first line
    #[arg(long)]
    pub password: Option<String>,
}

pub async fn client(args: ChatClientArgs) -> anyhow::Result<ExitCode> {
    let (host, port) = (args.host.as_str(), args.port);
    let stream = tcplab_lab::connect(host, port)
        .await
        .with_context(|| format!("connecting to {host} port {port}"))?;
    let input = BufReader::new(tokio::io::stdin());
    let password = args.password.as_deref();
    chat_client::run(stream, input, tokio::io::stdout(), password).await?;
    eprintln!("chat-client: the server closed the connection");
    Ok(ExitCode::SUCCESS)
}
