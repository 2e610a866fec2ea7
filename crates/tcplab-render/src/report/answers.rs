//! Final exercise 3, answered from the evidence: retransmissions, the
//! receive buffer, slow start, RTT, and which control limited the sender;
//! then the integrity of the transfer and the quality of the capture.

use super::compose::{endpoint, Roles};
use super::doc::Block;
use super::evidence::{Side, WIRESHARK_LABELS};
use super::strings::{fill, Strings};
use super::units::{at, bytes, duration, frames, times_at};
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
    let (blocks, slow_start_seen) = super::slow_start_answer::answer(input, s, roles, side);
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
            &[&bytes(s, side.max_window), &bytes(s, side.flight_max())],
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
    // At the data's receiver the ACK RTT is the receiver's ACK delay: the
    // same figures, said as what they are, without the variation sentence.
    let at_receiver = input.evidence.side(roles.data).receiver_view.is_some();
    let mut text = fill(
        if at_receiver {
            s.rtt_receiver
        } else {
            s.rtt_line
        },
        &[
            &who,
            &duration(s, r.min),
            &duration(s, r.avg),
            &duration(s, r.max),
            &s.n_samples.of(r.samples),
            &hs,
        ],
    );
    if at_receiver {
        return vec![Block::Para(text)];
    }
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
                &bytes(s, side.flight_max()),
                &bytes(s, side.max_window),
            ],
        );
    }
    if side.zero_windows.count > 0 || side.window_full.count > 0 {
        fill(
            s.limit_flow,
            &[
                &s.n_times.of(side.zero_windows.count),
                &s.n_times.of(side.window_full.count),
                &bytes(s, side.flight_max()),
            ],
        )
    } else if side.retrans.count + side.lost_segments.count > 0 {
        fill(
            s.limit_congestion,
            &[
                &s.n_sent_again.of(side.retrans.count),
                &s.n_gaps.of(side.lost_segments.count),
                &bytes(s, side.flight_max()),
                &bytes(s, side.max_window),
            ],
        )
    } else {
        let text = if slow_start_seen {
            s.limit_neither_ss
        } else {
            s.limit_neither
        };
        fill(
            text,
            &[&bytes(s, side.flight_max()), &bytes(s, side.max_window)],
        )
    }
}
