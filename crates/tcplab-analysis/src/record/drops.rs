//! The emulated link's drop log, written beside the capture as
//! `<base>-drops.csv`: one row per packet the link dropped, with the TCP
//! sequence number, so that each loss can be matched to its retransmission.
//! Columns: `time,direction,reason,seq,len,flags` (`direction` is `forward`
//! for sender → receiver; `seq` absolute; empty TCP fields for non-TCP).

use std::io::{self, Write};
use tcplab_wire::dissect::Flags;

/// Which way a packet crosses the emulated link (not to be confused with
/// a connection's `flow::Direction`, A→B or B→A, or with `PathEnd`, the end
/// a capture looks from).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkDirection {
    /// From the sender's namespace to the receiver's (the data).
    Forward,
    /// From the receiver's namespace back to the sender's (the ACKs).
    Backward,
}

/// One packet the link dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DroppedPacket {
    /// Epoch nanoseconds (the capture's clock).
    pub time_ns: i64,
    pub way: LinkDirection,
    pub reason: DropReason,
    /// Raw TCP sequence number, payload length and flags (`None`: not TCP).
    pub tcp: Option<(u32, u32, u8)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// `--loss`/`--ack-loss`.
    Lost,
    /// The drop-tail queue was full.
    QueueFull,
}

pub const HEADER: &str = "time,direction,reason,seq,len,flags";

pub fn write_csv<W: Write>(mut out: W, drops: &[DroppedPacket]) -> io::Result<()> {
    writeln!(out, "{HEADER}")?;
    for d in drops {
        let secs = d.time_ns.div_euclid(1_000_000_000);
        let nanos = d.time_ns.rem_euclid(1_000_000_000);
        let way = match d.way {
            LinkDirection::Forward => "forward",
            LinkDirection::Backward => "backward",
        };
        let reason = match d.reason {
            DropReason::Lost => "lost",
            DropReason::QueueFull => "queue_full",
        };
        match d.tcp {
            Some((seq, len, flags)) => writeln!(
                out,
                "{secs}.{nanos:09},{way},{reason},{seq},{len},{}",
                Flags(u16::from(flags))
            )?,
            None => writeln!(out, "{secs}.{nanos:09},{way},{reason},,,")?,
        }
    }
    out.flush()
}

/// Reads back what [`write_csv`] wrote.
pub fn read_csv(text: &str) -> Result<Vec<DroppedPacket>, String> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.trim() == HEADER => {}
        _ => return Err("line 1: not a tcplab drop log (unexpected header)".into()),
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        let bad = |what: &str| format!("line {}: bad {what}", i + 1);
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 6 {
            return Err(bad("number of fields"));
        }
        let (secs, frac) = f[0].split_once('.').ok_or_else(|| bad("time"))?;
        let secs: i64 = secs.parse().map_err(|_| bad("time"))?;
        if frac.is_empty() || frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("time"));
        }
        let nanos: i64 = format!("{frac:0<9}").parse().map_err(|_| bad("time"))?;
        let way = match f[1] {
            "forward" => LinkDirection::Forward,
            "backward" => LinkDirection::Backward,
            _ => return Err(bad("direction")),
        };
        let reason = match f[2] {
            "lost" => DropReason::Lost,
            "queue_full" => DropReason::QueueFull,
            _ => return Err(bad("reason")),
        };
        let tcp = if f[3].is_empty() {
            None
        } else {
            Some((
                f[3].parse().map_err(|_| bad("seq"))?,
                f[4].parse().map_err(|_| bad("len"))?,
                f[5].parse::<Flags>().map_err(|_| bad("flags"))?.classic(),
            ))
        };
        out.push(DroppedPacket {
            time_ns: tcplab_wire::capture::Timestamp::from_secs_nanos(secs, nanos).0,
            way,
            reason,
            tcp,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let drops = vec![
            DroppedPacket {
                time_ns: 1_795_625_731_920_600_123,
                way: LinkDirection::Forward,
                reason: DropReason::Lost,
                tcp: Some((
                    2_208_924_630,
                    1448,
                    Flags(Flags::ACK | Flags::PSH).classic(),
                )),
            },
            DroppedPacket {
                time_ns: 1_795_625_731_930_000_000,
                way: LinkDirection::Backward,
                reason: DropReason::QueueFull,
                tcp: None,
            },
        ];
        let mut out = Vec::new();
        write_csv(&mut out, &drops).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("1795625731.920600123,forward,lost,2208924630,1448,PA"));
        assert_eq!(read_csv(&text).unwrap(), drops);
        assert!(read_csv("x\n").is_err());
        let bad = format!("{HEADER}\n1.12345678é,forward,lost,1,1,A\n");
        assert!(
            read_csv(&bad).is_err(),
            "non-digit fraction: an error, not a panic"
        );
        let huge = format!("{HEADER}\n99999999999999999.5,forward,lost,1,1,A\n");
        assert!(read_csv(&huge).is_ok(), "saturates instead of overflowing");
        let flags = format!("{HEADER}\n1.5,forward,lost,1,1,SX\n");
        assert_eq!(read_csv(&flags).unwrap_err(), "line 2: bad flags");
    }
}
