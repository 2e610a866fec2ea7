//! Slow start as the capture shows it: the one rule that reads the data
//! sender's flight per round trip (the series the report's table prints),
//! and where the growth phase ends — by a loss, by the flight no longer
//! doubling, or not before the transfer ends. The answer to "is slow start
//! visible?", the round-trip table and the `TCP_INFO` row all come from
//! [`verdict`], so they cannot disagree.
//!
//! The rule: a *growth* is a round trip whose flight is at least
//! [`FAST`] times the previous one's (slow start doubles cwnd every round
//! trip; with delayed ACKs, one ACK every two segments, the flight grows
//! ×1.5). The growth phase is the first run of at least [`MIN_GROWTHS`]
//! growths in a row before the first loss; round trips before it (a first
//! window sent in two halves, a round held back by delayed ACKs or the
//! application) are skipped. It ends at the first loss, or at the first
//! round trip that does not grow ×1.5 — unless the kernel says the sender
//! was still in slow start then (`TCP_INFO` without ssthresh): then the
//! sender simply stopped filling its congestion window (Linux grows cwnd
//! only while the sender is limited by it), and slow start did not end.
//!
//! Not done here: the sentences (`answers`) and the kernel table (`kernel`).

use super::evidence::Round;

/// Growth from one round trip to the next that counts as slow start's.
pub const FAST: f64 = 1.5;
/// Growths in a row that make the doubling visible.
pub const MIN_GROWTHS: usize = 2;

/// What `TCP_INFO` says of the sender's slow start.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kernel {
    /// No samples of the data sender.
    Unknown,
    /// It left slow start at this time (s since the connection's start).
    Left(f64),
    /// Never left it: no ssthresh and no loss state in any sample.
    StillAtEnd,
}

/// The growth phase: `rounds[begin..=peak]`, each round trip at least
/// [`FAST`] times the one before.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Growth {
    pub begin: usize,
    pub peak: usize,
}

/// How the growth phase ended (indices into the round trips).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum End {
    /// The first loss, in this round trip, ended slow start.
    Loss(usize),
    /// From this round trip on, the flight stops doubling: slow start ended.
    Stops(usize),
    /// From this round trip on the flight stops doubling, but the kernel
    /// was still in slow start at the end: the sender stopped filling cwnd.
    Paused(usize),
    /// Still doubling when the transfer (or the table) ends.
    Running,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Verdict {
    Seen {
        growth: Growth,
        end: End,
    },
    /// No doubling in the capture, but the kernel was in slow start all
    /// the way: something other than cwnd set the pace.
    KernelOnly,
    NotSeen,
}

fn grows(a: &Round, b: &Round) -> bool {
    f64::from(b.max_in_flight) >= FAST * f64::from(a.max_in_flight.max(1))
}

/// The first run of [`MIN_GROWTHS`] or more growths in a row, in the round
/// trips up to and including the first one with a loss.
pub fn growth(rounds: &[Round]) -> Option<Growth> {
    let upto = rounds
        .iter()
        .position(|r| r.loss)
        .map_or(rounds.len(), |i| i + 1);
    let rounds = &rounds[..upto];
    let mut begin = 0;
    while begin + 1 < rounds.len() {
        let mut peak = begin;
        while peak + 1 < rounds.len() && grows(&rounds[peak], &rounds[peak + 1]) {
            peak += 1;
        }
        if peak - begin >= MIN_GROWTHS {
            return Some(Growth { begin, peak });
        }
        begin = peak.max(begin + 1);
    }
    None
}

/// The verdict on slow start from the flight series and the kernel.
pub fn verdict(rounds: &[Round], kernel: Kernel) -> Verdict {
    let Some(g) = growth(rounds) else {
        return if kernel == Kernel::StillAtEnd {
            Verdict::KernelOnly
        } else {
            Verdict::NotSeen
        };
    };
    let loss = rounds.iter().position(|r| r.loss);
    let end = match loss {
        Some(i) if i <= g.peak + 1 => End::Loss(i),
        _ if g.peak + 1 >= rounds.len() => End::Running,
        _ if kernel == Kernel::StillAtEnd => End::Paused(g.peak + 1),
        _ => End::Stops(g.peak + 1),
    };
    Verdict::Seen { growth: g, end }
}

/// Where the capture shows slow start ending.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SlowStartEnd {
    /// Index of the round trip (0-based).
    pub round: usize,
    pub frame: u64,
    /// Seconds since the connection's first packet.
    pub t: f64,
    /// The first loss ended it (otherwise the growth slowed).
    pub by_loss: bool,
    /// How long that round trip lasted (to the next one's start), when known.
    pub span: Option<f64>,
}

/// The round trip where slow start visibly ended, by [`verdict`]; `None`
/// when no doubling is seen, it never stopped, or the kernel says slow
/// start went on (the growth only paused).
pub fn slow_start_end(rounds: &[Round], kernel: Kernel) -> Option<SlowStartEnd> {
    let (round, by_loss) = match verdict(rounds, kernel) {
        Verdict::Seen {
            end: End::Loss(i), ..
        } => (i, true),
        Verdict::Seen {
            end: End::Stops(i), ..
        } => (i, false),
        _ => return None,
    };
    let r = rounds.get(round)?;
    Some(SlowStartEnd {
        round,
        frame: r.first_frame,
        t: r.t,
        by_loss,
        span: rounds.get(round + 1).map(|next| next.t - r.t),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(flights: &[u32], loss_at: Option<usize>) -> Vec<Round> {
        flights
            .iter()
            .enumerate()
            .map(|(i, f)| Round {
                first_frame: 4 + 10 * i as u64,
                t: i as f64 * 0.04,
                segments: 1,
                max_in_flight: *f,
                loss: loss_at == Some(i),
            })
            .collect()
    }

    #[test]
    fn the_issue_series_is_slow_start_still_running_when_the_kernel_says_so() {
        // 300 KB on loopback: a first run of one growth, then the doubling.
        let r = series(&[7240, 14480, 8688, 15928, 33304, 66608], None);
        let g = Growth { begin: 2, peak: 5 };
        let v = verdict(&r, Kernel::StillAtEnd);
        assert_eq!(
            v,
            Verdict::Seen {
                growth: g,
                end: End::Running
            }
        );
        assert_eq!(slow_start_end(&r, Kernel::StillAtEnd), None);
    }

    #[test]
    fn a_flat_start_is_skipped_and_the_end_is_where_doubling_stops() {
        let r = series(&[7240, 7240, 14480, 21720, 44888, 44888, 29816], None);
        let v = verdict(&r, Kernel::Unknown);
        let g = Growth { begin: 1, peak: 4 };
        assert_eq!(
            v,
            Verdict::Seen {
                growth: g,
                end: End::Stops(5)
            }
        );
        assert_eq!(slow_start_end(&r, Kernel::Left(0.2)).unwrap().round, 5);
        // The kernel still in slow start: the growth paused, slow start did not end.
        assert_eq!(
            verdict(&r, Kernel::StillAtEnd),
            Verdict::Seen {
                growth: g,
                end: End::Paused(5)
            }
        );
        assert_eq!(slow_start_end(&r, Kernel::StillAtEnd), None);
    }

    #[test]
    fn a_loss_ends_it_and_growth_after_a_loss_does_not_count() {
        let r = series(&[2896, 5792, 11584, 23168, 4344], Some(3));
        let v = verdict(&r, Kernel::Unknown);
        assert!(matches!(
            v,
            Verdict::Seen {
                end: End::Loss(3),
                ..
            }
        ));
        let r = series(&[2896, 1448, 1448, 5792, 4344, 8688, 17376], Some(3));
        assert_eq!(verdict(&r, Kernel::Unknown), Verdict::NotSeen);
    }

    #[test]
    fn no_doubling_is_not_seen_but_the_kernel_can_still_be_in_slow_start() {
        let r = series(&[76, 76, 80, 79, 73, 86], None);
        assert_eq!(verdict(&r, Kernel::Unknown), Verdict::NotSeen);
        assert_eq!(verdict(&r, Kernel::Left(0.1)), Verdict::NotSeen);
        assert_eq!(verdict(&r, Kernel::StillAtEnd), Verdict::KernelOnly);
        // One growth is not a run.
        let r = series(&[1448, 2896, 2896, 2896], None);
        assert_eq!(verdict(&r, Kernel::Unknown), Verdict::NotSeen);
    }
}
