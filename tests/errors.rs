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
