//! `vmscope record`: runs QEMU with the recorder plugin added, passes the
//! guest's console through, and reports the trace when QEMU exits.

use std::ffi::c_int;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicI32, Ordering};

/// What to record and how, in the recorder's own option names.
#[derive(Clone, Debug)]
pub struct RecordOptions {
    pub out: PathBuf,
    pub plugin: PathBuf,
    /// `key=value` options for the plugin besides `out`.
    pub plugin_options: Vec<String>,
    /// The QEMU program and its arguments.
    pub qemu: Vec<String>,
}

/// The plugin file name cargo builds.
pub const PLUGIN_FILE: &str = "libvmscope_recorder.so";

/// The recorder beside the running vmscope binary, where cargo and the
/// install layout put it.
pub fn plugin_beside_exe() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let candidate = exe.parent()?.join(PLUGIN_FILE);
    candidate.is_file().then_some(candidate)
}

/// The QEMU command line with the plugin added.
pub fn qemu_command(options: &RecordOptions) -> Command {
    let mut plugin_arg = format!("{},out={}", options.plugin.display(), options.out.display());
    for option in &options.plugin_options {
        plugin_arg.push(',');
        plugin_arg.push_str(option);
    }
    let mut command = Command::new(&options.qemu[0]);
    command
        .args(&options.qemu[1..])
        .arg("-plugin")
        .arg(plugin_arg);
    command
}

static CHILD: AtomicI32 = AtomicI32::new(0);

unsafe extern "C" {
    fn signal(signum: c_int, handler: usize) -> usize;
    fn kill(pid: c_int, signum: c_int) -> c_int;
}

const SIGINT: c_int = 2;
const SIGTERM: c_int = 15;
const SIGHUP: c_int = 1;

/// Passes a termination signal on to QEMU, which then shuts down in order
/// and lets the recorder finish the trace; vmscope waits for it.
extern "C" fn forward(signum: c_int) {
    let pid = CHILD.load(Ordering::SeqCst);
    if pid > 0 {
        // SAFETY: kill is async-signal-safe.
        unsafe { kill(pid, signum) };
    }
}

/// Runs QEMU to completion with the console passed through.
pub fn run_qemu(options: &RecordOptions) -> io::Result<ExitStatus> {
    if let Some(parent) = options.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut child = qemu_command(options)
        .spawn()
        .map_err(|e| io::Error::new(e.kind(), format!("cannot run {}: {e}", options.qemu[0])))?;
    CHILD.store(child.id() as i32, Ordering::SeqCst);
    let handler = forward as extern "C" fn(c_int) as usize;
    // SAFETY: installing a handler that only calls kill().
    unsafe {
        for signum in [SIGINT, SIGTERM, SIGHUP] {
            signal(signum, handler);
        }
    }
    let status = child.wait();
    CHILD.store(0, Ordering::SeqCst);
    status
}

/// A default trace name in the current directory.
pub fn default_out(now_unix_ns: i64) -> PathBuf {
    let stamp = crate::time::rfc3339(now_unix_ns)
        .replace([':', '-'], "")
        .replace('T', "-");
    let stamp = stamp.split('.').next().unwrap_or("trace");
    Path::new(&format!("vmscope-{stamp}.vmt")).to_path_buf()
}
