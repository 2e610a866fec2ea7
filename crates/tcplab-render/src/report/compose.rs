//! The report's sections, from the analysis and the evidence: connections
//! and sockets, the three phases with their checks against theory
//! (exercise 5), the graphs, the answers and the capture's quality.

use super::capture_point::Point;
use super::doc::{code, local_href, text, Block};
use super::strings::{fill, Strings};
use super::units::{at, duration, mark, rate};
use super::{answers, checks, path, quality, Input};
use tcplab_analysis::flow::{Direction, Endpoint};
use tcplab_analysis::{ConnectionSummary, FinalState, SegmentBrief};
use tcplab_wire::dissect::TcpOptions;

/// The client (SYN sender) and the data sender of the reported connection.
pub struct Roles {
    pub client: Direction,
    pub data: Direction,
}

impl Roles {
    pub fn of(input: &Input<'_>) -> Roles {
        Roles {
            client: input.conn.client.unwrap_or(Direction::AtoB),
            data: input.series.busiest_direction(),
        }
    }
}

pub fn endpoint(c: &ConnectionSummary, d: Direction) -> Endpoint {
    match d {
        Direction::AtoB => c.a,
        Direction::BtoA => c.b,
    }
}

/// The report's blocks; `sockets` is the socket section
/// (`report::sockets`), `figures` the graphs.
pub fn blocks(
    input: &Input<'_>,
    s: &Strings,
    sockets: Vec<Block>,
    figures: Vec<Block>,
) -> Vec<Block> {
    let roles = Roles::of(input);
    let mut out = vec![Block::Title(fill(s.title, &[&text(&input.file_name)]))];
    out.extend(header(input, s, &roles));
    out.extend(sockets);
    out.extend(establishment(input.conn, s, &roles));
    out.extend(transfer(input, s, &roles));
    out.extend(release(input.conn, s));
    out.push(Block::Heading(s.graphs.to_string()));
    if let Some(view) = input.view.filter(|v| local_href(v)) {
        out.push(Block::Para(fill(s.view_link, &[&view])));
    }
    out.extend(figures);
    out.extend(answers::blocks(input, s, &roles));
    out.extend(path::blocks(input, s, &roles, input.path));
    out.extend(quality::blocks(input, s));
    out
}

fn header(input: &Input<'_>, s: &Strings, roles: &Roles) -> Vec<Block> {
    let c = input.conn;
    let cap = input.capture;
    let (client, server) = (
        endpoint(c, roles.client),
        endpoint(c, roles.client.reverse()),
    );
    let (from, to) = (endpoint(c, roles.data), endpoint(c, roles.data.reverse()));
    let mut out = vec![
        Block::Para(fill(
            s.intro,
            &[
                &code(&input.file_name),
                &s.n_packets.of(cap.records),
                &cap.tcp_segments,
                &s.n_connections.of(input.connections.len() as u64),
            ],
        )),
        Block::Para(if input.evidence.side(roles.data).data_segments == 0 {
            fill(s.studied_no_data, &[&c.stream, &client, &server])
        } else {
            fill(s.studied, &[&c.stream, &client, &server, &from, &to])
        }),
        Block::Heading(s.connections.to_string()),
    ];
    const MAX_ROWS: usize = 20;
    let mut rows: Vec<Vec<String>> = input
        .connections
        .iter()
        .take(MAX_ROWS)
        .map(|k| {
            let cl = k.client.unwrap_or(Direction::AtoB);
            let mark = if k.stream == c.stream { "**" } else { "" };
            vec![
                format!("{mark}{}{mark}", k.stream),
                endpoint(k, cl).to_string(),
                endpoint(k, cl.reverse()).to_string(),
                k.packets.to_string(),
                duration(s, k.duration),
                state(s, k.final_state).to_string(),
            ]
        })
        .collect();
    if input.connections.len() > MAX_ROWS {
        let more = fill(s.more, &[&input.connections.len()]);
        rows.push(vec![
            more,
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    out.push(Block::Table {
        head: s.conn_head.iter().map(|h| h.to_string()).collect(),
        rows,
    });
    out
}

fn state(s: &Strings, st: FinalState) -> &'static str {
    match st {
        FinalState::Closed => s.state_closed,
        FinalState::Reset => s.state_reset,
        FinalState::Closing => s.state_closing,
        FinalState::Open => s.state_open,
    }
}

fn options(o: &TcpOptions) -> String {
    let mut parts = Vec::new();
    if let Some(m) = o.mss {
        parts.push(format!("MSS={m}"));
    }
    if let Some(w) = o.window_scale {
        parts.push(format!("WS={w}"));
    }
    if o.sack_permitted {
        parts.push("SACK_PERM".to_string());
    }
    if let Some((v, e)) = o.timestamps {
        parts.push(format!("TSval={v} TSecr={e}"));
    }
    parts.join(" ")
}

pub fn segment_table(c: &ConnectionSummary, s: &Strings, segs: &[SegmentBrief]) -> Block {
    Block::Table {
        head: s.seg_head.iter().map(|h| h.to_string()).collect(),
        rows: segs
            .iter()
            .map(|b| {
                vec![
                    b.frame.to_string(),
                    at(s, b.time - c.start),
                    endpoint(c, b.from).to_string(),
                    b.flags.letters().to_string(),
                    b.seq.to_string(),
                    if b.flags.ack() {
                        b.ack.to_string()
                    } else {
                        "0".to_string()
                    },
                    b.len.to_string(),
                    b.window.to_string(),
                    options(&b.options),
                ]
            })
            .collect(),
    }
}

fn establishment(c: &ConnectionSummary, s: &Strings, roles: &Roles) -> Vec<Block> {
    let h = &c.handshake;
    let mut out = vec![Block::Heading(s.establishment.to_string())];
    let segs: Vec<SegmentBrief> = [h.syn, h.syn_ack, h.ack].into_iter().flatten().collect();
    if h.syn.is_none() {
        out.push(Block::Para(s.no_handshake.to_string()));
        return out;
    }
    out.push(segment_table(c, s, &segs));
    let mut checks = Vec::new();
    if let (Some(syn), Some(sa)) = (h.syn, h.syn_ack) {
        let want = syn.seq + 1;
        checks.push(fill(
            s.chk_syn_ack,
            &[&syn.seq, &want, &mark(sa.ack == want, sa.ack)],
        ));
        if let Some(ack) = h.ack {
            checks.push(fill(
                s.chk_ack_seq,
                &[&syn.seq, &want, &mark(ack.seq == want, ack.seq)],
            ));
            let want = sa.seq + 1;
            checks.push(fill(
                s.chk_ack_ack,
                &[&sa.seq, &want, &mark(ack.ack == want, ack.ack)],
            ));
        }
    }
    let (cl, sv) = (
        c.direction(roles.client),
        c.direction(roles.client.reverse()),
    );
    if h.syn_ack.is_none() {
        out.push(Block::Para(s.no_syn_ack.to_string()));
        return out;
    }
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".to_string());
    let yn = |b: bool| if b { s.yes } else { s.no };
    checks.push(fill(
        s.chk_options,
        &[
            &opt(cl.mss.map(|m| m.to_string())),
            &opt(sv.mss.map(|m| m.to_string())),
            &opt(cl.window_scale.map(|m| m.to_string())),
            &opt(sv.window_scale.map(|m| m.to_string())),
            &format!("{} / {}", yn(cl.sack_permitted), yn(sv.sack_permitted)),
            &format!("{} / {}", yn(cl.timestamps), yn(sv.timestamps)),
        ],
    ));
    out.push(Block::List(checks));
    if let (Some(rtt), Some(a), Some(b)) = (h.initial_rtt, h.syn_to_syn_ack, h.syn_ack_to_ack) {
        out.push(Block::Para(fill(
            s.initial_rtt,
            &[&duration(s, rtt), &duration(s, a), &duration(s, b)],
        )));
        let point = Point::of(a, b);
        let mut text = fill(
            s.capture_point[point.index()],
            &[&duration(s, a), &duration(s, b)],
        );
        let data_from_client = Some(roles.data) == c.client;
        if matches!(point, Point::Client | Point::Server) {
            let at_client = point == Point::Client;
            text.push(' ');
            text.push_str(s.capture_data[usize::from(at_client != data_from_client)]);
        }
        out.push(Block::Para(text));
    }
    out
}

fn transfer(input: &Input<'_>, s: &Strings, roles: &Roles) -> Vec<Block> {
    let c = input.conn;
    let mut out = vec![Block::Heading(s.transfer.to_string())];
    let mut lines = Vec::new();
    for d in [roles.data, roles.data.reverse()] {
        let sum = c.direction(d);
        let side = input.evidence.side(d);
        let (Some(first), Some(last)) = (side.first_data, side.last_data) else {
            continue;
        };
        lines.push(fill(
            s.transfer_line,
            &[
                &endpoint(c, d),
                &endpoint(c, d.reverse()),
                &s.n_data_segments.of(sum.data_segments),
                &sum.payload_bytes,
                &sum.unique_bytes,
                &sum.retransmitted_bytes,
                &first.0,
                &last.0,
                &duration(s, last.1 - first.1),
            ],
        ));
        if sum.retransmitted_bytes > 0
            && sum.unique_bytes + sum.retransmitted_bytes > sum.payload_bytes
        {
            lines.push(fill(s.transfer_lost_first, &[&endpoint(c, d)]));
        }
    }
    if lines.is_empty() {
        out.push(Block::Para(s.transfer_none.to_string()));
    } else {
        out.push(Block::List(lines));
        let sum = c.direction(roles.data);
        out.push(Block::Para(fill(
            s.transfer_rates,
            &[
                &rate(s, sum.throughput_bps),
                &rate(s, sum.goodput_bps),
                &duration(s, c.duration),
            ],
        )));
    }
    let checks: Vec<String> = [roles.client, roles.client.reverse()]
        .into_iter()
        .filter_map(|d| checks::bytes_sent(c, s, d))
        .collect();
    if !checks.is_empty() {
        out.push(Block::List(checks));
    }
    out
}

fn release(c: &ConnectionSummary, s: &Strings) -> Vec<Block> {
    let t = &c.teardown;
    let mut out = vec![Block::Heading(s.release.to_string())];
    if t.fins.is_empty() && t.resets.is_empty() {
        out.push(Block::Para(s.no_release.to_string()));
        return out;
    }
    let mut segs: Vec<SegmentBrief> = t
        .fins
        .iter()
        .flat_map(|f| [Some(f.fin), f.acked_by])
        .flatten()
        .chain(t.resets.iter().copied())
        .collect();
    segs.sort_by_key(|b| b.frame);
    segs.dedup_by_key(|b| b.frame);
    out.push(segment_table(c, s, &segs));
    let mut checks = Vec::new();
    for f in &t.fins {
        let who = endpoint(c, f.fin.from);
        match f.acked_by {
            Some(ack) => {
                let want = f.fin.seq + f.fin.len + 1;
                checks.push(fill(
                    s.chk_fin,
                    &[
                        &who,
                        &f.fin.seq,
                        &f.fin.len,
                        &want,
                        &mark(ack.ack == want, ack.ack),
                        &ack.frame,
                        &f.fin.frame,
                    ],
                ));
            }
            None => checks.push(fill(s.fin_unacked, &[&who, &f.fin.frame])),
        }
    }
    for r in &t.resets {
        checks.push(checks::rst(c, s, r));
    }
    out.push(Block::List(checks));
    out
}
