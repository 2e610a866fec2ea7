//! Exercise 7 (v3_7): the framed echo server and client against the lab's own
//! Python `encapsula()` / `readmsg()` (tests/lab/lab_framing.py), and bad input
//! that must close one connection while the server keeps serving others.

mod lab_support;

use lab_support::{addr_args, lab_python, program, run_with_input, tcplab, Proc};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use tcplab_lab::framing::{encode, HeaderWidth};

fn framed_server(max_clients: &str) -> (Proc, std::net::SocketAddr) {
    framed_server_with(max_clients, &[])
}

/// The framed echo server on 127.0.0.1, stopping after `max_clients`
/// clients or 10 s, with `extra` options.
fn framed_server_with(max_clients: &str, extra: &[&str]) -> (Proc, std::net::SocketAddr) {
    let mut args = vec!["echo-server", "--version", "framed"];
    args.extend_from_slice(extra);
    args.extend([
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--max-clients",
        max_clients,
        "--max-time",
        "10s",
    ]);
    Proc::server(&args)
}

#[test]
fn encoding_matches_the_labs_encapsula_byte_for_byte() {
    let messages = ["hola", "", "a:b", "ñandú", &"x".repeat(1500)];
    let python = program("python3", &[&lab_python(), "encode"]);
    let mut python = python;
    python.args(messages);
    let out = run_with_input(python, "");
    assert!(out.status.success(), "{out:?}");
    let ours: Vec<String> = messages
        .iter()
        .map(|m| {
            let apdu = encode(HeaderWidth::LAB, m.as_bytes()).unwrap();
            apdu.iter().map(|b| format!("{b:02x}")).collect()
        })
        .collect();
    assert_eq!(out.out, ours);
}

#[test]
fn python_client_against_our_framed_server() {
    let (server, addr) = framed_server("1");
    let [host, port] = addr_args(addr);
    let long = "y".repeat(5000);
    let python = program(
        "python3",
        &[
            &lab_python(),
            "client",
            &host,
            &port,
            "hola",
            "con: dos puntos",
            &long,
        ],
    );
    let out = run_with_input(python, "");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.out, ["hola", "con: dos puntos", long.as_str()]);
    let server = server.finish_ok();
    assert!(server
        .err
        .iter()
        .any(|l| l.contains("closed the connection")));
}

#[test]
fn our_framed_client_against_the_labs_python_server() {
    let mut python = Proc::spawn(program("python3", &[&lab_python(), "server"]));
    let line = python.expect_out("listening on ");
    let addr: std::net::SocketAddr = line["listening on ".len()..].parse().unwrap();
    let mut client = tcplab();
    client
        .arg("echo-client")
        .args(addr_args(addr))
        .arg("--framed");
    let out = run_with_input(client, "hola\n\nmensaje: con dos puntos\n");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.out, ["hola", "", "mensaje: con dos puntos"]);
    python.finish_ok();
}

/// Sends `bytes` on a fresh connection, half-closes, and returns all it got.
fn send_raw(addr: std::net::SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(lab_support::PATIENCE))
        .unwrap();
    stream.write_all(bytes).unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    let mut got = Vec::new();
    stream.read_to_end(&mut got).unwrap();
    got
}

#[test]
fn malformed_input_closes_only_that_connection() {
    let (mut server, addr) = framed_server("4");
    // A well-behaved client stays connected throughout.
    let mut good = TcpStream::connect(addr).unwrap();
    good.set_read_timeout(Some(lab_support::PATIENCE)).unwrap();
    good.write_all(b"000004:hola").unwrap();
    let mut reply = [0u8; 11];
    good.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"000004:hola");

    // A valid message, then a line of plain text.
    assert_eq!(send_raw(addr, b"000002:okhello\n"), b"000002:ok");
    server.expect_err("malformed A-PDU header at stream byte 9");
    server.expect_err(r#"found a non-digit in "hello\n""#);
    // A length wider than the 6-digit header.
    assert_eq!(send_raw(addr, b"1000000:x"), b"");
    server.expect_err("the length field is longer than the header allows");
    // The client disconnects in the middle of a message.
    assert_eq!(send_raw(addr, b"000010:abc"), b"");
    server.expect_err(
        "the stream ended inside the A-PDU that starts at byte 0: got 10 of its 17 bytes",
    );

    // The first client is still served.
    good.write_all(b"000005:sigue").unwrap();
    let mut reply = [0u8; 12];
    good.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"000005:sigue");
    drop(good);
    server.finish_ok();
}

#[test]
fn idle_framed_client_is_told_in_an_apdu() {
    let (server, addr) = framed_server_with("1", &["--idle-timeout", "200ms"]);
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(lab_support::PATIENCE))
        .unwrap();
    let mut got = Vec::new();
    stream.read_to_end(&mut got).unwrap();
    assert_eq!(
        got,
        encode(HeaderWidth::LAB, b"expelled: nothing received for 200ms").unwrap()
    );
    assert!(server.finish().status.success());
}

#[test]
fn client_refuses_lines_too_long_for_its_header() {
    let (server, addr) = framed_server_with("1", &["--header-digits", "2"]);
    let mut client = tcplab();
    client
        .arg("echo-client")
        .args(addr_args(addr))
        .args(["--framed", "--header-digits", "2"]);
    let long = "z".repeat(100);
    let out = run_with_input(client, &format!("corto\n{long}\n"));
    assert_eq!(out.out, ["corto"]);
    assert!(!out.status.success());
    let err = out.err.join("\n");
    assert!(err.contains("a 100-byte payload does not fit a 2-digit header (at most 99 bytes); use a header of at least 3 digits"), "{err}");
    assert!(server.finish().status.success());
}

#[test]
fn a_header_announcing_more_than_max_message_closes_before_the_body() {
    let (mut server, addr) = framed_server_with("3", &["--header-digits", "18"]);
    // 300 MB announced: refused at the header, with the default 1 MiB limit.
    // The connection stays open for writing: the server closes it by itself.
    let mut big = TcpStream::connect(addr).unwrap();
    big.set_read_timeout(Some(lab_support::PATIENCE)).unwrap();
    big.write_all(b"000000000300000000:abc").unwrap();
    let mut got = Vec::new();
    let _ = big.read_to_end(&mut got);
    assert_eq!(got, b"");
    server.expect_err(
        "it announced a 300000000-byte message, more than the 1048576 bytes this server accepts (--max-message)",
    );
    // Exactly the limit passes.
    let limit = 1usize << 20;
    let message = vec![b'm'; limit];
    let apdu = encode(HeaderWidth::new(18).unwrap(), &message).unwrap();
    let echoed = send_raw(addr, &apdu);
    assert_eq!(echoed.len(), apdu.len());
    assert!(echoed == apdu);
    drop(big);
    server.finish_ok();
}

#[test]
fn max_message_is_an_option() {
    let (mut server, addr) = framed_server_with("2", &["--max-message", "10"]);
    assert_eq!(send_raw(addr, b"000010:0123456789"), b"000010:0123456789");
    assert_eq!(send_raw(addr, b"000011:0123456789A"), b"");
    server.expect_err("announced a 11-byte message, more than the 10 bytes");
    server.finish_ok();
}

#[test]
fn an_idle_client_in_the_middle_of_a_message_is_told_what_it_had_sent() {
    let (mut server, addr) = framed_server_with("2", &["--idle-timeout", "300ms"]);
    for (sent, says) in [
        (
            &b"000010:abc"[..],
            "it had sent 10 of the 17 bytes of a message",
        ),
        (b"0000", "it had sent 4 bytes of a message's header"),
    ] {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(lab_support::PATIENCE))
            .unwrap();
        stream.write_all(sent).unwrap();
        let mut got = Vec::new();
        stream.read_to_end(&mut got).unwrap();
        let line = server.expect_err(says);
        assert!(
            line.contains("expelled after 300ms without sending more, in the middle of a message"),
            "{line}"
        );
        assert!(!line.contains("without sending anything"), "{line}");
    }
    server.finish_ok();
}

/// The idle limit counts silence: a client sending a message a few bytes at
/// a time, each gap shorter than the limit, is not expelled.
#[test]
fn a_slow_but_steady_sender_is_not_idle() {
    let (mut server, addr) = framed_server_with("1", &["--idle-timeout", "300ms"]);
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(lab_support::PATIENCE))
        .unwrap();
    for piece in [&b"0000"[..], b"08:ab", b"cd", b"efgh"] {
        stream.write_all(piece).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let mut echo = [0u8; 15];
    stream.read_exact(&mut echo).unwrap();
    assert_eq!(&echo, b"000008:abcdefgh");
    server.expect_err("data (8 bytes): \"abcdefgh\"");
    drop(stream);
    server.finish_ok();
}
