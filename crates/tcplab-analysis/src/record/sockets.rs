//! Whose socket each row of a run's socket snapshot is (lab exercise 4):
//! the server's listening socket, the socket the server's `accept()`
//! returned for each client, and each client's own socket.
//!
//! In: the snapshot (`RunMeta::sockets`, rows of `/proc/net/tcp{,6}` whose
//! local or remote port is the server port), the server port and the
//! capture's connections. Out: a [`SocketMap`]: every row with its owner,
//! the clients numbered, and the counts the lab asks for.
//!
//! Nothing is assumed from the scenario; the owner follows from the row:
//! - `LISTEN` with the server port as local port: the listening socket;
//! - any other state with the server port as local port: a connected
//!   socket of the server, for the client at its remote address;
//! - the server port as remote port: the client's own socket, at its local
//!   address.
//!
//! A client is one address (IP:port) at the far end of the server port.
//! Clients are numbered in the order of their connections in the capture
//! (Wireshark's tcp.stream: client 1 opened the first connection); a client
//! whose connection is not in the capture comes after them, in the order
//! of the snapshot. A client on another machine has no row of its own:
//! only the server's connected socket names it.
//!
//! Not done here: wording and drawing (the report's section and diagram).

use super::run_meta::SocketEntry;
use crate::ConnectionSummary;
use std::net::SocketAddr;

/// Whose a socket is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// The server's listening socket.
    Listening,
    /// A socket of the server, connected to client `n` (1-based): the one
    /// `accept()` returned for it.
    Accepted(usize),
    /// Client `n`'s own socket, connected to the server port.
    Client(usize),
    /// A row whose addresses could not be read.
    Unknown,
}

/// One row of the snapshot with its owner.
#[derive(Clone, Debug)]
pub struct OwnedSocket<'a> {
    pub entry: &'a SocketEntry,
    pub owner: Owner,
    /// The capture's connection this socket is an end of (Wireshark's
    /// tcp.stream), when the capture has it.
    pub stream: Option<u32>,
}

/// A client: the address of its socket and its connection in the capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientEnd {
    pub addr: SocketAddr,
    pub stream: Option<u32>,
}

/// The snapshot, row by row with owners: the listening socket first, then
/// for each client its socket on the server and its own, then any row
/// that could not be read.
#[derive(Clone, Debug)]
pub struct SocketMap<'a> {
    pub port: u16,
    pub sockets: Vec<OwnedSocket<'a>>,
    /// Client `n` is `clients[n - 1]`.
    pub clients: Vec<ClientEnd>,
}

fn addrs(e: &SocketEntry) -> Option<(SocketAddr, SocketAddr)> {
    Some((e.local.parse().ok()?, e.remote.parse().ok()?))
}

/// The connection whose two ends are `x` and `y`, the first if a port was
/// reused.
fn stream_of(conns: &[ConnectionSummary], x: SocketAddr, y: SocketAddr) -> Option<u32> {
    let same = |e: crate::flow::Endpoint, s: SocketAddr| e.addr == s.ip() && e.port == s.port();
    conns
        .iter()
        .find(|c| (same(c.a, x) && same(c.b, y)) || (same(c.a, y) && same(c.b, x)))
        .map(|c| c.stream)
}

enum Row {
    Listening,
    /// (client address, server address)
    Accepted(SocketAddr, SocketAddr),
    Client(SocketAddr, SocketAddr),
    Unknown,
}

fn row(e: &SocketEntry, port: u16) -> Row {
    match addrs(e) {
        Some((l, _)) if l.port() == port && e.state == "LISTEN" => Row::Listening,
        Some((l, r)) if l.port() == port => Row::Accepted(r, l),
        Some((l, r)) if r.port() == port => Row::Client(l, r),
        _ => Row::Unknown,
    }
}

impl<'a> SocketMap<'a> {
    pub fn of(
        snapshot: &'a [SocketEntry],
        port: u16,
        conns: &[ConnectionSummary],
    ) -> SocketMap<'a> {
        let rows: Vec<(&SocketEntry, Row)> = snapshot.iter().map(|e| (e, row(e, port))).collect();
        let mut clients: Vec<ClientEnd> = Vec::new();
        for (_, r) in &rows {
            let (Row::Accepted(client, server) | Row::Client(client, server)) = r else {
                continue;
            };
            if !clients.iter().any(|c| c.addr == *client) {
                clients.push(ClientEnd {
                    addr: *client,
                    stream: stream_of(conns, *client, *server),
                });
            }
        }
        // Stable: clients without a connection keep the snapshot's order.
        clients.sort_by_key(|c| c.stream.map_or((1, 0), |s| (0, s)));
        let number = |a: &SocketAddr| clients.iter().position(|c| c.addr == *a).map(|i| i + 1);
        let mut sockets: Vec<OwnedSocket<'a>> = rows
            .iter()
            .map(|(entry, r)| {
                let (owner, stream) = match r {
                    Row::Listening => (Owner::Listening, None),
                    Row::Accepted(c, s) => (
                        number(c).map_or(Owner::Unknown, Owner::Accepted),
                        stream_of(conns, *c, *s),
                    ),
                    Row::Client(c, s) => (
                        number(c).map_or(Owner::Unknown, Owner::Client),
                        stream_of(conns, *c, *s),
                    ),
                    Row::Unknown => (Owner::Unknown, None),
                };
                OwnedSocket {
                    entry,
                    owner,
                    stream,
                }
            })
            .collect();
        sockets.sort_by_key(|s| match s.owner {
            Owner::Listening => (0, 0),
            Owner::Accepted(n) => (n, 0),
            Owner::Client(n) => (n, 1),
            Owner::Unknown => (usize::MAX, 0),
        });
        SocketMap {
            port,
            sockets,
            clients,
        }
    }

    fn count(&self, f: impl Fn(Owner) -> bool) -> usize {
        self.sockets.iter().filter(|s| f(s.owner)).count()
    }

    /// The server's listening sockets (one, unless it listens on IPv4 and
    /// IPv6 apart).
    pub fn listening(&self) -> usize {
        self.count(|o| o == Owner::Listening)
    }

    /// The server's connected sockets, one per client it accepted.
    pub fn accepted(&self) -> usize {
        self.count(|o| matches!(o, Owner::Accepted(_)))
    }

    /// The clients' own sockets in the snapshot.
    pub fn client_sockets(&self) -> usize {
        self.count(|o| matches!(o, Owner::Client(_)))
    }

    /// True when every client has exactly one socket on the server and one
    /// of its own, as the lab describes it.
    pub fn one_each(&self) -> bool {
        (1..=self.clients.len()).all(|n| {
            self.count(|o| o == Owner::Accepted(n)) == 1
                && self.count(|o| o == Owner::Client(n)) == 1
        })
    }

    /// The rows of one owner.
    pub fn of_owner(&self, owner: Owner) -> impl Iterator<Item = &OwnedSocket<'a>> {
        self.sockets.iter().filter(move |s| s.owner == owner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(local: &str, remote: &str, state: &str) -> SocketEntry {
        SocketEntry {
            local: local.into(),
            remote: remote.into(),
            state: state.into(),
            inode: 0,
        }
    }

    /// The echo run's snapshot, in /proc's order (not the clients').
    fn echo() -> Vec<SocketEntry> {
        vec![
            entry("127.0.0.1:40002", "127.0.0.1:5001", "ESTABLISHED"),
            entry("127.0.0.1:5001", "127.0.0.1:40001", "ESTABLISHED"),
            entry("127.0.0.1:5001", "0.0.0.0:0", "LISTEN"),
            entry("127.0.0.1:5001", "127.0.0.1:40002", "ESTABLISHED"),
            entry("127.0.0.1:40001", "127.0.0.1:5001", "ESTABLISHED"),
        ]
    }

    #[test]
    fn owners_follow_from_the_ports() {
        let snap = echo();
        let map = SocketMap::of(&snap, 5001, &[]);
        let owners: Vec<(Owner, &str)> = map
            .sockets
            .iter()
            .map(|s| (s.owner, s.entry.local.as_str()))
            .collect();
        // Without the capture, clients are numbered in the snapshot's order.
        assert_eq!(
            owners,
            [
                (Owner::Listening, "127.0.0.1:5001"),
                (Owner::Accepted(1), "127.0.0.1:5001"),
                (Owner::Client(1), "127.0.0.1:40002"),
                (Owner::Accepted(2), "127.0.0.1:5001"),
                (Owner::Client(2), "127.0.0.1:40001"),
            ]
        );
        assert_eq!(map.sockets[1].entry.remote, "127.0.0.1:40002");
        assert_eq!(
            (map.listening(), map.accepted(), map.client_sockets()),
            (1, 2, 2)
        );
        assert!(map.one_each());
    }

    #[test]
    fn a_client_elsewhere_has_only_the_server_side() {
        let snap = vec![
            entry("[::1]:5001", "[::]:0", "LISTEN"),
            entry("[::1]:5001", "[2001:db8::7]:40001", "ESTABLISHED"),
            entry("garbage", "0.0.0.0:0", "CLOSE"),
        ];
        let map = SocketMap::of(&snap, 5001, &[]);
        assert_eq!(map.clients.len(), 1);
        assert_eq!(
            map.clients[0].addr,
            "[2001:db8::7]:40001".parse().expect("an address")
        );
        assert_eq!(map.sockets[1].owner, Owner::Accepted(1));
        assert_eq!(map.sockets[2].owner, Owner::Unknown);
        assert_eq!(map.client_sockets(), 0);
        assert!(!map.one_each());
    }
}
