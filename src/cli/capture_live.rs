//! `tcplab capture --live`: the capture runs on its own thread and feeds
//! every packet to the analyzer, whose reports build the live model; this
//! thread owns the terminal and draws the model ten times a second. When
//! the capture ends (count, duration, a signal) the last state stays on
//! screen until q. Leaving restores the terminal, also after an error.
//! `TCPLAB_LIVE_STATS=FILE` measures the drawing (`live_stats`).

use super::live_stats::DrawStats;
use crate::capture::{Capture, CaptureOutcome};
use anyhow::Result;
use ratatui::crossterm::event::{self, Event};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tcplab_analysis::Analyzer;
use tcplab_live::app::{Action, UiState};
use tcplab_live::model::LiveModel;
use tcplab_live::view::{self, Status};

const FRAME: Duration = Duration::from_millis(100);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn run(started: Capture, cancel: &Arc<AtomicBool>, what: &str) -> Result<CaptureOutcome> {
    let model = Arc::new(Mutex::new(LiveModel::new()));
    let counters = Arc::new(Mutex::new((0u64, 0u32)));
    let work = {
        let (cancel, model, counters) = (
            Arc::clone(cancel),
            Arc::clone(&model),
            Arc::clone(&counters),
        );
        std::thread::spawn(move || {
            let mut analyzer = Analyzer::new();
            started.run(
                &cancel,
                |p| *lock(&counters) = (p.packets, p.kernel.dropped),
                |record| {
                    if let Some(report) = analyzer.push_record(record) {
                        lock(&model).push(&report);
                    }
                },
            )
        })
    };
    let mut terminal = ratatui::try_init()?;
    let mut stats = DrawStats::from_env();
    let shown = show(
        &mut terminal,
        &work,
        cancel,
        &model,
        &counters,
        what,
        &mut stats,
    );
    ratatui::restore();
    if let Some(Err(e)) = stats.as_ref().map(DrawStats::write) {
        eprintln!("tcplab: warning: {e:#}");
    }
    cancel.store(true, Ordering::Relaxed);
    let outcome = work
        .join()
        .map_err(|_| anyhow::anyhow!("the capture thread panicked"))??;
    shown?;
    Ok(outcome)
}

/// Draws until q (or a signal); a paused view draws the model as it was.
fn show(
    terminal: &mut ratatui::DefaultTerminal,
    work: &std::thread::JoinHandle<Result<CaptureOutcome, crate::capture::CaptureError>>,
    cancel: &AtomicBool,
    model: &Mutex<LiveModel>,
    counters: &Mutex<(u64, u32)>,
    what: &str,
    stats: &mut Option<DrawStats>,
) -> Result<()> {
    let began = Instant::now();
    let mut ui = UiState::default();
    let mut frozen: Option<LiveModel> = None;
    let mut ended_at: Option<f64> = None;
    let mut next_frame = Instant::now();
    loop {
        let ended = work.is_finished();
        if ended && ended_at.is_none() {
            ended_at = Some(began.elapsed().as_secs_f64());
        }
        if cancel.load(Ordering::Relaxed) && !ended {
            // A signal: stop as Ctrl-C outside the view would.
            return Ok(());
        }
        let (packets, kernel_dropped) = *lock(counters);
        let status = Status {
            what: what.to_string(),
            packets: packets.max(lock(model).segments),
            kernel_dropped,
            seconds: ended_at.unwrap_or_else(|| began.elapsed().as_secs_f64()),
            ended,
        };
        let frame_start = Instant::now();
        match (&frozen, ui.paused) {
            (Some(snapshot), true) => {
                terminal.draw(|f| view::draw(f, snapshot, &ui, &status))?;
            }
            _ => {
                let live = lock(model);
                terminal.draw(|f| view::draw(f, &live, &ui, &status))?;
            }
        }
        if let Some(stats) = stats {
            stats.frame(frame_start);
        }
        // Frames on a fixed schedule, not a fixed pause after each one
        // (drawing's own time would make it fewer than ten a second); a
        // key draws at once without moving the schedule.
        let now = Instant::now();
        if next_frame <= now {
            next_frame += FRAME;
            if next_frame <= now {
                next_frame = now + FRAME;
            }
        }
        if !event::poll(next_frame - now)? {
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
            Action::Quit => return Ok(()),
            Action::Redraw | Action::None => {}
        }
        if ui.paused && frozen.is_none() {
            frozen = Some(lock(model).clone());
        } else if !ui.paused {
            frozen = None;
        }
    }
}
