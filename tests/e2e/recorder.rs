//! The recorder against the Linux test guest.

use std::io::Write;
use std::time::Duration;

use vmscope_e2e::*;
use vmscope_schema::{EventKind, Mechanism, Trace};

// x86_64 and i386 call numbers the workloads use.
const X64_OPEN: u64 = 2;
const X64_OPENAT: u64 = 257;
const X64_WRITE: u64 = 1;
const X64_EXECVE: u64 = 59;
const X64_EXIT: u64 = 60;
const X64_EXIT_GROUP: u64 = 231;
const I386_OPEN: u64 = 5;
const I386_EXECVE: u64 = 11;
const I386_EXIT: u64 = 1;
const I386_EXIT_GROUP: u64 = 252;
const X64_RT_SIGRETURN: u64 = 15;
const X64_REBOOT: u64 = 169;
const I386_SIGRETURN: u64 = 119;
const I386_RT_SIGRETURN: u64 = 173;
const I386_REBOOT: u64 = 88;
const ENOENT: i64 = 2;

/// Calls that never return to where they were made: a successful execve,
/// the exits, sigreturn (it resumes the interrupted code) and reboot.
fn never_returns(call: &Call) -> bool {
    if call.is_32bit() {
        matches!(
            call.nr(),
            I386_EXECVE
                | I386_EXIT
                | I386_EXIT_GROUP
                | I386_SIGRETURN
                | I386_RT_SIGRETURN
                | I386_REBOOT
        )
    } else {
        matches!(
            call.nr(),
            X64_EXECVE | X64_EXIT | X64_EXIT_GROUP | X64_RT_SIGRETURN | X64_REBOOT
        )
    }
}

fn is_sigreturn(call: &Call) -> bool {
    if call.is_32bit() {
        matches!(call.nr(), I386_SIGRETURN | I386_RT_SIGRETURN)
    } else {
        call.nr() == X64_RT_SIGRETURN
    }
}

/// Every call returns to its caller, but for the ones that never do, those
/// a signal handler interrupted (their thread later calls sigreturn), and
/// those still in flight when recording ended (their thread calls nothing
/// later).
fn assert_every_call_returns(calls: &[Call]) {
    let explained = |call: &Call| {
        let later: Vec<&Call> = calls
            .iter()
            .filter(|later| {
                later.entry_seq > call.entry_seq
                    && later.entry.cr3 & !0x1fff == call.entry.cr3 & !0x1fff
                    && later.entry.fs_base == call.entry.fs_base
            })
            .collect();
        never_returns(call) || later.is_empty() || later.into_iter().any(is_sigreturn)
    };
    let unpaired: Vec<_> = calls
        .iter()
        .filter(|c| c.exit.is_none() && !explained(c))
        .map(|c| (c.entry_seq, c.nr(), c.is_32bit()))
        .collect();
    assert!(
        unpaired.is_empty(),
        "entries without an exit (seq, nr, 32-bit): {unpaired:?}"
    );
}

fn is_open(call: &Call) -> bool {
    if call.is_32bit() {
        call.nr() == I386_OPEN
    } else {
        matches!(call.nr(), X64_OPEN | X64_OPENAT)
    }
}

#[test]
fn basic_workload_paths_buffers_and_results_are_in_the_trace() {
    let recording = record_linux("basic", "basic", "", &[]);
    let trace = &recording.trace;
    assert!(trace.verify().is_ok(), "{:?}", trace.verify());
    let calls = calls(trace);
    assert!(calls.len() > 100, "only {} calls", calls.len());
    assert_every_call_returns(&calls);

    // The test file is opened by path: the kernel read the path.
    let opens: Vec<&Call> = calls
        .iter()
        .filter(|c| is_open(c) && c.read_contains(b"/tmp/vmscope-test.txt\0"))
        .collect();
    assert!(opens.len() >= 3, "opens of the test file: {}", opens.len());
    assert!(opens.iter().all(|c| c.ret().is_some_and(|fd| fd >= 0)));

    // The failed open says ENOENT.
    let missing = calls
        .iter()
        .find(|c| is_open(c) && c.read_contains(b"/vmscope/does-not-exist\0"))
        .expect("open of the missing path");
    assert_eq!(missing.ret(), Some(-ENOENT));

    // write(2) of the message: the kernel read the buffer, and the result
    // is its length.
    let message = b"hello from vmscope\n";
    let write = calls
        .iter()
        .find(|c| c.nr() == X64_WRITE && c.read_contains(message))
        .expect("write of the message");
    assert_eq!(write.ret(), Some(message.len() as i64));
    // ... and read it back: the kernel wrote it into user memory.
    assert!(
        calls.iter().any(|c| c
            .memory
            .iter()
            .any(|(wrote, _, bytes)| *wrote && bytes.windows(message.len()).any(|w| w == message))),
        "no read returned the message"
    );

    // Probes: each address space got one for the shared data page, and
    // thread pointers were read.
    let probes = trace
        .events()
        .filter_map(|e| match e.unwrap().kind {
            EventKind::Probe(p) => Some(p),
            _ => None,
        })
        .collect::<Vec<_>>();
    assert!(probes.iter().any(|p| p.readable && p.register == "fs_base"));
    assert_eq!(trace.header().vcpu_count, 1);
    assert!(
        trace.header().qemu_version.starts_with("10."),
        "{}",
        trace.header().qemu_version
    );
}

#[test]
fn smp2_keeps_global_order_and_pairs_every_call() {
    let recording = record_linux("smp2", "basic", "", &["-smp", "2"]);
    let trace = &recording.trace;
    assert!(trace.verify().is_ok());
    assert_eq!(trace.header().vcpu_count, 2);
    let mut last = None;
    let mut vcpus = std::collections::HashSet::new();
    for event in trace.events() {
        let event = event.unwrap();
        assert!(last < Some(event.seq), "out of order at {}", event.seq);
        last = Some(event.seq);
        vcpus.insert(event.vcpu);
    }
    assert_eq!(vcpus.len(), 2, "events from vCPUs {vcpus:?}");
    let calls = calls(trace);
    assert_every_call_returns(&calls);
    assert!(
        calls
            .iter()
            .any(|c| c.read_contains(b"/tmp/vmscope-test.txt\0"))
    );
}

/// 32-bit calls: int 0x80 always; through the vDSO, sysenter on an
/// Intel-vendor CPU and syscall on the default AMD-like one.
#[test]
fn i386_calls_by_int80_sysenter_and_syscall() {
    for (name, extra, vdso) in [
        (
            "i386-intel",
            &["-cpu", "qemu64,vendor=GenuineIntel"][..],
            Mechanism::Sysenter,
        ),
        ("i386-amd", &[][..], Mechanism::Syscall),
    ] {
        let recording = record_linux(name, "i386", "", extra);
        let calls = calls(&recording.trace);
        assert_every_call_returns(&calls);
        let compat: Vec<&Call> = calls.iter().filter(|c| c.is_32bit()).collect();
        assert!(
            compat.iter().any(|c| c.entry.mechanism == Mechanism::Int80),
            "{name}: no int 0x80"
        );
        assert!(
            compat.iter().any(|c| c.entry.mechanism == vdso),
            "{name}: no {vdso:?}"
        );
        let missing: Vec<&&Call> = compat
            .iter()
            .filter(|c| c.nr() == I386_OPEN && c.read_contains(b"/vmscope/does-not-exist\0"))
            .collect();
        assert!(
            missing.len() >= 2,
            "{name}: {} failed 32-bit opens",
            missing.len()
        );
        assert!(missing.iter().all(|c| c.ret() == Some(-ENOENT)));
    }
}

#[test]
fn mem_none_records_calls_without_memory() {
    let recording = record_linux("mem-none", "basic", ",mem=none", &[]);
    let trace = &recording.trace;
    let counts = trace.footer().unwrap().counts;
    assert_eq!(counts.memory_runs, 0);
    assert!(counts.entries > 100);
    assert!(
        trace
            .header()
            .recorder_options
            .contains(&("mem".into(), "none".into()))
    );
}

/// SIGTERM, SIGINT and the monitor's quit all end QEMU in order: the
/// trace is whole and verifies.
#[test]
fn orderly_shutdowns_leave_a_trace_that_verifies() {
    for how in ["TERM", "INT", "quit"] {
        let dir = scratch(&format!("shutdown-{how}"));
        let path = dir.join("trace.vmt");
        let monitor = dir.join("monitor.sock");
        let monitor_arg = format!("unix:{},server,nowait", monitor.display());
        let child = spawn_linux("loop", &path, &["-monitor", &monitor_arg]);
        wait_for_chunks(&path, 2, Duration::from_secs(120));
        let pid = child.id().to_string();
        match how {
            "quit" => {
                let mut socket = std::os::unix::net::UnixStream::connect(&monitor).unwrap();
                socket.write_all(b"quit\n").unwrap();
            }
            signal => {
                // run.sh execs timeout, which passes the signal to QEMU.
                let status = std::process::Command::new("kill")
                    .args([&format!("-{signal}"), &pid])
                    .status()
                    .unwrap();
                assert!(status.success());
            }
        }
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let trace = Trace::open(&path).unwrap();
        let verification = trace.verify();
        assert!(verification.is_ok(), "{how}: {verification:?}\n{stderr}");
        assert!(verification.counts.entries > 0, "{how}: no calls");
    }
}

/// SIGKILL gives the recorder no chance: the trace reads up to its last
/// flushed chunk and says it was cut off.
#[test]
fn hard_kill_leaves_a_trace_that_reads_to_its_last_chunk() {
    let dir = scratch("shutdown-KILL");
    let path = dir.join("trace.vmt");
    let mut child = spawn_linux("loop", &path, &[]);
    wait_for_chunks(&path, 3, Duration::from_secs(120));
    // Kill QEMU itself (run.sh execs timeout, whose child it is).
    let status = std::process::Command::new("pkill")
        .args(["-KILL", "-f", &format!("out={}", path.display())])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = child.wait();
    let trace = Trace::open(&path).unwrap();
    assert!(!trace.is_whole());
    assert!(trace.footer().is_none());
    let (counts, errors) = trace.count();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(counts.entries > 0);
    assert!(trace.chunks().len() >= 3);
}

/// A bad option stops QEMU before the guest starts, naming the option.
#[test]
fn bad_recorder_option_stops_qemu_with_its_name() {
    let dir = scratch("bad-option");
    let path = dir.join("trace.vmt");
    for (option, named) in [(",mem=all", "mem=all"), (",colour=red", "\"colour\"")] {
        let output = linux_command("idle", &path, option, &[])
            .output()
            .expect("run QEMU");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{option}: QEMU ran");
        assert!(stderr.contains(named), "{option}: {stderr}");
        assert!(!String::from_utf8_lossy(&output.stdout).contains("VMSCOPE-WORKLOAD-START"));
    }
}

/// `vmscope record` runs QEMU with the plugin found beside it, passes the
/// console through and says where the trace is and what it holds.
#[test]
fn vmscope_record_runs_qemu_and_reports_the_trace() {
    let (vmscope, _) = binaries();
    let dir = scratch("vmscope-record");
    let path = dir.join("run.vmt");
    let guest = linux_guest();
    let output = std::process::Command::new(vmscope)
        .args(["record", "--mem", "none", "--out"])
        .arg(&path)
        .args([
            "--",
            "qemu-system-x86_64",
            "-nographic",
            "-no-reboot",
            "-m",
            "512",
        ])
        .args(["-nic", "none", "-accel", "tcg", "-kernel"])
        .arg(guest.join("vmlinux"))
        .arg("-initrd")
        .arg(guest.join("initramfs.cpio.gz"))
        .args([
            "-append",
            "console=ttyS0 quiet panic=-1 vmscope.workload=basic",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("VMSCOPE-WORKLOAD-DONE basic rc=0"),
        "console not passed through"
    );
    assert!(
        stderr.contains(&format!("vmscope: trace {}:", path.display())),
        "{stderr}"
    );
    let trace = Trace::open(&path).unwrap();
    assert!(trace.verify().is_ok());
    assert!(
        trace
            .header()
            .recorder_options
            .contains(&("mem".into(), "none".into()))
    );
}
