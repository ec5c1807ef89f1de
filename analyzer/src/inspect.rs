//! `vmscope info` and `vmscope verify`: what a trace holds and whether it
//! is intact.

use std::io::{self, Write};

use vmscope_schema::{Counts, Trace, Verification, hex};

use crate::time::rfc3339;

/// What the printers found wrong with the input; it sets the exit status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Findings {
    pub damaged: usize,
}

impl Findings {
    pub fn is_clean(&self) -> bool {
        self.damaged == 0
    }
}

fn shell_join(args: &[String]) -> String {
    args.iter()
        .map(|arg| {
            let plain = !arg.is_empty()
                && arg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_=.,/:+@%".contains(&b));
            if plain {
                arg.clone()
            } else {
                format!("'{}'", arg.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn write_counts(out: &mut dyn Write, counts: &Counts) -> io::Result<()> {
    writeln!(
        out,
        "events     {} (entries {}, exits {}, memory runs {}, probes {}, losses {})",
        counts.events,
        counts.entries,
        counts.exits,
        counts.memory_runs,
        counts.probes,
        counts.losses
    )?;
    writeln!(out, "memory     {} bytes", counts.memory_bytes)?;
    writeln!(
        out,
        "lost       {} records, {} bytes",
        counts.lost_records, counts.lost_bytes
    )
}

/// Prints the header, counts, wholeness and digest of a trace.
///
/// Counts come from the footer of a whole trace; otherwise from decoding
/// every readable chunk, and the chunks that cannot be read are listed.
pub fn write_info(out: &mut dyn Write, trace: &Trace) -> io::Result<Findings> {
    let header = trace.header();
    let mut findings = Findings::default();
    let name = trace
        .path()
        .map_or_else(|| "-".to_string(), |p| p.display().to_string());
    writeln!(
        out,
        "trace      {name} ({} bytes, format version {})",
        trace.len(),
        trace.version()
    )?;
    writeln!(out, "recorder   {}", header.recorder_version)?;
    writeln!(out, "qemu       {}", header.qemu_version)?;
    writeln!(
        out,
        "guest      {}, {} vCPU{}, {} MiB",
        header.guest_arch.name(),
        header.vcpu_count,
        if header.vcpu_count == 1 { "" } else { "s" },
        header.guest_memory_bytes >> 20
    )?;
    // What the analysis will take the guest for (the journal's --os and
    // --build can say otherwise).
    let os = match crate::os::detect(trace, crate::os::OsChoice::Auto) {
        Ok(crate::os::Guest::Windows(g)) => format!(
            "Windows {}.{} build {} ({} {:?} service table)",
            g.major, g.minor, g.build, g.release.name, g.arch
        ),
        Ok(crate::os::Guest::Linux) => "Linux (no Windows KUSER_SHARED_DATA seen)".to_string(),
        Err(why) => format!("unknown: {why}"),
    };
    writeln!(out, "os         {os}")?;
    writeln!(out, "started    {}", rfc3339(header.started_at_unix_ns))?;
    writeln!(out, "command    {}", shell_join(&header.qemu_command_line))?;
    let options: Vec<String> = header
        .recorder_options
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    writeln!(out, "options    {}", options.join(","))?;
    writeln!(out, "chunks     {}", trace.chunks().len())?;
    // What the chunks hold before compression, against what they take.
    let (raw, stored): (u64, u64) = trace.chunks().iter().fold((0, 0), |(raw, stored), c| {
        (
            raw + u64::from(c.header.raw_len),
            stored + c.header.frame_len(),
        )
    });
    writeln!(
        out,
        "messages   {raw} bytes in chunks, {stored} stored ({:.1}x)",
        if stored == 0 {
            0.0
        } else {
            raw as f64 / stored as f64
        }
    )?;
    let chunk_errors = match trace.footer() {
        Some(footer) if trace.is_whole() => {
            write_counts(out, &footer.counts)?;
            Vec::new()
        }
        _ => {
            let (counts, errors) = trace.count();
            write_counts(out, &counts)?;
            errors
        }
    };
    for damage in trace.damage() {
        writeln!(out, "damage     {damage}")?;
        findings.damaged += usize::from(damage.is_damage());
    }
    for error in &chunk_errors {
        writeln!(out, "damage     {error}")?;
        findings.damaged += 1;
    }
    match trace.footer() {
        Some(footer) => {
            writeln!(
                out,
                "ended      {} ({})",
                rfc3339(footer.end.ended_at_unix_ns),
                footer.end.reason
            )?;
            writeln!(
                out,
                "whole      {}",
                if findings.is_clean() { "yes" } else { "no" }
            )?;
            writeln!(
                out,
                "digest     {}:{} (as recorded; `vmscope verify` checks it)",
                footer.digest_algorithm,
                hex(&footer.digest)
            )?;
        }
        None => {
            writeln!(out, "whole      no: read up to the last whole chunk")?;
            writeln!(out, "digest     none (no footer)")?;
        }
    }
    Ok(findings)
}

/// A few lines for the end of a recording: where the trace is, what it
/// holds, and whether it is whole.
pub fn write_summary(out: &mut dyn Write, trace: &Trace) -> io::Result<Findings> {
    let name = trace
        .path()
        .map_or_else(|| "-".to_string(), |p| p.display().to_string());
    let (counts, errors) = match trace.footer() {
        Some(footer) if trace.is_whole() => (footer.counts, Vec::new()),
        _ => trace.count(),
    };
    let mut findings = Findings::default();
    writeln!(
        out,
        "vmscope: trace {name}: {} bytes, {} calls entered, {} exits, {} memory bytes, {} probes",
        trace.len(),
        counts.entries,
        counts.exits,
        counts.memory_bytes,
        counts.probes
    )?;
    if counts.losses > 0 {
        writeln!(
            out,
            "vmscope: the recorder lost {} records ({} bytes); `vmscope dump` shows where",
            counts.lost_records, counts.lost_bytes
        )?;
    }
    for damage in trace.damage().iter().filter(|d| d.is_damage()) {
        writeln!(out, "vmscope: {damage}")?;
        findings.damaged += 1;
    }
    for error in &errors {
        writeln!(out, "vmscope: {error}")?;
        findings.damaged += 1;
    }
    Ok(findings)
}

/// Prints the outcome of every check `verify` makes, naming each damaged
/// frame, and the digest for a chain-of-custody record.
pub fn write_verification(
    out: &mut dyn Write,
    trace: &Trace,
    verification: &Verification,
) -> io::Result<Findings> {
    let mut findings = Findings::default();
    let name = trace
        .path()
        .map_or_else(|| "-".to_string(), |p| p.display().to_string());
    writeln!(out, "{name}: format version {}, header ok", trace.version())?;
    writeln!(
        out,
        "{name}: {} chunk frames, {} readable",
        trace.chunks().len(),
        trace.chunks().len() - verification.chunk_errors.len()
    )?;
    for damage in verification.damage.iter().filter(|d| d.is_damage()) {
        writeln!(out, "{name}: DAMAGED: {damage}")?;
        findings.damaged += 1;
    }
    for error in &verification.chunk_errors {
        writeln!(out, "{name}: DAMAGED: {error}")?;
        findings.damaged += 1;
    }
    for problem in &verification.problems {
        writeln!(out, "{name}: FAILED: {problem}")?;
        findings.damaged += 1;
    }
    match (&verification.computed_digest, trace.footer()) {
        (Some(digest), Some(footer)) if verification.is_ok() => writeln!(
            out,
            "{name}: OK {}:{} ({} events)",
            footer.digest_algorithm,
            hex(digest),
            verification.counts.events
        )?,
        (None, _) | (_, None) => {
            // No footer means no digest to check: never a pass.
            findings.damaged = findings.damaged.max(1);
            writeln!(out, "{name}: FAILED: no footer, so no digest to check")?;
        }
        _ => writeln!(out, "{name}: FAILED")?,
    }
    Ok(findings)
}
