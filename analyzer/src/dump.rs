//! `vmscope dump`: every raw event of a trace, one per line, as recorded.
//! For looking at what the recorder saw before any interpretation.

use std::io::{self, Write};

use vmscope_schema::{Event, EventKind, Trace};

/// Bytes as printable text with escapes, cut after `max` bytes.
pub fn escape(bytes: &[u8], max: usize) -> String {
    let mut out = String::new();
    for &b in bytes.iter().take(max) {
        match b {
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    if bytes.len() > max {
        out.push_str("...");
    }
    out
}

fn write_event(out: &mut dyn Write, event: &Event) -> io::Result<()> {
    write!(out, "{:>8} cpu{} ", event.seq, event.vcpu)?;
    match &event.kind {
        EventKind::Entry(c) | EventKind::Exit(c) => {
            let what = if matches!(event.kind, EventKind::Entry(_)) {
                "entry"
            } else {
                "exit "
            };
            let r = &c.regs;
            writeln!(
                out,
                "{what} {:<8} pc={:#x} user={:#x}/{:#x}{} cs={:#x} rax={:#x} rdi={:#x} rsi={:#x} rdx={:#x} r10={:#x} rbx={:#x} rcx={:#x} rsp={:#x} cr3={:#x} fs={:#x} gs={:#x} kgs={:#x}",
                c.mechanism.name(),
                c.pc,
                c.user_pc,
                c.user_sp,
                if c.wide { " wide" } else { "" },
                c.cs,
                r.rax,
                r.rdi,
                r.rsi,
                r.rdx,
                r.r10,
                r.rbx,
                r.rcx,
                r.rsp,
                c.cr3,
                c.fs_base,
                c.gs_base,
                c.kernel_gs_base
            )
        }
        EventKind::Memory(m) => writeln!(
            out,
            "mem   {:<5} {:#x} len={} cr3={:#x} fs={:#x} \"{}\"",
            m.direction.name(),
            m.address,
            m.bytes.len(),
            m.thread.cr3,
            m.thread.fs_base,
            escape(&m.bytes, 64)
        ),
        EventKind::Probe(p) => writeln!(
            out,
            "probe {} {:#x} via {} len={} readable={} cr3={:#x}",
            p.kind.name(),
            p.address,
            if p.register.is_empty() {
                "-"
            } else {
                &p.register
            },
            p.bytes.len(),
            p.readable,
            p.thread.cr3
        ),
        EventKind::Loss(l) => writeln!(
            out,
            "LOSS  {} count={} bytes={} ({})",
            l.kind.name(),
            l.count,
            l.bytes,
            l.reason
        ),
    }
}

/// Prints every event; damaged chunks are named in place and counted.
pub fn write_dump(out: &mut dyn Write, trace: &Trace) -> io::Result<usize> {
    let mut damaged = trace.damage().iter().filter(|d| d.is_damage()).count();
    for event in trace.events() {
        match event {
            Ok(event) => write_event(out, &event)?,
            Err(error) => {
                damaged += 1;
                writeln!(out, "DAMAGED {error}")?;
            }
        }
    }
    Ok(damaged)
}
