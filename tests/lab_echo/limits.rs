//! The concurrent servers' connection limits: `--max-connections` holds
//! clients in the listen queue, and a server out of file descriptors says so
//! (once, then at most every 10 s), backs off instead of spinning, and
//! serves again when clients leave.

use super::lab_support::{Proc, PATIENCE};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Sends `text` and waits for it to come back.
fn echoes(stream: &mut TcpStream, text: &[u8]) {
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.write_all(text).unwrap();
    let mut got = vec![0u8; text.len()];
    stream.read_exact(&mut got).unwrap();
    assert_eq!(got, text);
}

/// True if nothing comes back within `wait`.
fn silent_for(stream: &mut TcpStream, wait: Duration) -> bool {
    stream.set_read_timeout(Some(wait)).unwrap();
    let mut buf = [0u8; 16];
    matches!(stream.read(&mut buf), Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut))
}

#[test]
fn max_connections_makes_further_clients_wait() {
    let (mut server, addr) = Proc::server(&[
        "echo-server",
        "--version",
        "multi",
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--max-connections",
        "2",
        "--max-clients",
        "3",
        "--max-time",
        "10s",
    ]);
    let mut a = TcpStream::connect(addr).unwrap();
    echoes(&mut a, b"a");
    let mut b = TcpStream::connect(addr).unwrap();
    echoes(&mut b, b"b");
    let mut c = TcpStream::connect(addr).unwrap();
    c.write_all(b"c").unwrap();
    assert!(silent_for(&mut c, Duration::from_millis(500)));
    server.expect_err("2 clients connected (--max-connections): new ones wait until one leaves");
    drop(a);
    let mut got = [0u8; 1];
    c.set_read_timeout(Some(PATIENCE)).unwrap();
    c.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"c");
    drop((b, c));
    server.finish_ok();
}

/// CPU time (user + system) of process `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let (_, rest) = stat.rsplit_once(')').unwrap();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the command: state is field 3, utime 14, stime 15.
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
fn out_of_descriptors_the_server_backs_off_reports_and_recovers() {
    let bin = env!("CARGO_BIN_EXE_tcplab");
    let mut cmd = std::process::Command::new("bash");
    cmd.args(["-c", "ulimit -n 40; exec \"$0\" \"$@\"", bin]);
    cmd.args([
        "echo-server",
        "--version",
        "multi",
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--max-time",
        "8s",
    ]);
    let mut server = Proc::spawn(cmd);
    let line = server.expect_out("listening on ");
    let addr: SocketAddr = line["listening on ".len()..].parse().unwrap();

    let mut clients: Vec<TcpStream> = (0..80).map(|_| TcpStream::connect(addr).unwrap()).collect();
    server.expect_err("accept failed: Too many open files");
    server.expect_err("the process is out of file descriptors");
    let before = cpu_ticks(server.id());
    let started = Instant::now();
    std::thread::sleep(Duration::from_millis(1500));
    let used = cpu_ticks(server.id()) - before;
    // A busy loop would use about 150 ticks (100 per second); backing off
    // every 100 ms uses next to none.
    assert!(used < 30, "{used} ticks of CPU in {:?}", started.elapsed());

    // Clients leave: the queued ones are accepted, and a new one is served.
    clients.truncate(5);
    let mut late = TcpStream::connect(addr).unwrap();
    echoes(&mut late, b"hola");
    server.expect_err("accepting again after");
    drop((clients, late));
    let done = server.finish();
    assert!(done.status.success(), "{done:?}");
    let failures = done
        .err
        .iter()
        .filter(|l| l.contains("accept failed") || l.contains("accept still failing"))
        .count();
    assert_eq!(
        failures, 1,
        "reported once, not per attempt: {:#?}",
        done.err
    );
}
