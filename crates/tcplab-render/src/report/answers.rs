//! Final exercise 3, answered from the evidence: retransmissions, the
//! receive buffer, slow start, RTT, and which control limited the sender;
//! then the integrity of the transfer and the quality of the capture.

use super::compose::{endpoint, Roles};
use super::doc::Block;
use super::evidence::{Round, Side, WIRESHARK_LABELS};
use super::strings::{fill, Strings};
use super::units::{at, duration, frames, times, times_at};
use super::Input;

pub fn blocks(input: &Input<'_>, s: &Strings, roles: &Roles) -> Vec<Block> {
    let side = input.evidence.side(roles.data);
    let mut out = vec![Block::Heading(s.answers.to_string())];
    if side.data_segments == 0 {
        out.push(Block::Para(s.no_data_answers.to_string()));
        return out;
    }
    out.push(Block::Subheading(s.q_retrans.to_string()));
    out.extend(retransmissions(input, s, roles, side));
    out.push(Block::Subheading(s.q_buffer.to_string()));
    out.extend(buffer(s, side));
    out.push(Block::Subheading(s.q_slow_start.to_string()));
    let (blocks, slow_start_seen) = slow_start(input, s, roles, side);
    out.extend(blocks);
    out.push(Block::Subheading(s.q_rtt.to_string()));
    out.extend(rtt(input, s, roles, side));
    out.push(Block::Subheading(s.q_limit.to_string()));
    out.push(Block::Para(limit(s, side, slow_start_seen)));
    out
}

fn retransmissions(input: &Input<'_>, s: &Strings, roles: &Roles, side: &Side) -> Vec<Block> {
    let who = endpoint(input.conn, roles.data);
    let sum = input.conn.direction(roles.data);
    let again = &sum.sent_again;
    if again.segments == 0 && side.lost_segments.count + side.dup_acks.count == 0 {
        return vec![Block::Para(fill(
            s.retrans_none,
            &[&who, &s.n_data_segments.of(sum.data_segments)],
        ))];
    }
    let mut out = Vec::new();
    if again.segments > 0 {
        out.push(Block::Para(format!(
            "{} {}",
            s.retrans_some.sentence(
                again.segments,
                &[
                    &sum.data_segments,
                    &who,
                    &again.bytes,
                    &s.sent_again_breakdown(again),
                ],
            ),
            s.sent_again_where[capture_point(input, side)],
        )));
        let items = side
            .retrans
            .items
            .iter()
            .map(|r| {
                let kind = s.sent_again_kinds[r.kind.index()];
                let label = wireshark_label(s, r.labels);
                match r.original {
                    Some((f, d)) => fill(
                        s.retrans_item,
                        &[&r.frame, &at(s, r.t), &kind, &label, &f, &duration(s, d)],
                    ),
                    None => fill(
                        s.retrans_item_short,
                        &[&r.frame, &at(s, r.t), &kind, &label],
                    ),
                }
            })
            .collect();
        out.push(Block::List(items));
        if side.retrans.count > side.retrans.items.len() as u64 {
            out.push(Block::Para(fill(s.more, &[&side.retrans.count])));
        }
        out.push(Block::Para(wireshark_labels(
            s,
            side,
            capture_point(input, side),
        )));
    }
    let mut notes = Vec::new();
    let lost = &side.lost_segments;
    if lost.count > 0 {
        let when = times_at(s, &lost.items, lost.count);
        notes.push(fill(s.retrans_lost, &[&when]));
    }
    let dup = &side.dup_acks;
    if dup.count > 0 {
        let f = frames(s, &dup.items, dup.count);
        notes.push(fill(
            s.retrans_dup,
            &[&s.n_duplicate_acks.of(dup.count), &f],
        ));
    }
    if !notes.is_empty() {
        out.push(Block::Para(notes.join(" ")));
    }
    out
}

/// Where the capture was taken, as an index of `Strings::sent_again_where`:
/// at the sender, at the receiver, downstream of losses (no run metadata,
/// but data missing from the capture), or not known.
fn capture_point(input: &Input<'_>, side: &Side) -> usize {
    use tcplab_analysis::record::link::PathEnd;
    match input
        .meta
        .and_then(|m| m.link.as_ref())
        .map(|l| l.capture_at)
    {
        Some(PathEnd::Sender) => 0,
        Some(PathEnd::Receiver) => 1,
        // Without the emulated link a run captures on the one loopback
        // both ends share: what the sender sent is what the capture saw.
        None if input.meta.is_some() => 0,
        None if side.lost_segments.count > 0 => 2,
        None => 3,
    }
}

/// `out_of_order`: the Wireshark label of one segment, as a code span.
fn wireshark_label(s: &Strings, labels: tcplab_analysis::EventSet) -> String {
    WIRESHARK_LABELS
        .iter()
        .find(|e| labels.contains(**e))
        .map_or_else(|| s.no_label.to_string(), |e| super::doc::code(e.name()))
}

/// What Wireshark calls the segments sent again, label by label.
fn wireshark_labels(s: &Strings, side: &Side, point: usize) -> String {
    let mut parts: Vec<String> = WIRESHARK_LABELS
        .iter()
        .zip(side.wireshark_labels)
        .filter(|(_, n)| *n > 0)
        .map(|(e, n)| format!("{} {}", super::doc::code(e.name()), n))
        .collect();
    let unlabelled = side.wireshark_labels[WIRESHARK_LABELS.len()];
    if unlabelled > 0 {
        parts.push(format!("{} {}", s.no_label, unlabelled));
    }
    let mut text = fill(s.retrans_wireshark, &[&parts.join(s.number_sep)]);
    if side.wireshark_labels[3] > 0 {
        text.push(' ');
        text.push_str(s.retrans_ooo[point.min(2)]);
    }
    text
}

fn buffer(s: &Strings, side: &Side) -> Vec<Block> {
    let full = &side.window_full;
    let mut out = Vec::new();
    if side.zero_windows.count > 0 {
        let zero = &side.zero_windows;
        out.push(Block::Para(fill(
            s.buffer_zero,
            &[
                &s.n_times.of(zero.count),
                &s.n_periods.of(side.zero_periods.count),
                &frames(s, &zero.items, zero.count),
                &duration(s, side.zero_total_s),
                &times_at(s, &full.items, full.count),
            ],
        )));
        let mut periods: Vec<_> = side
            .zero_periods
            .items
            .iter()
            .filter(|p| p.end.is_some())
            .collect();
        periods.sort_by(|a, b| {
            let len = |p: &super::evidence::ZeroPeriod| p.end.map_or(0.0, |e| e.1);
            len(b).total_cmp(&len(a))
        });
        let items: Vec<String> = periods
            .iter()
            .take(5)
            .filter_map(|p| {
                let (end, len) = p.end?;
                Some(fill(
                    s.buffer_period,
                    &[&p.first_frame, &at(s, p.t), &duration(s, len), &end],
                ))
            })
            .collect();
        if !items.is_empty() {
            out.push(Block::List(items));
        }
    } else if full.count > 0 {
        out.push(Block::Para(fill(
            s.buffer_full_only,
            &[
                &s.n_times.of(full.count),
                &frames(s, &full.items, full.count),
            ],
        )));
    } else {
        out.push(Block::Para(fill(
            s.buffer_no,
            &[&side.max_window, &side.max_in_flight],
        )));
        return out;
    }
    let mut notes = Vec::new();
    let updates = &side.window_updates;
    if updates.count > 0 {
        let f = frames(s, &updates.items, updates.count);
        notes.push(fill(
            s.buffer_updates,
            &[&s.n_window_updates.of(updates.count), &f],
        ));
    }
    let probes = &side.probes;
    if probes.count > 0 {
        let f = frames(s, &probes.items, probes.count);
        notes.push(fill(s.buffer_probes, &[&s.n_times.of(probes.count), &f]));
    }
    if !notes.is_empty() {
        out.push(Block::Para(notes.join(" ")));
    }
    out
}

/// `×1.0, ×2.0, ×1.5` (`×1,0; ×2,0; ×1,5`): growth from each round trip
/// to the next.
fn ratios(s: &Strings, rounds: &[Round]) -> String {
    let parts: Vec<String> = rounds
        .windows(2)
        .map(|w| {
            times(
                s,
                f64::from(w[1].max_in_flight) / f64::from(w[0].max_in_flight.max(1)),
            )
        })
        .collect();
    parts.join(s.number_sep)
}

/// Slow start's run of growth in `rounds`: the last round trip of the first
/// run of growths by half or more from one round trip to the next (where
/// the doubling stops; round trips before the run starts, e.g. a first
/// window sent twice, are skipped), and whether that run had at least two
/// such growths and tripled the flight.
fn growth_peak(rounds: &[Round]) -> (usize, bool) {
    let fast_growth =
        |w: &[Round]| f64::from(w[1].max_in_flight) >= 1.5 * f64::from(w[0].max_in_flight);
    let Some(begin) = rounds.windows(2).position(fast_growth) else {
        return (0, false);
    };
    let peak = rounds[begin..]
        .windows(2)
        .position(|w| !fast_growth(w))
        .map_or(rounds.len() - 1, |i| begin + i);
    let fast = rounds[..=peak]
        .windows(2)
        .filter(|w| fast_growth(w))
        .count();
    let grew = f64::from(rounds[peak].max_in_flight) >= 3.0 * f64::from(rounds[0].max_in_flight);
    (peak, fast >= 2 && grew)
}

/// Where the capture shows slow start ending.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SlowStartEnd {
    /// Index of the round trip (0-based).
    pub round: usize,
    pub frame: u64,
    /// Seconds since the connection's first packet.
    pub t: f64,
    /// The first loss ended it (otherwise the growth slowed).
    pub by_loss: bool,
    /// How long that round trip lasted (to the next one's start), when known.
    pub span: Option<f64>,
}

/// The round trip where slow start visibly ended: the first loss, or the
/// first round trip after the flight's doubling peaked; `None` when no
/// doubling is seen or it never stopped.
pub fn slow_start_end(rounds: &[Round]) -> Option<SlowStartEnd> {
    if rounds.is_empty() {
        return None;
    }
    let loss = rounds.iter().position(|r| r.loss);
    let (peak, visible) = growth_peak(&rounds[..=loss.unwrap_or(rounds.len() - 1)]);
    if !visible {
        return None;
    }
    let (round, by_loss) = match loss {
        Some(i) if i <= peak + 1 => (i, true),
        _ => (peak + 1, false),
    };
    let r = rounds.get(round)?;
    Some(SlowStartEnd {
        round,
        frame: r.first_frame,
        t: r.t,
        by_loss,
        span: rounds.get(round + 1).map(|next| next.t - r.t),
    })
}

/// Ten segments of 1448 bytes: Linux's initial congestion window (RFC 6928).
const INITIAL_WINDOW: u64 = 14_480;

/// The answer, and whether slow start's doubling was seen.
fn slow_start(input: &Input<'_>, s: &Strings, roles: &Roles, side: &Side) -> (Vec<Block>, bool) {
    let rounds = &side.rounds;
    let rtt = input
        .conn
        .direction(roles.data)
        .ack_rtt
        .map(|r| r.avg)
        .or(input.conn.handshake.initial_rtt)
        .unwrap_or(0.0);
    let rtt = duration(s, rtt);
    let mut text = Vec::new();
    let mut suggest = false;
    let mut seen = false;
    let loss = rounds.iter().position(|r| r.loss);
    let bytes = input.conn.direction(roles.data).unique_bytes;
    let top = rounds.iter().map(|r| r.max_in_flight).max().unwrap_or(0);
    let window_capped =
        side.window_full.count > 0 && f64::from(top) >= 0.9 * f64::from(side.max_window);
    let visible = loss.map_or(rounds.len(), |i| i + 1);
    let visible = !rounds.is_empty() && growth_peak(&rounds[..visible]).1;
    if side.round_count < 4 || bytes < 4 * INITIAL_WINDOW {
        text.push(fill(
            s.ss_too_short,
            &[&s.n_round_trips.of(side.round_count), &rtt, &bytes],
        ));
        suggest = true;
    } else if window_capped && !visible {
        text.push(fill(
            s.ss_window_capped,
            &[&side.max_window, &top, &side.round_count],
        ));
    } else if let Some(i) = loss.filter(|_| !visible) {
        let before = rounds[..=i]
            .iter()
            .map(|r| r.max_in_flight)
            .max()
            .unwrap_or(0);
        let after = &rounds[i + 1..];
        let lo = after.iter().map(|r| r.max_in_flight).min().unwrap_or(0);
        let hi = after.iter().map(|r| r.max_in_flight).max().unwrap_or(0);
        let r = &rounds[i];
        if after.is_empty() {
            text.push(fill(
                s.ss_loss_last,
                &[&(i + 1), &r.first_frame, &at(s, r.t), &before],
            ));
        } else {
            text.push(fill(
                s.ss_loss_early,
                &[
                    &(i + 1),
                    &r.first_frame,
                    &at(s, r.t),
                    &before,
                    &s.n_round_trips.of(after.len() as u64),
                    &lo,
                    &hi,
                ],
            ));
        }
    } else {
        let end = loss.unwrap_or(rounds.len() - 1);
        let (peak, visible) = growth_peak(&rounds[..=end]);
        if visible {
            seen = true;
            let (first, top) = (rounds[0].max_in_flight, rounds[peak].max_in_flight);
            text.push(fill(
                s.ss_visible,
                &[&first, &top, &(peak + 1), &ratios(s, &rounds[..=peak])],
            ));
            match (loss, rounds.get(peak + 1)) {
                (Some(i), _) if i <= peak + 1 => {
                    text.push(fill(s.ss_loss, &[&(i + 1), &rounds[i].first_frame]))
                }
                (loss, Some(next)) => {
                    text.push(fill(
                        s.ss_linear,
                        &[&(peak + 2), &next.first_frame, &top, &next.max_in_flight],
                    ));
                    if let Some(i) = loss {
                        text.push(fill(s.ss_loss_later, &[&(i + 1), &rounds[i].first_frame]));
                    }
                }
                (_, None) => text.push(fill(s.ss_ended, &[&side.round_count])),
            }
            if window_capped {
                text.push(fill(s.ss_limited, &[&side.max_window]));
            }
            if side.round_count < 10 {
                text.push(fill(s.ss_short_note, &[&side.round_count, &rtt]));
                suggest = true;
            }
        } else {
            text.push(fill(
                s.ss_not_visible,
                &[&side.round_count, &rounds[0].max_in_flight, &top, &rtt],
            ));
            suggest = true;
        }
    }
    let mut out = vec![Block::Para(text.join(" "))];
    if suggest {
        out.push(Block::Para(s.ss_suggest.to_string()));
    }
    out.push(round_table(s, rounds));
    (out, seen)
}

fn round_table(s: &Strings, rounds: &[Round]) -> Block {
    const SHOW: usize = 16;
    Block::Table {
        head: s.ss_head.iter().map(|h| h.to_string()).collect(),
        rows: rounds
            .iter()
            .take(SHOW)
            .enumerate()
            .map(|(i, r)| {
                let loss = if r.loss { " ✗" } else { "" };
                vec![
                    format!("{}{loss}", i + 1),
                    at(s, r.t),
                    r.first_frame.to_string(),
                    r.segments.to_string(),
                    r.max_in_flight.to_string(),
                ]
            })
            .collect(),
    }
}

fn rtt(input: &Input<'_>, s: &Strings, roles: &Roles, side: &Side) -> Vec<Block> {
    let who = endpoint(input.conn, roles.data);
    let Some(r) = input.conn.direction(roles.data).ack_rtt else {
        return vec![Block::Para(fill(s.rtt_none, &[&who]))];
    };
    let hs = input
        .conn
        .handshake
        .initial_rtt
        .map_or_else(|| "-".to_string(), |d| duration(s, d));
    let mut text = fill(
        s.rtt_line,
        &[
            &who,
            &duration(s, r.min),
            &duration(s, r.avg),
            &duration(s, r.max),
            &s.n_samples.of(r.samples),
            &hs,
        ],
    );
    if let Some((frame, t, _)) = side.max_rtt.filter(|_| r.samples > 1 && r.min > 0.0) {
        let ratio = format!("{:.0}", r.max / r.min);
        let why = if side.zero_windows.count > 0 {
            s.rtt_var_zero
        } else {
            ""
        };
        text.push(' ');
        text.push_str(&fill(
            s.rtt_var,
            &[&duration(s, r.stdev), &ratio, &frame, &at(s, t), &why],
        ));
    }
    vec![Block::Para(text)]
}

fn limit(s: &Strings, side: &Side, slow_start_seen: bool) -> String {
    let losses = side.retrans.count;
    if side.zero_windows.count == 0
        && side.window_full.count > 0
        && losses + side.lost_segments.count >= side.window_full.count
    {
        return fill(
            s.limit_mostly_congestion,
            &[
                &s.n_sent_again.of(losses),
                &s.n_gaps.of(side.lost_segments.count),
                &s.n_times.of(side.window_full.count),
                &side.max_in_flight,
                &side.max_window,
            ],
        );
    }
    if side.zero_windows.count > 0 || side.window_full.count > 0 {
        fill(
            s.limit_flow,
            &[
                &s.n_times.of(side.zero_windows.count),
                &s.n_times.of(side.window_full.count),
                &side.max_in_flight,
            ],
        )
    } else if side.retrans.count + side.lost_segments.count > 0 {
        fill(
            s.limit_congestion,
            &[
                &s.n_sent_again.of(side.retrans.count),
                &s.n_gaps.of(side.lost_segments.count),
                &side.max_in_flight,
                &side.max_window,
            ],
        )
    } else {
        let text = if slow_start_seen {
            s.limit_neither_ss
        } else {
            s.limit_neither
        };
        fill(text, &[&side.max_in_flight, &side.max_window])
    }
}
