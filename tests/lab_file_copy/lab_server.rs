//! The file server in the lab's protocol: it stores a file only when the
//! connection ends cleanly (FIN) and, in whole mode, after exactly the length
//! the header announced; a sender that stops short, sends too much, resets
//! the connection or sends more than `--max-size` leaves nothing behind, and
//! the server goes on. It never replaces a file that exists.

use super::lab_support::{alice, tcplab, PATIENCE};
use super::{entries, file_server_with, hello_named, send_verified, verified_server};
use std::io::Write;
use std::net::TcpStream;
use tcplab_lab::file_copy::{Mode, Reply};

#[test]
fn whole_mode_stores_only_a_complete_message_then_fin() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().to_str().unwrap();
    let (mut server, addr) = file_server_with(["--dir", inbox], &["--max-files", "1"]);
    let refusals = [
        (
            &b"000010:12345"[..],
            "the connection closed after 5 of 10 bytes",
        ),
        (
            b"000003:abcdef",
            "received bytes past the end of the 3-byte data message",
        ),
        (b"0003:abc", "malformed A-PDU header at stream byte 0"),
        (
            b"00001",
            "the connection closed after 5 bytes, inside the message's 7-byte header",
        ),
    ];
    for (bytes, why) in refusals {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.write_all(bytes).unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        server.expect_err(&format!("refused: {why}"));
        assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
    }
    let mut stream = TcpStream::connect(addr).unwrap();
    let port = stream.local_addr().unwrap().port();
    stream.write_all(b"000004:hola").unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let done = server.finish_ok();
    let name = format!("received-127.0.0.1-{port}");
    assert_eq!(entries(dir.path()), std::slice::from_ref(&name));
    assert_eq!(std::fs::read(dir.path().join(name)).unwrap(), b"hola");
    assert!(done.err.iter().any(|l| l.contains("stored --max-files 1")));
}

#[test]
fn lines_mode_drops_a_reset_connection_and_an_oversized_file() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().to_str().unwrap();
    let (mut server, addr) = file_server_with(
        ["--dir", inbox],
        &["--mode", "lines", "--max-files", "1", "--max-size", "100"],
    );
    // A reset (SO_LINGER 0) instead of a FIN: the copy is not complete.
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.connect(&addr.into()).unwrap();
    socket.send(b"line one\nline tw").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    socket.set_linger(Some(std::time::Duration::ZERO)).unwrap();
    drop(socket);
    server.expect_err("refused: connection failed");
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));

    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_write_timeout(Some(PATIENCE)).unwrap();
    let _ = stream.write_all(&[b'x'; 101]);
    let _ = stream.shutdown(std::net::Shutdown::Write);
    server.expect_err(
        "refused: received more than 100 bytes, the most this server accepts (--max-size)",
    );
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));

    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(b"a short file is fine\n").unwrap();
    drop(stream);
    server.finish_ok();
    assert_eq!(entries(dir.path()).len(), 1);
}

#[test]
fn an_out_file_that_exists_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("copia.txt");
    std::fs::write(&out, b"mine").unwrap();
    let done = tcplab()
        .args(["file-server", "--port", "0", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(done.status.code(), Some(1));
    let err = String::from_utf8_lossy(&done.stderr);
    assert!(
        err.contains(
            "copia.txt: exists, and the server never replaces a file; choose another --out"
        ),
        "{err}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"mine");

    // Verified exchange: a name that exists is refused before any data.
    let inbox = tempfile::tempdir().unwrap();
    std::fs::write(inbox.path().join("alice30.txt"), b"mine").unwrap();
    let (mut server, addr) = verified_server(inbox.path(), "1");
    let (_stream, reply) = hello_named(addr, Mode::Lines, b"x\n", "alice30.txt");
    match reply {
        Some(Reply::Error(why)) => assert!(
            why.contains("alice30.txt already exists on the server"),
            "{why}"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    server.expect_err("refused: alice30.txt already exists");
    let sent = send_verified(&alice(), addr, &["--name", "otro.txt"]);
    assert!(sent.status.success(), "{sent:?}");
    server.finish_ok();
    assert_eq!(
        std::fs::read(inbox.path().join("alice30.txt")).unwrap(),
        b"mine"
    );
}

/// Issue #13: the server writes a message as it arrives; a header that
/// announces 10^18 - 1 bytes (allowed by an 18-digit header and a huge
/// `--max-size`) allocates nothing up front: three bytes and a FIN are a
/// short message, refused at once, and the server stays up.
#[test]
fn whole_mode_never_allocates_the_announced_length() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().to_str().unwrap();
    let most = "999999999999999999";
    let (mut server, addr) = file_server_with(
        ["--dir", inbox],
        &[
            "--header-digits",
            "18",
            "--max-size",
            most,
            "--max-files",
            "1",
        ],
    );
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(format!("{most}:abc").as_bytes()).unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    server.expect_err(&format!(
        "refused: the connection closed after 3 of {most} bytes"
    ));
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(b"000000000000000004:hola").unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    server.finish_ok();
    assert_eq!(entries(dir.path()).len(), 1);
}
