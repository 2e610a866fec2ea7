//! The built-in payload sent when no file is given: about 150 KB of text,
//! the same bytes on every run (a fixed-seed generator), with numbered lines
//! so that a student can find any byte of it in the capture.

/// Size of the built-in payload (close to the lab's alice30.txt, 148,495 bytes).
pub const DEFAULT_SIZE: usize = 150_000;
pub const DEFAULT_NAME: &str = "tcplab-payload.txt";

const WORDS: [&str; 24] = [
    "segment",
    "window",
    "ack",
    "sequence",
    "handshake",
    "socket",
    "stream",
    "byte",
    "timer",
    "retransmit",
    "congestion",
    "slow",
    "start",
    "receiver",
    "sender",
    "buffer",
    "flow",
    "control",
    "port",
    "listen",
    "accept",
    "connect",
    "close",
    "echo",
];

/// Largest generated payload (the run keeps it in memory twice).
pub const MAX_SIZE: u64 = 1 << 30;

/// `150000`, `150k`, `5M`, `1G` (SI multiples of bytes).
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1e3),
        Some((i, 'M')) => (&t[..i], 1e6),
        Some((i, 'G')) => (&t[..i], 1e9),
        _ => (t, 1.0),
    };
    let bytes = num
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 1.0)
        .map(|v| (v * mult).round())
        .ok_or_else(|| format!("{s:?}: expected a size in bytes such as 150000, 150k or 5M"))?;
    if bytes > MAX_SIZE as f64 {
        return Err(format!("{s:?}: at most {MAX_SIZE} bytes"));
    }
    Ok(bytes as usize)
}

/// A file tcplab can copy (`run-and-capture`, `compare`, `send-file`): a
/// regular file (a device such as `/dev/zero`, a pipe or a directory is
/// refused at once, before anything is made) of at most [`MAX_SIZE`] bytes
/// (the copy is kept in memory). Its size.
pub fn check_file(path: &std::path::Path) -> Result<u64, super::RunError> {
    let meta = std::fs::metadata(path).map_err(super::io_err(path))?;
    let kind = meta.file_type();
    let what = if kind.is_dir() {
        "a directory"
    } else if kind.is_file() {
        ""
    } else {
        use std::os::unix::fs::FileTypeExt;
        match () {
            _ if kind.is_char_device() || kind.is_block_device() => "a device",
            _ if kind.is_fifo() => "a pipe",
            _ if kind.is_socket() => "a socket",
            _ => "not a file",
        }
    };
    if !what.is_empty() {
        return Err(super::RunError::NotAFile {
            path: path.to_path_buf(),
            what,
        });
    }
    if meta.len() > MAX_SIZE {
        return Err(super::RunError::TooLarge {
            path: path.to_path_buf(),
            bytes: meta.len(),
        });
    }
    Ok(meta.len())
}

/// Deterministic text of exactly `size` bytes, in lines ending in `\n`.
pub fn generate(size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 80);
    // xorshift64: small, fast, and the same everywhere.
    let mut state: u64 = 0x7463_706c_6162_2021;
    let mut line = 1u32;
    while out.len() < size {
        let mut text = format!("{line:05} tcplab payload:");
        for _ in 0..8 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push(' ');
            text.push_str(WORDS[(state % WORDS.len() as u64) as usize]);
        }
        text.push('\n');
        out.extend_from_slice(text.as_bytes());
        line += 1;
    }
    out.truncate(size);
    if let Some(last) = out.last_mut() {
        *last = b'\n';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_deterministic_text_of_the_requested_size() {
        let a = generate(DEFAULT_SIZE);
        assert_eq!(a.len(), DEFAULT_SIZE);
        assert_eq!(parse_size("5M"), Ok(5_000_000));
        assert_eq!(parse_size("150k"), Ok(150_000));
        assert_eq!(parse_size("1234"), Ok(1234));
        assert!(parse_size("0").is_err());
        assert!(parse_size("lots").is_err());
        assert!(parse_size("2G").is_err());
        assert_eq!(a, generate(DEFAULT_SIZE));
        assert!(a.starts_with(b"00001 tcplab payload: "));
        assert!(a.ends_with(b"\n"));
        assert!(a.iter().all(|b| b.is_ascii()));
    }
}
