//! The lab's echo servers and client (exercises 1-6), run as real processes on
//! 127.0.0.1 with port 0; `nc` (netcat-openbsd) plays the lab's netcat.

mod lab_support;

use lab_support::{addr_args, program, run_with_input, tcplab, Proc};

#[path = "lab_echo/client.rs"]
mod client;
#[path = "lab_echo/limits.rs"]
mod limits;

fn echo_client(addr: std::net::SocketAddr, extra: &[&str]) -> std::process::Command {
    let mut cmd = tcplab();
    cmd.arg("echo-client").args(addr_args(addr)).args(extra);
    cmd
}

#[test]
fn single_v1_serves_one_client_until_dot() {
    let (server, addr) = Proc::server(&[
        "echo-server",
        "--version",
        "single",
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--max-time",
        "10s",
    ]);
    let client = run_with_input(echo_client(addr, &[]), "hola\nque tal\n.\nnot sent\n");
    assert!(client.status.success(), "{client:?}");
    assert_eq!(client.out, ["hola", "que tal"]);
    assert!(
        client.err.iter().any(|l| l.contains("sent \".\", the end")),
        "{client:?}"
    );
    let server = server.finish_ok();
    let log = server.err.join("\n");
    assert!(log.contains("sent \".\""), "{log}");
    assert!(log.contains("its one client is done"), "{log}");
}

#[test]
fn turns_v1_2_serves_queued_clients_one_after_another() {
    let (server, addr) = Proc::server(&[
        "echo-server",
        "--version",
        "turns",
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--max-clients",
        "2",
        "--max-time",
        "10s",
    ]);
    let mut first = Proc::spawn(echo_client(addr, &[]));
    first.send("uno\n");
    first.expect_out("uno");
    // The second client's connection completes (queued by the kernel) but
    // the server only reads it once the first client has gone.
    let mut second = Proc::spawn(echo_client(addr, &[]));
    second.expect_err("connected to");
    second.send("dos\n");
    let first = first.finish();
    assert_eq!(first.out, ["uno"]);
    second.expect_out("dos");
    second.finish_ok();
    let server = server.finish_ok();
    let log = server.err;
    let left_first = log
        .iter()
        .position(|l| l.contains("client left"))
        .expect("a departure");
    let connected: Vec<usize> = (0..log.len())
        .filter(|&i| log[i].contains("connected with"))
        .collect();
    assert_eq!(connected.len(), 2, "{log:#?}");
    assert!(
        connected[1] > left_first,
        "second client served before the first left: {log:#?}"
    );
}

#[test]
fn once_v1_3_closes_after_the_first_reply_or_silence() {
    let (mut server, addr) = Proc::server(&[
        "echo-server",
        "--version",
        "once",
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--max-clients",
        "2",
        "--idle-timeout",
        "300ms",
        "--max-time",
        "10s",
    ]);
    let client = run_with_input(echo_client(addr, &["--once"]), "hola\nadios\n");
    assert!(client.status.success(), "{client:?}");
    assert_eq!(client.out, ["hola"]);
    assert!(
        client
            .err
            .iter()
            .any(|l| l.contains("first reply received")),
        "{client:?}"
    );
    server.expect_err("closed after the first reply");
    // A silent client is closed after the idle timeout; nc then sees the end.
    let [host, port] = addr_args(addr);
    let silent = Proc::spawn(program("nc", &["-N", &host, &port]));
    server.expect_err("expelled after 300ms");
    silent.finish();
    server.finish_ok();
}

#[test]
fn multi_v2_serves_clients_in_parallel() {
    let (mut server, addr) = Proc::server(&[
        "echo-server",
        "--version",
        "multi",
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--max-clients",
        "2",
        "--max-time",
        "10s",
    ]);
    let mut a = Proc::spawn(echo_client(addr, &[]));
    let mut b = Proc::spawn(echo_client(addr, &[]));
    a.send("from a\n");
    b.send("from b\n");
    a.expect_out("from a");
    b.expect_out("from b");
    a.send("again a\n");
    a.expect_out("again a");
    assert!(a.finish().status.success());
    assert!(b.finish().status.success());
    server.expect_err("data (6 bytes): \"from b\"");
    let server = server.finish_ok();
    assert_eq!(
        server
            .err
            .iter()
            .filter(|l| l.contains("client left"))
            .count(),
        2
    );
}

#[test]
fn multi_expels_idle_clients_with_a_message() {
    let (server, addr) = Proc::server(&[
        "echo-server",
        "--version",
        "multi",
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--max-clients",
        "1",
        "--idle-timeout",
        "300ms",
        "--max-time",
        "10s",
    ]);
    let [host, port] = addr_args(addr);
    let mut nc = Proc::spawn(program("nc", &["-N", &host, &port]));
    nc.send("hola\n");
    nc.expect_out("hola");
    nc.expect_out("expelled: nothing received for 300ms");
    let server = server.finish();
    assert!(
        server
            .err
            .iter()
            .any(|l| l.contains("expelled after 300ms")),
        "{server:?}"
    );
    nc.kill();
}

#[test]
fn nc_as_client_of_the_echo_server() {
    let (server, addr) = Proc::server(&[
        "echo-server",
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--max-clients",
        "1",
        "--max-time",
        "10s",
    ]);
    let [host, port] = addr_args(addr);
    let nc = run_with_input(program("nc", &["-N", &host, &port]), "hola desde nc\n");
    assert_eq!(nc.out, ["hola desde nc"]);
    assert!(server.finish().status.success());
}

#[test]
fn nc_as_server_for_our_client() {
    // Exercise 1: netcat listens; what each side types reaches the other.
    let mut nc = Proc::spawn(program("nc", &["-lv", "127.0.0.1", "0"]));
    let line = nc.expect_err("Listening on");
    let port = line.rsplit(' ').next().expect("a port").to_owned();
    let mut client = tcplab();
    client.args(["echo-client", "127.0.0.1", &port, "--keep-newline"]);
    let mut client = Proc::spawn(client);
    client.send("hola nc\n");
    nc.expect_out("hola nc");
    nc.send("hola cliente\n");
    client.expect_out("hola cliente");
    client.finish_ok();
    nc.finish();
}

#[test]
fn ipv6_loopback() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("skipped: this machine has no IPv6 loopback");
        return;
    }
    let (server, addr) = Proc::server(&[
        "echo-server",
        "--version",
        "framed",
        "--bind",
        "::1",
        "--port",
        "0",
        "--max-clients",
        "1",
        "--max-time",
        "10s",
    ]);
    assert!(addr.is_ipv6());
    let client = run_with_input(echo_client(addr, &["--framed"]), "hola v6\n");
    assert_eq!(client.out, ["hola v6"]);
    assert!(server.finish().status.success());
}

#[test]
fn bounded_server_stops_at_max_time_with_a_client_connected() {
    let (server, addr) = Proc::server(&[
        "echo-server",
        "--version",
        "multi",
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--max-time",
        "1500ms",
    ]);
    let mut client = Proc::spawn(echo_client(addr, &[]));
    client.send("hola\n");
    client.expect_out("hola");
    let server = server.finish_ok();
    let log = server.err.join("\n");
    assert!(
        log.contains("server stopped") && log.contains("--max-time"),
        "{log}"
    );
    client.send("otra\n");
    let client = client.finish();
    assert!(
        client.err.iter().any(|l| l.contains("server closed")),
        "{client:?}"
    );
}
