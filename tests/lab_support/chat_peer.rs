//! Chat clients written in the test itself, on std sockets, for what `nc`
//! cannot do on cue: send exact bytes (control characters, bursts of
//! thousands of lines in one write), read every line as raw bytes, or never
//! read at all with a tiny receive buffer.

use super::PATIENCE;
use socket2::{Domain, Protocol, Socket, Type};
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::thread;
use std::time::Instant;

/// A logged-in member whose every received line is collected by a thread
/// that reads continuously.
pub struct Peer {
    stream: TcpStream,
    lines: Receiver<Vec<u8>>,
    /// The address the server calls us by.
    pub local: SocketAddr,
    seen: Vec<String>,
}

impl Peer {
    /// Connects, gives `password` and waits for the welcome.
    pub fn join(addr: SocketAddr, password: &str) -> Peer {
        let stream = TcpStream::connect(addr).expect("connecting to the chat server");
        let local = stream.local_addr().expect("local address");
        let reader = stream.try_clone().expect("cloning the socket");
        let (tx, lines) = channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(reader);
            loop {
                let mut line = Vec::new();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if tx.send(line).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        let mut peer = Peer {
            stream,
            lines,
            local,
            seen: Vec::new(),
        };
        peer.send(format!("{password}\n").as_bytes());
        peer.expect("Welcome");
        peer
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("sending to the server");
    }

    /// The next line as sent, `\n` included; panics after [`PATIENCE`].
    pub fn next_raw(&mut self) -> Vec<u8> {
        match self.lines.recv_timeout(PATIENCE) {
            Ok(line) => {
                self.seen.push(String::from_utf8_lossy(&line).into_owned());
                line
            }
            Err(RecvTimeoutError::Timeout) => {
                panic!("{}: no line within {PATIENCE:?}", self.local)
            }
            Err(RecvTimeoutError::Disconnected) => {
                panic!(
                    "{}: connection closed; last lines {:#?}",
                    self.local,
                    self.tail()
                )
            }
        }
    }

    /// Skips lines until one contains `needle`; returns it.
    pub fn expect(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            let line = String::from_utf8_lossy(&self.next_raw()).into_owned();
            if line.contains(needle) {
                return line;
            }
        }
        panic!(
            "{}: no line with {needle:?}; last {:#?}",
            self.local,
            self.tail()
        )
    }

    /// Every line relayed from `from` until `count` have come, in order.
    pub fn relayed_from(&mut self, from: SocketAddr, count: usize) -> Vec<String> {
        let prefix = format!("[{from}] ");
        let mut got = Vec::with_capacity(count);
        while got.len() < count {
            let line = String::from_utf8_lossy(&self.next_raw()).into_owned();
            if let Some(text) = line.strip_prefix(&prefix) {
                got.push(text.trim_end_matches('\n').to_owned());
            }
        }
        got
    }

    /// Whether any line received so far contains `needle`.
    pub fn saw(&self, needle: &str) -> bool {
        self.seen.iter().any(|l| l.contains(needle))
    }

    fn tail(&self) -> &[String] {
        &self.seen[self.seen.len().saturating_sub(5)..]
    }
}

impl Drop for Peer {
    /// Closes the connection (the reading thread holds a second descriptor).
    fn drop(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

/// A member that logs in with a tiny receive buffer and then never reads:
/// whatever the server sends it piles up.
pub fn never_reads(addr: SocketAddr, password: &str) -> TcpStream {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
        .expect("a socket");
    socket
        .set_recv_buffer_size(2048)
        .expect("setting SO_RCVBUF");
    socket.connect(&addr.into()).expect("connecting");
    let mut stream: TcpStream = socket.into();
    stream
        .write_all(format!("{password}\n").as_bytes())
        .expect("sending the password");
    stream
}
