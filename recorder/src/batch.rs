//! Per-vCPU batches of raw records, and their hand-over to the writer.
//!
//! A vCPU thread appends to its own batch without locking or allocating;
//! a full (or old) batch is handed to the writer thread in exchange for an
//! empty one. When the writer falls behind and no empty batch is left,
//! the vCPU drops what it would have recorded and counts it, and the
//! count goes into the trace as a loss record.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};

use vmscope_schema::{Direction, LossKind, ProbeKind, SyscallEvent, ThreadContext};

/// Records per batch and bytes per batch: a vCPU hands over at either.
pub const BATCH_RECORDS: usize = 16 * 1024;
pub const BATCH_BYTES: usize = 1 << 20;
/// A memory run longer than this starts a new record.
pub const MAX_RUN: usize = 64 * 1024;

#[derive(Clone, Copy, Debug)]
pub enum Record {
    Call {
        seq: u64,
        entry: bool,
        snapshot: SyscallEvent,
    },
    /// Bytes `start..start + len` of the batch's byte arena.
    Memory {
        seq: u64,
        address: u64,
        direction: Direction,
        start: u32,
        len: u32,
        thread: ThreadContext,
    },
    Probe {
        seq: u64,
        kind: ProbeKind,
        address: u64,
        register: &'static str,
        thread: ThreadContext,
        start: u32,
        len: u32,
        readable: bool,
    },
    Loss {
        seq: u64,
        kind: LossKind,
        count: u64,
        bytes: u64,
        reason: &'static str,
    },
}

impl Record {
    pub fn seq(&self) -> u64 {
        match self {
            Record::Call { seq, .. }
            | Record::Memory { seq, .. }
            | Record::Probe { seq, .. }
            | Record::Loss { seq, .. } => *seq,
        }
    }
}

/// One vCPU's records in the order it made them (so in seq order).
#[derive(Debug)]
pub struct Batch {
    pub vcpu: u32,
    pub records: Vec<Record>,
    pub bytes: Vec<u8>,
    /// The flush epoch when the first record went in.
    pub epoch: u32,
}

impl Batch {
    pub fn new(vcpu: u32) -> Batch {
        Batch {
            vcpu,
            records: Vec::with_capacity(BATCH_RECORDS),
            bytes: Vec::with_capacity(BATCH_BYTES),
            epoch: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn clear(&mut self) {
        self.records.clear();
        self.bytes.clear();
    }

    /// Whether one more record of `bytes` bytes fits without growing.
    pub fn has_room(&self, bytes: usize) -> bool {
        self.records.len() < BATCH_RECORDS && self.bytes.len() + bytes <= BATCH_BYTES
    }

    /// What dropping this batch loses, as (records, bytes): each record
    /// and its bytes, a loss record with the losses it was carrying into
    /// the trace, which would otherwise vanish with it. So every sequence
    /// number missing from a trace is counted by a loss record after it.
    pub fn loss_if_dropped(&self) -> (u64, u64) {
        self.records
            .iter()
            .fold(
                (0, self.bytes.len() as u64),
                |(count, bytes), record| match *record {
                    Record::Loss {
                        count: carried,
                        bytes: carried_bytes,
                        ..
                    } => (count + 1 + carried, bytes + carried_bytes),
                    _ => (count + 1, bytes),
                },
            )
    }
}

/// What the vCPUs and the writer thread share.
#[derive(Debug)]
pub struct Handover {
    /// The next global sequence number.
    pub next_seq: AtomicU64,
    /// Per vCPU: a lower bound of the seq of the first record in its
    /// current batch, or u64::MAX when that batch is empty. The writer
    /// writes a record only once every vCPU's bound is past it, which
    /// keeps the trace in global order.
    pub pending_since: Vec<AtomicU64>,
    /// Bumped by the writer every flush interval; a batch started in an
    /// older epoch is handed over at the next chance.
    pub epoch: AtomicU32,
    /// Set when recording has stopped (finished, or failed): callbacks
    /// then do nothing.
    pub stopped: AtomicBool,
    pub queue: Mutex<Queues>,
    pub wake: Condvar,
}

#[derive(Debug, Default)]
pub struct Queues {
    pub full: VecDeque<Batch>,
    pub empty: Vec<Batch>,
    /// Set at QEMU exit: drain everything and write the footer.
    pub finish: bool,
}

/// How many full batches may wait for the writer before vCPUs drop.
pub const MAX_QUEUED: usize = 16;

impl Handover {
    pub fn new(vcpus: usize) -> Handover {
        Handover {
            next_seq: AtomicU64::new(0),
            pending_since: (0..vcpus).map(|_| AtomicU64::new(u64::MAX)).collect(),
            epoch: AtomicU32::new(0),
            stopped: AtomicBool::new(false),
            queue: Mutex::new(Queues::default()),
            wake: Condvar::new(),
        }
    }

    /// Takes the next sequence number for a record of `vcpu` whose batch
    /// holds `batch_empty` records so far.
    pub fn take_seq(&self, vcpu: usize, batch_empty: bool) -> u64 {
        if batch_empty {
            // Publish a lower bound before taking the number, so the
            // writer never sees "empty" while a smaller seq is in flight.
            let bound = self.next_seq.load(Ordering::SeqCst);
            self.pending_since[vcpu].store(bound, Ordering::SeqCst);
        }
        self.next_seq.fetch_add(1, Ordering::SeqCst)
    }

    /// Hands a batch over and returns an empty one, or gives the batch
    /// back when the writer is too far behind: the caller then counts what
    /// it held as lost and reuses it.
    pub fn swap(&self, vcpu: usize, batch: Batch) -> Result<Batch, Batch> {
        let mut queues = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        if queues.full.len() >= MAX_QUEUED {
            drop(queues);
            self.pending_since[vcpu].store(u64::MAX, Ordering::SeqCst);
            return Err(batch);
        }
        // Pooled batches come back from any vCPU: make this one ours.
        let mut fresh = queues.empty.pop().unwrap_or_else(|| Batch::new(batch.vcpu));
        fresh.vcpu = batch.vcpu;
        queues.full.push_back(batch);
        drop(queues);
        self.pending_since[vcpu].store(u64::MAX, Ordering::SeqCst);
        self.wake.notify_one();
        Ok(fresh)
    }

    /// Hands a vCPU's last batch over at exit, however many wait: the
    /// vCPUs have stopped, so this adds at most two batches per vCPU, and
    /// dropping it would lose its records without a trace of them.
    pub fn give_last(&self, vcpu: usize, batch: Batch) {
        let mut queues = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        queues.full.push_back(batch);
        drop(queues);
        self.pending_since[vcpu].store(u64::MAX, Ordering::SeqCst);
        self.wake.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(seq: u64) -> Record {
        Record::Call {
            seq,
            entry: true,
            snapshot: SyscallEvent::default(),
        }
    }

    #[test]
    fn a_dropped_batch_loses_what_its_loss_records_carried() {
        let mut batch = Batch::new(0);
        batch.records.push(Record::Loss {
            seq: 0,
            kind: LossKind::Events,
            count: 1000,
            bytes: 5000,
            reason: "test",
        });
        batch.records.push(call(1));
        batch.records.push(call(2));
        batch.bytes.extend_from_slice(&[0; 7]);
        assert_eq!(batch.loss_if_dropped(), (1003, 5007));
    }

    #[test]
    fn the_last_batch_is_taken_however_full_the_queue() {
        let handover = Handover::new(1);
        for _ in 0..MAX_QUEUED {
            let mut batch = Batch::new(0);
            batch.records.push(call(0));
            assert!(handover.swap(0, batch).is_ok());
        }
        let mut batch = Batch::new(0);
        batch.records.push(call(1));
        assert!(handover.swap(0, batch).is_err(), "the queue is full");
        let mut last = Batch::new(0);
        last.records.push(call(2));
        handover.give_last(0, last);
        let queues = handover.queue.lock().unwrap();
        assert_eq!(queues.full.len(), MAX_QUEUED + 1);
    }
}
