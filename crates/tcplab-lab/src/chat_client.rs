//! A chat client: whatever the user types goes to the server, whatever the
//! server sends is printed, both at once (like `nc`).
//!
//! In: a connected stream, the user's input, optionally the password to send
//! first. Out: the server's text copied to `output`. When the input ends our
//! side is closed (FIN) and the client keeps printing until the server closes;
//! when the server closes, the client ends at once.

use std::io;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Debug, thiserror::Error)]
pub enum ChatClientError {
    #[error("reading the input: {0}")]
    Input(io::Error),
    #[error("writing the output: {0}")]
    Output(io::Error),
    #[error("talking to the server: {0}")]
    Connection(io::Error),
}

/// Runs until the server closes the connection.
pub async fn run<I, O>(
    stream: TcpStream,
    mut input: I,
    mut output: O,
    password: Option<&str>,
) -> Result<(), ChatClientError>
where
    I: AsyncBufRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let (mut from_server, mut to_server) = stream.into_split();
    if let Some(password) = password {
        let line = format!("{password}\n");
        to_server
            .write_all(line.as_bytes())
            .await
            .map_err(ChatClientError::Connection)?;
    }
    let mut typed = Vec::new();
    let mut input_open = true;
    let mut received = vec![0u8; 4096];
    loop {
        tokio::select! {
            n = from_server.read(&mut received) => {
                let n = match n {
                    Ok(0) => return Ok(()),
                    Ok(n) => n,
                    Err(err) if err.kind() == io::ErrorKind::ConnectionReset => return Ok(()),
                    Err(err) => return Err(ChatClientError::Connection(err)),
                };
                output.write_all(&received[..n]).await.map_err(ChatClientError::Output)?;
                output.flush().await.map_err(ChatClientError::Output)?;
            }
            // `read_until` keeps partial input in `typed` if the other branch wins.
            n = input.read_until(b'\n', &mut typed), if input_open => {
                if n.map_err(ChatClientError::Input)? == 0 {
                    input_open = false;
                    let _ = to_server.shutdown().await;
                } else {
                    if typed.last() != Some(&b'\n') {
                        typed.push(b'\n');
                    }
                    let sent = to_server.write_all(&typed).await;
                    typed.clear();
                    sent.map_err(ChatClientError::Connection)?;
                }
            }
        }
    }
}
