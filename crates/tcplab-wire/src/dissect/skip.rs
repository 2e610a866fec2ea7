//! Why a packet is not a TCP segment (`Skip`), and the packet refused with
//! its reason, its ports when TCP's were there, and the encapsulation it
//! stopped in (`Rejected`): counted and reported, never dropped silently.

use super::{encap, Encap, Loss};
use std::fmt;
use std::net::IpAddr;

/// Why a packet did not yield a TCP segment; counted and reported, never dropped silently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Skip {
    UnsupportedLink(u32),
    /// Not IPv4/IPv6 (ARP, LLDP, PPP's LCP, ...).
    NotIp,
    /// IP but not TCP (UDP, ICMP, ...).
    NotTcp,
    /// An IP fragment, where it is not reassembled (`dissect`, `dissect_with`).
    IpFragment,
    /// An IP fragment whose datagram was reassembled in a later frame
    /// (which yields the datagram's TCP segment, or its own reason).
    FragmentReassembled,
    /// An IP fragment of a datagram that could not be reassembled, and why.
    FragmentLost(Loss),
    /// The capture stopped before the end of the IP or TCP header (snap length).
    HeadersTruncated,
    /// Bytes that cannot be an IP/TCP packet (bad version, bad lengths, bad data offset).
    Malformed,
    /// A protocol field of `layer` names a protocol tcplab does not know.
    UnknownProtocol {
        layer: Encap,
        proto: u32,
    },
    /// A variant of `layer` tcplab does not take apart.
    Unsupported {
        layer: Encap,
        what: &'static str,
    },
    /// An encrypted frame (802.11 protected): not guessed at.
    Encrypted(Encap),
    /// A frame that carries no packet (802.11 management, control, null data).
    NoPacket(Encap),
    /// More encapsulations inside each other than tcplab follows.
    TooDeep,
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::UnsupportedLink(n) => write!(f, "unsupported link type {n}"),
            Skip::NotIp => write!(f, "not IP"),
            Skip::NotTcp => write!(f, "IP but not TCP"),
            Skip::IpFragment => write!(f, "IP fragment"),
            Skip::FragmentReassembled => write!(f, "IP fragment, reassembled in a later frame"),
            Skip::FragmentLost(loss) => {
                write!(f, "IP fragment of a datagram not reassembled ({loss})")
            }
            Skip::HeadersTruncated => write!(f, "headers cut off by the snap length"),
            Skip::Malformed => write!(f, "malformed IP/TCP header"),
            Skip::UnknownProtocol { layer, proto } => {
                write!(f, "{layer} with unknown protocol 0x{proto:04x}")
            }
            Skip::Unsupported { layer, what } => write!(f, "{layer} {what}, not supported"),
            Skip::Encrypted(layer) => write!(f, "{layer} encrypted (not decrypted)"),
            Skip::NoPacket(layer) => {
                write!(f, "{layer} management, control or null data (no packet)")
            }
            Skip::TooDeep => write!(f, "more than {} nested encapsulations", encap::MAX_HOPS),
        }
    }
}

/// A packet that is not a usable TCP segment. When it is IP protocol 6 with
/// at least the port numbers present, `ports` carries the 4-tuple: Wireshark
/// still gives such a packet a `tcp.stream` number, and so do we. `inside`
/// is the encapsulation the packet had entered when it stopped (none on a
/// plain link).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rejected {
    pub skip: Skip,
    pub ports: Option<(IpAddr, u16, IpAddr, u16)>,
    pub inside: Option<Encap>,
}

impl Rejected {
    /// The reason as the report counts it: `IP but not TCP inside GRE`;
    /// a reason that names its layer already stands alone.
    pub fn reason(&self) -> String {
        match (self.skip, self.inside) {
            (
                Skip::NotIp
                | Skip::NotTcp
                | Skip::IpFragment
                | Skip::FragmentReassembled
                | Skip::FragmentLost(_)
                | Skip::HeadersTruncated
                | Skip::Malformed,
                Some(layer),
            ) => format!("{} inside {layer}", self.skip),
            (skip, _) => skip.to_string(),
        }
    }
}

impl From<Skip> for Rejected {
    fn from(skip: Skip) -> Rejected {
        Rejected {
            skip,
            ports: None,
            inside: None,
        }
    }
}
