//! What the report says about the run's path: the emulated link (its
//! settings, what it dropped and which frame resent each dropped segment),
//! then the sender's own view (`report::kernel`).

use super::compose::Roles;
use super::doc::{code, Block};
use super::kernel::kernel_view;
use super::strings::{fill, Strings};
use super::units::{at, duration, rate};
use super::Input;
use std::collections::HashMap;
use tcplab_analysis::record::drops::{DroppedPacket, LinkDirection};
use tcplab_analysis::record::link::{LinkParams, PathEnd, QueueLimit};
use tcplab_analysis::{EventSet, Mechanism, SegmentReport};
use tcplab_wire::capture::Timestamp;

/// Dropped segments listed one by one.
const SHOW: usize = 12;

/// Gathered while the capture streams by: the frame that sent each
/// dropped data segment again, why, and what Wireshark calls it.
pub struct PathEvidence {
    stream: u32,
    drops: Vec<DroppedPacket>,
    /// Sequence number → indexes in `drops` still waiting for their resend.
    waiting: HashMap<u32, Vec<usize>>,
    resent: Vec<Option<Resent>>,
}

#[derive(Clone, Copy, Debug)]
struct Resent {
    frame: u64,
    why: Option<Mechanism>,
    labels: EventSet,
}

impl PathEvidence {
    /// Follows `stream`; `drops` is the link's log (only the forward data
    /// segments are matched).
    pub fn new(stream: u32, drops: &[DroppedPacket]) -> PathEvidence {
        let drops: Vec<DroppedPacket> = drops
            .iter()
            .filter(|d| d.way == LinkDirection::Forward && d.tcp.is_some_and(|(_, len, _)| len > 0))
            .copied()
            .collect();
        let mut waiting: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, d) in drops.iter().enumerate() {
            if let Some((seq, _, _)) = d.tcp {
                waiting.entry(seq).or_default().push(i);
            }
        }
        PathEvidence {
            stream,
            resent: vec![None; drops.len()],
            drops,
            waiting,
        }
    }

    pub fn push(&mut self, r: &SegmentReport) {
        if r.stream != self.stream || r.len == 0 {
            return;
        }
        if self.waiting.is_empty() {
            return;
        }
        let Some(list) = self.waiting.get_mut(&r.seq.raw()) else {
            return;
        };
        let drops = &self.drops;
        if let Some(pos) = list.iter().position(|&i| {
            drops[i].time_ns < r.ts.0 && drops[i].tcp.is_some_and(|(_, len, _)| len == r.len)
        }) {
            let i = list.remove(pos);
            self.resent[i] = Some(Resent {
                frame: r.frame,
                why: r.sent_again,
                labels: r.events,
            });
            if list.is_empty() {
                self.waiting.remove(&r.seq.raw());
            }
        }
    }
}

/// The two sections, when the run has a link or a `TCP_INFO` series.
pub fn blocks(input: &Input<'_>, s: &Strings, roles: &Roles, path: &PathEvidence) -> Vec<Block> {
    let mut out = link(input, s, path);
    out.extend(kernel_view(input, s, roles));
    out
}

fn link(input: &Input<'_>, s: &Strings, path: &PathEvidence) -> Vec<Block> {
    let p = &s.path;
    let Some(meta) = input.meta else {
        return Vec::new();
    };
    let Some(link) = &meta.link else {
        return Vec::new();
    };
    let description = describe(s, &link.params);
    let at_sender = link.capture_at == PathEnd::Sender;
    let mut out = vec![
        Block::Heading(p.link_heading.to_string()),
        Block::Para(fill(
            p.link_intro,
            &[
                &description,
                &if at_sender {
                    p.end_sender
                } else {
                    p.end_receiver
                },
            ],
        )),
    ];
    let (f, b) = (&link.stats.forward, &link.stats.backward);
    out.push(Block::Para(
        if link.forward_drops + link.backward_drops == 0 {
            fill(p.no_drops, &[&s.n_packets.of(f.packets_in + b.packets_in)])
        } else {
            fill(
                p.drops,
                &[
                    &s.n_packets.of(link.forward_drops),
                    &f.lost,
                    &f.queue_drops,
                    &s.n_packets.of(link.backward_drops),
                ],
            )
        },
    ));
    if path.drops.is_empty() {
        return out;
    }
    if !at_sender {
        out.push(Block::Para(p.at_receiver.to_string()));
    }
    let start = input.series.start;
    let resent = path.resent.iter().filter(|r| r.is_some()).count();
    out.push(Block::Para(if resent == path.drops.len() {
        fill(p.all_resent, &[&p.n_segments.of(resent as u64)])
    } else {
        fill(
            p.some_resent,
            &[&resent, &p.n_segments.of(path.drops.len() as u64)],
        )
    }));
    let items = path
        .drops
        .iter()
        .zip(&path.resent)
        .take(SHOW)
        .filter_map(|(d, r)| {
            let (seq, len, _) = d.tcp?;
            let t = at(s, Timestamp(d.time_ns).secs_since(start));
            Some(match r {
                Some(r) => fill(
                    p.drop_item,
                    &[
                        &seq,
                        &len,
                        &t,
                        &r.frame,
                        &r.why.map_or(s.no_label, |m| s.sent_again_kinds[m.index()]),
                        &label_of(s, r.labels),
                    ],
                ),
                None => fill(p.drop_item_lost, &[&seq, &len, &t]),
            })
        })
        .collect();
    out.push(Block::List(items));
    if path.drops.len() > SHOW {
        out.push(Block::Para(fill(
            p.more_drops,
            &[&(path.drops.len() - SHOW)],
        )));
    }
    out
}

/// Wireshark's retransmission label of a segment, as a code span.
fn label_of(s: &Strings, labels: EventSet) -> String {
    super::evidence::WIRESHARK_LABELS
        .iter()
        .find(|e| labels.contains(**e))
        .map_or_else(|| s.no_label.to_string(), |e| code(e.name()))
}

/// The link's settings in the report's language.
fn describe(s: &Strings, l: &LinkParams) -> String {
    let p = &s.path;
    let pct = |f: f64| super::units::number(s, f * 100.0);
    let jitter = if !l.jitter.is_zero() {
        fill(p.jitter, &[&duration(s, l.jitter.as_secs_f64())])
    } else {
        String::new()
    };
    let ack_loss = if l.ack_loss > 0.0 {
        fill(p.ack_loss, &[&pct(l.ack_loss)])
    } else {
        String::new()
    };
    let queue = match l.queue {
        QueueLimit::Packets(n) => s.n_packets.of(u64::from(n)),
        QueueLimit::Bytes(n) => fill(p.queue_bytes, &[&n]),
    };
    fill(
        p.link_params,
        &[
            &l.rate_bps
                .map_or_else(|| p.no_rate.to_string(), |b| rate(s, b as f64)),
            &duration(s, l.delay.as_secs_f64()),
            &jitter,
            &pct(l.loss),
            &ack_loss,
            &queue,
            &l.mtu,
            &l.seed,
        ],
    )
}
