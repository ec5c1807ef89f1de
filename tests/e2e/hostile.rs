//! A hostile guest program (tests/guest/linux/programs/hostile.c, in both
//! widths): pointers into nothing, a path with no terminator, lengths far
//! beyond their buffers, iovecs that point nowhere, 2^20 iovecs, call
//! numbers the kernel lacks, execve with an argv the kernel cannot read.
//! The analyzer must read all of it without damage or panic, show each bad
//! pointer as its address (the kernel read nothing there, so there is
//! nothing else to show), keep the raw values and the kernel's errno, and
//! stay small however large a length the guest claims.

use std::path::Path;
use std::process::Command;

use vmscope_e2e::json::{self, Value};
use vmscope_e2e::*;

/// The analyzer's peak memory on this trace may not exceed this: a length
/// of 2^30 or 2^40 in a call must not become an allocation.
const PEAK_LIMIT_MIB: u64 = 200;

const GIB: u64 = 1 << 30;

/// What an argument's text must be.
#[derive(Clone, Copy, Debug)]
enum Text {
    /// The pointer as its address, `0x...` of its raw value: the kernel
    /// touched nothing there.
    Address,
    Is(&'static str),
    /// A string of one repeated byte the kernel read, cut short with
    /// `"...`: at least 32 and at most `max` of them (never more than the
    /// kernel read, and no terminator).
    Run(char, usize),
    StartsWith(&'static str),
    Any,
}

/// One call the hostile program makes, in its order: the name, the raw
/// values that identify it (`None`: any), the texts, and the result.
#[derive(Debug)]
struct Expected {
    name: String,
    raw: Vec<Option<u64>>,
    text: Vec<Text>,
    ret: i64,
    errno: Option<&'static str>,
}

fn call(
    name: &str,
    args: &[(Option<u64>, Text)],
    ret: i64,
    errno: Option<&'static str>,
) -> Expected {
    Expected {
        name: name.to_string(),
        raw: args.iter().map(|(raw, _)| *raw).collect(),
        text: args.iter().map(|(_, text)| *text).collect(),
        ret,
        errno,
    }
}

/// The calls of hostile.c, as the kernel sees them from a program of this
/// width (`wide`: 64-bit).
fn expected(wide: bool) -> Vec<Expected> {
    use Text::*;
    const PAGE: u64 = 0x5000_0000; // PAGE_AT in hostile.c
    const GUARD: u64 = PAGE + 0x1000;
    const ARGV: u64 = 0x6000_0000; // ARGV_AT
    let minus_one = if wide { u64::MAX } else { u32::MAX as u64 };
    let efault = Some("EFAULT");
    let enosys = Some("ENOSYS");
    let einval = Some("EINVAL");
    let any = (None, Any);
    vec![
        // Paths: nowhere, just past a page, a page of 'A' with no NUL
        // (the kernel reads PATH_MAX = 4096 bytes), 4000 'A's running into
        // the guard page.
        call("open", &[(Some(0x10), Address), any], -14, efault),
        call("open", &[(Some(GUARD), Address), any], -14, efault),
        call(
            "open",
            &[(Some(PAGE), Run('A', 4096)), any],
            -36,
            Some("ENAMETOOLONG"),
        ),
        call(
            "open",
            &[(Some(GUARD - 4000), Run('A', 4000)), any],
            -14,
            efault,
        ),
        // Lengths: /dev/null reads nothing of 2^30, so the buffer is an
        // address; a pipe takes one page before the guard page stops it.
        call(
            "write",
            &[any, (None, Address), (Some(GIB), Is("1073741824"))],
            GIB as i64,
            None,
        ),
        call(
            "write",
            &[any, (Some(PAGE), Run('B', 4096)), (Some(GIB), Any)],
            4096,
            None,
        ),
        call(
            "read",
            &[any, (None, Run('B', 4096)), (Some(4096), Any)],
            4096,
            None,
        ),
        call(
            "read",
            &[
                any,
                (None, Is("\"twenty bytes of text\"")),
                (Some(GIB), Is("1073741824")),
            ],
            20,
            None,
        ),
        // iovecs that point nowhere, an array that is not there, a huge
        // iov_len, 2^20 of them (the array is an address: the kernel
        // refused before reading it).
        call(
            "writev",
            &[
                any,
                (
                    None,
                    Is("[{iov_base=0x10, iov_len=8}, {iov_base=0x20, iov_len=8}]"),
                ),
                (Some(2), Any),
            ],
            -14,
            efault,
        ),
        call(
            "writev",
            &[any, (Some(0x30), Address), (Some(2), Any)],
            -14,
            efault,
        ),
        call(
            "writev",
            &[
                any,
                (None, StartsWith("[{iov_base=\"CCCCCCCC")),
                (Some(1), Any),
            ],
            4096,
            None,
        ),
        call(
            "read",
            &[any, (None, Run('C', 4096)), (Some(4096), Any)],
            4096,
            None,
        ),
        call(
            "writev",
            &[any, (None, Address), (Some(1 << 20), Is("1048576"))],
            -22,
            einval,
        ),
        call(
            "readv",
            &[
                any,
                (
                    None,
                    Is("[{iov_base=0x10, iov_len=8}, {iov_base=0x20, iov_len=8}]"),
                ),
                (Some(2), Any),
            ],
            -14,
            efault,
        ),
        call(
            "readv",
            &[any, (None, Address), (Some(1 << 20), Is("1048576"))],
            -22,
            einval,
        ),
        // Structures that point nowhere.
        call(
            if wide { "stat" } else { "stat64" },
            &[(None, Is("\"/\"")), (Some(1), Address)],
            -14,
            efault,
        ),
        call(
            "nanosleep",
            &[(Some(8), Address), (Some(0), Is("NULL"))],
            -14,
            efault,
        ),
        call(
            "rt_sigaction",
            &[
                (Some(10), Is("SIGUSR1")),
                (Some(0x10), Address),
                (Some(0x20), Address),
                any,
            ],
            -14,
            efault,
        ),
        call("uname", &[(Some(minus_one), Address)], -14, efault),
        // Numbers the kernel does not have: named by number, arguments raw.
        call(
            "syscall_0x3e8",
            &[
                (Some(1), Is("0x1")),
                (Some(2), Is("0x2")),
                (Some(3), Is("0x3")),
                (Some(4), Is("0x4")),
                (Some(5), Is("0x5")),
                (Some(6), Is("0x6")),
            ],
            -38,
            enosys,
        ),
        call(&format!("syscall_{minus_one:#x}"), &[], -38, enosys),
        call("syscall_0x40000000", &[], -38, enosys),
        // execve: argv nowhere; argv of 102400 pointers and no NULL before
        // the guard page (the kernel counted them and faulted: it read no
        // string, so each is an address, and the environment is an
        // address too).
        call(
            "execve",
            &[
                (None, Is("\"/bin/vmscope-child\"")),
                (Some(0x10), Address),
                (None, Address),
            ],
            -14,
            efault,
        ),
        call(
            "execve",
            &[
                (None, Is("\"/bin/vmscope-child\"")),
                (Some(ARGV), StartsWith("[0x")),
                (None, Address),
            ],
            -14,
            efault,
        ),
    ]
}

/// The number of each call in the guest's ABI, by name, for the few
/// whose raw number the test also checks.
fn number(name: &str, wide: bool) -> Option<u64> {
    Some(match (name, wide) {
        ("syscall_0x3e8", _) => 1000,
        ("syscall_0x40000000", _) => 0x4000_0000,
        ("syscall_0xffffffffffffffff", true) => u64::MAX,
        ("syscall_0xffffffff", false) => u32::MAX as u64,
        ("open", true) => 2,
        ("open", false) => 5,
        ("execve", true) => 59,
        ("execve", false) => 11,
        _ => return None,
    })
}

fn args(call: &Value) -> &[Value] {
    call.get("args").as_array()
}

fn matches(call: &Value, abi: &str, want: &Expected) -> bool {
    call.get("abi").as_str() == Some(abi)
        && call.get("name").as_str() == Some(want.name.as_str())
        && args(call).len() >= want.raw.len()
        && want
            .raw
            .iter()
            .zip(args(call))
            .all(|(raw, arg)| raw.is_none_or(|raw| arg.get("raw").as_u64() == Some(raw)))
}

/// Problems with one call's rendering against what is expected of it.
fn check(call: &Value, want: &Expected, wide: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let seq = call.get("seq").as_u64().unwrap_or(0);
    let label = format!("#{seq} {}", want.name);
    if let Some(nr) = number(&want.name, wide)
        && call.get("nr").as_u64() != Some(nr)
    {
        problems.push(format!("{label}: nr {:?}, expected {nr}", call.get("nr")));
    }
    if call.get("ret").as_i64() != Some(want.ret) || call.get("errno").as_str() != want.errno {
        problems.push(format!(
            "{label}: ret {:?} errno {:?}, expected {} {:?}",
            call.get("ret"),
            call.get("errno"),
            want.ret,
            want.errno
        ));
    }
    if call.get("complete") != &Value::Bool(true) {
        problems.push(format!("{label}: not complete"));
    }
    for (i, (text, arg)) in want.text.iter().zip(args(call)).enumerate() {
        let raw = arg.get("raw").as_u64().unwrap_or(0);
        let got = arg.get("text").as_str().unwrap_or("");
        let ok = match *text {
            Text::Address => got == format!("{raw:#x}"),
            Text::Is(s) => got == s,
            Text::StartsWith(s) => got.starts_with(s),
            Text::Any => true,
            Text::Run(c, max) => got
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix("\"..."))
                .is_some_and(|run| (32..=max).contains(&run.len()) && run.chars().all(|x| x == c)),
        };
        if !ok {
            let shown: String = got.chars().take(120).collect();
            problems.push(format!("{label}: arg {i} is {shown:?}, expected {text:?}"));
        }
    }
    problems
}

/// Finds the hostile program's calls of one ABI in the journal, in order,
/// and checks each; returns the matched calls.
fn find_calls<'a>(
    journal: &'a [Value],
    abi: &str,
    wide: bool,
    problems: &mut Vec<String>,
) -> Vec<&'a Value> {
    let mut found = Vec::new();
    let mut from = 0;
    for want in expected(wide) {
        match journal[from..].iter().position(|c| matches(c, abi, &want)) {
            Some(at) => {
                let call = &journal[from + at];
                problems.extend(check(call, &want, wide));
                found.push(call);
                from += at + 1;
            }
            None => problems.push(format!(
                "{abi}: no {} call with raw {:?} after journal line {from}",
                want.name, want.raw
            )),
        }
    }
    found
}

/// Runs `vmscope ARGS TRACE` under GNU time: exit 0, nothing on stderr
/// but what the analyzer says of a whole trace, peak memory bounded.
fn analyze(trace: &Path, args: &[&str], report: &Path) -> String {
    let (vmscope, _) = binaries();
    let mut command = Command::new(vmscope);
    command.args(args).arg(trace);
    let run = measured(&command, report);
    assert_eq!(
        run.status.code(),
        Some(0),
        "vmscope {args:?} failed: {}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("panic") && !run.stderr.contains("damage"),
        "vmscope {args:?}: {}",
        run.stderr
    );
    assert!(
        run.peak_mib() < PEAK_LIMIT_MIB,
        "vmscope {args:?}: peak RSS {} MiB",
        run.peak_mib()
    );
    eprintln!("vmscope {args:?}: peak RSS {} KiB", run.peak_kib);
    run.stdout
}

/// A journal line of strace's format for this call: `NAME(ARGS)` then
/// ` = RESULT`, with strace's padding between.
fn strace_line(call: &Value) -> (String, String) {
    let texts: Vec<&str> = args(call)
        .iter()
        .map(|a| a.get("text").as_str().unwrap_or(""))
        .collect();
    let head = format!(
        "{}({})",
        call.get("name").as_str().unwrap_or(""),
        texts.join(", ")
    );
    let ret = call.get("ret").as_i64().unwrap_or(0);
    let result = match call.get("errno").as_str() {
        Some(errno) => format!("= -1 {errno} ("),
        None => format!("= {ret}"),
    };
    (head, result)
}

#[test]
fn hostile_calls_are_shown_as_the_kernel_saw_them() {
    let recording = record_linux("hostile", "hostile", "", &[]);
    for program in ["vmscope-hostile", "vmscope-hostile32"] {
        assert!(
            recording
                .console
                .contains(&format!("{program}: done, 0 failure(s)")),
            "{program} did not see what the kernel documents:\n{}",
            recording.console
        );
    }
    let trace = &recording.trace;
    assert!(trace.verify().is_ok(), "{:?}", trace.verify());
    let dir = root().join("target/e2e/hostile");
    let path = dir.join("trace.vmt");
    let report = dir.join("time.txt");

    let jsonl = analyze(&path, &["syscalls", "--format", "jsonl"], &report);
    let strace = analyze(&path, &["syscalls", "--format", "strace"], &report);
    let text = analyze(&path, &["syscalls", "--format", "text"], &report);
    let files = analyze(&path, &["files"], &report);
    let procs = analyze(&path, &["procs"], &report);

    let journal: Vec<Value> = jsonl
        .lines()
        .map(|line| json::parse(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert!(
        journal.iter().all(|c| c.get("note").is_null()),
        "notes (losses or damage) in the journal"
    );
    let mut problems = Vec::new();
    let calls64 = find_calls(&journal, "linux-x86_64", true, &mut problems);
    let calls32 = find_calls(&journal, "linux-i386", false, &mut problems);
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );

    // The huge argv: strace's 32 elements, then "...", each an address.
    for call in [calls64.last().unwrap(), calls32.last().unwrap()] {
        let argv = args(call)[1].get("text").as_str().unwrap();
        let elements: Vec<&str> = argv
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split(", ")
            .collect();
        assert_eq!(elements.last(), Some(&"..."), "{argv}");
        assert!(elements.len() <= 64, "{} argv elements", elements.len());
        assert!(
            elements[..elements.len() - 1]
                .iter()
                .all(|e| e.starts_with("0x") && *e == elements[0]),
            "{argv}"
        );
    }
    // The huge iov_len is kept as the guest passed it.
    let iov = |calls: &[&Value]| {
        let writev = calls
            .iter()
            .find(|c| {
                c.get("name").as_str() == Some("writev") && c.get("ret").as_i64() == Some(4096)
            })
            .expect("the huge writev");
        args(writev)[1].get("text").as_str().unwrap().to_string()
    };
    assert!(
        iov(&calls64).ends_with(", iov_len=1099511627776}]"),
        "{}",
        iov(&calls64)
    );
    assert!(
        iov(&calls32).ends_with(", iov_len=1073741824}]"),
        "{}",
        iov(&calls32)
    );

    // The strace and text formats say the same of every call.
    for call in calls64.iter().chain(&calls32) {
        let (head, result) = strace_line(call);
        assert!(
            strace.lines().any(|line| {
                line.split_once(' ')
                    .map(|(_, rest)| rest.trim_start())
                    .and_then(|rest| rest.strip_prefix(head.as_str()))
                    .is_some_and(|tail| tail.trim_start().starts_with(&result))
            }),
            "no strace line {head} {result}"
        );
        let seq = call.get("seq").as_u64().unwrap();
        let block: Vec<&str> = text
            .split('\n')
            .skip_while(|line| !line.starts_with(&format!("#{seq} ")))
            .take(1 + args(call).len() + 1)
            .collect();
        let name = call.get("name").as_str().unwrap();
        let abi = call.get("abi").as_str().unwrap();
        assert!(
            block
                .first()
                .is_some_and(|l| l.ends_with(&format!(" {name} [{abi}]"))),
            "text block of #{seq}: {block:?}"
        );
        for arg in args(call) {
            let want = arg.get("text").as_str().unwrap();
            assert!(
                block.iter().any(|l| l.contains(want)),
                "text block of #{seq} lacks {want:?}: {block:?}"
            );
        }
        assert!(
            block
                .last()
                .is_some_and(|l| l.trim_start().starts_with(&result)),
            "text block of #{seq} ends {:?}, expected {result}",
            block.last()
        );
    }

    // files: the 2^30 written to /dev/null counts as the kernel's result;
    // the small file's 20 bytes each way; the calls that failed count
    // nothing.
    for (what, count) in [
        ("/dev/null", "1 writes (1073741824 bytes)"),
        (
            "/tmp/vmscope-hostile.txt",
            "1 reads (20 bytes), 1 writes (20 bytes)",
        ),
        ("pipe:", "2 writes (8192 bytes)"),
    ] {
        let lines = files
            .lines()
            .filter(|l| l.contains(what) && l.contains(count))
            .count();
        assert_eq!(lines, 2, "files: {what} with {count}:\n{files}");
    }
    assert!(procs.contains("pid 1"), "procs:\n{procs}");
}
