//! The recorder at its limits: a guest that makes more than the writer
//! can keep, and a disk that fills while recording. Nothing may be lost in
//! silence: every record dropped is counted by a loss record where it was
//! dropped, memory stays bounded, and a trace cut short reads up to where
//! it ends and says so.

use std::path::Path;
use std::process::Command;

use vmscope_e2e::json::{self, Value};
use vmscope_e2e::*;
use vmscope_schema::{Damage, EventKind, Trace};

/// What the recorder may add to QEMU's peak memory.
const RECORDER_LIMIT_MIB: u64 = 512;
/// The analyzer's peak memory on these traces.
const ANALYZER_LIMIT_MIB: u64 = 200;

fn vmscope(args: &[&str], trace: &Path) -> std::process::Output {
    let (vmscope, _) = binaries();
    Command::new(vmscope)
        .args(args)
        .arg(trace)
        .output()
        .expect("run vmscope")
}

/// The recorder's summary at QEMU exit: `... (N lost), B bytes`.
fn summary_lost(stderr: &str) -> Option<u64> {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("vmscope-recorder: ") && l.contains(" events ("))?;
    let (head, _) = line.split_once(" lost)")?;
    head.rsplit(' ').next()?.parse().ok()
}

/// Five threads on two vCPUs flood cheap calls and 1 MiB reads and writes
/// for two seconds, recorded at zstd level 19, which the writer cannot keep
/// up with: vCPUs drop batches. Every dropped record must be counted (the
/// sequence numbers missing from the trace are exactly the lost count),
/// each loss must be in the trace where it happened and shown there by
/// `info` and `syscalls`, and QEMU's memory must stay bounded.
#[test]
fn a_writer_that_falls_behind_loses_nothing_in_silence() {
    let dir = scratch("stress");
    let path = dir.join("trace.vmt");
    let extra = ["-smp", "2"];
    let seconds = "vmscope.seconds=2";

    let mut plain = linux_plain_command("stress", &extra);
    plain.env("VMSCOPE_APPEND", seconds);
    let plain = measured(&plain, &dir.join("plain.time"));
    assert!(plain.status.success(), "QEMU failed:\n{}", plain.stderr);
    assert!(
        plain.stdout.contains("VMSCOPE-WORKLOAD-DONE stress rc=0"),
        "{}",
        plain.stdout
    );

    let mut recorded = linux_command("stress", &path, ",level=19", &extra);
    recorded.env("VMSCOPE_APPEND", seconds);
    let recorded = measured(&recorded, &dir.join("recorded.time"));
    assert!(
        recorded.status.success(),
        "QEMU failed:\n{}",
        recorded.stderr
    );
    assert!(
        recorded
            .stdout
            .contains("VMSCOPE-WORKLOAD-DONE stress rc=0"),
        "{}",
        recorded.stdout
    );
    let added = recorded.peak_mib().saturating_sub(plain.peak_mib());
    eprintln!(
        "QEMU peak RSS: {} MiB without the recorder, {} MiB with it (+{added} MiB)",
        plain.peak_mib(),
        recorded.peak_mib()
    );
    assert!(
        added < RECORDER_LIMIT_MIB,
        "the recorder added {added} MiB to QEMU's peak ({} -> {} MiB)",
        plain.peak_mib(),
        recorded.peak_mib()
    );

    // The trace is whole and verifies, losses and all.
    let verify = vmscope(&["verify"], &path);
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let trace = Trace::open(&path).unwrap();
    let footer = trace.footer().expect("a footer").clone();

    // Every sequence number the recorder gave out is in the trace or
    // counted by a loss record; each loss record comes after what it
    // counts.
    let mut losses = Vec::new();
    let mut seqs = 0u64;
    let mut last = 0;
    for event in trace.events() {
        let event = event.expect("whole chunk");
        seqs += 1;
        last = event.seq;
        if let EventKind::Loss(loss) = event.kind {
            losses.push((event.seq, event.vcpu, loss));
        }
    }
    let lost: u64 = losses.iter().map(|(_, _, l)| l.count).sum();
    let lost_bytes: u64 = losses.iter().map(|(_, _, l)| l.bytes).sum();
    assert!(
        !losses.is_empty(),
        "no loss at level 19: the writer kept up; this test needs another way to fall behind"
    );
    assert_eq!(
        last + 1 - seqs,
        lost,
        "sequence numbers missing from the trace vs the loss records' count"
    );
    assert_eq!(footer.counts.lost_records, lost);
    assert_eq!(footer.counts.lost_bytes, lost_bytes);
    assert_eq!(
        summary_lost(&recorded.stderr),
        Some(lost),
        "{}",
        recorded.stderr
    );
    eprintln!(
        "{} events in the trace, {lost} records ({lost_bytes} bytes) lost in {} places",
        footer.counts.events,
        losses.len()
    );

    // info says how much was lost.
    let info = vmscope(&["info"], &path);
    assert_eq!(info.status.code(), Some(0));
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    assert!(
        info.lines()
            .any(|l| l == format!("lost       {lost} records, {lost_bytes} bytes")),
        "{info}"
    );

    // syscalls marks each loss in its place, in every format; the analyzer
    // stays small.
    let (vmscope, _) = binaries();
    let run = |format: &str| {
        let mut command = Command::new(vmscope);
        command.args(["syscalls", "--format", format]).arg(&path);
        let run = measured(&command, &dir.join("analyzer.time"));
        assert_eq!(run.status.code(), Some(0), "{format}: {}", run.stderr);
        assert!(
            run.peak_mib() < ANALYZER_LIMIT_MIB,
            "syscalls --format {format}: {} MiB",
            run.peak_mib()
        );
        assert!(run.stderr.contains(&format!(
            "the recorder lost {lost} records in {} places",
            losses.len()
        )));
        run.stdout
    };
    let notes: Vec<Value> = run("jsonl")
        .lines()
        .map(|l| json::parse(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .filter(|v| !v.get("note").is_null())
        .collect();
    assert_eq!(notes.len(), losses.len(), "{notes:?}");
    for (note, (seq, vcpu, loss)) in notes.iter().zip(&losses) {
        assert_eq!(note.get("seq").as_u64(), Some(*seq));
        assert_eq!(note.get("vcpu").as_u64(), Some(*vcpu as u64));
        let text = note.get("note").as_str().unwrap();
        assert!(
            text.contains(&format!(
                "lost {} events ({} bytes)",
                loss.count, loss.bytes
            )),
            "{text}"
        );
    }
    for format in ["strace", "text"] {
        let lines = run(format)
            .lines()
            .filter(|l| l.contains("the recorder lost "))
            .count();
        assert_eq!(lines, losses.len(), "{format}");
    }
}

/// The trace's file system fills mid-recording (a 256 KiB tmpfs in a
/// mount namespace of our own): the recorder says so and stops, the guest
/// runs to its end, QEMU exits 0, and the trace reads up to its last whole
/// chunk, which `info`, `verify` and `syscalls` report as a cut.
#[test]
fn a_full_disk_stops_recording_and_leaves_a_trace_cut_where_it_filled() {
    let dir = scratch("full-disk");
    let disk = dir.join("disk");
    std::fs::create_dir_all(&disk).unwrap();
    let inside = disk.join("trace.vmt");
    let path = dir.join("trace.vmt");
    let qemu = linux_command("loop", &inside, "", &[]);
    let quoted = |s: &std::ffi::OsStr| format!("'{}'", s.to_string_lossy().replace('\'', "'\\''"));
    let qemu_line: Vec<String> = std::iter::once(qemu.get_program())
        .chain(qemu.get_args())
        .map(quoted)
        .collect();
    // QEMU's status is the script's; the trace is copied out before the
    // namespace, and its tmpfs, go away.
    let script = format!(
        "mount -t tmpfs -o size=256k tmpfs {disk} || exit 99\n\
         {qemu}\n\
         status=$?\n\
         cp {inside} {path} || exit 98\n\
         exit $status\n",
        disk = quoted(disk.as_os_str()),
        qemu = qemu_line.join(" "),
        inside = quoted(inside.as_os_str()),
        path = quoted(path.as_os_str()),
    );
    let output = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", &script])
        .env("VMSCOPE_APPEND", "vmscope.loops=100000")
        .env("VMSCOPE_TIMEOUT", "600")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run unshare");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("VMSCOPE-WORKLOAD-DONE loop rc=0"),
        "the guest did not run to its end:\n{stdout}"
    );
    let stopped = stderr
        .lines()
        .find(|l| l.contains("recording stopped early"))
        .unwrap_or_else(|| panic!("no message that recording stopped:\n{stderr}"));
    assert!(
        stopped.contains("No space left on device")
            && stopped.contains("the trace reads up to that point"),
        "{stopped}"
    );

    // The trace fills the disk and reads up to its last whole chunk.
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size <= 256 << 10, "{size} bytes on a 256 KiB disk");
    let trace = Trace::open(&path).unwrap();
    assert!(!trace.is_whole());
    assert!(trace.footer().is_none());
    let cut = trace
        .damage()
        .iter()
        .find(|d| matches!(d, Damage::CutOff { .. } | Damage::NoFooter { .. }))
        .unwrap_or_else(|| panic!("damage {:?}", trace.damage()))
        .to_string();
    let (counts, errors) = trace.count();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(!trace.chunks().is_empty(), "no whole chunk");
    assert!(counts.entries > 1000, "{counts:?}");
    eprintln!(
        "{size} bytes, {} whole chunks, {} calls, then: {cut}",
        trace.chunks().len(),
        counts.entries
    );

    let info = vmscope(&["info"], &path);
    let text = String::from_utf8_lossy(&info.stdout);
    assert_eq!(info.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&cut) && text.contains("whole      no"),
        "{text}"
    );
    let verify = vmscope(&["verify"], &path);
    assert_eq!(verify.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&verify.stdout).contains(&format!("DAMAGED: {cut}")));

    // syscalls prints every call before the cut, then fails naming it.
    for format in ["jsonl", "strace", "text"] {
        let journal = vmscope(&["syscalls", "--format", format], &path);
        let err = String::from_utf8_lossy(&journal.stderr);
        assert_eq!(journal.status.code(), Some(1), "{format}: {err}");
        assert!(err.contains(&cut), "{format}: {err}");
        let out = String::from_utf8_lossy(&journal.stdout);
        let exec = match format {
            "strace" => "execve(\"/bin/vmscope-loop\"",
            "text" => "\"/bin/vmscope-loop\"",
            _ => "\\\"/bin/vmscope-loop\\\"",
        };
        assert!(out.contains(exec), "{format}: the loop's execve is missing");
        if format == "jsonl" {
            let calls = out
                .lines()
                .map(|l| json::parse(l).unwrap_or_else(|e| panic!("{e}: {l}")))
                .filter(|v| v.get("resumed").is_null() && v.get("note").is_null())
                .count() as u64;
            assert_eq!(calls, counts.entries, "one journal line per call entered");
            let getppid = out
                .lines()
                .filter(|l| l.contains("\"name\":\"getppid\""))
                .count();
            assert!(getppid > 100, "{getppid} getppid calls before the cut");
        }
    }
}
