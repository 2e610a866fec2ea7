//! The draw loop every live view shares (`capture --live`,
//! `run-and-capture --live`, `compare --live`): the work (a capture, a
//! run) goes on in another thread and feeds a [`LiveModel`]; this thread
//! owns the terminal, draws the model ten times a second and reads the
//! keys. What the view is for is told by a `tick`, called before every
//! frame: it may bring the model up to date (a link's counters), says
//! what the status line shows, and whether to leave (the work failed or
//! was stopped). A paused view draws the model as it was.
//! `TCPLAB_LIVE_STATS=FILE` measures the drawing (`live_stats`).

use super::live_stats::DrawStats;
use anyhow::Result;
use ratatui::crossterm::event::{self, Event};
use std::io::IsTerminal;
use std::os::fd::AsRawFd;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};
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
pub fn on_terminal<T>(show: impl FnOnce(&mut Screen) -> Result<T>) -> Result<T> {
    let stderr_on_terminal = std::io::stderr().is_terminal();
    let mut screen = Screen {
        terminal: ratatui::try_init()?,
        stats: DrawStats::from_env(),
    };
    let shown = show(&mut screen);
    if matches!(keys_waiting(Duration::ZERO), Ok(Input::Gone)) {
        // The terminal hung up: there is nothing to restore, and what is
        // still to say (the summary, a warning) goes nowhere, as under
        // nohup, instead of failing (a line printed to a terminal that is
        // gone panics) before the capture or the run has finished and
        // cleaned up.
        let _ = ratatui::try_restore();
        leave_gone_terminal(stderr_on_terminal);
    } else {
        ratatui::restore();
    }
    if let Some(Err(e)) = screen.stats.as_ref().map(DrawStats::write) {
        eprintln!("tcplab: warning: {e:#}");
    }
    shown
}

/// Points standard input, output (and error, when it was the terminal)
/// at /dev/null.
fn leave_gone_terminal(stderr_too: bool) {
    let Ok(null) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
    else {
        return;
    };
    let fds = [libc::STDIN_FILENO, libc::STDOUT_FILENO];
    for fd in fds
        .into_iter()
        .chain(stderr_too.then_some(libc::STDERR_FILENO))
    {
        // SAFETY: dup2 of an open descriptor onto a standard one; `null`
        // stays open until the end of this function, its copies after.
        unsafe { libc::dup2(null.as_raw_fd(), fd) };
    }
}

/// The terminal, and what its drawing costs when asked to measure it.
pub struct Screen {
    terminal: ratatui::DefaultTerminal,
    stats: Option<DrawStats>,
}

impl Screen {
    /// Builds a frame of `live` while `model` is locked, and writes it to
    /// the terminal after the lock is let go: a slow terminal (or this
    /// thread pushed off the CPU mid-write) must not hold up the capture
    /// thread that feeds the model.
    fn draw(
        &mut self,
        live: MutexGuard<'_, LiveModel>,
        ui: &UiState,
        status: &Status,
    ) -> Result<()> {
        let start = Instant::now();
        self.terminal.autoresize()?;
        view::draw(&mut self.terminal.get_frame(), &live, ui, status);
        drop(live);
        self.terminal.apply_buffer_with_cursor(None)?;
        self.measured(start);
        Ok(())
    }

    /// Draws a paused view's snapshot.
    fn draw_snapshot(&mut self, snapshot: &LiveModel, ui: &UiState, status: &Status) -> Result<()> {
        let start = Instant::now();
        self.terminal
            .draw(|f| view::draw(f, snapshot, ui, status))?;
        self.measured(start);
        Ok(())
    }

    fn measured(&mut self, start: Instant) {
        if let Some(stats) = &mut self.stats {
            stats.frame(start);
        }
    }
}

/// Draws until a key quits or the tick says to leave. Frames come on a
/// fixed schedule, not a fixed pause after each one (drawing's own time
/// would make them fewer than ten a second); a key draws at once without
/// moving the schedule.
pub fn show(
    screen: &mut Screen,
    model: &Mutex<LiveModel>,
    mut ui: UiState,
    mut tick: impl FnMut(&mut LiveModel) -> Tick,
) -> Result<Left> {
    let mut frozen: Option<LiveModel> = None;
    let mut next_frame = Instant::now();
    loop {
        let Tick { status, leave } = tick(&mut lock(model));
        if leave {
            return Ok(Left::Told);
        }
        match (&frozen, ui.paused) {
            (Some(snapshot), true) => screen.draw_snapshot(snapshot, &ui, &status)?,
            _ => screen.draw(lock(model), &ui, &status)?,
        }
        let now = Instant::now();
        if next_frame <= now {
            next_frame += FRAME;
            if next_frame <= now {
                next_frame = now + FRAME;
            }
        }
        match keys_waiting(next_frame - now)? {
            Input::None => continue,
            Input::Gone => return Ok(Left::Told),
            Input::Waiting => {}
        }
        if !event::poll(Duration::ZERO)? {
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

/// What the terminal's input holds after a wait.
enum Input {
    None,
    Waiting,
    /// The terminal hung up (closed, its tmux pane killed).
    Gone,
}

/// Waits up to `timeout` for input on the terminal (standard input: the
/// live views need it to be one, and crossterm reads keys from it). The
/// wait is ours, not crossterm's: once the terminal has hung up,
/// crossterm's reader reads end-of-file again and again without
/// returning, so a view left waiting in it would spin a core forever
/// after its terminal closed. A hang-up seen here leaves the view.
fn keys_waiting(timeout: Duration) -> Result<Input> {
    let mut fds = [libc::pollfd {
        fd: libc::STDIN_FILENO,
        events: libc::POLLIN,
        revents: 0,
    }];
    let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: one valid pollfd, its length given; poll only writes revents.
    let ready = unsafe { libc::poll(fds.as_mut_ptr(), 1, ms) };
    if ready < 0 {
        let e = std::io::Error::last_os_error();
        return if e.kind() == std::io::ErrorKind::Interrupted {
            Ok(Input::None)
        } else {
            Err(anyhow::Error::new(e).context("waiting for a key on the terminal"))
        };
    }
    let revents = fds[0].revents;
    Ok(
        if revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
            Input::Gone
        } else if revents & libc::POLLIN != 0 {
            Input::Waiting
        } else {
            Input::None
        },
    )
}
