//! `vmscope files` and `vmscope procs`: the file monitor's handle
//! lifetimes and the process tree, after the state pass has seen the
//! whole trace.

use std::io::{self, Write};

use vmscope_schema::Trace;

use crate::journal::{self, GuestState, Summary};
use crate::os::{Guest, Handle, Process};

/// Output formats of `files` and `procs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Jsonl,
    Csv,
}

/// Runs the threads and state passes over the whole trace.
pub fn run_state(trace: &Trace, guest: &Guest, progress: &dyn Fn(u64)) -> (GuestState, Summary) {
    let mut state = GuestState::new(guest);
    let mut summary = Summary::default();
    journal::walk(trace, guest, progress, |item, spent| {
        journal::learn(item, &mut state, &mut summary, spent);
        std::ops::ControlFlow::Continue(())
    });
    (state, summary)
}

fn pid_text(pid: Option<i64>, label: u32) -> String {
    pid.map_or_else(|| format!("t{label}"), |p| p.to_string())
}

/// Every fd lifetime: where it came from, what was done with it, how it ended.
pub fn write_files(out: &mut dyn Write, state: &GuestState, format: Format) -> io::Result<()> {
    if format == Format::Csv {
        writeln!(
            out,
            "pid,thread,fd,path,opened_seq,opened_by,reads,read_bytes,writes,written_bytes,closed_seq,closed_by"
        )?;
    }
    for handle in state.handles() {
        match format {
            Format::Text => writeln!(out, "{}", handle_text(handle))?,
            Format::Jsonl => writeln!(out, "{}", handle_json(handle))?,
            Format::Csv => writeln!(out, "{}", handle_csv(handle))?,
        }
    }
    Ok(())
}

fn handle_text(h: &Handle) -> String {
    let closed = match (&h.closed_by, h.closed_seq) {
        (Some(by), Some(seq)) => format!("closed by {by} #{seq}"),
        _ => "still open".to_string(),
    };
    // A Windows handle is shown in hex with its object type in its name.
    let what = if h.kind.is_empty() {
        format!("fd {:<3}", h.fd)
    } else {
        format!("handle {:#x}", h.fd)
    };
    format!(
        "pid {:<6} {what} {}  opened by {} #{}, {} reads ({} bytes), {} writes ({} bytes), {closed}",
        pid_text(h.pid, h.thread),
        h.path,
        h.opened_by,
        h.opened_seq,
        h.reads,
        h.read_bytes,
        h.writes,
        h.written_bytes,
    )
}

fn handle_json(h: &Handle) -> String {
    let opt = |v: Option<i64>| v.map_or_else(|| "null".into(), |v| v.to_string());
    format!(
        "{{\"pid\":{},\"thread\":\"t{}\",\"fd\":{},{}\"path\":{},\"opened_seq\":{},\"opened_by\":{},\"reads\":{},\"read_bytes\":{},\"writes\":{},\"written_bytes\":{},\"closed_seq\":{},\"closed_by\":{}}}",
        opt(h.pid),
        h.thread,
        h.fd,
        if h.kind.is_empty() {
            String::new()
        } else {
            format!("\"kind\":{},", journal::json_string(h.kind))
        },
        journal::json_string(&h.path),
        h.opened_seq,
        journal::json_string(&h.opened_by),
        h.reads,
        h.read_bytes,
        h.writes,
        h.written_bytes,
        opt(h.closed_seq.map(|s| s as i64)),
        h.closed_by
            .as_deref()
            .map_or_else(|| "null".into(), journal::json_string)
    )
}

/// A CSV field, quoted when it must be (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn handle_csv(h: &Handle) -> String {
    format!(
        "{},t{},{},{},{},{},{},{},{},{},{},{}",
        h.pid.map_or_else(String::new, |p| p.to_string()),
        h.thread,
        h.fd,
        csv_field(&h.path),
        h.opened_seq,
        csv_field(&h.opened_by),
        h.reads,
        h.read_bytes,
        h.writes,
        h.written_bytes,
        h.closed_seq.map_or_else(String::new, |s| s.to_string()),
        csv_field(h.closed_by.as_deref().unwrap_or("")),
    )
}

/// The process tree with exec lineage and exit codes.
pub fn write_procs(out: &mut dyn Write, state: &GuestState, format: Format) -> io::Result<()> {
    let processes = state.processes();
    match format {
        Format::Text => {
            // Roots: processes whose parent was not seen.
            let known =
                |label: Option<u32>| label.is_some_and(|l| processes.iter().any(|p| p.label == l));
            for root in processes.iter().filter(|p| !known(p.parent_label)) {
                write_tree(out, processes, root, 0)?;
            }
            Ok(())
        }
        Format::Jsonl | Format::Csv => {
            for p in processes {
                writeln!(out, "{}", process_json(p))?;
            }
            Ok(())
        }
    }
}

fn write_tree(out: &mut dyn Write, all: &[Process], p: &Process, depth: usize) -> io::Result<()> {
    let indent = "  ".repeat(depth.min(64));
    let parent = p
        .ppid
        .map_or_else(String::new, |ppid| format!(" (parent {ppid})"));
    let exit = p
        .exit_code
        .map_or_else(String::new, |c| format!(", exit {c}"));
    writeln!(
        out,
        "{indent}pid {}{parent}, {} thread{}{exit}",
        pid_text(p.pid, p.label),
        p.threads.len(),
        if p.threads.len() == 1 { "" } else { "s" }
    )?;
    for (path, argv) in &p.execs {
        let argv: Vec<String> = argv.iter().map(|a| journal::json_string(a)).collect();
        writeln!(out, "{indent}  exec {path} [{}]", argv.join(", "))?;
    }
    if depth < 64 {
        for child in all.iter().filter(|c| c.parent_label == Some(p.label)) {
            write_tree(out, all, child, depth + 1)?;
        }
    }
    Ok(())
}

fn process_json(p: &Process) -> String {
    let opt = |v: Option<i64>| v.map_or_else(|| "null".into(), |v| v.to_string());
    let execs: Vec<String> = p
        .execs
        .iter()
        .map(|(path, argv)| {
            let argv: Vec<String> = argv.iter().map(|a| journal::json_string(a)).collect();
            format!(
                "{{\"path\":{},\"argv\":[{}]}}",
                journal::json_string(path),
                argv.join(",")
            )
        })
        .collect();
    format!(
        "{{\"pid\":{},\"label\":\"t{}\",\"ppid\":{},\"threads\":{},\"execs\":[{}],\"exit_code\":{}}}",
        opt(p.pid),
        p.label,
        opt(p.ppid),
        p.threads.len(),
        execs.join(","),
        opt(p.exit_code)
    )
}
