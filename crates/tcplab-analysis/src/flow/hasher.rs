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
        // The state through a full 64-bit finalizer (MurmurHash3's fmix64):
        // the index takes a bucket's home from the top bits, and without
        // one, keys that differ only in a few low bits (one client's
        // consecutive ports) crowded together there (7 to 16 probes per
        // new key at load 1/2 instead of 1.4); a single multiply left
        // some seeds 4 % short of random spreading.
        let mut h = self.0;
        h = (h ^ (h >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        h = (h ^ (h >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
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

    /// Keys that differ only in their low bits (one client's consecutive
    /// ports) spread over the top bits, where the index takes its buckets
    /// from: 30,000 of them in 65,536 buckets of their top 16 bits.
    #[test]
    fn consecutive_ports_spread_over_the_top_bits() {
        let build = SeededFx::default();
        let addr = u64::from(u32::from(std::net::Ipv4Addr::LOCALHOST));
        let buckets: HashSet<u64> = (0..30_000u32)
            .map(|i| build.hash_one((addr << 32 | addr, 5002u32 << 16 | (20_000 + i))) >> 48)
            .collect();
        // Random hashes fill about 24,070 buckets (65,536 × (1 − e^(−30,000/65,536))),
        // give or take 57 (one standard deviation): 23,600 is eight below,
        // which no seed reaches by chance. Keys crowding together fill far
        // fewer: FxHash's state without the finalizer fills about 19,400.
        assert!(buckets.len() > 23_600, "{}", buckets.len());
    }
}
