//! How a capture is read, shared by `analyze`, `plot`, `report` and `view`:
//! `--tunnels merge|separate` and `--decode-as udp:PORT=vxlan|geneve`,
//! defined once so that the three number the same connections.

use clap::{Args, ValueEnum};
use tcplab_analysis::{AnalyzerOptions, TunnelMode};
use tcplab_wire::dissect::UdpTunnel;

#[derive(Args, Debug, Clone, Default)]
pub struct DecodeArgs {
    /// How connections in tunnels are numbered: `merge` by the innermost
    /// 4-tuple only, as Wireshark; `separate` also by the tunnel (VNI, GRE
    /// key, MPLS labels, VLAN, outer addresses), for overlays that reuse
    /// addresses
    #[arg(long, value_enum, default_value_t = Tunnels::Merge)]
    pub tunnels: Tunnels,
    /// Decode a UDP port as a tunnel, as Wireshark's "Decode As", e.g.
    /// `udp:8472=vxlan` (Linux's VXLAN port); VXLAN on 4789 and Geneve on
    /// 6081 are always decoded. May be repeated
    #[arg(long, value_name = "udp:PORT=vxlan|geneve", value_parser = parse_decode_as)]
    pub decode_as: Vec<(u16, UdpTunnel)>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Tunnels {
    /// One connection per innermost 4-tuple, as Wireshark's tcp.stream
    #[default]
    Merge,
    /// One connection per innermost 4-tuple and tunnel
    Separate,
}

impl DecodeArgs {
    /// Sets the analyzer's tunnel numbering and decoded ports.
    pub fn apply(&self, opts: &mut AnalyzerOptions) {
        opts.tunnels = match self.tunnels {
            Tunnels::Merge => TunnelMode::Merge,
            Tunnels::Separate => TunnelMode::Separate,
        };
        for &(port, tunnel) in &self.decode_as {
            opts.decode.decode_udp_as(port, tunnel);
        }
    }

    /// The analyzer's default options with these applied.
    pub fn options(&self) -> AnalyzerOptions {
        let mut opts = AnalyzerOptions::default();
        self.apply(&mut opts);
        opts
    }
}

/// `udp:8472=vxlan` → (8472, VXLAN).
fn parse_decode_as(text: &str) -> std::result::Result<(u16, UdpTunnel), String> {
    let usage =
        || format!("{text:?}: expected udp:PORT=vxlan or udp:PORT=geneve (e.g. udp:8472=vxlan)");
    let rest = text.strip_prefix("udp:").ok_or_else(usage)?;
    let (port, proto) = rest.split_once('=').ok_or_else(usage)?;
    let port: u16 = port
        .parse()
        .map_err(|_| format!("{text:?}: {port:?} is not a UDP port (0-65535)"))?;
    let tunnel = match proto.to_ascii_lowercase().as_str() {
        "vxlan" => UdpTunnel::Vxlan,
        "geneve" => UdpTunnel::Geneve,
        _ => {
            return Err(format!(
                "{text:?}: {proto:?} is not a tunnel tcplab decodes in UDP (vxlan, geneve)"
            ))
        }
    };
    Ok((port, tunnel))
}
