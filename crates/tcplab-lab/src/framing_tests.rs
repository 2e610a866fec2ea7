use super::*;
use proptest::prelude::*;

fn decode_all(width: HeaderWidth, chunks: &[&[u8]]) -> Result<Vec<Vec<u8>>, FrameError> {
    let mut decoder = Decoder::new(width);
    let mut messages = Vec::new();
    for chunk in chunks {
        decoder.feed(chunk);
        while let Some(message) = decoder.next_message()? {
            messages.push(message);
        }
    }
    decoder.finish()?;
    Ok(messages)
}

#[test]
fn encodes_like_the_labs_encapsula() {
    // Python: '{:0>6n}'.format(len(m)) + ':' + m
    assert_eq!(encode(HeaderWidth::LAB, b"hola").unwrap(), b"000004:hola");
    assert_eq!(encode(HeaderWidth::LAB, b"").unwrap(), b"000000:");
    let big = vec![b'x'; 999_999];
    let apdu = encode(HeaderWidth::LAB, &big).unwrap();
    assert_eq!(&apdu[..7], b"999999:");
    assert_eq!(apdu.len(), 7 + 999_999);
}

#[test]
fn refuses_payloads_that_do_not_fit() {
    let err = encode(HeaderWidth::LAB, &vec![0; 1_000_000]).unwrap_err();
    assert_eq!(
        err,
        FrameError::PayloadTooLarge {
            len: 1_000_000,
            width: HeaderWidth::LAB,
            max: 999_999,
            needed: 7
        }
    );
    assert!(err.to_string().contains("at least 7 digits"), "{err}");
    let two = HeaderWidth::new(2).unwrap();
    assert_eq!(two.max_len(), 99);
    assert!(encode(two, &[0; 100]).is_err());
    assert_eq!(encode(two, &[b'a'; 99]).unwrap()[..3], *b"99:");
}

#[test]
fn widths_are_bounded() {
    assert!(HeaderWidth::new(0).is_err());
    assert!(HeaderWidth::new(MAX_DIGITS + 1).is_err());
    assert_eq!(
        HeaderWidth::new(MAX_DIGITS).unwrap().max_len(),
        10u64.pow(18) - 1
    );
    assert_eq!(HeaderWidth::fitting(0).unwrap().digits(), 1);
    assert_eq!(HeaderWidth::fitting(148_495).unwrap().digits(), 6);
    assert_eq!(HeaderWidth::fitting(1_000_000).unwrap().digits(), 7);
}

#[test]
fn decodes_several_messages_in_one_chunk_including_colons_and_empty() {
    let stream = b"000003:a:b000000:000001::";
    let messages = decode_all(HeaderWidth::LAB, &[stream]).unwrap();
    assert_eq!(messages, vec![b"a:b".to_vec(), Vec::new(), b":".to_vec()]);
}

#[test]
fn decodes_byte_by_byte() {
    let stream = b"000004:hola000005:adios";
    let chunks: Vec<&[u8]> = stream.chunks(1).collect();
    let messages = decode_all(HeaderWidth::LAB, &chunks).unwrap();
    assert_eq!(messages, vec![b"hola".to_vec(), b"adios".to_vec()]);
}

#[test]
fn non_digit_names_offset_and_bytes() {
    let mut decoder = Decoder::new(HeaderWidth::LAB);
    decoder.feed(b"000002:okhello\n");
    assert_eq!(decoder.next_message().unwrap(), Some(b"ok".to_vec()));
    let err = decoder.next_message().unwrap_err();
    assert_eq!(
        err,
        FrameError::NonDigit {
            offset: 9,
            width: HeaderWidth::LAB,
            header: ShownBytes(b"hello\n".to_vec())
        }
    );
    let text = err.to_string();
    assert!(
        text.contains("stream byte 9") && text.contains("\"hello\\n\""),
        "{text}"
    );
    // Errors stick: the stream cannot be resynchronised.
    decoder.feed(b"000001:x");
    assert!(decoder.next_message().is_err());
}

#[test]
fn non_digit_is_reported_before_the_header_is_complete() {
    let mut decoder = Decoder::new(HeaderWidth::LAB);
    decoder.feed(b"12a");
    assert!(matches!(
        decoder.next_message(),
        Err(FrameError::NonDigit { offset: 0, .. })
    ));
}

#[test]
fn missing_separator_and_oversized_length() {
    let err = decode_all(HeaderWidth::LAB, &[b"000004;hola"]).unwrap_err();
    assert!(matches!(
        err,
        FrameError::MissingSeparator { offset: 0, .. }
    ));
    let err = decode_all(HeaderWidth::LAB, &[b"1000000:x"]).unwrap_err();
    assert!(
        err.to_string().contains("longer than the header allows"),
        "{err}"
    );
    let mut decoder = Decoder::new(HeaderWidth::LAB).with_max_len(10);
    decoder.feed(b"000011:");
    assert_eq!(
        decoder.next_message().unwrap_err(),
        FrameError::LengthOverMax {
            offset: 0,
            len: 11,
            max: 10
        }
    );
}

#[test]
fn truncated_stream_is_reported_at_finish() {
    let err = decode_all(HeaderWidth::LAB, &[b"000002:ok000010:abc"]).unwrap_err();
    assert_eq!(
        err,
        FrameError::Truncated {
            offset: 9,
            expected: 17,
            got: 10
        }
    );
    let err = decode_all(HeaderWidth::LAB, &[b"0000"]).unwrap_err();
    assert!(matches!(err, FrameError::Truncated { expected: 7, .. }));
}

#[test]
fn take_buffered_returns_the_rest_of_the_stream() {
    let mut decoder = Decoder::new(HeaderWidth::LAB);
    decoder.feed(b"000002:hirest");
    assert_eq!(decoder.next_message().unwrap(), Some(b"hi".to_vec()));
    assert_eq!(decoder.take_buffered(), b"rest");
    assert_eq!(decoder.offset(), 13);
    assert!(decoder.finish().is_ok());
}

fn messages_and_width() -> impl Strategy<Value = (u8, Vec<Vec<u8>>)> {
    (1u8..=4).prop_flat_map(|digits| {
        let max = (10usize.pow(u32::from(digits)) - 1).min(300);
        let bytes = prop_oneof![Just(b':'), Just(b'0'), any::<u8>()];
        let message = proptest::collection::vec(bytes, 0..=max);
        (Just(digits), proptest::collection::vec(message, 0..8))
    })
}

proptest! {
    #[test]
    fn any_split_yields_the_same_messages(
        (digits, messages) in messages_and_width(),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let width = HeaderWidth::new(digits).unwrap();
        let stream: Vec<u8> = messages
            .iter()
            .flat_map(|m| encode(width, m).unwrap())
            .collect();
        let mut points: Vec<usize> = cuts.iter().map(|i| i.index(stream.len() + 1)).collect();
        points.extend([0, stream.len()]);
        points.sort_unstable();
        let chunks: Vec<&[u8]> = points.windows(2).map(|w| &stream[w[0]..w[1]]).collect();
        prop_assert_eq!(decode_all(width, &chunks).unwrap(), messages);
    }

    #[test]
    fn garbage_never_panics_and_errors_point_inside_the_stream(
        garbage in proptest::collection::vec(any::<u8>(), 0..64),
        digits in 1u8..=8,
    ) {
        let width = HeaderWidth::new(digits).unwrap();
        match decode_all(width, &[&garbage]) {
            Ok(_) => {}
            Err(FrameError::NonDigit { offset, .. })
            | Err(FrameError::MissingSeparator { offset, .. })
            | Err(FrameError::LengthOverMax { offset, .. })
            | Err(FrameError::Truncated { offset, .. }) => {
                prop_assert!(offset <= garbage.len() as u64)
            }
            Err(other) => prop_assert!(false, "unexpected {other}"),
        }
    }
}
