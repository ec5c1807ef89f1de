//! The `vmscope` command line: parses arguments, calls the library, reports
//! errors once. Exit status: 0 ok, 1 damaged input or findings, 2 usage or
//! I/O error. A closed pipe (`vmscope info t.vmt | head`) is success.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use vmscope::inspect::{self, Findings};
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
}

fn run(cli: Cli) -> Result<Findings, Failure> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let findings = match cli.command {
        Command::Info { trace } => {
            let trace = Trace::open(&trace).map_err(Failure::Trace)?;
            inspect::write_info(&mut out, &trace).map_err(Failure::Io)?
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
        Err(Failure::Trace(error)) => {
            eprintln!("vmscope: error: {error}");
            ExitCode::from(if error.is_bad_input() { 1 } else { 2 })
        }
    }
}
