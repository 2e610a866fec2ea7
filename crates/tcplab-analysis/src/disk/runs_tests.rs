//! The runs: equal hashes across blocks and merges, read failures.

use super::runs::{Entry, RunIndex};
use super::DiskError;

/// A hash with few distinct values, so that equal hashes straddle blocks.
fn hash(key: u32) -> u64 {
    u64::from(key % 5000).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// Hashes whose top halves (the fences) are often equal.
fn hash_of_few_fences(key: u32) -> u64 {
    u64::from(key % 300) << 32 | u64::from(key % 7000)
}

#[test]
fn finds_the_newest_stream_of_each_key_across_merges() {
    newest_streams_are_found(hash);
    newest_streams_are_found(hash_of_few_fences);
}

fn newest_streams_are_found(hash: fn(u32) -> u64) {
    let mut index = RunIndex::new(1 << 16);
    // Stream `id` has key `keys[id]`; keys repeat (port reuse).
    let mut keys: Vec<u32> = Vec::new();
    let mut next_key = 0u32;
    for batch in 0..40u32 {
        let size = 1 + (batch * 37 % 900);
        let mut entries = Vec::new();
        for _ in 0..size {
            let key = if next_key.is_multiple_of(3) {
                next_key / 7
            } else {
                next_key
            };
            next_key += 1;
            let id = keys.len() as u32;
            keys.push(key);
            entries.push((hash(key), id));
        }
        index.add(&mut entries).expect("added");
        assert!(index.run_count() <= 8, "{} runs", index.run_count());
    }
    let mut newest = std::collections::HashMap::new();
    for (id, key) in keys.iter().enumerate() {
        newest.insert(*key, id as u32);
    }
    for (key, id) in &newest {
        let found = index.find(hash(*key), |s| Ok(keys[s as usize] == *key));
        assert_eq!(found.expect("read"), Some(*id), "key {key}");
    }
    let found = index.find(hash(999_999), |s| Ok(keys[s as usize] == 999_999));
    assert_eq!(found.expect("read"), None);
}

#[test]
fn a_run_that_cannot_be_read_back_is_an_error() {
    let mut index = RunIndex::new(1 << 16);
    let mut entries: Vec<Entry> = (0..1000).map(|i| (hash(i), i)).collect();
    index.add(&mut entries).expect("added");
    index.damage();
    assert!(matches!(
        index.find(hash(10), |_| Ok(true)),
        Err(DiskError::Read { .. })
    ));
}
