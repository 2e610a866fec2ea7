//! TCP flags and their letters (`FSRPAUEC`): the one table that writes
//! them and reads them back; the reserved bits above them by name.

use std::fmt;
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
