//! Final exercise 2, remote file copy. The lab's protocol (the default):
//! alice30.txt line by line and whole, byte-identical, against the lab's
//! Python functions and `nc` in `lab_file_copy/interop.rs`. tcplab's verified
//! exchange (`--verified`): refused names, oversized files, senders that
//! vanish mid-file; the server keeps serving and leaves nothing partial
//! behind.

mod lab_support;

use lab_support::{addr_args, alice, run_with_input, tcplab, Proc, PATIENCE};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::Path;
use tcplab_lab::file_copy::{FileDigest, Hello, Mode, Reply};
use tcplab_lab::framing::{encode, Decoder, HeaderWidth};

#[path = "lab_file_copy/hardening.rs"]
mod hardening;
#[path = "lab_file_copy/interop.rs"]
mod interop;
#[path = "lab_file_copy/lab_server.rs"]
mod lab_server;

/// A file server on a free port that stops by itself: `store` is
/// `["--dir", DIR]` or `["--out", FILE]`, `extra` more options.
fn file_server_with(store: [&str; 2], extra: &[&str]) -> (Proc, SocketAddr) {
    let mut args = vec![
        "file-server",
        store[0],
        store[1],
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--max-time",
        "20s",
    ];
    args.extend_from_slice(extra);
    Proc::server(&args)
}

/// A file server speaking the verified exchange into `dir`.
fn verified_server(dir: &Path, max_files: &str) -> (Proc, SocketAddr) {
    let dir = dir.to_str().expect("a UTF-8 temp path");
    file_server_with(["--dir", dir], &["--max-files", max_files, "--verified"])
}

fn send_file(file: &Path, addr: SocketAddr, extra: &[&str]) -> lab_support::Finished {
    let mut cmd = tcplab();
    cmd.arg("send-file")
        .arg(file)
        .args(addr_args(addr))
        .args(extra);
    run_with_input(cmd, "")
}

/// `send-file --verified`.
fn send_verified(file: &Path, addr: SocketAddr, extra: &[&str]) -> lab_support::Finished {
    let mut args = vec!["--verified"];
    args.extend_from_slice(extra);
    send_file(file, addr, &args)
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn verified_alice_copies_byte_identical_in_both_modes() {
    let original = std::fs::read(alice()).expect("alice30.txt");
    assert_eq!(original.len(), 148_495);
    let sha = FileDigest::of(&original).sha256_hex();
    for mode in ["whole", "lines"] {
        let dir = tempfile::tempdir().unwrap();
        let (server, addr) = verified_server(dir.path(), "1");
        let sent = send_verified(&alice(), addr, &["--mode", mode]);
        assert!(sent.status.success(), "{mode}: {sent:?}");
        let said = sent.out.join("\n");
        assert!(
            said.contains(&format!("148495 bytes, sha256 {sha}")),
            "{said}"
        );
        assert!(said.contains("(identical)"), "{said}");
        let server = server.finish_ok();
        let log = server.err.join("\n");
        assert!(log.contains("stored alice30.txt from 127.0.0.1:"), "{log}");
        assert!(
            log.contains(&format!("148495 bytes, sha256 {sha}")),
            "{log}"
        );
        assert!(log.contains("stored --max-files 1"), "{log}");
        assert_eq!(entries(dir.path()), ["alice30.txt"]);
        assert!(
            std::fs::read(dir.path().join("alice30.txt")).unwrap() == original,
            "{mode}"
        );
    }
}

#[test]
fn a_file_too_large_for_the_header_is_refused_before_sending() {
    // Nothing listens on port 9: the check happens before connecting.
    let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let sent = send_file(&alice(), addr, &["--mode", "whole", "--header-digits", "4"]);
    assert!(!sent.status.success());
    let err = sent.err.join("\n");
    assert!(
        err.contains("alice30.txt has 148495 bytes but a 4-digit header allows at most 9999; use --header-digits 6 or more"),
        "{err}"
    );
}

#[test]
fn path_names_are_refused_and_nothing_is_written_outside() {
    let root = tempfile::tempdir().unwrap();
    let inbox = root.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let passwd = std::fs::metadata("/etc/passwd")
        .ok()
        .map(|m| (m.len(), m.modified().ok()));
    let (mut server, addr) = verified_server(&inbox, "1");
    for name in [
        "../../etc/passwd",
        "/etc/passwd",
        "..",
        ".hidden",
        "../escaped.txt",
    ] {
        let sent = send_verified(&alice(), addr, &["--name", name]);
        assert!(!sent.status.success(), "{name}: {sent:?}");
        let err = sent.err.join("\n");
        assert!(
            err.contains("the server refused the file: file name"),
            "{name}: {err}"
        );
        server.expect_err(&format!("refused: file name {name:?}"));
        assert!(entries(&inbox).is_empty(), "{name}: {:?}", entries(&inbox));
    }
    let suggestion = "send a plain name such as \"passwd\"";
    assert!(server.expect_err("../../etc/passwd").contains(suggestion));
    assert_eq!(entries(root.path()), ["inbox"]);
    let passwd_now = std::fs::metadata("/etc/passwd")
        .ok()
        .map(|m| (m.len(), m.modified().ok()));
    assert_eq!(passwd, passwd_now);
    // Still serving: a proper name goes through.
    let sent = send_verified(&alice(), addr, &["--mode", "lines"]);
    assert!(sent.status.success(), "{sent:?}");
    assert!(server.finish().status.success());
    assert_eq!(entries(&inbox), ["alice30.txt"]);
}

/// Speaks the protocol by hand up to the server's `go`.
fn hello(addr: SocketAddr, mode: Mode, contents: &[u8]) -> TcpStream {
    let (stream, reply) = hello_named(addr, mode, contents, "partial.txt");
    assert_eq!(reply, Some(Reply::Go));
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream
}

/// Sends the hello for `name`; the connection and the server's answer.
fn hello_named(
    addr: SocketAddr,
    mode: Mode,
    contents: &[u8],
    name: &str,
) -> (TcpStream, Option<Reply>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let hello = Hello {
        mode,
        width: HeaderWidth::LAB,
        expected: FileDigest::of(contents),
        name: name.into(),
    };
    let apdu = encode(HeaderWidth::LAB, hello.to_text().as_bytes()).unwrap();
    stream.write_all(&apdu).unwrap();
    let reply = read_reply(&mut stream);
    (stream, reply)
}

fn read_reply(stream: &mut TcpStream) -> Option<Reply> {
    let mut decoder = Decoder::new(HeaderWidth::LAB);
    let mut buf = [0u8; 512];
    loop {
        if let Some(message) = decoder.next_message().unwrap() {
            return Some(Reply::parse(&message).unwrap());
        }
        let n = stream.read(&mut buf).unwrap_or(0);
        if n == 0 {
            return None;
        }
        decoder.feed(&buf[..n]);
    }
}

#[test]
fn senders_that_vanish_or_lie_leave_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, addr) = verified_server(dir.path(), "1");
    let contents = vec![b'a'; 1000];

    // whole: the header, 10 of 1000 bytes, then the sender disappears.
    let mut stream = hello(addr, Mode::Whole, &contents);
    stream.write_all(b"001000:").unwrap();
    stream.write_all(&contents[..10]).unwrap();
    drop(stream);
    server.expect_err("refused: the connection closed after 10 of 1000 bytes");
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));

    // lines: 10 bytes then FIN; the server replies with the reason.
    let mut stream = hello(addr, Mode::Lines, &contents);
    stream.write_all(&contents[..10]).unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    match read_reply(&mut stream) {
        Some(Reply::Error(why)) => assert!(why.starts_with("received 10 bytes"), "{why}"),
        other => panic!("expected an error reply, got {other:?}"),
    }
    assert!(entries(dir.path()).is_empty());

    // whole: a malformed data header.
    let mut stream = hello(addr, Mode::Whole, &contents);
    stream.write_all(b"10x0:").unwrap();
    match read_reply(&mut stream) {
        Some(Reply::Error(why)) => assert!(why.contains("malformed A-PDU header"), "{why}"),
        other => panic!("expected an error reply, got {other:?}"),
    }

    // whole: the data header disagrees with the announced size.
    let mut stream = hello(addr, Mode::Whole, &contents);
    stream.write_all(b"000999:").unwrap();
    match read_reply(&mut stream) {
        Some(Reply::Error(why)) => assert!(why.contains("announces 999 bytes"), "{why}"),
        other => panic!("expected an error reply, got {other:?}"),
    }

    // lines: the right size but other bytes than announced.
    let mut stream = hello(addr, Mode::Lines, &contents);
    stream.write_all(&[b'b'; 1000]).unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    match read_reply(&mut stream) {
        Some(Reply::Error(why)) => assert!(why.contains("but the sender announced"), "{why}"),
        other => panic!("expected an error reply, got {other:?}"),
    }

    // Garbage instead of a hello.
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    match read_reply(&mut stream) {
        Some(Reply::Error(why)) => assert!(
            why.contains("malformed A-PDU header at stream byte 0"),
            "{why}"
        ),
        other => panic!("expected an error reply, got {other:?}"),
    }
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));

    // And the server still stores a good file.
    let sent = send_verified(&alice(), addr, &[]);
    assert!(sent.status.success(), "{sent:?}");
    assert!(server.finish().status.success());
    assert_eq!(entries(dir.path()), ["alice30.txt"]);
}

/// `kill` or a closed terminal stops the server like Ctrl-C: the file it
/// was receiving is not left behind half-written.
#[test]
fn a_signal_leaves_no_partial_file() {
    for (signal, code) in [("TERM", 143), ("HUP", 129), ("INT", 130)] {
        let dir = tempfile::tempdir().unwrap();
        let (server, addr) = verified_server(dir.path(), "1");
        let contents = vec![b'a'; 100_000];
        let mut stream = hello(addr, Mode::Whole, &contents);
        stream.write_all(b"100000:").unwrap();
        stream.write_all(&contents[..1000]).unwrap();
        let deadline = std::time::Instant::now() + PATIENCE;
        while entries(dir.path()).is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "no part file appeared"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let done = server.signal(signal);
        assert_eq!(done.status.code(), Some(code), "SIG{signal}: {done:?}");
        assert!(
            entries(dir.path()).is_empty(),
            "SIG{signal} left {:?}",
            entries(dir.path())
        );
        drop(stream);
    }
}

#[tokio::test]
async fn library_api_server_and_sender_in_one_process() {
    use tcplab_lab::{bind, event, file_copy};
    let dir = tempfile::tempdir().unwrap();
    let listener = bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = listener.local_addr().unwrap();
    let options = file_copy::FileServerOptions {
        max_files: Some(1),
        ..Default::default()
    };
    let target = dir.path().to_owned();
    let server = tokio::spawn(async move {
        let store = file_copy::Store::File(target.join("tres.txt"));
        file_copy::serve(listener, &store, options, event::discard()).await
    });
    let contents = b"linea uno\nlinea dos\nsin final".to_vec();
    let request = file_copy::SendRequest {
        name: "unused by the lab's protocol",
        contents: &contents,
        mode: Mode::Whole,
        width: HeaderWidth::LAB,
        protocol: file_copy::Protocol::Lab,
        close_wait: None,
    };
    let sent = file_copy::send(addr, &request).await.unwrap();
    assert_eq!(sent.digest, FileDigest::of(&contents));
    assert_eq!(sent.end, file_copy::SendEnd::ServerClosed { bytes_back: 0 });
    let stopped = server.await.unwrap().unwrap();
    assert_eq!(stopped, tcplab_lab::StopReason::MaxFiles(1));
    assert_eq!(entries(dir.path()), ["tres.txt"]);
    assert_eq!(
        std::fs::read(dir.path().join("tres.txt")).unwrap(),
        contents
    );
}

#[tokio::test]
async fn sender_reports_a_copy_that_differs() {
    use tcplab_lab::file_copy::{self, FileCopyError};
    use tcplab_lab::framed_stream::{write_frame, FramedReader};
    use tokio::io::AsyncReadExt;
    // A server that stores something else and says so honestly.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let liar = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let (read_half, mut write_half) = stream.split();
        let mut reader = FramedReader::new(read_half, HeaderWidth::LAB);
        reader.next().await.unwrap().expect("a hello");
        write_frame(&mut write_half, HeaderWidth::LAB, b"go")
            .await
            .unwrap();
        let (mut read_half, _) = reader.into_parts();
        let mut rest = Vec::new();
        read_half.read_to_end(&mut rest).await.unwrap();
        let stored = Reply::Stored(FileDigest::of(b"something else"));
        let text = stored.to_text();
        write_frame(&mut write_half, HeaderWidth::LAB, text.as_bytes())
            .await
            .unwrap();
    });
    let request = file_copy::SendRequest {
        name: "x.txt",
        contents: b"the real thing\n",
        mode: Mode::Whole,
        width: HeaderWidth::LAB,
        protocol: file_copy::Protocol::Verified,
        close_wait: None,
    };
    let err = file_copy::send(addr, &request).await.unwrap_err();
    assert!(matches!(err, FileCopyError::Mismatch { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.starts_with("the copy differs: sent 15 bytes"),
        "{text}"
    );
    liar.await.unwrap();
}
