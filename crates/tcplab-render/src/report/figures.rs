//! The six graphs of the connection, drawn once as SVG (saved and inlined
//! in the HTML) and once as PNG (saved), in the report's language, each
//! with a one-sentence caption about what this capture shows in it.

use super::compose::Roles;
use super::doc::Block;
use super::strings::{fill, Strings};
use super::units::{at, bytes, duration, rate};
use super::{Input, Result};
use crate::plot::{self, Graph, ImageFormat, PlotOptions, Style, View};
use std::path::{Path, PathBuf};

/// The order of the graphs in the report (and of `Strings::graph_names`).
const ORDER: [Graph; 6] = [
    Graph::Ladder,
    Graph::Stevens,
    Graph::Tcptrace,
    Graph::Throughput,
    Graph::Rtt,
    Graph::Window,
];

pub fn render_all(
    input: &Input<'_>,
    s: &Strings,
    dir: &Path,
) -> Result<(Vec<Block>, Vec<PathBuf>)> {
    let roles = Roles::of(input);
    let options = PlotOptions {
        direction: Some(roles.data),
        lang: s.lang,
        ..PlotOptions::default()
    };
    let view = View::new(input.series, &options).with_kernel(input.kernel);
    let style = Style::default();
    let (mut blocks, mut files) = (Vec::new(), Vec::new());
    for (i, graph) in ORDER.into_iter().enumerate() {
        let svg = plot::render(graph, &view, &style, ImageFormat::Svg)?;
        let png = plot::render(graph, &view, &style, ImageFormat::Png)?;
        for fig in [&svg, &png] {
            let path = dir.join(format!("{}.{}", graph.name(), fig.format.extension()));
            fig.save(&path)?;
            files.push(path);
        }
        blocks.push(Block::Figure {
            stem: graph.name().to_string(),
            title: s.graph_names[i].to_string(),
            caption: caption(graph, input, s, &roles, &view),
            svg: svg.as_svg().unwrap_or_default().to_string(),
        });
    }
    Ok((blocks, files))
}

/// What the curve shows (the data's span, its average and peak), and why
/// the connection's average in the transfer section differs: it spans the
/// whole connection, the teardown after the last data segment included.
fn throughput(
    view: &View<'_>,
    s: &Strings,
    sum: &tcplab_analysis::DirectionSummary,
    whole: f64,
) -> String {
    let Ok(Some(t)) = plot::throughput_summary(view) else {
        return String::new();
    };
    let mut text = fill(
        s.cap_throughput,
        &[
            &t.first.0,
            &t.last.0,
            &rate(s, t.avg_bps),
            &duration(s, t.curve_s),
            &rate(s, t.peak_bps),
            &at(s, t.peak_t),
        ],
    );
    if t.tail_packets > 0 {
        let resent = t
            .tail_resent
            .map_or_else(String::new, |(f, _)| fill(s.cap_throughput_resent, &[&f]));
        text.push_str(&fill(
            s.cap_throughput_tail,
            &[
                &rate(s, sum.throughput_bps),
                &duration(s, whole),
                &duration(s, t.tail_s),
                &resent,
            ],
        ));
    }
    text
}

fn caption(graph: Graph, input: &Input<'_>, s: &Strings, roles: &Roles, view: &View<'_>) -> String {
    let c = input.conn;
    let side = input.evidence.side(roles.data);
    let sum = c.direction(roles.data);
    let first_zero = side.zero_periods.items.first();
    let no_data = side.data_segments == 0;
    match graph {
        Graph::Stevens | Graph::Tcptrace | Graph::Throughput | Graph::Rtt | Graph::Window
            if no_data =>
        {
            s.cap_no_data.sentence(c.packets, &[])
        }
        Graph::Ladder if c.packets <= 40 => fill(s.cap_ladder, &[&c.packets]),
        Graph::Ladder => fill(s.cap_ladder_fold, &[&c.packets]),
        Graph::Stevens => match side.retrans.items.first() {
            Some(r) => {
                let (last, t) = side.last_retrans.unwrap_or((r.frame, r.t));
                s.cap_stevens_loss.sentence(
                    side.retrans.count,
                    &[&r.frame, &at(s, r.t), &last, &at(s, t)],
                )
            }
            None => {
                let span = match (side.first_data, side.last_data) {
                    (Some(a), Some(b)) => b.1 - a.1,
                    _ => 0.0,
                };
                fill(
                    s.cap_stevens_clean,
                    &[&sum.unique_bytes, &duration(s, span)],
                )
            }
        },
        Graph::Tcptrace => {
            if let Some(z) = first_zero {
                s.cap_tcptrace_zero
                    .sentence(side.zero_windows.count, &[&z.first_frame, &at(s, z.t)])
            } else if let Some(f) = side.dup_acks.items.first() {
                fill(s.cap_tcptrace_loss, &[f, &side.dup_acks.count])
            } else if let Some(f) = side.window_full.items.first() {
                s.cap_tcptrace_full.sentence(side.window_full.count, &[f])
            } else {
                s.cap_tcptrace_clean.to_string()
            }
        }
        Graph::Throughput => throughput(view, s, sum, c.duration),
        Graph::Rtt => match sum.ack_rtt {
            Some(r) if side.receiver_view.is_some() => fill(
                s.cap_rtt_receiver,
                &[
                    &s.n_samples.of(r.samples),
                    &duration(s, r.min),
                    &duration(s, r.max),
                    &duration(s, side.receiver_view.unwrap_or(0.0)),
                ],
            ),
            Some(r) => fill(
                s.cap_rtt,
                &[
                    &s.n_samples.of(r.samples),
                    &duration(s, r.min),
                    &duration(s, r.max),
                ],
            ),
            None => s.cap_rtt_none.to_string(),
        },
        Graph::Window => {
            let mut text = window_caption(s, input, roles, first_zero);
            if side.receiver_view.is_some() {
                text.push(' ');
                text.push_str(&fill(
                    s.cap_window_receiver,
                    &[&bytes(s, side.flight_max())],
                ));
            }
            text
        }
    }
}

fn window_caption(
    s: &Strings,
    input: &Input<'_>,
    roles: &Roles,
    first_zero: Option<&super::evidence::ZeroPeriod>,
) -> String {
    let c = input.conn;
    let side = input.evidence.side(roles.data);
    match first_zero {
        Some(z) => s
            .cap_window_zero
            .sentence(side.zero_periods.count, &[&z.first_frame, &at(s, z.t)]),
        None => {
            let rcv = c.direction(roles.data.reverse());
            let w = |v: Option<u32>| v.map_or_else(|| "-".to_string(), |v| bytes(s, v));
            if rcv.min_window == rcv.max_window {
                return fill(
                    s.cap_window_const,
                    &[
                        &w(rcv.max_window),
                        &bytes(s, side.max_in_flight),
                        &side.max_in_flight_frame,
                    ],
                );
            }
            fill(
                s.cap_window,
                &[
                    &w(rcv.min_window),
                    &w(rcv.max_window),
                    &bytes(s, side.max_in_flight),
                    &side.max_in_flight_frame,
                ],
            )
        }
    }
}
