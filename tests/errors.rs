//! An error is one line that says each cause once.

mod common;

use common::*;

#[test]
fn an_error_says_its_cause_once() {
    // The file server's directory is a file: the library's message quotes
    // the cause and also returns it as its source.
    let out = tcplab(&[
        "file-server",
        "--dir",
        "/etc/passwd",
        "--port",
        "0",
        "--max-time",
        "1s",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let last = err.lines().last().unwrap_or_default();
    assert_eq!(
        last, "tcplab: error: /etc/passwd: not a usable directory: not a directory",
        "{err}"
    );
}

/// A device, a pipe or a directory given as the file to copy is refused at
/// once, in one line, before any namespace or capture is made (it used to
/// read `/dev/zero` into memory until the machine ran out).
#[test]
fn run_and_capture_refuses_what_is_not_a_regular_file() {
    for (file, what) in [("/dev/zero", "a device"), ("/tmp", "a directory")] {
        let start = std::time::Instant::now();
        let out = tcplab(&["run-and-capture", file]);
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(
            stderr(&out).trim_end(),
            format!("tcplab: error: {file}: {what}, not a regular file: give the file to copy")
        );
    }
}

/// `send-file` too refuses a device at once instead of reading it whole.
#[test]
fn send_file_refuses_what_is_not_a_regular_file() {
    let start = std::time::Instant::now();
    let out = tcplab(&["send-file", "/dev/zero", "127.0.0.1", "9"]);
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stderr(&out).trim_end(),
        "tcplab: error: /dev/zero: a device, not a regular file: give the file to copy"
    );
}
