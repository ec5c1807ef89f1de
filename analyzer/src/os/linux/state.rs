//! The state pass for Linux guests: who each thread is (the guest's own
//! PID and TID where the trace says them), the processes with their exec
//! lineage and exit codes, and an fd table per process (the file monitor).
//!
//! It sees calls in entry order with their results, and updates itself
//! only from what the calls did: results, and the bytes the kernel read
//! and wrote.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::memory::CallMemory;
use crate::threads::{Call, HashMap, ThreadKey};

pub use crate::os::{Handle, Process};

use super::render::CallView;
use super::syscalls::SyscallInfo;

/// A guest thread as far as the trace tells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThreadInfo {
    /// A stable id for the thread within this analysis: t1, t2, ...
    pub label: u32,
    pub tid: Option<i64>,
    pub pid: Option<i64>,
}

/// One open file description as an fd of a process sees it. The path is
/// shared: every call that names the fd carries it to the printer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FdEntry {
    pub path: Arc<str>,
    pub cloexec: bool,
    /// Index into `FileMonitor::handles` of this fd's lifetime.
    pub handle: usize,
}

#[derive(Clone, Debug, Default)]
struct FdTable {
    fds: BTreeMap<i64, FdEntry>,
}

/// What a fork-like call's result says about the child it made, and the
/// parent's fd table as the child got it: at the call, not when the child
/// first runs (the parent may close fds in between).
#[derive(Clone, Debug)]
struct Fork {
    child_tid: i64,
    shares_process: bool,
    parent_process: usize,
    table: FdTable,
}

/// The whole Linux state.
#[derive(Debug, Default)]
pub struct LinuxState {
    threads: HashMap<ThreadKey, usize>,
    infos: Vec<ThreadInfo>,
    /// Thread index → process index.
    thread_process: Vec<usize>,
    processes: Vec<Process>,
    tables: Vec<FdTable>,
    forks: HashMap<u64, Fork>,
    pub handles: Vec<Handle>,
    pipes: u64,
    /// Per thread, the call the kernel last restarted: what a following
    /// restart_syscall resumes.
    restarted: HashMap<usize, &'static str>,
}

const AT_FDCWD: i64 = -100;
const O_CLOEXEC: u64 = 0o2000000;
const CLONE_THREAD: u64 = 0x10000;
const CLONE_VM: u64 = 0x100;

impl LinuxState {
    pub fn new() -> LinuxState {
        LinuxState::default()
    }

    pub fn processes(&self) -> &[Process] {
        &self.processes
    }

    /// Notes that the kernel restarted `name` in `thread`.
    pub fn note_restart(&mut self, thread: usize, name: &'static str) {
        self.restarted.insert(thread, name);
    }

    /// The call a restart_syscall of `thread` resumes, if it was seen.
    pub fn take_restart(&mut self, thread: usize) -> Option<&'static str> {
        self.restarted.remove(&thread)
    }

    pub fn thread(&self, index: usize) -> &ThreadInfo {
        &self.infos[index]
    }

    /// The thread a key belongs to, made (with a new process) if unseen.
    pub fn thread_of(&mut self, key: ThreadKey) -> usize {
        if let Some(&index) = self.threads.get(&key) {
            return index;
        }
        // A thread pointer seen before in the same address space is the
        // same thread; a new pointer in a known space is a new thread of
        // that process; a new space is a new process.
        let process = self
            .threads
            .iter()
            .find(|(k, _)| k.space == key.space)
            .map(|(_, &t)| self.thread_process[t]);
        let process = process.unwrap_or_else(|| self.new_process(None, None));
        self.new_thread(key, process)
    }

    fn new_process(&mut self, ppid: Option<i64>, parent_label: Option<u32>) -> usize {
        self.processes.push(Process {
            ppid,
            parent_label,
            label: self.infos.len() as u32 + 1,
            ..Process::default()
        });
        self.tables.push(FdTable::default());
        self.processes.len() - 1
    }

    fn new_thread(&mut self, key: ThreadKey, process: usize) -> usize {
        let index = self.infos.len();
        self.infos.push(ThreadInfo {
            label: index as u32 + 1,
            tid: None,
            pid: self.processes[process].pid,
        });
        self.thread_process.push(process);
        self.processes[process].threads.push(index as u32 + 1);
        self.threads.insert(key, index);
        index
    }

    fn set_pid(&mut self, process: usize, pid: i64) {
        self.processes[process].pid = Some(pid);
        for (t, &p) in self.thread_process.iter().enumerate() {
            if p == process {
                self.infos[t].pid = Some(pid);
            }
        }
    }

    /// A new thread or process returning 0 from `parent`'s fork-like call.
    pub fn child_start(&mut self, parent: u64, key: ThreadKey) {
        let Some(fork) = self.forks.remove(&parent) else {
            return;
        };
        // A known key here is a dead thread's: address spaces and thread
        // pointers are reused. The child is new whatever the key says.
        let process = if fork.shares_process {
            fork.parent_process
        } else {
            let parent = &self.processes[fork.parent_process];
            let (ppid, label) = (parent.pid, parent.label);
            let cwd = parent.cwd.clone();
            let execs = parent.execs.last().cloned();
            let child = self.new_process(ppid, Some(label));
            self.processes[child].cwd = cwd;
            // The child runs the parent's program until it execs.
            self.processes[child].comm = self.processes[fork.parent_process].comm.clone();
            self.processes[child].execs.extend(execs);
            self.tables[child] = fork.table;
            self.reopen_handles(child);
            child
        };
        let thread = self.new_thread(key, process);
        self.infos[thread].tid = Some(fork.child_tid);
        if !fork.shares_process {
            self.set_pid(process, fork.child_tid);
        }
    }

    /// A forked child's fds are its own fds from now on: new lifetimes.
    fn reopen_handles(&mut self, process: usize) {
        let pid = self.processes[process].pid;
        let label = self.processes[process].label;
        let fds: Vec<(i64, FdEntry)> = self.tables[process]
            .fds
            .iter()
            .map(|(fd, entry)| (*fd, entry.clone()))
            .collect();
        for (fd, entry) in fds {
            let handle = self.handles.len();
            self.handles.push(Handle {
                pid,
                thread: label,
                fd,
                path: entry.path.to_string(),
                opened_by: "fork".into(),
                ..Handle::default()
            });
            self.tables[process]
                .fds
                .insert(fd, FdEntry { handle, ..entry });
        }
    }

    /// The comm of `thread`'s process, once an exec named its program.
    pub fn comm(&self, thread: usize) -> Option<&Arc<str>> {
        let process = *self.thread_process.get(thread)?;
        self.processes[process].comm.as_ref()
    }

    /// The path an fd of `thread`'s process stands for, if known.
    pub fn fd_path(&self, thread: usize, fd: i64) -> Option<&Arc<str>> {
        let process = *self.thread_process.get(thread)?;
        self.tables[process].fds.get(&fd).map(|e| &e.path)
    }

    /// Updates the state with one finished (or never finishing) call.
    pub fn apply(
        &mut self,
        call: &Call,
        thread: usize,
        info: Option<&SyscallInfo>,
        view: &CallView<'_>,
    ) {
        // Whatever the call, a thread whose thread pointer or address space
        // changed across it (arch_prctl(ARCH_SET_FS), set_thread_area, a
        // successful execve) is still the same thread.
        if let Some(exit) = &call.exit {
            let key = exit.thread;
            if key != call.thread {
                self.threads.entry(key).or_insert(thread);
            }
        }
        let Some(info) = info else { return };
        let process = self.thread_process[thread];
        let a = view.args;
        let ret = view.ret;
        let ok = ret.is_some_and(|r| r >= 0);
        let memory = &view.memory;
        match info.name {
            "gettid" | "set_tid_address" if ok => self.infos[thread].tid = ret,
            "getpid" if ok => {
                if let Some(pid) = ret {
                    self.set_pid(process, pid);
                }
            }
            "fork" | "vfork" | "clone" | "clone3" if ok && ret != Some(0) => {
                let flags = match info.name {
                    "clone" => a[0],
                    "clone3" => memory.read_word(a[0], 8).unwrap_or(0),
                    "vfork" => CLONE_VM,
                    _ => 0,
                };
                let shares_process = flags & CLONE_THREAD != 0;
                self.forks.insert(
                    call.seq,
                    Fork {
                        child_tid: ret.unwrap_or(0),
                        shares_process,
                        parent_process: process,
                        table: if shares_process {
                            FdTable::default()
                        } else {
                            self.tables[process].clone()
                        },
                    },
                );
                // Children not seen to start must not pile up.
                if self.forks.len() > 1024
                    && let Some(&oldest) = self.forks.keys().min()
                {
                    self.forks.remove(&oldest);
                }
            }
            "execve" | "execveat" if ok => {
                let path_arg = if info.name == "execve" { a[0] } else { a[1] };
                let path = string(memory, path_arg).unwrap_or_else(|| format!("{path_arg:#x}"));
                let argv_arg = if info.name == "execve" { a[1] } else { a[2] };
                let argv = string_array(memory, argv_arg, view.abi == super::Abi::X86_64);
                let path = self.resolve(process, AT_FDCWD, &path);
                let base = path.rsplit('/').next().unwrap_or(&path);
                let comm: String = base.chars().take(15).collect();
                self.processes[process].comm = Some(comm.into());
                self.processes[process].execs.push((path, argv));
                let closing: Vec<i64> = self.tables[process]
                    .fds
                    .iter()
                    .filter(|(_, e)| e.cloexec)
                    .map(|(fd, _)| *fd)
                    .collect();
                for fd in closing {
                    self.close(process, fd, call.seq, "exec (close-on-exec)");
                }
            }
            "exit_group" => {
                self.processes[process].exit_code = Some(a[0] as i32 as i64);
                // Its address space and thread pointers may be reused by
                // the next process: forget them.
                self.threads
                    .retain(|_, t| self.thread_process[*t] != process);
                let fds: Vec<i64> = self.tables[process].fds.keys().copied().collect();
                for fd in fds {
                    self.close(process, fd, call.seq, "exit");
                }
            }
            "exit" => {
                self.threads.retain(|_, t| *t != thread);
            }
            "open" | "creat" | "openat" | "openat2" if ok => {
                let (dirfd, path, flags) = match info.name {
                    "open" => (AT_FDCWD, a[0], a[1]),
                    "creat" => (AT_FDCWD, a[0], 0o1101),
                    "openat2" => (
                        a[0] as i32 as i64,
                        a[1],
                        memory.read_word(a[2], 8).unwrap_or(0),
                    ),
                    _ => (a[0] as i32 as i64, a[1], a[2]),
                };
                let path = string(memory, path).unwrap_or_else(|| format!("{path:#x}"));
                let path = self.resolve(process, dirfd, &path);
                let fd = ret.unwrap_or(-1);
                self.open(
                    process,
                    thread,
                    fd,
                    path,
                    flags & O_CLOEXEC != 0,
                    call.seq,
                    info.name,
                );
            }
            "close" if ok => self.close(process, a[0] as i32 as i64, call.seq, "close"),
            "close_range" if ok => {
                let (first, last) = (a[0] as u32 as i64, a[1] as u32 as i64);
                // The kernel refuses first > last; a damaged trace may not.
                let fds: Vec<i64> = if first <= last {
                    self.tables[process]
                        .fds
                        .range(first..=last)
                        .map(|(fd, _)| *fd)
                        .collect()
                } else {
                    Vec::new()
                };
                const CLOSE_RANGE_CLOEXEC: u64 = 1 << 2;
                for fd in fds {
                    if a[2] & CLOSE_RANGE_CLOEXEC != 0 {
                        if let Some(entry) = self.tables[process].fds.get_mut(&fd) {
                            entry.cloexec = true;
                        }
                    } else {
                        self.close(process, fd, call.seq, "close_range");
                    }
                }
            }
            "dup" | "dup2" | "dup3" if ok => {
                let old = a[0] as i32 as i64;
                let new = ret.unwrap_or(-1);
                let cloexec = info.name == "dup3" && a[2] & O_CLOEXEC != 0;
                self.dup(process, thread, old, new, cloexec, call.seq, info.name);
            }
            "fcntl" | "fcntl64" if ok => {
                const F_DUPFD: u64 = 0;
                const F_SETFD: u64 = 2;
                const F_DUPFD_CLOEXEC: u64 = 1030;
                let fd = a[0] as i32 as i64;
                match a[1] & 0xffff_ffff {
                    F_DUPFD | F_DUPFD_CLOEXEC => {
                        let cloexec = a[1] & 0xffff_ffff == F_DUPFD_CLOEXEC;
                        self.dup(
                            process,
                            thread,
                            fd,
                            ret.unwrap_or(-1),
                            cloexec,
                            call.seq,
                            "fcntl",
                        );
                    }
                    F_SETFD => {
                        if let Some(entry) = self.tables[process].fds.get_mut(&fd) {
                            entry.cloexec = a[2] & 1 != 0;
                        }
                    }
                    _ => {}
                }
            }
            "pipe" | "pipe2" if ok => {
                if let Some(bytes) = memory.written(a[0], 8) {
                    self.pipes += 1;
                    let name = format!("pipe:[{}]", self.pipes);
                    let cloexec = info.name == "pipe2" && a[1] & O_CLOEXEC != 0;
                    for half in bytes.chunks(4) {
                        let fd =
                            i64::from(i32::from_le_bytes([half[0], half[1], half[2], half[3]]));
                        self.open(
                            process,
                            thread,
                            fd,
                            name.clone(),
                            cloexec,
                            call.seq,
                            info.name,
                        );
                    }
                }
            }
            "socket" | "accept" | "accept4" if ok => {
                self.pipes += 1;
                let name = format!("socket:[{}]", self.pipes);
                let fd = ret.unwrap_or(-1);
                self.open(process, thread, fd, name, false, call.seq, info.name);
            }
            "chdir" if ok => {
                if let Some(path) = string(memory, a[0]) {
                    let path = self.resolve(process, AT_FDCWD, &path);
                    self.processes[process].cwd = Some(path);
                }
            }
            "fchdir" if ok => {
                let path = self.tables[process]
                    .fds
                    .get(&(a[0] as i32 as i64))
                    .map(|e| e.path.to_string());
                if path.is_some() {
                    self.processes[process].cwd = path;
                }
            }
            "read" | "pread64" | "readv" | "preadv" | "preadv2" | "recvfrom" | "recvmsg" if ok => {
                self.count(process, a[0] as i32 as i64, ret.unwrap_or(0) as u64, false);
            }
            "write" | "pwrite64" | "writev" | "pwritev" | "pwritev2" | "sendto" | "sendmsg"
                if ok =>
            {
                self.count(process, a[0] as i32 as i64, ret.unwrap_or(0) as u64, true);
            }
            _ => {}
        }
    }

    /// A path as the call meant it: absolute already, or relative to the
    /// directory fd or the cwd, where those are known.
    fn resolve(&self, process: usize, dirfd: i64, path: &str) -> String {
        if path.starts_with('/') {
            return path.to_string();
        }
        let base = if dirfd == AT_FDCWD {
            self.processes[process].cwd.clone()
        } else {
            self.tables[process]
                .fds
                .get(&dirfd)
                .map(|e| e.path.to_string())
        };
        match base {
            Some(base) if base.ends_with('/') => format!("{base}{path}"),
            Some(base) => format!("{base}/{path}"),
            None => path.to_string(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn open(
        &mut self,
        process: usize,
        thread: usize,
        fd: i64,
        path: String,
        cloexec: bool,
        seq: u64,
        how: &str,
    ) {
        if fd < 0 {
            return;
        }
        // Opening over a live fd can only mean we missed its close.
        self.close(process, fd, seq, "reused");
        let handle = self.handles.len();
        self.handles.push(Handle {
            pid: self.processes[process].pid,
            thread: self.infos[thread].label,
            fd,
            path: path.clone(),
            opened_seq: seq,
            opened_by: how.to_string(),
            ..Handle::default()
        });
        self.tables[process].fds.insert(
            fd,
            FdEntry {
                path: path.into(),
                cloexec,
                handle,
            },
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn dup(
        &mut self,
        process: usize,
        thread: usize,
        old: i64,
        new: i64,
        cloexec: bool,
        seq: u64,
        how: &str,
    ) {
        let path = self.tables[process]
            .fds
            .get(&old)
            .map_or_else(|| format!("(fd {old})"), |e| e.path.to_string());
        if old != new {
            self.close(process, new, seq, how);
        }
        self.open(process, thread, new, path, cloexec, seq, how);
    }

    fn close(&mut self, process: usize, fd: i64, seq: u64, how: &str) {
        if let Some(entry) = self.tables[process].fds.remove(&fd) {
            let handle = &mut self.handles[entry.handle];
            handle.closed_seq = Some(seq);
            handle.closed_by = Some(how.to_string());
        }
    }

    fn count(&mut self, process: usize, fd: i64, bytes: u64, write: bool) {
        if let Some(entry) = self.tables[process].fds.get(&fd) {
            let handle = &mut self.handles[entry.handle];
            if write {
                handle.writes += 1;
                handle.written_bytes += bytes;
            } else {
                handle.reads += 1;
                handle.read_bytes += bytes;
            }
        }
    }
}

/// A NUL-terminated string the kernel read, lossily as UTF-8.
fn string(memory: &CallMemory<'_>, address: u64) -> Option<String> {
    let (bytes, _) = memory.c_string(address, 4096)?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// argv as the kernel read it: pointers, then each string.
fn string_array(memory: &CallMemory<'_>, address: u64, wide: bool) -> Vec<String> {
    let size = if wide { 8 } else { 4 };
    let mut out = Vec::new();
    for i in 0..256u64 {
        let Some(pointer) = memory.read_word(address.wrapping_add(i * size), size as usize) else {
            break;
        };
        if pointer == 0 {
            break;
        }
        out.push(string(memory, pointer).unwrap_or_else(|| format!("{pointer:#x}")));
    }
    out
}
