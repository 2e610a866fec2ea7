//! Snapshots of the kernel's TCP socket tables (/proc/net/tcp and tcp6):
//! which sockets use a port, with their state. This is what `netstat -tan`
//! shows, and what exercise 4 of the lab asks students to find: the
//! listening socket and one connection socket per client on the server,
//! and one on each client.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use tcplab_analysis::record::tcp_info::tcp_state_name;

pub use tcplab_analysis::record::run_meta::SocketEntry;

/// Sockets whose local or remote port is `port`, from both tables of the
/// calling thread's network namespace (run it inside a namespace with
/// `Netns::run_inside` to see that namespace's sockets).
pub fn snapshot(port: u16) -> Vec<SocketEntry> {
    let mut out = Vec::new();
    for table in ["/proc/thread-self/net/tcp", "/proc/thread-self/net/tcp6"] {
        if let Ok(text) = std::fs::read_to_string(table) {
            let rows = parse_table(&text).into_iter();
            out.extend(
                rows.filter(|(l, r, _)| l.1 == port || r.1 == port)
                    .map(|(_, _, e)| e),
            );
        }
    }
    out
}

type Addr = (IpAddr, u16);

fn parse_table(text: &str) -> Vec<(Addr, Addr, SocketEntry)> {
    text.lines().skip(1).filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<(Addr, Addr, SocketEntry)> {
    let f: Vec<&str> = line.split_whitespace().collect();
    let local = parse_addr(f.get(1)?)?;
    let remote = parse_addr(f.get(2)?)?;
    let state = u8::from_str_radix(f.get(3)?, 16).ok()?;
    let inode = f.get(9)?.parse().ok()?;
    let show = |(ip, port): Addr| match ip {
        IpAddr::V4(a) => format!("{a}:{port}"),
        IpAddr::V6(a) => format!("[{a}]:{port}"),
    };
    Some((
        local,
        remote,
        SocketEntry {
            local: show(local),
            remote: show(remote),
            state: tcp_state_name(state).to_string(),
            inode,
        },
    ))
}

/// `0100007F:1388` (IPv4, host byte order words) or 32 hex digits (IPv6, four
/// host-order 32-bit words).
fn parse_addr(s: &str) -> Option<Addr> {
    let (ip, port) = s.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let word = |i: usize| -> Option<[u8; 4]> {
        let w = u32::from_str_radix(ip.get(i * 8..i * 8 + 8)?, 16).ok()?;
        Some(w.to_le_bytes())
    };
    let addr = match ip.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(0)?)),
        32 => {
            let mut b = [0u8; 16];
            for i in 0..4 {
                b[i * 4..i * 4 + 4].copy_from_slice(&word(i)?);
            }
            IpAddr::V6(Ipv6Addr::from(b))
        }
        _ => return None,
    };
    Some((addr, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ipv4_and_ipv6_lines() {
        let text = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:1388 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0 100 0 0 10 0\n";
        let rows = parse_table(text);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].2.local, "127.0.0.1:5000");
        assert_eq!(rows[0].2.state, "LISTEN");
        let v6 = parse_addr("00000000000000000000000001000000:1388").expect("ipv6");
        assert_eq!(v6, ("::1".parse().expect("addr"), 5000));
    }
}
