//! `tcplab capture --live`: the capture runs on its own thread and feeds
//! every packet to the analyzer, whose reports build the live model; this
//! thread draws it (`live_screen`). When the capture ends (count,
//! duration, a signal) the last state stays on screen until q. Leaving
//! restores the terminal, also after an error.

use super::live_screen::{self, lock, Tick};
use crate::capture::{Capture, CaptureOutcome};
use anyhow::Result;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tcplab_analysis::Analyzer;
use tcplab_live::app::UiState;
use tcplab_live::model::LiveModel;
use tcplab_live::view::Status;

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
    let began = Instant::now();
    let mut ended_at: Option<f64> = None;
    let shown = live_screen::on_terminal(|screen| {
        live_screen::show(screen, &model, UiState::default(), |live| {
            let ended = work.is_finished();
            if ended && ended_at.is_none() {
                ended_at = Some(began.elapsed().as_secs_f64());
            }
            let (packets, kernel_dropped) = *lock(&counters);
            Tick {
                status: Status {
                    what: what.to_string(),
                    packets: packets.max(live.segments),
                    kernel_dropped: Some(kernel_dropped),
                    seconds: ended_at.unwrap_or_else(|| began.elapsed().as_secs_f64()),
                    ended,
                },
                // A signal: stop as Ctrl-C outside the view would; after
                // the end too (a closed terminal must not leave the view
                // waiting for a key it cannot get).
                leave: cancel.load(Ordering::Relaxed),
            }
        })
    });
    cancel.store(true, Ordering::Relaxed);
    let outcome = work
        .join()
        .map_err(|_| anyhow::anyhow!("the capture thread panicked"))??;
    shown?;
    Ok(outcome)
}
