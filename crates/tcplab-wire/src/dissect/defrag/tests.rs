use super::*;
use crate::capture::{LinkType, Record};
use crate::dissect::{dissect_reassembled, DecodeOptions, Descended};
use etherparse::PacketBuilder;

/// An IPv4/TCP datagram with `payload` bytes of data.
fn ipv4_datagram(payload: usize) -> Vec<u8> {
    let data: Vec<u8> = (0..payload).map(|i| (i * 7) as u8).collect();
    let mut out = Vec::new();
    PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
        .tcp(40000, 80, 1000, 500)
        .ack(1)
        .write(&mut out, &data)
        .expect("vec write");
    out
}

/// The IPv4 fragment of `whole` carrying payload bytes `from..to`.
fn ipv4_fragment(whole: &[u8], id: u16, from: usize, to: usize) -> Vec<u8> {
    let payload = &whole[20..];
    let mut out = whole[..20].to_vec();
    out.extend_from_slice(&payload[from..to]);
    out[2..4].copy_from_slice(&((20 + to - from) as u16).to_be_bytes());
    out[4..6].copy_from_slice(&id.to_be_bytes());
    let more = if to < payload.len() { 0x2000 } else { 0 };
    out[6..8].copy_from_slice(&(more | (from / 8) as u16).to_be_bytes());
    out
}

/// The IPv6 fragment (fragment header after the fixed header) of the
/// IPv6 datagram `whole` carrying payload bytes `from..to`.
fn ipv6_fragment(whole: &[u8], id: u32, from: usize, to: usize) -> Vec<u8> {
    let payload = &whole[40..];
    let mut out = whole[..40].to_vec();
    out[6] = 44;
    out[4..6].copy_from_slice(&((8 + to - from) as u16).to_be_bytes());
    let more = u16::from(to < payload.len());
    out.push(whole[6]);
    out.push(0);
    out.extend_from_slice(&(((from / 8) as u16) << 3 | more).to_be_bytes());
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&payload[from..to]);
    out
}

fn fragment(ip: &[u8]) -> Fragment<'_> {
    Fragment {
        ip,
        path: TunnelPath::default(),
        inside: None,
    }
}

fn push_all(d: &mut Defragmenter, pieces: &[Vec<u8>]) -> Vec<Pushed> {
    pieces
        .iter()
        .enumerate()
        .map(|(i, p)| d.push(i as u64 + 1, Timestamp(i as i64), &fragment(p)))
        .collect()
}

fn completed(pushed: Vec<Pushed>) -> Option<Reassembled> {
    let mut done = None;
    for p in pushed {
        if let Pushed::Complete(r) = p {
            assert!(done.is_none(), "completed twice");
            done = Some(*r);
        }
    }
    done
}

#[test]
fn ipv4_in_order_and_reversed_rebuild_the_datagram() {
    let whole = ipv4_datagram(3000);
    let pieces: Vec<Vec<u8>> = [(0, 1480), (1480, 2960), (2960, 3020)]
        .iter()
        .map(|&(a, b)| ipv4_fragment(&whole, 7, a, b))
        .collect();
    for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
        let mut d = Defragmenter::default();
        let shuffled: Vec<Vec<u8>> = order.iter().map(|&i| pieces[i].clone()).collect();
        let pushed = push_all(&mut d, &shuffled);
        assert_eq!(pushed[..2], [Pushed::Held, Pushed::Held], "{order:?}");
        let r = completed(pushed).expect("complete");
        assert_eq!(r.datagram[20..], whole[20..], "{order:?}");
        let header = etherparse::Ipv4Header::from_slice(&r.datagram)
            .expect("IPv4")
            .0;
        assert_eq!(header.calc_header_checksum(), header.header_checksum);
        assert_eq!(r.datagram[2..4], whole[2..4]);
        assert_eq!(r.datagram[6..8], [0, 0]);
        assert_eq!((r.frames, r.first_frame), (3, 1));
        assert_eq!(d.holding(), (0, 0));
        assert!(d.finish().is_empty());
    }
}

#[test]
fn the_rebuilt_datagram_yields_its_tcp_segment() {
    let whole = ipv4_datagram(2000);
    let pieces = vec![
        ipv4_fragment(&whole, 9, 0, 1000),
        ipv4_fragment(&whole, 9, 1000, 2020),
    ];
    let mut d = Defragmenter::default();
    let r = completed(push_all(&mut d, &pieces)).expect("complete");
    let completing = Record {
        frame: 12,
        offset: 0,
        ts: Timestamp(5),
        link: LinkType::Ethernet,
        orig_len: 0,
        data: &[],
        ts_valid: true,
    };
    let opts = DecodeOptions::default();
    let Ok(Descended::Tcp(found)) =
        dissect_reassembled(&completing, &r.datagram, r.path, r.inside, &opts)
    else {
        panic!("a TCP segment");
    };
    assert_eq!((found.segment.frame, found.segment.ts), (12, Timestamp(5)));
    assert_eq!(
        (found.segment.len, found.segment.captured_len),
        (2000, 2000)
    );
    assert_eq!(found.segment.seq.0, 1000);
}

#[test]
fn overlaps_must_agree_and_duplicates_are_harmless() {
    let whole = ipv4_datagram(2000);
    let same = vec![
        ipv4_fragment(&whole, 1, 0, 1200),
        ipv4_fragment(&whole, 1, 0, 1200),
        ipv4_fragment(&whole, 1, 800, 2020),
    ];
    let mut d = Defragmenter::default();
    let r = completed(push_all(&mut d, &same)).expect("complete");
    assert_eq!(r.datagram[20..], whole[20..]);
    assert_eq!(r.frames, 3);

    let mut differ = ipv4_fragment(&whole, 2, 800, 2020);
    differ[20] ^= 0xff;
    let mut d = Defragmenter::default();
    let pushed = push_all(&mut d, &[ipv4_fragment(&whole, 2, 0, 1200), differ]);
    assert!(completed(pushed).is_none());
    let lost = d.finish();
    assert_eq!(
        lost,
        [Lost {
            loss: Loss::Conflict,
            frames: 2,
            inside: None
        }]
    );
}

#[test]
fn a_missing_fragment_is_counted_with_every_frame_it_had() {
    let whole = ipv4_datagram(3000);
    let mut d = Defragmenter::default();
    let pushed = push_all(
        &mut d,
        &[
            ipv4_fragment(&whole, 3, 0, 1480),
            ipv4_fragment(&whole, 3, 2960, 3020),
        ],
    );
    assert!(completed(pushed).is_none());
    assert_eq!(d.take_lost().count(), 0);
    assert_eq!(
        d.finish(),
        [Lost {
            loss: Loss::Missing,
            frames: 2,
            inside: None
        }]
    );
}

#[test]
fn a_datagram_over_65535_bytes_is_refused() {
    let whole = ipv4_datagram(100);
    let mut last = ipv4_fragment(&whole, 4, 96, 120);
    // Offset 65528 bytes + 24 bytes > 65,535.
    last[6..8].copy_from_slice(&(65528u16 / 8).to_be_bytes());
    let mut d = Defragmenter::default();
    push_all(&mut d, &[ipv4_fragment(&whole, 4, 0, 96), last]);
    assert_eq!(
        d.finish(),
        [Lost {
            loss: Loss::TooLarge,
            frames: 2,
            inside: None
        }]
    );
}

#[test]
fn ipv6_fragments_lose_their_fragment_header() {
    let data: Vec<u8> = (0..2000).map(|i| i as u8).collect();
    let mut whole = Vec::new();
    PacketBuilder::ipv6([0x20; 16], [0x21; 16], 64)
        .tcp(40000, 80, 77, 500)
        .write(&mut whole, &data)
        .expect("vec write");
    let mut d = Defragmenter::default();
    let pushed = push_all(
        &mut d,
        &[
            ipv6_fragment(&whole, 0xdead, 1232, 2020),
            ipv6_fragment(&whole, 0xdead, 0, 1232),
        ],
    );
    let r = completed(pushed).expect("complete");
    assert_eq!(r.datagram, whole);
}

#[test]
fn keys_keep_datagrams_apart() {
    let whole = ipv4_datagram(2000);
    let mut d = Defragmenter::default();
    let pushed = push_all(
        &mut d,
        &[
            ipv4_fragment(&whole, 1, 0, 1000),
            ipv4_fragment(&whole, 2, 0, 1000),
            ipv4_fragment(&whole, 2, 1000, 2020),
        ],
    );
    assert!(completed(pushed).is_some());
    assert_eq!(d.holding().0, 1);
}

#[test]
fn age_and_limits_bound_what_is_held() {
    let whole = ipv4_datagram(3000);
    let first = |id| ipv4_fragment(&whole, id, 0, 1480);
    let limits = Limits {
        max_pending: 4,
        max_bytes: 1 << 20,
        max_age_ns: 1_000,
    };
    let mut d = Defragmenter::new(limits);
    for id in 0..10u16 {
        d.push(
            u64::from(id),
            Timestamp(i64::from(id)),
            &fragment(&first(id)),
        );
        assert!(d.holding().0 <= 4);
    }
    let evicted: u32 = d
        .take_lost()
        .map(|l| {
            assert_eq!(l.loss, Loss::Evicted);
            l.frames
        })
        .sum();
    assert_eq!(evicted, 6);
    // 2 µs later every datagram has timed out.
    d.push(11, Timestamp(2_000 + 10), &fragment(&first(99)));
    let timed_out = d.take_lost().filter(|l| l.loss == Loss::TimedOut).count();
    assert_eq!(timed_out, 4);
    assert_eq!(d.holding().0, 1);

    let mut small = Defragmenter::new(Limits {
        max_bytes: 4000,
        ..Limits::default()
    });
    for id in 0..20u16 {
        small.push(1, Timestamp(0), &fragment(&first(id)));
        assert!(small.holding().1 <= 4000 + 2048, "{:?}", small.holding());
    }
    assert!(small.take_lost().count() > 10);
}

#[test]
fn a_fragment_cut_by_the_snap_length_is_named() {
    let whole = ipv4_datagram(3000);
    let mut cut = ipv4_fragment(&whole, 5, 0, 1480);
    cut.truncate(200);
    let mut d = Defragmenter::default();
    d.push(1, Timestamp(0), &fragment(&cut));
    assert_eq!(
        d.take_lost().collect::<Vec<_>>(),
        [Lost {
            loss: Loss::CutOff,
            frames: 1,
            inside: None
        }]
    );
}

proptest::proptest! {
    /// Whatever bytes claim to be fragments, nothing panics, the limits
    /// hold, and every frame pushed is accounted for: reassembled, or lost
    /// with a reason.
    #[test]
    fn any_fragments_stay_within_limits_and_are_accounted_for(
        pieces in proptest::collection::vec(
            (0u16..4, 0u16..200, proptest::bool::ANY, 0usize..120, proptest::bool::ANY),
            1..60,
        )
    ) {
        let whole = ipv4_datagram(1600);
        let mut whole6 = Vec::new();
        PacketBuilder::ipv6([0x20; 16], [0x21; 16], 64)
            .tcp(40000, 80, 77, 500)
            .write(&mut whole6, &whole[40..])
            .expect("vec write");
        let limits = Limits { max_pending: 3, max_bytes: 8192, max_age_ns: 50 };
        let mut d = Defragmenter::new(limits);
        let mut accounted = 0u64;
        for (i, &(id, offset, more, len, v6)) in pieces.iter().enumerate() {
            let start = usize::from(offset) * 8 % 1600;
            let end = (start + len).min(1600);
            let mut ip = if v6 {
                ipv6_fragment(&whole6, u32::from(id), start, end)
            } else {
                ipv4_fragment(&whole, id, start, end)
            };
            if !more && !v6 {
                ip[6] &= !0x20;
            }
            if let Pushed::Complete(r) = d.push(i as u64, Timestamp(i as i64 * 10), &fragment(&ip)) {
                accounted += u64::from(r.frames);
            }
            accounted += d.take_lost().map(|l| u64::from(l.frames)).sum::<u64>();
            let (pending, held) = d.holding();
            proptest::prop_assert!(pending <= 3);
            proptest::prop_assert!(held <= 8192 + 65536);
        }
        accounted += d.finish().iter().map(|l| u64::from(l.frames)).sum::<u64>();
        proptest::prop_assert_eq!(accounted, pieces.len() as u64);
    }
}
