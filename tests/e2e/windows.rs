//! The Windows path against the truth, on the synthetic NT-ABI guest (not
//! Windows: a small kernel the project builds that follows NT's calling
//! conventions, service numbers and structure layouts). Its kernel logs
//! every service it ran, with the caller's ids and the status; the journal
//! of the recording must say the same, call by call, and decode the
//! paper's journal, the handles and the processes.

use std::process::Command;

use vmscope_e2e::json::{self, Value};
use vmscope_e2e::*;

/// One call as the guest kernel logged it: pid, tid, service name (or
/// `syscall_0x..` for an unknown number), status (None: did not return).
type Logged = (i64, i64, String, Option<i64>);
/// A call's name and status, in a thread's order.
type Outcome = (String, Option<i64>);

fn hex(text: &str) -> i64 {
    i64::from_str_radix(text.trim_start_matches("0x"), 16).expect("hex")
}

/// `nt: pid 0x1a4 tid 0x1b0 NtOpenFile ... -> 0x00000000` lines.
fn kernel_log(console: &str) -> Vec<Logged> {
    console
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("nt: pid ")?;
            let words: Vec<&str> = rest.split_whitespace().collect();
            let (pid, tid) = (hex(words[0]), hex(words[2]));
            let name = match words[3] {
                "service" => format!("syscall_{:#x}", hex(words[4])),
                name => name.to_string(),
            };
            let (_, result) = rest.rsplit_once("-> ")?;
            let status = result
                .split_whitespace()
                .next()
                .filter(|s| s.starts_with("0x"))
                .map(hex);
            Some((pid, tid, name, status))
        })
        .collect()
}

fn vmscope(args: &[&str], trace: &std::path::Path) -> String {
    let (vmscope, _) = binaries();
    let output = Command::new(vmscope)
        .args(args)
        .arg(trace)
        .output()
        .expect("run vmscope");
    assert!(
        output.status.success(),
        "vmscope {args:?}: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

fn journal(trace: &std::path::Path) -> Vec<Value> {
    vmscope(&["syscalls", "--format", "jsonl"], trace)
        .lines()
        .map(|line| json::parse(line).expect("a JSON line"))
        .collect()
}

fn arg<'a>(call: &'a Value, name: &str) -> &'a Value {
    call.get("args")
        .as_array()
        .iter()
        .find(|a| a.get("name").as_str() == Some(name))
        .unwrap_or_else(|| panic!("no argument {name}"))
}

fn text<'a>(call: &'a Value, name: &str) -> &'a str {
    arg(call, name).get("text").as_str().unwrap()
}

fn check_flavour(flavour: &str, abi: &str) {
    let recording = record_nt(&format!("windows-{flavour}"), flavour, &[]);
    let path = recording.trace.path().unwrap().to_path_buf();
    let calls = journal(&path);
    assert!(calls.iter().all(|c| c.get("abi").as_str() == Some(abi)));

    // Call by call: ids, names and statuses as the guest kernel logged them.
    let logged = kernel_log(&recording.console);
    assert!(
        logged.len() > 50,
        "the kernel logged {} calls",
        logged.len()
    );
    let journaled: Vec<Logged> = calls
        .iter()
        .map(|c| {
            (
                c.get("pid").as_i64().expect("pid from the TEB"),
                c.get("tid").as_i64().expect("tid from the TEB"),
                c.get("name").as_str().unwrap().to_string(),
                c.get("ret").as_i64(),
            )
        })
        .collect();
    // The kernel logs a call when it ends, the journal lists calls in
    // entry order: a blocking call (a wait) lands elsewhere between
    // threads, never within one.
    let per_thread = |calls: &[Logged]| {
        let mut threads: std::collections::BTreeMap<(i64, i64), Vec<Outcome>> = Default::default();
        for (pid, tid, name, status) in calls {
            threads
                .entry((*pid, *tid))
                .or_default()
                .push((name.clone(), *status));
        }
        threads
    };
    assert_eq!(per_thread(&journaled), per_thread(&logged));

    // The paper's journal: NtOpenFile, NtReadFile of 4 bytes, NtClose.
    let open = &calls[1];
    assert_eq!(open.get("name").as_str(), Some("NtOpenFile"));
    assert_eq!(text(open, "FileHandle"), "[0x1c]");
    assert_eq!(text(open, "DesiredAccess"), "FILE_GENERIC_READ");
    assert_eq!(
        text(open, "ObjectAttributes"),
        r#"{ObjectName="\SystemRoot\bootstat.dat", Attributes=OBJ_CASE_INSENSITIVE}"#
    );
    assert_eq!(
        text(open, "IoStatusBlock"),
        "{Status=STATUS_SUCCESS, Information=1}"
    );
    assert_eq!(text(open, "OpenOptions"), "FILE_SYNCHRONOUS_IO_NONALERT");
    assert_eq!(open.get("status").as_str(), Some("STATUS_SUCCESS"));
    assert_eq!(
        open.get("ret_path").as_str(),
        Some(r"handle 0x1c = File \SystemRoot\bootstat.dat")
    );
    let read = &calls[2];
    assert_eq!(read.get("name").as_str(), Some("NtReadFile"));
    assert_eq!(
        arg(read, "FileHandle").get("path").as_str(),
        Some(r"File \SystemRoot\bootstat.dat")
    );
    assert_eq!(text(read, "Length"), "4");
    assert_eq!(text(read, "ByteOffset"), "[0]");
    assert_eq!(
        text(read, "IoStatusBlock"),
        "{Status=STATUS_SUCCESS, Information=4}"
    );
    assert_eq!(text(read, "Buffer").len(), "\"\\4\\0\\0\\0\"".len());
    let close = &calls[3];
    assert_eq!(close.get("name").as_str(), Some("NtClose"));
    assert_eq!(
        arg(close, "Handle").get("path").as_str(),
        Some(r"File \SystemRoot\bootstat.dat")
    );

    // Failures, by status name, unsigned.
    let failed = |name: &str, status: &str| {
        calls.iter().any(|c| {
            c.get("name").as_str() == Some(name) && c.get("status").as_str() == Some(status)
        })
    };
    assert!(failed("NtOpenFile", "STATUS_OBJECT_NAME_NOT_FOUND"));
    assert!(failed("NtClose", "STATUS_INVALID_HANDLE"));
    assert!(failed("NtOpenFile", "STATUS_ACCESS_VIOLATION"));
    assert!(failed("syscall_0xfff", "STATUS_INVALID_SYSTEM_SERVICE"));
    let missing = calls
        .iter()
        .find(|c| text_of(c, "ObjectAttributes").contains("missing.txt"))
        .expect("the open of a missing file");
    assert_eq!(missing.get("ret").as_i64(), Some(0xc000_0034));
    // The handle it did not get is not shown as one.
    assert!(text(missing, "FileHandle").starts_with("0x"));

    // The second thread and the child process, with their own handles.
    let tids: std::collections::BTreeSet<(i64, i64)> = calls
        .iter()
        .map(|c| {
            (
                c.get("pid").as_i64().unwrap(),
                c.get("tid").as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        tids.into_iter().collect::<Vec<_>>(),
        vec![(0x1a4, 0x1b0), (0x1a4, 0x1b4), (0x1b8, 0x1bc)]
    );
    let files = vmscope(&["files"], &path);
    for expected in [
        r"pid 420    handle 0x1c File \SystemRoot\bootstat.dat  opened by NtOpenFile",
        r"pid 420    handle 0x20 File \??\C:\vmscope\out.txt  opened by NtDuplicateObject",
        r"pid 420    handle 0x20 Key \Registry\Machine\Software\vmscope  opened by NtOpenKey",
        r"pid 420    handle 0x1c Process 440 \??\C:\vmscope\child.exe  opened by NtCreateUserProcess",
        r"pid 440    handle 0x1c File \??\C:\vmscope\child.txt  opened by NtCreateFile",
    ] {
        assert!(files.contains(expected), "files lacks {expected}:\n{files}");
    }
    assert!(files.contains("1 reads (4 bytes)"));
    let procs = vmscope(&["procs"], &path);
    assert!(
        procs.starts_with(
            "pid 420 (parent 412), 2 threads, exit 0\n  pid 440 (parent 420), 1 thread, exit 42\n    exec \\??\\C:\\vmscope\\child.exe [\"child.exe 42\"]\n"
        ),
        "{procs}"
    );
}

fn text_of(call: &Value, name: &str) -> String {
    call.get("args")
        .as_array()
        .iter()
        .find(|a| a.get("name").as_str() == Some(name))
        .and_then(|a| a.get("text").as_str())
        .unwrap_or("")
        .to_string()
}

#[test]
fn windows_x86_journal_matches_the_guest_kernel() {
    check_flavour("x86", "windows-x86");
}

#[test]
fn windows_x64_journal_matches_the_guest_kernel() {
    check_flavour("x64", "windows-x64");
}
