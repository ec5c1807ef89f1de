//! The syscall journal: from a trace to one record per call, in entry
//! order, with the guest's PIDs and TIDs, decoded arguments and results,
//! and the paths behind fds; and the printers for its formats.
//!
//! The passes: the trace reader decodes chunks in parallel; the threads
//! pass pairs entries and exits (sequential, cheap); the state pass learns
//! identities and fd tables (sequential, cheap); rendering, the expensive
//! part, runs on all cores a batch at a time, and output keeps the order.

use std::collections::VecDeque;
use std::io::{self, Write};
use std::ops::ControlFlow;
use std::sync::Arc;

use rayon::prelude::*;
use vmscope_schema::{ChunkError, Trace};

use crate::os::linux::args::ArgKind;
use crate::os::linux::render::{self, CallView};
use crate::os::linux::state::LinuxState;
use crate::os::linux::{Abi, decode};
use crate::os::windows::state::WindowsState;
use crate::os::{Guest, Handle, Process, windows};
use crate::threads::{Call, CallRules, Item, Outcome, Pairer, Spent, role};

/// Output formats of `vmscope syscalls`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The paper's journal: the call, each argument on its own line with
    /// what it points to, then the result.
    Text,
    /// Line-compatible with `strace -f -o`.
    Strace,
    /// One JSON object per call (the contract in the README).
    Jsonl,
}

/// Whether any call of either Linux ABI or any NT service has this name
/// (for `-e`).
pub fn is_call_name(name: &str) -> bool {
    use crate::os::linux::syscalls::{I386, X86_64};
    X86_64
        .iter()
        .chain(I386.iter())
        .flatten()
        .any(|info| info.name == name)
        || windows::syscalls::SERVICES.iter().any(|s| s.name == name)
}

/// Which calls to show.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub pids: Vec<i64>,
    pub names: Vec<String>,
    pub failed_only: bool,
}

/// One argument as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgOut {
    pub name: &'static str,
    pub raw: u64,
    /// As strace renders it.
    pub text: String,
    /// For an fd, the path behind it when known (like strace -y).
    pub path: Option<String>,
    /// The kernel fills it in: strace shows it only once the call returns.
    pub out: bool,
}

/// Argument kinds whose value the kernel writes, shown at the exit.
fn is_out(kind: ArgKind) -> bool {
    use ArgKind::*;
    matches!(
        kind,
        BufOut(_)
            | StatOut
            | TimespecOut
            | IovecOut(_)
            | SockaddrOut(_)
            | RlimitOut
            | FdPairOut
            | WaitStatusOut
            | IntOut
            | UtsnameOut
            | SigactionOut
            | RusageOut
            | DirentsOut
    )
}

/// One call as the journal shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub seq: u64,
    pub vcpu: u32,
    pub pid: Option<i64>,
    pub tid: Option<i64>,
    /// The analysis's own id for the thread (t1, t2, ...), for threads
    /// whose guest ids the trace does not tell.
    pub thread: u32,
    pub comm: Option<String>,
    /// "linux-x86_64", "linux-i386", "windows-x86", "windows-x64",
    /// "windows-wow64".
    pub abi: &'static str,
    pub nr: u64,
    pub name: String,
    pub args: Vec<ArgOut>,
    /// Linux: the signed result. Windows: the NTSTATUS, unsigned.
    pub ret: Option<i64>,
    pub errno: Option<&'static str>,
    /// Windows: the NTSTATUS's name, when it has one the tables know.
    pub status: Option<&'static str>,
    /// The call returned an error (an errno; an NTSTATUS warning or error).
    pub failed: bool,
    /// The result as strace shows it ("3", "-1 ENOENT (No such file or
    /// directory)", "?").
    pub ret_text: String,
    /// What a returned fd refers to, like strace -y.
    pub ret_path: Option<String>,
    pub complete: bool,
    /// This is the exit of an earlier record shown unfinished.
    pub resumed: bool,
    pub restarted: bool,
}

/// What the journal saw besides calls: recorder losses and damaged chunks,
/// kept for the summary and placed in the output where they happened.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub calls: u64,
    pub shown: u64,
    pub losses: u64,
    pub lost_records: u64,
    pub damaged_chunks: Vec<ChunkError>,
}

/// The rules for the threads pass for this guest.
pub fn rules(guest: &Guest) -> CallRules {
    match *guest {
        Guest::Linux => CallRules {
            role: Box::new(linux_role),
        },
        Guest::Windows(guest) => CallRules {
            role: Box::new(move |entry| windows_role(&guest, entry)),
        },
    }
}

/// What the threads pass must know of a Windows call: terminating the
/// caller's own thread or process does not return; NtContinue and
/// NtRaiseException resume wherever their context says.
fn windows_role(guest: &windows::Guest, entry: &vmscope_schema::SyscallEvent) -> u8 {
    use role::*;
    let Some(info) = windows::decode::info(guest, windows::decode::nr(entry)) else {
        return 0;
    };
    use windows::render::{is_current_process, is_current_thread};
    // Asked for every entry: the first argument's value, no formatting.
    let first = windows::decode::arg(entry, guest.arch, &crate::memory::CallMemory::default(), 0);
    let arch = guest.arch;
    match info.name {
        // NtTerminateProcess(NULL) ends the other threads and returns.
        "NtTerminateProcess" if first.is_some_and(|h| is_current_process(arch, h)) => {
            NEVER_RETURNS | ENDS_PROCESS
        }
        "NtTerminateThread" if first.is_some_and(|h| h == 0 || is_current_thread(arch, h)) => {
            NEVER_RETURNS
        }
        "NtContinue" | "NtContinueEx" | "NtRaiseException" => RETURNS_ELSEWHERE,
        _ => 0,
    }
}

/// What the threads pass must know of a Linux call, as [`role`] bits,
/// looked up by ABI and number in a table built once from the names.
fn linux_role(entry: &vmscope_schema::SyscallEvent) -> u8 {
    use crate::os::linux::syscalls::{I386, SyscallInfo, X86_64};
    use role::*;
    static ROLES: std::sync::OnceLock<[Vec<u8>; 2]> = std::sync::OnceLock::new();
    let roles = ROLES.get_or_init(|| {
        let of = |table: &[Option<SyscallInfo>]| -> Vec<u8> {
            table
                .iter()
                .map(|info| match info.map(|i| i.name) {
                    Some("exit") => NEVER_RETURNS,
                    Some("exit_group") => NEVER_RETURNS | ENDS_PROCESS,
                    Some("execve" | "execveat") => REPLACES_IMAGE,
                    Some("fork" | "vfork" | "clone" | "clone3") => FORKS,
                    Some("rt_sigreturn" | "sigreturn") => RETURNS_ELSEWHERE,
                    _ => 0,
                })
                .collect()
        };
        [of(&X86_64), of(&I386)]
    });
    let table = match decode::abi(entry) {
        Abi::X86_64 => &roles[0],
        Abi::I386 => &roles[1],
    };
    usize::try_from(decode::nr(entry))
        .ok()
        .and_then(|nr| table.get(nr))
        .copied()
        .unwrap_or(0)
}

/// A call with what the state pass knew when it happened; rendered later,
/// in parallel.
struct Pending {
    call: Box<Call>,
    /// Set for a Windows guest's call.
    windows: Option<windows::Guest>,
    /// For restart_syscall: the call it resumes.
    resuming: Option<&'static str>,
    abi: &'static str,
    pid: Option<i64>,
    tid: Option<i64>,
    thread: u32,
    comm: Option<Arc<str>>,
    /// Per argument, the path behind an fd argument, the object behind a
    /// handle.
    fd_paths: [Option<Arc<str>>; 6],
    ret_path: Option<String>,
}

impl Pending {
    /// The path or object behind argument `i`, if it is an fd or handle.
    fn path_of(&self, i: usize) -> Option<String> {
        self.fd_paths.get(i)?.as_deref().map(str::to_string)
    }
}

/// How many calls are gathered before rendering them in parallel.
const BATCH: usize = 2048;
/// How many later calls a blocked call may hold back before it is shown
/// unfinished (see threads.rs): enough for a call blocked briefly, few
/// enough that a shell waiting on a long program costs little memory.
const WINDOW: usize = 4096;

/// A unit of rendering work, in output order.
// Nearly every job is a call, and jobs live in reused batches: boxing the
// call would allocate once per call for nothing.
#[allow(clippy::large_enum_variant)]
enum Job {
    Call(Pending),
    /// A recorder loss or a damaged chunk, shown in place whatever the filter.
    Note {
        seq: u64,
        vcpu: u32,
        text: String,
    },
}

/// Jobs and the text rendered from them. Batches go to the renderer and
/// come back to be written, then serve again: in steady state the journal
/// allocates nothing per call.
struct Batch {
    jobs: Vec<Job>,
    /// The text, a piece per slice of [`SLICE`] jobs; each piece keeps its
    /// capacity from batch to batch.
    pieces: Vec<String>,
    /// How many calls the text shows.
    shown: u64,
}

impl Batch {
    fn new() -> Batch {
        Batch {
            jobs: Vec::with_capacity(BATCH),
            pieces: Vec::new(),
            shown: 0,
        }
    }

    /// Writes the rendered text and hands the calls back to the threads
    /// pass, leaving the batch empty for reuse.
    fn write(
        &mut self,
        out: &mut dyn Write,
        summary: &mut Summary,
        spent: &mut Spent,
    ) -> io::Result<()> {
        summary.shown += self.shown;
        for job in self.jobs.drain(..) {
            if let Job::Call(pending) = job {
                spent.give(pending.call);
            }
        }
        for piece in &mut self.pieces {
            out.write_all(piece.as_bytes())?;
            // Keep the room of an ordinary slice's text, not of the
            // largest one ever rendered (a call's text has no fixed bound).
            if piece.capacity() > KEPT_TEXT {
                *piece = String::new();
            }
        }
        Ok(())
    }
}

/// Runs the passes over `trace` and writes the journal.
///
/// Three stages overlap: a thread decodes chunks (itself in parallel), this
/// thread runs the sequential passes, and a third renders batches on all
/// cores, or this thread renders a batch itself when that one is busy;
/// output is written here in order.
pub fn write_journal(
    out: &mut dyn Write,
    trace: &Trace,
    guest: &Guest,
    format: Format,
    filter: &Filter,
    progress: &dyn Fn(u64),
) -> io::Result<Summary> {
    let mut state = GuestState::new(guest);
    let mut summary = Summary::default();
    std::thread::scope(|scope| {
        let (jobs, job_queue) = std::sync::mpsc::sync_channel::<Batch>(2);
        let (texts, rendered) = std::sync::mpsc::sync_channel::<Batch>(2);
        let renderer = scope.spawn(move || {
            for mut batch in job_queue {
                render_batch(&mut batch, format, filter, true);
                if texts.send(batch).is_err() {
                    return;
                }
            }
        });
        let mut out = Output {
            out,
            rendered,
            order: VecDeque::new(),
            free: Vec::new(),
        };
        let mut batch = Batch::new();
        let mut result: io::Result<()> = Ok(());
        walk(trace, guest, progress, |item, spent| {
            if let Some(job) = step(item, &mut state, &mut summary) {
                batch.jobs.push(job);
            }
            if batch.jobs.len() >= BATCH {
                let next = out.free.pop().unwrap_or_else(Batch::new);
                let full = std::mem::replace(&mut batch, next);
                out.hand_on(full, &jobs, format, filter);
                result = out.write_ready(&mut summary, spent, UNWRITTEN);
                if result.is_err() {
                    // The reader went away (`| head`): nothing more to do.
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        });
        if result.is_ok() {
            out.hand_on(batch, &jobs, format, filter);
        }
        // The renderer ends when its queue does, whatever happened here.
        drop(jobs);
        if result.is_ok() {
            result = out.write_ready(&mut summary, &mut Spent::default(), 0);
        }
        drop(out);
        // A panic while rendering must not pass for a short journal.
        if let Err(panic) = renderer.join() {
            std::panic::resume_unwind(panic);
        }
        result
    })?;
    Ok(summary)
}

/// How many rendered or rendering batches may wait to be written: the
/// renderer's queue and a few rendered here behind a batch it still has.
const UNWRITTEN: usize = 8;

/// Where a batch is rendered, in output order.
enum Slot {
    /// On this thread, done.
    Here(Batch),
    /// By the renderer, which sends batches back in the order it got them.
    There,
}

/// The journal's output side: batches in order, wherever they are rendered.
struct Output<'o> {
    out: &'o mut dyn Write,
    rendered: std::sync::mpsc::Receiver<Batch>,
    order: VecDeque<Slot>,
    /// Written batches, for reuse.
    free: Vec<Batch>,
}

impl Output<'_> {
    /// Gives a full batch to the renderer, or, when the renderer already
    /// has work waiting, renders it here: its calls were just made on this
    /// thread and are still in this core's cache, where the renderer would
    /// fetch them from another core; and this thread would otherwise wait.
    fn hand_on(
        &mut self,
        mut batch: Batch,
        jobs: &std::sync::mpsc::SyncSender<Batch>,
        format: Format,
        filter: &Filter,
    ) {
        use std::sync::mpsc::TrySendError;
        if batch.jobs.is_empty() {
            self.free.push(batch);
            return;
        }
        match jobs.try_send(batch) {
            Ok(()) => self.order.push_back(Slot::There),
            Err(TrySendError::Full(back) | TrySendError::Disconnected(back)) => {
                batch = back;
                render_batch(&mut batch, format, filter, false);
                self.order.push_back(Slot::Here(batch));
            }
        }
    }

    /// Writes the batches that are rendered, in order, waiting for the
    /// renderer while more than `keep` batches are unwritten.
    fn write_ready(
        &mut self,
        summary: &mut Summary,
        spent: &mut Spent,
        keep: usize,
    ) -> io::Result<()> {
        while let Some(slot) = self.order.pop_front() {
            let mut done = match slot {
                Slot::Here(batch) => batch,
                Slot::There => {
                    let back = if self.order.len() >= keep {
                        // Err only if the renderer died: its panic is
                        // passed on at the join.
                        self.rendered.recv().ok()
                    } else {
                        self.rendered.try_recv().ok()
                    };
                    let Some(batch) = back else {
                        self.order.push_front(Slot::There);
                        return Ok(());
                    };
                    batch
                }
            };
            done.write(self.out, summary, spent)?;
            self.free.push(done);
        }
        Ok(())
    }
}

/// How many jobs one rayon task renders into one buffer: few enough
/// buffers that allocating them costs nothing, enough tasks to share out.
const SLICE: usize = 256;
/// How much room a piece keeps between batches: several times what a
/// slice of ordinary calls takes.
const KEPT_TEXT: usize = 1 << 20;

/// Renders a batch in order, on all cores or on this thread alone. Each
/// slice goes into its own piece of text: nothing is allocated per call,
/// and nothing allocated on one thread is freed on another.
fn render_batch(batch: &mut Batch, format: Format, filter: &Filter, on_all_cores: bool) {
    let slices = batch.jobs.len().div_ceil(SLICE);
    batch.pieces.resize_with(slices, String::new);
    let render = |(slice, out): (&[Job], &mut String)| render_slice(slice, out, format, filter);
    batch.shown = if on_all_cores {
        batch
            .jobs
            .par_chunks(SLICE)
            .zip(batch.pieces.par_iter_mut())
            .map(render)
            .sum()
    } else {
        batch
            .jobs
            .chunks(SLICE)
            .zip(batch.pieces.iter_mut())
            .map(render)
            .sum()
    };
}

/// Renders jobs into `out` (emptied first); returns how many calls it shows.
fn render_slice(slice: &[Job], out: &mut String, format: Format, filter: &Filter) -> u64 {
    out.clear();
    let mut shown = 0;
    for job in slice {
        match job {
            Job::Call(pending) => {
                let record = record(pending);
                if keep(&record, filter) {
                    match format {
                        Format::Text => out.push_str(&text(&record)),
                        Format::Strace => out.push_str(&strace_line(&record)),
                        Format::Jsonl => json(out, &record),
                    }
                    shown += 1;
                }
            }
            Job::Note { seq, vcpu, text } => out.push_str(&match format {
                Format::Jsonl => format!(
                    "{{\"seq\":{seq},\"vcpu\":{vcpu},\"note\":{}}}\n",
                    json_string(text)
                ),
                Format::Strace => format!("+++ vmscope: {text} +++\n"),
                Format::Text => format!("!! {text}\n"),
            }),
        }
    }
    shown
}

/// Runs the threads pass over every event of `trace`, handing each item
/// on in entry order; reports progress every 65 536 events. Chunks are
/// decoded on another thread (in parallel windows) while this one pairs.
///
/// `on_item` may hand calls it is done with to the [`Spent`] it is given,
/// for the pass to reuse, and stops the walk by returning `Break`: the
/// rest of the trace is then not decoded.
pub fn walk(
    trace: &Trace,
    guest: &Guest,
    progress: &dyn Fn(u64),
    mut on_item: impl FnMut(Item, &mut Spent) -> ControlFlow<()>,
) {
    let mut pairer = Pairer::new(WINDOW, rules(guest));
    let mut spent = Spent::default();
    let mut done = 0u64;
    let mut stopped = false;
    // Hands on what the pairer has ready; false once `on_item` stops.
    let mut hand_on = |pairer: &mut Pairer, spent: &mut Spent| {
        pairer
            .drain()
            .all(|item| on_item(item, spent).is_continue())
    };
    std::thread::scope(|scope| {
        // Whole chunks cross over, as decoded: no event is moved twice.
        let (chunks, decoded) = std::sync::mpsc::sync_channel(4);
        scope.spawn(move || {
            for chunk in trace.decoded_chunks() {
                if chunks.send(chunk).is_err() {
                    return;
                }
            }
        });
        // Leaving the loop drops the channel: the decoding thread stops.
        'chunks: for chunk in decoded {
            let mut events = match chunk {
                Ok(chunk) => chunk.events,
                Err(error) => {
                    pairer.damaged(error);
                    if !hand_on(&mut pairer, &mut spent) {
                        stopped = true;
                        break 'chunks;
                    }
                    continue;
                }
            };
            for event in &mut events {
                done += 1;
                if done.is_multiple_of(65_536) {
                    progress(done);
                }
                pairer.push(event);
                if !hand_on(&mut pairer, &mut spent) {
                    stopped = true;
                    break 'chunks;
                }
                pairer.reuse(&mut spent);
            }
        }
    });
    if !stopped {
        pairer.finish();
        hand_on(&mut pairer, &mut spent);
    }
    progress(done);
}

/// What the state pass knows, for the guest's OS.
#[derive(Debug)]
pub enum GuestState {
    Linux(LinuxState),
    Windows(Box<WindowsState>, windows::Guest),
}

impl GuestState {
    pub fn new(guest: &Guest) -> GuestState {
        match *guest {
            Guest::Linux => GuestState::Linux(LinuxState::new()),
            Guest::Windows(guest) => {
                GuestState::Windows(Box::new(WindowsState::new(guest.arch)), guest)
            }
        }
    }

    /// Every fd or handle lifetime, in the order they were opened.
    pub fn handles(&self) -> &[Handle] {
        match self {
            GuestState::Linux(state) => &state.handles,
            GuestState::Windows(state, _) => &state.handles,
        }
    }

    pub fn processes(&self) -> &[Process] {
        match self {
            GuestState::Linux(state) => state.processes(),
            GuestState::Windows(state, _) => state.processes(),
        }
    }
}

/// Updates the state and the summary from one item; returns what the
/// journal shows for it.
fn step(item: Item, state: &mut GuestState, summary: &mut Summary) -> Option<Job> {
    match item {
        Item::Call(call) => {
            summary.calls += u64::from(!call.resumed);
            Some(Job::Call(match state {
                GuestState::Linux(state) => prepare(call, state),
                GuestState::Windows(state, guest) => prepare_windows(call, state, guest),
            }))
        }
        Item::ChildStart { parent, thread, .. } => {
            if let GuestState::Linux(state) = state {
                state.child_start(parent, thread);
            }
            None
        }
        Item::Probe(probe) => {
            if let GuestState::Windows(state, _) = state {
                state.probe(&probe);
            }
            None
        }
        Item::Loss { seq, vcpu, loss } => {
            summary.losses += 1;
            summary.lost_records += loss.count;
            let text = format!(
                "the recorder lost {} {} ({} bytes) here: {}",
                loss.count,
                loss.kind.name(),
                loss.bytes,
                loss.reason
            );
            Some(Job::Note { seq, vcpu, text })
        }
        Item::Damaged(error) => {
            let text = format!("DAMAGED: {error}; its calls are missing here");
            let job = Job::Note {
                seq: error.offset,
                vcpu: 0,
                text,
            };
            summary.damaged_chunks.push(error);
            Some(job)
        }
    }
}

/// Updates the state from one item, showing nothing (for `files` and
/// `procs`).
pub fn learn(item: Item, state: &mut GuestState, summary: &mut Summary, spent: &mut Spent) {
    if let Some(Job::Call(pending)) = step(item, state, summary) {
        spent.give(pending.call);
    }
}

/// Learns from a call in order, noting what rendering will need.
fn prepare(call: Box<Call>, state: &mut LinuxState) -> Pending {
    let thread = state.thread_of(call.thread);
    let view = decode::view(&call);
    let info = decode::info(view.abi, decode::nr(&call.entry));
    // fd paths as they were before the call (close shows what it closed).
    let mut fd_paths: [Option<Arc<str>>; 6] = Default::default();
    if let Some(info) = info {
        for (i, (_, kind)) in info.args.iter().enumerate().take(6) {
            if matches!(kind, ArgKind::Fd) {
                fd_paths[i] = state.fd_path(thread, view.args[i] as i32 as i64).cloned();
            }
        }
    }
    state.apply(&call, thread, info, &view);
    let mut resuming = None;
    if let Some(info) = info {
        if call.outcome == Outcome::Restarted {
            state.note_restart(thread, info.name);
        } else if info.name == "restart_syscall" && !call.resumed {
            resuming = state.take_restart(thread);
        }
    }
    let returns_fd = info.is_some_and(|i| {
        matches!(
            i.name,
            "open"
                | "openat"
                | "openat2"
                | "creat"
                | "dup"
                | "dup2"
                | "dup3"
                | "socket"
                | "accept"
                | "accept4"
        ) || (matches!(i.name, "fcntl" | "fcntl64") && matches!(view.args[1], 0 | 1030))
    });
    let ret_path = if returns_fd {
        view.ret
            .filter(|&r| r >= 0)
            .and_then(|r| state.fd_path(thread, r))
            .map(|path| path.to_string())
    } else {
        None
    };
    let who = state.thread(thread);
    let (pid, tid, label) = (who.pid, who.tid, who.label);
    let comm = state.comm(thread).cloned();
    Pending {
        abi: view.abi.name(),
        call,
        windows: None,
        resuming,
        pid,
        tid,
        thread: label,
        comm,
        fd_paths,
        ret_path,
    }
}

/// Learns from a Windows call in order, noting what rendering will need:
/// the objects behind its handle arguments before the call, and behind
/// the handle it made.
fn prepare_windows(call: Box<Call>, state: &mut WindowsState, guest: &windows::Guest) -> Pending {
    use windows::args::ArgKind as Kind;
    let thread = state.thread_of(call.thread);
    let info = windows::decode::info(guest, windows::decode::nr(&call.entry));
    let kinds = info.and_then(|i| i.args).unwrap_or(&[]);
    let mut fd_paths: [Option<Arc<str>>; 6] = Default::default();
    let ret_path = {
        let view = windows_view(&call, guest, info);
        for (i, (_, kind)) in kinds.iter().enumerate().take(6) {
            if *kind == Kind::Handle {
                fd_paths[i] = view.args[i].and_then(|h| state.handle_name(thread, h));
            }
        }
        state.apply(&call, thread, info, &view);
        kinds
            .iter()
            .position(|(_, kind)| *kind == Kind::HandleOut)
            .filter(|_| view.status.is_some_and(|s| !windows::decode::failed(s)))
            .and_then(|i| view.args[i])
            .and_then(|at| {
                let size = if guest.arch == windows::Arch::X86 {
                    4
                } else {
                    8
                };
                let handle = view.memory.written_word(at, size)?;
                let name = state.handle_name(thread, handle)?;
                Some(format!("handle {handle:#x} = {name}"))
            })
    };
    let who = state.thread(thread);
    let (pid, tid, label, wow64) = (who.pid, who.tid, who.label, who.wow64);
    let comm = state.comm(thread).cloned();
    Pending {
        abi: windows::decode::abi(guest, wow64).name(),
        call,
        windows: Some(*guest),
        resuming: None,
        pid,
        tid,
        thread: label,
        comm,
        fd_paths,
        ret_path,
    }
}

/// A Windows call's arguments, status and memory, for rendering.
fn windows_view<'a>(
    call: &'a Call,
    guest: &windows::Guest,
    info: Option<&'static windows::syscalls::ServiceInfo>,
) -> windows::render::CallView<'a> {
    let memory = crate::memory::CallMemory::new(&call.memory);
    // An unknown service: the four register arguments of x64, or the
    // first four stacked ones of x86 if the kernel read them.
    let count = info
        .and_then(|i| i.args)
        .map_or(4, <[_]>::len)
        .min(windows::decode::MAX_ARGS);
    let mut args = [None; windows::decode::MAX_ARGS];
    for (i, arg) in args.iter_mut().enumerate().take(count) {
        *arg = windows::decode::arg(&call.entry, guest.arch, &memory, i);
    }
    windows::render::CallView {
        arch: guest.arch,
        name: info.map_or("", |i| i.name),
        args,
        kinds: info.and_then(|i| i.args).unwrap_or(&[]),
        status: if call.outcome == Outcome::Returned {
            windows::decode::status(call)
        } else {
            None
        },
        memory,
    }
}

/// Argument kinds of NT services whose value the kernel writes, shown at
/// the exit.
fn is_out_windows(kind: windows::args::ArgKind) -> bool {
    use windows::args::ArgKind::*;
    matches!(
        kind,
        HandleOut | IoStatusBlock | BufOut(_) | ULongOut | LargeIntegerOut
    )
}

/// Renders one Windows call into its record.
fn record_windows(pending: &Pending, guest: &windows::Guest) -> Record {
    let call = &pending.call;
    let nr = windows::decode::nr(&call.entry);
    let info = windows::decode::info(guest, nr);
    let view = windows_view(call, guest, info);
    let name = info.map_or_else(|| format!("syscall_{nr:#x}"), |i| i.name.to_string());
    let args: Vec<ArgOut> = match info.and_then(|i| i.args) {
        Some(kinds) => kinds
            .iter()
            .enumerate()
            .map(|(i, (arg, kind))| ArgOut {
                name: arg,
                raw: view.args.get(i).copied().flatten().unwrap_or(0),
                text: windows::render::render_arg(*kind, i, &view),
                path: pending.path_of(i),
                out: is_out_windows(*kind),
            })
            .collect(),
        // No prototype: the first four arguments, raw.
        None => raw_args(&view.args[..4]),
    };
    let status = view.status;
    let ret_text = match call.outcome {
        Outcome::Returned => status.map_or_else(|| "?".into(), windows::render::status_text),
        Outcome::Restarted => "? (restarted by the kernel)".to_string(),
        Outcome::Unfinished | Outcome::NoExit => "?".to_string(),
    };
    let ending = Ending {
        ret: status.map(i64::from),
        errno: None,
        status: status.and_then(windows::render::status_name),
        failed: status.is_some_and(windows::decode::failed),
        ret_text,
    };
    assemble(pending, nr, name, args, ending)
}

/// The arguments of a call no table knows, raw: at most six, each in hex,
/// or `?` where the trace does not hold it.
fn raw_args(values: &[Option<u64>]) -> Vec<ArgOut> {
    const NAMES: [&str; 6] = ["arg0", "arg1", "arg2", "arg3", "arg4", "arg5"];
    NAMES
        .iter()
        .zip(values)
        .map(|(name, value)| ArgOut {
            name,
            raw: value.unwrap_or(0),
            text: value.map_or_else(|| "?".to_string(), render::hex),
            path: None,
            out: false,
        })
        .collect()
}

/// How a call ended, as its record shows it.
struct Ending {
    ret: Option<i64>,
    errno: Option<&'static str>,
    status: Option<&'static str>,
    failed: bool,
    ret_text: String,
}

/// A record from what every OS's rendering gives.
fn assemble(pending: &Pending, nr: u64, name: String, args: Vec<ArgOut>, end: Ending) -> Record {
    let call = &pending.call;
    Record {
        seq: call.seq,
        vcpu: call.vcpu,
        pid: pending.pid,
        tid: pending.tid,
        thread: pending.thread,
        comm: pending.comm.as_deref().map(str::to_string),
        abi: pending.abi,
        nr,
        name,
        args,
        ret: end.ret,
        errno: end.errno,
        status: end.status,
        failed: end.failed,
        ret_text: end.ret_text,
        ret_path: pending.ret_path.clone(),
        complete: call.exit.is_some(),
        resumed: call.resumed,
        restarted: call.outcome == Outcome::Restarted,
    }
}

fn keep(record: &Record, filter: &Filter) -> bool {
    (filter.pids.is_empty()
        || record.pid.is_some_and(|pid| filter.pids.contains(&pid))
        || record.tid.is_some_and(|tid| filter.pids.contains(&tid)))
        && (filter.names.is_empty() || filter.names.contains(&record.name))
        && (!filter.failed_only || record.failed)
}

/// Renders one call into its record.
fn record(pending: &Pending) -> Record {
    if let Some(guest) = &pending.windows {
        return record_windows(pending, guest);
    }
    let call = &pending.call;
    let mut view: CallView<'_> = decode::view(call);
    let nr = decode::nr(&call.entry);
    let info = decode::info(view.abi, nr);
    let name = info.map_or_else(|| format!("syscall_{nr:#x}"), |i| i.name.to_string());
    // A restarted call returned its ERESTART* code, whatever rax holds
    // when the kernel sends it back to the entry instruction: what it
    // filled in is not shown.
    let restart = (call.outcome == Outcome::Restarted).then(|| decode::restart_code(call, &name));
    if restart.is_some() {
        view.ret = restart;
    }
    let shown = info.map_or(0, |info| shown_args(info.name, info.args.len(), &view.args));
    let args: Vec<ArgOut> = match info {
        Some(info) => info
            .args
            .iter()
            .take(shown)
            .enumerate()
            .map(|(i, (arg, kind))| ArgOut {
                name: arg,
                raw: view.args[i],
                text: render::render_arg(*kind, i, &view),
                path: pending.path_of(i),
                out: is_out(*kind),
            })
            .collect(),
        // An unknown number: every argument register, raw.
        None => raw_args(&view.args.map(Some)),
    };
    let mut args = join_halves(args, &name, view.abi, &view.memory);
    if let Some(interrupted) = pending.resuming {
        // As strace shows it.
        args.push(ArgOut {
            name: "",
            raw: 0,
            text: format!("<... resuming interrupted {interrupted} ...>"),
            path: None,
            out: false,
        });
    }
    let ret = if call.outcome == Outcome::Returned {
        view.ret
    } else {
        None
    };
    let failed = ret.is_some_and(|r| (-4095..0).contains(&r));
    let errno = ret
        .filter(|&r| (-4095..0).contains(&r))
        .and_then(|r| render::errno_name(-r));
    let (ret_text, errno) = match call.outcome {
        Outcome::Returned => (render::render_return(&name, &view), errno),
        // As strace shows it: the ERESTART* code the kernel returned.
        Outcome::Restarted => (
            render::render_return(&name, &view),
            restart.and_then(|code| render::errno_name(-code)),
        ),
        Outcome::Unfinished | Outcome::NoExit => ("?".to_string(), errno),
    };
    let ending = Ending {
        ret,
        errno,
        status: None,
        failed,
        ret_text,
    };
    assemble(pending, nr, name, args, ending)
}

/// A 64-bit value the i386 ABI passes in two registers is one argument,
/// as strace shows it: `pread64(3, "...", 10, 4294967296)` from pos_lo
/// and pos_hi, `_llseek`'s offset_high and offset_low, and its result the
/// kernel writes. On x86_64 the `_h` half of preadv/pwritev's offset is
/// unused and not shown.
fn join_halves(
    mut args: Vec<ArgOut>,
    call: &str,
    abi: Abi,
    memory: &crate::memory::CallMemory<'_>,
) -> Vec<ArgOut> {
    // Most calls have no halves: a match on the name is all they pay.
    if !matches!(
        call,
        "pread64"
            | "pwrite64"
            | "truncate64"
            | "ftruncate64"
            | "readahead"
            | "fadvise64_64"
            | "sync_file_range"
            | "fallocate"
            | "preadv"
            | "pwritev"
            | "preadv2"
            | "pwritev2"
            | "_llseek"
    ) {
        return args;
    }
    const JOINED: &[(&str, &str, &str)] = &[
        ("pos_lo", "pos_hi", "pos"),
        ("pos_l", "pos_h", "pos"),
        ("offset_lo", "offset_hi", "offset"),
        ("length_lo", "length_hi", "length"),
        ("len_lo", "len_hi", "len"),
        ("nbytes_lo", "nbytes_hi", "nbytes"),
        ("offset_low", "offset_high", "offset"),
    ];
    let mut i = 0;
    while i + 1 < args.len() {
        let pair = JOINED.iter().find(|(lo, hi, _)| {
            (args[i].name == *lo && args[i + 1].name == *hi)
                || (args[i].name == *hi && args[i + 1].name == *lo)
        });
        let Some(&(lo_name, _, name)) = pair else {
            i += 1;
            continue;
        };
        let (lo, hi) = if args[i].name == lo_name {
            (args[i].raw, args[i + 1].raw)
        } else {
            (args[i + 1].raw, args[i].raw)
        };
        let value = match abi {
            Abi::I386 => ((hi & 0xffff_ffff) << 32) | (lo & 0xffff_ffff),
            Abi::X86_64 => lo,
        };
        args[i] = ArgOut {
            name,
            raw: value,
            text: (value as i64).to_string(),
            path: None,
            out: false,
        };
        args.remove(i + 1);
        i += 1;
    }
    // _llseek's result: the loff_t the kernel wrote.
    if call == "_llseek"
        && let Some(result) = args.iter_mut().find(|a| a.name == "result")
        && let Some(value) = memory.written_word(result.raw, 8)
    {
        result.text = format!("[{}]", value as i64);
        result.out = true;
    }
    args
}

/// How many of a call's arguments strace shows: it leaves out those the
/// call does not use for the given flags or command.
fn shown_args(name: &str, count: usize, args: &[u64; 6]) -> usize {
    const O_CREAT: u64 = 0o100;
    const O_TMPFILE: u64 = 0o20000000;
    let needs_mode = |flags: u64| flags & (O_CREAT | O_TMPFILE) != 0;
    match name {
        "open" if !needs_mode(args[1]) => 2,
        "openat" if !needs_mode(args[2]) => 3,
        // Commands that take no argument: F_GETFD, F_GETFL, F_GETOWN,
        // F_GETSIG, F_GETLEASE, F_GETPIPE_SZ, F_GET_SEALS.
        "fcntl" | "fcntl64"
            if matches!(args[1] & 0xffff_ffff, 1 | 3 | 9 | 11 | 1025 | 1032 | 1034) =>
        {
            2
        }
        _ => count,
    }
}

/// The thread as strace -f names it: the TID, or the pid, or our label.
fn who(record: &Record) -> String {
    match (record.tid, record.pid) {
        (Some(tid), _) => tid.to_string(),
        (None, Some(pid)) => pid.to_string(),
        (None, None) => format!("t{}", record.thread),
    }
}

/// One line as `strace -f -o FILE` writes it.
pub fn strace_line(record: &Record) -> String {
    let args: Vec<&str> = record.args.iter().map(|a| a.text.as_str()).collect();
    let ret = &record.ret_text;
    let who = who(record);
    // As strace splits a call it cannot finish on one line: the arguments
    // known at entry, then, resumed, those the kernel filled in and the rest.
    let split = record.args.iter().position(|a| a.out).unwrap_or(args.len());
    if record.resumed {
        return format!(
            "{who:<5} <... {} resumed>{}) = {ret}\n",
            record.name,
            args[split..].join(", ")
        );
    }
    if !record.complete && !record.restarted && record.ret.is_none() && !is_noreturn(record) {
        let more = if split < args.len() { ", " } else { "" };
        return format!(
            "{who:<5} {}({}{more} <unfinished ...>\n",
            record.name,
            args[..split].join(", ")
        );
    }
    // strace puts the result at column 40 when the call is shorter.
    let call = format!("{who:<5} {}({})", record.name, args.join(", "));
    format!("{call:<39} = {ret}\n")
}

fn is_noreturn(record: &Record) -> bool {
    matches!(
        record.name.as_str(),
        "exit" | "exit_group" | "NtTerminateProcess" | "NtTerminateThread"
    )
}

/// The journal of the paper: the call, its arguments one a line, the result.
pub fn text(record: &Record) -> String {
    let mut out = String::new();
    let ids = match (record.pid, record.tid) {
        (Some(pid), Some(tid)) => format!("pid {pid} tid {tid}"),
        (Some(pid), None) => format!("pid {pid}"),
        (None, Some(tid)) => format!("tid {tid}"),
        (None, None) => format!("thread t{}", record.thread),
    };
    let comm = record
        .comm
        .as_deref()
        .map_or_else(String::new, |c| format!(" ({c})"));
    let resumed = if record.resumed { " resumed" } else { "" };
    out.push_str(&format!(
        "#{} cpu{} {ids}{comm} {}{resumed} [{}]\n",
        record.seq, record.vcpu, record.name, record.abi
    ));
    if !record.resumed {
        let width = record.args.iter().map(|a| a.name.len()).max().unwrap_or(0);
        for arg in &record.args {
            match &arg.path {
                Some(path) => out.push_str(&format!(
                    "    {:<width$}  {}  ({path})\n",
                    arg.name, arg.text
                )),
                None => out.push_str(&format!("    {:<width$}  {}\n", arg.name, arg.text)),
            }
        }
    }
    let mut ret = format!("  = {}", record.ret_text);
    if let Some(path) = &record.ret_path {
        ret.push_str(&format!("  ({path})"));
    }
    out.push_str(&ret);
    out.push('\n');
    out
}

/// One JSON object per call, appended to `out`; the contract is in the
/// README. This is the format batch jobs read millions of: no allocation
/// of its own.
pub fn json(out: &mut String, record: &Record) {
    use std::fmt::Write as _;
    fn opt(out: &mut String, value: Option<i64>) {
        match value {
            Some(v) => {
                let _ = write!(out, "{v}");
            }
            None => out.push_str("null"),
        }
    }
    let _ = write!(
        out,
        "{{\"seq\":{},\"vcpu\":{},\"pid\":",
        record.seq, record.vcpu
    );
    opt(out, record.pid);
    out.push_str(",\"tid\":");
    opt(out, record.tid);
    let _ = write!(out, ",\"thread\":\"t{}\",\"comm\":", record.thread);
    match &record.comm {
        Some(comm) => push_json_string(out, comm),
        None => out.push_str("null"),
    }
    let _ = write!(
        out,
        ",\"abi\":\"{}\",\"nr\":{},\"name\":",
        record.abi, record.nr
    );
    push_json_string(out, &record.name);
    out.push_str(",\"args\":[");
    for (i, arg) in record.args.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"name\":");
        push_json_string(out, arg.name);
        let _ = write!(out, ",\"raw\":{},\"text\":", arg.raw);
        push_json_string(out, &arg.text);
        if let Some(path) = &arg.path {
            out.push_str(",\"path\":");
            push_json_string(out, path);
        }
        out.push('}');
    }
    out.push_str("],\"ret\":");
    opt(out, record.ret);
    out.push_str(",\"errno\":");
    match record.errno {
        Some(errno) => push_json_string(out, errno),
        None => out.push_str("null"),
    }
    if record.abi.starts_with("windows") {
        out.push_str(",\"status\":");
        match record.status {
            Some(status) => push_json_string(out, status),
            None => out.push_str("null"),
        }
    }
    let _ = write!(out, ",\"complete\":{}", record.complete);
    if record.resumed {
        out.push_str(",\"resumed\":true");
    }
    if let Some(path) = &record.ret_path {
        out.push_str(",\"ret_path\":");
        push_json_string(out, path);
    }
    out.push_str("}\n");
}

/// A JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_json_string(&mut out, s);
    out
}

/// Appends a JSON string literal.
fn push_json_string(out: &mut String, s: &str) {
    // Most strings need no escaping: copy them whole.
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use vmscope_schema::{Direction, MemoryRun};

    fn arg(name: &'static str, raw: u64) -> ArgOut {
        ArgOut {
            name,
            raw,
            text: raw.to_string(),
            path: None,
            out: false,
        }
    }

    fn shown(args: &[ArgOut]) -> Vec<(&str, String)> {
        args.iter().map(|a| (a.name, a.text.clone())).collect()
    }

    #[test]
    fn halves_of_a_64_bit_argument_are_one() {
        let memory = crate::memory::CallMemory::default();
        let pread = vec![
            arg("fd", 3),
            arg("buf", 0x1000),
            arg("count", 10),
            arg("pos_lo", 0x10),
            arg("pos_hi", 1),
        ];
        assert_eq!(
            shown(&join_halves(pread, "pread64", Abi::I386, &memory)),
            [
                ("fd", "3".to_string()),
                ("buf", "4096".to_string()),
                ("count", "10".to_string()),
                ("pos", "4294967312".to_string())
            ]
        );
        // x86_64's preadv: the low half holds it all.
        let preadv = vec![arg("vlen", 1), arg("pos_l", 7), arg("pos_h", 9)];
        assert_eq!(
            shown(&join_halves(preadv, "preadv", Abi::X86_64, &memory)),
            [("vlen", "1".to_string()), ("pos", "7".to_string())]
        );
        // _llseek: high first, and the result the kernel wrote.
        let runs = [MemoryRun {
            address: 0x2000,
            direction: Direction::KernelWrite,
            bytes: 0x1_0000_0000u64.to_le_bytes().to_vec(),
            thread: Default::default(),
        }];
        let memory = crate::memory::CallMemory::new(&runs);
        let llseek = vec![
            arg("fd", 3),
            arg("offset_high", 1),
            arg("offset_low", 0),
            arg("result", 0x2000),
        ];
        assert_eq!(
            shown(&join_halves(llseek, "_llseek", Abi::I386, &memory)),
            [
                ("fd", "3".to_string()),
                ("offset", "4294967296".to_string()),
                ("result", "[4294967296]".to_string())
            ]
        );
    }
}
