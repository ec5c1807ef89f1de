//! Random traces for property tests, from a seeded generator so that a
//! failure names the seed that reproduces it.

use vmscope_schema::*;

/// xorshift64*: small, fast, and enough to spread values over every field.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Mostly small values, sometimes the extremes, which is where
    /// encodings break.
    pub fn value(&mut self) -> u64 {
        match self.below(4) {
            0 => self.below(256),
            1 => [0, u64::MAX, 1 << 63, u32::MAX as u64][self.below(4) as usize],
            _ => self.next(),
        }
    }

    pub fn bytes(&mut self, max: u64) -> Vec<u8> {
        let len = self.below(max + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }

    pub fn text(&mut self, max: u64) -> String {
        let len = self.below(max + 1);
        (0..len)
            .map(|_| {
                let c = self.below(0x3000) as u32;
                char::from_u32(c).unwrap_or('?')
            })
            .collect()
    }

    pub fn thread(&mut self) -> ThreadContext {
        ThreadContext {
            cr3: self.value(),
            fs_base: self.value(),
            gs_base: self.value(),
            kernel_gs_base: self.value(),
        }
    }

    pub fn syscall(&mut self, entry: bool) -> SyscallEvent {
        let mechanisms: Vec<Mechanism> = Mechanism::ALL
            .into_iter()
            .filter(|m| m.is_entry() == entry)
            .collect();
        let mut regs = [0u64; 17];
        for r in &mut regs {
            *r = self.value();
        }
        SyscallEvent {
            mechanism: mechanisms[self.below(mechanisms.len() as u64) as usize],
            pc: self.value(),
            regs: GeneralRegisters::from_array(regs),
            cs: self.value() as u16,
            ss: self.value() as u16,
            fs_base: self.value(),
            gs_base: self.value(),
            kernel_gs_base: self.value(),
            cr3: self.value(),
            efer: self.value(),
            user_pc: self.value(),
            user_sp: self.value(),
            user_cs: self.value() as u16,
            wide: self.below(2) == 0,
            read_mask: self.value() as u32,
        }
    }

    pub fn event(&mut self, seq: u64) -> Event {
        let kind = match self.below(5) {
            0 => EventKind::Entry(self.syscall(true)),
            1 => EventKind::Exit(self.syscall(false)),
            2 => EventKind::Memory(MemoryRun {
                address: self.value(),
                direction: if self.below(2) == 0 {
                    Direction::KernelRead
                } else {
                    Direction::KernelWrite
                },
                bytes: self.bytes(300),
                thread: self.thread(),
            }),
            3 => {
                let readable = self.below(3) != 0;
                Event {
                    seq,
                    vcpu: 0,
                    kind: EventKind::Probe(Probe {
                        kind: if self.below(2) == 0 {
                            ProbeKind::ThreadPointer
                        } else {
                            ProbeKind::SharedUserData
                        },
                        address: self.value(),
                        register: ["fs_base", "gs_base", "k_gs_base", ""][self.below(4) as usize]
                            .into(),
                        thread: self.thread(),
                        bytes: if readable {
                            self.bytes(4096)
                        } else {
                            Vec::new()
                        },
                        readable,
                    }),
                }
                .kind
            }
            _ => EventKind::Loss(Loss {
                kind: [
                    LossKind::Events,
                    LossKind::MemoryBytes,
                    LossKind::MemoryUnreadable,
                    LossKind::Probes,
                ][self.below(4) as usize],
                count: self.value(),
                bytes: self.value(),
                reason: self.text(40),
            }),
        };
        Event {
            seq,
            vcpu: self.below(8) as u32,
            kind,
        }
    }

    pub fn header(&mut self) -> TraceHeader {
        TraceHeader {
            recorder_version: self.text(10),
            qemu_version: "10.0.2".into(),
            guest_arch: [GuestArch::Unknown, GuestArch::X86_64, GuestArch::I386]
                [self.below(3) as usize],
            vcpu_count: self.below(64) as u32,
            guest_memory_bytes: self.value(),
            started_at_unix_ns: self.value() as i64,
            qemu_command_line: (0..self.below(6)).map(|_| self.text(20)).collect(),
            recorder_options: (0..self.below(4))
                .map(|_| (self.text(8), self.text(8)))
                .collect(),
        }
    }
}

/// A whole trace in memory with the events it holds.
pub fn trace(
    seed: u64,
    events: usize,
    options: WriterOptions,
) -> (Vec<u8>, TraceHeader, Vec<Event>) {
    let mut rng = Rng::new(seed);
    let header = rng.header();
    let events: Vec<Event> = (0..events as u64).map(|seq| rng.event(seq)).collect();
    let mut writer = TraceWriter::new(Vec::new(), &header, options).unwrap();
    for event in &events {
        writer.push(event.clone()).unwrap();
    }
    let end = TraceEnd {
        ended_at_unix_ns: 1_700_000_000_000_000_000,
        reason: "test".into(),
    };
    let (bytes, _) = writer.finish(&end).unwrap();
    (bytes, header, events)
}

/// Small chunks, so that a small trace has many frames to damage.
pub fn small_chunks() -> WriterOptions {
    WriterOptions {
        chunk_bytes: 4096,
        level: 1,
    }
}
