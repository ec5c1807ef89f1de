//! Tests of the generated call tables in `syscalls.rs`, and that the
//! committed file is what `analyzer/tables/linux_syscalls.py` makes.

use super::*;
use std::collections::HashSet;

type Table = &'static [Option<SyscallInfo>];

fn entry(table: Table, nr: u64) -> &'static SyscallInfo {
    lookup(table, nr).unwrap_or_else(|| panic!("no call {nr}"))
}

fn kinds(info: &SyscallInfo) -> Vec<ArgKind> {
    info.args.iter().map(|&(_, kind)| kind).collect()
}

fn names(info: &SyscallInfo) -> Vec<&'static str> {
    info.args.iter().map(|&(name, _)| name).collect()
}

#[test]
fn x86_64_key_entries() {
    let read = entry(&X86_64, 0);
    assert_eq!(read.name, "read");
    assert_eq!(names(read), ["fd", "buf", "count"]);
    assert_eq!(kinds(read), [Fd, BufOut(2), UInt]);
    assert_eq!(kinds(entry(&X86_64, 1)), [Fd, BufIn(2), UInt]);
    assert_eq!(entry(&X86_64, 1).name, "write");
    let open = entry(&X86_64, 2);
    assert_eq!(open.name, "open");
    assert_eq!(kinds(open), [Path, OpenFlags, Mode]);
    assert_eq!(entry(&X86_64, 4).name, "stat");
    assert_eq!(
        kinds(entry(&X86_64, 9)),
        [Ptr, UInt, MmapProt, MmapFlags, Fd, Hex]
    );
    let clone = entry(&X86_64, 56);
    assert_eq!(
        names(clone),
        [
            "clone_flags",
            "newsp",
            "parent_tidptr",
            "child_tidptr",
            "tls"
        ]
    );
    assert_eq!(kinds(clone), [CloneFlags, Ptr, Ptr, Ptr, Hex]);
    let execve = entry(&X86_64, 59);
    assert_eq!(execve.name, "execve");
    assert_eq!(kinds(execve), [Path, StrArray, StrArray]);
    assert!(execve.noreturn);
    let exit_group = entry(&X86_64, 231);
    assert_eq!(exit_group.name, "exit_group");
    assert_eq!(kinds(exit_group), [Int]);
    assert!(exit_group.noreturn);
    let openat = entry(&X86_64, 257);
    assert_eq!(openat.name, "openat");
    assert_eq!(kinds(openat), [DirFd, Path, OpenFlags, Mode]);
    assert!(!openat.noreturn);
    let clone3 = entry(&X86_64, 435);
    assert_eq!(clone3.name, "clone3");
    assert_eq!(kinds(clone3), [CloneArgsIn, UInt]);
}

#[test]
fn i386_key_entries() {
    let open = entry(&I386, 5);
    assert_eq!(open.name, "open");
    assert_eq!(kinds(open), [Path, OpenFlags, Mode]);
    let execve = entry(&I386, 11);
    assert_eq!(execve.name, "execve");
    assert_eq!(kinds(execve), [Path, StrArray, StrArray]);
    assert!(execve.noreturn);
    assert_eq!(entry(&I386, 18).name, "oldstat");
    assert_eq!(entry(&I386, 106).name, "stat");
    assert_eq!(kinds(entry(&I386, 195)), [Path, StatOut]);
    assert_eq!(entry(&I386, 195).name, "stat64");
    let socketcall = entry(&I386, 102);
    assert_eq!(socketcall.name, "socketcall");
    assert_eq!(kinds(socketcall), [Int, Ptr]);
    // i386 clone is CLONE_BACKWARDS: tls comes before child_tidptr.
    let clone = entry(&I386, 120);
    assert_eq!(
        names(clone),
        [
            "clone_flags",
            "newsp",
            "parent_tidptr",
            "tls",
            "child_tidptr"
        ]
    );
    assert_eq!(kinds(clone), [CloneFlags, Ptr, Ptr, Hex, Ptr]);
    let llseek = entry(&I386, 140);
    assert_eq!(llseek.name, "_llseek");
    assert_eq!(kinds(llseek), [Fd, Int, Int, Ptr, Whence]);
    // A 64-bit offset takes two registers, low half first.
    let pread64 = entry(&I386, 180);
    assert_eq!(names(pread64), ["fd", "buf", "count", "pos_lo", "pos_hi"]);
    let mmap2 = entry(&I386, 192);
    assert_eq!(mmap2.name, "mmap2");
    assert_eq!(kinds(mmap2), [Ptr, UInt, MmapProt, MmapFlags, Fd, Hex]);
    let exit_group = entry(&I386, 252);
    assert_eq!(exit_group.name, "exit_group");
    assert!(exit_group.noreturn);
    assert!(entry(&I386, 119).noreturn, "sigreturn");
}

#[test]
fn lookup_outside_the_table_is_none() {
    assert_eq!(lookup(&X86_64, 134), None, "uselib: no call on x86_64");
    assert_eq!(lookup(&X86_64, X86_64.len() as u64), None);
    assert_eq!(lookup(&X86_64, 0x4000_0000), None, "x32 bit");
    assert_eq!(lookup(&I386, u64::MAX), None);
}

#[test]
fn noreturn_is_exactly_the_calls_that_do_not_come_back() {
    for (abi, table, expected) in [
        (
            "x86_64",
            &X86_64[..],
            &["exit", "exit_group", "execve", "execveat", "rt_sigreturn"][..],
        ),
        (
            "i386",
            &I386[..],
            &[
                "exit",
                "exit_group",
                "execve",
                "execveat",
                "rt_sigreturn",
                "sigreturn",
            ][..],
        ),
    ] {
        let noreturn: HashSet<&str> = table
            .iter()
            .flatten()
            .filter(|info| info.noreturn)
            .map(|info| info.name)
            .collect();
        assert_eq!(noreturn, expected.iter().copied().collect(), "{abi}");
    }
}

#[test]
fn every_entry_is_well_formed() {
    for (abi, table) in [("x86_64", &X86_64[..]), ("i386", &I386[..])] {
        let mut seen = HashSet::new();
        for (nr, info) in table.iter().enumerate() {
            let Some(info) = info else { continue };
            assert!(!info.name.is_empty(), "{abi} {nr}: no name");
            assert!(seen.insert(info.name), "{abi} {nr}: {} twice", info.name);
            assert!(info.args.len() <= 6, "{abi} {nr} {}: > 6 args", info.name);
            let mut arg_names = HashSet::new();
            for (i, &(name, kind)) in info.args.iter().enumerate() {
                assert!(
                    !name.is_empty(),
                    "{abi} {nr} {}: arg {i} unnamed",
                    info.name
                );
                assert!(
                    arg_names.insert(name),
                    "{abi} {nr} {}: {name} twice",
                    info.name
                );
                let target = match kind {
                    BufIn(t) | BufOut(t) | IovecIn(t) | IovecOut(t) | SockaddrIn(t)
                    | SockaddrOut(t) => usize::from(t),
                    _ => continue,
                };
                assert!(
                    target < info.args.len() && target != i,
                    "{abi} {nr} {}: {name} is {kind:?}, no such other argument",
                    info.name
                );
            }
        }
        assert!(
            table.last().is_some_and(Option::is_some),
            "{abi}: trailing None"
        );
    }
}

/// Regression guard: the committed tables are the script's output. Needs
/// python3 and `../shared/reference/linux-syscalls` beside the repository;
/// without them the test is skipped, unless `CI` is set.
#[test]
fn generated_file_is_what_the_script_makes() {
    crate::os::assert_generated(
        "analyzer/tables/linux_syscalls.py",
        &["linux-syscalls"],
        "analyzer/src/os/linux/syscalls.rs",
        include_str!("syscalls.rs"),
    );
}
