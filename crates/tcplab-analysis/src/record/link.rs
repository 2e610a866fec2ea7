//! The emulated path of a run as its record keeps it: the link's settings
//! (rate, delay, jitter, loss and queue, parsed from the command line's
//! spellings `10mbit`, `20ms`, `1%` and checked), which end the capture
//! looked from, and what crossed the link each way. The emulator
//! (`tcplab_net::emu`) runs on these types; the run metadata stores them.

use std::fmt;
use std::time::Duration;
use tcplab_wire::duration::{self, Bare};
use thiserror::Error;

/// Drop-tail limit of the link's queue (the packets waiting to be sent;
/// the one on the wire does not count).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueLimit {
    Packets(u32),
    Bytes(u64),
}

/// One direction of the emulated link; both directions use the same values
/// and their own random streams.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct LinkParams {
    /// Bits per second of IP packets; `None`: as fast as the machine.
    pub rate_bps: Option<u64>,
    /// One-way propagation delay.
    #[serde(with = "secs")]
    pub delay: Duration,
    /// Each packet's delay varies uniformly within ± this (never below zero,
    /// never reordered).
    #[serde(with = "secs")]
    pub jitter: Duration,
    /// Probability in [0, 1] that a packet from the sender to the receiver
    /// (the data) is lost.
    pub loss: f64,
    /// The same for packets from the receiver back to the sender (the ACKs).
    /// Kept apart because ACK timing varies from run to run, so losses there
    /// cannot be made reproducible the way data losses are.
    pub ack_loss: f64,
    pub queue: QueueLimit,
    /// MTU of the link's interfaces.
    pub mtu: u32,
    /// Same seed, same options: the same packets are lost.
    pub seed: u64,
}

/// Durations as seconds (`0.02`), as the metadata has always written them.
mod secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Duration::try_from_secs_f64(secs).map_err(serde::de::Error::custom)
    }
}

impl Default for LinkParams {
    fn default() -> Self {
        LinkParams {
            rate_bps: None,
            delay: Duration::ZERO,
            jitter: Duration::ZERO,
            loss: 0.0,
            ack_loss: 0.0,
            queue: QueueLimit::Packets(DEFAULT_QUEUE),
            mtu: 1500,
            seed: 1,
        }
    }
}

/// Which end of the emulated path a capture or a sample looks from: the
/// sender's namespace or the receiver's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PathEnd {
    #[default]
    Sender,
    Receiver,
}

/// What crossed the link, each way.
#[derive(Clone, Copy, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct EmuStats {
    /// Sender's namespace to receiver's.
    pub forward: LinkStats,
    pub backward: LinkStats,
    /// Packets the far device refused (counted, not retried; not counted
    /// as delivered).
    pub write_errors: u64,
    /// Packets still on their way when the emulator stopped (not counted
    /// as delivered).
    pub in_flight_at_stop: u64,
    /// Largest delivery lateness seen, in microseconds (timer resolution).
    pub max_late_us: u64,
}

/// Counters of one direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct LinkStats {
    pub packets_in: u64,
    pub bytes_in: u64,
    pub lost: u64,
    pub queue_drops: u64,
    pub delivered: u64,
    pub bytes_delivered: u64,
    /// Most packets ever waiting in the queue.
    pub max_queue_packets: u32,
    /// Longest wait in the queue, in microseconds.
    pub max_queue_wait_us: u64,
}

/// Packets the queue holds unless told otherwise (like a small router's).
pub const DEFAULT_QUEUE: u32 = 64;

#[derive(Debug, Error, PartialEq)]
pub enum ParamError {
    #[error("--{option} {value:?}: {why}")]
    Invalid {
        option: &'static str,
        value: String,
        why: String,
    },
}

fn invalid(option: &'static str, value: &str, why: impl Into<String>) -> ParamError {
    ParamError::Invalid {
        option,
        value: value.to_string(),
        why: why.into(),
    }
}

/// Splits `12.5ms` into `(12.5, "ms")`.
fn number_and_unit<'a>(option: &'static str, s: &'a str) -> Result<(f64, &'a str), ParamError> {
    let s = s.trim();
    let at = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(at);
    let value: f64 = num
        .parse()
        .map_err(|_| invalid(option, s, "expected a number followed by a unit"))?;
    if !value.is_finite() {
        return Err(invalid(option, s, "not a finite number"));
    }
    Ok((value, unit.trim()))
}

/// `10mbit`, `1.5Mbit`, `800kbit`, `1gbit`, `64000bit` (bits per second, as tc writes them).
pub fn parse_rate(s: &str) -> Result<u64, ParamError> {
    let (value, unit) = number_and_unit("rate", s)?;
    let factor = match unit.to_ascii_lowercase().as_str() {
        "bit" | "bit/s" => 1.0,
        "kbit" | "kbit/s" => 1e3,
        "mbit" | "mbit/s" => 1e6,
        "gbit" | "gbit/s" => 1e9,
        "bps" | "kbps" | "mbps" | "gbps" => {
            return Err(invalid(
                "rate",
                s,
                "ambiguous unit (tc reads it as bytes per second); write kbit, mbit or gbit",
            ))
        }
        "" => return Err(invalid("rate", s, "give a unit: bit, kbit, mbit or gbit")),
        _ => {
            return Err(invalid(
                "rate",
                s,
                "unknown unit; use bit, kbit, mbit or gbit",
            ))
        }
    };
    let bps = value * factor;
    if !(1000.0..=100e9).contains(&bps) {
        return Err(invalid("rate", s, "must be between 1kbit and 100gbit"));
    }
    Ok(bps.round() as u64)
}

/// `20ms`, `1.5ms`, `500us`, `0.2s`, `0`, at most 10 s, for `--<option>`:
/// the spelling of [`tcplab_wire::duration`], with a unit (as in `tc`,
/// which would read a bare `20` as microseconds) unless it is zero.
pub fn parse_duration(option: &'static str, s: &str) -> Result<Duration, ParamError> {
    let secs =
        duration::parse_secs(s, Bare::NeedsUnit).map_err(|e| invalid(option, s, e.to_string()))?;
    if secs > 10.0 {
        return Err(invalid(option, s, "at most 10 s"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// `1%`, `0.5%`, or a bare percentage `1`, for `--<option>`.
pub fn parse_loss(option: &'static str, s: &str) -> Result<f64, ParamError> {
    let t = s.trim();
    let num = t.strip_suffix('%').unwrap_or(t).trim();
    let pct: f64 = num
        .parse()
        .map_err(|_| invalid(option, s, "expected a percentage such as 1%"))?;
    if !(0.0..=100.0).contains(&pct) {
        return Err(invalid(option, s, "must be between 0% and 100%"));
    }
    Ok(pct / 100.0)
}

impl LinkParams {
    /// Checks the combination (each value was checked when parsed).
    pub fn check(&self) -> Result<(), ParamError> {
        if !(576..=9000).contains(&self.mtu) {
            return Err(invalid(
                "mtu",
                &self.mtu.to_string(),
                "must be between 576 and 9000",
            ));
        }
        match self.queue {
            QueueLimit::Packets(0) => {
                return Err(invalid(
                    "queue",
                    "0",
                    "the queue must hold at least 1 packet",
                ))
            }
            QueueLimit::Bytes(b) if b < u64::from(self.mtu) => {
                return Err(invalid(
                    "queue-bytes",
                    &b.to_string(),
                    format!(
                        "must hold at least one packet of the MTU ({} bytes)",
                        self.mtu
                    ),
                ))
            }
            _ => {}
        }
        if self.jitter > self.delay {
            return Err(invalid(
                "jitter",
                &duration::format(self.jitter),
                "must not exceed --delay (the delay never goes below zero)",
            ));
        }
        Ok(())
    }

    /// Time to put `bytes` on the wire at the link's rate.
    pub fn serialization(&self, bytes: usize) -> Duration {
        match self.rate_bps {
            Some(bps) => Duration::from_nanos((bytes as u64 * 8 * 1_000_000_000) / bps),
            None => Duration::ZERO,
        }
    }

    /// The product of rate and round-trip delay, in bytes, when both are set.
    pub fn bdp_bytes(&self) -> Option<u64> {
        let bps = self.rate_bps?;
        Some((bps as f64 * 2.0 * self.delay.as_secs_f64() / 8.0) as u64)
    }
}

impl fmt::Display for LinkParams {
    /// `rate 10 Mbit/s, delay 20 ms ± 2 ms, loss 1 %, queue 64 packets, MTU 1500, seed 1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.rate_bps {
            Some(bps) => write!(f, "rate {} Mbit/s", bps as f64 / 1e6)?,
            None => write!(f, "rate unlimited")?,
        }
        write!(f, ", delay {} ms", self.delay.as_secs_f64() * 1e3)?;
        if !self.jitter.is_zero() {
            write!(f, " ± {} ms", self.jitter.as_secs_f64() * 1e3)?;
        }
        write!(f, " each way, loss {} %", self.loss * 100.0)?;
        if self.ack_loss > 0.0 {
            write!(f, " (ACK loss {} %)", self.ack_loss * 100.0)?;
        }
        match self.queue {
            QueueLimit::Packets(n) => write!(f, ", queue {n} packets")?,
            QueueLimit::Bytes(n) => write!(f, ", queue {n} bytes")?,
        }
        write!(f, ", MTU {}, seed {}", self.mtu, self.seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        assert_eq!(parse_rate("10mbit"), Ok(10_000_000));
        assert_eq!(parse_rate("1.5Mbit"), Ok(1_500_000));
        assert_eq!(parse_rate("800kbit"), Ok(800_000));
        assert_eq!(parse_rate("1gbit"), Ok(1_000_000_000));
        assert!(parse_rate("10mbps").is_err());
        assert!(parse_rate("10").is_err());
        assert!(parse_rate("fast").is_err());
        assert!(parse_rate("10bit").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(
            parse_duration("delay", "20ms"),
            Ok(Duration::from_millis(20))
        );
        assert_eq!(
            parse_duration("delay", "500us"),
            Ok(Duration::from_micros(500))
        );
        assert_eq!(parse_duration("delay", "0"), Ok(Duration::ZERO));
        assert_eq!(
            parse_duration("delay", "0.25s"),
            Ok(Duration::from_millis(250))
        );
        assert!(parse_duration("delay", "20").is_err());
        assert!(parse_duration("delay", "20 parsecs").is_err());
        assert!(parse_duration("delay", "11s").is_err());
        assert_eq!(
            parse_duration("delay", "1.5e3us"),
            Ok(Duration::from_micros(1500))
        );
        assert_eq!(
            parse_duration("rtt", "20").unwrap_err().to_string(),
            "--rtt \"20\": give a unit: ns, us, ms, s, m or h"
        );
        assert_eq!(
            parse_duration("jitter", "11s").unwrap_err().to_string(),
            "--jitter \"11s\": at most 10 s"
        );
    }

    #[test]
    fn losses() {
        assert_eq!(parse_loss("loss", "1%"), Ok(0.01));
        assert_eq!(parse_loss("loss", "5"), Ok(0.05));
        assert!(parse_loss("loss", "101%").is_err());
        assert!(parse_loss("loss", "-1%").is_err());
        assert!(parse_loss("loss", "lots").is_err());
    }

    #[test]
    fn errors_name_the_option() {
        let e = parse_rate("10mbps").unwrap_err().to_string();
        assert!(e.starts_with("--rate \"10mbps\": ambiguous unit"), "{e}");
    }

    #[test]
    fn combination_checks() {
        let mut p = LinkParams {
            delay: Duration::from_millis(1),
            jitter: Duration::from_millis(2),
            ..LinkParams::default()
        };
        assert_eq!(
            p.check().unwrap_err().to_string(),
            "--jitter \"2ms\": must not exceed --delay (the delay never goes below zero)"
        );
        p.jitter = Duration::ZERO;
        assert!(p.check().is_ok());
        p.queue = QueueLimit::Bytes(100);
        assert!(p.check().is_err());
        p.queue = QueueLimit::Packets(0);
        assert!(p.check().is_err());
    }

    #[test]
    fn serialization_time() {
        let p = LinkParams {
            rate_bps: Some(10_000_000),
            ..LinkParams::default()
        };
        assert_eq!(p.serialization(1500), Duration::from_micros(1200));
        assert_eq!(LinkParams::default().serialization(1500), Duration::ZERO);
    }
}
