#!/usr/bin/env python3
"""Generate analyzer/src/os/windows/syscalls.rs: the Windows NT system service
tables (ntoskrnl, service table 0) of every x86 and x64 release in the
reference data: service numbers, parameter names, how each parameter is shown.

    python3 analyzer/tables/windows_syscalls.py [REFERENCE] [--output FILE]

REFERENCE is the folder that holds windows-syscalls/ and windows-prototypes/
(default: ../shared/reference relative to the repository root). FILE defaults
to analyzer/src/os/windows/syscalls.rs; `-` writes to standard output. Python 3
standard library only.

Where each piece comes from (see the two SOURCES.md files):
- numbers and names: windows-syscalls/{x86,x64}/nt.csv, from j00ru/windows-syscalls
  (no licence stated; a table of facts). One column = one release; every column
  of both files becomes a Release, x86 first, in file order. Service tables that
  are identical between releases are written once.
- parameter names and C types, by release:
  - up to Windows 7 (NtMajorVersion.NtMinorVersion <= 6.1): PANDA's numbered
    file where one covers the release and arch (windows_xpsp3_x86 for XP SP2 and
    SP3 x86, windows_7_x86 / windows_7_x64 for 7 SP0 and SP1), after checking
    that every number in it names the same service as the CSV column (else the
    script stops); otherwise PANDA's all_windows_prototypes.txt (Windows 7's
    signatures, used for every older release too); for a service PANDA lacks,
    phnt-derived; PANDA is GPL-2.0-or-later.
  - Windows 8 and later: phnt-derived (MIT); where phnt declares a service twice
    the variant whose `phnt_version_guard` holds for the release's build is
    taken (NtWaitForWorkViaWorkerFactory); for a service phnt lacks, PANDA's
    all_windows_prototypes.txt (NtApphelpCacheControl).
  - a service no source has gets args None: the analyzer shows raw values.
- parameter directions: phnt's `direction` (read from its SAL annotations). PANDA
  has no annotations, so a PANDA parameter takes the direction and SAL of the
  phnt parameter it lines up with: by position when the two signatures have the
  same length and agree on which parameters are pointers, else by name. A PANDA
  parameter with no phnt counterpart has no known direction (see `kind_of`).

How a parameter is shown (an ArgKind of analyzer/src/os/windows/args.rs) is
derived from its C type, name and direction by the rules in `kind_of`, after
the per-service table OVERRIDES, which holds what the rules cannot know.

The output is formatted so that rustfmt leaves it unchanged (the big tables are
#[rustfmt::skip], one entry a line), so a test can compare this script's output
with the committed file byte for byte.
"""

import argparse
import csv
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO / "analyzer" / "src" / "os" / "windows" / "syscalls.rs"
COMMAND = "python3 analyzer/tables/windows_syscalls.py"

NUMBERS = "windows-syscalls"
PROTOTYPES = "windows-prototypes"
PANDA_ALL = "panda/all_windows_prototypes.txt"
PHNT_JSON = "phnt-derived/nt_syscall_prototypes.json"


class DataError(Exception):
    """The reference data or the hand-written tables are inconsistent."""


# ---------------------------------------------------------------------------
# Releases: what the CSV headers do not say.

# Where a build number comes from, for the comment on its Release.
BUILD_NOTES = {
    "p": None,  # phnt.h, as quoted in windows-syscalls/SOURCES.md
    "k": "build: SOURCES.md's general knowledge, not from the data",
    "g": "build: best-known public value, not in the reference data",
}

# arch -> column header -> (NtMajorVersion, NtMinorVersion, build, note key,
# extra comment or None). NT 3.1 reports 3.10, 3.5 3.50. A service pack does
# not change the build number, so columns of one release share it.
RELEASE_FACTS = {
    "x86": {
        "Windows NT 3.x (3.1)": (3, 10, 511, "g", None),
        "Windows NT 3.x (3.5)": (3, 50, 807, "g", None),
        "Windows NT 3.x (3.51)": (3, 51, 1057, "g", None),
        "Windows NT 4.0 (SP0)": (4, 0, 1381, "g", None),
        "Windows NT 4.0 (SP1)": (4, 0, 1381, "g", None),
        "Windows NT 4.0 (SP2)": (4, 0, 1381, "g", None),
        "Windows NT 4.0 (SP3)": (4, 0, 1381, "g", None),
        "Windows NT 4.0 (SP3 TSE)": (4, 0, 1381, "g", "Terminal Server Edition"),
        "Windows NT 4.0 (SP4)": (4, 0, 1381, "g", None),
        "Windows NT 4.0 (SP5)": (4, 0, 1381, "g", None),
        "Windows NT 4.0 (SP6)": (4, 0, 1381, "g", None),
        "Windows 2000 (SP0)": (5, 0, 2195, "g", None),
        "Windows 2000 (SP1)": (5, 0, 2195, "g", None),
        "Windows 2000 (SP2)": (5, 0, 2195, "g", None),
        "Windows 2000 (SP3)": (5, 0, 2195, "g", None),
        "Windows 2000 (SP4)": (5, 0, 2195, "g", None),
        "Windows XP (SP0)": (5, 1, 2600, "g", None),
        "Windows XP (SP1)": (5, 1, 2600, "g", None),
        "Windows XP (SP2)": (5, 1, 2600, "g", None),
        "Windows XP (SP3)": (5, 1, 2600, "k", None),
        "Windows Server 2003 (SP0)": (5, 2, 3790, "g", None),
        "Windows Server 2003 (SP1)": (5, 2, 3790, "g", None),
        "Windows Server 2003 (SP2)": (5, 2, 3790, "g", None),
        "Windows Server 2003 (R2)": (5, 2, 3790, "g", None),
        "Windows Server 2003 (R2 SP2)": (5, 2, 3790, "g", None),
        "Windows Vista (SP0)": (6, 0, 6000, "g", None),
        "Windows Vista (SP1)": (6, 0, 6001, "g", "also Server 2008"),
        "Windows Vista (SP2)": (6, 0, 6002, "g", None),
        "Windows 7 (SP0)": (6, 1, 7600, "g", None),
        "Windows 7 (SP1)": (6, 1, 7601, "k", None),
        "Windows 8 (8.0)": (6, 2, 9200, "g", None),
        "Windows 8 (8.1)": (6, 3, 9600, "g", None),
        "Windows 10 (1507)": (10, 0, 10240, "p", None),
        "Windows 10 (1511)": (10, 0, 10586, "p", None),
        "Windows 10 (1607)": (10, 0, 14393, "p", None),
        "Windows 10 (1703)": (10, 0, 15063, "p", None),
        "Windows 10 (1709)": (10, 0, 16299, "p", None),
        "Windows 10 (1803)": (10, 0, 17134, "p", None),
        "Windows 10 (1809)": (10, 0, 17763, "p", None),
        "Windows 10 (1903)": (10, 0, 18362, "p", None),
        "Windows 10 (1909)": (10, 0, 18363, "p", None),
        "Windows 10 (2004)": (10, 0, 19041, "p", None),
        "Windows 10 (20H2)": (10, 0, 19042, "p", None),
        "Windows 10 (21H1)": (10, 0, 19043, "p", None),
        "Windows 10 (21H2)": (10, 0, 19044, "p", None),
        "Windows 10 (22H2)": (10, 0, 19045, "p", None),
    },
    "x64": {
        "Windows XP (SP1)": (5, 2, 3790, "g", "XP Professional x64 Edition: the Server 2003 SP1 kernel"),
        "Windows XP (SP2)": (5, 2, 3790, "g", "XP Professional x64 Edition SP2"),
        "Windows Server 2003 (SP0)": (5, 2, 3790, "g", None),
        "Windows Server 2003 (SP2)": (5, 2, 3790, "g", None),
        "Windows Server 2003 (R2)": (5, 2, 3790, "g", None),
        "Windows Server 2003 (R2 SP2)": (5, 2, 3790, "g", None),
        "Windows Vista (SP0)": (6, 0, 6000, "g", None),
        "Windows Vista (SP1)": (6, 0, 6001, "g", "also Server 2008"),
        "Windows Vista (SP2)": (6, 0, 6002, "g", None),
        "Windows 7 (SP0)": (6, 1, 7600, "g", None),
        "Windows 7 (SP1)": (6, 1, 7601, "k", None),
        "Windows 8 (8.0)": (6, 2, 9200, "g", None),
        "Windows 8 (8.1)": (6, 3, 9600, "g", None),
        "Windows 10 (1507)": (10, 0, 10240, "p", None),
        "Windows 10 (1511)": (10, 0, 10586, "p", None),
        "Windows 10 (1607)": (10, 0, 14393, "p", None),
        "Windows 10 (1703)": (10, 0, 15063, "p", None),
        "Windows 10 (1709)": (10, 0, 16299, "p", None),
        "Windows 10 (1803)": (10, 0, 17134, "p", None),
        "Windows 10 (1809)": (10, 0, 17763, "p", None),
        "Windows 10 (1903)": (10, 0, 18362, "p", None),
        "Windows 10 (1909)": (10, 0, 18363, "p", None),
        "Windows 10 (2004)": (10, 0, 19041, "p", None),
        "Windows 10 (20H2)": (10, 0, 19042, "p", None),
        "Windows 10 (21H1)": (10, 0, 19043, "p", None),
        "Windows 10 (21H2)": (10, 0, 19044, "p", None),
        "Windows 10 (22H2)": (10, 0, 19045, "p", None),
        "Windows 11 and Server (Server 2022)": (10, 0, 20348, "k", None),
        "Windows 11 and Server (11 21H2)": (10, 0, 22000, "p", None),
        "Windows 11 and Server (11 22H2)": (10, 0, 22621, "p", None),
        "Windows 11 and Server (11 23H2)": (10, 0, 22631, "p", None),
        "Windows 11 and Server (Server 23H2)": (10, 0, 25398, "k", None),
        "Windows 11 and Server (11 24H2)": (10, 0, 26100, "p", None),
        "Windows 11 and Server (Server 2025)": (10, 0, 26100, "k", None),
        "Windows 11 and Server (11 25H2)": (10, 0, 26200, "k", None),
    },
}

# Server releases, which release_for passes over when a client release has
# the same build (11 24H2 and Server 2025 are both 26100; XP x64 and Server
# 2003 x64 are both 3790).
SERVER = re.compile(r"^Windows Server |\(Server ")

# PANDA's numbered files: arch -> columns they cover -> file.
PANDA_NUMBERED = {
    ("x86", "Windows XP (SP2)"): "panda/windows_xpsp3_x86_prototypes.txt",
    ("x86", "Windows XP (SP3)"): "panda/windows_xpsp3_x86_prototypes.txt",
    ("x86", "Windows 7 (SP0)"): "panda/windows_7_x86_prototypes.txt",
    ("x86", "Windows 7 (SP1)"): "panda/windows_7_x86_prototypes.txt",
    ("x64", "Windows 7 (SP0)"): "panda/windows_7_x64_prototypes.txt",
    ("x64", "Windows 7 (SP1)"): "panda/windows_7_x64_prototypes.txt",
}

# phnt.h's version constants, as build numbers (phnt_version_guard compares
# PHNT_VERSION with them; a release's PHNT_VERSION is its build).
PHNT_VERSIONS = {
    "PHNT_WINDOWS_XP": 2600,
    "PHNT_WINDOWS_SERVER_2003": 3790,
    "PHNT_WINDOWS_VISTA": 6000,
    "PHNT_WINDOWS_7": 7600,
    "PHNT_WINDOWS_8": 9200,
    "PHNT_WINDOWS_8_1": 9600,
    "PHNT_WINDOWS_10": 10240,
    "PHNT_WINDOWS_10_TH2": 10586,
    "PHNT_WINDOWS_10_RS1": 14393,
    "PHNT_WINDOWS_10_RS2": 15063,
    "PHNT_WINDOWS_10_RS3": 16299,
    "PHNT_WINDOWS_10_RS4": 17134,
    "PHNT_WINDOWS_10_RS5": 17763,
    "PHNT_WINDOWS_10_19H1": 18362,
    "PHNT_WINDOWS_10_19H2": 18363,
    "PHNT_WINDOWS_10_20H1": 19041,
    "PHNT_WINDOWS_10_20H2": 19042,
    "PHNT_WINDOWS_10_21H1": 19043,
    "PHNT_WINDOWS_10_21H2": 19044,
    "PHNT_WINDOWS_10_22H2": 19045,
    "PHNT_WINDOWS_11": 22000,
    "PHNT_WINDOWS_11_22H2": 22621,
    "PHNT_WINDOWS_11_23H2": 22631,
    "PHNT_WINDOWS_11_24H2": 26100,
}


class Release:
    def __init__(self, arch, column, header, facts, services):
        self.arch = arch  # "x86" / "x64"
        self.column = column  # position in the CSV (1-based; 0 is the name)
        self.name = header
        self.major, self.minor, self.build, self.note, self.comment = facts
        self.services = services  # number -> name
        self.table = None  # number -> SERVICES index, filled in later
        self.static = None  # the Rust static holding the table

    @property
    def up_to_7(self):
        return (self.major, self.minor) <= (6, 1)


# ---------------------------------------------------------------------------
# Reading the sources

def read_numbers(path, arch):
    """[Release] of one CSV, in column order, with number -> name."""
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0][0] != "System call":
        raise DataError(f"{path}: the first column is not `System call`")
    header = rows[0]
    facts = RELEASE_FACTS[arch]
    unknown = [h for h in header[1:] if h not in facts]
    if unknown:
        raise DataError(f"{path}: columns {unknown} are not in RELEASE_FACTS[{arch!r}]; "
                        "add their version and build")
    missing = set(facts) - set(header[1:])
    if missing:
        raise DataError(f"{path}: RELEASE_FACTS[{arch!r}] names columns the file lacks: "
                        f"{sorted(missing)}")
    if len(set(header)) != len(header):
        raise DataError(f"{path}: a column header twice")
    releases = [Release(arch, j, h, facts[h], {}) for j, h in enumerate(header) if j]
    names = set()
    for lineno, row in enumerate(rows[1:], 2):
        if len(row) != len(header):
            raise DataError(f"{path}:{lineno}: {len(row)} cells, {len(header)} columns")
        name = row[0]
        if not re.fullmatch(r"Nt[A-Za-z0-9]+", name):
            raise DataError(f"{path}:{lineno}: not a service name: {name!r}")
        if name in names:
            raise DataError(f"{path}:{lineno}: {name} twice")
        names.add(name)
        for release in releases:
            cell = row[release.column]
            if not cell:
                continue
            if not re.fullmatch(r"0x[0-9a-fA-F]{1,4}", cell):
                raise DataError(f"{path}:{lineno}: {name} in {release.name}: {cell!r}")
            number = int(cell, 16)
            if number >= 0x1000:
                raise DataError(f"{path}:{lineno}: {name} in {release.name}: {cell} is "
                                "not in service table 0")
            if number in release.services:
                raise DataError(f"{path}:{lineno}: {release.name}: {cell} is both "
                                f"{release.services[number]} and {name}")
            release.services[number] = name
    for release in releases:
        if not release.services:
            raise DataError(f"{path}: column {release.name} is empty")
    return releases


PANDA_LINE = re.compile(r"^(?:(\d+) )?(\w+) (Nt\w+) ?\((.*)\);$")
PANDA_PARAM = re.compile(r"^(\w+) (\*?)(\w+)(\[\])?$")


def read_panda(path, numbered):
    """numbered: number -> (name, [Param]); else name -> [Param]."""
    table = {}
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name}:{lineno}"
        match = PANDA_LINE.match(line.strip())
        if not match or (match[1] is None) == numbered:
            raise DataError(f"{where}: not `{'<number> ' if numbered else ''}"
                            f"<type> Nt<name> (<params>);`: {line!r}")
        name = match[3]
        params = []
        for i, text in enumerate(t.strip() for t in match[4].split(",") if t.strip()):
            p = PANDA_PARAM.match(text)
            if not p:
                raise DataError(f"{where}: {name}: parameter {i} not `<type> <name>`: {text!r}")
            type_text = p[1] + (" *" if p[2] else "") + (" []" if p[4] else "")
            params.append(Param(f"{where} {name}", p[3], type_text))
        key = int(match[1]) if numbered else name
        if key in table:
            raise DataError(f"{where}: {key} twice")
        table[key] = (name, params) if numbered else params
    return table


def read_phnt(path):
    """name -> [(guard or None, [Param])]."""
    data = json.loads(path.read_text())
    table = {}
    for entry in data["syscalls"]:
        name = entry["name"]
        params = []
        for i, p in enumerate(entry["params"]):
            # phnt leaves some _Reserved_ parameters unnamed.
            pname = p["name"] or f"Reserved{i}"
            param = Param(f"phnt {name}", pname, p["type"], p["direction"], p["sal"])
            params.append(param)
        if len(params) != entry["param_count"]:
            raise DataError(f"{path.name}: {name}: param_count {entry['param_count']} "
                            f"but {len(params)} params")
        for p in params:
            p.resolve_sal(params)
        table.setdefault(name, []).append((entry["phnt_version_guard"], params))
    return table


GUARD_TOKEN = re.compile(r"\s*(PHNT_VERSION|PHNT_\w+|>=|<=|==|!=|<|>|&&|\|\||!|\(|\))")


def guard_holds(guard, build):
    """Whether a phnt `#if` condition holds for PHNT_VERSION == build."""
    if guard is None:
        return True
    python = []
    pos = 0
    while pos < len(guard):
        match = GUARD_TOKEN.match(guard, pos)
        if not match:
            raise DataError(f"phnt_version_guard: cannot read {guard!r}")
        token = match[1]
        pos = match.end()
        if token == "PHNT_VERSION":
            python.append(str(build))
        elif token.startswith("PHNT_"):
            if token not in PHNT_VERSIONS:
                raise DataError(f"phnt_version_guard: unknown {token}; add it to PHNT_VERSIONS")
            python.append(str(PHNT_VERSIONS[token]))
        else:
            python.append({"&&": "and", "||": "or", "!": "not"}.get(token, token))
    return bool(eval(" ".join(python), {"__builtins__": {}}))  # digits and operators only


# ---------------------------------------------------------------------------
# Parameters

# Integer types (typedefs of integers and enums) that are not pointers, though
# some begin with P. Every type not here is a pointer, and must look like one.
SCALAR_TYPES = {
    "HANDLE", "ULONG", "LONG", "USHORT", "UCHAR", "BOOLEAN", "LOGICAL", "SIZE_T",
    "ULONG_PTR", "ULONG64", "ACCESS_MASK", "NTSTATUS", "LANGID", "LCID", "KAFFINITY",
    "RTL_ATOM", "ALPC_HANDLE", "WNF_CHANGE_STAMP", "EXECUTION_STATE",
    "SECURITY_INFORMATION", "LATENCY_TIME", "WIN32_PROTECTION_MASK",
    "NOTIFICATION_MASK", "SE_SIGNING_LEVEL",
    # enums
    "APPHELPCOMMAND", "ALPC_MESSAGE_INFORMATION_CLASS", "ALPC_PORT_INFORMATION_CLASS",
    "ATOM_INFORMATION_CLASS", "AUDIT_EVENT_TYPE", "DEBUGOBJECTINFOCLASS",
    "DEVICE_POWER_STATE", "DIRECTORY_NOTIFY_INFORMATION_CLASS",
    "ENLISTMENT_INFORMATION_CLASS", "ETWTRACECONTROLCODE", "EVENT_INFORMATION_CLASS",
    "EVENT_TYPE", "FILE_INFORMATION_CLASS", "FILTER_BOOT_OPTION_OPERATION",
    "FS_INFORMATION_CLASS", "FSINFOCLASS", "HOT_PATCH_INFORMATION_CLASS",
    "IO_COMPLETION_INFORMATION_CLASS", "IO_SESSION_EVENT", "IO_SESSION_STATE",
    "JOBOBJECTINFOCLASS", "KEY_INFORMATION_CLASS", "KEY_SET_INFORMATION_CLASS",
    "KEY_VALUE_INFORMATION_CLASS", "KPROFILE_SOURCE", "KTMOBJECT_TYPE",
    "MEMORY_INFORMATION_CLASS", "MEMORY_RESERVE_TYPE", "MUTANT_INFORMATION_CLASS",
    "OBJECT_INFORMATION_CLASS", "PARTITION_INFORMATION_CLASS", "PLUGPLAY_CONTROL_CLASS",
    "PORT_INFORMATION_CLASS", "POWER_ACTION", "POWER_INFORMATION_LEVEL",
    "PROCESS_ACTIVITY_TYPE", "PROCESS_STATE_CHANGE_TYPE", "PROCESSINFOCLASS",
    "RESOURCEMANAGER_INFORMATION_CLASS", "SECTION_INFORMATION_CLASS", "SECTION_INHERIT",
    "SECURE_SETTING_VALUE_TYPE", "SEMAPHORE_INFORMATION_CLASS", "SHUTDOWN_ACTION",
    "SYMBOLIC_LINK_INFO_CLASS", "SYSDBG_COMMAND", "SYSTEM_INFORMATION_CLASS",
    "SYSTEM_POWER_STATE", "THREAD_STATE_CHANGE_TYPE", "THREADINFOCLASS",
    "TIMER_INFORMATION_CLASS", "TIMER_SET_INFORMATION_CLASS", "TIMER_TYPE",
    "TOKEN_INFORMATION_CLASS", "TOKEN_TYPE", "TRANSACTION_INFORMATION_CLASS",
    "TRANSACTIONMANAGER_INFORMATION_CLASS", "VDMSERVICECLASS",
    "VIRTUAL_MEMORY_INFORMATION_CLASS", "WAIT_TYPE", "WNF_DATA_SCOPE",
    "WNF_STATE_NAME_INFORMATION", "WNF_STATE_NAME_LIFETIME", "WORKERFACTORYINFOCLASS",
}
# Structures passed by value: none are registers-sized, so none may appear.
# A P-type whose name reads like an enum must be listed in SCALAR_TYPES (or
# here, if it really is a pointer).
POINTER_TYPES_LIKE_ENUMS = set()
ENUM_LIKE = re.compile(r"(CLASS|_TYPE|_LEVEL|_ACTION|_STATE|_COMMAND|_OPERATION|_LIFETIME|_SCOPE)$")

# Pointer typedefs spelled differently by the two sources, or const-qualified:
# spelling -> (canonical spelling, points to const).
TYPE_ALIASES = {
    "PCOBJECT_ATTRIBUTES": ("POBJECT_ATTRIBUTES", True),
    "PCUNICODE_STRING": ("PUNICODE_STRING", True),
    "PCWSTR": ("PWSTR", True),
    "PCWNF_STATE_NAME": ("PWNF_STATE_NAME", True),
    "PCWNF_TYPE_ID": ("PWNF_TYPE_ID", True),
    "PCGUID": ("PGUID", True),
    "LPCGUID": ("PGUID", True),
    "LPGUID": ("PGUID", False),
    # PANDA's (older) names for the process-creation structures.
    "PPROCESS_ATTRIBUTE_LIST": ("PPS_ATTRIBUTE_LIST", False),
    "PPROCESS_CREATE_INFO": ("PPS_CREATE_INFO", False),
}

# SAL: a buffer whose size in bytes is another parameter (a plain name; a
# size behind a pointer or in a structure is not followed).
SAL_BYTES = re.compile(r"^_(In_reads|Out_writes|Inout_updates)_bytes(?:_to)?(?:_opt)?_\((\w+)\s*[,)]")
# SAL: an array of elements (not bytes).
SAL_ELEMENTS = re.compile(r"^_(In_reads|Out_writes|Inout_updates)(?:_to)?(?:_opt)?_\(")
SAL_DIRECTION = {"In_reads": "in", "Out_writes": "out", "Inout_updates": "inout"}


class Param:
    """One parameter: its name, its C type taken apart, and what phnt says of it."""

    def __init__(self, where, name, type_text, direction=None, sal=""):
        self.name = name
        self.type_text = type_text
        tokens = re.findall(r"\w+|\*|\[\]", type_text)
        first_star = next((i for i, t in enumerate(tokens) if t in ("*", "[]")), len(tokens))
        self.const = "const" in tokens[:first_star]
        self.array = "[]" in tokens
        words = [t for t in tokens if t not in ("const", "volatile", "*", "[]")]
        if len(words) != 1:
            raise DataError(f"{where}: {name}: cannot read type {type_text!r}")
        base = words[0]
        for _ in range(tokens.count("*") + tokens.count("[]")):
            base = "PVOID" if base == "VOID" else "P" + base
        if base in TYPE_ALIASES:
            base, const = TYPE_ALIASES[base]
            self.const = self.const or const
        self.ctype = base
        if base in SCALAR_TYPES:
            self.pointer = False
        elif re.match(r"^P[A-Z0-9_]+$", base):
            if (ENUM_LIKE.search(base) and base[1:] not in SCALAR_TYPES
                    and base not in POINTER_TYPES_LIKE_ENUMS):
                raise DataError(f"{where}: {name}: is {base} an enum or a pointer? List it "
                                "in SCALAR_TYPES or POINTER_TYPES_LIKE_ENUMS")
            self.pointer = True
        else:
            raise DataError(f"{where}: {name}: unknown type {type_text!r}; add it to "
                            "SCALAR_TYPES")
        if direction not in (None, "in", "out", "inout", "reserved"):
            raise DataError(f"{where}: {name}: unknown direction {direction!r}")
        self.direction = direction  # None: unknown (PANDA with no phnt counterpart)
        self.sal = sal
        self.buffer = None  # ("in"/"out"/"inout", index of the byte count)
        if SAL_ELEMENTS.match(sal) and not SAL_BYTES.match(sal):
            self.array = True

    def resolve_sal(self, params):
        """Find the byte-count parameter named in the SAL, among params."""
        match = SAL_BYTES.match(self.sal)
        if not match:
            return
        names = [p.name for p in params]
        if match[2] in names and not params[names.index(match[2])].pointer:
            self.buffer = (SAL_DIRECTION[match[1]], names.index(match[2]))

    def learn_from(self, other, position_of):
        """Take direction and buffer size of the phnt parameter `other`;
        position_of maps a phnt position to ours (or None)."""
        self.direction = other.direction
        self.array = self.array or other.array
        if other.buffer:
            target = position_of(other.buffer[1])
            if target is not None:
                self.buffer = (other.buffer[0], target)


def align(service, panda, phnt_variants, report):
    """Give PANDA's parameters the directions of phnt's (see the docstring)."""
    for variant in phnt_variants:
        if len(variant) == len(panda) and all(
                a.pointer == b.pointer for a, b in zip(panda, variant)):
            for a, b in zip(panda, variant):
                a.learn_from(b, lambda i: i)
            return
    phnt = phnt_variants[0] if phnt_variants else []
    by_name = {p.name: i for i, p in enumerate(phnt)}
    ours = {p.name: i for i, p in enumerate(panda)}
    for p in panda:
        i = by_name.get(p.name)
        if i is not None and phnt[i].pointer == p.pointer:
            p.learn_from(phnt[i], lambda j: ours.get(phnt[j].name))
        elif not p.pointer:
            p.direction = "in"
        else:
            report.append(f"{service}: PANDA parameter {p.name} ({p.ctype}): no phnt "
                          "counterpart, direction unknown")


# ---------------------------------------------------------------------------
# Kinds

# Overrides: what the rules cannot know, by service then parameter name (an
# override must name a parameter of at least one signature of the service).
# A value is an ArgKind as written in Rust; `@name` stands for the position of
# the parameter called name (positions differ between signatures).
OVERRIDES = {
    "NtSetValueKey": {"Type": "RegType"},
    "NtDuplicateObject": {"Options": "DuplicateOptions"},
    # Thread ids, typed HANDLE: not handles.
    "NtAlertThreadByThreadId": {"ThreadId": "UInt"},
    "NtAlertThreadByThreadIdEx": {"ThreadId": "UInt"},
    # PANDA types it PULONG; it is a PSID (phnt).
    "NtQueryQuotaInformationFile": {"StartSid": "Ptr"},
    # The buffer NtCreateProfile(Ex) is given is filled by the profiler later.
    "NtCreateProfile": {"Buffer": "Ptr"},
    "NtCreateProfileEx": {"Buffer": "Ptr"},
    # The structures these fill have a fixed size and no length argument.
    "NtQueryAttributesFile": {"FileInformation": "FileBasicInfoOut"},
    "NtQueryFullAttributesFile": {"FileInformation": "FileNetworkOpenInfoOut"},
    # An array of Count handles.
    "NtWaitForMultipleObjects": {"Handles": "HandleArray(0)"},
    "NtWaitForMultipleObjects32": {"Handles": "HandleArray(0)"},
}

# Names of ULONG/USHORT/SIZE_T/ULONG_PTR/LONG parameters that are counts,
# sizes or lengths: shown in decimal.
COUNT_NAME = re.compile(
    r"(Length|Len|Size|Count|Quota|PoolUsage|ToRead|ToWrite|Index|Entries|Pages|Threads"
    r"|Instances|OfParameters|OfAttributes|InSeconds|StackCommit|StackReserve|Commitment"
    r"|^NumJob)$")
# Page protection (PAGE_*): Protect, NewProtect, Win32Protect, PageProtection,
# SectionPageProtection, NewProtection, PANDA's NewProtectWin32.
PROTECT_NAME = re.compile(r"Protect(ion|Win32)?$")

# Scalar types with a kind of their own.
SCALAR_KINDS = {
    "HANDLE": "Handle",
    "ACCESS_MASK": "AccessMask",
    "BOOLEAN": "Bool",
    "NTSTATUS": "Status",
    "FILE_INFORMATION_CLASS": "FileInfoClass",
    "PROCESSINFOCLASS": "ProcessInfoClass",
    "THREADINFOCLASS": "ThreadInfoClass",
    "KEY_VALUE_INFORMATION_CLASS": "KeyValueInfoClass",
    "KEY_INFORMATION_CLASS": "KeyInfoClass",
    "SYSTEM_INFORMATION_CLASS": "SystemInfoClass",
    "MEMORY_INFORMATION_CLASS": "MemoryInfoClass",
    "SECTION_INHERIT": "SectionInherit",
    "WIN32_PROTECTION_MASK": "PageProtect",
    "FS_INFORMATION_CLASS": "FsInfoClass",
    "FSINFOCLASS": "FsInfoClass",
    "WAIT_TYPE": "WaitType",
}
# Scalar names with a kind of their own.
SCALAR_NAMES = {
    "DesiredAccess": "AccessMask",  # PANDA types some ULONG
    "ZeroBits": "Hex",  # a bit count, or on x64 a mask (SIZE_T or ULONG_PTR)
    "TitleIndex": "Hex",  # reserved, 0
    "FileAttributes": "FileAttributes",
    "ShareAccess": "ShareAccess",
    "CreateDisposition": "CreateDisposition",
    "AllocationType": "AllocationType",
    "FreeType": "AllocationType",
    "AllocationAttributes": "SectionAttributes",
    "IoControlCode": "IoControlCode",
    "FsControlCode": "IoControlCode",
}
INTEGER_TYPES = {"ULONG", "USHORT", "UCHAR", "LONG", "SIZE_T", "ULONG_PTR", "ULONG64"}


def kind_of(params, i):
    """The ArgKind of params[i] by the rules, as Rust text.

    Pointers (after _Reserved_ ones, which are Ptr):
    - an array (declared `[]`, or SAL `_In_reads_(Count)` and the like) -> Ptr
    - PHANDLE: out/inout/unknown -> HandleOut, in (an array) -> Ptr
    - POBJECT_ATTRIBUTES (and PCOBJECT_ATTRIBUTES) -> ObjectAttributes
    - PUNICODE_STRING (and PCUNICODE_STRING): in/unknown -> UnicodeString, else Ptr
    - PIO_STATUS_BLOCK: out/unknown -> IoStatusBlock; in (the IoRequestToCancel
      of NtCancelIoFileEx: an address that names a request) -> Ptr
    - PLARGE_INTEGER: out -> LargeIntegerOut; in/inout/unknown -> LargeIntegerIn
      (inout: SectionOffset and NewSectionSize, where the caller's value matters)
    - PULONG: in -> ULongIn; out and inout -> ULongOut (inout ones are a buffer
      size the kernel replaces by the size needed, or an enumeration context);
      unknown -> Ptr
    - PSIZE_T, and PULONG_PTR not an array -> SizeInOut, also when the kernel
      only writes it (NumberOfBytesRead): args.rs has no SizeOut, and
      `[before => after]` still shows the value written
    - PVOID * : inout -> PtrInOut (BaseAddress); else Ptr
    - PCLIENT_ID: in -> ClientId; out -> Ptr
    - PPS_ATTRIBUTE_LIST -> PsAttributeList
    - PRTL_USER_PROCESS_PARAMETERS, or any pointer named ProcessParameters ->
      ProcessParameters
    - a buffer whose size in bytes is another parameter by SAL
      (`_In_reads_bytes_(Length)`, `_Out_writes_bytes_to_(Length, ...)`): in ->
      BufIn(position of the size), out or inout -> BufOut(position)
    - every other pointer -> Ptr
    Integers:
    - _Reserved_ -> Hex
    - by type: HANDLE -> Handle, ACCESS_MASK -> AccessMask, BOOLEAN -> Bool,
      NTSTATUS -> Status, the information classes with a name table
      (FILE_/PROCESS/THREAD/KEY_VALUE_/KEY_/SYSTEM_/MEMORY_INFORMATION_CLASS) ->
      their kinds, SECTION_INHERIT -> SectionInherit, WIN32_PROTECTION_MASK ->
      PageProtect
    - by name: FileAttributes, ShareAccess, CreateDisposition -> the kinds of the
      same names; DesiredAccess (PANDA types some ULONG) -> AccessMask; ZeroBits
      and TitleIndex -> Hex; CreateOptions/OpenOptions -> CreateOptions in a service with an
      IO_STATUS_BLOCK (a file; NtCreateKey's are REG_OPTION_*, Hex);
      *Protect/*Protection -> PageProtect; AllocationType/FreeType ->
      AllocationType; AllocationAttributes -> SectionAttributes
    - the byte count of a buffer, and counts, sizes and lengths by name
      (COUNT_NAME), and every SIZE_T -> UInt
    - everything else (flags, masks, other enums, codes) -> Hex
    """
    p = params[i]
    n = p.name
    d = p.direction

    if p.pointer:
        if d == "reserved" or p.array:
            return "Ptr"
        t = p.ctype
        if t == "PHANDLE":
            return "Ptr" if d == "in" else "HandleOut"
        if t == "POBJECT_ATTRIBUTES":
            return "ObjectAttributes"
        if t == "PUNICODE_STRING":
            return "UnicodeString" if d in ("in", None) else "Ptr"
        if t == "PIO_STATUS_BLOCK":
            return "Ptr" if d == "in" else "IoStatusBlock"
        if t == "PLARGE_INTEGER":
            return "LargeIntegerOut" if d == "out" else "LargeIntegerIn"
        if t == "PULONG" and not p.buffer:
            return {"in": "ULongIn", "out": "ULongOut", "inout": "ULongOut"}.get(d, "Ptr")
        if t == "PSIZE_T" or t == "PULONG_PTR":
            return "SizeInOut"
        if t == "PPVOID":
            return "PtrInOut" if d == "inout" else "Ptr"
        if t == "PCLIENT_ID":
            return "ClientId" if d == "in" else "Ptr"
        if t == "PPS_ATTRIBUTE_LIST":
            return "PsAttributeList"
        if t == "PRTL_USER_PROCESS_PARAMETERS" or n == "ProcessParameters":
            return "ProcessParameters"
        if p.buffer:
            way, size = p.buffer
            return f"{'BufIn' if way == 'in' else 'BufOut'}({size})"
        return "Ptr"

    if d == "reserved":
        return "Hex"
    if p.ctype in SCALAR_KINDS:
        return SCALAR_KINDS[p.ctype]
    if p.ctype in INTEGER_TYPES:
        if n in SCALAR_NAMES:
            return SCALAR_NAMES[n]
        if n in ("CreateOptions", "OpenOptions"):
            if any(q.ctype == "PIO_STATUS_BLOCK" for q in params):
                return "CreateOptions"
            return "Hex"
        if PROTECT_NAME.search(n):
            return "PageProtect"
        if p.ctype == "SIZE_T" or COUNT_NAME.search(n):
            return "UInt"
    return "Hex"


REFERENCE = re.compile(r"@(\w+)")


def kinds(service, params):
    """((name, ArgKind as Rust text), ...) for a signature."""
    overrides = OVERRIDES.get(service, {})
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise DataError(f"{service}: a parameter name twice: {names}")
    result = []
    for i, p in enumerate(params):
        if p.name in overrides:
            kind = REFERENCE.sub(lambda m: str(names.index(m[1])), overrides[p.name])
        else:
            kind = kind_of(params, i)
        result.append([p.name, kind])
    # A buffer's byte count is an unsigned count, whatever its name.
    for name, kind in result:
        match = re.fullmatch(r"(BufIn|BufOut)\((\d+)\)", kind)
        if match:
            target = result[int(match[2])]
            if target[0] not in overrides:
                target[1] = "UInt"
    return tuple(tuple(r) for r in result)


# ---------------------------------------------------------------------------
# Building the tables

class Sources:
    def __init__(self, ref):
        protos = ref / PROTOTYPES
        self.phnt = read_phnt(protos / PHNT_JSON)
        self.panda_all = read_panda(protos / PANDA_ALL, numbered=False)
        self.panda_numbered = {}
        for path in sorted(set(PANDA_NUMBERED.values())):
            self.panda_numbered[path] = read_panda(protos / path, numbered=True)
        self.report = []
        # Align every PANDA parameter with phnt's once.
        for name, params in self.panda_all.items():
            align(name, params, [v for _, v in self.phnt.get(name, [])], self.report)
        for path, table in self.panda_numbered.items():
            for number, (name, params) in table.items():
                align(name, params, [v for _, v in self.phnt.get(name, [])], [])
        self.used = {"panda-late": set(), "phnt-early": set(), "none": {}}
        self.guard_false = {}  # phnt's only variant, used where its guard fails

    def phnt_for(self, name, release):
        variants = self.phnt.get(name)
        if not variants:
            return None
        if len(variants) == 1:
            guard, params = variants[0]
            if not guard_holds(guard, release.build):
                # phnt's guess of the first release with it is late (or its
                # `<` guard early): the prototype is still the best there is.
                self.guard_false.setdefault(name, []).append(release.name)
            return params
        holding = [v for g, v in variants if guard_holds(g, release.build)]
        if len(holding) != 1:
            raise DataError(f"{name}: {len(holding)} phnt variants hold for {release.name} "
                            f"(build {release.build})")
        return holding[0]

    def signature(self, name, release, numbered):
        """(source, [Param]) or (None, None)."""
        if release.up_to_7:
            if numbered is not None and name in numbered:
                return "panda", numbered[name]
            if name in self.panda_all:
                return "panda", self.panda_all[name]
            params = self.phnt_for(name, release)
            if params is not None:
                self.used["phnt-early"].add(name)
                return "phnt", params
        else:
            params = self.phnt_for(name, release)
            if params is not None:
                return "phnt", params
            if name in self.panda_all:
                self.used["panda-late"].add(name)
                return "panda", self.panda_all[name]
        self.used["none"].setdefault(name, []).append(f"{release.arch} {release.name}")
        return None, None


def check_numbered(release, table, path):
    """PANDA's numbers must name the same services as the CSV column."""
    for number, (name, _) in sorted(table.items()):
        if release.services.get(number) != name:
            raise DataError(f"{path}: {number:#x} is {name}, but {release.arch} "
                            f"{release.name} says {release.services.get(number)}")
    return {name: params for name, params in table.values()}


def build(ref):
    releases = []
    for arch in ("x86", "x64"):
        releases += read_numbers(ref / NUMBERS / arch / "nt.csv", arch)
    sources = Sources(ref)

    signatures = {}  # (name, kinds or None) -> set of sources
    for release in releases:
        numbered = None
        path = PANDA_NUMBERED.get((release.arch, release.name))
        if path:
            numbered = check_numbered(release, sources.panda_numbered[path], path)
        release.entries = {}
        for number, name in release.services.items():
            source, params = sources.signature(name, release, numbered)
            key = (name, kinds(name, params) if params is not None else None)
            signatures.setdefault(key, set()).add(source)
            release.entries[number] = key

    # Every override must name a parameter of its service.
    for service, names in OVERRIDES.items():
        params = {n for (s, k) in signatures if s == service and k for n, _ in k}
        if not params:
            raise DataError(f"OVERRIDES: {service} has no signature")
        if set(names) - params:
            raise DataError(f"OVERRIDES: {service} has no parameter {sorted(set(names) - params)}")

    def order(key):
        name, args = key
        return (name, args is not None, repr(args))

    services = sorted(signatures, key=order)
    if len(services) >= 0xFFFF:
        raise DataError(f"{len(services)} services do not fit a u16 index")
    index = {key: i for i, key in enumerate(services)}
    for release in releases:
        size = max(release.services) + 1
        release.table = [index[release.entries[n]] if n in release.entries else None
                         for n in range(size)]
    return releases, services, sources


# ---------------------------------------------------------------------------
# Output

HEADER = """\
//! Windows NT system service tables (ntoskrnl, service table 0) of every x86
//! and x64 release in the reference data.
//!
//! GENERATED: do not edit. Regenerate with `{command}`
//! (from the repository root; it reads `../shared/reference/windows-syscalls/`
//! and `../shared/reference/windows-prototypes/`).
//!
//! - Service numbers and names: j00ru/windows-syscalls (Mateusz Jurczyk),
//!   `x86/csv/nt.csv` and `x64/csv/nt.csv` at commit 8a6806ac. The repository
//!   states no licence. What is taken from it is a table of facts (which number
//!   each service has in each Windows release), which can be re-derived from
//!   each release's ntdll.dll.
//! - Build numbers: from phnt.h as quoted in `windows-syscalls/SOURCES.md`,
//!   unless the comment on the release says otherwise. NtMajorVersion and
//!   NtMinorVersion: public knowledge.
//! - Parameter names and C types, for releases up to Windows 7: PANDA's
//!   syscalls2 prototypes (GPL-2.0-or-later): its numbered XP SP3 and 7 files
//!   for XP SP2/SP3 x86 and 7 x86/x64, its Windows 7 signatures otherwise (so
//!   for NT 3.1 to Vista they are Windows 7's, and may be wrong where a service
//!   changed). Where PANDA has no prototype, phnt's: {early}.
//! - Parameter names and C types, for Windows 8 and later: phnt (MIT,
//!   Copyright (c) 2022 Winsider Seminars & Solutions, Inc.), as extracted into
//!   `phnt-derived/`. Where phnt has no prototype, PANDA's: {late}.
//! - Parameter directions: phnt's SAL annotations, also for PANDA's prototypes.
//! - No prototype in either source (args None): {none}.
//! - How each parameter is shown: the rules and overrides in the script.

use super::Arch;

use super::args::ArgKind::{{self, *}};

/// One system service (one signature of it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceInfo {{
    pub name: &'static str,
    /// Parameter names as in the prototype and how each is shown; None when no
    /// prototype is known (then the analyzer shows raw values).
    pub args: Option<&'static [(&'static str, ArgKind)]>,
}}

/// One Windows release's service table (one column of the number tables).
#[derive(Clone, Copy, Debug)]
pub struct Release {{
    /// The column header, e.g. "Windows 10 (22H2)".
    pub name: &'static str,
    pub arch: Arch,
    /// NtMajorVersion and NtMinorVersion (NT 3.1 is 3.10, XP x64 5.2).
    pub major: u32,
    pub minor: u32,
    /// Its build number (NtBuildNumber without the flag bits). Service packs
    /// do not change it, so several releases can share one.
    pub build: u32,
    /// Index by service number: an index into `SERVICES`, or `NONE`.
    pub services: &'static [u16],
}}

/// A service number with no service in a release's table.
pub const NONE: u16 = u16::MAX;

/// The service with this number in `release`, if there is one.
pub fn lookup(release: &Release, nr: u64) -> Option<&'static ServiceInfo> {{
    let index = *release.services.get(usize::try_from(nr).ok()?)?;
    if index == NONE {{
        return None;
    }}
    SERVICES.get(usize::from(index))
}}

/// The release of `arch` with exactly this build number, else the newest
/// release of `arch` whose build is <= `build` and whose major.minor match (a
/// newer cumulative update of a known release), else None. Among releases of
/// one build, a client release is preferred to a server one (11 24H2 to
/// Server 2025), then the later column (the newest service pack).
pub fn release_for(arch: Arch, major: u32, minor: u32, build: u32) -> Option<&'static Release> {{
    let best = |exact: bool| {{
        RELEASES
            .iter()
            .enumerate()
            .filter(|(_, r)| r.arch == arch)
            .filter(|(_, r)| {{
                if exact {{
                    r.build == build
                }} else {{
                    r.build <= build && r.major == major && r.minor == minor
                }}
            }})
            .max_by_key(|&(i, r)| (r.build, !SERVER_RELEASES.contains(&r.name), i))
            .map(|(_, r)| r)
    }};
    best(true).or_else(|| best(false))
}}

/// Releases that are server editions (see `release_for`).
const SERVER_RELEASES: &[&str] = &[
{servers}
];

const fn service(name: &'static str, args: &'static [(&'static str, ArgKind)]) -> ServiceInfo {{
    ServiceInfo {{
        name,
        args: Some(args),
    }}
}}

const fn unknown(name: &'static str) -> ServiceInfo {{
    ServiceInfo {{ name, args: None }}
}}

const fn release(
    name: &'static str,
    arch: Arch,
    major: u32,
    minor: u32,
    build: u32,
    services: &'static [u16],
) -> Release {{
    Release {{
        name,
        arch,
        major,
        minor,
        build,
        services,
    }}
}}
"""

FOOTER = """
#[cfg(test)]
#[path = "syscalls_tests.rs"]
mod tests;
"""

ARCH = {"x86": "Arch::X86", "x64": "Arch::X64"}


def static_name(release):
    slug = re.sub(r"[^A-Za-z0-9]+", "_", release.name).strip("_").upper()
    slug = slug.replace("WINDOWS_11_AND_SERVER_", "WINDOWS_")
    return f"{release.arch.upper()}_{slug}"


def name_list(names, empty="none"):
    return ", ".join(sorted(names)) or empty


def wrap_comment(text, width=80):
    """Re-wrap each `//! - ` bullet (with its `//!   ` continuation lines) at
    word boundaries; other lines are left alone."""
    out = []
    bullet = None

    def flush():
        if bullet is None:
            return
        line = "//! -"
        for word in bullet.split():
            if len(line) + 1 + len(word) > width and line not in ("//! -", "//!  "):
                out.append(line)
                line = "//!  "
            line += " " + word
        out.append(line)

    for line in text.split("\n"):
        if line.startswith("//! - "):
            flush()
            bullet = line[len("//! - "):]
        elif bullet is not None and line.startswith("//!   "):
            bullet += " " + line[len("//!   "):]
        else:
            flush()
            bullet = None
            out.append(line)
    flush()
    return "\n".join(out)


def render(releases, services, sources):
    used = sources.used
    seen = []
    for r in releases:
        if SERVER.search(r.name) and r.name not in seen:
            seen.append(r.name)
    servers = "\n".join(f'    "{n}",' for n in seen)
    out = wrap_comment(HEADER.format(
        command=COMMAND,
        early=name_list(used["phnt-early"]),
        late=name_list(used["panda-late"]),
        none=name_list(used["none"]),
        servers=servers,
    ))

    out += "\n/// Every distinct (name, signature) of any release, sorted by name.\n"
    out += "#[rustfmt::skip]\n"
    out += f"pub static SERVICES: [ServiceInfo; {len(services)}] = [\n"
    for i, (name, args) in enumerate(services):
        if args is None:
            out += f'    /* {i} */ unknown("{name}"),\n'
        else:
            text = ", ".join(f'("{n}", {k})' for n, k in args)
            out += f'    /* {i} */ service("{name}", &[{text}]),\n'
    out += "];\n"

    # Number tables, each distinct one once.
    tables = {}
    for r in releases:
        key = (r.arch, tuple(r.table))
        if key not in tables:
            tables[key] = (static_name(r), [])
        r.static = tables[key][0]
        tables[key][1].append(r.name)

    out += "\n/// Every column of the x86 and then the x64 table, in file order.\n"
    out += "#[rustfmt::skip]\n"
    out += f"pub static RELEASES: [Release; {len(releases)}] = [\n"
    for r in releases:
        comments = [c for c in (r.comment, BUILD_NOTES[r.note]) if c]
        line = (f'    release("{r.name}", {ARCH[r.arch]}, {r.major}, {r.minor}, {r.build}, '
                f"&{r.static}),")
        if comments:
            line += " // " + "; ".join(comments)
        out += line + "\n"
    out += "];\n"

    for (arch, table), (static, names) in tables.items():
        width = len(f"{len(table) - 1:x}")
        out += f"\n/// {arch}: {'; '.join(names)}.\n"
        out += "#[rustfmt::skip]\n"
        out += f"static {static}: [u16; {len(table)}] = [\n"
        # Sixteen numbers a line, each line headed by its first number:
        # the table is indexed by service number, SERVICES names them.
        for start in range(0, len(table), 16):
            cells = ", ".join("NONE" if i is None else str(i) for i in table[start:start + 16])
            out += f"    /* {start:#0{width + 2}x} */ {cells},\n"
        out += "];\n"
    out += FOOTER
    return out, len(tables)


def generate(ref):
    releases, services, sources = build(ref)
    text, ntables = render(releases, services, sources)
    report = []
    for arch in ("x86", "x64"):
        rs = [r for r in releases if r.arch == arch]
        report.append(f"{arch}: {len(rs)} releases, "
                      f"{len({n for r in rs for n in r.services.values()})} service names")
    report.append(f"{len(services)} signatures in SERVICES "
                  f"({sum(1 for _, a in services if a is None)} without a prototype); "
                  f"{ntables} distinct number tables")
    for name, where in sorted(sources.used["none"].items()):
        report.append(f"no prototype: {name} ({len(where)} releases)")
    for name, where in sorted(sources.guard_false.items()):
        report.append(f"phnt's version guard of {name} fails for {len(where)} releases that "
                      "have it; its prototype is used there")
    report += sources.report
    return text, report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reference", nargs="?", default=str(REPO.parent / "shared" / "reference"),
                        help="folder holding windows-syscalls/ and windows-prototypes/ "
                             "(default: ../shared/reference from the repository root)")
    parser.add_argument("--output", "-o", default=str(DEFAULT_OUTPUT),
                        help="file to write, or - for standard output")
    args = parser.parse_args()
    ref = Path(args.reference)
    for sub in (NUMBERS, PROTOTYPES):
        if not (ref / sub).is_dir():
            sys.exit(f"windows_syscalls.py: no {ref / sub}")
    try:
        text, report = generate(ref)
    except DataError as e:
        sys.exit(f"windows_syscalls.py: {e}")
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text)
        for line in report:
            print(line, file=sys.stderr)


if __name__ == "__main__":
    main()
