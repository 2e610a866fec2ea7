//! Issue #18: the echo client ends at a `.` line as the lab's v1 server
//! expects, and notices an expulsion or the server closing at once (it reads
//! the server while it waits for input), without counting it as an echo.

use super::echo_client;
use super::lab_support::{program, tcplab, Proc};

fn echo_server(version: &str, extra: &[&str]) -> (Proc, std::net::SocketAddr) {
    let mut args = vec!["echo-server", "--version", version];
    args.extend_from_slice(extra);
    args.extend(["--bind", "127.0.0.1", "--port", "0", "--max-time", "10s"]);
    Proc::server(&args)
}

#[test]
fn a_dot_is_sent_and_ends_the_client() {
    let (server, addr) = echo_server("single", &[]);
    let mut client = Proc::spawn(echo_client(addr, &[]));
    client.send("hola\n");
    client.expect_out("hola");
    // The terminal stays open: the "." alone ends the client.
    client.send(".\n");
    let end = client.expect_err("echo-client: sent \".\"");
    assert!(end.contains("(1 sent, 1 replies)"), "{end}");
    let client = client.finish_ok();
    assert_eq!(client.out, ["hola"]);
    let log = server.finish_ok().err.join("\n");
    assert!(log.contains("data (1 bytes): \".\""), "{log}");
    assert!(log.contains("sent \".\""), "{log}");

    // Against nc (exercise 1), which never closes by itself: "." still ends it.
    let mut nc = Proc::spawn(program("nc", &["-lv", "127.0.0.1", "0"]));
    let line = nc.expect_err("Listening on");
    let port = line.rsplit(' ').next().expect("a port").to_owned();
    let mut cmd = tcplab();
    cmd.args(["echo-client", "127.0.0.1", &port, "--keep-newline"]);
    let mut client = Proc::spawn(cmd);
    client.send(".\n");
    nc.expect_out(".");
    client.expect_err("echo-client: sent \".\"");
    client.finish_ok();
    nc.kill();
}

#[test]
fn an_expulsion_shows_at_once_and_is_not_an_echo() {
    let (server, addr) = echo_server("multi", &["--idle-timeout", "300ms", "--max-clients", "1"]);
    let mut client = Proc::spawn(echo_client(addr, &[]));
    client.send("hola\n");
    client.expect_out("hola");
    // Nothing more is typed; the notice and the close arrive by themselves.
    client.expect_out("expelled: nothing received for 300ms");
    let end = client.expect_err("echo-client: the server closed the connection");
    assert!(
        end.contains("(1 sent, 1 replies; the server also sent 1 message on its own, shown above)"),
        "{end}"
    );
    client.finish_ok();
    server.finish_ok();

    // Framed (v3_7): the notice is an A-PDU, shown the same way.
    let (server, addr) = echo_server("framed", &["--idle-timeout", "300ms", "--max-clients", "1"]);
    let mut client = Proc::spawn(echo_client(addr, &["--framed"]));
    client.expect_out("expelled: nothing received for 300ms");
    let end = client.expect_err("echo-client: the server closed the connection");
    assert!(
        end.contains("(0 sent, 0 replies; the server also sent 1 message"),
        "{end}"
    );
    client.finish_ok();
    server.finish_ok();
}

#[test]
fn a_server_that_closes_after_its_reply_is_noticed_at_once() {
    // v1_3 closes after its first reply; a v1 client (no --once) hears of it
    // without typing another line.
    let (server, addr) = echo_server("once", &["--max-clients", "1"]);
    let mut client = Proc::spawn(echo_client(addr, &[]));
    client.send("hola\n");
    client.expect_out("hola");
    let end = client.expect_err("echo-client: the server closed the connection");
    assert!(end.contains("(1 sent, 1 replies)"), "{end}");
    client.finish_ok();
    server.finish_ok();
}

#[test]
fn a_notice_that_crosses_a_line_is_a_reply_but_not_its_echo() {
    // A server that answers the first line with a notice instead of the
    // echo, then closes: what a client sees when the server's expulsion
    // crosses a line on its way. The notice is printed and counted as the
    // line's reply, and said not to be its echo.
    let script = "import socket\n\
s = socket.socket()\n\
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n\
s.bind(('127.0.0.1', 0)); s.listen(1); s.settimeout(10)\n\
print('port', s.getsockname()[1], flush=True)\n\
c, _ = s.accept(); c.settimeout(10)\n\
c.recv(100)\n\
c.sendall(b'expelled: nothing received for 3s\\n')\n\
c.close()\n";
    let mut server = Proc::spawn(program("python3", &["-c", script]));
    let line = server.expect_out("port ");
    let port = line.rsplit(' ').next().expect("a port").to_owned();
    let mut cmd = tcplab();
    cmd.args(["echo-client", "127.0.0.1", &port]);
    let mut client = Proc::spawn(cmd);
    client.send("hola\n");
    client.expect_out("expelled: nothing received for 3s");
    let end = client.expect_err("echo-client: the server closed the connection");
    assert!(
        end.contains("(1 sent, 1 replies, none of them the echo of its line)"),
        "{end}"
    );
    client.finish_ok();
    server.finish_ok();
}
