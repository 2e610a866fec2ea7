//! Two network namespaces joined by a veth whose MTU is smaller than the
//! VXLAN device over it: Linux sends VXLAN with DF clear, so the outer
//! packets of full-sized inner segments are fragmented — the real kernel
//! behaviour #17's IP reassembly is for. Needs root; the namespaces are
//! removed when the value is dropped, also when the test fails.

use std::process::{Command, Output};

/// The underlay (veth) MTU; the VXLAN device keeps 1500 above it.
pub const UNDERLAY_MTU: u32 = 1280;
pub const INNER_A: &str = "10.77.0.1";
pub const INNER_B: &str = "10.77.0.2";

pub struct VxlanPair {
    pub a: String,
    pub b: String,
}

fn ip(args: &[&str]) -> Result<Output, String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("ip {args:?}: {e}"))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl VxlanPair {
    /// `tcplab-vxf-a-PID` (veth `va`, 192.168.77.1; `vx0`, 10.77.0.1) and
    /// `tcplab-vxf-b-PID` (`vb`, 192.168.77.2; `vx0`, 10.77.0.2).
    pub fn create() -> Result<VxlanPair, String> {
        let pid = std::process::id();
        let pair = VxlanPair {
            a: format!("tcplab-vxf-a-{pid}"),
            b: format!("tcplab-vxf-b-{pid}"),
        };
        ip(&["netns", "add", &pair.a])?;
        ip(&["netns", "add", &pair.b])?;
        let mtu = UNDERLAY_MTU.to_string();
        let ends = [
            (&pair.a, "va", "192.168.77.1", "192.168.77.2", INNER_A),
            (&pair.b, "vb", "192.168.77.2", "192.168.77.1", INNER_B),
        ];
        ip(&[
            "link", "add", "va", "netns", &pair.a, "type", "veth", "peer", "name", "vb", "netns",
            &pair.b,
        ])?;
        for (ns, veth, local, remote, inner) in ends {
            ip(&["-n", ns, "link", "set", "lo", "up"])?;
            ip(&["-n", ns, "addr", "add", &format!("{local}/24"), "dev", veth])?;
            ip(&["-n", ns, "link", "set", veth, "mtu", &mtu, "up"])?;
            // Not bound to the veth (`dev`), so that its MTU may exceed the
            // underlay's: the kernel then fragments the outer packets.
            ip(&[
                "netns", "exec", ns, "ip", "link", "add", "vx0", "type", "vxlan", "id", "42",
                "local", local, "remote", remote, "dstport", "4789",
            ])?;
            ip(&["-n", ns, "link", "set", "vx0", "mtu", "1500", "up"])?;
            ip(&[
                "-n",
                ns,
                "addr",
                "add",
                &format!("{inner}/24"),
                "dev",
                "vx0",
            ])?;
        }
        Ok(pair)
    }

    /// `ip netns exec NS PROGRAM`, to be given its arguments.
    pub fn exec(ns: &str, program: &str) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", ns, program]);
        cmd
    }
}

impl Drop for VxlanPair {
    fn drop(&mut self) {
        for ns in [&self.a, &self.b] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}
