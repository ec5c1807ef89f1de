//! The Windows path against the truth, on the synthetic NT-ABI guest (not
//! Windows: a small kernel the project builds that follows NT's calling
//! conventions, service numbers and structure layouts). Its kernel logs
//! every service it ran, with the caller's ids and the status; the journal
//! of the recording must say the same, call by call, and decode the
//! paper's journal, the handles and the processes, the calls made through
//! int 0x2e (x86) and by the WOW64 process (x64), and show the hostile
//! calls as they were, never with a made-up string.

use std::process::Command;

use vmscope_e2e::json::{self, Value};
use vmscope_e2e::*;
use vmscope_schema::Mechanism;

/// The WOW64 process of the x64 flavour (wow64.exe) and its thread.
const WOW64_PID: i64 = 0x1c0;
const WOW64_TID: i64 = 0x1c4;

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
    // Every call with the flavour's ABI, but the WOW64 process's (x64):
    // 32-bit code entering through 64-bit code, told by its TEB32 at fs.
    for call in &calls {
        let expected = if call.get("pid").as_i64() == Some(WOW64_PID) {
            "windows-wow64"
        } else {
            abi
        };
        assert_eq!(
            call.get("abi").as_str(),
            Some(expected),
            "{} of pid {:?}",
            call.get("name").as_str().unwrap_or("?"),
            call.get("pid").as_i64()
        );
    }

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

    // The same three calls again: on x86 entered by int 0x2e (arguments
    // at edx, back by iretd), on x64 by syscall. Decoded alike.
    let raw = vmscope_e2e::calls(&recording.trace);
    let int2e: Vec<&Call> = raw
        .iter()
        .filter(|c| c.entry.mechanism == Mechanism::Int2e)
        .collect();
    if flavour == "x86" {
        assert_eq!(int2e.len(), 3, "int 0x2e entries");
        for call in &int2e {
            let exit = call.exit.as_ref().expect("an int 0x2e call returns");
            assert_eq!(exit.mechanism, Mechanism::Iret);
            assert_eq!(exit.user_pc, call.entry.user_pc);
        }
        let seqs: Vec<i64> = int2e.iter().map(|c| c.entry_seq as i64).collect();
        let journaled: Vec<i64> = calls[4..7]
            .iter()
            .map(|c| c.get("seq").as_i64().unwrap())
            .collect();
        assert_eq!(journaled, seqs, "the int 0x2e calls are calls 4 to 6");
    } else {
        assert!(int2e.is_empty());
    }
    for (first, again) in calls[1..4].iter().zip(&calls[4..7]) {
        assert_eq!(first.get("name").as_str(), again.get("name").as_str());
        assert_eq!(first.get("status").as_str(), again.get("status").as_str());
        assert_eq!(
            first.get("ret_path").as_str(),
            again.get("ret_path").as_str()
        );
        let texts = |c: &Value| -> Vec<(String, String, Option<String>)> {
            c.get("args")
                .as_array()
                .iter()
                .map(|a| {
                    (
                        a.get("name").as_str().unwrap().to_string(),
                        a.get("text").as_str().unwrap().to_string(),
                        a.get("path").as_str().map(str::to_string),
                    )
                })
                .collect()
        };
        assert_eq!(texts(first), texts(again));
    }

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
    check_hostile(&calls, flavour);
    check_file_monitor(&calls, flavour);
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
    let mut expected = vec![(0x1a4, 0x1b0), (0x1a4, 0x1b4), (0x1b8, 0x1bc)];
    if flavour == "x64" {
        expected.push((WOW64_PID, WOW64_TID));
    }
    assert_eq!(tids.into_iter().collect::<Vec<_>>(), expected);
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
    // The open whose name had Length > MaximumLength succeeded: its
    // handle has no name, not a made-up one.
    assert!(
        files.contains("pid 420    handle 0x1c File  opened by NtOpenFile"),
        "{files}"
    );
    // The directory listed and the disk asked, by the names they were
    // opened with (part 12).
    for expected in [
        r"pid 420    handle 0x1c File \??\C:\vmscope  opened by NtOpenFile",
        r"pid 420    handle 0x1c File \??\PhysicalDrive0  opened by NtOpenFile",
    ] {
        assert!(files.contains(expected), "files lacks {expected}:\n{files}");
    }
    if flavour == "x64" {
        let expected =
            r"pid 448    handle 0x1c File \??\C:\vmscope\wow64.txt  opened by NtCreateFile";
        assert!(files.contains(expected), "files lacks {expected}:\n{files}");
    }
    let procs = vmscope(&["procs"], &path);
    let mut expected = String::from(
        "pid 420 (parent 412), 2 threads, exit 0\n  pid 440 (parent 420), 1 thread, exit 42\n    exec \\??\\C:\\vmscope\\child.exe [\"child.exe 42\"]\n",
    );
    if flavour == "x64" {
        expected.push_str(
            "  pid 448 (parent 420), 1 thread, exit 50\n    exec \\??\\C:\\vmscope\\wow64.exe [\"wow64.exe\"]\n",
        );
    }
    assert!(procs.starts_with(&expected), "{procs}");

    // The WOW64 process's calls, decoded from the 64-bit structures its
    // gate made: the file it wrote, the status it ended with.
    if flavour == "x64" {
        let wow64: Vec<&Value> = calls
            .iter()
            .filter(|c| c.get("pid").as_i64() == Some(WOW64_PID))
            .collect();
        let names: Vec<&str> = wow64
            .iter()
            .map(|c| c.get("name").as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "NtCreateFile",
                "NtWriteFile",
                "NtClose",
                "NtTerminateProcess",
                "NtTerminateProcess"
            ]
        );
        assert_eq!(
            text(wow64[0], "ObjectAttributes"),
            r#"{ObjectName="\??\C:\vmscope\wow64.txt", Attributes=OBJ_CASE_INSENSITIVE}"#
        );
        assert_eq!(text(wow64[0], "FileHandle"), "[0x1c]");
        assert_eq!(text(wow64[1], "Buffer"), r#""written by 32-bit code\n""#);
        assert_eq!(text(wow64[4], "ProcessHandle"), "NtCurrentProcess");
        assert_eq!(text(wow64[4], "ExitStatus"), "0x32");
    }
}

/// The hostile calls of the workload's part 10: each with the status the
/// guest kernel gave (checked call by call above) and shown as it was:
/// a bad UNICODE_STRING raw, with `/* bad Length */` where its lengths
/// are impossible, or as its address; never as a string the kernel did
/// not read.
fn check_hostile(calls: &[Value], flavour: &str) {
    let (kernel, limit, win32k) = if flavour == "x64" {
        ("0xfffff80000000000", "syscall_0x1d9", "syscall_0x100f")
    } else {
        ("0x80000000", "syscall_0x191", "syscall_0x1032")
    };
    let start = calls
        .iter()
        .position(|c| {
            c.get("name").as_str() == Some("NtAllocateVirtualMemory")
                && text_of(c, "RegionSize") == "[4096]"
        })
        .expect("the hostile part's page");
    let hostile = &calls[start + 1..];
    let opens: Vec<&Value> = hostile
        .iter()
        .filter(|c| c.get("name").as_str() == Some("NtOpenFile"))
        .take(6)
        .collect();
    let name_of = |c: &Value| text(c, "ObjectAttributes").to_string();
    let status_of = |c: &Value| c.get("status").as_str().unwrap_or("").to_string();
    // a. Length > MaximumLength: NT opened it, the journal says the
    // lengths are bad and shows no text.
    assert!(
        name_of(opens[0]).starts_with("{ObjectName={Length=48, MaximumLength=2, Buffer=0x"),
        "{}",
        name_of(opens[0])
    );
    assert!(name_of(opens[0]).contains("} /* bad Length */, Attributes="));
    assert_eq!(status_of(opens[0]), "STATUS_SUCCESS");
    assert_eq!(text(opens[0], "FileHandle"), "[0x1c]");
    // b. A Buffer in kernel space, never read.
    assert_eq!(
        name_of(opens[1]),
        format!(
            "{{ObjectName={{Length=16, MaximumLength=18, Buffer={kernel}}}, Attributes=OBJ_CASE_INSENSITIVE}}"
        )
    );
    assert_eq!(status_of(opens[1]), "STATUS_ACCESS_VIOLATION");
    // c. An odd Length.
    assert!(
        name_of(opens[2]).starts_with("{ObjectName={Length=7, MaximumLength=50, Buffer=0x"),
        "{}",
        name_of(opens[2])
    );
    assert!(name_of(opens[2]).contains("} /* bad Length */, Attributes="));
    assert_eq!(status_of(opens[2]), "STATUS_OBJECT_NAME_INVALID");
    // d, e. Length 0xfffe (refused unread) and 0xfffc (read up to the
    // unmapped page): the 16 bytes read are not shown as the name.
    assert_eq!(
        name_of(opens[3]),
        "{ObjectName={Length=65534, MaximumLength=65534, Buffer=0x1020ff0}, Attributes=OBJ_CASE_INSENSITIVE}"
    );
    assert_eq!(status_of(opens[3]), "STATUS_OBJECT_NAME_INVALID");
    assert_eq!(
        name_of(opens[4]),
        "{ObjectName={Length=65532, MaximumLength=65534, Buffer=0x1020ff0}, Attributes=OBJ_CASE_INSENSITIVE}"
    );
    assert_eq!(status_of(opens[4]), "STATUS_ACCESS_VIOLATION");
    // f. An unmapped ObjectName pointer: its address.
    assert_eq!(
        name_of(opens[5]),
        "{ObjectName=0x1021000, Attributes=OBJ_CASE_INSENSITIVE}"
    );
    assert_eq!(status_of(opens[5]), "STATUS_ACCESS_VIOLATION");
    for open in &opens[1..] {
        // Nothing written: no handle, no IO_STATUS_BLOCK.
        assert!(text(open, "FileHandle").starts_with("0x"));
        assert!(text(open, "IoStatusBlock").starts_with("0x"));
    }
    // g. NtReadFile of 0x7fffffff bytes: refused before anything is
    // written, the buffer shown by its address.
    let read = hostile
        .iter()
        .find(|c| text_of(c, "Length") == "2147483647")
        .expect("the huge read");
    assert_eq!(read.get("name").as_str(), Some("NtReadFile"));
    assert_eq!(status_of(read), "STATUS_ACCESS_VIOLATION");
    assert_eq!(text(read, "Buffer"), "0x1020fc0");
    assert!(text(read, "IoStatusBlock").starts_with("0x"));
    // h. A handle never opened.
    let bad_handle = hostile
        .iter()
        .find(|c| text_of(c, "FileHandle") == "0xdeadbeef")
        .expect("the read of 0xdeadbeef");
    assert_eq!(status_of(bad_handle), "STATUS_INVALID_HANDLE");
    assert!(arg(bad_handle, "FileHandle").get("path").as_str().is_none());
    // i. NtWriteFile of 0x10000000 bytes: the kernel read the 32 bytes
    // before the unmapped page and failed.
    let write = hostile
        .iter()
        .find(|c| text_of(c, "Length") == "268435456")
        .expect("the huge write");
    assert_eq!(write.get("name").as_str(), Some("NtWriteFile"));
    assert_eq!(write.get("ret").as_i64(), Some(0xc000_00e8)); // STATUS_INVALID_USER_BUFFER
    assert_eq!(
        text(write, "Buffer"),
        r#""32 bytes before unmapped memory\n"..."#
    );
    // j. NtClose of a pseudo-handle.
    let close = hostile
        .iter()
        .find(|c| {
            c.get("name").as_str() == Some("NtClose") && text_of(c, "Handle") == "NtCurrentProcess"
        })
        .expect("NtClose(NtCurrentProcess())");
    assert_eq!(status_of(close), "STATUS_INVALID_HANDLE");
    // k. Past the end of the table, and the win32k table.
    for name in [limit, win32k] {
        let call = hostile
            .iter()
            .find(|c| c.get("name").as_str() == Some(name))
            .unwrap_or_else(|| panic!("no {name}"));
        assert_eq!(status_of(call), "STATUS_INVALID_SYSTEM_SERVICE");
    }
}

/// The calls of the workload's part 12, what a file monitor sees a real
/// program make most (and the multiple waits of parts 8 and 9): the
/// handle each one used, its status and the results the analyzer
/// decodes already.
fn check_file_monitor(calls: &[Value], flavour: &str) {
    let named = |name: &str| -> Vec<&Value> {
        calls
            .iter()
            .filter(|c| c.get("name").as_str() == Some(name))
            .collect()
    };
    let status_of = |c: &Value| c.get("status").as_str().unwrap_or("").to_string();

    // Attributes by name: the file that is there, the one that is not
    // (nothing written: the buffer shown by its address).
    let attributes = named("NtQueryAttributesFile");
    assert_eq!(attributes.len(), 2);
    assert_eq!(
        text(attributes[0], "ObjectAttributes"),
        r#"{ObjectName="\??\C:\vmscope\input.txt", Attributes=OBJ_CASE_INSENSITIVE}"#
    );
    assert_eq!(status_of(attributes[0]), "STATUS_SUCCESS");
    assert!(
        text(attributes[0], "FileInformation").contains("FileAttributes=FILE_ATTRIBUTE_ARCHIVE")
    );
    assert!(text(attributes[1], "ObjectAttributes").contains("missing.txt"));
    assert_eq!(status_of(attributes[1]), "STATUS_OBJECT_NAME_NOT_FOUND");
    assert!(text(attributes[1], "FileInformation").starts_with("0x"));
    let full = named("NtQueryFullAttributesFile");
    assert_eq!(full.len(), 1);
    assert_eq!(status_of(full[0]), "STATUS_SUCCESS");
    assert!(text(full[0], "FileInformation").contains("EndOfFile=36"));

    // The directory: listed in two calls of two classes, then no more
    // files; again with a pattern. Every call names the directory.
    let listings = named("NtQueryDirectoryFile");
    assert_eq!(listings.len(), 5);
    for listing in &listings {
        assert_eq!(
            arg(listing, "FileHandle").get("path").as_str(),
            Some(r"File \??\C:\vmscope")
        );
    }
    let statuses: Vec<String> = listings.iter().map(|c| status_of(c)).collect();
    assert_eq!(
        statuses,
        [
            "STATUS_SUCCESS",
            "STATUS_SUCCESS",
            "STATUS_NO_MORE_FILES",
            "STATUS_SUCCESS",
            "STATUS_NO_MORE_FILES"
        ]
    );
    assert_eq!(
        text(listings[0], "FileInformationClass"),
        "FileDirectoryInformation"
    );
    assert_eq!(
        text(listings[1], "FileInformationClass"),
        "FileBothDirectoryInformation"
    );
    // ".", "..", child.exe, child.txt: 0x48 + 0x48 + 0x58 + 0x40 + 18.
    assert_eq!(
        text(listings[0], "IoStatusBlock"),
        "{Status=STATUS_SUCCESS, Information=314}"
    );
    assert!(text(listings[0], "FileInformation").starts_with(r#"[{FileName=".", "#));
    assert!(text(listings[1], "FileInformation").starts_with(r#"[{FileName="hostile.txt", "#));
    assert_eq!(
        text(listings[2], "IoStatusBlock"),
        "{Status=STATUS_NO_MORE_FILES, Information=0}"
    );
    assert!(text(listings[2], "FileInformation").starts_with("0x"));
    assert_eq!(text(listings[3], "FileName"), r#""*.txt""#);
    assert_eq!(text(listings[3], "RestartScan"), "TRUE");
    assert!(
        text(listings[3], "FileInformation")
            .starts_with(r#"[{FileName="child.txt", EndOfFile=29, "#)
    );
    let volume = named("NtQueryVolumeInformationFile");
    assert_eq!(volume.len(), 1);
    assert_eq!(
        arg(volume[0], "FileHandle").get("path").as_str(),
        Some(r"File \??\C:\vmscope")
    );
    assert_eq!(
        text(volume[0], "FsInformationClass"),
        "FileFsDeviceInformation"
    );
    assert!(text(volume[0], "FsInformation").starts_with("{DeviceType=FILE_DEVICE_DISK, "));
    assert_eq!(
        text(volume[0], "IoStatusBlock"),
        "{Status=STATUS_SUCCESS, Information=8}"
    );

    // The disk: its geometry (24 bytes), and a code it does not know
    // (nothing written back).
    let ioctls = named("NtDeviceIoControlFile");
    assert_eq!(ioctls.len(), 2);
    for ioctl in &ioctls {
        assert_eq!(
            arg(ioctl, "FileHandle").get("path").as_str(),
            Some(r"File \??\PhysicalDrive0")
        );
    }
    assert_eq!(
        text(ioctls[0], "IoControlCode"),
        "IOCTL_DISK_GET_DRIVE_GEOMETRY"
    );
    assert_eq!(status_of(ioctls[0]), "STATUS_SUCCESS");
    assert_eq!(
        text(ioctls[0], "IoStatusBlock"),
        "{Status=STATUS_SUCCESS, Information=24}"
    );
    assert_eq!(status_of(ioctls[1]), "STATUS_INVALID_DEVICE_REQUEST");
    assert!(text(ioctls[1], "IoStatusBlock").starts_with("0x"));
    assert!(text(ioctls[1], "OutputBuffer").starts_with("0x"));

    // The clock and the machine.
    let counter = named("NtQueryPerformanceCounter");
    assert_eq!(counter.len(), 1);
    let frequency = if flavour == "x64" {
        "[10000000]"
    } else {
        "[3579545]"
    };
    assert_eq!(text(counter[0], "PerformanceFrequency"), frequency);
    let system = named("NtQuerySystemInformation");
    assert_eq!(system.len(), 1);
    assert_eq!(
        text(system[0], "SystemInformationClass"),
        "SystemBasicInformation"
    );
    let size = if flavour == "x64" { "[64]" } else { "[44]" };
    assert_eq!(text(system[0], "ReturnLength"), size);
    assert!(text(system[0], "SystemInformation").contains("NumberOfProcessors=1"));

    // The multiple waits: the ended thread; the child process and its
    // thread, WaitAll.
    let waits = named("NtWaitForMultipleObjects");
    assert_eq!(waits.len(), 2);
    assert_eq!(text(waits[0], "Handles"), "[0x1c]");
    assert_eq!(text(waits[1], "Handles"), "[0x1c, 0x20]");
    for wait in &waits {
        assert_eq!(text(wait, "WaitType"), "WaitAll");
        assert_eq!(status_of(wait), "STATUS_SUCCESS");
    }
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
