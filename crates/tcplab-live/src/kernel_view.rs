//! Drawing what a run adds: the panel of the sender's `TCP_INFO` and the
//! emulated link beside the events, the cwnd/ssthresh and queue graphs,
//! and the kernel's srtt over the ACK RTT graph. Times are drawn in
//! seconds since the shown connection's first packet, as its own graphs.

use crate::app::GraphKind;
use crate::kernel::{KernelSeries, LinkState};
use crate::model::{ConnRow, LiveModel, Series};
use crate::units::{rate, short};
use crate::view::bounds;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::Line;
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph};
use ratatui::Frame;
use tcplab_analysis::record::link::LinkStats;
use tcplab_analysis::record::tcp_info::ca_state_name;
use tcplab_analysis::{Event, Mechanism};

/// Lines the panel takes, borders included.
pub const PANEL_HEIGHT: u16 = 12;
/// Columns the panel takes, borders included: its longest lines ("kernel:
/// sent again N, delivery rate 999.9 Mbit/s", the link's lanes) whole with
/// six-digit counts.
pub const PANEL_WIDTH: u16 = 64;

/// A line of a graph: its name, colour and points.
type Curve = (&'static str, Color, Vec<(f64, f64)>);

/// Whether the model has anything for the panel (a run, not a capture).
pub fn has_panel(model: &LiveModel) -> bool {
    model.kernel.is_some() || model.link.is_some()
}

/// `series` (epoch seconds) as seconds since `origin` (epoch seconds).
fn since(series: &Series, origin: f64) -> Vec<(f64, f64)> {
    series
        .points()
        .iter()
        .map(|&(t, y)| (t - origin, y))
        .collect()
}

/// The panel: the sender's latest `TCP_INFO`, the shown connection's
/// retransmissions by kind, duplicate ACKs and zero windows (from the
/// capture's analysis), and both ways of the emulated link.
pub fn panel(model: &LiveModel, conn: Option<&ConnRow>) -> Paragraph<'static> {
    let mut lines = kernel_lines(model.kernel.as_ref());
    if let Some(c) = conn {
        let data = c.dir(c.data_direction());
        let t = model.last.map_or(0.0, |n| n.secs_since(c.first));
        lines.push(Line::raw(format!(
            "capture: {}, sent again {}",
            rate(data.rate_bps(t)),
            data.sent_again()
        )));
        let why: Vec<String> = Mechanism::ALL
            .iter()
            .filter(|&&m| data.sent_again_by(m) > 0)
            .map(|&m| format!("{} {}", m.name().replace('_', " "), data.sent_again_by(m)))
            .collect();
        if !why.is_empty() {
            lines.push(Line::raw(format!("  {}", why.join(", "))));
        }
        lines.push(Line::raw(format!(
            "Wireshark: retransmissions {} (fast {}, spurious {})",
            c.retransmissions(),
            c.events(Event::FastRetransmission),
            c.events(Event::SpuriousRetransmission),
        )));
        lines.push(Line::raw(format!(
            "  out of order {}, dup ACKs {}, zero windows {}",
            c.events(Event::OutOfOrder),
            c.events(Event::DuplicateAck),
            c.events(Event::ZeroWindow)
        )));
    }
    if let Some(link) = &model.link {
        lines.push(Line::raw(lane("link →", &link.forward, link.queue[0])));
        lines.push(Line::raw(lane("link ←", &link.backward, link.queue[1])));
    }
    Paragraph::new(lines).block(Block::bordered().title(" sender's TCP_INFO, the link "))
}

fn kernel_lines(kernel: Option<&KernelSeries>) -> Vec<Line<'static>> {
    let Some(k) = kernel.and_then(|k| k.last) else {
        return vec![Line::raw("TCP_INFO: no sample yet")];
    };
    vec![
        Line::raw(format!(
            "cwnd {} segments, ssthresh {} ({})",
            k.cwnd,
            k.ssthresh
                .map_or_else(|| "not set".to_string(), |s| s.to_string()),
            ca_state_name(k.ca_state)
        )),
        Line::raw(format!(
            "srtt {:.1} ms, rttvar {:.1} ms, min RTT {:.1} ms",
            f64::from(k.srtt_us) / 1e3,
            f64::from(k.rttvar_us) / 1e3,
            f64::from(k.min_rtt_us) / 1e3
        )),
        Line::raw(format!(
            "kernel: sent again {}, delivery rate {}",
            k.total_retrans,
            rate(k.delivery_rate_bps as f64)
        )),
    ]
}

fn lane(name: &str, s: &LinkStats, queue: u32) -> String {
    format!(
        "{name} queue {queue} (max {}), lost {}, queue full {}",
        s.max_queue_packets, s.lost, s.queue_drops
    )
}

/// The kernel's srtt (ms) against the connection's seconds, for the RTT graph.
pub fn srtt(model: &LiveModel, conn: &ConnRow) -> Option<Vec<(f64, f64)>> {
    let k = model.kernel.as_ref()?;
    Some(since(&k.srtt_ms, conn.first.as_secs_f64()))
}

/// The cwnd/ssthresh graph or the queue graph of a run.
pub fn draw_graph(
    frame: &mut Frame<'_>,
    area: Rect,
    model: &LiveModel,
    graph: GraphKind,
    conn: &ConnRow,
) {
    let origin = conn.first.as_secs_f64();
    let lines: Vec<Curve> = match (graph, &model.kernel, &model.link) {
        (GraphKind::Cwnd, Some(k), _) => vec![
            ("cwnd", Color::Cyan, since(&k.cwnd, origin)),
            ("ssthresh", Color::Yellow, since(&k.ssthresh, origin)),
        ],
        (GraphKind::Queue, _, Some(LinkState { queue_series, .. })) => {
            vec![("queue", Color::Cyan, since(queue_series, origin))]
        }
        _ => Vec::new(),
    };
    let title = format!(" {} ", graph.title());
    if lines.iter().all(|l| l.2.is_empty()) {
        frame.render_widget(
            Paragraph::new("nothing sampled yet").block(Block::bordered().title(title)),
            area,
        );
        return;
    }
    let all: Vec<(f64, f64)> = lines.iter().flat_map(|l| l.2.iter().copied()).collect();
    let (x_max, y_min, y_max) = bounds(&all);
    let datasets = lines
        .iter()
        .map(|(name, colour, points)| {
            Dataset::default()
                .name(*name)
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(*colour))
                .data(points)
        })
        .collect();
    let chart = Chart::new(datasets)
        .block(Block::bordered().title(title))
        .x_axis(Axis::default().title("s").bounds([0.0, x_max]).labels([
            "0".to_string(),
            format!("{:.2}", x_max / 2.0),
            format!("{x_max:.2}"),
        ]))
        .y_axis(Axis::default().bounds([y_min, y_max]).labels([
            short(y_min),
            short((y_min + y_max) / 2.0),
            short(y_max),
        ]));
    frame.render_widget(chart, area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::UiState;
    use crate::view::{draw, Status};
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;
    use tcplab_analysis::record::tcp_info::TcpInfo;
    use tcplab_analysis::synthetic;

    fn screen(model: &LiveModel, ui: &UiState) -> String {
        screen_of(model, ui, 170)
    }

    fn screen_of(model: &LiveModel, ui: &UiState, width: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, 40)).expect("terminal");
        terminal
            .draw(|f| draw(f, model, ui, &Status::default()))
            .expect("draws");
        crate::view::text_of(terminal.backend().buffer())
    }

    /// A model that has seen one closed connection, and its first packet's
    /// time (epoch seconds), for samples that follow it.
    fn one_closed_connection() -> (LiveModel, f64) {
        let mut model = LiveModel::new();
        for r in synthetic::reports_of(&synthetic::closed(40001, 0, 1000)) {
            model.push(&r);
        }
        let first = model.connections()[0].first.as_secs_f64();
        (model, first)
    }

    #[test]
    fn a_run_shows_the_kernel_and_the_link_beside_the_capture() {
        let (mut model, first) = one_closed_connection();
        model.push_tcp_info(&TcpInfo {
            time: first + 0.001,
            cwnd: 10,
            srtt_us: 41_200,
            ..TcpInfo::default()
        });
        model.push_tcp_info(&TcpInfo {
            time: first + 0.002,
            cwnd: 14,
            ssthresh: Some(7),
            srtt_us: 41_200,
            total_retrans: 1,
            ..TcpInfo::default()
        });
        let forward = LinkStats {
            lost: 3,
            queue_drops: 2,
            max_queue_packets: 9,
            ..LinkStats::default()
        };
        model.update_link(first + 0.002, forward, LinkStats::default(), [4, 0]);
        let text = screen(&model, &UiState::default());
        assert!(
            text.contains("cwnd 14 segments, ssthresh 7 (open)"),
            "{text}"
        );
        assert!(text.contains("srtt 41.2 ms"), "{text}");
        assert!(text.contains("kernel: sent again 1"), "{text}");
        assert!(
            text.contains("link → queue 4 (max 9), lost 3, queue full 2"),
            "{text}"
        );
        let ui = UiState {
            graph: GraphKind::Cwnd,
            graphs: &GraphKind::EMULATED_RUN,
            ..UiState::default()
        };
        let text = screen(&model, &ui);
        assert!(text.contains("cwnd and ssthresh from TCP_INFO"), "{text}");
        assert!(text.contains("g graph (1-6)"), "{text}");
    }

    /// At 160 columns (the tmux tests' terminal) the panel's longest lines
    /// show whole, with six-digit counts (they were cut at 50 columns).
    #[test]
    fn the_panels_lines_are_whole_at_160_columns() {
        let (mut model, first) = one_closed_connection();
        model.push_tcp_info(&TcpInfo {
            time: first + 0.001,
            cwnd: 10,
            total_retrans: 123_456,
            delivery_rate_bps: 999_900_000,
            ..TcpInfo::default()
        });
        let forward = LinkStats {
            lost: 123_456,
            queue_drops: 123_456,
            max_queue_packets: 1000,
            ..LinkStats::default()
        };
        model.update_link(first + 0.002, forward, LinkStats::default(), [1000, 0]);
        let text = screen_of(&model, &UiState::default(), 160);
        for line in [
            "kernel: sent again 123456, delivery rate 999.9 Mbit/s",
            "link → queue 1000 (max 1000), lost 123456, queue full 123456",
            "Wireshark: retransmissions 0 (fast 0, spurious 0)",
            "  out of order 0, dup ACKs 0, zero windows 0",
        ] {
            assert!(text.contains(line), "{line:?} not whole in\n{text}");
        }
    }
}
