//! The stream table, in memory and with old streams on disk.

use super::key::Key;
use super::streams::{Meta, Streams};
use crate::disk::DiskError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

fn v4(a: u32, p: u16) -> (IpAddr, u16) {
    (IpAddr::V4(Ipv4Addr::from(a)), p)
}

fn v6(a: u128, p: u16) -> (IpAddr, u16) {
    (IpAddr::V6(Ipv6Addr::from(a)), p)
}

/// Key `i`: IPv4 for most, IPv6 for every fifth.
fn key(i: u32) -> Key {
    if i % 5 == 4 {
        Key::of(v6(u128::from(i) << 64 | 1, 443), v6(7, (i % 60_000) as u16)).0
    } else {
        Key::of(v4(i / 7, (i % 7) as u16), v4(1 << 30, 80)).0
    }
}

#[test]
fn both_directions_have_one_key() {
    let (k1, h1) = Key::of(v4(9, 80), v4(3, 4000));
    let (k2, h2) = Key::of(v4(3, 4000), v4(9, 80));
    assert_eq!(k1, k2);
    assert!(h1 && !h2);
    let a = (IpAddr::V6(Ipv6Addr::LOCALHOST), 1);
    let b = (IpAddr::V6(Ipv6Addr::UNSPECIFIED), 2);
    assert_eq!(Key::of(a, b).0, Key::of(b, a).0);
}

/// Every key finds its latest stream, whatever is in memory; keys reused
/// (a new stream on an old 4-tuple) find the new one.
fn latest_streams_are_found(max_hot: usize) -> Streams {
    let mut s = Streams::new(max_hot);
    let n = 5000u32;
    for i in 0..n {
        assert_eq!(s.find(&key(i)).expect("find"), None, "key {i}");
        assert_eq!(s.push(&key(i), i % 2 == 0).expect("push"), i);
    }
    // Port reuse on old keys (on disk when max_hot is small) and new ones.
    for (j, i) in [17u32, 4, 4999, 2500, 17].into_iter().enumerate() {
        assert!(s.find(&key(i)).expect("find").is_some());
        assert_eq!(s.push(&key(i), true).expect("push"), n + j as u32);
    }
    let latest = |i: u32| match i {
        17 => n + 4,
        4 => n + 1,
        4999 => n + 2,
        2500 => n + 3,
        _ => i,
    };
    for i in (0..n).rev().chain(0..n) {
        assert_eq!(s.find(&key(i)).expect("find"), Some(latest(i)), "key {i}");
    }
    for id in 0..n {
        let m = s.meta(id).expect("meta");
        assert_eq!(m.a_is_high, id % 2 == 0 || id >= n, "stream {id}");
    }
    assert_eq!(s.find(&key(n + 10)).expect("find"), None);
    s
}

#[test]
fn finds_the_latest_stream_of_each_key_in_memory() {
    let s = latest_streams_are_found(usize::MAX);
    assert!(s.runs.is_empty() && s.recs.disk_len() == 0);
    assert!(s.buckets.len() >= s.len() * 4 / 3);
}

#[test]
fn finds_the_latest_stream_of_each_key_on_disk_across_merges() {
    for max_hot in [1, 2, 3, 64, 1000] {
        let s = latest_streams_are_found(max_hot);
        assert!(
            s.recs.memory_len() + s.v6.memory_len() <= max_hot.max(1),
            "{max_hot}"
        );
        assert!(s.recs.disk_len() > 0 && s.v6.disk_len() > 0, "{max_hot}");
        assert!(s.buckets.len() <= 4 * max_hot + 64, "{max_hot}");
    }
}

#[test]
fn meta_of_a_stream_on_disk_changes_and_stays() {
    let mut s = Streams::new(4);
    let k = Key::of(v4(1, 2), v4(3, 4)).0;
    let id = s.push(&k, true).expect("push");
    let six = key(4);
    let id6 = s.push(&six, false).expect("push");
    for i in 100..200 {
        s.push(&key(i), false).expect("push");
    }
    assert!(s.recs.disk_len() > u64::from(id6));
    let m = Meta {
        a_is_high: true,
        base: [None, Some(u32::MAX)],
    };
    s.set_meta(id, m).expect("set");
    assert_eq!(s.meta(id).expect("meta"), m);
    assert_eq!(s.find(&k).expect("find"), Some(id));
    assert_eq!(s.find(&six).expect("find"), Some(id6));
    assert_eq!(std::mem::size_of::<super::streams::StreamRec>(), 21);
}

#[test]
fn old_streams_that_cannot_be_read_back_are_an_error() {
    let mut s = Streams::new(8);
    for i in 0..100 {
        s.push(&key(i), false).expect("push");
    }
    s.runs.damage();
    // (Keys on disk always pass the filter of new keys.)
    assert!(matches!(s.find(&key(3)), Err(DiskError::Read { .. })));
    // In memory: no disk needed.
    assert_eq!(s.find(&key(99)).expect("find"), Some(99));
    s.recs.damage();
    assert!(s.meta(1).is_err());
}

/// A key whose old stream was found on disk (and so remembered) gets a new
/// stream, which then goes to disk too: the new one is found, not the one
/// remembered.
#[test]
fn a_remembered_old_stream_gives_way_to_a_newer_one() {
    for max_hot in [1, 2, 3, 64] {
        let mut s = Streams::new(max_hot);
        for i in 0..300 {
            s.push(&key(i), false).expect("push");
        }
        assert_eq!(s.find(&key(7)).expect("find"), Some(7));
        let newer = s.push(&key(7), true).expect("push");
        assert_eq!(s.find(&key(7)).expect("find"), Some(newer));
        for i in 300..600 {
            s.push(&key(i), false).expect("push");
        }
        // Other keys in between, so the one-entry cache does not answer.
        assert_eq!(s.find(&key(8)).expect("find"), Some(8));
        assert_eq!(
            s.find(&key(7)).expect("find"),
            Some(newer),
            "max_hot {max_hot}"
        );
    }
}

/// A stream opened right after its key was not found goes where that
/// probe ended, and every key is still found after the table grows and
/// streams go to disk; a find of another key in between is not misled.
#[test]
fn the_bucket_a_miss_found_is_the_one_filled() {
    let mut s = Streams::new(256);
    for i in 0..2000u32 {
        assert_eq!(s.find(&key(i)).expect("find"), None, "key {i}");
        if i % 3 == 0 && i > 0 {
            // Another key looked up between the miss and the push.
            assert_eq!(s.find(&key(i / 2)).expect("find"), Some(i / 2));
        }
        assert_eq!(s.push(&key(i), false).expect("push"), i);
    }
    for i in 0..2000u32 {
        assert_eq!(s.find(&key(i)).expect("find"), Some(i), "key {i}");
    }
}

#[test]
fn a_bucket_holds_its_hash_bits_and_stream() {
    use super::index::Bucket;
    for (hash, stream) in [
        (0u64, 0u32),
        (u64::MAX, u32::MAX - 1),
        (0xdead_beef_0000_0001, 7),
    ] {
        let b = Bucket::new(hash, stream);
        assert_eq!(b.tag(), (hash >> 32) as u32);
        assert_eq!(b.stream(), Some(stream));
        assert_ne!(b.0, 0);
    }
    assert_eq!(Bucket(0).stream(), None);
}

/// A bucket whose hash bits match but whose stream is on another key is
/// passed over (a tag collision), and growing keeps every key findable.
#[test]
fn equal_hash_bits_on_another_key_are_passed_over() {
    use super::index::Bucket;
    let mut s = Streams::new(usize::MAX);
    for i in 0..40 {
        s.push(&key(i), false).expect("push");
    }
    let stranger = key(1000);
    let hash = s.hash(&stranger);
    let i = s.bucket_of(&stranger, hash);
    assert_eq!(s.buckets[i], 0);
    s.buckets[i] = Bucket::new(hash, 3).0;
    s.hot_keys += 1;
    assert_eq!(s.find(&stranger).expect("find"), None);
    assert_eq!(s.push(&stranger, true).expect("push"), 40);
    assert_eq!(s.find(&stranger).expect("find"), Some(40));
    // Growing (64 buckets, then 128, ...) moves buckets by their bits alone.
    for i in 41..200 {
        s.push(&key(i), false).expect("push");
    }
    assert_eq!(s.find(&stranger).expect("find"), Some(40));
    for i in (0..200).filter(|&i| i != 40) {
        assert_eq!(s.find(&key(i)).expect("find"), Some(i), "key {i}");
    }
}

/// A new key goes first in its probe sequence (at its home), the buckets
/// it passes moved one place further, and every key stays findable: after
/// each push, up to the highest load before the index grows, with keys
/// reused (port reuse keeps the key's bucket where it is).
#[test]
fn a_new_key_goes_first_and_every_key_stays_found() {
    use super::index::Bucket;
    let mut s = Streams::new(usize::MAX);
    let mut latest = Vec::new();
    for i in 0..3000u32 {
        let k = if i % 10 == 9 { key(i / 3) } else { key(i) };
        let hash = s.hash(&k);
        let reused = s.find(&k).expect("find");
        let id = s.push(&k, false).expect("push");
        let at = s.bucket_of(&k, hash);
        if reused.is_none() {
            assert_eq!(
                at,
                Bucket::home(Bucket::tag_of(hash), s.buckets.len()),
                "key {i}"
            );
            latest.push((k, id));
        } else {
            let old = latest.iter_mut().find(|(kk, _)| *kk == k).expect("seen");
            old.1 = id;
        }
        if i % 97 == 0 || i > 2900 {
            for (k, id) in &latest {
                assert_eq!(s.find(k).expect("find"), Some(*id));
            }
        }
    }
    assert!(
        s.hot_keys * 2 > s.buckets.len(),
        "high load: {}",
        s.hot_keys
    );
}
