//! The threads pass: pairs every system call entry with its exit, gives
//! memory runs to the call they belong to, and tells threads apart.
//!
//! An exit belongs to the open entry of the same address space whose user
//! stack it returns to, resuming where that entry would resume: right
//! after the entry instruction. Exceptions, each from the instruction
//! semantics rather than an OS table: 32-bit calls through the vDSO
//! (`syscall`/`sysenter` from a compatibility-mode code segment) return to
//! the vDSO's landing pad, wherever the kernel keeps it; and an exit to the
//! entry instruction itself is a call the kernel restarts.
//!
//! Output is in entry order. A call whose exit is far behind (a blocking
//! read while thousands of other calls happen) is not allowed to hold
//! memory without bound: past `window` later calls it is released as
//! unfinished, and its exit, when it comes, as a resumption.

use std::collections::VecDeque;
use std::hash::{BuildHasherDefault, Hasher};

use vmscope_schema::{ChunkError, Event, EventKind, Mechanism, MemoryRun, Probe, SyscallEvent};

/// The pass's maps are keyed by sequence numbers, addresses and small
/// tuples of them, never by anything a guest could choose to collide: a
/// multiply-rotate hash (FxHash's) instead of SipHash, which was an eighth
/// of the pass's time.
#[derive(Clone, Copy, Debug, Default)]
pub struct FastHasher(u64);

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u32(&mut self, value: u32) {
        self.write_u64(u64::from(value));
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A HashMap with [`FastHasher`].
pub type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FastHasher>>;
/// A HashSet with [`FastHasher`].
pub type HashSet<K> = std::collections::HashSet<K, BuildHasherDefault<FastHasher>>;

/// What identifies a thread without knowing the OS: its address space
/// (cr3 without the PCID and KPTI bits) and its user thread pointer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ThreadKey {
    pub space: u64,
    pub pointer: u64,
}

pub fn space(cr3: u64) -> u64 {
    cr3 & !0x1fff
}

impl ThreadKey {
    /// The user thread pointer: fs_base for Linux x86_64 and i386 (TLS) and
    /// Windows x86 (TEB), gs_base for Windows x64 (TEB); whichever is set.
    pub fn of(call: &SyscallEvent) -> ThreadKey {
        ThreadKey {
            space: space(call.cr3),
            pointer: if call.fs_base != 0 {
                call.fs_base
            } else {
                call.gs_base
            },
        }
    }

    fn of_run(run: &MemoryRun) -> ThreadKey {
        // In kernel mode after swapgs the user gs is in kernel_gs_base.
        let t = &run.thread;
        ThreadKey {
            space: space(t.cr3),
            pointer: if t.fs_base != 0 {
                t.fs_base
            } else if t.gs_base != 0 && t.kernel_gs_base == 0 {
                t.gs_base
            } else {
                t.kernel_gs_base
            },
        }
    }
}

/// How a call ended, as far as the trace tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Its exit was seen.
    Returned,
    /// Restarted by the kernel: the exit resumes at the entry instruction,
    /// which will enter again.
    Restarted,
    /// No exit yet: released early, its exit may follow as a resumption.
    Unfinished,
    /// No exit before the recording ended (exit, a successful execve, or
    /// still blocked).
    NoExit,
}

/// What a call's exit tells: its place in the trace, the result register,
/// and the thread it returned to (a successful execve or a new thread
/// pointer changes it). The rest of the exit snapshot served to pair it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exit {
    pub seq: u64,
    pub vcpu: u32,
    /// rax as the exit left it.
    pub rax: u64,
    pub thread: ThreadKey,
}

impl Exit {
    fn of(seq: u64, vcpu: u32, exit: &SyscallEvent) -> Exit {
        Exit {
            seq,
            vcpu,
            rax: exit.regs.rax,
            thread: ThreadKey::of(exit),
        }
    }
}

/// One system call with everything the trace holds about it.
#[derive(Clone, Debug)]
pub struct Call {
    pub seq: u64,
    pub vcpu: u32,
    pub thread: ThreadKey,
    pub entry: SyscallEvent,
    pub exit: Option<Exit>,
    pub memory: Vec<MemoryRun>,
    pub outcome: Outcome,
    /// This record completes an earlier unfinished one (same `seq`).
    pub resumed: bool,
}

/// Calls their consumer is done with, handed back so that the pass can
/// reuse their boxes (see [`Pairer::reuse`]).
// The boxes themselves are what is reused.
#[allow(clippy::vec_box)]
#[derive(Debug, Default)]
pub struct Spent(Vec<Box<Call>>);

impl Spent {
    pub fn give(&mut self, call: Box<Call>) {
        self.0.push(call);
    }
}

/// How many spent boxes the pass keeps: more than the calls in flight
/// between it and the renderer, so that none is allocated in steady state.
const SPARE: usize = 1 << 15;
/// How many memory runs' room a reused call box keeps.
const KEPT_RUNS: usize = 16;

/// What the pass hands on, in entry order.
// Calls are nearly every item; boxing them would allocate once per call.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Item {
    Call(Box<Call>),
    /// A loss the recorder reported, at its place in the order.
    Loss {
        seq: u64,
        vcpu: u32,
        loss: vmscope_schema::Loss,
    },
    /// A page the recorder read the first time it saw an address space or
    /// thread pointer (a Windows TEB says its thread's ids).
    Probe(Probe),
    /// A chunk that could not be read; its events are missing here.
    Damaged(ChunkError),
    /// A new thread or process returning from the fork-like call `parent`
    /// made (an exit with result 0 resuming where that call does, in
    /// another address space or on another stack). Placed after `parent`.
    ChildStart {
        parent: u64,
        seq: u64,
        vcpu: u32,
        thread: ThreadKey,
    },
}

/// What the threads pass must know of a call, as bits of [`role`]: the
/// few calls that do not simply return to their caller.
pub mod role {
    /// Never returns whatever happens (exit, exit_group): not waited for.
    pub const NEVER_RETURNS: u8 = 1;
    /// Replaces the program when it succeeds (execve): its success is the
    /// next exit with result 0 on the same vCPU into another address space.
    pub const REPLACES_IMAGE: u8 = 2;
    /// Makes a thread or process that returns 0 where the caller resumes.
    pub const FORKS: u8 = 4;
    /// Returns to wherever the thread was interrupted (sigreturn,
    /// NtContinue): its exit is the thread's next exit on the same vCPU.
    pub const RETURNS_ELSEWHERE: u8 = 8;
    /// Ends the whole process (exit_group): its address space may be
    /// reused.
    pub const ENDS_PROCESS: u8 = 16;
}

/// What the pass must know of the guest OS: the [`role`] bits of an entry,
/// asked once per entry. A closure, so that it can hold the service table
/// of the release the trace came from.
pub struct CallRules {
    pub role: Box<dyn Fn(&SyscallEvent) -> u8 + Send + Sync>,
}

impl CallRules {
    /// No OS knowledge: pair by registers alone.
    pub fn none() -> CallRules {
        CallRules {
            role: Box::new(|_| 0),
        }
    }
}

impl std::fmt::Debug for CallRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CallRules")
    }
}

/// The pairing state over a stream of events.
#[derive(Debug)]
pub struct Pairer {
    window: usize,
    rules: CallRules,
    /// Per vCPU: the newest open call that replaces the program image.
    open_exec: HashMap<u32, u64>,
    /// Per vCPU: an open sigreturn and its thread.
    open_sigreturn: HashMap<u32, (u64, ThreadKey)>,
    /// Recent fork-like calls, newest last: seq, caller, its entry.
    forks: VecDeque<(u64, ThreadKey, SyscallEvent)>,
    /// Address spaces that made calls and have not ended: an execve's exit
    /// lands in one that is not among them.
    live_spaces: HashSet<u64>,
    /// Calls and other items in entry order, not yet handed on, each with
    /// its place in that order.
    pending: VecDeque<(u64, Slot)>,
    next_place: u64,
    /// Place in `pending` of each call still there, by its seq.
    places: HashMap<u64, u64>,
    /// Open calls by (space, user sp): index as a seq, found in `pending`
    /// or in `released`.
    open: HashMap<(u64, u64), OnStack>,
    /// Calls released unfinished, still waiting for their exits.
    released: HashMap<u64, Box<Call>>,
    /// Open calls by thread, newest last, for memory runs.
    by_thread: HashMap<ThreadKey, Vec<u64>>,
    ready: VecDeque<Item>,
    /// Boxes of spent calls, for new ones. Calls are boxed because they
    /// pass through several queues (moving them by value was a quarter of
    /// the pass); reusing the boxes keeps the allocator out of it, and
    /// keeps a consumer on another thread from freeing what this one
    /// allocates.
    #[allow(clippy::vec_box)]
    spare: Vec<Box<Call>>,
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Slot {
    Call(Box<Call>),
    Other(Item),
}

impl Slot {
    fn is_waiting(&self) -> bool {
        matches!(self, Slot::Call(c) if c.exit.is_none())
    }
}

impl Pairer {
    /// `window`: how many later calls an open call may hold back.
    pub fn new(window: usize, rules: CallRules) -> Pairer {
        Pairer {
            window: window.max(1),
            rules,
            open_exec: HashMap::default(),
            open_sigreturn: HashMap::default(),
            forks: VecDeque::new(),
            live_spaces: Default::default(),
            pending: VecDeque::new(),
            next_place: 0,
            places: HashMap::default(),
            open: HashMap::default(),
            released: HashMap::default(),
            by_thread: HashMap::default(),
            ready: VecDeque::new(),
            spare: Vec::new(),
        }
    }

    /// Takes back calls the consumer is done with.
    pub fn reuse(&mut self, spent: &mut Spent) {
        let room = SPARE.saturating_sub(self.spare.len());
        let keep = spent.0.len().min(room);
        self.spare.extend(spent.0.drain(..keep));
        spent.0.clear();
    }

    /// A call just entered, with no exit yet, in a spent box if there is
    /// one (filled field by field: the registers are copied once).
    fn open(
        &mut self,
        seq: u64,
        vcpu: u32,
        thread: ThreadKey,
        entry: &SyscallEvent,
        outcome: Outcome,
    ) -> Box<Call> {
        let Some(mut call) = self.spare.pop() else {
            return Box::new(Call {
                seq,
                vcpu,
                thread,
                entry: *entry,
                exit: None,
                memory: Vec::new(),
                outcome,
                resumed: false,
            });
        };
        call.seq = seq;
        call.vcpu = vcpu;
        call.thread = thread;
        call.entry = *entry;
        call.exit = None;
        // A box keeps the room of an ordinary call's runs, not of the
        // largest call it ever held.
        if call.memory.capacity() > KEPT_RUNS {
            call.memory = Vec::new();
        } else {
            call.memory.clear();
        }
        call.outcome = outcome;
        call.resumed = false;
        call
    }

    /// Feeds one event, taking what it keeps of it: the registers are
    /// copied once, into the call; memory, probes and losses are moved out.
    /// See [`Pairer::drain`] for what is ready.
    pub fn push(&mut self, event: &mut Event) {
        let (seq, vcpu) = (event.seq, event.vcpu);
        match &mut event.kind {
            EventKind::Entry(entry) => self.entry(seq, vcpu, entry),
            EventKind::Exit(exit) => self.exit(seq, vcpu, exit),
            EventKind::Memory(run) => self.memory(std::mem::take(run)),
            // The state pass reads TEBs from them: kept in order.
            EventKind::Probe(probe) => {
                self.enqueue(Slot::Other(Item::Probe(std::mem::take(probe))));
            }
            EventKind::Loss(loss) => self.enqueue(Slot::Other(Item::Loss {
                seq,
                vcpu,
                loss: std::mem::take(loss),
            })),
        }
        self.release();
    }

    /// Feeds a chunk that could not be read, in its place.
    pub fn damaged(&mut self, error: ChunkError) {
        self.enqueue(Slot::Other(Item::Damaged(error)));
        self.release();
    }

    /// Items ready to hand on, in order.
    pub fn drain(&mut self) -> impl Iterator<Item = Item> + '_ {
        self.ready.drain(..)
    }

    /// Ends the stream: everything still open had no exit.
    pub fn finish(&mut self) {
        self.places.clear();
        while let Some((_, slot)) = self.pending.pop_front() {
            self.ready.push_back(match slot {
                Slot::Call(mut call) => {
                    if call.exit.is_none() {
                        call.outcome = Outcome::NoExit;
                    }
                    Item::Call(call)
                }
                Slot::Other(item) => item,
            });
        }
        self.open.clear();
        self.by_thread.clear();
        // Released calls whose exits never came: nothing more to say; they
        // were shown as unfinished.
        self.released.clear();
    }

    fn entry(&mut self, seq: u64, vcpu: u32, entry: &SyscallEvent) {
        let key = (space(entry.cr3), entry.user_sp);
        let thread = ThreadKey::of(entry);
        let role = (self.rules.role)(entry);
        if role & role::REPLACES_IMAGE != 0 {
            self.open_exec.insert(vcpu, seq);
        }
        let outcome = if role & role::RETURNS_ELSEWHERE != 0 {
            // Its exit is found by vCPU, not by stack (see `exit`).
            self.open_sigreturn.insert(vcpu, (seq, thread));
            Outcome::Unfinished
        } else {
            self.live_spaces.insert(key.0);
            if role & role::ENDS_PROCESS != 0 {
                self.live_spaces.remove(&key.0);
            }
            if role & role::FORKS != 0 {
                // Children start soon after their parent's call: a short memory.
                if self.forks.len() >= 64 {
                    self.forks.pop_front();
                }
                self.forks.push_back((seq, thread, *entry));
            }
            if role & role::NEVER_RETURNS != 0 {
                // Not waited for; its memory runs are not looked for either.
                Outcome::NoExit
            } else {
                self.open.entry(key).or_default().push(seq);
                let calls = self.by_thread.entry(thread).or_default();
                calls.push(seq);
                // A thread has few calls open at once (signal handlers
                // nest); keep the list short even when exits are missing.
                if calls.len() > 16 {
                    calls.remove(0);
                }
                Outcome::Unfinished
            }
        };
        let call = self.open(seq, vcpu, thread, entry, outcome);
        self.enqueue(Slot::Call(call));
    }

    fn enqueue(&mut self, slot: Slot) {
        if let Slot::Call(call) = &slot {
            self.places.insert(call.seq, self.next_place);
        }
        self.pending.push_back((self.next_place, slot));
        self.next_place += 1;
    }

    /// The pending call with this seq, by a binary search on its place, so
    /// that lookups stay cheap however many calls an open one holds back.
    fn find_pending(&mut self, seq: u64) -> Option<&mut Call> {
        let place = *self.places.get(&seq)?;
        let at = self.pending.partition_point(|(p, _)| *p < place);
        match self.pending.get_mut(at) {
            Some((p, Slot::Call(call))) if *p == place => Some(call),
            _ => None,
        }
    }

    fn exit(&mut self, seq: u64, vcpu: u32, exit: &SyscallEvent) {
        // A sigreturn's exit is where the thread resumes, whatever that is;
        // it may also be the exit of the call the signal interrupted.
        if let Some(&(call_seq, thread)) = self.open_sigreturn.get(&vcpu)
            && thread.space == space(exit.cr3)
        {
            self.open_sigreturn.remove(&vcpu);
            if let Some(call) = self.find_pending(call_seq) {
                call.exit = Some(Exit::of(seq, vcpu, exit));
                call.outcome = Outcome::Returned;
            }
        }
        let key = (space(exit.cr3), exit.user_sp);
        let candidates = self.open.get(&key).copied().unwrap_or_default();
        if self.pair(seq, vcpu, exit, key, candidates.seqs()) {
            return;
        }
        if exit.regs.rax != 0 {
            // Interrupt and fault returns: nothing to pair.
            return;
        }
        // A successful execve: the exit lands in a new address space, one
        // that has made no call yet.
        if let Some(&exec_seq) = self.open_exec.get(&vcpu)
            && !self.live_spaces.contains(&key.0)
        {
            let old_key = self
                .find_call(exec_seq)
                .map(|call| (space(call.entry.cr3), call.entry.user_sp));
            self.open_exec.remove(&vcpu);
            if let Some(old_key) = old_key {
                // The old image is gone with all its threads: its address
                // space may come back for another process's exec.
                self.live_spaces.remove(&old_key.0);
                self.complete(exec_seq, old_key, seq, vcpu, exit, Outcome::Returned);
            }
            return;
        }
        // A child returning 0 from its parent's fork-like call: where the
        // parent resumes, or (for a 32-bit call through the vDSO, which
        // returns to the vDSO's landing pad) on the same stack in a new
        // address space.
        let thread = ThreadKey::of(exit);
        let parent = self
            .forks
            .iter()
            .rev()
            .find(|(parent_seq, parent_thread, entry)| {
                *parent_seq < seq
                    && *parent_thread != thread
                    && (exit.user_pc == entry.user_pc
                        || (is_compat_vdso(entry)
                            && exit.user_sp == entry.user_sp
                            && space(entry.cr3) != key.0))
            })
            .map(|(parent_seq, _, _)| *parent_seq);
        if let Some(parent) = parent {
            self.enqueue(Slot::Other(Item::ChildStart {
                parent,
                seq,
                vcpu,
                thread,
            }));
        }
    }

    fn find_call(&mut self, seq: u64) -> Option<&Call> {
        if self.places.contains_key(&seq) {
            return self.find_pending(seq).map(|c| &*c);
        }
        self.released.get(&seq).map(|call| &**call)
    }

    /// Pairs `exit` with the newest fitting open call on its stack.
    fn pair(
        &mut self,
        seq: u64,
        vcpu: u32,
        exit: &SyscallEvent,
        key: (u64, u64),
        candidates: &[u64],
    ) -> bool {
        // The newest open call on this stack whose resume point fits.
        for &call_seq in candidates.iter().rev() {
            let Some(outcome) = self
                .find_call(call_seq)
                .and_then(|call| resumes(&call.entry, exit))
            else {
                continue;
            };
            self.complete(call_seq, key, seq, vcpu, exit, outcome);
            return true;
        }
        false
    }

    fn complete(
        &mut self,
        call_seq: u64,
        key: (u64, u64),
        seq: u64,
        vcpu: u32,
        exit: &SyscallEvent,
        outcome: Outcome,
    ) {
        if let Some(list) = self.open.get_mut(&key) {
            list.remove(call_seq);
            if list.is_empty() {
                self.open.remove(&key);
            }
        }
        self.open_exec.retain(|_, &mut s| s != call_seq);
        if let Some(call) = self.find_pending(call_seq) {
            let thread = call.thread;
            call.exit = Some(Exit::of(seq, vcpu, exit));
            call.outcome = outcome;
            if let Some(list) = self.by_thread.get_mut(&thread) {
                list.retain(|&s| s != call_seq);
            }
        } else if let Some(mut call) = self.released.remove(&call_seq) {
            if let Some(list) = self.by_thread.get_mut(&call.thread) {
                list.retain(|&s| s != call_seq);
            }
            call.exit = Some(Exit::of(seq, vcpu, exit));
            call.outcome = outcome;
            call.resumed = true;
            self.enqueue(Slot::Call(call));
        }
    }

    fn memory(&mut self, run: MemoryRun) {
        let thread = ThreadKey::of_run(&run);
        // The open call of the thread the run is stamped with; failing that
        // (a thread pointer the recorder could not follow, such as a 32-bit
        // task's gs base loaded from the GDT), the newest open call in the
        // same address space.
        let seq = self
            .by_thread
            .get(&thread)
            .and_then(|calls| calls.last())
            .copied()
            .or_else(|| {
                self.by_thread
                    .iter()
                    .filter(|(key, _)| key.space == thread.space)
                    .filter_map(|(_, calls)| calls.last())
                    .max()
                    .copied()
            });
        let Some(seq) = seq else {
            return;
        };
        if let Some(call) = self.find_pending(seq) {
            call.memory.push(run);
        } else if let Some(call) = self.released.get_mut(&seq) {
            call.memory.push(run);
        }
    }

    /// Moves finished items from the front of `pending` to `ready`, and
    /// releases the oldest open call once it holds back too much.
    fn release(&mut self) {
        loop {
            match self.pending.front() {
                Some((_, slot)) if !slot.is_waiting() => {
                    let item = match self.pending.pop_front() {
                        Some((_, Slot::Call(call))) => {
                            self.places.remove(&call.seq);
                            Item::Call(call)
                        }
                        Some((_, Slot::Other(item))) => item,
                        None => unreachable!("front exists"),
                    };
                    self.ready.push_back(item);
                }
                Some(_) if self.pending.len() > self.window => {
                    if let Some((_, Slot::Call(call))) = self.pending.pop_front() {
                        self.places.remove(&call.seq);
                        self.forget_released_beyond(MAX_RELEASED);
                        self.released.insert(call.seq, call.clone());
                        self.ready.push_back(Item::Call(call));
                    }
                }
                _ => return,
            }
        }
    }
}

/// The calls open on one stack, oldest first: at most four (entries that
/// never returned, such as a successful execve's, must not pile up), kept
/// inline so that a call's entry and exit allocate nothing.
#[derive(Clone, Copy, Debug, Default)]
struct OnStack {
    seqs: [u64; 4],
    len: usize,
}

impl OnStack {
    fn push(&mut self, seq: u64) {
        if self.len == self.seqs.len() {
            self.seqs.rotate_left(1);
            self.len -= 1;
        }
        self.seqs[self.len] = seq;
        self.len += 1;
    }

    fn remove(&mut self, seq: u64) {
        let mut kept = 0;
        for i in 0..self.len {
            if self.seqs[i] != seq {
                self.seqs[kept] = self.seqs[i];
                kept += 1;
            }
        }
        self.len = kept;
    }

    fn seqs(&self) -> &[u64] {
        &self.seqs[..self.len]
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// How many released calls may wait for their exits; beyond it the oldest
/// is forgotten (its exit, if it ever comes, is then not shown).
const MAX_RELEASED: usize = 4096;

impl Pairer {
    fn forget_released_beyond(&mut self, limit: usize) {
        while self.released.len() >= limit {
            let Some(&oldest) = self.released.keys().min() else {
                return;
            };
            if let Some(call) = self.released.remove(&oldest) {
                let key = (space(call.entry.cr3), call.entry.user_sp);
                if let Some(list) = self.open.get_mut(&key) {
                    list.remove(oldest);
                    if list.is_empty() {
                        self.open.remove(&key);
                    }
                }
                if let Some(list) = self.by_thread.get_mut(&call.thread) {
                    list.retain(|&s| s != oldest);
                }
            }
        }
    }
}

/// Whether `exit` resumes user mode where `entry`'s call returns, and how.
fn resumes(entry: &SyscallEvent, exit: &SyscallEvent) -> Option<Outcome> {
    if exit.user_pc == entry.user_pc {
        return Some(Outcome::Returned);
    }
    if exit.user_pc == entry.pc {
        return Some(Outcome::Restarted);
    }
    is_compat_vdso(entry).then_some(Outcome::Returned)
}

/// A 32-bit call by syscall or sysenter: made through the vDSO, it returns
/// to the vDSO's landing pad rather than after the entry instruction.
fn is_compat_vdso(entry: &SyscallEvent) -> bool {
    let compat = entry.has(vmscope_schema::reg::CS) && entry.cs & 0xfff8 != 0x30 && entry.cs != 0;
    compat && matches!(entry.mechanism, Mechanism::Syscall | Mechanism::Sysenter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use vmscope_schema::Direction;

    fn entry(pc: u64, sp: u64, nr: u64) -> SyscallEvent {
        let mut e = SyscallEvent {
            mechanism: Mechanism::Syscall,
            pc,
            user_pc: pc + 2,
            user_sp: sp,
            cs: 0x33,
            cr3: 0x1000_0000,
            fs_base: 0x7000,
            read_mask: vmscope_schema::reg::ALL,
            ..Default::default()
        };
        e.regs.rax = nr;
        e
    }

    fn exit(pc: u64, sp: u64, ret: u64) -> SyscallEvent {
        let mut e = SyscallEvent {
            mechanism: Mechanism::Sysret,
            user_pc: pc,
            user_sp: sp,
            cr3: 0x1000_1000, // KPTI's user half: the same space
            fs_base: 0x7000,
            ..Default::default()
        };
        e.regs.rax = ret;
        e
    }

    fn ev(seq: u64, kind: EventKind) -> Event {
        Event { seq, vcpu: 0, kind }
    }

    fn calls(pairer: &mut Pairer) -> Vec<Call> {
        pairer
            .drain()
            .filter_map(|i| match i {
                Item::Call(c) => Some(*c),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_stack_keeps_its_four_newest_open_calls() {
        let mut open = OnStack::default();
        for seq in 1..=5 {
            open.push(seq);
        }
        assert_eq!(open.seqs(), &[2, 3, 4, 5]);
        open.remove(3);
        assert_eq!(open.seqs(), &[2, 4, 5]);
        open.push(6);
        open.push(7);
        assert_eq!(open.seqs(), &[4, 5, 6, 7]);
        for seq in [4, 5, 6, 7] {
            open.remove(seq);
        }
        assert!(open.is_empty());
    }

    #[test]
    fn pairs_in_entry_order_across_a_blocked_call() {
        let mut p = Pairer::new(100, CallRules::none());
        // Thread A blocks in read; thread B (other stack) makes two calls.
        p.push(&mut ev(1, EventKind::Entry(entry(0x400000, 0x7ffd0000, 0))));
        p.push(&mut ev(
            2,
            EventKind::Entry(entry(0x400100, 0x7ffc0000, 39)),
        ));
        p.push(&mut ev(3, EventKind::Exit(exit(0x400102, 0x7ffc0000, 84))));
        assert!(
            calls(&mut p).is_empty(),
            "held back behind the blocked read"
        );
        p.push(&mut ev(
            4,
            EventKind::Memory(MemoryRun {
                address: 0x5000,
                direction: Direction::KernelWrite,
                bytes: b"hi".to_vec(),
                thread: vmscope_schema::ThreadContext {
                    cr3: 0x1000_0000,
                    fs_base: 0x7000,
                    ..Default::default()
                },
            }),
        ));
        p.push(&mut ev(5, EventKind::Exit(exit(0x400002, 0x7ffd0000, 2))));
        let out = calls(&mut p);
        assert_eq!(out.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(out[0].exit.unwrap().rax, 2);
        assert_eq!(out[1].exit.unwrap().rax, 84);
        assert_eq!(out[0].outcome, Outcome::Returned);
    }

    /// Rules that know execve (59) replaces the image.
    fn exec_rules() -> CallRules {
        CallRules {
            role: Box::new(|e| {
                if e.regs.rax == 59 {
                    role::REPLACES_IMAGE
                } else {
                    0
                }
            }),
        }
    }

    fn in_space(mut e: SyscallEvent, cr3: u64) -> SyscallEvent {
        e.cr3 = cr3;
        e
    }

    #[test]
    fn a_space_left_by_exec_can_take_a_later_exec() {
        let mut p = Pairer::new(100, exec_rules());
        // Process A (space 0x2000_0000) execs into space 0x3000_0000.
        p.push(&mut ev(
            1,
            EventKind::Entry(in_space(entry(0x400000, 0x7ffd0000, 59), 0x2000_0000)),
        ));
        p.push(&mut ev(
            2,
            EventKind::Exit(in_space(exit(0x500000, 0x7ffe0000, 0), 0x3000_0000)),
        ));
        p.push(&mut ev(
            3,
            EventKind::Entry(in_space(entry(0x500100, 0x7ffe0000, 39), 0x3000_0000)),
        ));
        p.push(&mut ev(
            4,
            EventKind::Exit(in_space(exit(0x500102, 0x7ffe0000, 84), 0x3000_0000)),
        ));
        // Process B execs, and the kernel gives it A's old space.
        p.push(&mut ev(
            5,
            EventKind::Entry(in_space(entry(0x400000, 0x7ffc0000, 59), 0x4000_0000)),
        ));
        p.push(&mut ev(
            6,
            EventKind::Exit(in_space(exit(0x600000, 0x7ffb0000, 0), 0x2000_0000)),
        ));
        p.finish();
        let out = calls(&mut p);
        let exec_b = out.iter().find(|c| c.seq == 5).unwrap();
        assert_eq!(exec_b.outcome, Outcome::Returned, "B's execve completed");
        assert_eq!(
            out.iter().find(|c| c.seq == 1).unwrap().outcome,
            Outcome::Returned
        );
    }

    #[test]
    fn unmatched_exits_are_interrupt_returns_and_ignored() {
        let mut p = Pairer::new(100, CallRules::none());
        p.push(&mut ev(1, EventKind::Exit(exit(0x400500, 0x7ffd0000, 0))));
        p.push(&mut ev(
            2,
            EventKind::Entry(entry(0x400000, 0x7ffd0000, 60)),
        ));
        p.finish();
        let out = calls(&mut p);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].outcome, Outcome::NoExit);
    }

    #[test]
    fn restart_and_window_release() {
        let mut p = Pairer::new(2, CallRules::none());
        p.push(&mut ev(
            1,
            EventKind::Entry(entry(0x400000, 0x7ffd0000, 61)),
        ));
        for i in 0..3 {
            let sp = 0x7ffc0000 - i * 0x1000;
            p.push(&mut ev(
                10 + i * 2,
                EventKind::Entry(entry(0x400100, sp, 39)),
            ));
            p.push(&mut ev(11 + i * 2, EventKind::Exit(exit(0x400102, sp, 84))));
        }
        let out = calls(&mut p);
        assert_eq!(out[0].seq, 1);
        assert_eq!(out[0].outcome, Outcome::Unfinished);
        // The restart: the exit resumes at the syscall instruction itself.
        p.push(&mut ev(20, EventKind::Exit(exit(0x400000, 0x7ffd0000, 61))));
        let out = calls(&mut p);
        let resumed = out.iter().find(|c| c.seq == 1).expect("resumption");
        assert!(resumed.resumed);
        assert_eq!(resumed.outcome, Outcome::Restarted);
    }
}
