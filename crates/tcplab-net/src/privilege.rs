//! Can this process capture packets and create namespaces? Read from the
//! effective capability set in /proc/self/status (no libc call needed).

/// CAP_NET_ADMIN is bit 12, CAP_NET_RAW bit 13 (linux/capability.h).
const CAP_NET_ADMIN: u64 = 1 << 12;
const CAP_NET_RAW: u64 = 1 << 13;
const CAP_SYS_ADMIN: u64 = 1 << 21;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Privileges {
    pub capture: bool,
    /// Creating and entering network namespaces (`ip netns`) also needs CAP_SYS_ADMIN.
    pub namespaces: bool,
}

pub fn current() -> Privileges {
    let caps = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| parse_cap_eff(&s))
        .unwrap_or(0);
    Privileges {
        capture: caps & (CAP_NET_RAW | CAP_NET_ADMIN) == (CAP_NET_RAW | CAP_NET_ADMIN),
        namespaces: caps & (CAP_SYS_ADMIN | CAP_NET_ADMIN) == (CAP_SYS_ADMIN | CAP_NET_ADMIN),
    }
}

fn parse_cap_eff(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("CapEff:"))?;
    u64::from_str_radix(line.trim_start_matches("CapEff:").trim(), 16).ok()
}

/// The one-line explanation for a user without the privileges.
pub fn missing_message(exe: &str, need_namespaces: bool) -> String {
    if need_namespaces {
        format!(
            "capturing needs root (or CAP_NET_RAW and CAP_NET_ADMIN), and the private network namespace also CAP_SYS_ADMIN: run it with sudo, or `sudo setcap cap_net_raw,cap_net_admin=eip {exe}` and add --host-loopback"
        )
    } else {
        format!("capturing needs root or CAP_NET_RAW and CAP_NET_ADMIN: run it with sudo, or once `sudo setcap cap_net_raw,cap_net_admin=eip {exe}`")
    }
}

/// The one-line explanation for the emulated path (two namespaces, TUN
/// devices, capture), where `--host-loopback` is no way out.
pub fn missing_for_emulated_path() -> String {
    "the emulated path (--rate, --delay, --loss …) needs root: it creates network namespaces and TUN devices (CAP_SYS_ADMIN, CAP_NET_ADMIN) and captures (CAP_NET_RAW); run it with sudo".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_effective_set() {
        let status = "Name:\tx\nCapEff:\t0000000000003000\n";
        assert_eq!(parse_cap_eff(status), Some(0x3000));
    }
}
