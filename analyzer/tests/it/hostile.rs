//! Hostile guests: registers and memory full of whatever a malicious
//! program (or a damaged trace) can put there. Every subcommand and format
//! must get through without a panic, whatever the bytes say.

use vmscope::journal::{self, Filter, Format};
use vmscope::report;
use vmscope_schema::*;

/// xorshift64*, seeded, so a failure names its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Values where decoders break: small, huge, negative, near pointers.
    fn value(&mut self, pointers: &[u64]) -> u64 {
        match self.below(6) {
            0 => self.below(64),
            1 => [
                0,
                u64::MAX,
                1 << 63,
                u32::MAX as u64,
                0xffff_ff9c,
                (-4095i64) as u64,
            ][self.below(6) as usize],
            2 | 3 => pointers[self.below(pointers.len() as u64) as usize],
            _ => self.next(),
        }
    }
}

/// A trace of calls whose numbers, arguments, results and touched memory
/// are random, around a few addresses the memory runs cover.
fn hostile_trace(seed: u64, calls: u64) -> Trace {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let pointers: Vec<u64> = (0..8)
        .map(|i| 0x1000_0000 + i * 0x1000 + rng.below(64))
        .collect();
    let mut writer = TraceWriter::new(
        Vec::new(),
        &TraceHeader::default(),
        WriterOptions::default(),
    )
    .unwrap();
    let mut seq = 0;
    let mut push = |writer: &mut TraceWriter<Vec<u8>>, kind| {
        writer.push(Event { seq, vcpu: 0, kind }).unwrap();
        seq += 1;
    };
    for _ in 0..calls {
        let compat = rng.below(2) == 0;
        let mechanism =
            [Mechanism::Syscall, Mechanism::Sysenter, Mechanism::Int80][rng.below(3) as usize];
        let mut regs = GeneralRegisters {
            rax: rng.below(600),
            ..Default::default()
        };
        for r in [
            &mut regs.rbx,
            &mut regs.rcx,
            &mut regs.rdx,
            &mut regs.rsi,
            &mut regs.rdi,
            &mut regs.rbp,
            &mut regs.r8,
            &mut regs.r9,
            &mut regs.r10,
        ] {
            *r = rng.value(&pointers);
        }
        let sp = 0x7ffd_0000 + rng.below(4) * 0x100;
        regs.rsp = sp;
        let cr3 = 0x100_0000 * (1 + rng.below(3));
        let fs = rng.below(3) * 0x7000;
        let entry = SyscallEvent {
            mechanism,
            pc: 0x40_1000,
            regs,
            cs: if compat { 0x23 } else { 0x33 },
            cr3,
            fs_base: fs,
            user_pc: 0x40_1002,
            user_sp: sp,
            read_mask: reg::ALL,
            ..Default::default()
        };
        push(&mut writer, EventKind::Entry(entry));
        for _ in 0..rng.below(4) {
            let len = rng.below(300) as usize;
            push(
                &mut writer,
                EventKind::Memory(MemoryRun {
                    address: pointers[rng.below(pointers.len() as u64) as usize] + rng.below(8),
                    direction: if rng.below(2) == 0 {
                        Direction::KernelRead
                    } else {
                        Direction::KernelWrite
                    },
                    bytes: (0..len).map(|_| rng.next() as u8).collect(),
                    thread: entry.thread(),
                }),
            );
        }
        if rng.below(10) != 0 {
            let mut exit = entry;
            exit.mechanism = Mechanism::Sysret;
            exit.regs.rax = rng.value(&pointers);
            exit.user_pc = if rng.below(10) == 0 {
                entry.pc
            } else {
                entry.user_pc
            };
            exit.cr3 = if rng.below(20) == 0 {
                cr3 + 0x100_0000
            } else {
                cr3
            };
            push(&mut writer, EventKind::Exit(exit));
        }
    }
    let (bytes, _) = writer.finish(&TraceEnd::default()).unwrap();
    Trace::from_bytes(bytes).unwrap()
}

#[test]
fn random_calls_and_memory_never_panic_any_printer() {
    for seed in 0..100 {
        let trace = hostile_trace(seed, 400);
        for format in [Format::Text, Format::Strace, Format::Jsonl] {
            let mut out = Vec::new();
            let summary = journal::write_journal(
                &mut out,
                &trace,
                &vmscope::os::Guest::Linux,
                format,
                &Filter::default(),
                &|_| {},
            )
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            assert_eq!(summary.calls, 400, "seed {seed}");
            assert!(!out.is_empty());
        }
        let (state, _) = report::run_state(&trace, &vmscope::os::Guest::Linux, &|_| {});
        for format in [
            report::Format::Text,
            report::Format::Jsonl,
            report::Format::Csv,
        ] {
            let mut out = Vec::new();
            report::write_files(&mut out, &state, format).unwrap();
            report::write_procs(&mut out, &state, format).unwrap();
        }
    }
}
