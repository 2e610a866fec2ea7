//! The answer to "is slow start visible?": a sentence from
//! `slow_start::verdict` (the capture's flight per round trip and the
//! kernel's `TCP_INFO`), the round-trip table it reads, and the rule.

use super::compose::Roles;
use super::doc::Block;
use super::evidence::{Round, Side};
use super::kernel::kernel_slow_start;
use super::slow_start::{verdict, End, Growth, Verdict, FAST, MIN_GROWTHS};
use super::strings::{fill, Strings};
use super::units::{at, bytes, duration, number, times};
use super::Input;

/// Ten segments of 1448 bytes: Linux's initial congestion window (RFC 6928).
const INITIAL_WINDOW: u64 = 14_480;
/// Rows of the round-trip table in the report (all are in `rounds.csv`).
pub const SHOW: usize = 16;

/// `×2.0, ×1.5` (`×2,0; ×1,5`): growth from each round trip to the next.
fn ratios(s: &Strings, rounds: &[Round]) -> String {
    let parts: Vec<String> = rounds
        .windows(2)
        .map(|w| times(s, growth_of(&w[0], &w[1])))
        .collect();
    parts.join(s.number_sep)
}

fn growth_of(a: &Round, b: &Round) -> f64 {
    f64::from(b.max_in_flight) / f64::from(a.max_in_flight.max(1))
}

/// The answer, and whether slow start's doubling was seen.
pub fn answer(input: &Input<'_>, s: &Strings, roles: &Roles, side: &Side) -> (Vec<Block>, bool) {
    let rounds = &side.rounds;
    // At the receiver the ACKs' RTT is the receiver's ACK delay: the round
    // trips last the path's RTT, the one the handshake measured.
    let rtt = side.receiver_view.unwrap_or_else(|| {
        input
            .conn
            .direction(roles.data)
            .ack_rtt
            .map(|r| r.avg)
            .or(input.conn.handshake.initial_rtt)
            .unwrap_or(0.0)
    });
    let rtt = duration(s, rtt);
    let v = verdict(rounds, kernel_slow_start(input, roles));
    let top = rounds.iter().map(|r| r.max_in_flight).max().unwrap_or(0);
    let window_capped =
        side.window_full.count > 0 && f64::from(top) >= 0.9 * f64::from(side.max_window);
    let mut text = Vec::new();
    let mut suggest = false;
    match v {
        Verdict::Seen { growth, end } => {
            seen(s, side, growth, end, &mut text);
            if window_capped {
                text.push(fill(s.ss_limited, &[&bytes(s, side.max_window)]));
            }
            if side.round_count < 10 {
                text.push(fill(s.ss_short_note, &[&side.round_count, &rtt]));
                suggest = true;
            }
        }
        Verdict::KernelOnly => {
            let first = rounds.first().map_or(0, |r| r.max_in_flight);
            text.push(fill(
                s.ss_kernel_only,
                &[&side.round_count, &bytes(s, first), &bytes(s, top), &rtt],
            ));
            suggest = true;
        }
        Verdict::NotSeen => {
            suggest = not_seen(input, s, roles, side, &rtt, window_capped, &mut text);
        }
    }
    let mut out = vec![Block::Para(text.join(" "))];
    if suggest {
        out.push(Block::Para(s.ss_suggest.to_string()));
    }
    out.push(round_table(s, rounds));
    let mut note = rule(s, side);
    if let Some(path_rtt) = side.receiver_view {
        note = format!(
            "{} {note}",
            fill(s.ss_receiver_note, &[&duration(s, path_rtt)])
        );
    }
    out.push(Block::Para(note));
    (out, matches!(v, Verdict::Seen { .. }))
}

fn seen(s: &Strings, side: &Side, g: Growth, end: End, text: &mut Vec<String>) {
    let rounds = &side.rounds;
    let (first, top) = (rounds[g.begin].max_in_flight, rounds[g.peak].max_in_flight);
    text.push(fill(
        s.ss_visible,
        &[
            &bytes(s, first),
            &(g.begin + 1),
            &bytes(s, top),
            &(g.peak + 1),
            &ratios(s, &rounds[g.begin..=g.peak]),
        ],
    ));
    let loss = rounds.iter().position(|r| r.loss);
    match end {
        End::Loss(i) => text.push(fill(s.ss_loss, &[&(i + 1), &rounds[i].first_frame])),
        End::Stops(i) | End::Paused(i) => {
            let next = &rounds[i];
            let template = if matches!(end, End::Paused(_)) {
                s.ss_paused
            } else {
                s.ss_linear
            };
            text.push(fill(
                template,
                &[
                    &(i + 1),
                    &next.first_frame,
                    &bytes(s, top),
                    &bytes(s, next.max_in_flight),
                ],
            ));
            if let Some(l) = loss {
                text.push(fill(s.ss_loss_later, &[&(l + 1), &rounds[l].first_frame]));
            }
        }
        End::Running => text.push(fill(s.ss_ended, &[&side.round_count])),
    }
}

/// No doubling and the kernel does not say otherwise: why. Returns whether
/// to suggest a run that shows it.
fn not_seen(
    input: &Input<'_>,
    s: &Strings,
    roles: &Roles,
    side: &Side,
    rtt: &str,
    window_capped: bool,
    text: &mut Vec<String>,
) -> bool {
    let rounds = &side.rounds;
    let payload = input.conn.direction(roles.data).unique_bytes;
    let top = rounds.iter().map(|r| r.max_in_flight).max().unwrap_or(0);
    let loss = rounds.iter().position(|r| r.loss);
    if side.round_count < 4 || payload < 4 * INITIAL_WINDOW {
        text.push(fill(
            s.ss_too_short,
            &[
                &s.n_round_trips.of(side.round_count),
                &rtt,
                &bytes(s, payload),
            ],
        ));
        return true;
    }
    if window_capped {
        text.push(fill(
            s.ss_window_capped,
            &[
                &bytes(s, side.max_window),
                &bytes(s, top),
                &side.round_count,
            ],
        ));
        return false;
    }
    let Some(i) = loss else {
        let first = rounds.first().map_or(0, |r| r.max_in_flight);
        text.push(fill(
            s.ss_not_visible,
            &[&side.round_count, &bytes(s, first), &bytes(s, top), &rtt],
        ));
        return true;
    };
    let before = rounds[..=i]
        .iter()
        .map(|r| r.max_in_flight)
        .max()
        .unwrap_or(0);
    let after = &rounds[i + 1..];
    let r = &rounds[i];
    if after.is_empty() {
        text.push(fill(
            s.ss_loss_last,
            &[&(i + 1), &r.first_frame, &at(s, r.t), &bytes(s, before)],
        ));
    } else {
        let lo = after.iter().map(|r| r.max_in_flight).min().unwrap_or(0);
        let hi = after.iter().map(|r| r.max_in_flight).max().unwrap_or(0);
        text.push(fill(
            s.ss_loss_early,
            &[
                &(i + 1),
                &r.first_frame,
                &at(s, r.t),
                &bytes(s, before),
                &s.n_round_trips.of(after.len() as u64),
                &bytes(s, lo),
                &bytes(s, hi),
            ],
        ));
    }
    false
}

/// The rule the verdict follows, and where the rest of a cut table is.
fn rule(s: &Strings, side: &Side) -> String {
    let mut text = fill(s.ss_rule, &[&number(s, FAST), &MIN_GROWTHS]);
    if side.round_count > SHOW as u64 {
        text.push(' ');
        text.push_str(&fill(s.ss_cut, &[&SHOW, &side.round_count]));
    }
    text
}

fn round_table(s: &Strings, rounds: &[Round]) -> Block {
    Block::Table {
        head: s.ss_head.iter().map(|h| h.to_string()).collect(),
        rows: rounds
            .iter()
            .take(SHOW)
            .enumerate()
            .map(|(i, r)| {
                let loss = if r.loss { " ✗" } else { "" };
                let growth = match i {
                    0 => "—".to_string(),
                    _ => times(s, growth_of(&rounds[i - 1], r)),
                };
                vec![
                    format!("{}{loss}", i + 1),
                    at(s, r.t),
                    r.first_frame.to_string(),
                    r.segments.to_string(),
                    bytes(s, r.max_in_flight),
                    growth,
                ]
            })
            .collect(),
    }
}
