//! Issue #13 (verified exchange): two senders of one name at once, and the
//! part files a killed server leaves behind.

use super::lab_support::alice;
use super::{entries, hello, hello_named, read_reply, send_verified, verified_server};
use std::io::Write;
use std::net::Shutdown;
use tcplab_lab::file_copy::{FileDigest, Mode, Reply};

/// Two senders of one name at once: the second is refused while the first
/// runs (it would otherwise be told `ok` and one copy silently lost).
#[test]
fn a_second_sender_of_the_same_name_is_refused_while_the_first_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, addr) = verified_server(dir.path(), "2");
    let first_contents = b"first\n".repeat(100);
    let (mut first, reply) = hello_named(addr, Mode::Lines, &first_contents, "same.txt");
    assert_eq!(reply, Some(Reply::Go));

    let (_second, reply) = hello_named(addr, Mode::Lines, b"second\n", "same.txt");
    match reply {
        Some(Reply::Error(why)) => assert!(
            why.contains("same.txt is already being received from another sender"),
            "{why}"
        ),
        other => panic!("expected an error reply, got {other:?}"),
    }
    server.expect_err("refused: same.txt is already being received from another sender");

    first.write_all(&first_contents).unwrap();
    first.shutdown(Shutdown::Write).unwrap();
    let stored = FileDigest::of(&first_contents);
    assert_eq!(read_reply(&mut first), Some(Reply::Stored(stored)));

    // Once the first is stored the name is no longer being received, but it
    // exists now, and the server never replaces a file.
    let (_third, reply) = hello_named(addr, Mode::Lines, b"third\n", "same.txt");
    match reply {
        Some(Reply::Error(why)) => assert!(
            why.contains("same.txt already exists on the server"),
            "{why}"
        ),
        other => panic!("expected an error reply, got {other:?}"),
    }
    let (mut fourth, reply) = hello_named(addr, Mode::Lines, b"fourth\n", "other.txt");
    assert_eq!(reply, Some(Reply::Go));
    fourth.write_all(b"fourth\n").unwrap();
    fourth.shutdown(Shutdown::Write).unwrap();
    assert!(matches!(read_reply(&mut fourth), Some(Reply::Stored(_))));
    assert!(server.finish().status.success());
    assert_eq!(entries(dir.path()), ["other.txt", "same.txt"]);
    assert_eq!(
        std::fs::read(dir.path().join("same.txt")).unwrap(),
        first_contents
    );
}

/// SIGKILL gives the server no chance to clean up: the next server started
/// on the directory removes the part file (and nothing else) and says so.
#[test]
fn a_killed_servers_part_file_is_swept_at_restart() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let (server, addr) = verified_server(dir.path(), "1");
    let contents = vec![b'a'; 100_000];
    let mut stream = hello(addr, Mode::Whole, &contents);
    stream.write_all(b"100000:").unwrap();
    stream.write_all(&contents[..1000]).unwrap();
    let left = entries(dir.path());
    let [part] = &left[..] else {
        panic!("expected one part file, got {left:?}")
    };
    let killed = server.kill();
    assert!(!killed.status.success());
    drop(stream);
    assert_eq!(
        entries(dir.path()),
        std::slice::from_ref(part),
        "SIGKILL cleans nothing"
    );
    let dead: u32 = part.rsplit('-').nth(1).unwrap().parse().unwrap();

    // What the sweep must leave alone: the part file of a process that runs
    // (this test), a hidden file of another pattern, and a link matching the
    // pattern (never followed, never removed).
    let alive = format!(".mine.txt.tcplab-part-{}-0", std::process::id());
    std::fs::write(dir.path().join(&alive), b"alive").unwrap();
    std::fs::write(dir.path().join(".notes"), b"notes").unwrap();
    let target = outside.path().join("target.txt");
    std::fs::write(&target, b"outside").unwrap();
    let link = format!(".link.txt.tcplab-part-{dead}-7");
    std::os::unix::fs::symlink(&target, dir.path().join(&link)).unwrap();

    let (mut server, addr) = verified_server(dir.path(), "1");
    server.expect_err(&format!(
        "removed \"{part}\", a part file left by file server process {dead} that no longer runs"
    ));
    let mut kept = vec![alive, ".notes".to_owned(), link];
    kept.sort();
    assert_eq!(entries(dir.path()), kept);
    assert_eq!(std::fs::read(&target).unwrap(), b"outside");
    let sent = send_verified(&alice(), addr, &[]);
    assert!(sent.status.success(), "{sent:?}");
    let done = server.finish_ok();
    let removals = done.err.iter().filter(|l| l.contains("removed")).count();
    assert_eq!(removals, 1, "{:#?}", done.err);
}
