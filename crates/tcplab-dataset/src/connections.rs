//! The connections table: one row per connection, what the JSON summary
//! (docs/analyze-json.md) has that fits a row — the handshake and teardown
//! as times and flags, each direction's counters under `a_to_b_`/`b_to_a_`,
//! one count column per analysis event — plus the client and server
//! endpoints, so that queries need not work out who opened the connection.
//! The capture is the Hive partition, not a column of the file.

use crate::columns::{opt, req, Column, Getter::*, Table};

use tcplab_analysis::flow::{Direction, Endpoint};
use tcplab_analysis::{ConnectionSummary, DirectionSummary, Event, SampleStats};

type Row = ConnectionSummary;

fn dir_name(d: Direction) -> String {
    match d {
        Direction::AtoB => "a_to_b",
        Direction::BtoA => "b_to_a",
    }
    .to_string()
}

/// The client's endpoint (`client == true`) or the server's, when the
/// handshake tells who is who.
fn side(r: &Row, client: bool) -> Option<Endpoint> {
    let from_a = matches!(r.client?, Direction::AtoB);
    Some(if from_a == client { r.a } else { r.b })
}

pub(crate) fn table() -> Table<Row> {
    let mut cols: Vec<Column<Row>> = vec![
        req("stream", U32(Box::new(|r: &Row| Some(r.stream)))),
        req(
            "a_addr",
            Str(Box::new(|r: &Row| Some(r.a.addr.to_string()))),
        ),
        req("a_port", U16(Box::new(|r: &Row| Some(r.a.port)))),
        req(
            "b_addr",
            Str(Box::new(|r: &Row| Some(r.b.addr.to_string()))),
        ),
        req("b_port", U16(Box::new(|r: &Row| Some(r.b.port)))),
        opt("client", Str(Box::new(|r: &Row| r.client.map(dir_name)))),
        opt(
            "client_addr",
            Str(Box::new(|r: &Row| {
                side(r, true).map(|e| e.addr.to_string())
            })),
        ),
        opt(
            "client_port",
            U16(Box::new(|r: &Row| side(r, true).map(|e| e.port))),
        ),
        opt(
            "server_addr",
            Str(Box::new(|r: &Row| {
                side(r, false).map(|e| e.addr.to_string())
            })),
        ),
        opt(
            "server_port",
            U16(Box::new(|r: &Row| side(r, false).map(|e| e.port))),
        ),
        req(
            "started_before_capture",
            Bool(Box::new(|r: &Row| Some(r.started_before_capture))),
        ),
        req(
            "reused_ports",
            Bool(Box::new(|r: &Row| Some(r.reused_ports))),
        ),
        req("first_frame", U64(Box::new(|r: &Row| Some(r.first_frame)))),
        req("last_frame", U64(Box::new(|r: &Row| Some(r.last_frame)))),
        req("start", Time(Box::new(|r: &Row| Some(r.start_ts.0)))),
        req("end", Time(Box::new(|r: &Row| Some(r.end_ts.0)))),
        req("duration", F64(Box::new(|r: &Row| Some(r.duration)))),
        req("packets", U64(Box::new(|r: &Row| Some(r.packets)))),
        req(
            "malformed_packets",
            U64(Box::new(|r: &Row| Some(r.malformed_packets))),
        ),
        opt(
            "syn_time",
            Time(Box::new(|r: &Row| r.handshake.syn.map(|b| b.ts.0))),
        ),
        opt(
            "syn_ack_time",
            Time(Box::new(|r: &Row| r.handshake.syn_ack.map(|b| b.ts.0))),
        ),
        opt(
            "handshake_ack_time",
            Time(Box::new(|r: &Row| r.handshake.ack.map(|b| b.ts.0))),
        ),
        req(
            "syn_retransmissions",
            U32(Box::new(|r: &Row| Some(r.handshake.syn_retransmissions))),
        ),
        opt(
            "initial_rtt",
            F64(Box::new(|r: &Row| r.handshake.initial_rtt)),
        ),
        opt(
            "syn_to_syn_ack",
            F64(Box::new(|r: &Row| r.handshake.syn_to_syn_ack)),
        ),
        opt(
            "syn_ack_to_ack",
            F64(Box::new(|r: &Row| r.handshake.syn_ack_to_ack)),
        ),
        req(
            "fins",
            U64(Box::new(|r: &Row| Some(r.teardown.fins.len() as u64))),
        ),
        req(
            "fins_acked",
            U64(Box::new(|r: &Row| {
                Some(
                    r.teardown
                        .fins
                        .iter()
                        .filter(|f| f.acked_by.is_some())
                        .count() as u64,
                )
            })),
        ),
        req(
            "resets",
            U64(Box::new(|r: &Row| Some(r.teardown.resets.len() as u64))),
        ),
        opt(
            "first_fin_time",
            Time(Box::new(|r: &Row| {
                r.teardown.fins.first().map(|f| f.fin.ts.0)
            })),
        ),
        opt(
            "first_reset_time",
            Time(Box::new(|r: &Row| {
                r.teardown.resets.first().map(|b| b.ts.0)
            })),
        ),
        req(
            "half_close",
            Bool(Box::new(|r: &Row| Some(r.teardown.half_close))),
        ),
        req(
            "simultaneous_close",
            Bool(Box::new(|r: &Row| Some(r.teardown.simultaneous_close))),
        ),
        req(
            "final_state",
            Str(Box::new(|r: &Row| {
                serde_json::to_value(r.final_state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
            })),
        ),
        opt("tunnel", Str(Box::new(|r: &Row| r.tunnel.clone()))),
        req(
            "other_tunnels",
            Bool(Box::new(|r: &Row| Some(r.other_tunnels))),
        ),
    ];
    for d in [Direction::AtoB, Direction::BtoA] {
        cols.extend(direction_columns(d));
    }
    for e in Event::ALL {
        cols.push(req(
            e.name(),
            U64(Box::new(move |r: &Row| Some(r.count(e)))),
        ));
    }
    Table::new(cols)
}

/// `a_to_b_packets`, `a_to_b_bytes`, … for direction `d`.
fn direction_columns(d: Direction) -> Vec<Column<Row>> {
    let p = dir_name(d);
    let n = |s: &str| format!("{p}_{s}");
    let u64_of = |name: &str, f: fn(&DirectionSummary) -> u64| {
        req(
            n(name),
            U64(Box::new(move |r: &Row| Some(f(r.direction(d))))),
        )
    };
    let opt_u64 = |name: &str, f: fn(&DirectionSummary) -> Option<u64>| {
        opt(n(name), U64(Box::new(move |r: &Row| f(r.direction(d)))))
    };
    let bool_of = |name: &str, f: fn(&DirectionSummary) -> bool| {
        req(
            n(name),
            Bool(Box::new(move |r: &Row| Some(f(r.direction(d))))),
        )
    };
    let f64_of = |name: &str, f: fn(&DirectionSummary) -> f64| {
        req(
            n(name),
            F64(Box::new(move |r: &Row| Some(f(r.direction(d))))),
        )
    };
    let stats = |name: &str, f: fn(&DirectionSummary) -> Option<SampleStats>| {
        let col = |field: &str, g: fn(&SampleStats) -> f64| {
            opt(
                n(&format!("{name}_{field}")),
                F64(Box::new(move |r: &Row| f(r.direction(d)).map(|s| g(&s)))),
            )
        };
        vec![
            opt(
                n(&format!("{name}_samples")),
                U64(Box::new(move |r: &Row| {
                    f(r.direction(d)).map(|s| s.samples)
                })),
            ),
            col("min", |s| s.min),
            col("avg", |s| s.avg),
            col("max", |s| s.max),
            col("stdev", |s| s.stdev),
        ]
    };
    let mut cols = vec![
        u64_of("packets", |s| s.packets),
        u64_of("bytes", |s| s.bytes),
        u64_of("payload_bytes", |s| s.payload_bytes),
        u64_of("unique_bytes", |s| s.unique_bytes),
        u64_of("retransmitted_bytes", |s| s.retransmitted_bytes),
        u64_of("sent_again_segments", |s| s.sent_again.segments),
        u64_of("sent_again_control_segments", |s| {
            s.sent_again.control_segments
        }),
        u64_of("sent_again_fast_recovery", |s| s.sent_again.fast_recovery),
        u64_of("sent_again_timeout", |s| s.sent_again.timeout),
        u64_of("sent_again_tail_loss_probe", |s| {
            s.sent_again.tail_loss_probe
        }),
        u64_of("sent_again_spurious", |s| s.sent_again.spurious),
        u64_of("sent_again_unexplained", |s| s.sent_again.unexplained),
        u64_of("data_segments", |s| s.data_segments),
        opt_u64("isn", |s| s.isn.map(|x| u64::from(x.raw()))),
        opt_u64("mss", |s| s.mss.map(u64::from)),
        opt_u64("window_scale", |s| s.window_scale.map(u64::from)),
        bool_of("sack_permitted", |s| s.sack_permitted),
        bool_of("timestamps", |s| s.timestamps),
        req(
            n("window_scaling"),
            Str(Box::new(move |r: &Row| {
                Some(r.direction(d).window_scaling.clone())
            })),
        ),
        opt_u64("max_window", |s| s.max_window.map(u64::from)),
        opt_u64("min_window", |s| s.min_window.map(u64::from)),
        u64_of("truncated_payload_segments", |s| {
            s.truncated_payload_segments
        }),
    ];
    cols.extend(stats("ack_rtt", |s| s.ack_rtt));
    cols.extend(stats("ts_rtt", |s| s.ts_rtt));
    cols.push(f64_of("throughput_bps", |s| s.throughput_bps));
    cols.push(f64_of("goodput_bps", |s| s.goodput_bps));
    cols
}
