//! A run watched as it happens (`run-and-capture --live`, `compare
//! --live`): what the run hands the live view while it goes on. The
//! capture thread's own analyzer (the one that tells when the
//! connections have ended) gives its segment reports to the model, the
//! `TCP_INFO` sampler its rows as it keeps them, and the emulated link its
//! counters (atomics the view reads each frame). The view asks the run to
//! stop with [`LiveFeed::quit`], which the run takes exactly as Ctrl-C.
//! Not done here: drawing (`tcplab_live`) and the terminal (`cli`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tcplab_analysis::record::tcp_info::TcpInfo;
use tcplab_analysis::SegmentReport;
use tcplab_live::model::LiveModel;
use tcplab_net::emu::LinkGauges;

#[derive(Debug)]
pub struct LiveFeed {
    model: Mutex<LiveModel>,
    /// What the status line calls the run now (`compare` names each).
    label: Mutex<String>,
    began: Mutex<Instant>,
    gauges: Mutex<Option<Arc<LinkGauges>>>,
    transfer_over: AtomicBool,
    /// Set by the view's q: the next (or current) transfer stops as on Ctrl-C.
    quit: tokio::sync::Notify,
    quit_asked: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl LiveFeed {
    pub fn new(label: String) -> Arc<LiveFeed> {
        Arc::new(LiveFeed {
            model: Mutex::new(LiveModel::new()),
            label: Mutex::new(label),
            began: Mutex::new(Instant::now()),
            gauges: Mutex::new(None),
            transfer_over: AtomicBool::new(false),
            quit: tokio::sync::Notify::new(),
            quit_asked: AtomicBool::new(false),
        })
    }

    /// The model the view draws.
    pub fn model(&self) -> &Mutex<LiveModel> {
        &self.model
    }

    pub fn label(&self) -> String {
        lock(&self.label).clone()
    }

    pub fn set_label(&self, label: String) {
        *lock(&self.label) = label;
    }

    /// Seconds since this run began.
    pub fn seconds(&self) -> f64 {
        lock(&self.began).elapsed().as_secs_f64()
    }

    /// A new run: an empty model, its transfer under way.
    pub(crate) fn begin(&self) {
        *lock(&self.model) = LiveModel::new();
        *lock(&self.began) = Instant::now();
        *lock(&self.gauges) = None;
        self.transfer_over.store(false, Ordering::Relaxed);
    }

    pub(crate) fn set_gauges(&self, gauges: Option<Arc<LinkGauges>>) {
        *lock(&self.gauges) = gauges;
    }

    pub(crate) fn push_segment(&self, report: &SegmentReport) {
        lock(&self.model).push(report);
    }

    pub(crate) fn push_tcp_info(&self, row: &TcpInfo) {
        lock(&self.model).push_tcp_info(row);
    }

    /// The capture and the transfer are over (the analysis may go on).
    /// The link's last counters go to the model first: they are final
    /// now that the emulator has stopped.
    pub(crate) fn end_transfer(&self) {
        self.refresh_link(&mut lock(&self.model));
        self.transfer_over.store(true, Ordering::Relaxed);
    }

    pub fn transfer_is_over(&self) -> bool {
        self.transfer_over.load(Ordering::Relaxed)
    }

    /// Copies the link's counters into `model` (the view calls this each frame).
    pub fn refresh_link(&self, model: &mut LiveModel) {
        if self.transfer_is_over() {
            return;
        }
        let Some(g) = lock(&self.gauges).clone() else {
            return;
        };
        let (f, b) = (g.forward.load(), g.backward.load());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        model.update_link(now, f.stats, b.stats, [f.queue_packets, b.queue_packets]);
    }

    /// Stops the run as Ctrl-C would (also one about to start).
    pub fn quit(&self) {
        self.quit_asked.store(true, Ordering::Relaxed);
        self.quit.notify_one();
    }

    pub fn quit_asked(&self) -> bool {
        self.quit_asked.load(Ordering::Relaxed)
    }

    /// Resolves once the view asked to quit.
    pub(crate) async fn quitted(&self) {
        self.quit.notified().await;
    }
}

/// Samples the sender's `TCP_INFO`; with a live view, every row the
/// series keeps goes to it as it is kept.
pub(crate) fn sampler(
    fd: std::os::fd::OwnedFd,
    feed: Option<&Arc<LiveFeed>>,
) -> tcplab_net::tcpinfo::Sampler {
    use tcplab_net::tcpinfo::Sampler;
    match feed {
        Some(feed) => {
            let feed = Arc::clone(feed);
            Sampler::start_with(fd, move |row| feed.push_tcp_info(row))
        }
        None => Sampler::start(fd),
    }
}
