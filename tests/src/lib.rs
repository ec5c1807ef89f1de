//! Helpers for the end-to-end tests: build the test guests and the
//! release binaries once, boot a guest under QEMU with the recorder, and
//! read back the trace.
//!
//! Every test uses real parts: the Debian kernel, busybox, the programs in
//! `tests/guest/linux/programs`, QEMU from bookworm-backports and the
//! plugin as users load it.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use vmscope_schema::{Event, EventKind, SyscallEvent, Trace};

pub mod json;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// Runs `body` holding an exclusive lock on `name` under target/, so that
/// test processes running in parallel build things once.
fn locked<T>(name: &str, body: impl FnOnce() -> T) -> T {
    std::fs::create_dir_all(target()).unwrap();
    let lock = File::create(target().join(format!("{name}.lock"))).unwrap();
    lock.lock().expect("lock");
    let result = body();
    lock.unlock().ok();
    result
}

fn run(command: &mut Command) {
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(status.success(), "{command:?} failed: {status}");
}

/// The release vmscope binary and recorder plugin, built once.
pub fn binaries() -> &'static (PathBuf, PathBuf) {
    static BUILT: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    BUILT.get_or_init(|| {
        locked("e2e-cargo", || {
            run(Command::new(env!("CARGO")).current_dir(root()).args([
                "build",
                "--release",
                "-q",
                "-p",
                "vmscope",
                "-p",
                "vmscope-recorder",
            ]));
        });
        let dir = target().join("release");
        (dir.join("vmscope"), dir.join("libvmscope_recorder.so"))
    })
}

/// The Linux test guest (kernel and initramfs), built once.
pub fn linux_guest() -> &'static PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let out = target().join("guest-linux");
        locked("e2e-guest", || {
            run(Command::new("bash")
                .arg(root().join("tests/guest/linux/build.sh"))
                .arg(&out));
        });
        out
    })
}

/// The synthetic NT-ABI guest (both flavours), built once.
pub fn nt_guest() -> &'static PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let out = target().join("guest-nt");
        locked("e2e-guest-nt", || {
            run(Command::new("bash")
                .arg(root().join("tests/guest/nt-synthetic/build.sh"))
                .arg(&out));
        });
        out
    })
}

/// Boots the synthetic NT-ABI guest's `flavour` (x86, x64) with the
/// recorder and waits for it to power off.
pub fn record_nt(name: &str, flavour: &str, extra: &[&str]) -> Recording {
    let dir = scratch(name);
    let path = dir.join("trace.vmt");
    let output = Command::new("bash")
        .arg(root().join("tests/guest/nt-synthetic/run.sh"))
        .arg(nt_guest())
        .arg(flavour)
        .args(extra)
        .arg("-plugin")
        .arg(plugin_arg(&path, ""))
        .stdin(Stdio::null())
        .output()
        .expect("run QEMU");
    let console = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && console.contains("VMSCOPE-NT-DONE rc=0"),
        "the synthetic NT-ABI guest ({flavour}) failed: {}\n{console}",
        output.status
    );
    let trace = Trace::open(&path).expect("open the trace");
    Recording { console, trace }
}

/// A scratch directory for one test, kept when the test fails.
pub fn scratch(name: &str) -> PathBuf {
    let dir = target().join("e2e").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The QEMU command (run.sh) that boots the Linux guest with a workload
/// and extra QEMU arguments, without the recorder.
pub fn linux_plain_command(workload: &str, extra: &[&str]) -> Command {
    let mut command = Command::new("bash");
    command
        .arg(root().join("tests/guest/linux/run.sh"))
        .arg(linux_guest())
        .arg(workload)
        .args(extra)
        .env("VMSCOPE_TIMEOUT", "600")
        .stdin(Stdio::null());
    command
}

/// The `-plugin` argument that records into `trace` with more recorder
/// options (`",level=19"`).
pub fn plugin_arg(trace: &Path, recorder: &str) -> String {
    let (_, plugin) = binaries();
    format!("{},out={}{recorder}", plugin.display(), trace.display())
}

/// The QEMU command that boots the Linux guest with a workload, recording
/// into `trace` with the given recorder options and extra QEMU arguments.
pub fn linux_command(workload: &str, trace: &Path, recorder: &str, extra: &[&str]) -> Command {
    let mut command = linux_plain_command(workload, extra);
    command.arg("-plugin").arg(plugin_arg(trace, recorder));
    command
}

/// A finished recording: the console output and the trace.
#[derive(Debug)]
pub struct Recording {
    pub console: String,
    pub trace: Trace,
}

/// Boots the Linux guest with `workload` and waits for it to power off.
pub fn record_linux(name: &str, workload: &str, recorder: &str, extra: &[&str]) -> Recording {
    let dir = scratch(name);
    let path = dir.join("trace.vmt");
    let output: Output = linux_command(workload, &path, recorder, extra)
        .output()
        .expect("run QEMU");
    let console = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "QEMU failed: {}\n{console}",
        output.status
    );
    assert!(
        console.contains(&format!("VMSCOPE-WORKLOAD-DONE {workload} rc=0")),
        "workload {workload} did not finish:\n{console}"
    );
    let trace = Trace::open(&path).expect("open the trace");
    Recording { console, trace }
}

/// Starts the guest without waiting; for the shutdown tests. The loop runs
/// long enough (minutes) that the test, not the guest, ends it.
pub fn spawn_linux(workload: &str, trace: &Path, extra: &[&str]) -> Child {
    linux_command(workload, trace, "", extra)
        .env("VMSCOPE_APPEND", "vmscope.loops=20000000")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run QEMU")
}

/// Waits until `path` holds at least `chunks` whole chunks.
pub fn wait_for_chunks(path: &Path, chunks: usize, limit: Duration) {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Ok(trace) = Trace::from_bytes(std::fs::read(path).unwrap_or_default())
            && trace.chunks().len() >= chunks
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!(
        "{} did not reach {chunks} chunks in {limit:?}",
        path.display()
    );
}

/// What a command did, and its peak resident memory.
#[derive(Debug)]
pub struct Measured {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
    /// The peak resident set size in KiB, as GNU time reports it: of the
    /// process and of every descendant it waited for (QEMU under run.sh's
    /// `timeout`).
    pub peak_kib: u64,
}

impl Measured {
    pub fn peak_mib(&self) -> u64 {
        self.peak_kib / 1024
    }
}

/// Runs `command` under GNU time (`/usr/bin/time`, Debian's `time`) and
/// returns its output and peak memory; `report` is where time writes its
/// figure.
pub fn measured(command: &Command, report: &Path) -> Measured {
    let mut timed = Command::new("/usr/bin/time");
    timed
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(report)
        .arg(command.get_program())
        .args(command.get_args())
        .stdin(Stdio::null());
    if let Some(dir) = command.get_current_dir() {
        timed.current_dir(dir);
    }
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => timed.env(key, value),
            None => timed.env_remove(key),
        };
    }
    let output = timed
        .output()
        .unwrap_or_else(|e| panic!("/usr/bin/time (install Debian's time package): {e}"));
    let figure = std::fs::read_to_string(report).unwrap_or_default();
    // After a failure time writes a line about it first; the figure is last.
    let peak_kib = figure
        .lines()
        .last()
        .and_then(|line| line.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak memory from time: {figure:?}"));
    Measured {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        peak_kib,
    }
}

/// A system call as the recorder saw it: its entry and, if it returned,
/// its exit, paired by the address space and the user pc and stack they
/// leave to. (The analyzer's pairing is richer; this is the tests' own.)
#[derive(Debug)]
pub struct Call {
    pub entry_seq: u64,
    pub entry: SyscallEvent,
    pub exit: Option<SyscallEvent>,
    /// The memory runs between entry and exit stamped with its address
    /// space, as (kernel wrote, address, bytes).
    pub memory: Vec<(bool, u64, Vec<u8>)>,
}

impl Call {
    /// The call number (eax at entry).
    pub fn nr(&self) -> u64 {
        self.entry.regs.rax & 0xffff_ffff
    }

    /// The return value, sign-extended from 32 bits for 32-bit code.
    pub fn ret(&self) -> Option<i64> {
        let exit = self.exit.as_ref()?;
        Some(if self.is_32bit() {
            exit.regs.rax as u32 as i32 as i64
        } else {
            exit.regs.rax as i64
        })
    }

    /// Entered from 32-bit code (compatibility-mode CS on Linux x86_64).
    pub fn is_32bit(&self) -> bool {
        self.entry.cs == 0x23
    }

    /// Whether the kernel read `needle` from user memory during the call.
    pub fn read_contains(&self, needle: &[u8]) -> bool {
        self.memory
            .iter()
            .any(|(wrote, _, bytes)| !wrote && bytes.windows(needle.len()).any(|w| w == needle))
    }
}

fn space(cr3: u64) -> u64 {
    cr3 & !0x1fff
}

/// Pairs entries with exits over a whole trace, by address space and user
/// stack pointer; an exit must also resume where its entry would: right
/// after the entry instruction, except for 32-bit calls by syscall or
/// sysenter (through the vDSO), where the kernel returns to the vDSO's
/// landing pad past an int 0x80, which on this kernel need not be in the
/// mapping the call came from.
pub fn calls(trace: &Trace) -> Vec<Call> {
    let events: Vec<Event> = trace.events().map(|e| e.expect("whole chunk")).collect();
    let mut calls: Vec<Call> = Vec::new();
    let mut open: std::collections::HashMap<(u64, u64), usize> = Default::default();
    for event in events {
        match event.kind {
            EventKind::Entry(entry) => {
                open.insert((space(entry.cr3), entry.user_sp), calls.len());
                calls.push(Call {
                    entry_seq: event.seq,
                    entry,
                    exit: None,
                    memory: Vec::new(),
                });
            }
            EventKind::Exit(exit) => {
                let key = (space(exit.cr3), exit.user_sp);
                let Some(&index) = open.get(&key) else {
                    continue;
                };
                let entry = &calls[index].entry;
                let through_vdso = entry.cs & 0xfff8 != 0x30
                    && matches!(
                        entry.mechanism,
                        vmscope_schema::Mechanism::Sysenter | vmscope_schema::Mechanism::Syscall
                    );
                let resumes = through_vdso || exit.user_pc == entry.user_pc;
                if resumes {
                    open.remove(&key);
                    calls[index].exit = Some(exit);
                }
            }
            EventKind::Memory(run) => {
                // Give the run to the open call of the same address space
                // and thread pointer, the newest first.
                let owner = calls.iter_mut().rev().take(64).find(|c| {
                    c.exit.is_none()
                        && space(c.entry.cr3) == space(run.thread.cr3)
                        && c.entry.fs_base == run.thread.fs_base
                });
                if let Some(call) = owner {
                    call.memory.push((
                        run.direction == vmscope_schema::Direction::KernelWrite,
                        run.address,
                        run.bytes,
                    ));
                }
            }
            EventKind::Probe(_) | EventKind::Loss(_) => {}
        }
    }
    calls
}
