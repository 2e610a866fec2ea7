//! The draw loop every live view shares (`capture --live`,
//! `run-and-capture --live`, `compare --live`): the work (a capture, a
//! run) goes on in another thread and feeds a [`LiveModel`]; this thread
//! owns the terminal, draws the model ten times a second and reads the
//! keys. What the view is for is told by a `tick`, called before every
//! frame: it may bring the model up to date (a link's counters), says
//! what the status line shows, and whether to leave (the work failed or
//! was stopped). A paused view draws the model as it was.

use anyhow::Result;
use ratatui::crossterm::event::{self, Event};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use tcplab_live::app::{Action, UiState};
use tcplab_live::model::LiveModel;
use tcplab_live::view::{self, Status};

/// A frame every 100 ms.
pub const FRAME: Duration = Duration::from_millis(100);

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What a tick says before a frame.
pub struct Tick {
    pub status: Status,
    /// Leave now, without waiting for a key.
    pub leave: bool,
}

/// Why the view ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Left {
    /// q, Esc or Ctrl-C (raw mode makes Ctrl-C a key).
    Quit,
    /// The tick said so.
    Told,
}

/// Runs `show` on the terminal in full-screen raw mode, and gives the
/// terminal back as it was, also when `show` fails.
pub fn on_terminal<T>(show: impl FnOnce(&mut ratatui::DefaultTerminal) -> Result<T>) -> Result<T> {
    let mut terminal = ratatui::try_init()?;
    let shown = show(&mut terminal);
    ratatui::restore();
    shown
}

/// Draws until a key quits or the tick says to leave.
pub fn show(
    terminal: &mut ratatui::DefaultTerminal,
    model: &Mutex<LiveModel>,
    mut ui: UiState,
    mut tick: impl FnMut(&mut LiveModel) -> Tick,
) -> Result<Left> {
    let mut frozen: Option<LiveModel> = None;
    loop {
        let Tick { status, leave } = tick(&mut lock(model));
        if leave {
            return Ok(Left::Told);
        }
        match (&frozen, ui.paused) {
            (Some(snapshot), true) => {
                terminal.draw(|f| view::draw(f, snapshot, &ui, &status))?;
            }
            _ => {
                let live = lock(model);
                terminal.draw(|f| view::draw(f, &live, &ui, &status))?;
            }
        }
        if !event::poll(FRAME)? {
            continue;
        }
        let Event::Key(key) = event::read()? else {
            continue;
        };
        let action = {
            let live = lock(model);
            let current = frozen.as_ref().filter(|_| ui.paused).unwrap_or(&*live);
            let order = view::order(current, &ui);
            let shown = view::shown(current, &ui);
            ui.key(key, &order, shown)
        };
        match action {
            Action::Quit => return Ok(Left::Quit),
            Action::Redraw | Action::None => {}
        }
        if ui.paused && frozen.is_none() {
            frozen = Some(lock(model).clone());
        } else if !ui.paused {
            frozen = None;
        }
    }
}
