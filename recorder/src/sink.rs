//! The writer thread: merges the vCPUs' batches into global order and
//! streams them into the trace.

use std::collections::VecDeque;
use std::fs::File;
use std::io::BufWriter;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use vmscope_schema::{
    Error, Event, EventKind, Loss, MemoryRun, Probe, TraceEnd, TraceWriter, WriteSummary,
};

use crate::batch::{Batch, Handover, Record};

/// Runs until the handover says finish; returns the summary of the
/// finished trace, or the error that stopped it.
pub fn run(
    handover: &Arc<Handover>,
    mut writer: TraceWriter<BufWriter<File>>,
    flush_every: Duration,
) -> Result<WriteSummary, Error> {
    let vcpus = handover.pending_since.len();
    let mut waiting: Vec<VecDeque<Event>> = (0..vcpus).map(|_| VecDeque::new()).collect();
    let mut last_flush = Instant::now();
    let result = loop {
        wait_for_batches(handover, flush_every);
        // Read the counter, then the bounds, then take the batches: a batch
        // handed over after the bounds were read is left for the next
        // round, and its vCPU's bound still held its events back. See
        // Handover::take_seq.
        let counter = handover.next_seq.load(Ordering::SeqCst);
        let bound = handover
            .pending_since
            .iter()
            .map(|p| p.load(Ordering::SeqCst))
            .fold(counter, u64::min);
        let (batches, finish) = take_batches(handover);
        // At finish every vCPU has stopped and handed over its batch.
        let horizon = if finish { u64::MAX } else { bound };
        let mut emptied = Vec::with_capacity(batches.len());
        for mut batch in batches {
            let queue = &mut waiting[(batch.vcpu as usize).min(vcpus - 1)];
            queue.extend(batch.records.iter().map(|r| to_event(r, &batch)));
            batch.clear();
            emptied.push(batch);
        }
        if !emptied.is_empty() {
            let mut queues = handover.queue.lock().unwrap_or_else(|e| e.into_inner());
            queues.empty.extend(emptied);
        }
        if let Err(error) = write_ready(&mut writer, &mut waiting, horizon) {
            break Err(error);
        }
        if last_flush.elapsed() >= flush_every {
            handover.epoch.fetch_add(1, Ordering::Relaxed);
            if let Err(error) = writer.flush() {
                break Err(error);
            }
            last_flush = Instant::now();
        }
        if finish {
            break Ok(());
        }
    };
    match result {
        Ok(()) => {
            let end = TraceEnd {
                ended_at_unix_ns: crate::unix_ns(),
                reason: "QEMU exited".into(),
            };
            writer.finish(&end).map(|(_, summary)| summary)
        }
        Err(error) => {
            handover.stopped.store(true, Ordering::SeqCst);
            // Keep what is whole: the frames written so far stay readable.
            let _ = writer.flush();
            Err(error)
        }
    }
}

/// Waits for batches, the finish signal, or the flush tick.
fn wait_for_batches(handover: &Handover, tick: Duration) {
    let queues = handover.queue.lock().unwrap_or_else(|e| e.into_inner());
    if queues.full.is_empty() && !queues.finish {
        let wait = tick.min(Duration::from_millis(50));
        let _ = handover.wake.wait_timeout(queues, wait);
    }
}

fn take_batches(handover: &Handover) -> (Vec<Batch>, bool) {
    let mut queues = handover.queue.lock().unwrap_or_else(|e| e.into_inner());
    (queues.full.drain(..).collect(), queues.finish)
}

/// Writes, in seq order, every waiting event below the horizon.
fn write_ready(
    writer: &mut TraceWriter<BufWriter<File>>,
    waiting: &mut [VecDeque<Event>],
    horizon: u64,
) -> Result<(), Error> {
    loop {
        let next = waiting
            .iter()
            .enumerate()
            .filter_map(|(i, q)| q.front().map(|e| (e.seq, i)))
            .min();
        match next {
            Some((seq, i)) if seq < horizon => {
                let event = waiting[i].pop_front().expect("front exists");
                writer.push(event)?;
            }
            _ => return Ok(()),
        }
    }
}

fn to_event(record: &Record, batch: &Batch) -> Event {
    let bytes = |start: u32, len: u32| {
        let start = start as usize;
        batch
            .bytes
            .get(start..start + len as usize)
            .unwrap_or_default()
            .to_vec()
    };
    let kind = match *record {
        Record::Call {
            entry, snapshot, ..
        } => {
            if entry {
                EventKind::Entry(snapshot)
            } else {
                EventKind::Exit(snapshot)
            }
        }
        Record::Memory {
            address,
            direction,
            start,
            len,
            thread,
            ..
        } => EventKind::Memory(MemoryRun {
            address,
            direction,
            bytes: bytes(start, len),
            thread,
        }),
        Record::Probe {
            kind,
            address,
            register,
            thread,
            start,
            len,
            readable,
            ..
        } => EventKind::Probe(Probe {
            kind,
            address,
            register: register.into(),
            thread,
            bytes: bytes(start, len),
            readable,
        }),
        Record::Loss {
            kind,
            count,
            bytes,
            reason,
            ..
        } => EventKind::Loss(Loss {
            kind,
            count,
            bytes,
            reason: reason.into(),
        }),
    };
    Event {
        seq: record.seq(),
        vcpu: batch.vcpu,
        kind,
    }
}
