//! Reads a capture with tcplab's own reader and with libpcap (`pcap` crate,
//! `pcap_open_offline`), touching every byte of every record, and prints the
//! time of each: the figures behind docs/capture-reader.md.
//!
//! Usage: reader-compare FILE [ROUNDS]

use std::path::Path;
use std::time::Instant;

fn ours(path: &Path) -> Result<(u64, u64), String> {
    let mut r = tcplab_wire::capture::open(path).map_err(|e| e.to_string())?;
    let (mut n, mut sum) = (0u64, 0u64);
    while let Some(rec) = r.next_record().map_err(|e| e.to_string())? {
        n += 1;
        sum = sum.wrapping_add(rec.data.iter().map(|&b| u64::from(b)).sum::<u64>());
    }
    Ok((n, sum))
}

fn libpcap(path: &Path) -> Result<(u64, u64), String> {
    let mut cap = pcap::Capture::from_file(path).map_err(|e| e.to_string())?;
    let (mut n, mut sum) = (0u64, 0u64);
    loop {
        match cap.next_packet() {
            Ok(p) => {
                n += 1;
                sum = sum.wrapping_add(p.data.iter().map(|&b| u64::from(b)).sum::<u64>());
            }
            Err(pcap::Error::NoMorePackets) => break,
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok((n, sum))
}

fn best_of(rounds: usize, f: impl Fn() -> Result<(u64, u64), String>) -> Result<(f64, u64, u64), String> {
    let mut best = f64::MAX;
    let mut result = (0, 0);
    for _ in 0..rounds {
        let t = Instant::now();
        result = f()?;
        best = best.min(t.elapsed().as_secs_f64());
    }
    Ok((best, result.0, result.1))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(file) = args.next() else {
        eprintln!("usage: reader-compare FILE [ROUNDS]");
        std::process::exit(2);
    };
    let rounds = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let path = Path::new(&file);
    for (name, f) in [("tcplab reader", ours as fn(&Path) -> _), ("libpcap (pcap crate)", libpcap)] {
        match best_of(rounds, || f(path)) {
            Ok((secs, n, sum)) => println!("{name:<22} {secs:>7.3} s  {n} records  checksum {sum}"),
            Err(e) => {
                eprintln!("{name}: {e}");
                std::process::exit(1);
            }
        }
    }
}
