//! The `vmscope` command line: parses arguments, calls the library, reports
//! errors once. Exit status: 0 ok, 1 damaged input or findings, 2 usage or
//! I/O error. A closed pipe (`vmscope info t.vmt | head`) is success.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use vmscope::inspect::{self, Findings};
use vmscope::record;
use vmscope::schema::{self, Trace};

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

fn main() -> ExitCode {
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
