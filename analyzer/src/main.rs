//! The `vmscope` command line: parses arguments, calls the library, reports
//! errors once. Exit status: 0 ok, 1 damaged input or findings, 2 usage or
//! I/O error. A closed pipe (`vmscope info t.vmt | head`) is success.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use vmscope::inspect::{self, Findings};
use vmscope::schema::{self, Trace};
use vmscope::{journal, record, report};

#[derive(Parser)]
#[command(
    name = "vmscope",
    version,
    about = "Record a VM's system calls once; analyze them offline"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a trace's header, counts, wholeness and digest.
    Info {
        /// The trace file (.vmt).
        trace: PathBuf,
    },
    /// Run QEMU with the recorder and write a trace.
    ///
    /// Example: vmscope record --out run.vmt -- qemu-system-x86_64 -m 512 -kernel vmlinuz ...
    Record {
        /// Where to write the trace (default: vmscope-DATE-TIME.vmt here).
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// User memory to record: the bytes the kernel touched, or none.
        #[arg(long, value_parser = ["touched", "none"], default_value = "touched")]
        mem: String,
        /// The recorder plugin (default: libvmscope_recorder.so beside vmscope).
        #[arg(long)]
        plugin: Option<PathBuf>,
        /// More recorder options, as key=value (see the README).
        #[arg(long = "option", short = 'O', value_name = "KEY=VALUE")]
        options: Vec<String>,
        /// The QEMU command line, after `--`.
        #[arg(last = true, required = true, value_name = "QEMU")]
        qemu: Vec<String>,
    },
    /// The syscall journal: every call with its decoded arguments and result.
    Syscalls {
        /// The trace file (.vmt).
        trace: PathBuf,
        /// text: one argument a line, the paper's journal; strace: lines as
        /// `strace -f -o` writes them; jsonl: one JSON object per call.
        #[arg(long, value_enum, default_value = "text")]
        format: SyscallsFormat,
        /// Only these processes or threads (guest PIDs/TIDs; repeatable).
        #[arg(short = 'p', long = "pid")]
        pids: Vec<i64>,
        /// Only these calls, by name: -e openat,read,close.
        #[arg(short = 'e', long = "calls", value_delimiter = ',')]
        names: Vec<String>,
        /// Only calls that failed.
        #[arg(long)]
        failed: bool,
        #[command(flatten)]
        guest: GuestArgs,
    },
    /// The file monitor: every fd's life, from open to close, with its use.
    Files {
        /// The trace file (.vmt).
        trace: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: TableFormat,
        #[command(flatten)]
        guest: GuestArgs,
    },
    /// The process tree with exec lineage and exit codes.
    Procs {
        /// The trace file (.vmt).
        trace: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: TreeFormat,
        #[command(flatten)]
        guest: GuestArgs,
    },
    /// Print every raw event as recorded, one per line.
    Dump {
        /// The trace file (.vmt).
        trace: PathBuf,
    },
    /// Check every frame checksum and the footer digest; exit 0 only if all hold.
    Verify {
        /// The trace file (.vmt).
        trace: PathBuf,
    },
}

/// Which OS the trace came from, when the trace does not say it right.
#[derive(clap::Args)]
struct GuestArgs {
    /// The guest OS: auto detects Windows from KUSER_SHARED_DATA.
    #[arg(long, value_enum, default_value = "auto")]
    os: OsArg,
    /// The Windows build whose service table to use (7601, 19045, ...),
    /// instead of the one the trace says; implies --os windows.
    #[arg(long)]
    build: Option<u32>,
}

impl GuestArgs {
    fn choice(&self) -> vmscope::os::OsChoice {
        use vmscope::os::OsChoice;
        match (self.os, self.build) {
            (OsArg::Linux, _) => OsChoice::Linux,
            (_, Some(build)) => OsChoice::Windows(Some(build)),
            (OsArg::Windows, None) => OsChoice::Windows(None),
            (OsArg::Auto, None) => OsChoice::Auto,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OsArg {
    Auto,
    Linux,
    Windows,
}

/// The guest a trace came from, or a usage error saying why not.
fn guest_of(trace: &Trace, args: &GuestArgs) -> Result<vmscope::os::Guest, Failure> {
    if args.os == OsArg::Linux && args.build.is_some() {
        return Err(Failure::Usage(
            "--build names a Windows build; not with --os linux".into(),
        ));
    }
    vmscope::os::detect(trace, args.choice()).map_err(Failure::Usage)
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum SyscallsFormat {
    Text,
    Strace,
    Jsonl,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum TableFormat {
    Text,
    Jsonl,
    Csv,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum TreeFormat {
    Text,
    Jsonl,
}

/// A progress bar on a terminal for long traces; nothing in a pipe.
fn progress_for(trace: &Trace) -> indicatif::ProgressBar {
    let total: u64 = trace.footer().map_or(0, |f| f.counts.events);
    if total < 1_000_000 || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {pos}/{len} events {per_sec} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Damaged chunks met on the way: each named on stderr, and the exit
/// status says the input was damaged.
fn report_damage(trace: &Trace, summary: &vmscope::journal::Summary) -> usize {
    let mut damaged = 0;
    for damage in trace.damage().iter().filter(|d| d.is_damage()) {
        eprintln!(
            "vmscope: {}: {damage}",
            trace
                .path()
                .map_or_else(String::new, |p| p.display().to_string())
        );
        damaged += 1;
    }
    for error in &summary.damaged_chunks {
        eprintln!(
            "vmscope: {}: {error}",
            trace
                .path()
                .map_or_else(String::new, |p| p.display().to_string())
        );
        damaged += 1;
    }
    if summary.losses > 0 {
        eprintln!(
            "vmscope: the recorder lost {} records in {} places; the journal marks each",
            summary.lost_records, summary.losses
        );
    }
    damaged
}

/// Opens a trace and runs the state passes over all of it, with a
/// progress bar where one is wanted.
fn whole_state(
    path: &std::path::Path,
    guest: &GuestArgs,
) -> Result<(Trace, journal::GuestState, journal::Summary), Failure> {
    let trace = Trace::open(path).map_err(Failure::Trace)?;
    let guest = guest_of(&trace, guest)?;
    let bar = progress_for(&trace);
    let (state, summary) = report::run_state(&trace, &guest, &|n| bar.set_position(n));
    bar.finish_and_clear();
    Ok((trace, state, summary))
}

enum Failure {
    Trace(schema::Error),
    Io(io::Error),
    Usage(String),
}

fn run(cli: Cli) -> Result<Findings, Failure> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let findings = match cli.command {
        Command::Info { trace } => {
            let trace = Trace::open(&trace).map_err(Failure::Trace)?;
            inspect::write_info(&mut out, &trace).map_err(Failure::Io)?
        }
        Command::Record {
            out,
            mem,
            plugin,
            options,
            qemu,
        } => {
            let plugin = plugin
                .or_else(record::plugin_beside_exe)
                .ok_or_else(|| {
                    Failure::Usage(format!(
                        "{} not found beside vmscope; build it (cargo build --release) or pass --plugin",
                        record::PLUGIN_FILE
                    ))
                })?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as i64);
            let mut plugin_options = vec![format!("mem={mem}")];
            plugin_options.extend(options);
            let options = record::RecordOptions {
                out: out.unwrap_or_else(|| record::default_out(now)),
                plugin,
                plugin_options,
                qemu,
            };
            let status = record::run_qemu(&options).map_err(Failure::Io)?;
            let trace = Trace::open(&options.out).map_err(Failure::Trace)?;
            let mut err = io::stderr().lock();
            let findings = inspect::write_summary(&mut err, &trace).map_err(Failure::Io)?;
            if !status.success() {
                let _ = writeln!(err, "vmscope: QEMU exited with {status}");
                return Ok(Findings {
                    damaged: findings.damaged.max(1),
                });
            }
            findings
        }
        Command::Syscalls {
            trace,
            format,
            pids,
            names,
            failed,
            guest,
        } => {
            // A name no table knows is a typo, not an empty filter.
            if let Some(unknown) = names.iter().find(|name| !journal::is_call_name(name)) {
                return Err(Failure::Usage(format!(
                    "-e {unknown}: no Linux x86_64 or i386 call or NT service has that name"
                )));
            }
            let trace = Trace::open(&trace).map_err(Failure::Trace)?;
            let guest = guest_of(&trace, &guest)?;
            let format = match format {
                SyscallsFormat::Text => journal::Format::Text,
                SyscallsFormat::Strace => journal::Format::Strace,
                SyscallsFormat::Jsonl => journal::Format::Jsonl,
            };
            let filter = journal::Filter {
                pids,
                names,
                failed_only: failed,
            };
            let bar = progress_for(&trace);
            let summary = journal::write_journal(&mut out, &trace, &guest, format, &filter, &|n| {
                bar.set_position(n)
            })
            .map_err(Failure::Io)?;
            bar.finish_and_clear();
            Findings {
                damaged: report_damage(&trace, &summary),
            }
        }
        Command::Files {
            trace,
            format,
            guest,
        } => {
            let (trace, state, summary) = whole_state(&trace, &guest)?;
            let format = match format {
                TableFormat::Text => report::Format::Text,
                TableFormat::Jsonl => report::Format::Jsonl,
                TableFormat::Csv => report::Format::Csv,
            };
            report::write_files(&mut out, &state, format).map_err(Failure::Io)?;
            Findings {
                damaged: report_damage(&trace, &summary),
            }
        }
        Command::Procs {
            trace,
            format,
            guest,
        } => {
            let (trace, state, summary) = whole_state(&trace, &guest)?;
            let format = match format {
                TreeFormat::Text => report::Format::Text,
                TreeFormat::Jsonl => report::Format::Jsonl,
            };
            report::write_procs(&mut out, &state, format).map_err(Failure::Io)?;
            Findings {
                damaged: report_damage(&trace, &summary),
            }
        }
        Command::Dump { trace } => {
            let trace = Trace::open(&trace).map_err(Failure::Trace)?;
            let damaged = vmscope::dump::write_dump(&mut out, &trace).map_err(Failure::Io)?;
            Findings { damaged }
        }
        Command::Verify { trace } => {
            let trace = Trace::open(&trace).map_err(Failure::Trace)?;
            let verification = trace.verify();
            inspect::write_verification(&mut out, &trace, &verification).map_err(Failure::Io)?
        }
    };
    out.flush().map_err(Failure::Io)?;
    Ok(findings)
}

/// Tells glibc's malloc to keep what the analysis frees. Decoded chunks
/// (2 MB each) are allocated on the decoding threads and freed on the
/// pairing thread; by default glibc gives such blocks back to the kernel
/// (unmapping them, or trimming the top of a thread's heap) and the next
/// chunk faults every page in again: on two cores that was 50 000 page
/// faults for a million calls, against 15 000 with these settings, for
/// about the same peak memory (3 MB more).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    use std::ffi::c_int;
    unsafe extern "C" {
        fn mallopt(param: c_int, value: c_int) -> c_int;
    }
    // From glibc's <malloc.h>.
    const M_TRIM_THRESHOLD: c_int = -1;
    const M_MMAP_THRESHOLD: c_int = -3;
    // SAFETY: mallopt only sets allocator parameters; called before any
    // other thread exists. A refused value leaves glibc's default.
    unsafe {
        // The largest value glibc accepts on 64-bit hosts.
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 128 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}

fn main() -> ExitCode {
    keep_freed_memory();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(findings) if findings.is_clean() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(Failure::Io(error)) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Io(error)) => {
            eprintln!("vmscope: error: {error}");
            ExitCode::from(2)
        }
        Err(Failure::Usage(message)) => {
            eprintln!("vmscope: error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Trace(error)) => {
            eprintln!("vmscope: error: {error}");
            ExitCode::from(if error.is_bad_input() { 1 } else { 2 })
        }
    }
}
