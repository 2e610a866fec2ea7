//! The lab's TCP programs (práctica 4), on real tokio sockets, IPv4 or IPv6.
//!
//! In: a bound `TcpListener` (servers) or a connected `TcpStream` (clients),
//! options, and an [`EventSink`] for the servers' log. Out: the programs'
//! conversations on the wire, events, and each server's [`StopReason`].
//! Nothing here prints or parses command lines; `cli::lab` does.
//!
//! - [`framing`]: the A-PDU codec (`000005:hello`), no I/O;
//!   [`framed_stream`] puts it on tokio streams.
//! - [`echo`]: the echo servers v1, v1_2, v1_3, v2 and v3_7; [`echo_client`].
//! - [`chat`]: the group chat with password and idle expulsion; [`chat_client`];
//!   [`visible`] shows the control characters in what one client sends others.
//! - [`file_copy`]: the remote file copy, line by line or in one message,
//!   in the lab's protocol or tcplab's verified exchange.
//! - [`server`]: binding, and the [`Limits`] that make a server end by itself.
//!
//! A program that captures its own traffic (`run-and-capture`) binds port 0,
//! reads the port back, and runs a server and a client in one process:
//!
//! ```no_run
//! use tcplab_lab::{event, file_copy, framing::HeaderWidth, server};
//! # async fn demo(dir: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
//! let listener = server::bind("127.0.0.1:0".parse()?)?;
//! let addr = listener.local_addr()?;
//! let options = file_copy::FileServerOptions {
//!     max_files: Some(1),
//!     ..Default::default() // the lab's protocol, whole mode, 6-digit header
//! };
//! let store = file_copy::Store::Dir(dir.to_owned());
//! let server = tokio::spawn(async move {
//!     file_copy::serve(listener, &store, options, event::discard()).await
//! });
//! let request = file_copy::SendRequest {
//!     name: "alice30.txt",
//!     contents: b"Alice was beginning to get very tired\n",
//!     mode: file_copy::Mode::Whole,
//!     width: HeaderWidth::LAB,
//!     protocol: file_copy::Protocol::Lab,
//!     close_wait: None,
//! };
//! let sent = file_copy::send(addr, &request).await?;
//! println!("{}", sent.digest);
//! server.await??;
//! # Ok(())
//! # }
//! ```

pub mod chat;
pub mod chat_client;
mod chat_outbox;
pub mod echo;
pub mod echo_client;
mod echo_multi;
pub mod event;
pub mod file_copy;
pub mod framed_stream;
pub mod framing;
pub mod lines;
pub mod server;
pub mod visible;

pub use event::{Event, EventSink, StopReason};
pub use server::{bind, Limits, DEFAULT_PORT};

use std::io;
use tokio::net::TcpStream;

/// Connects to `host:port`, trying each address the name resolves to
/// (IPv4 and IPv6 literals work as they are).
pub async fn connect(host: &str, port: u16) -> io::Result<TcpStream> {
    TcpStream::connect((host, port)).await
}
