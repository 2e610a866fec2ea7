//! Final exercise 1, the group chat: password first, lines relayed to the
//! others with the sender's address, idle clients expelled. Plain `nc` is a
//! client, as is `tcplab chat-client`.

mod lab_support;

use lab_support::{addr_args, program, tcplab, Proc};
use std::net::SocketAddr;

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
