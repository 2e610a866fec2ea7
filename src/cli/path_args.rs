//! The path and socket options shared by `run-and-capture` and `compare`:
//! any of `--rate --delay --rtt --jitter --loss --queue --queue-bytes --mtu
//! --capture-at` puts the run on tcplab's emulated link; `--cc --rcvbuf
//! --slow-reader --nodelay` tune the sockets wherever the run happens.

use super::lab::{parse_bytes, parse_bytes_as};
use crate::run_and_capture::Tuning;
use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use tcplab_analysis::record::link::{
    self as params, LinkParams, PathEnd, QueueLimit, DEFAULT_QUEUE,
};

/// `--capture-at`: the command line's spelling of `PathEnd`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CaptureAt {
    Sender,
    Receiver,
}

#[derive(Args, Debug, Clone, Default)]
pub struct PathArgs {
    /// Emulated link rate, e.g. 10mbit, 800kbit, 1gbit (default: unlimited)
    #[arg(long, help_heading = "Emulated path")]
    pub rate: Option<String>,
    /// One-way delay, e.g. 20ms (the round trip is twice this)
    #[arg(long, conflicts_with = "rtt", help_heading = "Emulated path")]
    pub delay: Option<String>,
    /// Round-trip delay, e.g. 40ms (sets --delay to half of it)
    #[arg(long, help_heading = "Emulated path")]
    pub rtt: Option<String>,
    /// Each packet's delay varies uniformly within ± this, e.g. 2ms (no reordering)
    #[arg(long, help_heading = "Emulated path")]
    pub jitter: Option<String>,
    /// Random loss of the packets from the sender to the receiver (the data), e.g. 1%
    #[arg(long, help_heading = "Emulated path")]
    pub loss: Option<String>,
    /// Random loss of the packets coming back (the ACKs), e.g. 1%; not reproducible run to run
    #[arg(long, help_heading = "Emulated path")]
    pub ack_loss: Option<String>,
    /// Drop-tail queue before the link, in packets [default: 64]
    #[arg(
        long,
        conflicts_with = "queue_bytes",
        value_name = "PACKETS",
        help_heading = "Emulated path"
    )]
    pub queue: Option<u32>,
    /// Drop-tail queue before the link, in bytes
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes, help_heading = "Emulated path")]
    pub queue_bytes: Option<u64>,
    /// MTU of the emulated link [default: 1500]
    #[arg(long, help_heading = "Emulated path")]
    pub mtu: Option<u32>,
    /// Seed of the link's random choices: same seed and options, same losses [default: 1]
    #[arg(long, help_heading = "Emulated path")]
    pub seed: Option<u64>,
    /// Capture at the sender (sees its retransmissions) or at the receiver (sees the gaps) [default: sender]
    #[arg(long, value_enum, help_heading = "Emulated path")]
    pub capture_at: Option<CaptureAt>,
    /// Congestion control of the sender (TCP_CONGESTION)
    #[arg(long, help = cc_help(), help_heading = "Sockets")]
    pub cc: Option<String>,
    /// Receive buffer of the receiver (SO_RCVBUF) in bytes, e.g. 4096
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes_as::<u32>, help_heading = "Sockets")]
    pub rcvbuf: Option<u32>,
    /// The receiver reads at most this many bytes per second (flow control shows)
    #[arg(long, value_name = "BYTES_PER_S", value_parser = parse_bytes, help_heading = "Sockets")]
    pub slow_reader: Option<u64>,
    /// Turn Nagle's algorithm off on the sender (TCP_NODELAY)
    #[arg(long, help_heading = "Sockets")]
    pub nodelay: bool,
}

/// `--cc`'s help, with what this kernel offers.
fn cc_help() -> String {
    let offered = tcplab_net::tcpinfo::available_congestion();
    if offered.is_empty() {
        "Congestion control of the sender (TCP_CONGESTION), e.g. reno, cubic, bbr".into()
    } else {
        format!(
            "Congestion control of the sender (TCP_CONGESTION); this kernel offers: {}",
            offered.join(", ")
        )
    }
}

impl PathArgs {
    /// True when an option asks for the emulated link.
    pub fn wants_link(&self) -> bool {
        self.rate.is_some()
            || self.delay.is_some()
            || self.rtt.is_some()
            || self.jitter.is_some()
            || self.loss.is_some()
            || self.ack_loss.is_some()
            || self.queue.is_some()
            || self.queue_bytes.is_some()
            || self.mtu.is_some()
            || self.capture_at.is_some()
    }

    /// The link's parameters, or `None` for a loopback run.
    pub fn link(&self) -> Result<Option<LinkParams>> {
        if !self.wants_link() {
            if self.seed.is_some() {
                bail!("--seed only matters on the emulated path: add --loss, --jitter, --rate or --delay");
            }
            return Ok(None);
        }
        let mut p = LinkParams::default();
        if let Some(r) = &self.rate {
            p.rate_bps = Some(params::parse_rate(r)?);
        }
        if let Some(d) = &self.delay {
            p.delay = params::parse_duration("delay", d)?;
        }
        if let Some(r) = &self.rtt {
            p.delay = params::parse_duration("rtt", r)? / 2;
        }
        if let Some(j) = &self.jitter {
            p.jitter = params::parse_duration("jitter", j)?;
        }
        if let Some(l) = &self.loss {
            p.loss = params::parse_loss("loss", l)?;
        }
        if let Some(l) = &self.ack_loss {
            p.ack_loss = params::parse_loss("ack-loss", l)?;
        }
        p.queue = match (self.queue, self.queue_bytes) {
            (Some(n), _) => QueueLimit::Packets(n),
            (None, Some(b)) => QueueLimit::Bytes(b),
            (None, None) => QueueLimit::Packets(DEFAULT_QUEUE),
        };
        if let Some(m) = self.mtu {
            p.mtu = m;
        }
        if let Some(s) = self.seed {
            p.seed = s;
        }
        p.check()?;
        Ok(Some(p))
    }

    pub fn capture_at(&self) -> PathEnd {
        match self.capture_at {
            Some(CaptureAt::Receiver) => PathEnd::Receiver,
            Some(CaptureAt::Sender) | None => PathEnd::Sender,
        }
    }

    pub fn tuning(&self) -> Result<Tuning> {
        if let Some(cc) = &self.cc {
            check_cc_name(cc)?;
        }
        if self.rcvbuf == Some(0) {
            bail!("--rcvbuf 0: give the receive buffer in bytes, e.g. 4096");
        }
        if self.slow_reader == Some(0) {
            bail!("--slow-reader 0: give a rate in bytes per second, e.g. 20000");
        }
        Ok(Tuning {
            cc: self.cc.clone(),
            rcvbuf: self.rcvbuf,
            slow_reader: self.slow_reader,
            nodelay: self.nodelay,
        })
    }
}

/// A name the kernel could know as a congestion control algorithm: up to
/// 15 letters, digits or `_` (TCP_CA_NAME_MAX is 16 with the NUL).
pub fn check_cc_name(cc: &str) -> Result<()> {
    if cc.is_empty() || cc.len() > 15 || !cc.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        bail!("--cc {cc:?}: not a congestion control name (e.g. reno, cubic, bbr)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn loopback_unless_a_link_option_is_given() {
        let a = PathArgs::default();
        assert_eq!(a.link().unwrap(), None);
        let a = PathArgs {
            cc: Some("reno".into()),
            nodelay: true,
            ..PathArgs::default()
        };
        assert_eq!(a.link().unwrap(), None);
        let a = PathArgs {
            seed: Some(3),
            ..PathArgs::default()
        };
        assert!(a.link().is_err());
    }

    #[test]
    fn rtt_halves_into_delay() {
        let a = PathArgs {
            rtt: Some("40ms".into()),
            rate: Some("10mbit".into()),
            ..PathArgs::default()
        };
        let p = a.link().unwrap().unwrap();
        assert_eq!(p.delay, Duration::from_millis(20));
        assert_eq!(p.rate_bps, Some(10_000_000));
        assert_eq!(p.queue, QueueLimit::Packets(DEFAULT_QUEUE));
    }

    #[test]
    fn bad_values_say_which_option() {
        let a = PathArgs {
            loss: Some("lots".into()),
            ..PathArgs::default()
        };
        assert!(a.link().unwrap_err().to_string().contains("--loss"));
        let a = PathArgs {
            cc: Some("../etc".into()),
            ..PathArgs::default()
        };
        assert!(a.tuning().unwrap_err().to_string().contains("--cc"));
    }
}
