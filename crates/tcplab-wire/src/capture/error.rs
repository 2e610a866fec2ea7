//! What can go wrong while reading a capture file. Every variant names the
//! file, and record-level ones the record number and byte offset, so the
//! one-line message tells the user where the damage is.

use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CaptureError {
    #[error("{}: cannot open: {source}", path.display())]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: read error at byte {offset}: {source}", path.display())]
    Io {
        path: PathBuf,
        offset: u64,
        source: std::io::Error,
    },
    #[error("{}: only {got} bytes, too short for a capture file header ({needed} bytes); is the file complete?", path.display())]
    TooShort {
        path: PathBuf,
        got: usize,
        needed: usize,
    },
    #[error("{}: not a pcap or pcapng file (first bytes {magic:02x?}); give a capture written by tcpdump, Wireshark or tcplab", path.display())]
    NotACapture { path: PathBuf, magic: [u8; 4] },
    #[error("{}: record {frame} at byte {offset}: {what} is cut off ({available} of {wanted} bytes present); the file ends in the middle of a record (was the capture interrupted?)", path.display())]
    Truncated {
        path: PathBuf,
        frame: u64,
        offset: u64,
        what: &'static str,
        wanted: u64,
        available: u64,
    },
    #[error("{}: record {frame} at byte {offset}: {field} claims {claimed} bytes, more than the limit of {limit}; the file is damaged from here on", path.display())]
    AbsurdLength {
        path: PathBuf,
        frame: u64,
        offset: u64,
        field: &'static str,
        claimed: u64,
        limit: u64,
    },
    #[error("{}: link type {link} is not supported: tcplab stops at the link layer. It reads Ethernet (1), BSD NULL (0) and LOOP (108), Linux SLL (113) and SLL2 (276), raw IP (101, 228, 229), PPP (9, 50), Cisco HDLC (104), 802.11 (105) and radiotap (127), ARCNET (7, 129), Juniper Ethernet (178) and IPoIB (242); if the frames are in fact one of those, relabel the file with `editcap -T <encapsulation>`, otherwise export the packets from Wireshark as Ethernet or raw IP", path.display())]
    UnsupportedLink { path: PathBuf, link: u32 },
    #[error("{}: block at byte {offset}: {reason}; the file is damaged from here on", path.display())]
    BadBlock {
        path: PathBuf,
        offset: u64,
        reason: String,
    },
}

impl CaptureError {
    pub(crate) fn io(path: &std::path::Path, offset: u64, source: std::io::Error) -> CaptureError {
        CaptureError::Io {
            path: path.to_path_buf(),
            offset,
            source,
        }
    }

    /// True when records before this error were read and are worth analysing
    /// (damage in the middle or at the end, not an unreadable file).
    pub fn is_mid_file(&self) -> bool {
        matches!(
            self,
            CaptureError::Truncated { .. }
                | CaptureError::AbsurdLength { .. }
                | CaptureError::BadBlock { .. }
                | CaptureError::Io { .. }
        )
    }
}
