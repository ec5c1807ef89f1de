//! The records of a trace as plain Rust values.
//!
//! These mirror `trace.capnp` one to one. They carry what the recorder saw
//! and nothing it did not: no call names, no decoded arguments.

/// What the recorder says about the recording as a whole.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraceHeader {
    pub recorder_version: String,
    pub qemu_version: String,
    pub guest_arch: GuestArch,
    pub vcpu_count: u32,
    pub guest_memory_bytes: u64,
    /// Host wall clock when recording began, in nanoseconds since the Unix epoch.
    pub started_at_unix_ns: i64,
    pub qemu_command_line: Vec<String>,
    /// Every option the recorder ran with, defaults included, in order.
    pub recorder_options: Vec<(String, String)>,
}

/// The guest's CPU architecture as QEMU was asked to emulate it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum GuestArch {
    #[default]
    Unknown,
    X86_64,
    I386,
}

impl GuestArch {
    pub fn name(self) -> &'static str {
        match self {
            GuestArch::Unknown => "unknown",
            GuestArch::X86_64 => "x86_64",
            GuestArch::I386 => "i386",
        }
    }
}

/// One record of the trace, in global order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Position in the global order across all vCPUs.
    pub seq: u64,
    pub vcpu: u32,
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// An instruction that enters the kernel for a system call.
    Entry(SyscallEvent),
    /// An instruction that returns from the kernel to user mode.
    Exit(SyscallEvent),
    Memory(MemoryRun),
    Probe(Probe),
    Loss(Loss),
}

/// The instruction that entered or left the kernel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mechanism {
    #[default]
    Syscall,
    Sysenter,
    /// `int 0x80`: the Linux i386 gate.
    Int80,
    /// `int 0x2e`: the Windows x86 gate before sysenter.
    Int2e,
    Sysret,
    Sysexit,
    /// `iret`/`iretq` back to a ring 3 code segment.
    Iret,
}

impl Mechanism {
    pub const ALL: [Mechanism; 7] = [
        Mechanism::Syscall,
        Mechanism::Sysenter,
        Mechanism::Int80,
        Mechanism::Int2e,
        Mechanism::Sysret,
        Mechanism::Sysexit,
        Mechanism::Iret,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Syscall => "syscall",
            Mechanism::Sysenter => "sysenter",
            Mechanism::Int80 => "int 0x80",
            Mechanism::Int2e => "int 0x2e",
            Mechanism::Sysret => "sysret",
            Mechanism::Sysexit => "sysexit",
            Mechanism::Iret => "iret",
        }
    }

    /// Whether this instruction enters the kernel (rather than leaving it).
    pub fn is_entry(self) -> bool {
        matches!(
            self,
            Mechanism::Syscall | Mechanism::Sysenter | Mechanism::Int80 | Mechanism::Int2e
        )
    }
}

/// The register snapshot taken at an entry or exit instruction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyscallEvent {
    pub mechanism: Mechanism,
    /// Address of the entry or exit instruction itself.
    pub pc: u64,
    pub regs: GeneralRegisters,
    pub cs: u16,
    pub ss: u16,
    pub fs_base: u64,
    pub gs_base: u64,
    pub kernel_gs_base: u64,
    pub cr3: u64,
    pub efer: u64,
    /// Where user mode resumes: after the entry instruction; for an exit,
    /// the return address it loads (rcx for sysret, edx for sysexit, the
    /// iret frame's).
    pub user_pc: u64,
    /// The user stack pointer at the entry, or the one the exit loads.
    pub user_sp: u64,
    /// The code segment an iret returns to (from its frame); 0 otherwise.
    pub user_cs: u16,
    /// The 64-bit form of the exit instruction (sysretq, sysexitq, iretq).
    pub wide: bool,
    /// Which registers were read (see [`reg`]); the others are 0 and mean
    /// nothing. 0, in traces written before this field, means all.
    pub read_mask: u32,
}

/// Bits of [`SyscallEvent::read_mask`].
pub mod reg {
    pub const RAX: u32 = 1 << 0;
    pub const RBX: u32 = 1 << 1;
    pub const RCX: u32 = 1 << 2;
    pub const RDX: u32 = 1 << 3;
    pub const RSI: u32 = 1 << 4;
    pub const RDI: u32 = 1 << 5;
    pub const RBP: u32 = 1 << 6;
    pub const RSP: u32 = 1 << 7;
    pub const R8: u32 = 1 << 8;
    pub const R9: u32 = 1 << 9;
    pub const R10: u32 = 1 << 10;
    pub const R11: u32 = 1 << 11;
    pub const R12: u32 = 1 << 12;
    pub const R13: u32 = 1 << 13;
    pub const R14: u32 = 1 << 14;
    pub const R15: u32 = 1 << 15;
    pub const RFLAGS: u32 = 1 << 16;
    pub const CS: u32 = 1 << 17;
    pub const SS: u32 = 1 << 18;
    pub const FS_BASE: u32 = 1 << 19;
    pub const GS_BASE: u32 = 1 << 20;
    pub const KERNEL_GS_BASE: u32 = 1 << 21;
    pub const CR3: u32 = 1 << 22;
    pub const EFER: u32 = 1 << 23;
    pub const ALL: u32 = (1 << 24) - 1;
}

impl SyscallEvent {
    /// Whether every register in `mask` was read.
    pub fn has(&self, mask: u32) -> bool {
        self.read_mask == 0 || self.read_mask & mask == mask
    }

    /// The registers that say which thread this is.
    pub fn thread(&self) -> ThreadContext {
        ThreadContext {
            cr3: self.cr3,
            fs_base: self.fs_base,
            gs_base: self.gs_base,
            kernel_gs_base: self.kernel_gs_base,
        }
    }
}

/// The general registers, in the order of `trace.capnp` and of the bits of
/// [`reg`]: rax rbx rcx rdx rsi rdi rbp rsp r8..r15 rflags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GeneralRegisters {
    pub rax: u64,
    pub rbx: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub rbp: u64,
    pub rsp: u64,
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
    pub rflags: u64,
}

impl GeneralRegisters {
    /// From the registers in field order (rax first, rflags last).
    pub fn from_array(r: [u64; 17]) -> GeneralRegisters {
        GeneralRegisters {
            rax: r[0],
            rbx: r[1],
            rcx: r[2],
            rdx: r[3],
            rsi: r[4],
            rdi: r[5],
            rbp: r[6],
            rsp: r[7],
            r8: r[8],
            r9: r[9],
            r10: r[10],
            r11: r[11],
            r12: r[12],
            r13: r[13],
            r14: r[14],
            r15: r[15],
            rflags: r[16],
        }
    }
}

/// The address space and thread pointer registers at some moment: what
/// tells one guest thread from another without knowing the guest OS.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ThreadContext {
    pub cr3: u64,
    pub fs_base: u64,
    pub gs_base: u64,
    pub kernel_gs_base: u64,
}

/// Who moved the bytes of a memory run, seen from the kernel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Direction {
    /// The kernel read these bytes from user memory (a path, a write buffer).
    #[default]
    KernelRead,
    /// The kernel wrote these bytes to user memory (a read buffer, a stat).
    KernelWrite,
}

impl Direction {
    pub fn name(self) -> &'static str {
        match self {
            Direction::KernelRead => "read",
            Direction::KernelWrite => "write",
        }
    }
}

/// Consecutive bytes the kernel read or wrote at user addresses while a
/// system call was in flight.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryRun {
    pub address: u64,
    pub direction: Direction,
    pub bytes: Vec<u8>,
    pub thread: ThreadContext,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ProbeKind {
    /// The page at a user thread pointer (Windows TEB, Linux TCB).
    #[default]
    ThreadPointer,
    /// The page at 0x7ffe0000 (Windows KUSER_SHARED_DATA).
    SharedUserData,
}

impl ProbeKind {
    pub fn name(self) -> &'static str {
        match self {
            ProbeKind::ThreadPointer => "thread-pointer",
            ProbeKind::SharedUserData => "shared-user-data",
        }
    }
}

/// Guest memory read by the recorder itself, the first time an address
/// space or thread pointer was seen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Probe {
    pub kind: ProbeKind,
    pub address: u64,
    /// The register that pointed there ("fs_base", "gs_base", "k_gs_base"), or "".
    pub register: String,
    pub thread: ThreadContext,
    /// Empty when the page could not be read.
    pub bytes: Vec<u8>,
    pub readable: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LossKind {
    /// Whole entry or exit events dropped.
    #[default]
    Events,
    /// User memory bytes the kernel touched that could not be kept.
    MemoryBytes,
    /// Bytes the recorder tried to read that the guest had not mapped.
    MemoryUnreadable,
    Probes,
}

impl LossKind {
    pub fn name(self) -> &'static str {
        match self {
            LossKind::Events => "events",
            LossKind::MemoryBytes => "memory-bytes",
            LossKind::MemoryUnreadable => "memory-unreadable",
            LossKind::Probes => "probes",
        }
    }
}

/// Something the recorder could not keep, and how much of it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Loss {
    pub kind: LossKind,
    /// How many records were lost.
    pub count: u64,
    /// How many bytes they held.
    pub bytes: u64,
    pub reason: String,
}

/// Totals over a whole trace, kept in its footer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub events: u64,
    pub entries: u64,
    pub exits: u64,
    pub memory_runs: u64,
    pub memory_bytes: u64,
    pub probes: u64,
    pub losses: u64,
    /// Sum of `Loss::count`.
    pub lost_records: u64,
    /// Sum of `Loss::bytes`.
    pub lost_bytes: u64,
}

impl Counts {
    pub fn add(&mut self, event: &Event) {
        self.events += 1;
        match &event.kind {
            EventKind::Entry(_) => self.entries += 1,
            EventKind::Exit(_) => self.exits += 1,
            EventKind::Memory(run) => {
                self.memory_runs += 1;
                self.memory_bytes += run.bytes.len() as u64;
            }
            EventKind::Probe(_) => self.probes += 1,
            EventKind::Loss(loss) => {
                self.losses += 1;
                self.lost_records = self.lost_records.saturating_add(loss.count);
                self.lost_bytes = self.lost_bytes.saturating_add(loss.bytes);
            }
        }
    }

    pub fn merge(&mut self, other: &Counts) {
        self.events += other.events;
        self.entries += other.entries;
        self.exits += other.exits;
        self.memory_runs += other.memory_runs;
        self.memory_bytes += other.memory_bytes;
        self.probes += other.probes;
        self.losses += other.losses;
        self.lost_records = self.lost_records.saturating_add(other.lost_records);
        self.lost_bytes = self.lost_bytes.saturating_add(other.lost_bytes);
    }
}

/// How a recording ended, written into the footer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraceEnd {
    /// Host wall clock when recording ended, in nanoseconds since the Unix epoch.
    pub ended_at_unix_ns: i64,
    /// Why: "guest shutdown", "SIGTERM", "disk full", ...
    pub reason: String,
}

/// Where one chunk's frame lies, as the footer's index records it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChunkIndexEntry {
    pub offset: u64,
    /// Length of the whole frame, header included.
    pub length: u64,
    pub first_seq: u64,
    pub last_seq: u64,
    pub events: u32,
}

/// The footer of a whole trace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Footer {
    pub chunks: Vec<ChunkIndexEntry>,
    pub counts: Counts,
    pub digest_algorithm: String,
    /// Of every byte of the file before the footer frame.
    pub digest: Vec<u8>,
    pub end: TraceEnd,
}
