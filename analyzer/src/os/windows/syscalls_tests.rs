//! Tests of the generated service tables in `syscalls.rs`, and that the
//! committed file is what `analyzer/tables/windows_syscalls.py` makes.

use super::*;
use std::collections::HashSet;

fn release(arch: Arch, name: &str) -> &'static Release {
    RELEASES
        .iter()
        .find(|r| r.arch == arch && r.name == name)
        .unwrap_or_else(|| panic!("no release {name} {arch:?}"))
}

fn entry(release: &Release, nr: u64) -> &'static ServiceInfo {
    lookup(release, nr).unwrap_or_else(|| panic!("{}: no service {nr:#x}", release.name))
}

/// The service called `name` in `release`, and its number.
fn by_name(release: &Release, name: &str) -> (u64, &'static ServiceInfo) {
    (0..release.services.len() as u64)
        .find_map(|nr| {
            lookup(release, nr)
                .filter(|s| s.name == name)
                .map(|s| (nr, s))
        })
        .unwrap_or_else(|| panic!("{}: no {name}", release.name))
}

fn args(info: &ServiceInfo) -> &'static [(&'static str, ArgKind)] {
    info.args
        .unwrap_or_else(|| panic!("{}: no prototype", info.name))
}

fn kinds(info: &ServiceInfo) -> Vec<ArgKind> {
    args(info).iter().map(|&(_, kind)| kind).collect()
}

fn names(info: &ServiceInfo) -> Vec<&'static str> {
    args(info).iter().map(|&(name, _)| name).collect()
}

const OPEN_FILE_NAMES: [&str; 6] = [
    "FileHandle",
    "DesiredAccess",
    "ObjectAttributes",
    "IoStatusBlock",
    "ShareAccess",
    "OpenOptions",
];
const OPEN_FILE_KINDS: [ArgKind; 6] = [
    HandleOut,
    AccessMask,
    ObjectAttributes,
    IoStatusBlock,
    ShareAccess,
    CreateOptions,
];
const READ_FILE_NAMES: [&str; 9] = [
    "FileHandle",
    "Event",
    "ApcRoutine",
    "ApcContext",
    "IoStatusBlock",
    "Buffer",
    "Length",
    "ByteOffset",
    "Key",
];
const CREATE_FILE_KINDS: [ArgKind; 11] = [
    HandleOut,
    AccessMask,
    ObjectAttributes,
    IoStatusBlock,
    LargeIntegerIn,
    FileAttributes,
    ShareAccess,
    CreateDisposition,
    CreateOptions,
    BufIn(10),
    UInt,
];

#[test]
fn windows_7_sp1_x86_key_entries() {
    let w7 = release(Arch::X86, "Windows 7 (SP1)");
    assert_eq!((w7.major, w7.minor, w7.build), (6, 1, 7601));
    let open = entry(w7, 0xb3);
    assert_eq!(open.name, "NtOpenFile");
    assert_eq!(names(open), OPEN_FILE_NAMES);
    assert_eq!(kinds(open), OPEN_FILE_KINDS);
    let close = entry(w7, 0x32);
    assert_eq!(close.name, "NtClose");
    assert_eq!(names(close), ["Handle"]);
    assert_eq!(kinds(close), [Handle]);
    let read = entry(w7, 0x111);
    assert_eq!(read.name, "NtReadFile");
    assert_eq!(names(read), READ_FILE_NAMES);
    assert_eq!(
        kinds(read),
        [
            Handle,
            Handle,
            Ptr,
            Ptr,
            IoStatusBlock,
            BufOut(6),
            UInt,
            LargeIntegerIn,
            ULongIn
        ]
    );
    let create = entry(w7, 0x42);
    assert_eq!(create.name, "NtCreateFile");
    assert_eq!(kinds(create), CREATE_FILE_KINDS);
    assert_eq!(entry(w7, 0x18c).name, "NtWriteFile");
}

#[test]
fn windows_10_22h2_x64_key_entries() {
    let w10 = release(Arch::X64, "Windows 10 (22H2)");
    assert_eq!((w10.major, w10.minor, w10.build), (10, 0, 19045));
    let open = entry(w10, 0x33);
    assert_eq!(open.name, "NtOpenFile");
    assert_eq!(names(open), OPEN_FILE_NAMES);
    assert_eq!(kinds(open), OPEN_FILE_KINDS);
    assert_eq!(kinds(entry(w10, 0x0f)), [Handle]);
    assert_eq!(entry(w10, 0x0f).name, "NtClose");
    let read = entry(w10, 0x06);
    assert_eq!(read.name, "NtReadFile");
    assert_eq!(names(read), READ_FILE_NAMES);
    assert_eq!(kinds(read)[5..7], [BufOut(6), UInt]);
    let create = entry(w10, 0x55);
    assert_eq!(create.name, "NtCreateFile");
    assert_eq!(
        names(create),
        [
            "FileHandle",
            "DesiredAccess",
            "ObjectAttributes",
            "IoStatusBlock",
            "AllocationSize",
            "FileAttributes",
            "ShareAccess",
            "CreateDisposition",
            "CreateOptions",
            "EaBuffer",
            "EaLength"
        ]
    );
    assert_eq!(kinds(create), CREATE_FILE_KINDS);
    let write = entry(w10, 0x08);
    assert_eq!(write.name, "NtWriteFile");
    assert_eq!(names(write), READ_FILE_NAMES);
    assert_eq!(
        kinds(write)[5..9],
        [BufIn(6), UInt, LargeIntegerIn, ULongIn]
    );
}

#[test]
fn panda_and_phnt_prototypes_are_shown_alike() {
    // Windows 7 takes PANDA's prototypes and Windows 10 phnt's; where they
    // agree the two releases share one SERVICES entry.
    let w7 = release(Arch::X64, "Windows 7 (SP1)");
    let w10 = release(Arch::X64, "Windows 10 (22H2)");
    for name in [
        "NtOpenFile",
        "NtReadFile",
        "NtWriteFile",
        "NtCreateFile",
        "NtQueryInformationProcess",
        "NtQuerySystemInformation",
        "NtQueryValueKey",
        "NtSetValueKey",
        "NtDeviceIoControlFile",
        "NtFreeVirtualMemory",
    ] {
        assert!(
            std::ptr::eq(by_name(w7, name).1, by_name(w10, name).1),
            "{name}"
        );
    }
}

#[test]
fn memory_and_process_services() {
    let w10 = release(Arch::X64, "Windows 10 (22H2)");
    let (_, alloc) = by_name(w10, "NtAllocateVirtualMemory");
    assert_eq!(
        kinds(alloc),
        [
            Handle,
            PtrInOut,
            Hex,
            SizeInOut,
            AllocationType,
            PageProtect
        ]
    );
    let (_, protect) = by_name(w10, "NtProtectVirtualMemory");
    assert_eq!(
        kinds(protect),
        [Handle, PtrInOut, SizeInOut, PageProtect, ULongOut]
    );
    let (_, section) = by_name(w10, "NtCreateSection");
    assert_eq!(kinds(section)[4..6], [PageProtect, SectionAttributes]);
    let (_, map) = by_name(w10, "NtMapViewOfSection");
    assert_eq!(
        kinds(map)[7..],
        [SectionInherit, AllocationType, PageProtect]
    );
    let (_, read) = by_name(w10, "NtReadVirtualMemory");
    assert_eq!(kinds(read), [Handle, Ptr, BufOut(3), UInt, SizeInOut]);
    let (_, write) = by_name(w10, "NtWriteVirtualMemory");
    assert_eq!(kinds(write), [Handle, Ptr, BufIn(3), UInt, SizeInOut]);
    let (_, query) = by_name(w10, "NtQueryInformationProcess");
    assert_eq!(
        kinds(query),
        [Handle, ProcessInfoClass, BufOut(3), UInt, ULongOut]
    );
    let (_, system) = by_name(w10, "NtQuerySystemInformation");
    assert_eq!(kinds(system), [SystemInfoClass, BufOut(2), UInt, ULongOut]);
    let (_, ioctl) = by_name(w10, "NtDeviceIoControlFile");
    assert_eq!(
        kinds(ioctl)[5..],
        [IoControlCode, BufIn(7), UInt, BufOut(9), UInt]
    );
    let (_, wait) = by_name(w10, "NtWaitForMultipleObjects");
    assert_eq!(kinds(wait)[..3], [UInt, HandleArray(0), WaitType]);
    let (_, attributes) = by_name(w10, "NtQueryAttributesFile");
    assert_eq!(kinds(attributes), [ObjectAttributes, FileBasicInfoOut]);
    let (_, set_value) = by_name(w10, "NtSetValueKey");
    assert_eq!(kinds(set_value)[3..], [RegType, BufIn(5), UInt]);
    let (_, query_value) = by_name(w10, "NtQueryValueKey");
    assert_eq!(
        kinds(query_value),
        [
            Handle,
            UnicodeString,
            KeyValueInfoClass,
            BufOut(4),
            UInt,
            ULongOut
        ]
    );
    let (_, dup) = by_name(w10, "NtDuplicateObject");
    assert_eq!(
        kinds(dup)[3..],
        [HandleOut, AccessMask, Hex, DuplicateOptions]
    );
    let (_, terminate) = by_name(w10, "NtTerminateProcess");
    assert_eq!(kinds(terminate), [Handle, Status]);
    let (_, open) = by_name(w10, "NtOpenProcess");
    assert_eq!(
        kinds(open),
        [HandleOut, AccessMask, ObjectAttributes, ClientId]
    );
    let (_, create) = by_name(w10, "NtCreateUserProcess");
    assert_eq!(kinds(create)[8], ProcessParameters);
    assert_eq!(kinds(create)[10], PsAttributeList);
    // Registry create options are not file create options.
    let (_, key) = by_name(w10, "NtCreateKey");
    assert_eq!(kinds(key)[5], Hex);
}

#[test]
fn signatures_follow_the_release() {
    // phnt has two NtWaitForWorkViaWorkerFactory, before and from Windows 8.
    let w7 = release(Arch::X64, "Windows 7 (SP1)");
    let w81 = release(Arch::X64, "Windows 8 (8.1)");
    assert_eq!(
        args(by_name(w7, "NtWaitForWorkViaWorkerFactory").1).len(),
        2
    );
    assert_eq!(
        args(by_name(w81, "NtWaitForWorkViaWorkerFactory").1).len(),
        5
    );
    // PANDA's Windows 7 NtLoadKeyEx has 4 parameters, phnt's 8.
    let w10 = release(Arch::X64, "Windows 10 (22H2)");
    assert_eq!(args(by_name(w7, "NtLoadKeyEx").1).len(), 4);
    assert_eq!(args(by_name(w10, "NtLoadKeyEx").1).len(), 8);
    // No source has a prototype: raw values.
    let xp = release(Arch::X86, "Windows XP (SP3)");
    assert_eq!(by_name(xp, "NtRequestDeviceWakeup").1.args, None);
    assert_eq!(by_name(xp, "NtOpenFile").0, 0x74);
    assert_eq!(kinds(by_name(xp, "NtOpenFile").1), OPEN_FILE_KINDS);
}

#[test]
fn release_for_picks_by_build() {
    let name = |arch, major, minor, build| release_for(arch, major, minor, build).map(|r| r.name);
    assert_eq!(name(Arch::X86, 6, 1, 7601), Some("Windows 7 (SP1)"));
    assert_eq!(name(Arch::X86, 6, 1, 7600), Some("Windows 7 (SP0)"));
    assert_eq!(name(Arch::X64, 10, 0, 19045), Some("Windows 10 (22H2)"));
    // A newer build of 22H2 (there are none, but a cumulative update could
    // report one): the newest release before it.
    assert_eq!(name(Arch::X64, 10, 0, 19046), Some("Windows 10 (22H2)"));
    assert_eq!(name(Arch::X64, 6, 1, 7602), Some("Windows 7 (SP1)"));
    // Service packs share a build: the newest; a client release before a
    // server one of the same build.
    assert_eq!(name(Arch::X86, 5, 1, 2600), Some("Windows XP (SP3)"));
    assert_eq!(
        name(Arch::X64, 10, 0, 26100),
        Some("Windows 11 and Server (11 24H2)")
    );
    assert_eq!(
        name(Arch::X64, 10, 0, 26150),
        Some("Windows 11 and Server (11 24H2)")
    );
    assert_eq!(name(Arch::X64, 5, 2, 3790), Some("Windows XP (SP2)"));
    assert_eq!(
        name(Arch::X86, 5, 2, 3790),
        Some("Windows Server 2003 (R2 SP2)")
    );
    assert_eq!(
        name(Arch::X64, 10, 0, 30000),
        Some("Windows 11 and Server (11 25H2)")
    );
    // An exact build decides alone, whatever the version says.
    assert_eq!(name(Arch::X64, 10, 0, 9600), Some("Windows 8 (8.1)"));
    // Nothing of that version at or before the build.
    assert_eq!(name(Arch::X64, 10, 0, 9700), None);
    assert_eq!(name(Arch::X64, 6, 3, 7700), None);
    assert_eq!(name(Arch::X64, 5, 1, 2600), None, "no x64 XP 5.1");
    assert_eq!(name(Arch::X86, 6, 1, 0), None);
}

#[test]
fn lookup_outside_the_table_is_none() {
    let w10 = release(Arch::X64, "Windows 10 (22H2)");
    assert_eq!(w10.services.len(), 0x1d9);
    assert!(lookup(w10, 0x1d8).is_some());
    assert_eq!(lookup(w10, 0x1d9), None);
    assert_eq!(lookup(w10, 0x1000), None, "win32k's table");
    assert_eq!(lookup(w10, u64::MAX), None);
    let w7 = release(Arch::X86, "Windows 7 (SP1)");
    assert_eq!(lookup(w7, w7.services.len() as u64), None);
}

#[test]
fn releases_are_in_csv_order() {
    let x86 = RELEASES.iter().take_while(|r| r.arch == Arch::X86).count();
    assert_eq!(x86, 46);
    assert_eq!(RELEASES.len() - x86, 35);
    assert!(RELEASES[x86..].iter().all(|r| r.arch == Arch::X64));
    assert_eq!(RELEASES[0].name, "Windows NT 3.x (3.1)");
    assert_eq!((RELEASES[0].major, RELEASES[0].minor), (3, 10));
    assert_eq!(RELEASES[x86].name, "Windows XP (SP1)");
    assert_eq!((RELEASES[x86].major, RELEASES[x86].minor), (5, 2));
    for arch in [Arch::X86, Arch::X64] {
        let of_arch: Vec<_> = RELEASES.iter().filter(|r| r.arch == arch).collect();
        let mut seen = HashSet::new();
        for pair in of_arch.windows(2) {
            assert!(
                (pair[0].major, pair[0].minor, pair[0].build)
                    <= (pair[1].major, pair[1].minor, pair[1].build),
                "{arch:?}: {} after {}",
                pair[1].name,
                pair[0].name
            );
        }
        for r in of_arch {
            assert!(seen.insert(r.name), "{arch:?} {} twice", r.name);
            assert!(r.build != 0, "{}: no build", r.name);
        }
    }
}

#[test]
fn every_entry_is_well_formed() {
    for pair in SERVICES.windows(2) {
        assert!(pair[0].name <= pair[1].name, "SERVICES not sorted");
        assert!(pair[0] != pair[1], "{} twice", pair[0].name);
    }
    let mut used = HashSet::new();
    for r in &RELEASES {
        assert!(r.services.last().is_some_and(|&i| i != NONE), "{}", r.name);
        let mut seen = HashSet::new();
        for (nr, &i) in r.services.iter().enumerate() {
            if i == NONE {
                continue;
            }
            assert!(usize::from(i) < SERVICES.len(), "{} {nr:#x}", r.name);
            used.insert(i);
            let info = &SERVICES[usize::from(i)];
            assert!(info.name.starts_with("Nt"), "{} {nr:#x}", r.name);
            assert!(seen.insert(info.name), "{}: {} twice", r.name, info.name);
        }
    }
    assert_eq!(
        used.len(),
        SERVICES.len(),
        "SERVICES entries no release uses"
    );
    for info in &SERVICES {
        let Some(args) = info.args else { continue };
        let mut arg_names = HashSet::new();
        for (i, &(name, kind)) in args.iter().enumerate() {
            assert!(!name.is_empty(), "{}: arg {i} unnamed", info.name);
            assert!(arg_names.insert(name), "{}: {name} twice", info.name);
            let (BufIn(target) | BufOut(target) | HandleArray(target)) = kind else {
                continue;
            };
            let target = usize::from(target);
            assert!(
                target < args.len() && target != i,
                "{}: {name} is {kind:?}, no such other argument",
                info.name
            );
            assert_eq!(
                args[target].1, UInt,
                "{}: {name}'s length or count",
                info.name
            );
        }
    }
}

/// Regression guard: the committed tables are the script's output. Needs
/// python3 and `../shared/reference/windows-syscalls` and
/// `windows-prototypes` beside the repository; without them the test is
/// skipped, unless `CI` is set.
#[test]
fn generated_file_is_what_the_script_makes() {
    crate::os::assert_generated(
        "analyzer/tables/windows_syscalls.py",
        &["windows-syscalls", "windows-prototypes"],
        "analyzer/src/os/windows/syscalls.rs",
        include_str!("syscalls.rs"),
    );
}
