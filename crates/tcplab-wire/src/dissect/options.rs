//! TCP options that the analysis needs: MSS, window scale, SACK permitted,
//! SACK blocks and timestamps (RFC 9293, RFC 7323, RFC 2018). Parsed by hand
//! so that a malformed option list yields what precedes the damage instead
//! of nothing.

use crate::Seq;
use serde::Serialize;

/// Up to four SACK blocks `[left, right)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SackBlocks {
    blocks: [(Seq, Seq); 4],
    count: u8,
}

impl SackBlocks {
    pub fn as_slice(&self) -> &[(Seq, Seq)] {
        &self.blocks[..usize::from(self.count)]
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn push(&mut self, left: Seq, right: Seq) {
        if let Some(slot) = self.blocks.get_mut(usize::from(self.count)) {
            *slot = (left, right);
            self.count += 1;
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TcpOptions {
    pub mss: Option<u16>,
    /// Shift count as sent (values above 14 are used as 14, RFC 7323 §2.3).
    pub window_scale: Option<u8>,
    pub sack_permitted: bool,
    #[serde(skip)]
    pub sack: SackBlocks,
    /// (TSval, TSecr)
    pub timestamps: Option<(u32, u32)>,
    /// The option list ended in a malformed option.
    pub malformed: bool,
}

const END: u8 = 0;
const NOP: u8 = 1;
const MSS: u8 = 2;
const WSCALE: u8 = 3;
const SACK_PERMITTED: u8 = 4;
const SACK: u8 = 5;
const TIMESTAMPS: u8 = 8;

/// `NOP NOP TS`: what Linux, the BSDs and Windows put on every segment
/// but the handshake when timestamps are on.
const NOP_NOP_TS: [u8; 4] = [NOP, NOP, TIMESTAMPS, 10];

impl TcpOptions {
    /// The options in `bytes`. The layouts nearly every segment has are
    /// recognised whole ([`TcpOptions::common`]); anything else goes
    /// through the general loop (`parse_list`), which gives the same
    /// answer for those.
    #[inline(always)]
    pub fn parse(bytes: &[u8]) -> TcpOptions {
        TcpOptions::common(bytes).unwrap_or_else(|| TcpOptions::parse_list(bytes))
    }

    /// The layouts nearly every segment has: none, `NOP NOP TS`, and
    /// Linux's SYN and SYN-ACK (`MSS SACK-perm TS NOP WS`); `None` for any
    /// other list. Without a call in it, so that the fast dissector, which
    /// goes elsewhere for the others, keeps its fields in registers.
    #[inline(always)]
    pub(crate) fn common(bytes: &[u8]) -> Option<TcpOptions> {
        let mut opts = TcpOptions::default();
        match bytes {
            [] => {}
            [a, b, c, d, ts @ ..] if [*a, *b, *c, *d] == NOP_NOP_TS && ts.len() == 8 => {
                let val = u32::from_be_bytes([ts[0], ts[1], ts[2], ts[3]]);
                let ecr = u32::from_be_bytes([ts[4], ts[5], ts[6], ts[7]]);
                opts.timestamps = Some((val, ecr));
            }
            [MSS, 4, m0, m1, SACK_PERMITTED, 2, TIMESTAMPS, 10, ts @ .., NOP, WSCALE, 3, ws]
                if ts.len() == 8 =>
            {
                let val = u32::from_be_bytes([ts[0], ts[1], ts[2], ts[3]]);
                let ecr = u32::from_be_bytes([ts[4], ts[5], ts[6], ts[7]]);
                opts.mss = Some(u16::from_be_bytes([*m0, *m1]));
                opts.window_scale = Some(*ws);
                opts.sack_permitted = true;
                opts.timestamps = Some((val, ecr));
            }
            _ => return None,
        }
        Some(opts)
    }

    /// Any option list, one option at a time; a malformed option ends it
    /// (`malformed`), keeping what came before.
    #[inline(never)]
    pub(crate) fn parse_list(bytes: &[u8]) -> TcpOptions {
        let mut opts = TcpOptions::default();
        let mut at = 0;
        while let Some(&kind) = bytes.get(at) {
            match kind {
                END => break,
                NOP => {
                    at += 1;
                    continue;
                }
                _ => {}
            }
            let Some(&len) = bytes.get(at + 1) else {
                opts.malformed = true;
                break;
            };
            let len = usize::from(len);
            if len < 2 || at + len > bytes.len() {
                opts.malformed = true;
                break;
            }
            let value = &bytes[at + 2..at + len];
            match (kind, value.len()) {
                (MSS, 2) => opts.mss = Some(u16::from_be_bytes([value[0], value[1]])),
                (WSCALE, 1) => opts.window_scale = Some(value[0]),
                (SACK_PERMITTED, 0) => opts.sack_permitted = true,
                (SACK, n) if n % 8 == 0 => {
                    for block in value.chunks_exact(8) {
                        let left = u32::from_be_bytes([block[0], block[1], block[2], block[3]]);
                        let right = u32::from_be_bytes([block[4], block[5], block[6], block[7]]);
                        opts.sack.push(Seq(left), Seq(right));
                    }
                }
                (TIMESTAMPS, 8) => {
                    let val = u32::from_be_bytes([value[0], value[1], value[2], value[3]]);
                    let ecr = u32::from_be_bytes([value[4], value[5], value[6], value[7]]);
                    opts.timestamps = Some((val, ecr));
                }
                (MSS | WSCALE | SACK_PERMITTED | SACK | TIMESTAMPS, _) => opts.malformed = true,
                _ => {}
            }
            at += len;
        }
        opts
    }

    /// The effective shift count (RFC 7323: above 14 means 14).
    pub fn effective_window_scale(&self) -> Option<u8> {
        self.window_scale.map(|s| s.min(14))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_linux_syn_option_list() {
        // MSS 65495, SACK_PERM, TS val 1 ecr 0, NOP, WS 7
        let bytes = [
            2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
        ];
        let o = TcpOptions::parse(&bytes);
        assert_eq!(o.mss, Some(65495));
        assert!(o.sack_permitted);
        assert_eq!(o.timestamps, Some((1, 0)));
        assert_eq!(o.window_scale, Some(7));
        assert!(!o.malformed);
    }

    #[test]
    fn parses_sack_blocks() {
        let bytes = [1, 1, 5, 10, 0, 0, 0, 10, 0, 0, 0, 20];
        let o = TcpOptions::parse(&bytes);
        assert_eq!(o.sack.as_slice(), &[(Seq(10), Seq(20))]);
    }

    #[test]
    fn a_bad_length_keeps_what_came_before() {
        let bytes = [2, 4, 0x05, 0xb4, 3, 0, 7];
        let o = TcpOptions::parse(&bytes);
        assert_eq!(o.mss, Some(1460));
        assert!(o.malformed);
        assert_eq!(o.window_scale, None);
    }

    /// The recognised layouts answer exactly as the general loop does,
    /// and near misses (a longer list, another kind, a bad length) still
    /// go through it.
    #[test]
    fn recognised_layouts_match_the_general_loop() {
        let lists: [&[u8]; 11] = [
            &[],
            &[
                2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 20,
            ],
            &[
                2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 2, 7,
            ],
            &[
                2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 3, 3, 7,
            ],
            &[2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 1, 3, 3, 7],
            &[1, 1, 8, 10, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff],
            &[
                1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1, 5, 10, 0, 0, 0, 3, 0, 0, 0, 4,
            ],
            &[1, 1, 8, 9, 0, 0, 0, 1, 0, 0, 0, 2],
            &[1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2],
            &[1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0],
            &[0, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2],
        ];
        for bytes in lists {
            assert_eq!(
                TcpOptions::parse(bytes),
                TcpOptions::parse_list(bytes),
                "{bytes:?}"
            );
        }
        let o = TcpOptions::parse(lists[5]);
        assert_eq!(o.timestamps, Some((1, u32::MAX)));
        assert!(!o.malformed);
        let syn = TcpOptions::parse(lists[1]);
        assert_eq!(
            (
                syn.mss,
                syn.window_scale,
                syn.sack_permitted,
                syn.timestamps
            ),
            (Some(1460), Some(20), true, Some((1, 0)))
        );
    }

    #[test]
    fn huge_window_scale_is_clamped() {
        let o = TcpOptions::parse(&[3, 3, 20]);
        assert_eq!(o.effective_window_scale(), Some(14));
    }
}
