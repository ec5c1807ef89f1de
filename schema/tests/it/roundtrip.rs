//! What is written is what is read, for every kind of event.

use crate::arb::{self, Rng};
use vmscope_schema::*;

#[test]
fn random_traces_round_trip() {
    for seed in 0..200 {
        let events = (seed as usize * 7) % 400;
        let (bytes, header, written) = arb::trace(seed, events, arb::small_chunks());
        let trace = Trace::from_bytes(bytes).unwrap();
        assert_eq!(trace.header(), &header, "seed {seed}");
        assert!(trace.is_whole(), "seed {seed}: {:?}", trace.damage());
        let read: Vec<Event> = trace.events().map(Result::unwrap).collect();
        assert_eq!(read, written, "seed {seed}");
        let mut counts = Counts::default();
        written.iter().for_each(|e| counts.add(e));
        assert_eq!(trace.footer().unwrap().counts, counts, "seed {seed}");
        assert!(trace.verify().is_ok(), "seed {seed}: {:?}", trace.verify());
    }
}

#[test]
fn every_event_kind_round_trips_alone() {
    let mut rng = Rng::new(42);
    let mut seen = std::collections::HashSet::new();
    while seen.len() < 5 {
        let event = rng.event(7);
        seen.insert(std::mem::discriminant(&event.kind));
        let mut writer =
            TraceWriter::new(Vec::new(), &TraceHeader::default(), Default::default()).unwrap();
        writer.push(event.clone()).unwrap();
        let (bytes, summary) = writer.finish(&TraceEnd::default()).unwrap();
        assert_eq!(summary.counts.events, 1);
        let trace = Trace::from_bytes(bytes).unwrap();
        let read: Vec<Event> = trace.events().map(Result::unwrap).collect();
        assert_eq!(read, vec![event]);
    }
}

#[test]
fn empty_trace_is_whole() {
    let (bytes, _, _) = arb::trace(1, 0, Default::default());
    let trace = Trace::from_bytes(bytes).unwrap();
    assert!(trace.is_whole());
    assert_eq!(trace.events().count(), 0);
    assert!(trace.verify().is_ok());
}

#[test]
fn large_trace_cuts_chunks_below_the_limit() {
    let options = WriterOptions {
        chunk_bytes: 64 << 10,
        level: 1,
    };
    let (bytes, _, written) = arb::trace(9, 20_000, options);
    let trace = Trace::from_bytes(bytes).unwrap();
    assert!(trace.chunks().len() > 10, "{} chunks", trace.chunks().len());
    for chunk in trace.chunks() {
        assert!(
            chunk.header.raw_len <= (64 << 10) + 8192,
            "{:?}",
            chunk.header
        );
    }
    assert_eq!(trace.events().count(), written.len());
}

#[test]
fn oversized_event_is_refused_not_written() {
    let mut writer =
        TraceWriter::new(Vec::new(), &TraceHeader::default(), Default::default()).unwrap();
    let event = Event {
        seq: 3,
        vcpu: 0,
        kind: EventKind::Memory(MemoryRun {
            bytes: vec![0; MAX_EVENT_BYTES + 1],
            ..Default::default()
        }),
    };
    assert!(matches!(
        writer.push(event),
        Err(Error::EventTooLarge { seq: 3, .. })
    ));
    let (bytes, summary) = writer.finish(&TraceEnd::default()).unwrap();
    assert_eq!(summary.counts.events, 0);
    assert!(Trace::from_bytes(bytes).unwrap().verify().is_ok());
}

#[test]
fn file_round_trip_through_mmap() {
    let dir = std::env::temp_dir().join(format!("vmscope-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("t.vmt");
    let mut rng = Rng::new(5);
    let header = rng.header();
    let mut writer = TraceWriter::create(&path, &header, arb::small_chunks()).unwrap();
    let events: Vec<Event> = (0..500).map(|seq| rng.event(seq)).collect();
    for event in &events {
        writer.push(event.clone()).unwrap();
    }
    let (_, summary) = writer.finish(&TraceEnd::default()).unwrap();
    let trace = Trace::open(&path).unwrap();
    assert_eq!(trace.len(), summary.bytes);
    assert_eq!(
        trace.verify().computed_digest.as_deref(),
        Some(summary.digest.as_slice())
    );
    let read: Vec<Event> = trace.events().map(Result::unwrap).collect();
    assert_eq!(read, events);
    std::fs::remove_dir_all(&dir).ok();
}
