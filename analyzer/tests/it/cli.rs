//! `vmscope info` and `verify` on whole, cut, damaged and foreign files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use vmscope_schema::*;

/// A scratch directory per test, removed when the test passes.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("vmscope-cli-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            std::fs::remove_dir_all(&self.0).ok();
        }
    }
}

fn vmscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vmscope"))
        .args(args)
        .output()
        .expect("run vmscope")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Writes a small trace of `calls` entry/exit pairs with a memory run each,
/// in chunks small enough that there are several.
fn write_trace(path: &Path, calls: u64) -> WriteSummary {
    let header = TraceHeader {
        recorder_version: "vmscope-recorder test".into(),
        qemu_version: "10.0.2".into(),
        guest_arch: GuestArch::X86_64,
        vcpu_count: 2,
        guest_memory_bytes: 512 << 20,
        started_at_unix_ns: 1_795_746_729_000_000_000,
        qemu_command_line: vec![
            "qemu-system-x86_64".into(),
            "-append".into(),
            "console=ttyS0 quiet".into(),
        ],
        recorder_options: vec![("mem".into(), "touched".into())],
    };
    let options = WriterOptions {
        chunk_bytes: 8192,
        level: 3,
    };
    let mut writer = TraceWriter::create(path, &header, options).unwrap();
    let mut seq = 0;
    for call in 0..calls {
        let mut entry = SyscallEvent {
            mechanism: Mechanism::Syscall,
            pc: 0x401000 + call,
            cs: 0x33,
            ss: 0x2b,
            cr3: 0x1234000,
            ..Default::default()
        };
        entry.regs.rax = 1;
        writer
            .push(Event {
                seq,
                vcpu: (call % 2) as u32,
                kind: EventKind::Entry(entry),
            })
            .unwrap();
        writer
            .push(Event {
                seq: seq + 1,
                vcpu: (call % 2) as u32,
                kind: EventKind::Memory(MemoryRun {
                    address: 0x7fff0000,
                    direction: Direction::KernelRead,
                    bytes: format!("hello {call}\n").into_bytes(),
                    thread: entry.thread(),
                }),
            })
            .unwrap();
        let mut exit = entry;
        exit.mechanism = Mechanism::Sysret;
        exit.regs.rax = 8;
        writer
            .push(Event {
                seq: seq + 2,
                vcpu: (call % 2) as u32,
                kind: EventKind::Exit(exit),
            })
            .unwrap();
        seq += 3;
    }
    let end = TraceEnd {
        ended_at_unix_ns: 1_795_746_730_000_000_000,
        reason: "guest shutdown".into(),
    };
    writer.finish(&end).unwrap().1
}

#[test]
fn info_on_a_whole_trace() {
    let dir = Scratch::new("info");
    let path = dir.path("t.vmt");
    let summary = write_trace(&path, 100);
    let output = vmscope(&["info", path.to_str().unwrap()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    assert!(
        text.contains("guest      x86_64, 2 vCPUs, 512 MiB"),
        "{text}"
    );
    assert!(
        text.contains("started    2026-11-27T02:32:09.000Z"),
        "{text}"
    );
    assert!(
        text.contains("command    qemu-system-x86_64 -append 'console=ttyS0 quiet'"),
        "{text}"
    );
    assert!(text.contains("options    mem=touched"), "{text}");
    assert!(
        text.contains(
            "events     300 (entries 100, exits 100, memory runs 100, probes 0, losses 0)"
        ),
        "{text}"
    );
    assert!(text.contains("whole      yes"), "{text}");
    assert!(
        text.contains("ended      2026-11-27T02:32:10.000Z (guest shutdown)"),
        "{text}"
    );
    assert!(
        text.contains(&format!("digest     sha256:{}", hex(&summary.digest))),
        "{text}"
    );
}

#[test]
fn verify_passes_a_whole_trace_and_prints_its_digest() {
    let dir = Scratch::new("verify-ok");
    let path = dir.path("t.vmt");
    let summary = write_trace(&path, 50);
    let output = vmscope(&["verify", path.to_str().unwrap()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.contains(&format!("OK sha256:{} (150 events)", hex(&summary.digest))),
        "{text}"
    );
}

#[test]
fn cut_off_trace_reads_to_its_last_whole_chunk_and_exits_1() {
    let dir = Scratch::new("cut");
    let path = dir.path("t.vmt");
    write_trace(&path, 200);
    let bytes = std::fs::read(&path).unwrap();
    let trace = Trace::open(&path).unwrap();
    let victim = trace.chunks()[3];
    let whole_events: u64 = trace.chunks()[..3]
        .iter()
        .map(|c| trace.decode_chunk(c).unwrap().events.len() as u64)
        .sum();
    let cut = dir.path("cut.vmt");
    std::fs::write(&cut, &bytes[..victim.offset as usize + 40]).unwrap();

    let output = vmscope(&["info", cut.to_str().unwrap()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("events     {whole_events} ")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "cut off at offset {}, after chunk 2",
            victim.offset
        )),
        "{text}"
    );
    assert!(text.contains("whole      no"), "{text}");

    let output = vmscope(&["verify", cut.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("FAILED: no footer"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn verify_names_the_frame_with_a_flipped_bit() {
    let dir = Scratch::new("flip");
    let path = dir.path("t.vmt");
    write_trace(&path, 200);
    let trace = Trace::open(&path).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let victim = trace.chunks()[2];
    bytes[victim.offset as usize + 30] ^= 4;
    std::fs::write(&path, &bytes).unwrap();
    let output = vmscope(&["verify", path.to_str().unwrap()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "DAMAGED: chunk 2 at offset {}: bad checksum",
            victim.offset
        )),
        "{text}"
    );
    assert!(text.contains("digest mismatch"), "{text}");
}

/// A reader that goes away (`vmscope syscalls t.vmt | head`) ends the
/// journal: success, and promptly.
#[test]
fn a_closed_pipe_ends_the_journal() {
    use std::io::BufRead;
    let dir = Scratch::new("closed-pipe");
    let path = dir.path("t.vmt");
    // Far more text than a pipe holds, so that writing fails.
    write_trace(&path, 20_000);
    for format in ["text", "strace", "jsonl"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vmscope"))
            .args(["syscalls", "--format", format, path.to_str().unwrap()])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty(), "{format}: a first line");
        // The reader is gone; vmscope must notice and end, not wait for
        // a reader that will never come back. (Not a speed check: only
        // a hang fails.)
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                child.kill().ok();
                panic!("{format}: vmscope still running after its reader went away");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert!(
            status.success(),
            "{format}: a closed pipe is success: {status}"
        );
    }
}

/// Once the output fails, the rest of the trace is not even decoded.
#[test]
fn a_failed_write_stops_the_walk() {
    struct Closed;
    impl std::io::Write for Closed {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let dir = Scratch::new("failed-write");
    let path = dir.path("t.vmt");
    let calls = 200_000;
    write_trace(&path, calls);
    let trace = Trace::open(&path).unwrap();
    let walked = std::cell::Cell::new(0);
    let result = vmscope::journal::write_journal(
        &mut Closed,
        &trace,
        &vmscope::os::Guest::Linux,
        vmscope::journal::Format::Jsonl,
        &vmscope::journal::Filter::default(),
        &|done| walked.set(done),
    );
    assert_eq!(
        result.map(|_| ()).map_err(|e| e.kind()),
        Err(std::io::ErrorKind::BrokenPipe)
    );
    let events = 3 * calls;
    assert!(
        walked.get() < events / 2,
        "walked {} of {events} events after the first write failed",
        walked.get()
    );
}

#[test]
fn a_damaged_chunk_is_skipped_named_and_the_rest_analyzed() {
    let dir = Scratch::new("damaged-journal");
    let path = dir.path("t.vmt");
    let calls = 200;
    write_trace(&path, calls);
    let trace = Trace::open(&path).unwrap();
    let victim = trace.chunks()[2];
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[victim.offset as usize + 30] ^= 4;
    std::fs::write(&path, &bytes).unwrap();
    for format in ["text", "strace", "jsonl"] {
        let output = vmscope(&["syscalls", "--format", format, path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(1), "{format}: damage is exit 1");
        let (out, err) = (stdout(&output), stderr(&output));
        assert!(
            err.contains(&format!("chunk 2 at offset {}", victim.offset)),
            "{format}: stderr names the chunk: {err}"
        );
        assert_eq!(
            out.matches("DAMAGED").count(),
            1,
            "{format}: one note in place:\n{out}"
        );
        if format == "jsonl" {
            let shown: Vec<u64> = out
                .lines()
                .filter(|l| l.contains("\"name\":"))
                .map(|l| {
                    let at = l.find("\"seq\":").unwrap() + 6;
                    l[at..].split(',').next().unwrap().parse().unwrap()
                })
                .collect();
            // Calls before and after the damaged chunk are all there; only
            // those whose entries it held are missing.
            assert!(shown.contains(&0), "the first call");
            assert!(shown.contains(&(3 * (calls - 1))), "the last call");
            assert!(shown.len() < calls as usize && shown.len() > calls as usize / 2);
        }
    }
}

#[test]
fn the_guest_os_and_build_can_be_named() {
    let traces = Path::new(env!("CARGO_MANIFEST_DIR")).join("../traces");
    let nt = traces.join("nt-synthetic-x64.vmt");
    let linux = traces.join("linux-basic.vmt");
    let run = |trace: &Path, extra: &[&str]| {
        let mut args = vec!["syscalls", "--format", "jsonl", trace.to_str().unwrap()];
        args.extend_from_slice(extra);
        vmscope(&args)
    };
    // info says what the analysis takes each guest for.
    let info = stdout(&vmscope(&["info", nt.to_str().unwrap()]));
    assert!(
        info.contains("os         Windows 10.0 build 19045 (Windows 10 (22H2) X64 service table)"),
        "{info}"
    );
    let info = stdout(&vmscope(&["info", linux.to_str().unwrap()]));
    assert!(info.contains("os         Linux"), "{info}");
    // Detected, and overridden to another release's table.
    let output = run(&nt, &[]);
    assert!(stdout(&output).contains("\"name\":\"NtOpenFile\""));
    let output = run(&nt, &["--build", "17763"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // 22H2's NtOpenFile (0x33) is also 1809's.
    assert!(stdout(&output).contains("\"nr\":51,\"name\":\"NtOpenFile\""));
    // As Linux, on request: decoded as Linux calls, not an error.
    let output = run(&nt, &["--os", "linux"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("\"abi\":\"linux-x86_64\""));
    // Mistakes are usage errors that say what is wrong.
    for (trace, extra, says) in [
        (
            &nt,
            &["--build", "99999"][..],
            "no X64 Windows release has build 99999",
        ),
        (
            &nt,
            &["--os", "linux", "--build", "7601"][..],
            "not with --os linux",
        ),
        (
            &linux,
            &["--os", "windows"][..],
            "name the build with --build",
        ),
    ] {
        let output = run(trace, extra);
        assert_eq!(output.status.code(), Some(2), "{extra:?}");
        assert!(
            stderr(&output).contains(says),
            "{extra:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn foreign_and_missing_files_are_clear_errors() {
    let dir = Scratch::new("foreign");
    let foreign = dir.path("foreign.vmt");
    std::fs::write(&foreign, b"#!/bin/sh\necho not a trace\n").unwrap();
    let empty = dir.path("empty.vmt");
    std::fs::write(&empty, b"").unwrap();
    for file in [&foreign, &empty] {
        for command in ["info", "verify"] {
            let output = vmscope(&[command, file.to_str().unwrap()]);
            assert_eq!(output.status.code(), Some(1));
            let err = stderr(&output);
            assert!(
                err.contains(&format!("{}: not a vmscope trace", file.display())),
                "{err}"
            );
        }
    }
    let output = vmscope(&["info", dir.path("missing.vmt").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("missing.vmt: No such file"),
        "{}",
        stderr(&output)
    );
    let output = vmscope(&["info"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn newer_format_version_says_so() {
    let dir = Scratch::new("newer");
    let path = dir.path("t.vmt");
    write_trace(&path, 1);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[8] = 2;
    std::fs::write(&path, &bytes).unwrap();
    let output = vmscope(&["info", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("format version 2 is newer"),
        "{}",
        stderr(&output)
    );
}

/// The committed sample traces stay readable by every later vmscope: the
/// schema only gains fields.
#[test]
fn committed_sample_traces_verify() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../traces");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "vmt") {
            let output = vmscope(&["verify", path.to_str().unwrap()]);
            assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
            seen += 1;
        }
    }
    assert!(seen >= 3, "only {seen} sample traces in {}", dir.display());
}

/// `-e` with a name no call has is a usage error, not an empty journal.
#[test]
fn unknown_call_name_in_filter_is_a_usage_error() {
    let trace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../traces/linux-basic.vmt");
    let output = vmscope(&["syscalls", "-e", "openat,opne", trace.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("-e opne"), "{}", stderr(&output));
    let output = vmscope(&[
        "syscalls",
        "--format",
        "strace",
        "-e",
        "openat",
        "--failed",
        trace.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.lines().count() >= 2, "{text}");
    assert!(
        text.lines()
            .all(|l| l.contains("openat(") && l.contains("= -1 E")),
        "{text}"
    );
}
