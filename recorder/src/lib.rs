//! vmscope's recorder: a QEMU TCG plugin that writes every guest system
//! call into a vmscope trace.
//!
//! ```text
//! qemu-system-x86_64 ... -plugin libvmscope_recorder.so,out=run.vmt[,mem=touched|none]
//! ```
//!
//! At translation time each instruction is classified once (`plan`): the
//! entry and exit instructions get a callback that snapshots registers;
//! once the first system call has been seen, kernel instructions that may
//! touch user memory get a memory callback. Callbacks only append to their
//! vCPU's batch (`batch`); a writer thread merges batches into global
//! order and streams the trace (`sink`). Nothing is decoded here.
//!
//! Licence: GPL-2.0-or-later.

mod batch;
pub mod options;
pub mod plan;
mod qemu;
mod sink;

use std::cell::UnsafeCell;
use std::ffi::{CStr, c_char, c_int, c_uint, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use iced_x86::Register;
use vmscope_schema::{
    Direction, Error, GeneralRegisters, GuestArch, LossKind, Mechanism, ProbeKind, SyscallEvent,
    ThreadContext, TraceHeader, TraceWriter, WriteSummary, WriterOptions, reg,
};

use batch::{Batch, Handover, MAX_RUN, Record};
use options::{MemoryMode, Options};
use plan::{ContextWrite, Role};
use qemu::*;

/// The plugin API version this plugin is built for; QEMU refuses others.
#[unsafe(no_mangle)]
pub static qemu_plugin_version: c_int = QEMU_PLUGIN_VERSION as c_int;

/// Where Windows maps KUSER_SHARED_DATA in every address space.
const SHARED_USER_DATA: u64 = 0x7ffe_0000;
const PAGE: u64 = 4096;
const EFER_LMA: u64 = 1 << 10;

/// What an entry snapshot reads: every register an x86_64, i386 or NT
/// calling convention passes arguments in, the caller's code segment, and
/// what identifies the thread. (At the entry and exit instructions gs_base
/// holds the user's value and k_gs_base the kernel's per-CPU pointer, on
/// Linux and Windows alike, so k_gs_base says nothing about the thread.)
const ENTRY_REGS: u32 = reg::RAX
    | reg::RBX
    | reg::RCX
    | reg::RDX
    | reg::RSI
    | reg::RDI
    | reg::RBP
    | reg::RSP
    | reg::R8
    | reg::R9
    | reg::R10
    | reg::CS
    | reg::FS_BASE
    | reg::GS_BASE
    | reg::CR3;
/// What every exit snapshot reads: the result, the stack, the thread.
const EXIT_REGS: u32 = reg::RAX | reg::RSP | reg::FS_BASE | reg::GS_BASE | reg::CR3;
/// sysret takes the user pc from rcx; sysexit takes it from edx and the
/// stack from ecx.
const SYSRET_REGS: u32 = EXIT_REGS | reg::RCX;
const SYSEXIT_REGS: u32 = EXIT_REGS | reg::RCX | reg::RDX;

/// Instrumentation phases. Until the first system call nothing needs
/// memory callbacks, and boot is most of the kernel's memory traffic.
const PHASE_CALLS: u8 = 0;
const PHASE_MEMORY: u8 = 1;

struct Recorder {
    id: qemu_plugin_id_t,
    options: Options,
    handover: Arc<Handover>,
    vcpus: Box<[VcpuSlot]>,
    phase: AtomicU8,
    reset_requested: AtomicBool,
    /// Lowest kernel address, once known (0 before).
    kernel_base: AtomicU64,
    writer: Mutex<Option<JoinHandle<Result<WriteSummary, Error>>>>,
}

/// One vCPU's state, touched only by the thread running that vCPU (and by
/// the exit handler once every vCPU has stopped).
struct VcpuSlot(UnsafeCell<Option<Vcpu>>);

// SAFETY: see VcpuSlot: QEMU runs each vCPU's callbacks on one thread at a
// time, and the exit handler runs after the vCPUs have stopped.
unsafe impl Sync for VcpuSlot {}

struct Vcpu {
    index: usize,
    scratch: Scratch,
    regs: RegisterHandles,
    batch: Batch,
    /// The thread-identifying registers now, kept current through every
    /// entry, exit and write to them.
    context: ThreadContext,
    /// Index of the memory record still being extended, and where it ends.
    open_run: Option<(usize, u64)>,
    /// Hashes of the address spaces and thread pointers already probed.
    probed: Box<[u64; 1024]>,
    /// Records and bytes dropped since the last loss record.
    lost: (u64, u64),
    /// Whether EFER has been read on this vCPU.
    efer_read: bool,
}

#[derive(Default)]
struct RegisterHandles {
    /// rax rbx rcx rdx rsi rdi rbp rsp r8..r15 eflags, in schema order.
    general: [Option<Handle>; 17],
    cs: Option<Handle>,
    ss: Option<Handle>,
    fs_base: Option<Handle>,
    gs_base: Option<Handle>,
    k_gs_base: Option<Handle>,
    cr3: Option<Handle>,
    efer: Option<Handle>,
}

#[derive(Clone, Copy)]
struct Handle(*mut qemu_plugin_register);

// SAFETY: a register handle is an opaque token QEMU hands out for the
// whole run (a register number in disguise); it is never dereferenced.
unsafe impl Send for Handle {}
// SAFETY: as above.
unsafe impl Sync for Handle {}

const GENERAL: [(&str, &str); 17] = [
    ("rax", "eax"),
    ("rbx", "ebx"),
    ("rcx", "ecx"),
    ("rdx", "edx"),
    ("rsi", "esi"),
    ("rdi", "edi"),
    ("rbp", "ebp"),
    ("rsp", "esp"),
    ("r8", ""),
    ("r9", ""),
    ("r10", ""),
    ("r11", ""),
    ("r12", ""),
    ("r13", ""),
    ("r14", ""),
    ("r15", ""),
    ("eflags", "eflags"),
];

static RECORDER: OnceLock<Recorder> = OnceLock::new();

fn recorder() -> Option<&'static Recorder> {
    RECORDER
        .get()
        .filter(|r| !r.handover.stopped.load(Ordering::Relaxed))
}

/// Runs a callback body; a panic stops recording instead of unwinding
/// into QEMU.
fn guarded(body: impl FnOnce()) {
    if catch_unwind(AssertUnwindSafe(body)).is_err()
        && let Some(recorder) = RECORDER.get()
    {
        recorder.handover.stopped.store(true, Ordering::SeqCst);
        say("internal error: recording stopped; the trace reads up to this point");
    }
}

pub(crate) fn unix_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}

impl Recorder {
    /// The vCPU state of `index`.
    ///
    /// # Safety
    /// Only from a callback of that vCPU, or after all vCPUs stopped.
    #[allow(clippy::mut_from_ref)]
    unsafe fn vcpu(&self, index: c_uint) -> Option<&mut Vcpu> {
        let slot = self.vcpus.get(index as usize)?;
        // SAFETY: per the contract above, nobody else holds this slot.
        unsafe { (*slot.0.get()).as_mut() }
    }

    fn kernel_base(&self) -> u64 {
        match self.kernel_base.load(Ordering::Relaxed) {
            0 => u64::MAX,
            base => base,
        }
    }

    /// Whether an address is user space. Before the kernel base is known,
    /// the lower canonical half counts as user.
    fn is_user(&self, address: u64) -> bool {
        match self.kernel_base.load(Ordering::Relaxed) {
            0 => address < 0x0000_8000_0000_0000,
            base => address < base,
        }
    }
}

impl Vcpu {
    /// Reads the registers in `mask` (bits of `vmscope_schema::reg`).
    /// Each read costs a trip through QEMU's gdbstub: read only what the
    /// event needs, and say in the mask what was read.
    fn snapshot(&mut self, mechanism: Mechanism, pc: u64, mut mask: u32) -> SyscallEvent {
        if !self.efer_read {
            // Once per vCPU: EFER and SS do not change after boot.
            mask |= reg::EFER | reg::SS;
            self.efer_read = true;
        }
        let mut snapshot = SyscallEvent {
            mechanism,
            pc,
            read_mask: mask,
            ..SyscallEvent::default()
        };
        let scratch = &mut self.scratch;
        let mut read = |bit: u32, handle: Option<Handle>| {
            if mask & bit != 0 {
                handle.map_or(0, |h| scratch.register(h.0))
            } else {
                0
            }
        };
        let mut general = [0u64; 17];
        for (i, (value, handle)) in general.iter_mut().zip(self.regs.general).enumerate() {
            *value = read(1 << i, handle);
        }
        snapshot.regs = GeneralRegisters::from_array(general);
        snapshot.cs = read(reg::CS, self.regs.cs) as u16;
        snapshot.ss = read(reg::SS, self.regs.ss) as u16;
        snapshot.fs_base = read(reg::FS_BASE, self.regs.fs_base);
        snapshot.gs_base = read(reg::GS_BASE, self.regs.gs_base);
        snapshot.kernel_gs_base = read(reg::KERNEL_GS_BASE, self.regs.k_gs_base);
        snapshot.cr3 = read(reg::CR3, self.regs.cr3);
        snapshot.efer = read(reg::EFER, self.regs.efer);
        snapshot
    }

    /// EFER, read now if this vCPU has not read it yet.
    fn efer(&mut self) -> u64 {
        self.regs.efer.map_or(0, |h| self.scratch.register(h.0))
    }

    fn general(&mut self, register: Register) -> u64 {
        use Register::*;
        let (index, wide) = match register {
            RAX => (0, true),
            EAX => (0, false),
            RBX => (1, true),
            EBX => (1, false),
            RCX => (2, true),
            ECX => (2, false),
            RDX => (3, true),
            EDX => (3, false),
            RSI => (4, true),
            ESI => (4, false),
            RDI => (5, true),
            EDI => (5, false),
            RBP => (6, true),
            EBP => (6, false),
            RSP => (7, true),
            ESP => (7, false),
            R8 => (8, true),
            R8D => (8, false),
            R9 => (9, true),
            R9D => (9, false),
            R10 => (10, true),
            R10D => (10, false),
            R11 => (11, true),
            R11D => (11, false),
            R12 => (12, true),
            R12D => (12, false),
            R13 => (13, true),
            R13D => (13, false),
            R14 => (14, true),
            R14D => (14, false),
            R15 => (15, true),
            R15D => (15, false),
            _ => return 0,
        };
        let handle = self.regs.general[index];
        let value = handle.map_or(0, |h| self.scratch.register(h.0));
        if wide { value } else { value & 0xffff_ffff }
    }

    /// Appends a record, taking its sequence number; hands the batch over
    /// first if it has no room. `bytes` go into the batch's arena. Returns
    /// whether the record went in (rather than being counted as lost).
    fn push(
        &mut self,
        handover: &Handover,
        bytes: &[u8],
        make: impl FnOnce(u64, u32) -> Record,
    ) -> bool {
        self.open_run = None;
        if !self.batch.has_room(bytes.len()) {
            self.hand_over(handover);
        }
        if !self.batch.has_room(bytes.len()) {
            // Dropped: the writer is behind and no batch was free.
            self.lost.0 += 1;
            self.lost.1 += bytes.len() as u64;
            return false;
        }
        if self.lost != (0, 0) {
            let (count, lost_bytes) = std::mem::take(&mut self.lost);
            let seq = handover.take_seq(self.index, self.batch.is_empty());
            self.batch.records.push(Record::Loss {
                seq,
                kind: LossKind::Events,
                count,
                bytes: lost_bytes,
                reason: "the trace writer fell behind",
            });
        }
        if self.batch.is_empty() {
            self.batch.epoch = handover.epoch.load(Ordering::Relaxed);
        }
        let seq = handover.take_seq(self.index, self.batch.is_empty());
        let start = self.batch.bytes.len() as u32;
        self.batch.bytes.extend_from_slice(bytes);
        self.batch.records.push(make(seq, start));
        true
    }

    /// Hands the batch to the writer if it is non-empty.
    fn hand_over(&mut self, handover: &Handover) {
        self.open_run = None;
        if self.batch.is_empty() {
            return;
        }
        let batch = self.take_batch();
        self.batch = match handover.swap(self.index, batch) {
            Ok(fresh) => fresh,
            Err(mut full) => {
                let (count, bytes) = full.loss_if_dropped();
                self.lost.0 += count;
                self.lost.1 += bytes;
                full.clear();
                full
            }
        };
    }

    /// The batch, leaving an empty one that holds no memory in its place
    /// (a hand-over puts a fresh or recycled one there).
    fn take_batch(&mut self) -> Batch {
        std::mem::replace(
            &mut self.batch,
            Batch {
                vcpu: self.index as u32,
                records: Vec::new(),
                bytes: Vec::new(),
                epoch: 0,
            },
        )
    }

    /// At exit: hands the batch over whatever the queue holds, ending it
    /// with a loss record for what was dropped since the last one went
    /// in, so that no loss goes unrecorded.
    fn hand_over_last(&mut self, handover: &Handover) {
        self.open_run = None;
        if self.lost != (0, 0) {
            if !self.batch.has_room(0) {
                let full = std::mem::replace(&mut self.batch, Batch::new(self.index as u32));
                handover.give_last(self.index, full);
            }
            let (count, bytes) = std::mem::take(&mut self.lost);
            let seq = handover.take_seq(self.index, self.batch.is_empty());
            self.batch.records.push(Record::Loss {
                seq,
                kind: LossKind::Events,
                count,
                bytes,
                reason: "the trace writer fell behind",
            });
        }
        if !self.batch.is_empty() {
            let last = self.take_batch();
            handover.give_last(self.index, last);
        }
    }

    /// Hands over a batch started in an older flush epoch.
    fn hand_over_if_old(&mut self, handover: &Handover) {
        if !self.batch.is_empty() && self.batch.epoch != handover.epoch.load(Ordering::Relaxed) {
            self.hand_over(handover);
        }
    }

    /// Whether `key` is newly seen (and remembers it).
    fn first_sight(&mut self, key: u64) -> bool {
        let hash = key.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let slot = &mut self.probed[(hash >> 54) as usize];
        let new = *slot != hash;
        *slot = hash;
        new
    }

    /// Reads up to a page at `address` (not crossing into an unmapped
    /// page) and records it as a probe.
    fn probe(
        &mut self,
        recorder: &Recorder,
        kind: ProbeKind,
        address: u64,
        register: &'static str,
    ) {
        let to_page_end = (PAGE - address % PAGE) as usize;
        let mut page = [0u8; PAGE as usize];
        let mut len = 0;
        if let Some(bytes) = self.scratch.memory(address, to_page_end) {
            page[..to_page_end].copy_from_slice(bytes);
            len = to_page_end;
            let rest = PAGE as usize - to_page_end;
            if rest > 0
                && let Some(bytes) = self.scratch.memory(address + to_page_end as u64, rest)
            {
                page[to_page_end..].copy_from_slice(bytes);
                len = PAGE as usize;
            }
        }
        let thread = self.context;
        self.push(&recorder.handover, &page[..len], |seq, start| {
            Record::Probe {
                seq,
                kind,
                address,
                register,
                thread,
                start,
                len: len as u32,
                readable: len > 0,
            }
        });
    }
}

/// The entry callbacks: userdata is the pc of the entry instruction.
unsafe extern "C" fn on_syscall(vcpu: c_uint, pc: *mut c_void) {
    guarded(|| entry(vcpu, Mechanism::Syscall, pc as u64));
}
unsafe extern "C" fn on_sysenter(vcpu: c_uint, pc: *mut c_void) {
    guarded(|| entry(vcpu, Mechanism::Sysenter, pc as u64));
}
unsafe extern "C" fn on_int80(vcpu: c_uint, pc: *mut c_void) {
    guarded(|| entry(vcpu, Mechanism::Int80, pc as u64));
}
unsafe extern "C" fn on_int2e(vcpu: c_uint, pc: *mut c_void) {
    guarded(|| entry(vcpu, Mechanism::Int2e, pc as u64));
}

fn entry(index: c_uint, mechanism: Mechanism, pc: u64) {
    let Some(recorder) = recorder() else { return };
    // SAFETY: a callback of this vCPU.
    let Some(vcpu) = (unsafe { recorder.vcpu(index) }) else {
        return;
    };
    let mut snapshot = vcpu.snapshot(mechanism, pc, ENTRY_REGS);
    // Every entry instruction the recorder knows is two bytes long.
    snapshot.user_pc = pc.wrapping_add(2);
    snapshot.user_sp = snapshot.regs.rsp;
    vcpu.context = snapshot.thread();
    if recorder.phase.load(Ordering::Relaxed) == PHASE_CALLS {
        start_memory_phase(recorder, vcpu.efer());
    }
    let handover = &recorder.handover;
    // First sight of an address space: the shared user data page. First
    // sight of a thread pointer: the page it points to.
    let space = snapshot.cr3 & !0x1fff;
    if vcpu.first_sight(space) {
        vcpu.probe(recorder, ProbeKind::SharedUserData, SHARED_USER_DATA, "");
    }
    for (register, value) in [("fs_base", snapshot.fs_base), ("gs_base", snapshot.gs_base)] {
        if value != 0 && recorder.is_user(value) && vcpu.first_sight(space ^ value.rotate_left(17))
        {
            vcpu.probe(recorder, ProbeKind::ThreadPointer, value, register);
        }
    }
    let _ = vcpu.push(handover, &[], |seq, _| Record::Call {
        seq,
        entry: true,
        snapshot,
    });
    vcpu.hand_over_if_old(handover);
}

/// The first system call says whether the kernel runs in long mode, which
/// fixes the kernel base; then translations are dropped so that kernel
/// code is instrumented afresh with memory callbacks.
fn start_memory_phase(recorder: &Recorder, efer: u64) {
    if recorder.options.mem == MemoryMode::None
        || recorder.reset_requested.swap(true, Ordering::SeqCst)
    {
        return;
    }
    let base = recorder
        .options
        .kernel_base
        .unwrap_or(if efer & EFER_LMA != 0 {
            0xffff_8000_0000_0000
        } else {
            0x8000_0000
        });
    recorder.kernel_base.store(base, Ordering::SeqCst);
    // SAFETY: our own plugin id; the callback is a static function.
    unsafe { qemu_plugin_reset(recorder.id, Some(after_reset)) };
}

unsafe extern "C" fn after_reset(id: qemu_plugin_id_t) {
    guarded(|| {
        if let Some(recorder) = RECORDER.get() {
            recorder.phase.store(PHASE_MEMORY, Ordering::SeqCst);
        }
        register_callbacks(id);
    });
}

/// The exit callbacks: userdata is the pc of the exit instruction.
unsafe extern "C" fn on_sysretl(vcpu: c_uint, pc: *mut c_void) {
    guarded(|| exit(vcpu, Exit::Sysret { wide: false }, pc as u64));
}
unsafe extern "C" fn on_sysretq(vcpu: c_uint, pc: *mut c_void) {
    guarded(|| exit(vcpu, Exit::Sysret { wide: true }, pc as u64));
}
unsafe extern "C" fn on_sysexitd(vcpu: c_uint, pc: *mut c_void) {
    guarded(|| exit(vcpu, Exit::Sysexit { wide: false }, pc as u64));
}
unsafe extern "C" fn on_sysexitq(vcpu: c_uint, pc: *mut c_void) {
    guarded(|| exit(vcpu, Exit::Sysexit { wide: true }, pc as u64));
}
unsafe extern "C" fn on_iretw(vcpu: c_uint, pc: *mut c_void) {
    guarded(|| exit(vcpu, Exit::Iret { slot: 2 }, pc as u64));
}
unsafe extern "C" fn on_iretd(vcpu: c_uint, pc: *mut c_void) {
    guarded(|| exit(vcpu, Exit::Iret { slot: 4 }, pc as u64));
}
unsafe extern "C" fn on_iretq(vcpu: c_uint, pc: *mut c_void) {
    guarded(|| exit(vcpu, Exit::Iret { slot: 8 }, pc as u64));
}

#[derive(Clone, Copy)]
enum Exit {
    Sysret {
        wide: bool,
    },
    Sysexit {
        wide: bool,
    },
    /// An iret whose frame slots are `slot` bytes.
    Iret {
        slot: u64,
    },
}

fn exit(index: c_uint, how: Exit, pc: u64) {
    let Some(recorder) = recorder() else { return };
    // SAFETY: a callback of this vCPU.
    let Some(vcpu) = (unsafe { recorder.vcpu(index) }) else {
        return;
    };
    let handover = &recorder.handover;
    let (mechanism, wide) = match how {
        Exit::Sysret { wide } => (Mechanism::Sysret, wide),
        Exit::Sysexit { wide } => (Mechanism::Sysexit, wide),
        Exit::Iret { slot } => (Mechanism::Iret, slot == 8),
    };
    let mut iret_frame = [0u64; 4];
    if let Exit::Iret { slot } = how {
        // The frame: ip, cs, flags, sp, ss. Only an iret whose stacked CS
        // has RPL 3 returns to user mode; most return from interrupts
        // within the kernel, so look before reading anything else.
        let rsp = vcpu.general(Register::RSP);
        let read = vcpu.scratch.memory(rsp, 4 * slot as usize).map(|bytes| {
            for (value, piece) in iret_frame.iter_mut().zip(bytes.chunks(slot as usize)) {
                let mut word = [0u8; 8];
                word[..piece.len()].copy_from_slice(piece);
                *value = u64::from_le_bytes(word);
            }
        });
        if read.is_none() || iret_frame[1] & 3 != 3 {
            vcpu.hand_over_if_old(handover);
            return;
        }
    }
    let regs = match how {
        Exit::Sysret { .. } => SYSRET_REGS,
        Exit::Sysexit { .. } => SYSEXIT_REGS,
        Exit::Iret { .. } => EXIT_REGS,
    };
    let mut snapshot = vcpu.snapshot(mechanism, pc, regs);
    snapshot.wide = wide;
    let mask = if wide { u64::MAX } else { 0xffff_ffff };
    // Where the exit goes, by the instruction's own semantics.
    let r = snapshot.regs;
    (snapshot.user_pc, snapshot.user_sp) = match how {
        Exit::Sysret { .. } => (r.rcx & mask, r.rsp),
        Exit::Sysexit { .. } => (r.rdx & mask, r.rcx & mask),
        Exit::Iret { .. } => {
            snapshot.user_cs = iret_frame[1] as u16;
            (iret_frame[0], iret_frame[3])
        }
    };
    vcpu.context = snapshot.thread();
    let _ = vcpu.push(handover, &[], |seq, _| Record::Call {
        seq,
        entry: false,
        snapshot,
    });
    vcpu.hand_over_if_old(handover);
}

/// A write to a thread-identifying register; userdata says which.
unsafe extern "C" fn on_context_write(index: c_uint, what: *mut c_void) {
    guarded(|| {
        let Some(recorder) = recorder() else { return };
        // SAFETY: a callback of this vCPU.
        let Some(vcpu) = (unsafe { recorder.vcpu(index) }) else {
            return;
        };
        vcpu.open_run = None;
        let Some(write) = decode_context_write(what as u64) else {
            return;
        };
        // The callback runs before the instruction: compute what it writes.
        match write {
            ContextWrite::Cr3(register) => vcpu.context.cr3 = vcpu.general(register),
            ContextWrite::FsBase(register) => vcpu.context.fs_base = vcpu.general(register),
            ContextWrite::GsBase(register) => vcpu.context.gs_base = vcpu.general(register),
            ContextWrite::Swapgs => {
                let c = &mut vcpu.context;
                std::mem::swap(&mut c.gs_base, &mut c.kernel_gs_base);
            }
            ContextWrite::Wrmsr => {
                let msr = vcpu.general(Register::ECX);
                let value = (vcpu.general(Register::EDX) << 32) | vcpu.general(Register::EAX);
                match msr {
                    0xc000_0100 => vcpu.context.fs_base = value,
                    0xc000_0101 => vcpu.context.gs_base = value,
                    0xc000_0102 => vcpu.context.kernel_gs_base = value,
                    _ => {}
                }
            }
        }
    });
}

/// ContextWrite packed into callback userdata: kind in the low byte, the
/// iced register number above it.
fn encode_context_write(write: ContextWrite) -> u64 {
    let (kind, register) = match write {
        ContextWrite::Cr3(r) => (1, r as u64),
        ContextWrite::Wrmsr => (2, 0),
        ContextWrite::Swapgs => (3, 0),
        ContextWrite::FsBase(r) => (4, r as u64),
        ContextWrite::GsBase(r) => (5, r as u64),
    };
    kind | register << 8
}

fn decode_context_write(value: u64) -> Option<ContextWrite> {
    let register = || {
        Register::values()
            .nth((value >> 8) as usize)
            .unwrap_or(Register::None)
    };
    Some(match value & 0xff {
        1 => ContextWrite::Cr3(register()),
        2 => ContextWrite::Wrmsr,
        3 => ContextWrite::Swapgs,
        4 => ContextWrite::FsBase(register()),
        5 => ContextWrite::GsBase(register()),
        _ => return None,
    })
}

/// A kernel instruction's memory access: keep it if it reached user memory.
unsafe extern "C" fn on_memory(
    index: c_uint,
    info: qemu_plugin_meminfo_t,
    vaddr: u64,
    _: *mut c_void,
) {
    guarded(|| {
        let Some(recorder) = recorder() else { return };
        if !recorder.is_user(vaddr) {
            return;
        }
        // SAFETY: a callback of this vCPU.
        let Some(vcpu) = (unsafe { recorder.vcpu(index) }) else {
            return;
        };
        // SAFETY: info is the handle QEMU passed to this callback.
        let (store, size, value) = unsafe {
            let size = 1usize << qemu_plugin_mem_size_shift(info);
            (
                qemu_plugin_mem_is_store(info),
                size,
                qemu_plugin_mem_get_value(info),
            )
        };
        let mut bytes = [0u8; 16];
        // SAFETY: the union member read matches the type QEMU reports.
        unsafe {
            use qemu_plugin_mem_value_type::*;
            match value.type_ {
                QEMU_PLUGIN_MEM_VALUE_U8 => bytes[0] = value.data.u8_,
                QEMU_PLUGIN_MEM_VALUE_U16 => {
                    bytes[..2].copy_from_slice(&value.data.u16_.to_le_bytes())
                }
                QEMU_PLUGIN_MEM_VALUE_U32 => {
                    bytes[..4].copy_from_slice(&value.data.u32_.to_le_bytes())
                }
                QEMU_PLUGIN_MEM_VALUE_U64 => {
                    bytes[..8].copy_from_slice(&value.data.u64_.to_le_bytes())
                }
                QEMU_PLUGIN_MEM_VALUE_U128 => {
                    bytes[..8].copy_from_slice(&value.data.u128_.low.to_le_bytes());
                    bytes[8..].copy_from_slice(&value.data.u128_.high.to_le_bytes());
                }
            }
        }
        let bytes = &bytes[..size.min(16)];
        let direction = if store {
            Direction::KernelWrite
        } else {
            Direction::KernelRead
        };
        record_memory(recorder, vcpu, vaddr, direction, bytes);
    });
}

fn record_memory(
    recorder: &Recorder,
    vcpu: &mut Vcpu,
    address: u64,
    direction: Direction,
    bytes: &[u8],
) {
    // Extend the open run when this access continues it.
    if let Some((at, end)) = vcpu.open_run
        && end == address
        && vcpu.batch.has_room(bytes.len())
        && let Some(Record::Memory {
            direction: d, len, ..
        }) = vcpu.batch.records.get_mut(at)
        && *d == direction
        && (*len as usize) + bytes.len() <= MAX_RUN
    {
        *len += bytes.len() as u32;
        vcpu.batch.bytes.extend_from_slice(bytes);
        vcpu.open_run = Some((at, end + bytes.len() as u64));
        return;
    }
    let thread = vcpu.context;
    let len = bytes.len() as u32;
    let pushed = vcpu.push(&recorder.handover, bytes, |seq, start| Record::Memory {
        seq,
        address,
        direction,
        start,
        len,
        thread,
    });
    // Only a run that went in can be extended (push may have dropped it).
    if pushed {
        vcpu.open_run = Some((vcpu.batch.records.len() - 1, address + bytes.len() as u64));
    }
}

unsafe extern "C" fn on_translate(_id: qemu_plugin_id_t, tb: *mut qemu_plugin_tb) {
    guarded(|| {
        let Some(recorder) = recorder() else { return };
        let memory = recorder.phase.load(Ordering::Relaxed) == PHASE_MEMORY;
        let kernel_base = recorder.kernel_base();
        // SAFETY: tb and its instructions are valid for this callback.
        unsafe {
            for i in 0..qemu_plugin_tb_n_insns(tb) {
                let insn = qemu_plugin_tb_get_insn(tb, i);
                let vaddr = qemu_plugin_insn_vaddr(insn);
                let mut bytes = [0u8; 16];
                let len = qemu_plugin_insn_data(insn, bytes.as_mut_ptr().cast(), bytes.len());
                let bytes = &bytes[..len.min(16)];
                let kernel = memory && vaddr >= kernel_base;
                if !plan::may_have_role(bytes, kernel) {
                    continue;
                }
                let Some(decoded) = plan::decode(bytes, vaddr) else {
                    continue;
                };
                instrument(insn, vaddr, plan::classify(&decoded, kernel));
            }
        }
    });
}

/// Registers the callbacks for one instruction's role.
///
/// # Safety
/// `insn` is an instruction handle of the block being translated.
unsafe fn instrument(insn: *mut qemu_plugin_insn, vaddr: u64, role: Role) {
    type Callback = unsafe extern "C" fn(c_uint, *mut c_void);
    let callback: Option<(Callback, u64)> = match role {
        Role::Entry(Mechanism::Syscall) => Some((on_syscall, vaddr)),
        Role::Entry(Mechanism::Sysenter) => Some((on_sysenter, vaddr)),
        Role::Entry(Mechanism::Int80) => Some((on_int80, vaddr)),
        Role::Entry(Mechanism::Int2e) => Some((on_int2e, vaddr)),
        Role::Exit {
            mechanism: Mechanism::Sysret,
            wide,
            ..
        } => Some((if wide { on_sysretq } else { on_sysretl }, vaddr)),
        Role::Exit {
            mechanism: Mechanism::Sysexit,
            wide,
            ..
        } => Some((if wide { on_sysexitq } else { on_sysexitd }, vaddr)),
        Role::Exit { iret_slot: 2, .. } => Some((on_iretw, vaddr)),
        Role::Exit { iret_slot: 4, .. } => Some((on_iretd, vaddr)),
        Role::Exit { iret_slot: 8, .. } => Some((on_iretq, vaddr)),
        Role::ContextWrite(write) => {
            // Only memory records need the live context.
            RECORDER
                .get()
                .filter(|r| r.phase.load(Ordering::Relaxed) == PHASE_MEMORY)
                .map(|_| (on_context_write as Callback, encode_context_write(write)))
        }
        Role::MayTouchUser => {
            // SAFETY: per this function's contract.
            unsafe {
                qemu_plugin_register_vcpu_mem_cb(
                    insn,
                    Some(on_memory),
                    qemu_plugin_cb_flags::QEMU_PLUGIN_CB_NO_REGS,
                    qemu_plugin_mem_rw::QEMU_PLUGIN_MEM_RW,
                    std::ptr::null_mut(),
                )
            };
            None
        }
        Role::Entry(_) | Role::Exit { .. } | Role::Other => None,
    };
    if let Some((callback, data)) = callback {
        // SAFETY: per this function's contract; the callback is static.
        unsafe {
            qemu_plugin_register_vcpu_insn_exec_cb(
                insn,
                Some(callback),
                qemu_plugin_cb_flags::QEMU_PLUGIN_CB_R_REGS,
                udata(data),
            )
        };
    }
}

unsafe extern "C" fn on_vcpu_init(_id: qemu_plugin_id_t, index: c_uint) {
    guarded(|| {
        let Some(recorder) = RECORDER.get() else {
            return;
        };
        let Some(slot) = recorder.vcpus.get(index as usize) else {
            say(&format!(
                "vCPU {index} is beyond the {} expected; not recorded",
                recorder.vcpus.len()
            ));
            return;
        };
        let handles = register_handles();
        let find = |names: &[&str]| {
            names.iter().filter(|n| !n.is_empty()).find_map(|name| {
                handles
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, h)| Handle(*h))
            })
        };
        let mut regs = RegisterHandles::default();
        for (handle, (long, short)) in regs.general.iter_mut().zip(GENERAL) {
            *handle = find(&[long, short]);
        }
        regs.cs = find(&["cs"]);
        regs.ss = find(&["ss"]);
        regs.fs_base = find(&["fs_base"]);
        regs.gs_base = find(&["gs_base"]);
        regs.k_gs_base = find(&["k_gs_base"]);
        regs.cr3 = find(&["cr3"]);
        regs.efer = find(&["efer"]);
        let vcpu = Vcpu {
            index: index as usize,
            scratch: Scratch::new(),
            regs,
            batch: Batch::new(index),
            context: ThreadContext::default(),
            open_run: None,
            probed: Box::new([0; 1024]),
            lost: (0, 0),
            efer_read: false,
        };
        // SAFETY: vCPU init runs once per vCPU before its first callback.
        unsafe { *slot.0.get() = Some(vcpu) };
    });
}

unsafe extern "C" fn on_idle(_id: qemu_plugin_id_t, index: c_uint) {
    guarded(|| {
        let Some(recorder) = recorder() else { return };
        // SAFETY: runs on the vCPU's own thread.
        if let Some(vcpu) = unsafe { recorder.vcpu(index) } {
            vcpu.hand_over(&recorder.handover);
        }
    });
}

unsafe extern "C" fn on_exit(_id: qemu_plugin_id_t, _: *mut c_void) {
    guarded(finish);
}

/// At QEMU exit: hand over every batch, let the writer finish the trace.
fn finish() {
    let Some(recorder) = RECORDER.get() else {
        return;
    };
    let handover = &recorder.handover;
    let already_stopped = handover.stopped.swap(true, Ordering::SeqCst);
    if !already_stopped {
        for index in 0..recorder.vcpus.len() {
            // SAFETY: QEMU calls atexit callbacks once the vCPUs stopped.
            if let Some(vcpu) = unsafe { recorder.vcpu(index as c_uint) } {
                vcpu.hand_over_last(handover);
            }
        }
    }
    {
        let mut queues = handover.queue.lock().unwrap_or_else(|e| e.into_inner());
        queues.finish = true;
    }
    handover.wake.notify_all();
    let writer = recorder
        .writer
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take();
    let Some(writer) = writer else { return };
    let path = recorder.options.out.display();
    match writer.join() {
        Ok(Ok(summary)) => say(&format!(
            "{path}: {} events ({} calls entered, {} exited, {} memory bytes, {} lost), {} bytes",
            summary.counts.events,
            summary.counts.entries,
            summary.counts.exits,
            summary.counts.memory_bytes,
            summary.counts.lost_records,
            summary.bytes
        )),
        Ok(Err(error)) => say(&format!(
            "recording stopped early: {error}; the trace reads up to that point"
        )),
        Err(_) => say("the trace writer failed; the trace reads up to its last whole chunk"),
    }
}

fn register_callbacks(id: qemu_plugin_id_t) {
    // SAFETY: static callbacks registered with our own id.
    unsafe {
        qemu_plugin_register_vcpu_tb_trans_cb(id, Some(on_translate));
        qemu_plugin_register_vcpu_idle_cb(id, Some(on_idle));
        qemu_plugin_register_atexit_cb(id, Some(on_exit), std::ptr::null_mut());
    }
}

/// What QEMU was started with, as the header records it.
fn qemu_command_line() -> Vec<String> {
    std::fs::read("/proc/self/cmdline")
        .map(|bytes| {
            bytes
                .split(|&b| b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Guest RAM from `-m`: "512", "512M", "2G", "size=1G,...". QEMU's
/// default is 128 MiB.
fn guest_memory(args: &[String]) -> u64 {
    let Some(value) = args
        .iter()
        .position(|a| a == "-m")
        .and_then(|i| args.get(i + 1))
    else {
        return 128 << 20;
    };
    let size = value
        .split(',')
        .find_map(|part| match part.split_once('=') {
            Some(("size", v)) => Some(v),
            Some(_) => None,
            None => Some(part),
        })
        .unwrap_or("");
    let (digits, unit) = size.split_at(
        size.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(size.len()),
    );
    let n: u64 = digits.parse().unwrap_or(0);
    match unit.to_ascii_uppercase().as_str() {
        "" | "M" | "MB" => n << 20,
        "G" | "GB" => n << 30,
        "K" | "KB" => n << 10,
        "T" | "TB" => n << 40,
        _ => 0,
    }
}

/// QEMU's version, as its binary spells it for `--version`.
fn qemu_version() -> String {
    const NEEDLE: &[u8] = b"QEMU emulator version ";
    let Ok(binary) = std::fs::read("/proc/self/exe") else {
        return String::new();
    };
    binary
        .windows(NEEDLE.len())
        .position(|w| w == NEEDLE)
        .map(|at| {
            let rest = &binary[at + NEEDLE.len()..];
            let end = rest
                .iter()
                .position(|&b| b == b'\n' || b == 0)
                .unwrap_or(rest.len())
                .min(200);
            String::from_utf8_lossy(&rest[..end]).into_owned()
        })
        .unwrap_or_default()
}

/// QEMU calls this once when it loads the plugin. A non-zero return stops
/// QEMU before the guest starts.
///
/// # Safety
/// Called by QEMU with valid `info` and `argc` strings in `argv`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qemu_plugin_install(
    id: qemu_plugin_id_t,
    info: *const qemu_info_t,
    argc: c_int,
    argv: *mut *mut c_char,
) -> c_int {
    let result = catch_unwind(|| {
        // SAFETY: QEMU passes argc valid C strings.
        let args: Vec<String> = (0..argc.max(0) as usize)
            .map(|i| {
                unsafe { CStr::from_ptr(*argv.add(i)) }
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        // SAFETY: QEMU passes a valid info block.
        let info = unsafe { &*info };
        install(id, info, &args)
    });
    match result {
        Ok(Ok(())) => 0,
        Ok(Err(message)) => {
            say(&message);
            1
        }
        Err(_) => {
            say("internal error while starting");
            1
        }
    }
}

fn install(id: qemu_plugin_id_t, info: &qemu_info_t, args: &[String]) -> Result<(), String> {
    let options = options::parse(args.iter().map(String::as_str))?;
    if !info.system_emulation {
        return Err("only full-system emulation (qemu-system-*) is supported".into());
    }
    // SAFETY: target_name is a constant C string.
    let target = unsafe { CStr::from_ptr(info.target_name) }.to_string_lossy();
    let guest_arch = match target.as_ref() {
        "x86_64" => GuestArch::X86_64,
        "i386" => GuestArch::I386,
        other => {
            return Err(format!(
                "guest architecture {other} is not supported (x86_64, i386)"
            ));
        }
    };
    // SAFETY: system_emulation is set, so the system member is the live one.
    let system = unsafe { info.__bindgen_anon_1.system };
    let max_vcpus = system.max_vcpus.max(system.smp_vcpus).max(1) as usize;
    let command_line = qemu_command_line();
    let header = TraceHeader {
        recorder_version: format!("vmscope-recorder {}", env!("CARGO_PKG_VERSION")),
        qemu_version: qemu_version(),
        guest_arch,
        vcpu_count: system.smp_vcpus.max(1) as u32,
        guest_memory_bytes: guest_memory(&command_line),
        started_at_unix_ns: unix_ns(),
        qemu_command_line: command_line,
        recorder_options: options.describe(),
    };
    let writer_options = WriterOptions {
        level: options.level,
        ..WriterOptions::default()
    };
    let writer = TraceWriter::create(&options.out, &header, writer_options)
        .map_err(|e| format!("cannot create the trace: {e}"))?;
    let handover = Arc::new(Handover::new(max_vcpus));
    let flush_every = Duration::from_millis(options.flush_ms);
    let thread_handover = Arc::clone(&handover);
    let thread = std::thread::Builder::new()
        .name("vmscope-writer".into())
        .spawn(move || {
            let result = sink::run(&thread_handover, writer, flush_every);
            if let Err(error) = &result {
                say(&format!(
                    "recording stopped: {error}; the trace reads up to this point"
                ));
            }
            result
        })
        .map_err(|e| format!("cannot start the writer thread: {e}"))?;
    let recorder = Recorder {
        id,
        options,
        handover,
        vcpus: (0..max_vcpus)
            .map(|_| VcpuSlot(UnsafeCell::new(None)))
            .collect(),
        phase: AtomicU8::new(PHASE_CALLS),
        reset_requested: AtomicBool::new(false),
        kernel_base: AtomicU64::new(0),
        writer: Mutex::new(Some(thread)),
    };
    RECORDER
        .set(recorder)
        .map_err(|_| "loaded twice".to_string())?;
    // SAFETY: static callbacks registered with our own id.
    unsafe { qemu_plugin_register_vcpu_init_cb(id, Some(on_vcpu_init)) };
    register_callbacks(id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_memory_forms() {
        let args = |m: &str| vec!["qemu".to_string(), "-m".into(), m.into()];
        assert_eq!(guest_memory(&args("512")), 512 << 20);
        assert_eq!(guest_memory(&args("2G")), 2 << 30);
        assert_eq!(guest_memory(&args("size=1G,slots=2,maxmem=4G")), 1 << 30);
        assert_eq!(guest_memory(&["qemu".to_string()]), 128 << 20);
    }

    #[test]
    fn context_writes_survive_userdata() {
        for write in [
            ContextWrite::Cr3(Register::RDI),
            ContextWrite::Wrmsr,
            ContextWrite::Swapgs,
            ContextWrite::FsBase(Register::R12),
            ContextWrite::GsBase(Register::EAX),
        ] {
            assert_eq!(
                decode_context_write(encode_context_write(write)),
                Some(write)
            );
        }
    }
}
