//! What one figure shows of a connection: which direction's data, absolute
//! or relative sequence numbers, the throughput interval. Shared by every
//! graph so that they all read the series the same way.

use super::collect::{ConnectionSeries, SegPoint};
use super::frame::{Glyph, Key};
use super::kernel::KernelSeries;
use super::lang::{fill, Lang, Plural};
use super::strings::PlotStrings;
use super::time_map::TimeMap;
use super::units::{duration, tidy, Unit};
use tcplab_analysis::flow::Direction;
use tcplab_analysis::Mechanism;

/// Choices a user makes for a figure (all optional).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlotOptions {
    /// The data direction; the one carrying the most data when `None`.
    pub direction: Option<Direction>,
    /// Sequence numbers relative to the ISN (Wireshark's default view).
    pub relative: bool,
    /// Throughput interval in seconds; chosen from the duration when `None`.
    pub interval: Option<f64>,
    /// The language of the titles, axes, legends and captions.
    pub lang: Lang,
    /// Draw long idle gaps to scale instead of as a marked axis break
    /// (`--no-gap-break`; `time_map` has the rule).
    pub no_gap_break: bool,
}

/// A connection seen from its data sender.
#[derive(Clone, Copy, Debug)]
pub struct View<'a> {
    pub series: &'a ConnectionSeries,
    /// Direction of the data the graph is about.
    pub dir: Direction,
    pub relative: bool,
    pub interval: Option<f64>,
    pub lang: Lang,
    /// Long idle gaps break the time axis (`time_map`).
    pub gap_break: bool,
    /// The data sender's own view (TCP_INFO), drawn over the window and RTT
    /// graphs when it belongs to `dir`'s sender.
    pub kernel: Option<&'a KernelSeries>,
}

impl<'a> View<'a> {
    /// Adds the sender kernel's samples to the figure.
    pub fn with_kernel(mut self, kernel: Option<&'a KernelSeries>) -> View<'a> {
        self.kernel = kernel;
        self
    }

    /// The kernel samples of this view's data sender, if any.
    pub fn sender_kernel(&self) -> Option<&'a KernelSeries> {
        self.kernel.filter(|k| k.dir == self.dir)
    }

    pub fn new(series: &'a ConnectionSeries, options: &PlotOptions) -> View<'a> {
        View {
            series,
            dir: options
                .direction
                .unwrap_or_else(|| series.busiest_direction()),
            relative: options.relative,
            interval: options.interval,
            lang: options.lang,
            gap_break: !options.no_gap_break,
            kernel: None,
        }
    }

    /// The words of the figure, in its language.
    pub fn text(&self) -> &'static PlotStrings {
        PlotStrings::of(self.lang)
    }

    /// `n` with its noun, the number's thousands grouped: "1,448 ACKs".
    pub fn count(&self, forms: Plural, n: u64) -> String {
        forms.shown(n, &self.lang.thousands(n))
    }

    /// A count for a caption, its thousands grouped.
    pub fn thousands(&self, n: u64) -> String {
        self.lang.thousands(n)
    }

    /// A duration for a caption: "2.5 ms", "2,5 ms".
    pub fn duration(&self, secs: f64) -> String {
        duration(self.lang, secs)
    }

    /// Segments sent by the data sender.
    pub fn sent(&self) -> impl Iterator<Item = &'a SegPoint> + 'a {
        let dir = self.dir;
        self.series.segments.iter().filter(move |p| p.dir == dir)
    }

    /// Segments sent by the data receiver (its ACKs, windows, RTT samples).
    pub fn returned(&self) -> impl Iterator<Item = &'a SegPoint> + 'a {
        let dir = self.dir.reverse();
        self.series.segments.iter().filter(move |p| p.dir == dir)
    }

    /// A position in the data sender's sequence space, as the axis shows it.
    pub fn seq_y(&self, unwrapped: i64) -> f64 {
        let base = if self.relative {
            self.series.base[self.dir.index()].unwrap_or(0)
        } else {
            0
        };
        (unwrapped - base) as f64
    }

    /// "Sequence number (absolute)" or "(relative to the ISN)".
    pub fn seq_axis_label(&self) -> &'static str {
        if self.relative {
            self.text().seq_axis_relative
        } else {
            self.text().seq_axis_absolute
        }
    }

    /// Data sender → receiver, e.g. "10.77.0.1:40001 → 10.77.0.2:5001".
    pub fn direction_label(&self) -> String {
        let (src, dst) = self.series.endpoints(self.dir);
        format!("{src} → {dst}")
    }

    /// The subtitle naming the connection and the direction drawn.
    pub fn subtitle(&self) -> String {
        fill(
            self.text().subtitle,
            &[&self.series.stream, &self.direction_label()],
        )
    }

    /// The time axis: from the data sender's first to its last segment
    /// that takes sequence space (SYN, data, FIN), so that a long idle tail
    /// (a late retransmitted FIN of the other side, a TIME-WAIT ACK) does
    /// not squash the transfer into the left edge. `range_note` says so.
    pub fn time_range(&self) -> std::ops::Range<f64> {
        let (lo, hi) = self.active_span();
        padded_time(lo, hi)
    }

    /// The time axis over `time_range`, with its breaks.
    pub fn time_axis(&self) -> TimeMap {
        self.time_axis_over(self.time_range(), 0.0)
    }

    /// The time axis over `range`: broken in the idle gaps between packets
    /// of either direction longer than `TimeMap`'s rule and `min_gap`,
    /// unless the user asked otherwise.
    pub fn time_axis_over(&self, range: std::ops::Range<f64>, min_gap: f64) -> TimeMap {
        if self.gap_break {
            let times = self.series.segments.iter().map(|p| p.t);
            let waits: Vec<f64> = self
                .series
                .segments
                .iter()
                .filter(|p| p.sent_again == Some(Mechanism::Timeout))
                .map(|p| p.t)
                .collect();
            TimeMap::with_breaks(range, times, min_gap, &waits)
        } else {
            TimeMap::linear(range)
        }
    }

    /// The legend keys naming each break of `axis`: "// 3.41 ms without packets".
    pub fn break_keys(&self, axis: &TimeMap) -> Vec<Key> {
        axis.breaks()
            .iter()
            .map(|b| {
                Key::new(
                    Glyph::Break,
                    fill(self.text().break_key, &[&self.duration(b.idle_secs())]),
                )
            })
            .collect()
    }

    /// The caption line saying what the breaks of `axis` leave out: the
    /// gap and its ends when there is one, how many and how long in all
    /// otherwise (the legend names each).
    pub fn break_note(&self, axis: &TimeMap) -> Option<String> {
        let t = self.text();
        let what = match axis.breaks() {
            [] => return None,
            [b] => fill(
                t.break_gap,
                &[
                    &self.duration(b.idle_secs()),
                    &self.duration(b.idle.0),
                    &self.duration(b.idle.1),
                ],
            ),
            all => fill(
                t.break_gaps,
                &[
                    &all.len(),
                    &self.duration(all.iter().map(|b| b.idle_secs()).sum()),
                ],
            ),
        };
        Some(fill(t.break_note, &[&what]))
    }

    /// First and last time the data sender sent sequence space.
    pub fn active_span(&self) -> (f64, f64) {
        let occupying = self
            .sent()
            .filter(|p| p.len > 0 || p.flags.syn() || p.flags.fin());
        let (lo, hi) = occupying.fold((f64::MAX, f64::MIN), |(lo, hi), p| {
            (lo.min(p.t), hi.max(p.t))
        });
        if lo <= hi {
            (lo, hi)
        } else {
            (0.0, self.series.duration())
        }
    }

    /// A caption line when the time axis shows less than the connection.
    pub fn range_note(&self) -> Option<String> {
        let (lo, hi) = self.active_span();
        self.range_note_for(lo, hi, self.text().range_note_sending)
    }

    /// The same for an axis from `lo` to `hi`, with `template` (a
    /// `range_note_*` of `PlotStrings`) saying what the sender was doing.
    pub fn range_note_for(&self, lo: f64, hi: f64, template: &str) -> Option<String> {
        if let Some((from, to, total)) = self.series.zoom {
            return Some(fill(
                self.text().zoom_note,
                &[
                    &self.duration(total),
                    &self.duration(from),
                    &self.duration(to),
                ],
            ));
        }
        let total = self.series.duration();
        let unit = Unit::time(hi);
        let at = |t: f64| {
            self.lang
                .decimal(tidy(t / unit.factor, (hi - lo) / unit.factor / 10.0))
        };
        (total > 0.0 && (hi - lo) < 0.9 * total).then(|| {
            fill(
                template,
                &[
                    &self.duration(total),
                    &at(lo),
                    &at(hi),
                    &unit.name,
                    &self.series.endpoints(self.dir).0,
                ],
            )
        })
    }

    /// Set when the sender's numbers passed 2^32 (the absolute axis then
    /// goes on past 4294967295 instead of falling back to 0).
    pub fn wrapped(&self) -> bool {
        !self.relative && self.sent().any(|p| p.seq + i64::from(p.len) > 1 << 32)
    }
}

/// A time axis from `lo` to `hi` with 2 % room on each side.
pub fn padded_time(lo: f64, hi: f64) -> std::ops::Range<f64> {
    let span = if hi > lo { hi - lo } else { 1e-6 };
    lo - span * 0.02..lo + span * 1.02
}
