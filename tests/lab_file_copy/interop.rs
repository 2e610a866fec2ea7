//! The lab's protocol against what a student writes: the Python client and
//! server of `tests/lab/lab_file_copy.py` (line by line; one framed message
//! with one `sendall`) and `nc`, in both directions and both modes, byte for
//! byte, on a file without a final newline, one with CRLF line ends, an
//! empty one, a binary one and a 1 MB one.

use super::lab_support::{addr_args, program, Proc, PATIENCE};
use super::{entries, file_server_with, send_file};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The test files: name and contents.
fn samples() -> Vec<(&'static str, Vec<u8>)> {
    let binary: Vec<u8> = (0..=255u8).cycle().take(256 * 40).collect();
    vec![
        ("nonl.txt", "línea uno\nlínea dos\nsin salto final".into()),
        ("crlf.txt", b"uno\r\ndos\r\n\r\ntres: 3\r\n".to_vec()),
        ("empty.txt", Vec::new()),
        ("binary.bin", binary),
        (
            "mega.txt",
            tcplab::run_and_capture::payload::generate(1_000_000),
        ),
    ]
}

/// The header width a whole-mode message of `len` bytes needs (6, the lab's,
/// up to 999,999 bytes).
fn digits(len: usize) -> &'static str {
    if len > 999_999 {
        "7"
    } else {
        "6"
    }
}

/// What travels in `mode`: the file, or the header and the file.
fn on_the_wire(mode: &str, contents: &[u8]) -> Vec<u8> {
    match mode {
        "lines" => contents.to_vec(),
        _ => {
            let width: usize = digits(contents.len()).parse().unwrap();
            let mut apdu = format!("{:0width$}:", contents.len()).into_bytes();
            apdu.extend_from_slice(contents);
            apdu
        }
    }
}

fn python(args: &[&str]) -> Command {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/lab/lab_file_copy.py");
    let mut full = vec![script.to_str().expect("UTF-8 path")];
    full.extend_from_slice(args);
    program("python3", &full)
}

fn write_samples(dir: &Path) -> Vec<(&'static str, PathBuf, Vec<u8>)> {
    samples()
        .into_iter()
        .map(|(name, contents)| {
            let path = dir.join(name);
            std::fs::write(&path, &contents).unwrap();
            (name, path, contents)
        })
        .collect()
}

/// A tcplab file server storing one file as `out`, in `mode`.
fn lab_server(out: &Path, mode: &str, width: &str) -> (Proc, SocketAddr) {
    let out = out.to_str().expect("UTF-8 path");
    file_server_with(["--out", out], &["--mode", mode, "--header-digits", width])
}

#[test]
fn python_clients_to_the_file_server() {
    let dir = tempfile::tempdir().unwrap();
    for (name, path, contents) in write_samples(dir.path()) {
        for mode in ["lines", "whole"] {
            let out = dir.path().join(format!("{name}.{mode}.copy"));
            let width = digits(contents.len());
            let (server, addr) = lab_server(&out, mode, width);
            let [host, port] = addr_args(addr);
            let path = path.to_str().unwrap();
            let mut args = vec![format!("{mode}-client"), host, port, path.to_owned()];
            if mode == "whole" {
                args.push(width.to_owned());
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let status = python(&args).status().expect("python3 runs");
            assert!(status.success(), "{name} {mode}: python client");
            let done = server.finish_ok();
            let log = done.err.join("\n");
            assert!(
                log.contains(&format!("{} bytes, sha256", contents.len())),
                "{log}"
            );
            assert!(std::fs::read(&out).unwrap() == contents, "{name} {mode}");
        }
    }
}

#[test]
fn send_file_to_python_servers() {
    let dir = tempfile::tempdir().unwrap();
    for (name, path, contents) in write_samples(dir.path()) {
        for mode in ["lines", "whole"] {
            let out = dir.path().join(format!("{name}.{mode}.py"));
            let width = digits(contents.len());
            let out_arg = out.to_str().unwrap();
            let mut args = vec![format!("{mode}-server"), out_arg.to_owned()];
            if mode == "whole" {
                args.push(width.to_owned());
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let mut server = Proc::spawn(python(&args));
            let line = server.expect_out("listening on ");
            let addr: SocketAddr = line["listening on ".len()..].parse().unwrap();
            let sent = send_file(&path, addr, &["--mode", mode, "--header-digits", width]);
            assert!(sent.status.success(), "{name} {mode}: {sent:?}");
            let said = sent.out.join("\n");
            assert!(
                said.contains("the server closed the connection after our FIN"),
                "{said}"
            );
            server.finish_ok();
            assert!(std::fs::read(&out).unwrap() == contents, "{name} {mode}");
        }
    }
}

#[test]
fn nc_clients_to_the_file_server() {
    let dir = tempfile::tempdir().unwrap();
    for (name, _path, contents) in write_samples(dir.path()) {
        for mode in ["lines", "whole"] {
            // What nc sends: the file (lines), or the message a student's
            // client would build (whole).
            let input = dir.path().join(format!("{name}.{mode}.wire"));
            std::fs::write(&input, on_the_wire(mode, &contents)).unwrap();
            let inbox = dir.path().join(format!("{name}.{mode}.inbox"));
            std::fs::create_dir(&inbox).unwrap();
            let width = digits(contents.len());
            let (server, addr) = file_server_with(
                ["--dir", inbox.to_str().unwrap()],
                &["--max-files", "1", "--mode", mode, "--header-digits", width],
            );
            let [host, port] = addr_args(addr);
            let status = Command::new("nc")
                .args(["-N", &host, &port])
                .stdin(std::fs::File::open(&input).unwrap())
                .stdout(Stdio::null())
                .status()
                .expect("nc runs (netcat-openbsd)");
            assert!(status.success(), "{name} {mode}: nc");
            let done = server.finish_ok();
            let stored = entries(&inbox);
            let [file] = &stored[..] else {
                panic!(
                    "{name} {mode}: expected one file, got {stored:?}: {:#?}",
                    done.err
                )
            };
            assert!(file.starts_with("received-127.0.0.1-"), "{file}");
            assert!(done
                .err
                .iter()
                .any(|l| l.contains(&format!("stored {file} from"))));
            assert!(
                std::fs::read(inbox.join(file)).unwrap() == contents,
                "{name} {mode}"
            );
        }
    }
}

#[test]
fn send_file_to_nc() {
    let dir = tempfile::tempdir().unwrap();
    for (name, path, contents) in write_samples(dir.path()) {
        for mode in ["lines", "whole"] {
            let out = dir.path().join(format!("{name}.{mode}.nc"));
            let port = free_port();
            let mut nc = Command::new("nc")
                .args(["-l", "127.0.0.1", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(std::fs::File::create(&out).unwrap())
                .spawn()
                .expect("nc runs (netcat-openbsd)");
            wait_listening(port);
            let addr: SocketAddr = ([127, 0, 0, 1], port).into();
            let width = digits(contents.len());
            let sent = send_file(&path, addr, &["--mode", mode, "--header-digits", width]);
            assert!(sent.status.success(), "{name} {mode}: {sent:?}");
            let status = nc.wait().expect("nc ends");
            assert!(status.success(), "{name} {mode}: nc");
            assert!(
                std::fs::read(&out).unwrap() == on_the_wire(mode, &contents),
                "{name} {mode}"
            );
        }
    }
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Waits until something listens on 127.0.0.1:`port` (nc takes a moment),
/// without connecting (nc serves one connection).
fn wait_listening(port: u16) {
    let needle = format!("0100007F:{port:04X} 00000000:0000 0A");
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
        if table.contains(&needle) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("nothing listens on port {port}");
}
