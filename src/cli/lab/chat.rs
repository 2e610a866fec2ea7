//! `tcplab chat-server` and `tcplab chat-client`.
//!
//! The password comes from exactly one of `--password` (visible to anyone
//! running `ps`), `--password-file` or [`PASSWORD_VAR`]: for the server
//! one is required; the client sends it as its first line, or, given none,
//! the user types it.

use super::{parse_bytes_as, parse_duration, stderr_log, until_interrupted, ListenArgs};
use anyhow::{bail, Context};
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use tcplab_lab::chat::{self, ChatOptions};
use tcplab_lab::chat_client;
use tokio::io::BufReader;

/// The environment variable that may hold the chat server's password.
pub const PASSWORD_VAR: &str = "TCPLAB_CHAT_PASSWORD";

#[derive(Args, Debug)]
#[command(
    after_help = "The password, the word every client must send before it may talk, \
comes from exactly one of --password, --password-file or the environment variable \
TCPLAB_CHAT_PASSWORD. --password shows it to anyone who runs `ps`; prefer the other two."
)]
pub struct ChatServerArgs {
    #[command(flatten)]
    pub listen: ListenArgs,
    /// The password (visible in `ps`: prefer --password-file or TCPLAB_CHAT_PASSWORD)
    #[arg(long)]
    pub password: Option<String>,
    /// Read the password from the first line of this file
    #[arg(long, value_name = "PATH")]
    pub password_file: Option<PathBuf>,
    /// Expel clients silent this long
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub idle_timeout: Duration,
    /// Expel a client when more than this much output waits for it to read (e.g. 65536, 64KiB, 1MiB)
    #[arg(long, value_name = "BYTES", default_value = "1MiB", value_parser = parse_bytes_as::<usize>)]
    pub max_pending: usize,
    /// Expel a client whose socket takes longer than this to accept one line
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub write_timeout: Duration,
}

pub async fn serve(args: ChatServerArgs) -> anyhow::Result<ExitCode> {
    let password = password(&args)?;
    let listener = args.listen.listen()?;
    let options = ChatOptions {
        password,
        idle_timeout: Some(args.idle_timeout),
        max_pending: args.max_pending,
        write_timeout: args.write_timeout,
        limits: args.listen.limits(),
    };
    let sink = stderr_log("chat-server");
    until_interrupted(async { Ok(chat::serve(listener, options, sink).await) }).await
}

/// The password from the one source given (see [`PASSWORD_VAR`]).
fn password(args: &ChatServerArgs) -> anyhow::Result<String> {
    password_from(args.password.as_deref(), args.password_file.as_deref())?.ok_or_else(|| {
        anyhow::anyhow!(
            "give the chat password with one of --password, --password-file PATH \
             or the environment variable {PASSWORD_VAR}"
        )
    })
}

/// The password from at most one of the flag, the file (its first line)
/// and [`PASSWORD_VAR`]; `None` when none is given.
fn password_from(flag: Option<&str>, file: Option<&Path>) -> anyhow::Result<Option<String>> {
    let from_env = std::env::var_os(PASSWORD_VAR);
    let count = [flag.is_some(), file.is_some(), from_env.is_some()]
        .iter()
        .filter(|&&g| g)
        .count();
    if count > 1 {
        bail!(
            "give the chat password with only one of --password, --password-file PATH \
             or the environment variable {PASSWORD_VAR} ({count} given)"
        );
    }
    let password = if let Some(password) = flag {
        password.to_owned()
    } else if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading --password-file {}", path.display()))?;
        let first = text.split('\n').next().unwrap_or_default();
        first.strip_suffix('\r').unwrap_or(first).to_owned()
    } else if let Some(value) = from_env {
        value
            .into_string()
            .map_err(|_| anyhow::anyhow!("{PASSWORD_VAR} is not valid UTF-8"))?
    } else {
        return Ok(None);
    };
    if password.is_empty() {
        bail!("the chat password is empty (--password, --password-file or {PASSWORD_VAR})");
    }
    Ok(Some(password))
}

#[derive(Args, Debug)]
pub struct ChatClientArgs {
    /// Server name or address (IPv4 or IPv6)
    pub host: String,
    /// Server port
    pub port: u16,
    /// Send this password as the first line (visible in `ps`: prefer
    /// --password-file or TCPLAB_CHAT_PASSWORD); without any, type it
    #[arg(long)]
    pub password: Option<String>,
    /// Send the first line of this file as the password
    #[arg(long, value_name = "PATH")]
    pub password_file: Option<PathBuf>,
}

pub async fn client(args: ChatClientArgs) -> anyhow::Result<ExitCode> {
    let password = password_from(args.password.as_deref(), args.password_file.as_deref())?;
    let (host, port) = (args.host.as_str(), args.port);
    let stream = tcplab_lab::connect(host, port)
        .await
        .with_context(|| format!("connecting to {host} port {port}"))?;
    let input = BufReader::new(tokio::io::stdin());
    chat_client::run(stream, input, tokio::io::stdout(), password.as_deref()).await?;
    eprintln!("chat-client: the server closed the connection");
    Ok(ExitCode::SUCCESS)
}
