use super::*;
use etherparse::PacketBuilder;

fn record(link: LinkType, data: &[u8]) -> Record<'_> {
    Record {
        frame: 7,
        offset: 24,
        ts: Timestamp(1_000),
        link,
        orig_len: data.len() as u32,
        data,
        ts_valid: true,
    }
}

fn ipv4_tcp(payload: &[u8]) -> Vec<u8> {
    let builder = PacketBuilder::ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
        .tcp(40000, 5000, 1000, 65535)
        .ack(2000)
        .psh();
    let mut out = Vec::new();
    builder
        .write(&mut out, payload)
        .expect("writing to a Vec cannot fail");
    out
}

#[test]
fn ethernet_ipv4_tcp_segment() {
    let builder = PacketBuilder::ethernet2([1; 6], [2; 6])
        .ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64)
        .tcp(40000, 5000, 4_294_967_000, 512)
        .syn();
    let mut data = Vec::new();
    builder.write(&mut data, &[]).expect("vec write");
    let seg = dissect(&record(LinkType::Ethernet, &data)).expect("a TCP segment");
    assert_eq!(seg.frame, 7);
    assert_eq!(seg.seq, Seq(4_294_967_000));
    assert_eq!(seg.flags.to_string(), "S");
    assert_eq!(seg.len, 0);
    assert_eq!(seg.next_seq(), Seq(4_294_967_001));
}

#[test]
fn payload_length_comes_from_ip_even_when_truncated() {
    let data = ipv4_tcp(&[b'x'; 1000]);
    let mut rec = record(LinkType::Raw, &data[..96]);
    rec.orig_len = data.len() as u32;
    let seg = dissect(&rec).expect("headers are complete");
    assert_eq!(seg.len, 1000);
    assert_eq!(seg.captured_len, 96 - 40);
    assert!(seg.payload_missing());
    assert_eq!(seg.flags.to_string(), "PA");
}

#[test]
fn ip_length_beyond_the_frame_on_the_wire_is_not_trusted() {
    let data = ipv4_tcp(&[b'x'; 100]);
    // The frame itself was only 60 bytes long on the wire: trust the frame.
    let seg = dissect(&record(LinkType::Raw, &data[..60])).expect("headers are complete");
    assert_eq!(seg.len, 20);
}

#[test]
fn a_bare_ip_packet_is_a_whole_raw_record() {
    let v4 = ipv4_tcp(b"hello");
    let mut v6 = Vec::new();
    PacketBuilder::ipv6([0; 16], [1; 16], 64)
        .tcp(1, 2, 3, 4)
        .write(&mut v6, b"xyz")
        .expect("vec write");
    for data in [&v4, &v6] {
        let mut rec = record(LinkType::Raw, data);
        rec.frame = 0;
        rec.ts = Timestamp(0);
        assert_eq!(dissect_ip(data), dissect(&rec));
    }
    assert_eq!(dissect_ip(&v4).map(|s| s.len), Ok(5));
    assert_eq!(dissect_ip(&v6).map(|s| s.len), Ok(3));
    assert!(dissect_ip(&[0x45, 0, 0]).is_err());
}

#[test]
fn headers_cut_off_are_reported() {
    let data = ipv4_tcp(b"hello");
    assert_eq!(
        dissect(&record(LinkType::Raw, &data[..30]))
            .err()
            .map(|r| r.skip),
        Some(Skip::HeadersTruncated)
    );
}

#[test]
fn null_loopback_in_either_byte_order() {
    let ip = ipv4_tcp(b"abc");
    for family in [2u32.to_le_bytes(), 2u32.to_be_bytes()] {
        let mut data = family.to_vec();
        data.extend_from_slice(&ip);
        let seg = dissect(&record(LinkType::Null, &data)).expect("segment");
        assert_eq!(seg.len, 3);
    }
}

#[test]
fn linux_sll2_header_is_peeled() {
    let mut data = vec![
        0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0,
    ];
    data.extend_from_slice(&ipv4_tcp(b"abcd"));
    let seg = dissect(&record(LinkType::LinuxSll2, &data)).expect("segment");
    assert_eq!(seg.len, 4);
    assert_eq!(seg.dport, 5000);
}

#[test]
fn vlan_tagged_ethernet() {
    let builder = PacketBuilder::ethernet2([1; 6], [2; 6])
        .single_vlan(etherparse::VlanId::try_new(42).expect("valid id"))
        .ipv6([0; 16], [1; 16], 64)
        .tcp(1, 2, 3, 4);
    let mut data = Vec::new();
    builder.write(&mut data, b"xy").expect("vec write");
    let seg = dissect(&record(LinkType::Ethernet, &data)).expect("segment");
    assert_eq!(seg.len, 2);
    assert!(seg.src.is_ipv6());
}

#[test]
fn udp_and_garbage_are_skipped_with_a_reason() {
    let builder = PacketBuilder::ipv4([1, 1, 1, 1], [2, 2, 2, 2], 9).udp(1, 2);
    let mut data = Vec::new();
    builder.write(&mut data, b"x").expect("vec write");
    assert_eq!(
        dissect(&record(LinkType::Raw, &data)).err().map(|r| r.skip),
        Some(Skip::NotTcp)
    );
    assert!(dissect(&record(LinkType::Raw, &[0x99; 40])).is_err());
    assert_eq!(
        dissect(&record(LinkType::Other(147), &data))
            .err()
            .map(|r| r.skip),
        Some(Skip::UnsupportedLink(147))
    );
}

/// The hand-written fast path and etherparse agree on every packet of every
/// committed capture (and on every prefix of a few packets, to exercise
/// cut-off headers).
#[test]
fn fast_path_agrees_with_the_general_one_on_every_capture() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/data") {
        let path = entry.expect("dir entry").path();
        let Ok(mut reader) = crate::capture::open(&path) else {
            continue;
        };
        while let Ok(Some(rec)) = reader.next_record() {
            for cut in [rec.data.len(), 60, 54, 40, 34, 20] {
                let mut r = rec;
                r.data = &rec.data[..cut.min(rec.data.len())];
                if let Some(fast) = super::fast::ipv4_tcp(&r) {
                    assert_eq!(
                        Ok(fast),
                        dissect_general(&r, &DecodeOptions::default()).map(|d| d.segment),
                        "{} frame {}",
                        path.display(),
                        rec.frame
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 1000, "the fast path was exercised ({checked})");
}

/// Options in a layout the fast path recognises whole and options it
/// hands to the general loop (SACK blocks, wrapping around zero; MSS
/// alone; a malformed list) come out of it exactly as out of etherparse.
#[test]
fn fast_path_agrees_on_common_and_other_option_layouts() {
    let lists: [&[u8]; 6] = [
        &[],
        &[1, 1, 8, 10, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff],
        &[
            2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
        ],
        &[1, 1, 5, 10, 0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 16],
        &[2, 4, 5, 0xb4],
        &[2, 4, 5, 0xb4, 3, 0, 7, 0],
    ];
    for options in lists {
        let builder = PacketBuilder::ethernet2([1; 6], [2; 6])
            .ipv4([10, 0, 0, 1], [10, 0, 0, 2], 64)
            .tcp(40000, 5000, 1000, 65535)
            .options_raw(options)
            .expect("a whole number of 32-bit words")
            .ack(2000);
        let mut data = Vec::new();
        builder.write(&mut data, b"abc").expect("vec write");
        let r = record(LinkType::Ethernet, &data);
        let fast = super::fast::ipv4_tcp(&r).expect("plain IPv4/TCP");
        assert_eq!(fast.options, TcpOptions::parse(options), "{options:?}");
        assert_eq!(fast.len, 3, "{options:?}");
        assert_eq!(
            Ok(fast),
            dissect_general(&r, &DecodeOptions::default()).map(|d| d.segment),
            "{options:?}"
        );
    }
}

#[test]
fn flag_letters_are_written_and_read_back() {
    assert_eq!(Flags(0).letters(), "");
    assert_eq!(Flags(Flags::SYN).letters(), "S");
    assert_eq!(Flags(Flags::SYN | Flags::ACK).letters(), "SA");
    assert_eq!(Flags(Flags::PSH | Flags::ACK).letters(), "PA");
    assert_eq!(Flags(0xff).letters(), "FSRPAUEC");
    assert_eq!(Flags(Flags::FIN | Flags::ACK).to_string(), "FA");
    for bits in 0..=255u16 {
        let letters = Flags(bits).letters();
        // One letter per bit, in bit order.
        assert_eq!(letters.len(), bits.count_ones() as usize);
        assert_eq!(letters.parse(), Ok(Flags(bits)), "{letters}");
    }
    assert_eq!("AP".parse(), Ok(Flags(Flags::PSH | Flags::ACK)));
    assert_eq!("AA".parse(), Ok(Flags(Flags::ACK)));
    assert_eq!("SX".parse::<Flags>(), Err(NotAFlagLetter('X')));
    assert_eq!("s".parse::<Flags>(), Err(NotAFlagLetter('s')));
}

#[test]
fn reserved_flag_bits_are_kept_and_named_but_have_no_letter() {
    // Byte 12: data offset 8 (32 bytes), AE and 0x800 set; byte 13: SYN, ACK.
    let f = Flags::from_header(0x89, 0x12);
    assert_eq!(f.0, 0x912);
    assert!(f.is_syn_ack());
    assert_eq!(f.classic(), 0x12);
    assert_eq!(f.letters(), "SA");
    assert_eq!(f.to_string(), "SA");
    assert_eq!(f.reserved_names(), "AE+0x800");
    assert_eq!(f.describe(), "SA+AE+0x800");
    assert_eq!(Flags::from_header(0x51, 0x10).describe(), "A+AE");
    assert_eq!(Flags::from_header(0x50, 0x18).describe(), "PA");
    for bits in 0..16u16 {
        let names = Flags(bits << 8).reserved_names();
        assert_eq!(names.is_empty(), bits == 0);
        assert_eq!(
            names.split('+').filter(|n| !n.is_empty()).count(),
            bits.count_ones() as usize
        );
        assert_eq!(names.contains("AE"), bits & 1 == 1, "{names}");
    }
}
