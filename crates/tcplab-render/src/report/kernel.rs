//! The sender's own view (`TCP_INFO`) against the capture: the flight of
//! the last whole round trip of slow start against cwnd, where slow start
//! ended, the minimum RTT and the retransmissions, each with its tolerance
//! and ✓ or ✗.

use super::compose::Roles;
use super::doc::{code, text, Block};
use super::evidence::Side;
use super::slow_start::{self, slow_start_end, SlowStartEnd};
use super::strings::{fill, Strings};
use super::units::{at, bytes, duration};
use super::Input;
use tcplab_analysis::record::tcp_info::{ca_state_name, TcpInfo, CA_LOSS};
use tcplab_analysis::Mechanism;

/// Tolerance of the window and RTT comparisons.
const TOLERANCE: f64 = 0.10;

/// `✓ within 3 %` or `✗ 25 % apart`.
fn agreement(s: &Strings, capture: f64, kernel: f64) -> String {
    if kernel <= 0.0 {
        return "—".into();
    }
    let off = (capture / kernel - 1.0).abs();
    let pct = format!("{:.0}", off * 100.0);
    if off < 0.005 {
        s.path.within_small.to_string()
    } else if off <= TOLERANCE {
        fill(s.path.within, &[&pct])
    } else {
        fill(s.path.apart, &[&pct])
    }
}

/// Timeouts listed against the kernel's state.
const SHOW_TIMEOUTS: usize = 5;

/// One row per timeout the capture shows (the first segment of each run
/// of segments sent again after a timeout): the silence before it, and
/// whether the kernel's `TCP_INFO` went into the Loss state around it
/// (from 10 ms before to 200 ms after), with cwnd before and at its lowest.
fn timeouts(s: &Strings, side: &Side, rows: &[&TcpInfo], start: f64) -> Vec<Vec<String>> {
    let p = &s.path;
    let items = &side.retrans.items;
    let firsts = items.iter().enumerate().filter(|(i, r)| {
        r.kind == Mechanism::Timeout && (*i == 0 || items[i - 1].kind != Mechanism::Timeout)
    });
    firsts
        .take(SHOW_TIMEOUTS)
        .map(|(_, r)| {
            let t = start + r.t;
            let before = rows.iter().rev().find(|k| k.time < t - 0.010);
            let around: Vec<&&TcpInfo> = rows
                .iter()
                .filter(|k| (t - 0.010..=t + 0.200).contains(&k.time))
                .collect();
            let lowest = around.iter().min_by_key(|k| k.cwnd);
            let lost = around.iter().find(|k| k.ca_state == CA_LOSS);
            let silence = r
                .silence
                .map_or_else(String::new, |d| fill(p.cell_timeout, &[&duration(s, d)]));
            let after: Option<&TcpInfo> = lost.or(lowest).map(|k| **k);
            let (cell, verdict) = match (before.copied(), after) {
                (Some(b), Some(k)) => (
                    fill(
                        p.cell_collapse,
                        &[&b.cwnd, &k.cwnd, &ca_state_name(k.ca_state)],
                    ),
                    lost.is_some(),
                ),
                (None, Some(k)) | (Some(k), None) => (
                    fill(p.cell_no_collapse, &[&k.cwnd, &ca_state_name(k.ca_state)]),
                    lost.is_some(),
                ),
                (None, None) => ("—".to_string(), false),
            };
            vec![
                fill(p.row_timeout, &[&r.frame, &at(s, r.t)]),
                silence,
                cell,
                if verdict {
                    p.collapsed
                } else {
                    p.not_collapsed
                }
                .to_string(),
            ]
        })
        .collect()
}

/// The data sender's `TCP_INFO` samples taken while the connection was in
/// the capture; empty when the run sampled the other side or nothing.
fn sender_rows<'a>(input: &Input<'a>, roles: &Roles) -> Vec<&'a TcpInfo> {
    if input.kernel.is_none_or(|k| k.dir != roles.data) {
        return Vec::new();
    }
    let start = input.series.start.as_secs_f64();
    let end = start + input.series.duration();
    input
        .tcp_info
        .iter()
        .filter(|r| r.time >= start && r.time <= end)
        .collect()
}

/// What the sender's kernel says of slow start, for `slow_start::verdict`.
pub fn kernel_slow_start(input: &Input<'_>, roles: &Roles) -> slow_start::Kernel {
    let rows = sender_rows(input, roles);
    if rows.is_empty() {
        return slow_start::Kernel::Unknown;
    }
    let start = input.series.start.as_secs_f64();
    rows.iter()
        .find(|r| r.left_slow_start())
        .map_or(slow_start::Kernel::StillAtEnd, |r| {
            slow_start::Kernel::Left(r.time - start)
        })
}

pub fn kernel_view(input: &Input<'_>, s: &Strings, roles: &Roles) -> Vec<Block> {
    let p = &s.path;
    let rows = sender_rows(input, roles);
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Vec::new();
    };
    let start = input.series.start.as_secs_f64();
    let meta = input.meta;
    let socket = meta
        .and_then(|m| m.tcp_info_socket.clone())
        .unwrap_or_default();
    let cc = meta
        .and_then(|m| m.congestion_control.clone())
        .unwrap_or_else(|| "?".into());
    let file = meta
        .and_then(|m| m.tcp_info_file.as_deref())
        .and_then(|f| std::path::Path::new(f).file_name())
        .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
    let mut out = vec![
        Block::Heading(p.kernel_heading.to_string()),
        Block::Para(fill(
            p.kernel_intro,
            &[
                &text(&socket),
                &text(&cc),
                &rows.len(),
                &at(s, first.time - start),
                &at(s, last.time - start),
                &code(&file),
            ],
        )),
    ];
    let side = input.evidence.side(roles.data);
    let mut table = Vec::new();
    let rtt = input
        .conn
        .direction(roles.data)
        .ack_rtt
        .map_or(0.0, |r| r.min);
    let kernel_end = rows
        .iter()
        .find(|r| r.left_slow_start())
        .map(|r| (r.time - start, **r));
    let kernel = kernel_slow_start(input, roles);
    let capture_end = slow_start_end(&side.rounds, kernel);
    // The last whole round trip of slow start (it ended before the kernel
    // says slow start did): there the sender is held by cwnd alone, so
    // its flight grows with cwnd ACK by ACK. Later, in loss recovery, the
    // two count differently (the capture cannot tell SACKed bytes from
    // bytes still in flight).
    let until = kernel_end.map_or(f64::MAX, |(t, _)| t);
    let last_whole = side
        .rounds
        .windows(2)
        .take_while(|w| w[1].t <= until)
        .last()
        .map(|w| (w[0], w[1].t));
    if let Some((round, round_end)) = last_whole {
        let index = side
            .rounds
            .iter()
            .position(|r| r.first_frame == round.first_frame)
            .unwrap_or(0);
        let cwnd = rows
            .iter()
            .filter(|r| (round.t..=round_end).contains(&(r.time - start)))
            .max_by_key(|r| r.cwnd_bytes());
        if let Some(c) = cwnd {
            table.push(vec![
                fill(p.row_flight_round, &[&(index + 1), &at(s, round.t)]),
                fill(
                    p.cell_flight,
                    &[&bytes(s, round.max_in_flight), &round.first_frame],
                ),
                fill(p.cell_cwnd, &[&bytes(s, c.cwnd_bytes()), &c.cwnd, &c.mss]),
                agreement(s, f64::from(round.max_in_flight), c.cwnd_bytes() as f64),
            ]);
        }
    }
    // Where slow start ended.
    let cell_capture = match &capture_end {
        Some(SlowStartEnd {
            round,
            frame,
            t,
            by_loss: true,
            ..
        }) => fill(p.ss_capture_loss, &[&(round + 1), &at(s, *t), frame]),
        Some(SlowStartEnd {
            round, frame, t, ..
        }) => fill(p.ss_capture_growth, &[&(round + 1), &at(s, *t), frame]),
        None => match slow_start::verdict(&side.rounds, kernel) {
            slow_start::Verdict::Seen {
                end: slow_start::End::Paused(i),
                ..
            } => fill(
                p.ss_capture_paused,
                &[&(i + 1), &side.rounds[i].first_frame],
            ),
            slow_start::Verdict::Seen {
                end: slow_start::End::Running,
                ..
            } => p.ss_capture_running.to_string(),
            _ => p.ss_capture_none.to_string(),
        },
    };
    let cell_kernel = match &kernel_end {
        Some((t, r)) => match r.ssthresh_bytes() {
            Some(b) => fill(
                p.ss_kernel,
                &[&at(s, *t), &bytes(s, b), &ca_state_name(r.ca_state)],
            ),
            None => fill(p.ss_kernel_state, &[&at(s, *t), &ca_state_name(r.ca_state)]),
        },
        None => p.ss_kernel_none.to_string(),
    };
    let ss_agree = match (&capture_end, &kernel_end) {
        (Some(c), Some((t, _))) => {
            // Within the round trip the capture names (its start to the
            // next one's), or 1.5 minimum RTTs of it.
            let gap = (c.t - t).abs();
            let slack = (rtt.max(1e-3) * 1.5).max(c.span.unwrap_or(0.0));
            if gap <= slack {
                p.within_round.to_string()
            } else {
                fill(p.apart_time, &[&duration(s, gap)])
            }
        }
        (None, None) => p.both_none.to_string(),
        _ => "—".to_string(),
    };
    table.push(vec![
        p.row_slow_start.to_string(),
        cell_capture,
        cell_kernel,
        ss_agree,
    ]);
    // RTT.
    if let Some(r) = input.conn.direction(roles.data).ack_rtt {
        let srtt: Vec<f64> = rows
            .iter()
            .filter(|r| r.srtt_us > 0)
            .map(|r| f64::from(r.srtt_us) / 1e6)
            .collect();
        let min_rtt = rows
            .iter()
            .filter(|r| r.min_rtt_us > 0)
            .map(|r| f64::from(r.min_rtt_us) / 1e6)
            .reduce(f64::min);
        if let (Some(min_rtt), Some(lo), Some(hi)) = (
            min_rtt,
            srtt.iter().copied().reduce(f64::min),
            srtt.iter().copied().reduce(f64::max),
        ) {
            // At the receiver, the ACKs' RTT is the receiver's ACK delay:
            // the path's RTT is the handshake's, like with like.
            let (cell, capture_rtt) = match side.receiver_view {
                Some(path) => (
                    fill(
                        p.cell_rtt_receiver,
                        &[&duration(s, path), &duration(s, r.avg)],
                    ),
                    path,
                ),
                None => (
                    fill(
                        p.cell_rtt,
                        &[
                            &duration(s, r.min),
                            &duration(s, r.avg),
                            &duration(s, r.max),
                        ],
                    ),
                    r.min,
                ),
            };
            table.push(vec![
                p.row_rtt.to_string(),
                cell,
                fill(
                    p.cell_srtt,
                    &[&duration(s, min_rtt), &duration(s, lo), &duration(s, hi)],
                ),
                agreement(s, capture_rtt, min_rtt),
            ]);
        }
    }
    // Segments sent again, then each timeout against the kernel's state.
    let kernel_retrans = u64::from(last.total_retrans);
    let again = input.conn.direction(roles.data).sent_again;
    table.push(vec![
        p.row_retrans.to_string(),
        if again.total() == 0 {
            again.total().to_string()
        } else {
            fill(
                p.cell_flagged,
                &[&again.total(), &s.sent_again_breakdown(&again)],
            )
        },
        fill(p.cell_total_retrans, &[&kernel_retrans]),
        if again.total() == kernel_retrans {
            p.equal.to_string()
        } else {
            fill(p.differ, &[&again.total().abs_diff(kernel_retrans)])
        },
    ]);
    table.extend(timeouts(s, side, &rows, start));
    out.push(Block::Table {
        head: p.kernel_head.iter().map(|h| h.to_string()).collect(),
        rows: table,
    });
    out.push(Block::Para(p.tolerance.to_string()));
    out
}
