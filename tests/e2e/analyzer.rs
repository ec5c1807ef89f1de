//! The analyzer against the truth: the same workload run under strace -f
//! inside the guest while the recorder records the whole machine. The
//! journal of the traced processes must match strace call by call: names,
//! results, thread ids and path arguments.

use std::collections::HashMap;
use std::process::Command;

use vmscope_e2e::*;

/// One call as strace printed it.
#[derive(Debug, Clone)]
struct StraceCall {
    tid: i64,
    name: String,
    /// The result text: "3", "-1 ENOENT (...)", "0x55...", "?".
    ret: String,
    /// The first quoted string among the arguments.
    first_string: Option<String>,
}

fn first_quoted(text: &str) -> Option<String> {
    let start = text.find('"')?;
    let rest = &text[start + 1..];
    let mut out = String::new();
    let mut escaped = false;
    for c in rest.chars() {
        match (escaped, c) {
            (true, c) => {
                out.push('\\');
                out.push(c);
                escaped = false;
            }
            (false, '\\') => escaped = true,
            (false, '"') => return Some(out),
            (false, c) => out.push(c),
        }
    }
    None
}

/// Parses `strace -f` output, joining unfinished and resumed halves.
fn parse_strace(log: &str) -> Vec<StraceCall> {
    let mut calls = Vec::new();
    let mut unfinished: HashMap<i64, (String, String)> = HashMap::new();
    for line in log.lines() {
        let line = line.trim_end_matches('\r');
        let Some((tid, rest)) = line.split_once(' ') else {
            continue;
        };
        let Ok(tid) = tid.parse::<i64>() else {
            continue;
        };
        let rest = rest.trim_start();
        if rest.starts_with("---") || rest.starts_with("+++") {
            continue;
        }
        let (name, args, ret) = if let Some(resumed) = rest.strip_prefix("<... ") {
            let Some((name, tail)) = resumed.split_once(" resumed>") else {
                continue;
            };
            let Some((head, _)) = unfinished.remove(&tid) else {
                continue;
            };
            let ret = tail.rsplit_once(" = ").map_or("?", |(_, r)| r).trim();
            (name.to_string(), head + tail, ret.to_string())
        } else if let Some(head) = rest.strip_suffix(" <unfinished ...>") {
            let name = head.split('(').next().unwrap_or("").to_string();
            unfinished.insert(tid, (head.to_string(), String::new()));
            let _ = name;
            continue;
        } else {
            let name = rest.split('(').next().unwrap_or("").to_string();
            let ret = rest.rsplit_once(" = ").map_or("?", |(_, r)| r).trim();
            (name, rest.to_string(), ret.to_string())
        };
        calls.push(StraceCall {
            tid,
            first_string: first_quoted(&args),
            name,
            ret,
        });
    }
    calls
}

/// A journal record, from the JSON the analyzer prints (a small reader for
/// the fields compared).
#[derive(Debug, Clone)]
struct Journal {
    tid: Option<i64>,
    name: String,
    ret: Option<i64>,
    errno: Option<String>,
    strings: Vec<String>,
}

fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let at = line.find(&format!("\"{key}\":"))? + key.len() + 3;
    let rest = &line[at..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    Some(&rest[..end])
}

fn parse_journal(jsonl: &str) -> Vec<Journal> {
    jsonl
        .lines()
        .filter(|l| l.contains("\"name\":"))
        .map(|line| {
            let number = |key| field(line, key).and_then(|v| v.parse::<i64>().ok());
            let name = field(line, "name")
                .unwrap_or("")
                .trim_matches('"')
                .to_string();
            let errno = field(line, "errno")
                .filter(|v| *v != "null")
                .map(|v| v.trim_matches('"').to_string());
            let strings = line
                .split("\"text\":\"")
                .skip(1)
                .filter(|t| t.starts_with("\\\""))
                .map(|t| first_quoted(&t.replace("\\\"", "\"")).unwrap_or_default())
                .collect();
            Journal {
                tid: number("tid").or(number("pid")),
                name,
                ret: number("ret"),
                errno,
                strings,
            }
        })
        .collect()
}

/// Compares one traced thread's calls, strace's against the journal's,
/// from the execve strace shows first.
fn compare(tid: i64, truth: &[&StraceCall], journal: &[&Journal]) -> Vec<String> {
    let mut problems = Vec::new();
    let start = journal
        .iter()
        .position(|j| j.name == truth[0].name)
        .unwrap_or(0);
    let ours = &journal[start..];
    for (i, t) in truth.iter().enumerate() {
        let Some(j) = ours.get(i) else {
            problems.push(format!(
                "tid {tid}: journal ends before strace's call {i} {}",
                t.name
            ));
            break;
        };
        if j.name != t.name {
            problems.push(format!(
                "tid {tid} call {i}: {} vs strace {}",
                j.name, t.name
            ));
            break;
        }
        let ret_ok = if t.ret == "?" {
            j.ret.is_none()
        } else if let Some(errno) = t.ret.strip_prefix("-1 ") {
            j.errno.as_deref() == errno.split(' ').next()
        } else if let Some(hex) = t.ret.strip_prefix("0x") {
            let value = i64::from_str_radix(hex.split(' ').next().unwrap_or(""), 16).ok();
            j.ret == value
        } else {
            j.ret == t.ret.split(' ').next().and_then(|r| r.parse().ok())
        };
        if !ret_ok {
            problems.push(format!(
                "tid {tid} call {i} {}: ret {:?}/{:?} vs strace {}",
                t.name, j.ret, j.errno, t.ret
            ));
        }
        if let Some(s) = &t.first_string
            && s.starts_with('/')
            && !s.ends_with("...")
            && !j.strings.iter().any(|ours| ours == s)
        {
            problems.push(format!(
                "tid {tid} call {i} {}: no path {s:?} in {:?}",
                t.name, j.strings
            ));
        }
    }
    problems
}

fn strace_matches_journal(name: &str, workload: &str, extra: &[&str]) {
    let recording = record_linux(name, workload, "", extra);
    let log = recording
        .console
        .split("VMSCOPE-STRACE-BEGIN")
        .nth(1)
        .and_then(|s| s.split("VMSCOPE-STRACE-END").next())
        .expect("strace log on the console");
    let truth = parse_strace(log);
    assert!(truth.len() > 50, "only {} strace calls", truth.len());
    let (vmscope, _) = binaries();
    let path = root().join("target/e2e").join(name).join("trace.vmt");
    let output = Command::new(vmscope)
        .args(["syscalls", "--format", "jsonl"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let journal = parse_journal(&String::from_utf8_lossy(&output.stdout));
    let mut tids: Vec<i64> = truth.iter().map(|c| c.tid).collect();
    tids.dedup();
    tids.sort();
    tids.dedup();
    let mut problems = Vec::new();
    for tid in tids {
        let theirs: Vec<&StraceCall> = truth.iter().filter(|c| c.tid == tid).collect();
        let ours: Vec<&Journal> = journal.iter().filter(|j| j.tid == Some(tid)).collect();
        if ours.is_empty() {
            problems.push(format!("tid {tid}: no journal records with this tid"));
            continue;
        }
        problems.extend(compare(tid, &theirs, &ours));
    }
    assert!(
        problems.is_empty(),
        "{name}: {} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Files, ENOENT, dup, a pipe, fork and exec, a thread: 64-bit.
#[test]
fn journal_matches_strace_for_the_64bit_workload() {
    strace_matches_journal("strace-basic", "strace-basic", &[]);
}

/// The same in a 32-bit program: int 0x80 and sysenter through the vDSO.
#[test]
fn journal_matches_strace_for_the_32bit_workload() {
    strace_matches_journal(
        "strace-i386",
        "strace-i386",
        &["-cpu", "qemu64,vendor=GenuineIntel"],
    );
}

/// Calls the kernel restarts are shown as strace shows them: the
/// interrupted call with its ERESTART* code, then the call again (a
/// handled signal with SA_RESTART) or restart_syscall resuming it (a
/// sleep stopped and continued).
#[test]
fn restarted_calls_show_their_restart_codes() {
    let recording = record_linux("restart", "restart", "", &[]);
    assert!(recording.console.contains("restart: ok"));
    let (vmscope, _) = binaries();
    let output = Command::new(vmscope)
        .args(["syscalls", "--format", "strace"])
        .arg(recording.trace.path().unwrap())
        .output()
        .unwrap();
    assert!(output.status.success());
    let journal = String::from_utf8(output.stdout).unwrap();
    // The program's own lines, by its pid (the one whose comm it is).
    let pid = journal
        .lines()
        .find(|l| l.contains("execve(\"/bin/vmscope-restart\""))
        .and_then(|l| l.split_whitespace().next())
        .expect("the program's execve")
        .to_string();
    let mine: Vec<&str> = journal
        .lines()
        .filter(|l| l.split_whitespace().next() == Some(pid.as_str()))
        .map(|l| l[6..].trim_end())
        .collect();
    let at = |prefix: &str| {
        mine.iter()
            .position(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in\n{}", mine.join("\n")))
    };
    let read = at("read(3, ");
    assert!(
        mine[read].ends_with("= ? ERESTARTSYS (To be restarted if SA_RESTART is set)"),
        "{}",
        mine[read]
    );
    // Its buffer is shown as the address: the kernel filled nothing.
    assert!(mine[read].starts_with("read(3, 0x"), "{}", mine[read]);
    assert!(
        mine[read + 1..]
            .iter()
            .any(|l| l.starts_with("rt_sigreturn("))
    );
    assert!(
        mine[read + 1..]
            .iter()
            .any(|l| l.starts_with("read(3, \"x\", 1)") && l.ends_with("= 1"))
    );
    let sleep = at("clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=600000000}");
    assert!(
        mine[sleep].ends_with("= ? ERESTART_RESTARTBLOCK (Interrupted by signal)"),
        "{}",
        mine[sleep]
    );
    assert!(
        mine[sleep + 1..].iter().any(|l| l
            .starts_with("restart_syscall(<... resuming interrupted clock_nanosleep ...>)")
            && l.ends_with("= 0")),
        "{}",
        mine.join("\n")
    );
}
