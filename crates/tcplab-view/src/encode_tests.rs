//! The encoding read back in Rust as `web/codec.js` reads it: every
//! column gives back the series it was made from.

use super::*;
use tcplab_render::plot::synthetic;

/// Running sums of a delta column, per direction (`dirs`) or overall.
fn undelta(col: &[i64], dirs: Option<&[usize]>) -> Vec<i64> {
    let mut prev = [0i64; 2];
    col.iter()
        .enumerate()
        .map(|(i, d)| {
            let k = dirs.map_or(0, |ds| ds[i]);
            prev[k] += d;
            prev[k]
        })
        .collect()
}

/// (index, values) of a sparse column with `width` values per entry.
fn unsparse(col: &[i64], width: usize) -> Vec<(usize, Vec<i64>)> {
    let mut at = 0usize;
    col.chunks(width + 1)
        .map(|c| {
            at += c[0] as usize;
            (at, c[1..].to_vec())
        })
        .collect()
}

#[test]
fn every_column_reads_back_as_the_series() {
    let s = synthetic::bulk_transfer(3000);
    let c = Columns::of(&s);
    assert_eq!(c.n, 3000);
    let dirs: Vec<usize> = c.fd.iter().map(|v| (v >> 12) as usize).collect();
    let t = undelta(&c.t, None);
    let frame = undelta(&c.frame, None);
    let seq = undelta(&c.seq, Some(&dirs));
    let ack = undelta(&c.ack, Some(&dirs));
    let win = undelta(&c.win, Some(&dirs));
    for (i, p) in s.segments.iter().enumerate() {
        assert_eq!(dirs[i], p.dir.index(), "segment {i}");
        assert_eq!(t[i], (p.t * 1e6).round() as i64, "segment {i}");
        assert_eq!(frame[i], i64::from(p.frame));
        assert_eq!(c.fd[i] & 0xfff, i64::from(p.flags.0));
        assert_eq!(seq[i], p.seq);
        if p.flags.ack() {
            assert_eq!(ack[i], p.ack);
        }
        assert_eq!(c.len[i], i64::from(p.len));
        assert_eq!(win[i], i64::from(p.window));
        assert_eq!(c.flight[i], p.in_flight.map_or(-1, i64::from));
    }
    let resent = unsparse(&c.resent, 1);
    let expected: Vec<usize> = (0..3000)
        .filter(|&i| s.segments[i].new_bytes < s.segments[i].len)
        .collect();
    assert!(!expected.is_empty(), "the synthetic transfer resends");
    assert_eq!(resent.iter().map(|(i, _)| *i).collect::<Vec<_>>(), expected);
    for (i, v) in unsparse(&c.ev, 1) {
        let names: Vec<&str> = Event::ALL
            .iter()
            .enumerate()
            .filter(|(b, _)| v[0] & 1 << b != 0)
            .map(|(_, e)| e.name())
            .collect();
        let want: Vec<&str> = s.segments[i].events.iter().map(|e| e.name()).collect();
        assert_eq!(names, want, "events of segment {i}");
    }
    for (i, v) in unsparse(&c.ack_rtt, 1) {
        let r = s.segments[i]
            .ack_rtt
            .expect("a sample where the column has one");
        assert_eq!(v[0], (r * 1e9).round() as i64);
    }
    let sacks = unsparse(&c.sack, 2);
    assert_eq!(sacks.len(), s.sacks.len());
    for ((i, v), m) in sacks.iter().zip(&s.sacks) {
        assert_eq!(ack[*i] + v[0], m.left);
        assert_eq!(ack[*i] + v[0] + v[1], m.right);
    }
}

#[test]
fn the_time_column_rounds_to_the_microsecond() {
    let mut s = synthetic::bulk_transfer(3);
    s.segments[1].t = 0.000_010_4;
    s.segments[2].t = 0.000_020_6;
    let c = Columns::of(&s);
    assert_eq!(undelta(&c.t, None), vec![0, 10, 21]);
}
