// SPDX-License-Identifier: GPL-2.0-or-later
//! Shared by the fuzz targets: turn arbitrary bytes into a trace of
//! system calls whose registers and recorded memory point at each other,
//! so that the decoders follow pointers into bytes the fuzzer chose.

use std::io;

use vmscope::journal::{self, Filter, Format};
use vmscope::os::Guest;
use vmscope::report;
use vmscope_schema::{
    Event, EventKind, GeneralRegisters, Mechanism, MemoryRun, Probe, ProbeKind, SyscallEvent,
    ThreadContext, Trace, TraceEnd, TraceHeader, TraceWriter, WriterOptions,
};

/// Reads fuzzer bytes as choices; runs out into zeros.
struct Cursor<'a> {
    data: &'a [u8],
}

impl Cursor<'_> {
    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    fn bytes(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.data.len());
        let (taken, rest) = self.data.split_at(n);
        self.data = rest;
        taken
    }

    fn u64(&mut self) -> u64 {
        let mut w = [0u8; 8];
        let b = self.bytes(8);
        w[..b.len()].copy_from_slice(b);
        u64::from_le_bytes(w)
    }

    /// A register value: mostly one of a few addresses where memory runs
    /// land, or a small number (call numbers, lengths, flags), sometimes
    /// anything at all.
    fn value(&mut self) -> u64 {
        match self.byte() {
            b @ 0..=127 => 0x10000 + u64::from(b % 16) * 0x100,
            b @ 128..=219 => u64::from(b - 128),
            220..=239 => u64::from(self.byte()) << 8,
            _ => self.u64(),
        }
    }

    fn done(&self) -> bool {
        self.data.is_empty()
    }
}

const CR3S: [u64; 2] = [0x1000_0000, 0x2000_0000];
const POINTERS: [u64; 3] = [0, 0x7000, 0x7ff0_0000];

fn thread(c: &mut Cursor<'_>) -> ThreadContext {
    let b = c.byte();
    ThreadContext {
        cr3: CR3S[usize::from(b & 1)],
        fs_base: POINTERS[usize::from((b >> 1) % 3)],
        gs_base: POINTERS[usize::from((b >> 3) % 3)],
        kernel_gs_base: 0,
    }
}

fn snapshot(c: &mut Cursor<'_>, exit: bool) -> SyscallEvent {
    let mechanism = match (exit, c.byte() % 4) {
        (false, 0) => Mechanism::Syscall,
        (false, 1) => Mechanism::Sysenter,
        (false, 2) => Mechanism::Int80,
        (false, _) => Mechanism::Int2e,
        (true, 0) => Mechanism::Sysret,
        (true, 1) => Mechanism::Sysexit,
        (true, _) => Mechanism::Iret,
    };
    let mut regs = [0u64; 17];
    for r in &mut regs {
        *r = c.value();
    }
    let t = thread(c);
    let cs = [0x33, 0x23, 0x1b, 0][usize::from(c.byte() % 4)];
    let pc = 0x40_0000 + u64::from(c.byte() % 4) * 0x10;
    let regs = GeneralRegisters::from_array(regs);
    SyscallEvent {
        mechanism,
        pc,
        regs,
        cs,
        cr3: t.cr3,
        fs_base: t.fs_base,
        gs_base: t.gs_base,
        user_pc: if exit { pc + 2 } else { pc + 2 },
        user_sp: regs.rsp,
        ..SyscallEvent::default()
    }
}

/// The events the bytes describe, in order.
pub fn events(data: &[u8]) -> Vec<Event> {
    let mut c = Cursor { data };
    let mut out = Vec::new();
    while !c.done() && out.len() < 4096 {
        let seq = out.len() as u64;
        let op = c.byte();
        let vcpu = u32::from(op >> 7);
        let kind = match op % 5 {
            0 => EventKind::Entry(snapshot(&mut c, false)),
            1 => EventKind::Exit(snapshot(&mut c, true)),
            2 | 3 => {
                let address = c.value();
                let direction = if c.byte() & 1 == 0 {
                    vmscope_schema::Direction::KernelRead
                } else {
                    vmscope_schema::Direction::KernelWrite
                };
                let len = usize::from(c.byte()) * 2;
                let bytes = c.bytes(len).to_vec();
                EventKind::Memory(MemoryRun {
                    address,
                    direction,
                    bytes,
                    thread: thread(&mut c),
                })
            }
            _ => {
                let shared = c.byte() & 1 == 0;
                let t = thread(&mut c);
                // A page whose version fields the fuzzer may fill.
                let mut page = vec![0u8; 4096];
                let at = (usize::from(c.byte()) * 16).min(4096 - 64);
                let fill = c.bytes(64);
                page[at..at + fill.len()].copy_from_slice(fill);
                EventKind::Probe(Probe {
                    kind: if shared {
                        ProbeKind::SharedUserData
                    } else {
                        ProbeKind::ThreadPointer
                    },
                    address: if shared { 0x7ffe_0000 } else { t.gs_base },
                    register: if shared {
                        String::new()
                    } else {
                        "gs_base".into()
                    },
                    thread: t,
                    bytes: page,
                    readable: true,
                })
            }
        };
        out.push(Event { seq, vcpu, kind });
    }
    out
}

/// A whole trace file holding `events`.
pub fn trace_of(events: Vec<Event>) -> Trace {
    let header = TraceHeader {
        vcpu_count: 2,
        ..TraceHeader::default()
    };
    let options = WriterOptions {
        chunk_bytes: 16 << 10,
        level: 1,
    };
    let mut writer = TraceWriter::new(Vec::new(), &header, options).expect("header");
    for event in events {
        writer.push(event).expect("event");
    }
    let (bytes, _) = writer.finish(&TraceEnd::default()).expect("footer");
    Trace::from_bytes(bytes).expect("a trace just written reads")
}

/// Every analysis a user can ask of a trace, for one guest.
pub fn analyze(trace: &Trace, guest: &Guest) {
    for format in [Format::Text, Format::Strace, Format::Jsonl] {
        let filter = Filter {
            failed_only: format == Format::Strace,
            ..Filter::default()
        };
        journal::write_journal(&mut io::sink(), trace, guest, format, &filter, &|_| {})
            .expect("a sink never fails");
    }
    let (state, _) = report::run_state(trace, guest, &|_| {});
    for format in [
        report::Format::Text,
        report::Format::Jsonl,
        report::Format::Csv,
    ] {
        report::write_files(&mut io::sink(), &state, format).expect("sink");
        report::write_procs(&mut io::sink(), &state, format).expect("sink");
    }
}
