//! `run-and-capture --live` and `compare --live`: the run goes on in its
//! own thread and feeds a [`LiveFeed`]; on a terminal this thread draws
//! it (`live_screen`), without one it prints a progress line a second.
//! q quits as Ctrl-C does: the view asks the run to stop
//! ([`LiveFeed::quit`]), and the run removes its namespaces, processes and
//! files as it does on `SIGINT`. After the transfer the view says so and
//! stays until a key, while the analysis is written; then the caller
//! prints what a run without `--live` prints.

use super::live_screen::{self, Left, Tick};
use crate::run_and_capture::live::LiveFeed;
use crate::signals::{StopSignal, StopSignals};
use anyhow::Result;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use tcplab_live::app::{GraphKind, UiState};
use tcplab_live::model::LiveModel;
use tcplab_live::view::Status;

/// Both ends of the terminal: the view needs to draw and to read keys.
pub fn on_terminal() -> bool {
    std::io::stdout().is_terminal() && std::io::stdin().is_terminal()
}

/// Whether the view's end follows each transfer or only the whole work.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Runs {
    /// One run: the view says ENDED once its transfer is over.
    One,
    /// Several, one after another (`compare`): ENDED only after the last,
    /// once everything is written.
    Many,
}

/// Runs `work` on its own thread while the feed is shown (or progress is
/// printed), and returns what `work` returned, and the signal that came
/// once its transfer was over, if one did: the run no longer listens
/// then, and the view, waiting for a key, must not outlive a closed
/// terminal or a `kill` (the caller exits with 128 + the signal).
pub fn watch<T: Send + 'static>(
    feed: &Arc<LiveFeed>,
    graphs: &'static [GraphKind],
    runs: Runs,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<(T, Option<StopSignal>)> {
    let signalled = watch_signals()?;
    let terminal = on_terminal();
    if !terminal {
        eprintln!(
            "tcplab: note: --live needs a terminal; printing a progress line every second instead"
        );
    }
    let work = std::thread::spawn(work);
    let shown = if terminal {
        show(feed, graphs, runs, &work, &signalled)
    } else {
        print_progress(feed, &work);
        Ok(())
    };
    let result = work
        .join()
        .map_err(|_| anyhow::anyhow!("the run's thread panicked"))?;
    shown?;
    let late = *live_screen::lock(&signalled);
    Ok((result, late.filter(|_| feed.transfer_is_over())))
}

/// A thread that notes Ctrl-C, `kill` and a closed terminal (the run
/// catches them too, and stops while its transfer goes on).
fn watch_signals() -> Result<Arc<Mutex<Option<StopSignal>>>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut stop = {
        let _entered = runtime.enter();
        StopSignals::catch()?
    };
    let signalled = Arc::new(Mutex::new(None));
    let seen = Arc::clone(&signalled);
    std::thread::spawn(move || {
        let signal = runtime.block_on(stop.recv());
        *live_screen::lock(&seen) = Some(signal);
    });
    Ok(signalled)
}

fn show<T>(
    feed: &Arc<LiveFeed>,
    graphs: &'static [GraphKind],
    runs: Runs,
    work: &JoinHandle<T>,
    signalled: &Mutex<Option<StopSignal>>,
) -> Result<()> {
    let ui = UiState {
        graphs,
        ..UiState::default()
    };
    let mut ended_at: Option<f64> = None;
    let left = live_screen::on_terminal(|screen| {
        live_screen::show(screen, feed.model(), ui, |live| {
            let mut t = tick(feed, live, runs, work.is_finished(), &mut ended_at);
            t.leave |= live_screen::lock(signalled).is_some() && feed.transfer_is_over();
            t
        })
    });
    match left {
        // The run stops as on Ctrl-C (nothing happens once its transfer is over).
        Ok(Left::Quit) => feed.quit(),
        Ok(Left::Told) => {}
        Err(e) => {
            feed.quit();
            return Err(e);
        }
    }
    Ok(())
}

fn tick(
    feed: &LiveFeed,
    live: &mut LiveModel,
    runs: Runs,
    finished: bool,
    ended_at: &mut Option<f64>,
) -> Tick {
    feed.refresh_link(live);
    let over = feed.transfer_is_over();
    if !over {
        *ended_at = None;
    } else if ended_at.is_none() {
        *ended_at = Some(feed.seconds());
    }
    let label = feed.label();
    let what = match (over, finished) {
        (false, _) => label,
        (true, false) => format!("{label}: transfer over, analysing"),
        (true, true) => format!("{label}: done"),
    };
    Tick {
        status: Status {
            what,
            packets: live.segments,
            kernel_dropped: None,
            seconds: ended_at.unwrap_or_else(|| feed.seconds()),
            ended: over && (finished || runs == Runs::One),
        },
        // The run failed or was stopped by a signal: its error follows.
        leave: finished && !over,
    }
}

/// One line a second of each run until the work ends.
fn print_progress<T>(feed: &LiveFeed, work: &JoinHandle<T>) {
    let mut last: Option<(String, u64)> = None;
    while !work.is_finished() {
        std::thread::sleep(Duration::from_millis(50));
        let (label, seconds) = (feed.label(), feed.seconds());
        let whole = seconds as u64;
        let this = Some((label, whole));
        if whole == 0 || this == last || feed.transfer_is_over() {
            continue;
        }
        let line = {
            let mut live = live_screen::lock(feed.model());
            feed.refresh_link(&mut live);
            progress_line(this.as_ref().map_or("", |t| t.0.as_str()), seconds, &live)
        };
        last = this;
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{line}");
        let _ = err.flush();
    }
}

/// `compare, run 1/2: reno     3 s  1412 packets  sent again 4  cwnd 42  ssthresh 30  srtt 41.2 ms  link queue 12, drops 3`.
pub fn progress_line(label: &str, seconds: f64, live: &LiveModel) -> String {
    let sent_again: u64 = live
        .connections()
        .iter()
        .flat_map(|c| &c.dirs)
        .map(|d| d.sent_again())
        .sum();
    let mut line = format!(
        "{label}  {seconds:>4.0} s  {} packets  sent again {sent_again}",
        live.segments
    );
    if let Some(k) = live.kernel.as_ref().and_then(|k| k.last) {
        line.push_str(&format!(
            "  cwnd {}  ssthresh {}  srtt {:.1} ms",
            k.cwnd,
            k.ssthresh
                .map_or_else(|| "-".to_string(), |s| s.to_string()),
            f64::from(k.srtt_us) / 1e3
        ));
    }
    if let Some(l) = &live.link {
        line.push_str(&format!(
            "  link queue {}, drops {}",
            l.queue[0],
            l.forward.lost + l.forward.queue_drops + l.backward.lost + l.backward.queue_drops
        ));
    }
    line
}
