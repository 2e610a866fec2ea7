//! Final exercise 1, the group chat: password first, lines relayed to the
//! others with the sender's address, idle clients expelled. Plain `nc` is a
//! client, as is `tcplab chat-client`.

mod lab_support;

use lab_support::chat_peer::{never_reads, Peer};
use lab_support::{addr_args, program, run_with_input, tcplab, Proc};
use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

fn nc(addr: SocketAddr) -> Proc {
    let [host, port] = addr_args(addr);
    Proc::spawn(program("nc", &["-N", &host, &port]))
}

#[test]
fn members_talk_and_a_wrong_password_is_refused() {
    let (mut server, addr) = Proc::server(&[
        "chat-server",
        "--password",
        "sesamo",
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--max-clients",
        "3",
        "--max-time",
        "15s",
    ]);

    let mut ana = nc(addr);
    ana.expect_out("Password:");
    ana.send("sesamo\n");
    ana.expect_out("Welcome, you are 127.0.0.1:");
    server.expect_err("gave the right password");

    let mut client = tcplab();
    client
        .args(["chat-client"])
        .args(addr_args(addr))
        .args(["--password", "sesamo"]);
    let mut bob = Proc::spawn(client);
    bob.expect_out("1 other(s) in the room");
    ana.expect_out("entered the room");

    ana.send("hola a todos\n");
    let relayed = bob.expect_out("] hola a todos");
    assert!(relayed.starts_with("[127.0.0.1:"), "{relayed}");
    bob.send("hola ana\n");
    ana.expect_out("] hola ana");

    let mut intruder = nc(addr);
    intruder.expect_out("Password:");
    intruder.send("abracadabra\n");
    intruder.expect_out("Wrong password. Bye.");
    let intruder = intruder.finish();
    assert!(
        !intruder.out.iter().any(|l| l.contains("hola")),
        "{intruder:?}"
    );
    server.expect_err("wrong password");

    bob.finish_ok();
    ana.expect_out("left the room");
    ana.finish();
    server.finish_ok();
}

#[test]
fn idle_clients_are_expelled_and_the_room_is_told() {
    let (server, addr) = Proc::server(&[
        "chat-server",
        "--password",
        "pw",
        "--idle-timeout",
        "1s",
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--max-clients",
        "2",
        "--max-time",
        "15s",
    ]);
    let mut quiet = nc(addr);
    quiet.send("pw\n");
    quiet.expect_out("Welcome");
    let mut chatty = nc(addr);
    chatty.send("pw\n");
    chatty.expect_out("Welcome");
    // `quiet` says nothing for 1 s; `chatty` talks, and is expelled 1 s later.
    chatty.send("sigo aqui\n");
    quiet.expect_out("] sigo aqui");
    quiet.expect_out("Expelled: idle for more than 1s.");
    chatty.expect_out("was expelled (idle for more than 1s)");
    chatty.expect_out("Expelled: idle for more than 1s.");
    quiet.finish();
    chatty.finish();
    let server = server.finish_ok();
    let expelled = server
        .err
        .iter()
        .filter(|l| l.contains("expelled after 1s"))
        .count();
    assert_eq!(expelled, 2, "{server:?}");
}

#[test]
fn silence_at_the_password_prompt_is_idleness_too() {
    let (server, addr) = Proc::server(&[
        "chat-server",
        "--password",
        "pw",
        "--idle-timeout",
        "200ms",
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--max-clients",
        "1",
        "--max-time",
        "15s",
    ]);
    let mut mute = nc(addr);
    mute.expect_out("Password:");
    mute.expect_out("Expelled: idle for more than 200ms.");
    mute.finish();
    assert!(server.finish().status.success());
}

/// A chat server on loopback with password `pw` that ends by itself.
fn chat_server(max_clients: &str, extra: &[&str]) -> (Proc, SocketAddr) {
    let mut args = vec![
        "chat-server",
        "--password",
        "pw",
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--max-clients",
        max_clients,
        "--max-time",
        "40s",
    ];
    args.extend_from_slice(extra);
    Proc::server(&args)
}

#[test]
fn bursts_reach_every_reading_client_complete_and_in_order() {
    let (server, addr) = chat_server("3", &[]);
    let mut talker = Peer::join(addr, "pw");
    let mut readers = [Peer::join(addr, "pw"), Peer::join(addr, "pw")];
    for burst in 1..=2 {
        // 2,000 lines of 29 bytes in one write: far more than any fixed queue
        // of messages, far less than the pending bound in bytes.
        let lines: Vec<String> = (1..=2000)
            .map(|i| format!("{:<28}", format!("burst {burst} line {i:05}")))
            .collect();
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        assert_eq!(text.len(), 2000 * 29);
        talker.send(text.as_bytes());
        for reader in &mut readers {
            let got = reader.relayed_from(talker.local, lines.len());
            assert!(got == lines, "burst {burst}: lines lost or reordered");
        }
    }
    drop((talker, readers));
    let server = server.finish_ok();
    assert!(
        !server.err.iter().any(|l| l.contains("expelled")),
        "{server:?}"
    );
}

#[test]
fn a_client_that_never_reads_is_expelled_and_the_room_goes_on() {
    let (mut server, addr) = chat_server(
        "3",
        &[
            "--idle-timeout",
            "8s",
            "--max-pending",
            "256KiB",
            "--write-timeout",
            "3s",
        ],
    );
    let mut talker = Peer::join(addr, "pw");
    let mut reader = Peer::join(addr, "pw");
    let mute = never_reads(addr, "pw");
    let mute_addr = mute.local_addr().expect("local address");
    server.expect_err(&format!("client {mute_addr} gave the right password"));
    reader.expect(&format!("* {mute_addr} entered the room"));
    let joined = Instant::now();

    // 4 MB for everyone, 200 KB at a time: the reader takes each batch
    // before the next is sent, so its pending output stays under the bound;
    // the mute client's passes it in the second batch.
    let line = format!("{}\n", "z".repeat(4000));
    for _ in 0..20 {
        talker.send(line.repeat(50).as_bytes());
        let got = reader.relayed_from(talker.local, 50);
        assert!(got.iter().all(|l| l.len() == 4000), "a line was cut");
    }
    let left = server.expect_err(&format!("client left {mute_addr}: expelled"));
    let took = joined.elapsed();
    assert!(
        took < Duration::from_secs(8),
        "expelled after {took:?}: {left}"
    );
    assert!(left.contains("262144"), "{left}");

    // The room goes on, and was told.
    talker.send(b"sigo aqui\n");
    assert_eq!(reader.relayed_from(talker.local, 1), ["sigo aqui"]);
    assert!(reader.saw(&format!("* {mute_addr} was expelled")));
    drop((talker, reader, mute));
    server.finish_ok();
}

#[test]
fn a_write_that_takes_too_long_expels_too() {
    let (mut server, addr) = chat_server("3", &["--max-pending", "16MiB", "--write-timeout", "1s"]);
    let mut talker = Peer::join(addr, "pw");
    let mut reader = Peer::join(addr, "pw");
    let mute = never_reads(addr, "pw");
    let mute_addr = mute.local_addr().expect("local address");
    reader.expect(&format!("* {mute_addr} entered the room"));
    // 8 MB, 200 KB at a time: under the bound, over what the server's socket
    // to the mute client takes (its send buffer is at most 4 MB here).
    let line = format!("{}\n", "y".repeat(4000));
    for _ in 0..40 {
        talker.send(line.repeat(50).as_bytes());
        assert_eq!(reader.relayed_from(talker.local, 50).len(), 50);
    }
    let left = server.expect_err(&format!("client left {mute_addr}: expelled"));
    assert!(left.contains("took no data for 1s"), "{left}");
    reader.expect(&format!("* {mute_addr} was expelled (took no data for 1s)"));
    drop((talker, reader, mute));
    server.finish_ok();
}

#[test]
fn control_characters_are_shown_not_obeyed() {
    let (server, addr) = chat_server("2", &[]);
    let mut talker = Peer::join(addr, "pw");
    let mut reader = Peer::join(addr, "pw");
    talker.send("a\x1b[2Jb\rc\x08d\0e\x7ff\tg ñandú 🙂 \u{9b}31m \u{202e}gnp.exe\n".as_bytes());
    let got = reader.relayed_from(talker.local, 1);
    assert_eq!(
        got,
        ["a^[[2Jb^Mc^Hd^@e^?f\tg ñandú 🙂 <U+009B>31m <U+202E>gnp.exe"]
    );
    drop((talker, reader));
    server.finish_ok();
}

/// `tcplab chat-server` on loopback without any password option, nor the
/// password variable unless `env` gives it.
fn bare_server(args: &[&str], env: Option<&str>) -> Command {
    let mut cmd = tcplab();
    cmd.args(["chat-server", "--bind", "127.0.0.1", "--port", "0"])
        .args(["--max-clients", "1", "--max-time", "15s"])
        .args(args)
        .env_remove("TCPLAB_CHAT_PASSWORD");
    if let Some(value) = env {
        cmd.env("TCPLAB_CHAT_PASSWORD", value);
    }
    cmd
}

fn started(cmd: Command) -> (Proc, SocketAddr) {
    let mut server = Proc::spawn(cmd);
    let line = server.expect_out("listening on ");
    let addr = line["listening on ".len()..].parse().expect("an address");
    (server, addr)
}

#[test]
fn the_password_comes_from_exactly_one_of_option_file_or_environment() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("password");
    std::fs::write(&file, "de archivo\nsecond line ignored\n").expect("writing");
    let file = file.to_string_lossy().into_owned();

    for (args, env) in [
        (vec![], None),
        (vec!["--password", "a"], Some("b")),
        (vec!["--password", "a", "--password-file", &file], None),
        (vec!["--password-file", &file], Some("b")),
    ] {
        let done = run_with_input(bare_server(&args, env), "");
        assert!(!done.status.success(), "{args:?} {env:?}: {done:?}");
        assert!(done.out.is_empty(), "started anyway: {done:?}");
        assert_eq!(done.err.len(), 1, "one line: {done:?}");
        for name in ["--password", "--password-file", "TCPLAB_CHAT_PASSWORD"] {
            assert!(done.err[0].contains(name), "{name}: {done:?}");
        }
    }

    let (server, addr) = started(bare_server(&["--password-file", &file], None));
    drop(Peer::join(addr, "de archivo"));
    server.finish_ok();

    let (server, addr) = started(bare_server(&[], Some("del entorno")));
    drop(Peer::join(addr, "del entorno"));
    server.finish_ok();

    let help = tcplab()
        .args(["chat-server", "--help"])
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&help.stdout);
    for name in [
        "--password-file",
        "TCPLAB_CHAT_PASSWORD",
        "--max-pending",
        "1MiB",
    ] {
        assert!(help.contains(name), "--help lacks {name}: {help}");
    }
}

/// The chat client takes its password the same ways (so it need not show
/// in `ps`): from a file's first line or from TCPLAB_CHAT_PASSWORD; two
/// sources at once are refused before connecting.
#[test]
fn the_client_reads_its_password_from_a_file_or_the_environment() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("password");
    std::fs::write(&file, "sesamo\n").expect("writing");
    let file = file.to_string_lossy().into_owned();
    let client = |addr: SocketAddr, args: &[&str], env: Option<&str>| {
        let mut cmd = tcplab();
        cmd.args(["chat-client"])
            .args(addr_args(addr))
            .args(args)
            .env_remove("TCPLAB_CHAT_PASSWORD");
        if let Some(value) = env {
            cmd.env("TCPLAB_CHAT_PASSWORD", value);
        }
        cmd
    };
    let mut cmd = tcplab();
    cmd.args(["chat-server", "--password", "sesamo", "--bind", "127.0.0.1"])
        .args(["--port", "0", "--max-clients", "2", "--max-time", "15s"]);
    let (mut server, addr) = started(cmd);
    let mut from_file = Proc::spawn(client(addr, &["--password-file", &file], None));
    from_file.expect_out("Welcome, you are");
    server.expect_err("gave the right password");
    from_file.finish_ok();

    let two = run_with_input(
        client(addr, &["--password-file", &file], Some("sesamo")),
        "",
    );
    assert!(!two.status.success(), "{two:?}");
    assert_eq!(two.err.len(), 1, "one line: {two:?}");
    assert!(two.err[0].contains("only one of"), "{two:?}");

    let mut from_env = Proc::spawn(client(addr, &[], Some("sesamo")));
    from_env.expect_out("Welcome, you are");
    server.expect_err("gave the right password");
    from_env.finish_ok();
    server.finish_ok();
}

/// A member silent in the middle of a line is expelled with what it had
/// sent, not "without sending anything"; one typing slowly is not idle.
#[test]
fn an_idle_member_mid_line_is_told_apart() {
    let (mut server, addr) = chat_server("2", &["--idle-timeout", "300ms"]);
    let mut slow = Peer::join(addr, "pw");
    for piece in [&b"ho"[..], b"la ", b"a todos\n"] {
        slow.send(piece);
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    server.expect_err("data (12 bytes): \"hola a todos\"");
    slow.send(b"sin fin");
    let line = server.expect_err(&format!("client left {}: expelled", slow.local));
    assert!(
        line.contains(
            "expelled after 300ms without sending more, in the middle of a line (it had sent 7 bytes of it, no line end yet)"
        ),
        "{line}"
    );
    slow.expect("Expelled: idle for more than 300ms.");
    let mut quiet = Peer::join(addr, "pw");
    let line = server.expect_err(&format!("client left {}: expelled", quiet.local));
    assert!(line.contains("without sending anything"), "{line}");
    quiet.expect("Expelled: idle for more than 300ms.");
    drop((slow, quiet));
    server.finish_ok();
}
