//! The view's state and what each key does (as in trippy and htop: arrows
//! or j/k select, a letter per action, q or Esc leaves).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphKind {
    Stevens,
    Throughput,
    Rtt,
    Window,
    /// The sender's cwnd and ssthresh from `TCP_INFO` (a run only).
    Cwnd,
    /// The emulated link's queue (a run across it only).
    Queue,
}

impl GraphKind {
    /// The graphs of a capture's connections.
    pub const CAPTURE: [GraphKind; 4] = [
        GraphKind::Stevens,
        GraphKind::Throughput,
        GraphKind::Rtt,
        GraphKind::Window,
    ];
    /// A run's: the capture's and the kernel's cwnd.
    pub const RUN: [GraphKind; 5] = [
        GraphKind::Stevens,
        GraphKind::Throughput,
        GraphKind::Rtt,
        GraphKind::Window,
        GraphKind::Cwnd,
    ];
    /// A run across the emulated link's: also its queue.
    pub const EMULATED_RUN: [GraphKind; 6] = [
        GraphKind::Stevens,
        GraphKind::Throughput,
        GraphKind::Rtt,
        GraphKind::Window,
        GraphKind::Cwnd,
        GraphKind::Queue,
    ];

    pub fn title(self) -> &'static str {
        match self {
            GraphKind::Stevens => "Stevens: sequence number over time",
            GraphKind::Throughput => "Throughput (payload bit/s per 100 ms)",
            GraphKind::Rtt => "ACK RTT (ms)",
            GraphKind::Window => "Receive window advertised by the peer (bytes)",
            GraphKind::Cwnd => "Sender's cwnd and ssthresh from TCP_INFO (segments)",
            GraphKind::Queue => "Emulated link's queue, sender → receiver (packets)",
        }
    }

    fn next(self, offered: &[GraphKind]) -> GraphKind {
        let i = offered.iter().position(|&g| g == self).unwrap_or(0);
        offered
            .get((i + 1) % offered.len().max(1))
            .copied()
            .unwrap_or(GraphKind::Stevens)
    }
}

#[derive(Clone, Debug)]
pub struct UiState {
    /// The selected connection's stream number; `None` follows the
    /// connection that carried the most data.
    pub selected: Option<u32>,
    pub graph: GraphKind,
    /// The graphs g and the digit keys go through, in their order.
    pub graphs: &'static [GraphKind],
    /// The screen stays as it is while the capture goes on.
    pub paused: bool,
    pub sort: SortBy,
}

impl Default for UiState {
    fn default() -> Self {
        UiState {
            selected: None,
            graph: GraphKind::Stevens,
            graphs: &GraphKind::CAPTURE,
            paused: false,
            sort: SortBy::Stream,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    None,
    Redraw,
    Quit,
}

/// The table's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortBy {
    Stream,
    Bytes,
    Retransmissions,
}

impl SortBy {
    pub fn name(self) -> &'static str {
        match self {
            SortBy::Stream => "stream",
            SortBy::Bytes => "bytes",
            SortBy::Retransmissions => "retransmissions",
        }
    }

    fn next(self) -> SortBy {
        match self {
            SortBy::Stream => SortBy::Bytes,
            SortBy::Bytes => SortBy::Retransmissions,
            SortBy::Retransmissions => SortBy::Stream,
        }
    }
}

impl UiState {
    /// Applies a key; `order` is the table's rows (stream numbers, as
    /// shown) and `shown` the stream whose graph is on screen now.
    pub fn key(&mut self, key: KeyEvent, order: &[u32], shown: Option<u32>) -> Action {
        if key.kind == KeyEventKind::Release {
            return Action::None;
        }
        let at = self
            .selected
            .or(shown)
            .and_then(|s| order.iter().position(|&o| o == s))
            .unwrap_or(0);
        let row = |i: usize| order.get(i).copied();
        match key.code {
            KeyCode::Char('q') | KeyCode::Esc => return Action::Quit,
            // Raw mode turns Ctrl-C into a key: it quits, as it would outside.
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                return Action::Quit
            }
            KeyCode::Char('p') | KeyCode::Char(' ') => self.paused = !self.paused,
            KeyCode::Char('g') | KeyCode::Tab => self.graph = self.graph.next(self.graphs),
            KeyCode::Char(d @ '1'..='9') => {
                let i = usize::from(d as u8 - b'1');
                match self.graphs.get(i) {
                    Some(&g) => self.graph = g,
                    None => return Action::None,
                }
            }
            KeyCode::Char('s') => self.sort = self.sort.next(),
            KeyCode::Down | KeyCode::Char('j') if !order.is_empty() => {
                self.selected = row((at + 1).min(order.len() - 1))
            }
            KeyCode::Up | KeyCode::Char('k') if !order.is_empty() => {
                self.selected = row(at.saturating_sub(1))
            }
            KeyCode::Home => self.selected = row(0),
            KeyCode::End if !order.is_empty() => self.selected = row(order.len() - 1),
            KeyCode::Char('f') => self.selected = None,
            _ => return Action::None,
        }
        Action::Redraw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDER: [u32; 5] = [0, 1, 2, 3, 4];

    fn press(ui: &mut UiState, code: KeyCode) -> Action {
        ui.key(KeyEvent::new(code, KeyModifiers::NONE), &ORDER, Some(2))
    }

    #[test]
    fn keys_move_switch_sort_pause_and_quit() {
        let mut ui = UiState::default();
        assert_eq!(press(&mut ui, KeyCode::Down), Action::Redraw);
        assert_eq!(ui.selected, Some(3), "moves from the connection shown");
        press(&mut ui, KeyCode::End);
        press(&mut ui, KeyCode::Down);
        assert_eq!(ui.selected, Some(4), "stops at the last row");
        press(&mut ui, KeyCode::Char('g'));
        assert_eq!(ui.graph, GraphKind::Throughput);
        press(&mut ui, KeyCode::Char('s'));
        assert_eq!(ui.sort, SortBy::Bytes);
        press(&mut ui, KeyCode::Char('p'));
        assert!(ui.paused);
        press(&mut ui, KeyCode::Char('f'));
        assert_eq!(ui.selected, None);
        assert_eq!(press(&mut ui, KeyCode::Char('x')), Action::None);
        assert_eq!(
            press(&mut ui, KeyCode::Char('5')),
            Action::None,
            "a capture has 4 graphs"
        );
        assert_eq!(ui.graph, GraphKind::Throughput);
        assert_eq!(press(&mut ui, KeyCode::Char('q')), Action::Quit);
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(ui.key(ctrl_c, &ORDER, None), Action::Quit);
    }

    #[test]
    fn a_run_offers_the_kernel_graphs_too() {
        let mut ui = UiState {
            graphs: &GraphKind::EMULATED_RUN,
            ..UiState::default()
        };
        press(&mut ui, KeyCode::Char('5'));
        assert_eq!(ui.graph, GraphKind::Cwnd);
        press(&mut ui, KeyCode::Char('g'));
        assert_eq!(ui.graph, GraphKind::Queue);
        press(&mut ui, KeyCode::Char('g'));
        assert_eq!(ui.graph, GraphKind::Stevens, "round again");
    }
}
