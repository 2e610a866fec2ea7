//! TCP flags and their letters (`FSRPAUEC`): the one table that writes
//! them and reads them back.

use std::fmt;
use std::str::FromStr;

/// TCP header flags (the low 8 bits of the flags field).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(pub u8);

impl Flags {
    pub const FIN: u8 = 0x01;
    pub const SYN: u8 = 0x02;
    pub const RST: u8 = 0x04;
    pub const PSH: u8 = 0x08;
    pub const ACK: u8 = 0x10;
    pub const URG: u8 = 0x20;
    pub const ECE: u8 = 0x40;
    pub const CWR: u8 = 0x80;

    pub fn has(self, bits: u8) -> bool {
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
}

/// The flags' letters, in the order they are written (`FSRPAUEC`, the
/// order of their bits): the one table that writes them
/// ([`Flags::letters`], `Display`, serde) and reads them back (`FromStr`).
const LETTERS: [(u8, char); 8] = [
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
            if bits as u8 & bit != 0 {
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
    /// no flag is set.
    pub fn letters(self) -> &'static str {
        LETTER_TEXT[usize::from(self.0)]
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
        write!(f, "Flags({self})")
    }
}
