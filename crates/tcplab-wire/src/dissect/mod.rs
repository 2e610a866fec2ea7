//! `Record` in, TCP `Segment` out (or the reason the packet is not one).
//!
//! The link layer is peeled here (`link`), IPv4/IPv6 with extension headers
//! and the TCP header are sliced by `etherparse` in its lax mode, so that a
//! packet cut short by the snap length still yields its TCP header. The TCP
//! payload length is taken from the IP length fields, not from the bytes
//! captured (`Segment::len` vs `Segment::captured_len`).
//!
//! Not done here: anything that needs more than one packet (that is `flow`
//! and `analysis`).

mod fast;
mod link;
mod options;

pub use options::{SackBlocks, TcpOptions};

use crate::capture::{LinkType, Record, Timestamp};
use crate::Seq;
use etherparse::{LaxNetSlice, LaxSlicedPacket, TransportSlice};
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// TCP header flags: the 12 bits after the data offset. The low 8 are the
/// classic flags (`FSRPAUEC`); above them are the 4 reserved bits: `AE`
/// (0x100, Accurate ECN, RFC 9768; Wireshark 4.0 calls it NS) and three
/// still reserved (0x200, 0x400, 0x800; Wireshark's `tcp.flags.res`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(pub u16);

impl Flags {
    pub const FIN: u16 = 0x01;
    pub const SYN: u16 = 0x02;
    pub const RST: u16 = 0x04;
    pub const PSH: u16 = 0x08;
    pub const ACK: u16 = 0x10;
    pub const URG: u16 = 0x20;
    pub const ECE: u16 = 0x40;
    pub const CWR: u16 = 0x80;
    /// Accurate ECN (RFC 9768), formerly the ECN nonce (NS, RFC 3540).
    pub const AE: u16 = 0x100;
    /// The reserved bits, `AE` among them.
    pub const RESERVED: u16 = 0xf00;

    /// The flags of a TCP header from its bytes 12 (data offset and the
    /// reserved bits) and 13 (the classic flags).
    pub fn from_header(byte12: u8, byte13: u8) -> Flags {
        Flags(u16::from(byte12 & 0x0f) << 8 | u16::from(byte13))
    }

    pub fn has(self, bits: u16) -> bool {
        self.0 & bits != 0
    }
    pub fn fin(self) -> bool {
        self.has(Self::FIN)
    }
    pub fn syn(self) -> bool {
        self.has(Self::SYN)
    }
    pub fn rst(self) -> bool {
        self.has(Self::RST)
    }
    pub fn ack(self) -> bool {
        self.has(Self::ACK)
    }
    /// A SYN without ACK: the opening segment of a handshake.
    pub fn is_pure_syn(self) -> bool {
        self.0 & (Self::SYN | Self::ACK) == Self::SYN
    }
    pub fn is_syn_ack(self) -> bool {
        self.0 & (Self::SYN | Self::ACK) == (Self::SYN | Self::ACK)
    }

    /// The 8 classic flags, without the reserved bits.
    pub fn classic(self) -> u8 {
        (self.0 & 0xff) as u8
    }

    /// The reserved bits that are set, by name, joined by `+`: `AE`,
    /// `0x800`, `AE+0x800`; empty when none is.
    pub fn reserved_names(self) -> &'static str {
        RESERVED_TEXT[usize::from((self.0 & Self::RESERVED) >> 8)]
    }

    /// The letters, then the reserved bits set, if any: `SA`, `SA+AE`,
    /// `PA+0x800` (the text and JSON outputs; the CSV keeps the letters).
    pub fn describe(self) -> std::borrow::Cow<'static, str> {
        match self.reserved_names() {
            "" => self.letters().into(),
            extra => format!("{}+{extra}", self.letters()).into(),
        }
    }
}

/// The names of the reserved bits (`Flags::reserved_names`), indexed by
/// the 4 bits (AE is the lowest).
const RESERVED_TEXT: [&str; 16] = [
    "",
    "AE",
    "0x200",
    "AE+0x200",
    "0x400",
    "AE+0x400",
    "0x200+0x400",
    "AE+0x200+0x400",
    "0x800",
    "AE+0x800",
    "0x200+0x800",
    "AE+0x200+0x800",
    "0x400+0x800",
    "AE+0x400+0x800",
    "0x200+0x400+0x800",
    "AE+0x200+0x400+0x800",
];

/// The flags' letters, in the order they are written (`FSRPAUEC`, the
/// order of their bits): the one table that writes them
/// ([`Flags::letters`], `Display`, serde) and reads them back (`FromStr`).
const LETTERS: [(u16, char); 8] = [
    (Flags::FIN, 'F'),
    (Flags::SYN, 'S'),
    (Flags::RST, 'R'),
    (Flags::PSH, 'P'),
    (Flags::ACK, 'A'),
    (Flags::URG, 'U'),
    (Flags::ECE, 'E'),
    (Flags::CWR, 'C'),
];

/// The letters of each of the 256 combinations as bytes and their count,
/// made by the compiler.
const LETTER_BYTES: [([u8; 8], usize); 256] = {
    let mut out = [([0u8; 8], 0usize); 256];
    let mut bits = 0;
    while bits < 256 {
        let mut i = 0;
        while i < LETTERS.len() {
            let (bit, letter) = LETTERS[i];
            if bits as u16 & bit != 0 {
                out[bits].0[out[bits].1] = letter as u8;
                out[bits].1 += 1;
            }
            i += 1;
        }
        bits += 1;
    }
    out
};

/// [`LETTER_BYTES`] as text: what [`Flags::letters`] returns, without a
/// cost per call (the CSV writer asks for it on every row).
static LETTER_TEXT: [&str; 256] = {
    let all: &'static [([u8; 8], usize); 256] = &LETTER_BYTES;
    let mut out = [""; 256];
    let mut bits = 0;
    while bits < 256 {
        let (bytes, _) = all[bits].0.split_at(all[bits].1);
        out[bits] = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => panic!("the flag letters are ASCII"),
        };
        bits += 1;
    }
    out
};

impl Flags {
    /// Letters in the order `FSRPAUEC`, e.g. `SA`, `PA`, `FA`; empty when
    /// no flag is set. The reserved bits have no letter (`describe`).
    pub fn letters(self) -> &'static str {
        LETTER_TEXT[usize::from(self.classic())]
    }
}

/// [`Flags::letters`].
impl fmt::Display for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.letters())
    }
}

/// A character that is not one of the flag letters `FSRPAUEC`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a TCP flag letter (FSRPAUEC)")]
pub struct NotAFlagLetter(pub char);

/// Reads back [`Flags::letters`]: the letters in any order (a repeated
/// one counts once); the empty text is no flag.
impl FromStr for Flags {
    type Err = NotAFlagLetter;

    fn from_str(text: &str) -> Result<Flags, NotAFlagLetter> {
        text.chars().try_fold(Flags(0), |flags, c| {
            let (bit, _) = LETTERS
                .iter()
                .find(|&&(_, letter)| letter == c)
                .ok_or(NotAFlagLetter(c))?;
            Ok(Flags(flags.0 | bit))
        })
    }
}

/// As [`Flags::letters`] (`"SA"`), as the JSON output has always written them.
impl serde::Serialize for Flags {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.letters())
    }
}

impl fmt::Debug for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Flags({})", self.describe())
    }
}

/// One TCP segment, as far as one packet can tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    pub frame: u64,
    pub ts: Timestamp,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub sport: u16,
    pub dport: u16,
    pub seq: Seq,
    pub ack: Seq,
    pub flags: Flags,
    /// The window field as sent (unscaled).
    pub window: u16,
    /// Payload length from the IP length fields (what was on the wire).
    pub len: u32,
    /// Payload bytes actually present in the capture (`< len` when truncated).
    pub captured_len: u32,
    pub options: TcpOptions,
    /// Length of IP + TCP headers plus payload, i.e. the IP packet length.
    pub ip_len: u32,
}

impl Segment {
    /// The sequence number after this segment: SYN and FIN count one each.
    pub fn next_seq(&self) -> Seq {
        self.seq + self.len + u32::from(self.flags.syn()) + u32::from(self.flags.fin())
    }

    pub fn payload_missing(&self) -> bool {
        self.captured_len < self.len
    }
}

/// Why a packet did not yield a TCP segment; counted and reported, never dropped silently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Skip {
    UnsupportedLink(u32),
    /// Not IPv4/IPv6 (ARP, LLDP, ...).
    NotIp,
    /// IP but not TCP (UDP, ICMP, ...).
    NotTcp,
    /// A non-first IP fragment, or a TCP segment split into fragments.
    IpFragment,
    /// The capture stopped before the end of the IP or TCP header (snap length).
    HeadersTruncated,
    /// Bytes that cannot be an IP/TCP packet (bad version, bad lengths, bad data offset).
    Malformed,
}

impl fmt::Display for Skip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Skip::UnsupportedLink(n) => write!(f, "unsupported link type {n}"),
            Skip::NotIp => write!(f, "not IP"),
            Skip::NotTcp => write!(f, "IP but not TCP"),
            Skip::IpFragment => write!(f, "IP fragment"),
            Skip::HeadersTruncated => write!(f, "headers cut off by the snap length"),
            Skip::Malformed => write!(f, "malformed IP/TCP header"),
        }
    }
}

/// A packet that is not a usable TCP segment. When it is IP protocol 6 with
/// at least the port numbers present, `ports` carries the 4-tuple: Wireshark
/// still gives such a packet a `tcp.stream` number, and so do we.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rejected {
    pub skip: Skip,
    pub ports: Option<(IpAddr, u16, IpAddr, u16)>,
}

impl From<Skip> for Rejected {
    fn from(skip: Skip) -> Rejected {
        Rejected { skip, ports: None }
    }
}

/// Dissects one record down to TCP.
pub fn dissect(record: &Record<'_>) -> Result<Segment, Rejected> {
    if let Some(seg) = fast::ipv4_tcp(record) {
        return Ok(seg);
    }
    dissect_general(record)
}

/// Dissects one IPv4 or IPv6 packet without a link layer (as a TUN device
/// hands it over), whole: the same parser as [`dissect`] on a raw-IP
/// record of `packet.len()` bytes, with frame number and time zero.
pub fn dissect_ip(packet: &[u8]) -> Result<Segment, Rejected> {
    dissect(&Record {
        frame: 0,
        offset: 0,
        ts: Timestamp(0),
        link: LinkType::Raw,
        orig_len: u32::try_from(packet.len()).unwrap_or(u32::MAX),
        data: packet,
    })
}

/// Every link type and IP version, through etherparse.
fn dissect_general(record: &Record<'_>) -> Result<Segment, Rejected> {
    let packet = link::slice(record.link, record.data).map_err(Rejected::from)?;
    let (src, dst, ip_start, declared_end, payload) = match &packet.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            let h = ip.header();
            // A zero total length is what TCP segmentation offload writes.
            let declared = (h.total_len() != 0).then(|| usize::from(h.total_len()));
            (
                IpAddr::V4(h.source_addr()),
                IpAddr::V4(h.destination_addr()),
                h.slice().as_ptr(),
                declared,
                ip.payload(),
            )
        }
        Some(LaxNetSlice::Ipv6(ip)) => {
            let h = ip.header();
            // A zero payload length means a jumbogram (RFC 2675): use what was captured.
            let declared = (h.payload_length() != 0).then(|| 40 + usize::from(h.payload_length()));
            (
                IpAddr::V6(h.source_addr()),
                IpAddr::V6(h.destination_addr()),
                h.slice().as_ptr(),
                declared,
                ip.payload(),
            )
        }
        Some(LaxNetSlice::Arp(_)) => return Err(Skip::NotIp.into()),
        None => return Err(classify_stop(&packet).into()),
    };
    if payload.fragmented {
        return Err(Skip::IpFragment.into());
    }
    if payload.ip_number != etherparse::ip_number::TCP {
        return Err(Skip::NotTcp.into());
    }
    let tcp = match &packet.transport {
        Some(TransportSlice::Tcp(tcp)) => tcp,
        _ => {
            let p = payload.payload;
            let ports = (p.len() >= 4).then(|| {
                (
                    src,
                    u16::from_be_bytes([p[0], p[1]]),
                    dst,
                    u16::from_be_bytes([p[2], p[3]]),
                )
            });
            return Err(Rejected {
                skip: classify_stop(&packet),
                ports,
            });
        }
    };
    // The IP length cannot exceed what the frame carried on the wire (orig_len):
    // Wireshark trusts the frame then ("IP length exceeds framing length").
    let ip_in_frame = (ip_start as usize).saturating_sub(record.data.as_ptr() as usize);
    let on_wire = (record.orig_len as usize).saturating_sub(ip_in_frame);
    let declared_end = declared_end.map(|d| d.min(on_wire));
    // Offset of the TCP header from the start of the IP header.
    let tcp_offset = (payload.payload.as_ptr() as usize).saturating_sub(ip_start as usize);
    let header_len = usize::from(tcp.data_offset()) * 4;
    let captured_len = tcp.payload().len();
    let len = match declared_end {
        Some(end) => end.checked_sub(tcp_offset + header_len).ok_or(Rejected {
            skip: Skip::Malformed,
            ports: Some((src, tcp.source_port(), dst, tcp.destination_port())),
        })?,
        None => captured_len,
    };
    let ip_len = declared_end.unwrap_or(tcp_offset + header_len + captured_len);
    Ok(Segment {
        frame: record.frame,
        ts: record.ts,
        src,
        dst,
        sport: tcp.source_port(),
        dport: tcp.destination_port(),
        seq: Seq(tcp.sequence_number()),
        ack: Seq(tcp.acknowledgment_number()),
        flags: Flags::from_header(tcp.header_slice()[12], tcp.header_slice()[13]),
        window: tcp.window_size(),
        len: len as u32,
        captured_len: captured_len.min(len) as u32,
        options: TcpOptions::parse(tcp.options()),
        ip_len: ip_len as u32,
    })
}

fn classify_stop(packet: &LaxSlicedPacket<'_>) -> Skip {
    use etherparse::err::packet::SliceError;
    match &packet.stop_err {
        Some((SliceError::Len(_), _)) => Skip::HeadersTruncated,
        Some(_) => Skip::Malformed,
        None => Skip::NotIp,
    }
}

#[cfg(test)]
mod tests;
