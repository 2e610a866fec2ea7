//! Issue #13: the file copy streams. A sparse file of 2 GiB and a bit (twice
//! the 1 GiB the copy used to be capped at, past 2^31 bytes) goes from
//! `send-file` to `file-server` on loopback in the lab's `whole` mode with a
//! 10-digit header; neither process's peak resident memory (`VmHWM`) passes
//! 64 MB, and the copy arrives intact: both ends compute the same SHA-256
//! and size, and marker bytes written at chunk boundaries, past 2^31 and at
//! the very end sit at the same offsets in the stored copy.

mod lab_support;

use lab_support::{addr_args, tcplab, Proc};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::thread;
use std::time::Duration;

const SIZE: u64 = (1 << 31) + 4097;
const PEAK_LIMIT_KB: u64 = 64 * 1024;
/// Offsets that get a marker byte: the first, around the 1 MiB writes of the
/// sender, past 2^31, the last.
const MARKS: [u64; 6] = [0, (1 << 20) - 1, 1 << 20, 1 << 30, 1 << 31, SIZE - 1];

fn mark(offset: u64) -> u8 {
    b'A' + (offset % 26) as u8
}

/// A sparse file of `SIZE` bytes: zeros (holes) and the markers.
fn sparse_file(path: &Path) {
    let mut file = File::create(path).unwrap();
    file.set_len(SIZE).unwrap();
    for offset in MARKS {
        file.seek(SeekFrom::Start(offset)).unwrap();
        file.write_all(&[mark(offset)]).unwrap();
    }
}

/// Where the copy is stored: tmpfs when it has room (no disk writes to
/// wait for), else the temporary directory.
fn inbox_parent() -> PathBuf {
    let shm = Path::new("/dev/shm");
    let name = std::ffi::CString::new("/dev/shm").unwrap();
    // SAFETY: statvfs fills the zeroed struct it is given, nothing else.
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    let found = unsafe { libc::statvfs(name.as_ptr(), &mut stats) } == 0;
    let free = u64::from(found) * (stats.f_bavail as u64).saturating_mul(stats.f_frsize as u64);
    if free > 2 * SIZE {
        shm.to_owned()
    } else {
        std::env::temp_dir()
    }
}

/// The highest `VmHWM` (kB) of process `pid`, read every 10 ms until it
/// exits.
fn peak_rss(pid: u32) -> thread::JoinHandle<u64> {
    thread::spawn(move || {
        let status = format!("/proc/{pid}/status");
        let mut peak = 0;
        loop {
            let hwm = std::fs::read_to_string(&status).ok().and_then(|text| {
                let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
                line.split_whitespace().nth(1)?.parse::<u64>().ok()
            });
            match hwm {
                Some(kb) => peak = peak.max(kb),
                None => return peak,
            }
            thread::sleep(Duration::from_millis(10));
        }
    })
}

/// `bytes, sha256 HEX` as both ends print it, from a line containing it.
fn digest_in(line: &str) -> &str {
    let start = line.find(&format!("{SIZE} bytes, sha256 ")).expect(line);
    &line[start..start + format!("{SIZE} bytes, sha256 ").len() + 64]
}

#[test]
fn a_2_gib_file_is_copied_with_bounded_memory_at_both_ends() {
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("big.bin");
    sparse_file(&original);
    let inbox = tempfile::tempdir_in(inbox_parent()).unwrap();
    let copy = inbox.path().join("copy.bin");
    let max_size = (2 * SIZE).to_string();
    let (mut server, addr) = Proc::server(&[
        "file-server",
        "--out",
        copy.to_str().unwrap(),
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--max-time",
        "120s",
        "--header-digits",
        "10",
        "--max-size",
        &max_size,
    ]);
    let server_peak = peak_rss(server.id());

    let mut cmd = tcplab();
    cmd.arg("send-file")
        .arg(&original)
        .args(addr_args(addr))
        .args(["--header-digits", "10", "--wait-close", "60s"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let sender = cmd.spawn().expect("send-file runs");
    let sender_peak = peak_rss(sender.id());
    let sent = sender.wait_with_output().unwrap();
    let out = String::from_utf8_lossy(&sent.stdout);
    assert!(
        sent.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let stored_line = server.expect_err("stored copy.bin from");
    server.finish_ok();

    let sender_kb = sender_peak.join().unwrap();
    let server_kb = server_peak.join().unwrap();
    eprintln!("peak RSS: sender {sender_kb} kB, file-server {server_kb} kB");
    assert!(sender_kb > 0 && server_kb > 0, "VmHWM was read");
    assert!(sender_kb < PEAK_LIMIT_KB, "sender peak {sender_kb} kB");
    assert!(server_kb < PEAK_LIMIT_KB, "file-server peak {server_kb} kB");

    let sent_line = out.lines().find(|l| l.starts_with("sent ")).expect(&out);
    assert_eq!(digest_in(sent_line), digest_in(&stored_line));
    let mut stored = File::open(&copy).unwrap();
    assert_eq!(stored.metadata().unwrap().len(), SIZE);
    for offset in MARKS {
        let mut byte = [0u8; 1];
        stored.seek(SeekFrom::Start(offset)).unwrap();
        stored.read_exact(&mut byte).unwrap();
        assert_eq!(byte[0], mark(offset), "byte {offset} of the copy");
    }
    // A byte between the markers is a hole's zero.
    stored.seek(SeekFrom::Start(1 << 29)).unwrap();
    let mut byte = [1u8; 1];
    stored.read_exact(&mut byte).unwrap();
    assert_eq!(byte[0], 0);
}
