//! The connection table's hash: FxHash (multiply-rotate, as in rustc),
//! seeded per process. SipHash, std's default, cost an eighth of the whole
//! analysis on large captures (bench/FINDINGS.md); a capture file is local
//! input, and a random seed keeps collisions from being precomputed.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

const K: u64 = 0x517c_c1b7_2722_0a95;

#[derive(Clone, Copy, Debug)]
pub struct SeededFx {
    seed: u64,
}

impl Default for SeededFx {
    fn default() -> SeededFx {
        SeededFx {
            seed: RandomState::new().hash_one(0x7463_706c_6162u64),
        }
    }
}

impl BuildHasher for SeededFx {
    type Hasher = Fx;
    fn build_hasher(&self) -> Fx {
        Fx(self.seed)
    }
}

pub struct Fx(u64);

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }
    fn write_u16(&mut self, n: u16) {
        self.add(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
    fn finish(&self) -> u64 {
        // Fold the high bits down: hashbrown takes its control bits from the top.
        self.0 ^ (self.0 >> 29)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn spreads_ports_and_addresses() {
        let build = SeededFx::default();
        let hashes: HashSet<u64> = (0..10_000u32)
            .map(|p| build.hash_one((std::net::Ipv4Addr::LOCALHOST, 5000u16, p as u16, p)))
            .collect();
        assert_eq!(hashes.len(), 10_000);
    }
}
