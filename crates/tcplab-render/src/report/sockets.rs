//! The report's socket section (exercise 4): a sentence that counts the
//! sockets as the lab does (on the server 1 listening and one connected
//! per client, on each client 1), the run's socket table with whose each
//! socket is, and the socket diagram (`sockets.svg`, `sockets.png`).
//!
//! In: the run's metadata (its socket snapshot and server port) and the
//! capture's connections, which number the clients. Out: the section's
//! blocks and the diagram's files. Whose each socket is comes from
//! `tcplab_analysis::record::sockets`; without run metadata the section
//! says there is no snapshot and draws nothing.

use super::doc::{text, Block};
use super::strings::{fill, Strings};
use super::strings_sockets::SocketStrings;
use super::{Input, Result};
use crate::plot::socket_diagram::{ClientRow, SocketBox, SocketDiagram};
use crate::plot::{ImageFormat, Style};
use std::path::{Path, PathBuf};
use tcplab_analysis::record::run_meta::RunMeta;
use tcplab_analysis::record::sockets::{OwnedSocket, Owner, SocketMap};

/// The diagram's files are `sockets.svg` and `sockets.png`.
const STEM: &str = "sockets";

pub fn section(input: &Input<'_>, s: &Strings, dir: &Path) -> Result<(Vec<Block>, Vec<PathBuf>)> {
    let mut out = vec![Block::Heading(s.sockets.to_string())];
    let Some(meta) = input.meta.filter(|m| !m.sockets.is_empty()) else {
        out.push(Block::Para(s.sockets_none.to_string()));
        return Ok((out, Vec::new()));
    };
    let t = SocketStrings::of(s.lang);
    let map = SocketMap::of(&meta.sockets, server_port(meta), input.connections);
    out.push(Block::Para(format!("{} {}", counted(&map, t), t.explain)));
    out.push(table(&map, t));
    out.push(Block::Para(t.numbering.to_string()));
    let diagram = diagram(&map, t);
    let style = Style::default();
    let svg = diagram.render(&style, ImageFormat::Svg)?;
    let png = diagram.render(&style, ImageFormat::Png)?;
    let mut files = Vec::new();
    for fig in [&svg, &png] {
        let path = dir.join(format!("{STEM}.{}", fig.format.extension()));
        fig.save(&path)?;
        files.push(path);
    }
    out.push(Block::Figure {
        stem: STEM.to_string(),
        title: t.figure_title.to_string(),
        caption: fill(t.figure_caption, &[&map.port]),
        svg: svg.as_svg().unwrap_or_default().to_string(),
    });
    Ok((out, files))
}

/// The server port of the metadata, else that of its listening socket.
fn server_port(meta: &RunMeta) -> u16 {
    meta.server_port
        .or_else(|| {
            let listen = meta.sockets.iter().find(|k| k.state == "LISTEN")?;
            listen.local.rsplit_once(':')?.1.parse().ok()
        })
        .unwrap_or(0)
}

/// "the server had 3 sockets: 1 listening on port P and 2 connected, one
/// per client; each client had 1 …": the lab's count.
fn counted(map: &SocketMap<'_>, t: &SocketStrings) -> String {
    let (listening, accepted) = (map.listening() as u64, map.accepted() as u64);
    let clients = map.clients.len();
    let matching = if !map.one_each() {
        ""
    } else if clients == 1 {
        t.only_client
    } else {
        t.one_per_client
    };
    let theirs = if map.one_each() {
        let each = if clients == 1 {
            t.the_client_one
        } else {
            t.each_client_one
        };
        fill(each, &[&map.port])
    } else {
        let seen = t.n_sockets.of(map.client_sockets() as u64);
        if clients == 1 {
            fill(t.seen_one, &[&seen])
        } else {
            fill(t.seen_many, &[&seen, &clients])
        }
    };
    let all = map.sockets.len() as u64;
    fill(
        t.counted,
        &[
            &t.n_sockets.of(listening + accepted),
            &t.n_listening.of(listening),
            &map.port,
            &t.n_connected.of(accepted),
            &matching,
            &theirs,
            &t.n_sockets.of(all),
        ],
    )
}

fn whose(s: &OwnedSocket<'_>, t: &SocketStrings) -> String {
    match s.owner {
        Owner::Listening => t.owner_listening.to_string(),
        Owner::Accepted(n) => fill(t.owner_accepted, &[&n]),
        Owner::Client(n) => fill(t.owner_client, &[&n]),
        Owner::Unknown => t.owner_unknown.to_string(),
    }
}

fn stream(s: Option<u32>, t: &SocketStrings) -> String {
    s.map_or_else(|| "-".to_string(), |n| fill(t.stream, &[&n]))
}

fn table(map: &SocketMap<'_>, t: &SocketStrings) -> Block {
    Block::Table {
        head: t.head.iter().map(|h| h.to_string()).collect(),
        rows: map
            .sockets
            .iter()
            .map(|k| {
                vec![
                    whose(k, t),
                    text(&k.entry.local),
                    text(&k.entry.remote),
                    text(&k.entry.state),
                    stream(k.stream, t),
                ]
            })
            .collect(),
    }
}

fn diagram(map: &SocketMap<'_>, t: &SocketStrings) -> SocketDiagram {
    let boxed = |k: &OwnedSocket<'_>, note: String| SocketBox {
        addr: k.entry.local.clone(),
        note,
    };
    let listening = map
        .of_owner(Owner::Listening)
        .map(|k| boxed(k, fill(t.note_listening, &[&k.entry.state])))
        .collect();
    let clients = map
        .clients
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let n = i + 1;
            let accepted = map.of_owner(Owner::Accepted(n)).next();
            let own = map.of_owner(Owner::Client(n)).next();
            ClientRow {
                accepted: accepted.map(|k| boxed(k, fill(t.note_accepted, &[&n, &k.entry.state]))),
                name: fill(t.client, &[&n]),
                socket: match own {
                    Some(k) => boxed(k, fill(t.note_client, &[&k.entry.state])),
                    None => SocketBox {
                        addr: c.addr.to_string(),
                        note: t.note_elsewhere.to_string(),
                    },
                },
                link: c.stream.map_or_else(String::new, |s| fill(t.stream, &[&s])),
            }
        })
        .collect();
    SocketDiagram {
        title: t.title.to_string(),
        subtitle: fill(t.subtitle, &[&map.port]),
        server: t.server.to_string(),
        listening,
        clients,
        connection_key: t.key_connection.to_string(),
        accept_key: t.key_accept.to_string(),
        caption: vec![t.diagram_caption.to_string()],
    }
}
