//! Drawing the live view into a ratatui frame: a status line, the table of
//! connections, the shown connection's graph beside the latest events, and
//! the keys. Pure: what is drawn follows from the model and the UI state.

use crate::app::{GraphKind, SortBy, UiState};
use crate::kernel_view;
use crate::model::{ConnRow, DirStats, LiveModel, Series};
use crate::units::{bytes, ms, plural, rate, short, RATE_WIDTH};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Block, Cell, Chart, Dataset, GraphType, Paragraph, Row, Table, TableState,
};
use ratatui::Frame;
use tcplab_analysis::flow::Direction;
use tcplab_analysis::Event;

/// What the capture says of itself, for the status line.
#[derive(Clone, Debug, Default)]
pub struct Status {
    /// e.g. `capturing on lo, filter "tcp port 5001" → lo.pcapng`.
    pub what: String,
    pub packets: u64,
    /// What the capture's kernel buffer dropped so far, when known.
    pub kernel_dropped: Option<u32>,
    pub seconds: f64,
    /// The capture has ended (the view stays until a key is pressed).
    pub ended: bool,
}

/// The table's rows in the order `ui.sort` asks.
pub fn order(model: &LiveModel, ui: &UiState) -> Vec<u32> {
    let conns = model.connections();
    let mut order: Vec<u32> = conns.iter().map(|c| c.stream).collect();
    let bytes = |s: u32| {
        let c = &conns[s as usize];
        c.dirs[0].payload_bytes + c.dirs[1].payload_bytes
    };
    match ui.sort {
        SortBy::Stream => {}
        SortBy::Bytes => order.sort_by_key(|&s| std::cmp::Reverse(bytes(s))),
        SortBy::Retransmissions => order
            .sort_by_key(|&s| std::cmp::Reverse((conns[s as usize].retransmissions(), bytes(s)))),
    }
    order
}

/// The connection whose graph is shown: the selected one, else the one
/// that carried the most data.
pub fn shown(model: &LiveModel, ui: &UiState) -> Option<u32> {
    let conns = model.connections();
    ui.selected
        .filter(|&s| (s as usize) < conns.len())
        .or_else(|| {
            conns
                .iter()
                .max_by_key(|c| (c.dirs[0].payload_bytes + c.dirs[1].payload_bytes, c.stream))
                .map(|c| c.stream)
        })
}

pub fn draw(frame: &mut Frame<'_>, model: &LiveModel, ui: &UiState, status: &Status) {
    // A run has a connection or two: its table takes only their rows.
    let table_height = if kernel_view::has_panel(model) {
        Constraint::Max(model.connections().len().max(1) as u16 + 3)
    } else {
        Constraint::Percentage(40)
    };
    let [top, table, bottom, keys] = Layout::vertical([
        Constraint::Length(1),
        table_height,
        Constraint::Min(8),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    // A run's panel needs its lines whole (`kernel_view::PANEL_WIDTH`):
    // the right column is a third of the screen, or that, up to half.
    let right = if kernel_view::has_panel(model) {
        (bottom.width * 32 / 100)
            .max(kernel_view::PANEL_WIDTH)
            .min(bottom.width / 2)
    } else {
        bottom.width * 32 / 100
    };
    let [graph, events] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(right)]).areas(bottom);
    let shown = shown(model, ui);
    frame.render_widget(status_line(model, ui, status), top);
    draw_table(frame, table, model, ui, shown);
    draw_graph(frame, graph, model, ui, shown);
    let events = if kernel_view::has_panel(model) {
        let [panel, events] = Layout::vertical([
            Constraint::Length(kernel_view::PANEL_HEIGHT),
            Constraint::Min(3),
        ])
        .areas(events);
        let conn = shown.and_then(|s| model.connections().get(s as usize));
        frame.render_widget(kernel_view::panel(model, conn), panel);
        events
    } else {
        events
    };
    frame.render_widget(events_list(model, events.height), events);
    frame.render_widget(
        Paragraph::new(format!(
            " ↑↓/jk select  f follow busiest  g graph (1-{})  s sort  p pause  q quit",
            ui.graphs.len()
        ))
        .style(Style::new().fg(Color::Black).bg(Color::Gray)),
        keys,
    );
}

fn status_line<'a>(model: &LiveModel, ui: &UiState, status: &'a Status) -> Paragraph<'a> {
    let mut spans = vec![
        Span::styled(" tcplab ", Style::new().add_modifier(Modifier::BOLD)),
        Span::raw(status.what.as_str()),
        Span::raw(format!(
            " │ {:.0} s │ {} packets │ {} {}{}",
            status.seconds,
            status.packets,
            model.connections().len(),
            plural(
                model.connections().len() as u64,
                "connection",
                "connections"
            ),
            status
                .kernel_dropped
                .map_or_else(String::new, |d| format!(" │ kernel drops {d}"))
        )),
    ];
    if status.ended {
        spans.push(Span::styled(
            "  ENDED (q to leave)",
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
    } else if ui.paused {
        spans.push(Span::styled(
            "  PAUSED (p to go on)",
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
    }
    Paragraph::new(Line::from(spans))
}

fn draw_table(
    frame: &mut Frame<'_>,
    area: Rect,
    model: &LiveModel,
    ui: &UiState,
    shown: Option<u32>,
) {
    let conns = model.connections();
    let order = order(model, ui);
    let header = Row::new(
        [
            "#",
            "A → B",
            "state",
            "pkts",
            "bytes A→B",
            "bytes B→A",
            "rate",
            "retr",
            "dup ack",
            "zero win",
            "RTT min/last",
            "win",
        ]
        .map(|h| Cell::from(h).style(Style::new().add_modifier(Modifier::BOLD))),
    );
    let now = model.last;
    let rows = order.iter().map(|&s| {
        let c = &conns[s as usize];
        row(c, now.map_or(0.0, |n| n.secs_since(c.first)))
    });
    let widths = [
        Constraint::Length(4),
        Constraint::Min(30),
        Constraint::Length(11),
        Constraint::Length(7),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Length(RATE_WIDTH),
        Constraint::Length(5),
        Constraint::Length(7),
        Constraint::Length(8),
        Constraint::Length(19),
        Constraint::Length(9),
    ];
    let title = format!(
        " connections ({}, sorted by {}) ",
        conns.len(),
        ui.sort.name()
    );
    let table = Table::new(rows, widths)
        .header(header)
        .block(Block::bordered().title(title))
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    let mut state =
        TableState::default().with_selected(shown.and_then(|s| order.iter().position(|&o| o == s)));
    frame.render_stateful_widget(table, area, &mut state);
}

/// A connection's row; `t` is the capture's latest time, in seconds since
/// the connection's first packet (for the rate over the last second).
fn row(c: &ConnRow, t: f64) -> Row<'static> {
    let data = c.dir(c.data_direction());
    let retrans = c.retransmissions();
    let style = if retrans > 0 {
        Style::new().fg(Color::Red)
    } else {
        Style::new()
    };
    Row::new(vec![
        Cell::from(c.stream.to_string()),
        Cell::from(format!("{} → {}", c.a, c.b)),
        Cell::from(c.state.name()),
        Cell::from((c.dirs[0].packets + c.dirs[1].packets).to_string()),
        Cell::from(bytes(c.dirs[0].payload_bytes)),
        Cell::from(bytes(c.dirs[1].payload_bytes)),
        Cell::from(rate(data.rate_bps(t))),
        Cell::from(retrans.to_string()).style(style),
        Cell::from(c.events(Event::DuplicateAck).to_string()),
        Cell::from(c.events(Event::ZeroWindow).to_string()),
        Cell::from(rtt(data)),
        Cell::from(
            c.dir(other(c.data_direction()))
                .window
                .map_or_else(|| "-".to_string(), |w| bytes(u64::from(w))),
        ),
    ])
}

fn draw_graph(
    frame: &mut Frame<'_>,
    area: Rect,
    model: &LiveModel,
    ui: &UiState,
    shown: Option<u32>,
) {
    let Some(conn) = shown.and_then(|s| model.connections().get(s as usize)) else {
        frame.render_widget(
            Paragraph::new("no TCP connection yet").block(Block::bordered().title(" graph ")),
            area,
        );
        return;
    };
    if matches!(ui.graph, GraphKind::Cwnd | GraphKind::Queue) {
        kernel_view::draw_graph(frame, area, model, ui.graph, conn);
        return;
    }
    let dir = conn.data_direction();
    let (from, to) = match dir {
        Direction::AtoB => (conn.a, conn.b),
        Direction::BtoA => (conn.b, conn.a),
    };
    let data = conn.dir(dir);
    let (series, graph_type, unit): (&Series, GraphType, &str) = match ui.graph {
        GraphKind::Stevens => (&data.stevens, GraphType::Scatter, "bytes"),
        GraphKind::Throughput => (&data.throughput, GraphType::Line, "bit/s"),
        GraphKind::Rtt => (&data.rtt, GraphType::Scatter, "ms"),
        // The window that limits this data is the one the receiver advertises.
        GraphKind::Window | GraphKind::Cwnd | GraphKind::Queue => {
            (&conn.dir(other(dir)).windows, GraphType::Line, "bytes")
        }
    };
    let title = format!(
        " stream {}: {} → {} — {} ",
        conn.stream,
        from,
        to,
        ui.graph.title()
    );
    let points = series.points();
    // A run's kernel srtt over the capture's ACK RTT, on the same scale.
    let srtt = (ui.graph == GraphKind::Rtt)
        .then(|| kernel_view::srtt(model, conn))
        .flatten()
        .unwrap_or_default();
    let (x_max, y_min, y_max) = if srtt.is_empty() {
        bounds(points)
    } else {
        bounds(&[points, srtt.as_slice()].concat())
    };
    let dataset = Dataset::default()
        .marker(Marker::Braille)
        .graph_type(graph_type)
        .style(Style::new().fg(Color::Cyan))
        .data(points);
    let mut datasets = vec![dataset];
    if ui.graph == GraphKind::Stevens && !data.resent.points().is_empty() {
        // Retransmitted segments over the others, as the static graph marks them.
        datasets.push(
            Dataset::default()
                .marker(Marker::Dot)
                .graph_type(GraphType::Scatter)
                .style(Style::new().fg(Color::Red))
                .data(data.resent.points()),
        );
    }
    if !srtt.is_empty() {
        datasets.push(
            Dataset::default()
                .name("srtt (TCP_INFO)")
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(Color::Yellow))
                .data(&srtt),
        );
    }
    let chart = Chart::new(datasets)
        .block(Block::bordered().title(title))
        .x_axis(Axis::default().title("s").bounds([0.0, x_max]).labels([
            "0".to_string(),
            format!("{:.2}", x_max / 2.0),
            format!("{x_max:.2}"),
        ]))
        .y_axis(Axis::default().title(unit).bounds([y_min, y_max]).labels([
            short(y_min),
            short((y_min + y_max) / 2.0),
            short(y_max),
        ]));
    frame.render_widget(chart, area);
}

fn events_list(model: &LiveModel, height: u16) -> Paragraph<'static> {
    let room = usize::from(height.saturating_sub(2));
    let lines: Vec<Line> = model
        .recent_events()
        .rev()
        .take(room)
        .map(|e| {
            let colour = if e.event.is_retransmission() {
                Color::Red
            } else {
                Color::Yellow
            };
            Line::from(vec![
                Span::raw(format!(
                    "{:>8.3} s #{:<6} s{} ",
                    e.seconds, e.frame, e.stream
                )),
                Span::styled(e.event.wireshark_label(), Style::new().fg(colour)),
            ])
        })
        .collect();
    Paragraph::new(lines).block(Block::bordered().title(" latest events "))
}

fn other(d: Direction) -> Direction {
    match d {
        Direction::AtoB => Direction::BtoA,
        Direction::BtoA => Direction::AtoB,
    }
}

/// x from 0 to the last point; y from the lowest to the highest, with room.
pub(crate) fn bounds(points: &[(f64, f64)]) -> (f64, f64, f64) {
    let x_max = points.iter().map(|p| p.0).fold(0.0, f64::max).max(1e-3);
    let y_min = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let y_max = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    if !y_min.is_finite() || !y_max.is_finite() {
        return (x_max, 0.0, 1.0);
    }
    let y_min = y_min.min(0.0);
    let y_max = if y_max > y_min {
        y_max * 1.05
    } else {
        y_min + 1.0
    };
    (x_max, y_min, y_max)
}

fn rtt(d: &DirStats) -> String {
    match (d.min_rtt_ns, d.rtt_ns) {
        (Some(min), Some(last)) => format!("{} / {}", ms(min), ms(last)),
        _ => "-".to_string(),
    }
}

/// What a test terminal shows, line by line (the tests of the views).
#[cfg(test)]
pub(crate) fn text_of(buffer: &ratatui::buffer::Buffer) -> String {
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;
    use tcplab_analysis::synthetic::{self, seg, A, FA, PA, S, SA};

    fn model() -> LiveModel {
        let mut segs = synthetic::closed(40001, 0, 1000);
        segs.extend([
            seg(40002, true, 10, 7000, 0, S, 0),
            seg(40002, false, 11, 9000, 7001, SA, 0),
            seg(40002, true, 12, 7001, 9001, A, 0),
            seg(40002, true, 13, 7001, 9001, PA, 1448),
            seg(40002, true, 313, 7001, 9001, PA, 1448),
            seg(40002, false, 314, 9001, 8449, A, 0),
            seg(40002, true, 315, 8449, 9001, FA, 0),
        ]);
        let mut m = LiveModel::new();
        for r in synthetic::reports_of(&segs) {
            m.push(&r);
        }
        m
    }

    fn screen(model: &LiveModel, ui: &UiState) -> String {
        let mut terminal = Terminal::new(TestBackend::new(160, 40)).expect("terminal");
        let status = Status {
            what: "capturing on lo".into(),
            packets: 15,
            ..Status::default()
        };
        terminal
            .draw(|f| draw(f, model, ui, &status))
            .expect("draws");
        text_of(terminal.backend().buffer())
    }

    #[test]
    fn the_screen_shows_every_connection_and_the_busiest_ones_graph() {
        let m = model();
        let text = screen(&m, &UiState::default());
        assert!(
            text.contains("192.0.2.10:40001 → 198.51.100.20:80"),
            "{text}"
        );
        assert!(
            text.contains("192.0.2.10:40002 → 198.51.100.20:80"),
            "{text}"
        );
        assert!(text.contains("closed"), "{text}");
        assert!(text.contains("closing"), "{text}");
        assert!(
            text.contains("stream 1: 192.0.2.10:40002"),
            "the busiest is shown: {text}"
        );
        assert!(
            text.contains("Retransmission"),
            "the event is listed: {text}"
        );
        assert!(text.contains("2 connections"), "{text}");
    }

    #[test]
    fn sorting_by_retransmissions_puts_the_lossy_connection_first() {
        let m = model();
        let ui = UiState {
            sort: SortBy::Retransmissions,
            ..UiState::default()
        };
        assert_eq!(order(&m, &ui), [1, 0]);
        assert_eq!(order(&m, &UiState::default()), [0, 1]);
    }
}
