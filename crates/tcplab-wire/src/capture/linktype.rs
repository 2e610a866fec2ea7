//! Link-layer header types (the LINKTYPE_ numbers of tcpdump.org), as an
//! enum so that the dissector matches on meaning, not numbers.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkType {
    /// BSD loopback: 4-byte address family in the writer's byte order.
    Null,
    Ethernet,
    /// Raw IP, version from the first nibble (LINKTYPE_RAW 101, and DLT 12/14 on some systems).
    Raw,
    /// OpenBSD loopback: 4-byte address family in network byte order.
    Loop,
    LinuxSll,
    LinuxSll2,
    Ipv4,
    Ipv6,
    /// PPP, with or without the HDLC-like address and control bytes.
    Ppp,
    /// PPP in HDLC-like framing (RFC 1662).
    PppHdlc,
    CiscoHdlc,
    /// IEEE 802.11 without a radio header.
    Ieee80211,
    /// IEEE 802.11 after a radiotap header.
    Radiotap,
    /// ARCNET with BSD's header (source, destination, protocol id).
    ArcnetBsd,
    /// ARCNET with Linux's header (and a 2-byte offset before the protocol id).
    ArcnetLinux,
    /// Juniper's capture header, then Ethernet.
    JuniperEther,
    /// IP over InfiniBand, with a 40-byte pseudo routing header.
    Ipoib,
    Other(u32),
}

impl LinkType {
    pub fn from_number(n: u32) -> LinkType {
        match n {
            0 => LinkType::Null,
            1 => LinkType::Ethernet,
            12 | 14 | 101 => LinkType::Raw,
            108 => LinkType::Loop,
            113 => LinkType::LinuxSll,
            276 => LinkType::LinuxSll2,
            228 => LinkType::Ipv4,
            229 => LinkType::Ipv6,
            9 => LinkType::Ppp,
            50 => LinkType::PppHdlc,
            104 => LinkType::CiscoHdlc,
            105 => LinkType::Ieee80211,
            127 => LinkType::Radiotap,
            7 => LinkType::ArcnetBsd,
            129 => LinkType::ArcnetLinux,
            178 => LinkType::JuniperEther,
            242 => LinkType::Ipoib,
            other => LinkType::Other(other),
        }
    }

    pub fn number(self) -> u32 {
        match self {
            LinkType::Null => 0,
            LinkType::Ethernet => 1,
            LinkType::Raw => 101,
            LinkType::Loop => 108,
            LinkType::LinuxSll => 113,
            LinkType::LinuxSll2 => 276,
            LinkType::Ipv4 => 228,
            LinkType::Ipv6 => 229,
            LinkType::Ppp => 9,
            LinkType::PppHdlc => 50,
            LinkType::CiscoHdlc => 104,
            LinkType::Ieee80211 => 105,
            LinkType::Radiotap => 127,
            LinkType::ArcnetBsd => 7,
            LinkType::ArcnetLinux => 129,
            LinkType::JuniperEther => 178,
            LinkType::Ipoib => 242,
            LinkType::Other(n) => n,
        }
    }

    pub fn is_supported(self) -> bool {
        !matches!(self, LinkType::Other(_))
    }
}

impl fmt::Display for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            LinkType::Null => "NULL (BSD loopback)",
            LinkType::Ethernet => "ETHERNET",
            LinkType::Raw => "RAW (IP)",
            LinkType::Loop => "LOOP (OpenBSD loopback)",
            LinkType::LinuxSll => "LINUX_SLL",
            LinkType::LinuxSll2 => "LINUX_SLL2",
            LinkType::Ipv4 => "IPV4",
            LinkType::Ipv6 => "IPV6",
            LinkType::Ppp => "PPP",
            LinkType::PppHdlc => "PPP_HDLC",
            LinkType::CiscoHdlc => "C_HDLC (Cisco HDLC)",
            LinkType::Ieee80211 => "IEEE802_11",
            LinkType::Radiotap => "IEEE802_11_RADIOTAP",
            LinkType::ArcnetBsd => "ARCNET_BSD",
            LinkType::ArcnetLinux => "ARCNET_LINUX",
            LinkType::JuniperEther => "JUNIPER_ETHER",
            LinkType::Ipoib => "IPOIB",
            LinkType::Other(n) => return write!(f, "link type {n} (unsupported)"),
        };
        write!(f, "{name} ({})", self.number())
    }
}
