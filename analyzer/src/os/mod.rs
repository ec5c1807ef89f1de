//! What each guest operating system means by its system calls. One module
//! per OS with the same file names; the OS is chosen at run time from the
//! trace, never by a cargo feature.

pub mod linux;
pub mod windows;

use std::sync::Arc;

use vmscope_schema::{EventKind, ProbeKind, Trace};

/// The guest OS a trace came from, and for Windows its release.
#[derive(Clone, Copy, Debug)]
pub enum Guest {
    Linux,
    Windows(windows::Guest),
}

/// What the user asked for (`--os`, `--build`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OsChoice {
    /// From the trace: Windows if KUSER_SHARED_DATA says so, else Linux.
    #[default]
    Auto,
    Linux,
    /// Windows; with a build number, that build's service table whatever
    /// the trace says.
    Windows(Option<u32>),
}

/// How far into a trace detection looks: the recorder probes the shared
/// data page the first time it sees each address space, so the first
/// calls say it.
const DETECT_EVENTS: usize = 1 << 16;
/// How many address spaces without an NT shared data page make a trace
/// not Windows's: every Windows process has the page.
const NOT_NT_SPACES: usize = 4;

/// Which OS (and release) a trace came from. Detection reads the
/// KUSER_SHARED_DATA page the recorder probed at 0x7ffe0000 and the code
/// segment of the first calls; an override names the OS, and for Windows
/// may name the build.
pub fn detect(trace: &Trace, choice: OsChoice) -> Result<Guest, String> {
    if choice == OsChoice::Linux {
        return Ok(Guest::Linux);
    }
    let mut page: Option<Vec<u8>> = None;
    let mut not_nt = 0;
    let mut arch = None;
    for event in trace.events().take(DETECT_EVENTS).flatten() {
        match event.kind {
            EventKind::Probe(probe)
                if probe.kind == ProbeKind::SharedUserData && page.is_none() =>
            {
                if probe.readable && windows::decode::version(&probe.bytes).is_some() {
                    page = Some(probe.bytes);
                } else {
                    not_nt += 1;
                }
            }
            EventKind::Entry(entry) if arch.is_none() => {
                arch = windows::decode::arch_of(&entry);
            }
            _ => {}
        }
        // Decided: no need to decode further into the trace.
        if arch.is_some() && (page.is_some() || not_nt >= NOT_NT_SPACES) {
            break;
        }
    }
    let build = match choice {
        OsChoice::Windows(build) => build,
        _ => None,
    };
    let wants_windows = matches!(choice, OsChoice::Windows(_));
    if page.is_none() && !wants_windows {
        return Ok(Guest::Linux);
    }
    let arch = arch.ok_or("the trace has no system call that says the guest's architecture")?;
    match windows::decode::guest(page.as_deref(), arch, build) {
        Some(guest) => Ok(Guest::Windows(guest)),
        None => Err(match build {
            Some(build) => format!("no {arch:?} Windows release has build {build}"),
            None => "the trace does not say which Windows it is (no KUSER_SHARED_DATA probe); \
                     name the build with --build"
                .to_string(),
        }),
    }
}

/// One fd's or handle's life: opened, used, closed (the file monitor).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Handle {
    pub pid: Option<i64>,
    pub thread: u32,
    /// The fd, or the handle value.
    pub fd: i64,
    /// The object type behind a Windows handle (File, Key, Process...);
    /// empty for a Linux fd.
    pub kind: &'static str,
    pub path: String,
    /// The call that made it (seq) and its name.
    pub opened_seq: u64,
    pub opened_by: String,
    pub reads: u64,
    pub read_bytes: u64,
    pub writes: u64,
    pub written_bytes: u64,
    pub closed_seq: Option<u64>,
    /// "close", "dup2", "close_range", "exec (close-on-exec)", "exit".
    pub closed_by: Option<String>,
}

/// A process: its pid, parent, programs and end.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Process {
    pub pid: Option<i64>,
    /// Label of the first thread seen in it (stands in for an unknown pid).
    pub label: u32,
    pub ppid: Option<i64>,
    pub parent_label: Option<u32>,
    /// Programs it ran, in order: path and argv.
    pub execs: Vec<(String, Vec<String>)>,
    pub exit_code: Option<i64>,
    pub threads: Vec<u32>,
    pub cwd: Option<String>,
    /// What Linux keeps as its comm: the program's base name, at most 15
    /// bytes; from the last exec.
    pub comm: Option<Arc<str>>,
}

/// Test support: the committed `generated` (its text) is what `script`
/// makes from `../shared/reference`. Skipped, with a message, without
/// python3 or the reference folders named in `needs`, unless `CI` is set.
#[cfg(test)]
pub(crate) fn assert_generated(script: &str, needs: &[&str], committed: &str, generated: &str) {
    use std::process::Command;
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let reference = repo.join("../shared/reference");
    let ci = std::env::var_os("CI").is_some();
    for sub in needs {
        if !reference.join(sub).is_dir() {
            assert!(!ci, "CI: no {}", reference.join(sub).display());
            eprintln!("skipped: no {}", reference.join(sub).display());
            return;
        }
    }
    let output = match Command::new("python3")
        .arg(repo.join(script))
        .arg(&reference)
        .args(["--output", "-"])
        .output()
    {
        Ok(output) => output,
        Err(e) => {
            assert!(!ci, "CI: cannot run python3: {e}");
            eprintln!("skipped: cannot run python3: {e}");
            return;
        }
    };
    assert!(
        output.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stdout == generated.as_bytes(),
        "{committed} is not what the script makes: regenerate with `python3 {script}`"
    );
}
