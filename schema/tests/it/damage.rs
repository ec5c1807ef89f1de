//! Cut, flipped and foreign bytes: read as far as the trace is whole, name
//! the damage, never panic.

use crate::arb;
use vmscope_schema::*;

/// Per chunk: where its frame ends and how many events it holds.
fn chunk_ends(trace: &Trace) -> Vec<(u64, usize)> {
    trace
        .chunks()
        .iter()
        .map(|c| {
            let events = trace.decode_chunk(c).unwrap().events.len();
            (c.offset + c.header.frame_len(), events)
        })
        .collect()
}

#[test]
fn cut_at_every_offset_of_last_chunks_and_footer_reads_whole_chunks() {
    let (bytes, _, _) = arb::trace(11, 120, arb::small_chunks());
    let whole = Trace::from_bytes(bytes.clone()).unwrap();
    let ends = chunk_ends(&whole);
    let chunks = whole.chunks();
    assert!(
        chunks.len() >= 4,
        "want several chunks, got {}",
        chunks.len()
    );
    // From the start of the third-to-last chunk to the end of the file.
    let from = chunks[chunks.len() - 3].offset as usize;
    for cut in from..bytes.len() {
        let trace = Trace::from_bytes(bytes[..cut].to_vec()).unwrap();
        assert!(!trace.is_whole(), "cut at {cut} looks whole");
        let expected: usize = ends
            .iter()
            .filter(|(end, _)| *end <= cut as u64)
            .map(|(_, events)| events)
            .sum();
        let mut read = 0;
        for event in trace.events() {
            event.expect("a whole chunk fails to read");
            read += 1;
        }
        assert_eq!(read, expected, "cut at {cut}");
        // The damage says where the trace ends.
        let said = trace
            .damage()
            .iter()
            .any(|d| matches!(d, Damage::CutOff { .. } | Damage::NoFooter { .. }));
        assert!(said, "cut at {cut}: {:?}", trace.damage());
        assert!(!trace.verify().is_ok());
    }
}

#[test]
fn cut_inside_the_header_is_an_error_not_a_panic() {
    let (bytes, _, _) = arb::trace(12, 10, arb::small_chunks());
    let whole = Trace::from_bytes(bytes.clone()).unwrap();
    let first_chunk = whole.chunks()[0].offset as usize;
    for cut in 0..first_chunk {
        match Trace::from_bytes(bytes[..cut].to_vec()) {
            Err(Error::NotATrace { .. }) => assert!(cut < 16),
            Err(Error::BadHeader { offset: 16, .. }) => assert!(cut >= 16),
            Ok(trace) => {
                // Only a cut exactly at the end of the header frame reads.
                assert_eq!(cut, first_chunk);
                assert_eq!(trace.chunks().len(), 0);
            }
            Err(other) => panic!("cut at {cut}: {other}"),
        }
    }
}

#[test]
fn flipped_bit_in_each_chunk_is_named_and_the_rest_reads() {
    let (bytes, _, written) = arb::trace(13, 200, arb::small_chunks());
    let whole = Trace::from_bytes(bytes.clone()).unwrap();
    for location in whole.chunks() {
        let lost = whole.decode_chunk(location).unwrap().events.len();
        // One bit in the payload, one in the header.
        for at in [
            location.offset as usize + 24 + location.header.payload_len as usize / 2,
            location.offset as usize + 9,
        ] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x10;
            let trace = Trace::from_bytes(damaged).unwrap();
            let verification = trace.verify();
            assert!(!verification.is_ok());
            let names_it = verification
                .chunk_errors
                .iter()
                .any(|e| e.offset == location.offset)
                || verification.damage.iter().any(
                    |d| matches!(d, Damage::BadFrame { offset, .. } if *offset == location.offset),
                );
            assert!(names_it, "flip at {at}: {verification:?}");
            let read = trace.events().filter(Result::is_ok).count();
            assert_eq!(read, written.len() - lost, "flip at {at}");
        }
    }
}

#[test]
fn flipped_bit_in_footer_or_header_is_named() {
    let (bytes, _, _) = arb::trace(14, 50, arb::small_chunks());
    let whole = Trace::from_bytes(bytes.clone()).unwrap();
    let last = whole.chunks().last().unwrap();
    let footer_at = last.offset + last.header.frame_len();
    let mut damaged = bytes.clone();
    damaged[footer_at as usize + 30] ^= 1;
    let trace = Trace::from_bytes(damaged).unwrap();
    assert!(!trace.is_whole());
    assert!(
        trace
            .damage()
            .iter()
            .any(|d| matches!(d, Damage::BadFooter { offset, .. } if *offset == footer_at)),
        "{:?}",
        trace.damage()
    );
    assert_eq!(trace.events().filter(Result::is_ok).count(), 50);

    let mut damaged = bytes.clone();
    damaged[16 + 30] ^= 1;
    assert!(matches!(
        Trace::from_bytes(damaged),
        Err(Error::BadHeader { offset: 16, .. })
    ));
}

#[test]
fn digest_catches_a_consistent_rewrite() {
    // A chunk replaced by another valid frame passes every checksum; only
    // the digest can tell.
    let (a, _, _) = arb::trace(15, 100, arb::small_chunks());
    let (b, _, _) = arb::trace(16, 100, arb::small_chunks());
    let ta = Trace::from_bytes(a.clone()).unwrap();
    let tb = Trace::from_bytes(b.clone()).unwrap();
    let (ca, cb) = (ta.chunks()[1], tb.chunks()[1]);
    if ca.header.frame_len() != cb.header.frame_len() {
        // Different length would also break the index; make them equal by
        // using the same trace with one chunk swapped for itself shifted.
        let mut forged = a.clone();
        let start = ca.offset as usize;
        let end = start + ca.header.frame_len() as usize;
        let replacement =
            &b[cb.offset as usize..cb.offset as usize + cb.header.frame_len() as usize];
        forged.splice(start..end, replacement.iter().copied());
        let trace = Trace::from_bytes(forged).unwrap();
        assert!(!trace.verify().is_ok());
        return;
    }
    let mut forged = a.clone();
    forged[ca.offset as usize..(ca.offset + ca.header.frame_len()) as usize]
        .copy_from_slice(&b[cb.offset as usize..(cb.offset + cb.header.frame_len()) as usize]);
    let verification = Trace::from_bytes(forged).unwrap().verify();
    assert!(verification.chunk_errors.is_empty());
    assert!(
        verification
            .problems
            .iter()
            .any(|p| p.contains("digest mismatch")),
        "{verification:?}"
    );
}

#[test]
fn garbage_empty_and_foreign_files_are_clear_errors() {
    let mut rng = arb::Rng::new(99);
    let mut inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"\x89VMT".to_vec(),
        b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0".to_vec(),
        b"PK\x03\x04 this is a zip".to_vec(),
        vec![0; 4096],
        b"\x28\xb5\x2f\xfd not a trace but zstd magic".to_vec(),
    ];
    for _ in 0..200 {
        inputs.push(rng.bytes(2000));
    }
    for input in inputs {
        assert!(matches!(
            Trace::from_bytes(input),
            Err(Error::NotATrace { .. })
        ));
    }
}

#[test]
fn random_garbage_after_a_valid_magic_never_panics() {
    let (bytes, _, _) = arb::trace(17, 100, arb::small_chunks());
    let mut rng = arb::Rng::new(7);
    for _ in 0..2000 {
        let mut damaged = bytes.clone();
        for _ in 0..1 + rng.below(8) {
            let at = 16 + rng.below(damaged.len() as u64 - 16) as usize;
            damaged[at] = rng.next() as u8;
        }
        if let Ok(trace) = Trace::from_bytes(damaged) {
            let _ = trace.events().count();
            let _ = trace.verify();
        }
    }
}

#[test]
fn newer_version_is_named() {
    let (mut bytes, _, _) = arb::trace(18, 1, arb::small_chunks());
    bytes[8] = 9;
    match Trace::from_bytes(bytes) {
        Err(Error::NewerVersion {
            found: 9,
            supported: 1,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn damaged_frame_header_is_skipped_by_resync() {
    let (bytes, _, written) = arb::trace(19, 200, arb::small_chunks());
    let whole = Trace::from_bytes(bytes.clone()).unwrap();
    let victim = whole.chunks()[2];
    let lost = whole.decode_chunk(&victim).unwrap().events.len();
    let mut damaged = bytes.clone();
    // Break the length field: the header checksum catches it.
    damaged[victim.offset as usize + 8] ^= 0xff;
    let trace = Trace::from_bytes(damaged).unwrap();
    assert!(
        trace
            .damage()
            .iter()
            .any(|d| matches!(d, Damage::BadFrame { offset, .. } if *offset == victim.offset))
    );
    assert!(trace.footer().is_some());
    assert_eq!(
        trace.events().filter(Result::is_ok).count(),
        written.len() - lost
    );
}
