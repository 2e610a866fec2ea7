//! The sender's `TCP_INFO` series, as sampled by `tcplab_net::tcpinfo`
//! and kept as CSV beside the capture (`<base>-tcpinfo.csv`): written by a
//! run, read back by the report and the graphs of a finished run.

use std::io::{self, Write};

/// One reading of `TCP_INFO`, in the units the CSV uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct TcpInfo {
    /// Epoch seconds (the capture's clock).
    pub time: f64,
    pub state: u8,
    pub ca_state: u8,
    pub cwnd: u32,
    /// `None` while the sender is in its first slow start.
    pub ssthresh: Option<u32>,
    pub mss: u32,
    pub srtt_us: u32,
    pub rttvar_us: u32,
    pub min_rtt_us: u32,
    pub rto_us: u32,
    pub unacked: u32,
    pub sacked: u32,
    pub lost: u32,
    pub retrans: u32,
    pub total_retrans: u32,
    pub backoff: u8,
    pub delivery_rate_bps: u64,
    pub pacing_rate_bps: u64,
    pub bytes_sent: u64,
    pub bytes_acked: u64,
    pub bytes_retrans: u64,
    pub notsent_bytes: u32,
    pub snd_wnd: u32,
    pub rwnd_limited_us: u64,
    pub sndbuf_limited_us: u64,
}

impl TcpInfo {
    pub fn cwnd_bytes(&self) -> u64 {
        u64::from(self.cwnd) * u64::from(self.mss)
    }

    pub fn ssthresh_bytes(&self) -> Option<u64> {
        self.ssthresh.map(|s| u64::from(s) * u64::from(self.mss))
    }

    /// Whether the sender had left its first slow start by this sample:
    /// its ssthresh is set, or it is in CWR, Recovery or Loss. The first
    /// such sample of a series is where slow start ended, for the report
    /// (`report::kernel`) and the comparison (`compare::measure`) alike.
    ///
    /// Linux is in slow start while cwnd < ssthresh (`tcp_in_slow_start`),
    /// and ssthresh starts infinite (`TCP_INFINITE_SSTHRESH`, which the
    /// sampler records as `None`). It becomes finite when the sender
    /// enters CWR (ECN or a local congestion signal), Recovery (fast
    /// retransmit) or Loss (RTO): each lowers ssthresh on the way in
    /// (`tcp_init_cwnd_reduction`, `tcp_enter_loss`), so the states are
    /// counted too in case a sample falls between the two. The algorithm
    /// may also set it while the state stays Open (CUBIC's HyStart, BBR
    /// leaving Startup). Disorder does not count: it only means that
    /// duplicate ACKs or SACKs made the sender suspect a loss
    /// (`tcp_try_keep_open`); nothing is reduced, ssthresh stays infinite
    /// and cwnd still grows on each ACK of new data, so the sender is
    /// still in slow start (and most often leaves Disorder for Open, the
    /// segments having only been reordered).
    pub fn left_slow_start(&self) -> bool {
        self.ssthresh.is_some() || matches!(self.ca_state, CA_CWR | CA_RECOVERY | CA_LOSS)
    }

    /// Everything but the time and the ever-growing counters, to tell a change.
    pub fn same_state(&self, other: &TcpInfo) -> bool {
        TcpInfo {
            time: 0.0,
            bytes_sent: 0,
            bytes_acked: 0,
            rwnd_limited_us: 0,
            sndbuf_limited_us: 0,
            delivery_rate_bps: 0,
            pacing_rate_bps: 0,
            ..*self
        } == TcpInfo {
            time: 0.0,
            bytes_sent: 0,
            bytes_acked: 0,
            rwnd_limited_us: 0,
            sndbuf_limited_us: 0,
            delivery_rate_bps: 0,
            pacing_rate_bps: 0,
            ..*other
        }
    }
}

/// `tcpi_ca_state` (`enum tcp_ca_state` in include/net/tcp.h).
pub const CA_OPEN: u8 = 0;
pub const CA_DISORDER: u8 = 1;
pub const CA_CWR: u8 = 2;
pub const CA_RECOVERY: u8 = 3;
pub const CA_LOSS: u8 = 4;

pub fn ca_state_name(s: u8) -> &'static str {
    match s {
        CA_OPEN => "open",
        CA_DISORDER => "disorder",
        CA_CWR => "cwr",
        CA_RECOVERY => "recovery",
        CA_LOSS => "loss",
        _ => "unknown",
    }
}

/// The TCP states in /proc/net/tcp's `st` column (include/net/tcp_states.h).
pub fn tcp_state_name(code: u8) -> &'static str {
    match code {
        0x01 => "ESTABLISHED",
        0x02 => "SYN_SENT",
        0x03 => "SYN_RECV",
        0x04 => "FIN_WAIT1",
        0x05 => "FIN_WAIT2",
        0x06 => "TIME_WAIT",
        0x07 => "CLOSE",
        0x08 => "CLOSE_WAIT",
        0x09 => "LAST_ACK",
        0x0A => "LISTEN",
        0x0B => "CLOSING",
        0x0C => "NEW_SYN_RECV",
        _ => "UNKNOWN",
    }
}

pub const CSV_HEADER: &str = "time,state,ca_state,cwnd,cwnd_bytes,ssthresh,ssthresh_bytes,mss,srtt_us,rttvar_us,min_rtt_us,rto_us,unacked,sacked,lost,retrans,total_retrans,backoff,delivery_rate_bps,pacing_rate_bps,bytes_sent,bytes_acked,bytes_retrans,notsent_bytes,snd_wnd,rwnd_limited_us,sndbuf_limited_us";

/// Writes the series as CSV (header [`CSV_HEADER`]).
pub fn write_csv<W: Write>(mut out: W, rows: &[TcpInfo]) -> io::Result<()> {
    writeln!(out, "{CSV_HEADER}")?;
    for r in rows {
        let opt = |v: Option<u64>| v.map_or(String::new(), |v| v.to_string());
        writeln!(
            out,
            "{:.6},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.time,
            tcp_state_name(r.state),
            ca_state_name(r.ca_state),
            r.cwnd,
            r.cwnd_bytes(),
            opt(r.ssthresh.map(u64::from)),
            opt(r.ssthresh_bytes()),
            r.mss,
            r.srtt_us,
            r.rttvar_us,
            r.min_rtt_us,
            r.rto_us,
            r.unacked,
            r.sacked,
            r.lost,
            r.retrans,
            r.total_retrans,
            r.backoff,
            r.delivery_rate_bps,
            r.pacing_rate_bps,
            r.bytes_sent,
            r.bytes_acked,
            r.bytes_retrans,
            r.notsent_bytes,
            r.snd_wnd,
            r.rwnd_limited_us,
            r.sndbuf_limited_us
        )?;
    }
    out.flush()
}

/// Reads back what [`write_csv`] wrote (for graphs and reports of a finished run).
pub fn read_csv(text: &str) -> Result<Vec<TcpInfo>, String> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.trim() == CSV_HEADER => {}
        _ => return Err("line 1: not a tcplab TCP_INFO CSV (unexpected header)".into()),
    }
    let mut rows = Vec::new();
    for (i, line) in lines {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 27 {
            return Err(format!("line {}: {} fields, expected 27", i + 1, f.len()));
        }
        let bad = |col: &str| format!("line {}: bad {col} value", i + 1);
        let num = |k: usize, col: &str| f[k].parse::<u64>().map_err(|_| bad(col));
        let state = (0u8..=12)
            .find(|&s| tcp_state_name(s) == f[1])
            .ok_or_else(|| bad("state"))?;
        let ca_state = (0u8..=4)
            .find(|&s| ca_state_name(s) == f[2])
            .ok_or_else(|| bad("ca_state"))?;
        rows.push(TcpInfo {
            time: f[0].parse().map_err(|_| bad("time"))?,
            state,
            ca_state,
            cwnd: num(3, "cwnd")? as u32,
            ssthresh: if f[5].is_empty() {
                None
            } else {
                Some(num(5, "ssthresh")? as u32)
            },
            mss: num(7, "mss")? as u32,
            srtt_us: num(8, "srtt_us")? as u32,
            rttvar_us: num(9, "rttvar_us")? as u32,
            min_rtt_us: num(10, "min_rtt_us")? as u32,
            rto_us: num(11, "rto_us")? as u32,
            unacked: num(12, "unacked")? as u32,
            sacked: num(13, "sacked")? as u32,
            lost: num(14, "lost")? as u32,
            retrans: num(15, "retrans")? as u32,
            total_retrans: num(16, "total_retrans")? as u32,
            backoff: num(17, "backoff")? as u8,
            delivery_rate_bps: num(18, "delivery_rate_bps")?,
            pacing_rate_bps: num(19, "pacing_rate_bps")?,
            bytes_sent: num(20, "bytes_sent")?,
            bytes_acked: num(21, "bytes_acked")?,
            bytes_retrans: num(22, "bytes_retrans")?,
            notsent_bytes: num(23, "notsent_bytes")? as u32,
            snd_wnd: num(24, "snd_wnd")? as u32,
            rwnd_limited_us: num(25, "rwnd_limited_us")?,
            sndbuf_limited_us: num(26, "sndbuf_limited_us")?,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_start_ends_with_ssthresh_or_a_reduction_not_with_disorder() {
        let at = |ca_state, ssthresh| TcpInfo {
            ca_state,
            ssthresh,
            ..TcpInfo::default()
        };
        assert!(!at(CA_OPEN, None).left_slow_start());
        assert!(!at(CA_DISORDER, None).left_slow_start());
        for state in [CA_CWR, CA_RECOVERY, CA_LOSS] {
            assert!(at(state, None).left_slow_start(), "{state}");
            assert!(at(state, Some(20)).left_slow_start(), "{state}");
        }
        // HyStart, or BBR leaving Startup: ssthresh set in Open.
        assert!(at(CA_OPEN, Some(80)).left_slow_start());
        assert!(at(CA_DISORDER, Some(80)).left_slow_start());
    }

    #[test]
    fn csv_round_trip() {
        let rows = vec![
            TcpInfo {
                time: 1_700_000_000.123456,
                state: 1,
                cwnd: 10,
                mss: 1448,
                srtt_us: 40_000,
                ..TcpInfo::default()
            },
            TcpInfo {
                time: 1_700_000_000.2,
                state: 1,
                ca_state: 3,
                cwnd: 7,
                ssthresh: Some(7),
                mss: 1448,
                total_retrans: 2,
                ..TcpInfo::default()
            },
        ];
        let mut out = Vec::new();
        write_csv(&mut out, &rows).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(",recovery,7,10136,7,10136,"));
        assert_eq!(read_csv(&text).unwrap(), rows);
        assert!(read_csv("nope\n").is_err());
    }
}
