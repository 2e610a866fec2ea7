//! The `TCP_INFO` series as CSV (`<base>-tcpinfo.csv`): written by a run,
//! read back by the report and the graphs of a finished run.

use super::tcpinfo::{ca_state_name, tcp_state_name, TcpInfo};
use std::io::{self, Write};

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
