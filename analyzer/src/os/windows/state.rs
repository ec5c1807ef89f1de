//! The state pass for Windows guests: who each thread is (ClientId from
//! the TEB the recorder probed), the processes with their images, parents
//! and exit statuses, and a handle table per process whose entries carry
//! the names of the objects they refer to.
//!
//! Like the Linux pass, it learns only from what the calls did: statuses,
//! and the bytes the kernel read and wrote.

use std::collections::BTreeMap;
use std::sync::Arc;

use vmscope_schema::{Probe, ProbeKind};

use super::Arch;
use super::args::ArgKind;
use super::decode;
use super::render::{self, CallView};
use super::syscalls::ServiceInfo;
use crate::os::{Handle, Process};
use crate::threads::{Call, HashMap, ThreadKey, space};

/// A guest thread as far as the trace tells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadInfo {
    /// A stable id for the thread within this analysis: t1, t2, ...
    pub label: u32,
    pub tid: Option<i64>,
    pub pid: Option<i64>,
    /// The thread runs 32-bit code on an x64 kernel (its TEB is a WOW64
    /// one).
    pub wow64: bool,
}

/// An object a handle refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandleEntry {
    pub kind: &'static str,
    /// The object's name as the journal shows it beside the handle.
    pub name: Arc<str>,
    /// The process a Process handle refers to, by its pid.
    pub pid: Option<i64>,
    /// A process this handle's call created whose pid is not known yet.
    creator: Option<Created>,
    /// Index into `WindowsState::handles` of this handle's lifetime.
    pub lifetime: usize,
}

#[derive(Clone, Debug, Default)]
struct HandleTable {
    handles: BTreeMap<u64, HandleEntry>,
}

/// What the TEB page says about its thread.
#[derive(Clone, Copy, Debug)]
struct Teb {
    pid: i64,
    tid: i64,
    wow64: bool,
}

/// A process some call created, not yet seen running.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Created {
    parent: usize,
    image: Option<String>,
    command_line: Option<String>,
}

/// The whole Windows state.
#[derive(Debug)]
pub struct WindowsState {
    arch: Arch,
    tebs: HashMap<ThreadKey, Teb>,
    threads: HashMap<ThreadKey, usize>,
    infos: Vec<ThreadInfo>,
    thread_process: Vec<usize>,
    processes: Vec<Process>,
    /// Address space → process, for threads whose TEB was not probed.
    spaces: HashMap<u64, usize>,
    tables: Vec<HandleTable>,
    /// Processes created by a call, by the pid it returned.
    created: HashMap<i64, Created>,
    pub handles: Vec<Handle>,
}

/// TEB offsets of ClientId (UniqueProcess, UniqueThread).
fn client_id_offsets(register: &str, arch: Arch) -> (usize, usize, usize, bool) {
    match (arch, register) {
        // On x64, fs holds the 32-bit TEB of a WOW64 thread.
        (Arch::X64, "fs_base") => (0x20, 0x24, 4, true),
        (Arch::X64, _) => (0x40, 0x48, 8, false),
        (Arch::X86, _) => (0x20, 0x24, 4, false),
    }
}

impl WindowsState {
    pub fn new(arch: Arch) -> WindowsState {
        WindowsState {
            arch,
            tebs: HashMap::default(),
            threads: HashMap::default(),
            infos: Vec::new(),
            thread_process: Vec::new(),
            processes: Vec::new(),
            spaces: HashMap::default(),
            tables: Vec::new(),
            created: HashMap::default(),
            handles: Vec::new(),
        }
    }

    pub fn processes(&self) -> &[Process] {
        &self.processes
    }

    pub fn thread(&self, index: usize) -> &ThreadInfo {
        &self.infos[index]
    }

    /// Learns a thread's ClientId from the TEB page the recorder read. A
    /// TEB address may be reused by a later thread; a probe of it replaces
    /// what was known.
    pub fn probe(&mut self, probe: &Probe) {
        if probe.kind != ProbeKind::ThreadPointer || !probe.readable {
            return;
        }
        let (pid_at, tid_at, size, wow64) = client_id_offsets(&probe.register, self.arch);
        let word = |at: usize| -> Option<i64> {
            let bytes = probe.bytes.get(at..at + size)?;
            let mut w = [0u8; 8];
            w[..size].copy_from_slice(bytes);
            Some(u64::from_le_bytes(w) as i64)
        };
        let (Some(pid), Some(tid)) = (word(pid_at), word(tid_at)) else {
            return;
        };
        // Client ids are multiples of 4 below 2^32; anything else is not
        // a TEB (or not filled in yet).
        let plausible = |id: i64| id > 0 && id % 4 == 0 && id < 1 << 32;
        if !plausible(pid) || !plausible(tid) {
            return;
        }
        let key = ThreadKey {
            space: space(probe.thread.cr3),
            pointer: probe.address,
        };
        self.tebs.insert(key, Teb { pid, tid, wow64 });
        // A thread already known with other ids is a new thread on a
        // reused TEB.
        if let Some(&index) = self.threads.get(&key)
            && self.infos[index].tid != Some(tid)
        {
            self.threads.remove(&key);
        }
    }

    /// The thread a call was made by, made known on first sight.
    pub fn thread_of(&mut self, key: ThreadKey) -> usize {
        if let Some(&index) = self.threads.get(&key) {
            return index;
        }
        let teb = self.tebs.get(&key).copied();
        let process = match teb {
            Some(teb) => self.process_with_pid(teb.pid, key.space),
            // No TEB seen: the live process of this address space, or a
            // new one (an ended process's space may be reused).
            None => match self.spaces.get(&key.space) {
                Some(&p) if self.processes[p].exit_code.is_none() => p,
                _ => self.new_process(None),
            },
        };
        self.spaces.insert(key.space, process);
        let index = self.infos.len();
        self.infos.push(ThreadInfo {
            label: index as u32 + 1,
            tid: teb.map(|t| t.tid),
            pid: self.processes[process].pid,
            wow64: teb.is_some_and(|t| t.wow64),
        });
        self.thread_process.push(process);
        self.processes[process].threads.push(index as u32 + 1);
        self.threads.insert(key, index);
        index
    }

    /// The live process with this pid in this address space, or a new one
    /// (pids are reused once a process is gone; address spaces too).
    fn process_with_pid(&mut self, pid: i64, space: u64) -> usize {
        if let Some(&p) = self.spaces.get(&space)
            && self.processes[p].exit_code.is_none()
        {
            match self.processes[p].pid {
                Some(known) if known == pid => return p,
                // Its threads so far had no TEB to say the pid.
                None => {
                    self.processes[p].pid = Some(pid);
                    for (t, &owner) in self.thread_process.iter().enumerate() {
                        if owner == p {
                            self.infos[t].pid = Some(pid);
                        }
                    }
                    return p;
                }
                Some(_) => {}
            }
        }
        if let Some(p) = self.processes.iter().rposition(|p| p.pid == Some(pid))
            && self.processes[p].exit_code.is_none()
        {
            return p;
        }
        let process = self.new_process(Some(pid));
        if let Some(created) = self.created.remove(&pid) {
            let parent = &self.processes[created.parent];
            let (ppid, label) = (parent.pid, parent.label);
            let child = &mut self.processes[process];
            child.ppid = ppid;
            child.parent_label = Some(label);
            if let Some(image) = created.image {
                child.comm = Some(base_name(&image).into());
                child
                    .execs
                    .push((image, created.command_line.into_iter().collect()));
            }
        }
        process
    }

    fn new_process(&mut self, pid: Option<i64>) -> usize {
        self.processes.push(Process {
            pid,
            label: self.infos.len() as u32 + 1,
            ..Process::default()
        });
        self.tables.push(HandleTable::default());
        self.processes.len() - 1
    }

    /// The image name of the thread's process, as its comm.
    pub fn comm(&self, thread: usize) -> Option<&Arc<str>> {
        self.processes[self.thread_process[thread]].comm.as_ref()
    }

    /// What a handle of the thread's process refers to: `File \SystemRoot\x`.
    pub fn handle_name(&self, thread: usize, handle: u64) -> Option<Arc<str>> {
        let handle = self.normalize(handle);
        self.tables[self.thread_process[thread]]
            .handles
            .get(&handle)
            .map(|e| e.name.clone())
    }

    fn normalize(&self, handle: u64) -> u64 {
        match self.arch {
            Arch::X86 => handle & 0xffff_ffff,
            Arch::X64 => handle,
        }
    }

    /// Updates the state from one call (seen in entry order, with its
    /// status when it returned).
    pub fn apply(
        &mut self,
        call: &Call,
        thread: usize,
        info: Option<&ServiceInfo>,
        view: &CallView<'_>,
    ) {
        let Some(info) = info else { return };
        let process = self.thread_process[thread];
        let Some(status) = view.status else {
            // NtTerminateProcess of itself never returns: it is the end.
            // (With NULL it ends the other threads and returns.)
            if info.name == "NtTerminateProcess"
                && view.args[0].is_some_and(|h| render::is_current_process(self.arch, h))
            {
                self.end_process(process, view.args[1], call.seq);
            }
            // A thread ending itself: its TEB may serve a later thread,
            // which must not inherit its ids unless a probe or a creating
            // call says them.
            if info.name == "NtTerminateThread"
                && view.args[0].is_some_and(|h| h == 0 || render::is_current_thread(self.arch, h))
            {
                self.threads.remove(&call.thread);
                self.tebs.remove(&call.thread);
            }
            return;
        };
        if decode::failed(status) {
            return;
        }
        let args = info.args.unwrap_or(&[]);
        match info.name {
            "NtClose" => {
                if let Some(h) = view.args[0] {
                    self.close(process, h, call.seq, "NtClose");
                }
                return;
            }
            "NtDuplicateObject" => {
                self.duplicate(process, thread, call, view);
                return;
            }
            "NtTerminateProcess" => {
                if let Some(h) = view.args[0] {
                    // NULL ends the caller's other threads, not the process.
                    let target = if h == 0 {
                        None
                    } else if render::is_current_process(self.arch, h) {
                        Some(process)
                    } else {
                        self.handle_pid(process, h)
                            .and_then(|pid| self.processes.iter().rposition(|p| p.pid == Some(pid)))
                    };
                    if let Some(target) = target {
                        self.end_process(target, view.args[1], call.seq);
                    }
                }
                return;
            }
            "NtReadFile" | "NtWriteFile" => {
                self.count_io(process, info.name == "NtReadFile", view);
                return;
            }
            "NtQueryInformationProcess" => {
                self.learn_basic_information(process, view);
                return;
            }
            _ => {}
        }
        // An opener: a handle written, a name from the object attributes.
        let Some(new_handle) = render::value_of(view, ArgKind::HandleOut)
            .and_then(|at| view.memory.written_word(at, self.pointer_size()))
        else {
            return;
        };
        let kind = object_kind(info.name);
        let mut name = render::value_of(view, ArgKind::ObjectAttributes)
            .and_then(|at| render::object_name(view, at))
            .and_then(|(root, name)| {
                let name = name?;
                // Relative to RootDirectory: the root's name, or its
                // handle when the trace did not say what it is.
                Some(if root == 0 {
                    name
                } else {
                    let root = self
                        .handle_entry(process, root)
                        .unwrap_or_else(|| render::handle(self.arch, root));
                    format!("{}\\{name}", root.trim_end_matches('\\'))
                })
            });
        let mut pid = None;
        // A process made without saying its pid: learnt when the caller
        // asks for its ProcessBasicInformation.
        let mut creator = None;
        if matches!(info.name, "NtCreateProcess" | "NtCreateProcessEx") {
            creator = Some(Created {
                parent: process,
                image: None,
                command_line: None,
            });
        }
        if matches!(info.name, "NtCreateUserProcess" | "NtCreateThreadEx") {
            let list = render::value_of(view, ArgKind::PsAttributeList);
            let client = list.and_then(|l| render::created_client_id(view, l));
            if info.name == "NtCreateUserProcess" {
                let parameters = render::value_of(view, ArgKind::ProcessParameters);
                let (image, command_line) = parameters
                    .map(|at| render::image_and_command_line(view, at))
                    .unwrap_or_default();
                if client.is_none() {
                    creator = Some(Created {
                        parent: process,
                        image: image.clone(),
                        command_line: command_line.clone(),
                    });
                }
                if let Some((child_pid, child_tid)) = client {
                    let child_pid = child_pid as i64;
                    pid = Some(child_pid);
                    self.created.insert(
                        child_pid,
                        Created {
                            parent: process,
                            image: image.clone(),
                            command_line,
                        },
                    );
                    // The second handle out is the child's first thread.
                    if let Some(thread_out) = args
                        .iter()
                        .enumerate()
                        .filter(|(_, (_, k))| *k == ArgKind::HandleOut)
                        .nth(1)
                        .and_then(|(i, _)| view.args[i])
                        && let Some(h) = view.memory.written_word(thread_out, self.pointer_size())
                    {
                        let name = format!("Thread {child_tid} of {child_pid}");
                        self.open(
                            process, thread, h, "Thread", name, None, call.seq, info.name,
                        );
                    }
                }
                name = Some(match (image, pid) {
                    (Some(image), Some(p)) => format!("Process {p} {image}"),
                    (Some(image), None) => format!("Process {image}"),
                    (None, Some(p)) => format!("Process {p}"),
                    (None, None) => "Process".to_string(),
                });
            } else if let Some((pid, tid)) = client {
                name = Some(format!("Thread {tid}"));
                // The new thread's TEB, if the caller asked for it: its
                // ids are known before it runs, whatever TEB it reuses.
                if let Some(teb) = list.and_then(|l| render::created_teb(view, l)) {
                    let key = ThreadKey {
                        space: call.thread.space,
                        pointer: teb,
                    };
                    self.threads.remove(&key);
                    self.tebs.insert(
                        key,
                        Teb {
                            pid: pid as i64,
                            tid: tid as i64,
                            wow64: false,
                        },
                    );
                }
            }
        }
        let name = match name {
            // A name the kernel read as empty (or refused) names nothing.
            Some(name) if name.is_empty() => kind.to_string(),
            Some(name) if name.starts_with(kind) => name,
            Some(name) => format!("{kind} {name}"),
            None => kind.to_string(),
        };
        self.open(
            process, thread, new_handle, kind, name, pid, call.seq, info.name,
        );
        let new_handle = self.normalize(new_handle);
        if let Some(creator) = creator
            && let Some(entry) = self.tables[process].handles.get_mut(&new_handle)
        {
            entry.creator = Some(creator);
        }
    }

    /// ProcessBasicInformation says a process's pid and its parent's: of
    /// the caller (NtCurrentProcess), or of the process behind a handle, such
    /// as one NtCreateProcessEx made, whose pid no other output says.
    fn learn_basic_information(&mut self, process: usize, view: &CallView<'_>) {
        let (Some(handle), Some(pid)) = (view.args[0], render::basic_information_pid(view)) else {
            return;
        };
        let pid = pid as i64;
        let p = self.pointer_size() as u64;
        let parent = view.args[2]
            .and_then(|at| view.memory.written_word(at + 5 * p, p as usize))
            .map(|v| v as i64);
        if render::is_current_process(self.arch, handle) {
            let me = &mut self.processes[process];
            if me.pid.is_none() {
                me.pid = Some(pid);
            }
            if me.ppid.is_none() {
                me.ppid = parent;
            }
            return;
        }
        let handle = self.normalize(handle);
        let Some(entry) = self.tables[process].handles.get_mut(&handle) else {
            return;
        };
        if entry.kind != "Process" || entry.pid.is_some() {
            return;
        }
        entry.pid = Some(pid);
        let name: Arc<str> = format!("Process {pid}{}", &entry.name["Process".len()..]).into();
        entry.name = name.clone();
        self.handles[entry.lifetime].path = name.to_string();
        // The caller made it, if no one else is known to have.
        if let Some(creator) = entry.creator.take() {
            self.created.entry(pid).or_insert(creator);
        }
    }

    fn pointer_size(&self) -> usize {
        match self.arch {
            Arch::X86 => 4,
            Arch::X64 => 8,
        }
    }

    /// The name of the object behind a handle, without its type word.
    fn handle_entry(&self, process: usize, handle: u64) -> Option<String> {
        let entry = self.tables[process].handles.get(&self.normalize(handle))?;
        Some(
            entry
                .name
                .strip_prefix(entry.kind)
                .map_or(&*entry.name, str::trim_start)
                .to_string(),
        )
    }

    fn handle_pid(&self, process: usize, handle: u64) -> Option<i64> {
        self.tables[process]
            .handles
            .get(&self.normalize(handle))?
            .pid
    }

    #[allow(clippy::too_many_arguments)]
    fn open(
        &mut self,
        process: usize,
        thread: usize,
        handle: u64,
        kind: &'static str,
        name: String,
        pid: Option<i64>,
        seq: u64,
        how: &str,
    ) {
        let handle = self.normalize(handle);
        // Opening over a live handle can only mean its close was missed.
        self.close(process, handle, seq, "reused");
        let lifetime = self.handles.len();
        self.handles.push(Handle {
            pid: self.processes[process].pid,
            thread: self.infos[thread].label,
            fd: handle as i64,
            kind,
            path: name.clone(),
            opened_seq: seq,
            opened_by: how.to_string(),
            ..Handle::default()
        });
        self.tables[process].handles.insert(
            handle,
            HandleEntry {
                kind,
                name: name.into(),
                pid,
                creator: None,
                lifetime,
            },
        );
    }

    fn close(&mut self, process: usize, handle: u64, seq: u64, how: &str) {
        let handle = self.normalize(handle);
        if let Some(entry) = self.tables[process].handles.remove(&handle) {
            let lifetime = &mut self.handles[entry.lifetime];
            lifetime.closed_seq = Some(seq);
            lifetime.closed_by = Some(how.to_string());
        }
    }

    fn duplicate(&mut self, process: usize, thread: usize, call: &Call, view: &CallView<'_>) {
        // SourceProcessHandle, SourceHandle, TargetProcessHandle,
        // TargetHandle, DesiredAccess, HandleAttributes, Options.
        let [
            Some(source_process),
            Some(source),
            target_process,
            target,
            ..,
        ] = view.args
        else {
            return;
        };
        let process_of = |state: &WindowsState, h: u64| {
            if render::is_current_process(state.arch, h) {
                Some(process)
            } else {
                let pid = state.handle_pid(process, h)?;
                state.processes.iter().rposition(|p| p.pid == Some(pid))
            }
        };
        let Some(from) = process_of(self, source_process) else {
            return;
        };
        let Some(entry) = self.tables[from]
            .handles
            .get(&self.normalize(source))
            .cloned()
        else {
            return;
        };
        let options = view.args[6].unwrap_or(0);
        if let (Some(target_process), Some(target)) = (target_process, target)
            && let Some(to) = process_of(self, target_process)
            && let Some(new) = view.memory.written_word(target, self.pointer_size())
        {
            self.open(
                to,
                thread,
                new,
                entry.kind,
                entry.name.to_string(),
                entry.pid,
                call.seq,
                "NtDuplicateObject",
            );
        }
        if options & 1 != 0 {
            self.close(
                from,
                source,
                call.seq,
                "NtDuplicateObject (DUPLICATE_CLOSE_SOURCE)",
            );
        }
    }

    fn count_io(&mut self, process: usize, read: bool, view: &CallView<'_>) {
        // FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, ...
        let Some(handle) = view.args[0] else { return };
        let Some(entry) = self.tables[process].handles.get(&self.normalize(handle)) else {
            return;
        };
        let p = self.pointer_size();
        let information = view.args[4]
            .and_then(|at| view.memory.written_word(at + p as u64, p))
            .unwrap_or(0);
        let lifetime = &mut self.handles[entry.lifetime];
        if read {
            lifetime.reads += 1;
            lifetime.read_bytes += information;
        } else {
            lifetime.writes += 1;
            lifetime.written_bytes += information;
        }
    }

    fn end_process(&mut self, process: usize, status: Option<u64>, seq: u64) {
        if self.processes[process].exit_code.is_some() {
            return;
        }
        self.processes[process].exit_code = Some(status.map_or(0, |s| i64::from(s as u32)));
        let handles = std::mem::take(&mut self.tables[process].handles);
        for entry in handles.into_values() {
            let lifetime = &mut self.handles[entry.lifetime];
            lifetime.closed_seq = Some(seq);
            lifetime.closed_by = Some("process exit".to_string());
        }
    }
}

/// The object type an opener makes, from its name: NtCreateFile → File,
/// NtOpenKeyEx → Key, NtCreateUserProcess → Process.
pub fn object_kind(service: &str) -> &'static str {
    let rest = service.strip_prefix("Nt").unwrap_or(service);
    let rest = rest
        .strip_prefix("Create")
        .or_else(|| rest.strip_prefix("Open"))
        .unwrap_or(rest);
    const KINDS: &[(&str, &str)] = &[
        ("ProcessToken", "Token"),
        ("ThreadToken", "Token"),
        ("Token", "Token"),
        ("UserProcess", "Process"),
        ("Process", "Process"),
        ("Thread", "Thread"),
        ("File", "File"),
        ("NamedPipeFile", "File"),
        ("MailslotFile", "File"),
        ("Key", "Key"),
        ("Section", "Section"),
        ("Event", "Event"),
        ("Mutant", "Mutant"),
        ("Semaphore", "Semaphore"),
        ("Timer", "Timer"),
        ("DirectoryObject", "Directory"),
        ("SymbolicLinkObject", "SymbolicLink"),
        ("IoCompletion", "IoCompletion"),
        ("Job", "Job"),
        ("Port", "Port"),
        ("AlpcPort", "ALPC Port"),
        ("DebugObject", "DebugObject"),
        ("WorkerFactory", "TpWorkerFactory"),
        ("Transaction", "Transaction"),
    ];
    KINDS
        .iter()
        .find(|(prefix, _)| rest.starts_with(prefix))
        .map_or("Object", |(_, kind)| kind)
}

/// The last component of a Windows path.
fn base_name(path: &str) -> &str {
    path.rsplit(['\\', '/']).next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threads::Outcome;

    /// The recorder's probe of a TEB at `address` in the space of `cr3`,
    /// holding ClientId (pid, tid) where the register's TEB layout keeps it.
    fn teb_probe(register: &str, address: u64, cr3: u64, pid: u64, tid: u64) -> Probe {
        let mut page = vec![0u8; 4096];
        if register == "gs_base" {
            page[0x40..0x48].copy_from_slice(&pid.to_le_bytes());
            page[0x48..0x50].copy_from_slice(&tid.to_le_bytes());
        } else {
            page[0x20..0x24].copy_from_slice(&(pid as u32).to_le_bytes());
            page[0x24..0x28].copy_from_slice(&(tid as u32).to_le_bytes());
        }
        Probe {
            kind: ProbeKind::ThreadPointer,
            address,
            register: register.into(),
            thread: vmscope_schema::ThreadContext {
                cr3,
                ..Default::default()
            },
            bytes: page,
            readable: true,
        }
    }

    fn service(name: &str) -> &'static ServiceInfo {
        super::super::syscalls::SERVICES
            .iter()
            .find(|s| s.name == name && s.args.is_some())
            .unwrap()
    }

    /// A call of the thread `key`, with no bytes recorded.
    fn call(key: ThreadKey, outcome: Outcome) -> Call {
        Call {
            seq: 9,
            vcpu: 0,
            thread: key,
            entry: Default::default(),
            exit: None,
            memory: Vec::new(),
            outcome,
            resumed: false,
        }
    }

    /// An x64 view of `info` with these first arguments and status.
    fn view(info: &'static ServiceInfo, first: &[u64], status: Option<u32>) -> CallView<'static> {
        let mut args = [None; super::super::decode::MAX_ARGS];
        for (arg, value) in args.iter_mut().zip(first) {
            *arg = Some(*value);
        }
        CallView {
            arch: Arch::X64,
            name: info.name,
            args,
            kinds: info.args.unwrap(),
            status,
            memory: crate::memory::CallMemory::default(),
        }
    }

    #[test]
    fn opener_names_say_the_object_type() {
        assert_eq!(object_kind("NtCreateFile"), "File");
        assert_eq!(object_kind("NtOpenKeyEx"), "Key");
        assert_eq!(object_kind("NtCreateUserProcess"), "Process");
        assert_eq!(object_kind("NtOpenProcessTokenEx"), "Token");
        assert_eq!(object_kind("NtCreateThreadEx"), "Thread");
        assert_eq!(object_kind("NtCreateSection"), "Section");
        assert_eq!(object_kind("NtCreateWhatever"), "Object");
        assert_eq!(base_name(r"\??\C:\vmscope\child.exe"), "child.exe");
    }

    #[test]
    fn a_thread_ending_itself_leaves_its_teb_to_no_one() {
        let mut state = WindowsState::new(Arch::X64);
        state.probe(&teb_probe("gs_base", 0x7ff0_0000, 0x4000, 0x1a4, 0x1b4));
        let key = ThreadKey {
            space: 0x4000,
            pointer: 0x7ff0_0000,
        };
        let first = state.thread_of(key);
        assert_eq!(state.thread(first).tid, Some(0x1b4));
        let terminate = service("NtTerminateThread");
        state.apply(
            &call(key, Outcome::NoExit),
            first,
            Some(terminate),
            &view(terminate, &[u64::MAX - 1, 0x77], None),
        );
        // A later thread on the same TEB is a new thread, ids unknown.
        let next = state.thread_of(key);
        assert_ne!(next, first);
        assert_eq!(state.thread(next).tid, None);
        assert_eq!(state.thread(next).pid, Some(0x1a4), "same address space");
    }

    #[test]
    fn terminating_with_null_ends_other_threads_not_the_process() {
        let mut state = WindowsState::new(Arch::X64);
        let key = ThreadKey {
            space: 0x4000,
            pointer: 0x7ff0_0000,
        };
        let thread = state.thread_of(key);
        let terminate = service("NtTerminateProcess");
        // NtTerminateProcess(NULL) returns: the process goes on.
        state.apply(
            &call(key, Outcome::Returned),
            thread,
            Some(terminate),
            &view(terminate, &[0, 0x2a], Some(0)),
        );
        assert_eq!(state.processes()[0].exit_code, None);
        // NtTerminateProcess(NtCurrentProcess) does not: that is its end.
        state.apply(
            &call(key, Outcome::NoExit),
            thread,
            Some(terminate),
            &view(terminate, &[u64::MAX, 0x2a], None),
        );
        assert_eq!(state.processes()[0].exit_code, Some(0x2a));
    }

    #[test]
    fn a_process_learns_its_pid_from_a_later_threads_teb() {
        let mut state = WindowsState::new(Arch::X86);
        let blind = state.thread_of(ThreadKey {
            space: 0x8000,
            pointer: 0x7ffd_f000,
        });
        assert_eq!(state.thread(blind).pid, None);
        state.probe(&teb_probe("fs_base", 0x7ffd_e000, 0x8000, 0x1a4, 0x1b4));
        let seen = state.thread_of(ThreadKey {
            space: 0x8000,
            pointer: 0x7ffd_e000,
        });
        assert_eq!(state.processes().len(), 1, "one address space, one process");
        assert_eq!(state.thread(seen).tid, Some(0x1b4));
        assert_eq!(state.thread(blind).pid, Some(0x1a4), "told after the fact");
    }

    #[test]
    fn teb_probes_give_client_ids() {
        let mut state = WindowsState::new(Arch::X64);
        let probe = teb_probe("gs_base", 0x7ff0_0000, 0x5000, 0x1a4, 0x1b0);
        state.probe(&probe);
        let thread = state.thread_of(ThreadKey {
            space: 0x4000,
            pointer: 0x7ff0_0000,
        });
        let info = state.thread(thread);
        assert_eq!(
            (info.pid, info.tid, info.wow64),
            (Some(0x1a4), Some(0x1b0), false)
        );
        // A page that is not a TEB gives nothing.
        let mut junk = probe.clone();
        junk.address = 0x7fe0_0000;
        junk.bytes = vec![0xff; 4096];
        state.probe(&junk);
        let other = state.thread_of(ThreadKey {
            space: 0x4000,
            pointer: 0x7fe0_0000,
        });
        assert_eq!(state.thread(other).tid, None);
        assert_eq!(state.thread(other).pid, Some(0x1a4), "same address space");
    }
}
