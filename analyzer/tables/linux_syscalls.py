#!/usr/bin/env python3
"""Generate analyzer/src/os/linux/syscalls.rs: the Linux x86_64 and i386
system call tables (names, argument names, how each argument is shown).

    python3 analyzer/tables/linux_syscalls.py [REFERENCE] [--output FILE]

REFERENCE is the folder that holds linux-syscalls/ (default: ../shared/reference
relative to the repository root). FILE defaults to
analyzer/src/os/linux/syscalls.rs; `-` writes to standard output. Python 3
standard library only.

Where each piece comes from (see linux-syscalls/SOURCES.md):
- numbers and names: hrw-syscalls-table/ (MIT), checked against the kernel's
  own kernel-6.12/*.tbl: a number in both must carry the same name, or the
  script stops. A number the 6.12 table gives an entry point that hrw leaves
  out (uselib, _sysctl, bdflush) is taken with the kernel's name.
- argument names and C types: panda/ prototypes (GPL-2.0-or-later), and for
  what PANDA lacks, linux_extra_prototypes.txt beside this script (written by
  hand for the project).
- mebeim-v6.17/ (GPL-3.0) is not read.

How an argument is shown (an ArgKind of analyzer/src/os/linux/args.rs) is
derived from its C type and name by the rules in `kind_of`, after the
per-call table OVERRIDES, which holds what the rules cannot know.

The output is formatted so that rustfmt leaves it unchanged (the two big
tables are #[rustfmt::skip], one call a line), so a test can compare this
script's output with the committed file byte for byte.
"""

import argparse
import copy
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXTRA = Path(__file__).resolve().parent / "linux_extra_prototypes.txt"
DEFAULT_OUTPUT = REPO / "analyzer" / "src" / "os" / "linux" / "syscalls.rs"
COMMAND = "python3 analyzer/tables/linux_syscalls.py"


class DataError(Exception):
    """The reference data or the hand-written tables are inconsistent."""


# ---------------------------------------------------------------------------
# ABIs

class Abi:
    def __init__(self, key, static, doc, tbl, tbl_abis, hrw, panda):
        self.key = key  # "x86_64" / "i386": section name in the extra file
        self.static = static  # name of the Rust static
        self.doc = doc
        self.tbl = tbl
        self.tbl_abis = tbl_abis
        self.hrw = hrw
        self.panda = panda


ABIS = [
    Abi(
        "x86_64",
        "X86_64",
        "x86_64, indexed by call number; None for a number with no call.",
        "kernel-6.12/syscall_64.tbl",
        {"common", "64"},  # not x32: its numbers (512-547) are another ABI
        "hrw-syscalls-table/syscalls-x86_64",
        "panda/linux_x64_prototypes.txt",
    ),
    Abi(
        "i386",
        "I386",
        "i386 (the IA-32 ABI of a 64-bit kernel), indexed by call number; None\n"
        "/// for a number with no call. A 64-bit argument (loff_t, u64) takes two\n"
        "/// registers, low half first: it is two arguments here, `<name>_lo` and\n"
        "/// `<name>_hi`.",
        "kernel-6.12/syscall_32.tbl",
        {"i386"},
        "hrw-syscalls-table/syscalls-i386",
        "panda/linux_x86_prototypes.txt",
    ),
]

# The call does not come back to the instruction after it when it succeeds.
# The kernel tables mark only exit and exit_group (for objtool); execve
# replaces the program and the sigreturns resume the interrupted context.
NORETURN = {"exit", "exit_group", "execve", "execveat", "rt_sigreturn", "sigreturn"}


# ---------------------------------------------------------------------------
# Reading the sources

def read_kernel_table(path, abis):
    """number -> (name, entry point or None, compat entry point or None, noreturn)."""
    table = {}
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if len(fields) < 3:
            raise DataError(f"{path}:{lineno}: too few columns: {line!r}")
        number, abi, name = int(fields[0]), fields[1], fields[2]
        if abi not in abis:
            continue
        entry = fields[3] if len(fields) > 3 else None
        compat = fields[4] if len(fields) > 4 and fields[4] != "-" else None
        noreturn = len(fields) > 5 and fields[5] == "noreturn"
        if number in table:
            raise DataError(f"{path}:{lineno}: number {number} twice")
        table[number] = (name, entry, compat, noreturn)
    return table


def read_hrw_table(path):
    """number -> name, for the names that have a number on this arch."""
    table = {}
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        fields = line.split("\t")
        if len(fields) == 1:
            continue  # a name with no number on this arch
        if len(fields) != 2 or not fields[1].isdigit():
            raise DataError(f"{path}:{lineno}: not name<TAB>number: {line!r}")
        name, number = fields[0], int(fields[1])
        if number in table:
            raise DataError(f"{path}:{lineno}: number {number} twice")
        table[number] = name
    return table


PROTOTYPE = re.compile(r"^(\d+) long (sys_\w+)\((.*)\);$")


def parse_prototype(where, line):
    match = PROTOTYPE.match(line)
    if not match:
        raise DataError(f"{where}: not `<number> long sys_<name>(<params>);`: {line!r}")
    params = match[3].strip()
    params = [] if params == "void" else [p.strip() for p in params.split(",")]
    return int(match[1]), match[2], params


def read_panda(path):
    """number -> (function, [param text])."""
    table = {}
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        number, function, params = parse_prototype(f"{path}:{lineno}", line)
        if number in table:
            raise DataError(f"{path}:{lineno}: number {number} twice")
        table[number] = (function, params)
    return table


def read_extra(path):
    """abi key -> number -> (function, [param text])."""
    sections = {}
    section = None
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        heading = re.fullmatch(r"\[(\w+)\]", line)
        if heading:
            section = sections.setdefault(heading[1], {})
            continue
        if section is None:
            raise DataError(f"{path}:{lineno}: prototype before any [abi] heading")
        number, function, params = parse_prototype(f"{path}:{lineno}", line)
        if number in section:
            raise DataError(f"{path}:{lineno}: number {number} twice")
        section[number] = (function, params)
    return sections


# ---------------------------------------------------------------------------
# Parameters

C_KEYWORDS = {
    "const", "volatile", "struct", "union", "enum", "unsigned", "signed",
    "char", "short", "int", "long", "void", "__user",
}

# PANDA leaves some parameters unnamed; these are the kernel's names for them
# (SYSCALL_DEFINE in net/socket.c, mm/mmap.c, kernel/fork.c, ...). Keyed by
# the prototype's function; a name is used only where PANDA has none.
PARAM_NAMES = {
    "sys_mmap": ["addr", "len", "prot", "flags", "fd", "off"],
    "sys_rt_sigaction": ["sig", "act", "oact", "sigsetsize"],
    "sys_sigaction": ["sig", "act", "oact"],
    "sys_socket": ["family", "type", "protocol"],
    "sys_socketpair": ["family", "type", "protocol", "usockvec"],
    "sys_connect": ["fd", "uservaddr", "addrlen"],
    "sys_bind": ["fd", "umyaddr", "addrlen"],
    "sys_accept": ["fd", "upeer_sockaddr", "upeer_addrlen"],
    "sys_accept4": ["fd", "upeer_sockaddr", "upeer_addrlen", "flags"],
    "sys_getsockname": ["fd", "usockaddr", "usockaddr_len"],
    "sys_getpeername": ["fd", "usockaddr", "usockaddr_len"],
    "sys_sendto": ["fd", "buff", "len", "flags", "addr", "addr_len"],
    "sys_recvfrom": ["fd", "ubuf", "size", "flags", "addr", "addr_len"],
    "sys_shutdown": ["fd", "how"],
    "sys_listen": ["fd", "backlog"],
    "sys_clone": ["clone_flags", "newsp", "parent_tidptr", "child_tidptr", "tls"],
    "sys_modify_ldt": ["func", "ptr", "bytecount"],
    "sys_arch_prctl": ["option", "arg2"],
    "sys_iopl": ["level"],
    "sys_ioperm": ["from", "num", "turn_on"],
    "sys_io_submit": ["ctx_id", "nr", "iocbpp"],
    "sys_pselect6": ["n", "inp", "outp", "exp", "tsp", "sig"],
    "sys_ppoll": ["ufds", "nfds", "tsp", "sigmask", "sigsetsize"],
    "sys_olduname": ["name"],
    "sys_uname": ["name"],
    "sys_old_readdir": ["fd", "dirent", "count"],
    "sys_vm86old": ["user_vm86"],
    "sys_vm86": ["cmd", "arg"],
    "sys_set_thread_area": ["u_info"],
    "sys_get_thread_area": ["u_info"],
}

# Prototypes PANDA has wrong for the ABI, replaced whole.
PROTOTYPE_FIXES = {
    # PANDA gives i386 the x86_64 order. i386 is CONFIG_CLONE_BACKWARDS (as is
    # the 64-bit kernel's compat_sys_ia32_clone): tls before child_tidptr.
    ("i386", 120): (
        "sys_clone",
        [
            "unsigned long clone_flags",
            "unsigned long newsp",
            "int __user *parent_tidptr",
            "unsigned long tls",
            "int __user *child_tidptr",
        ],
    ),
}

# Scalar C types: signed, unsigned, or wider than an i386 register.
SIGNED = {
    "int", "long", "pid_t", "off_t", "timer_t", "__s32", "s32", "key_serial_t",
    "enum",
}
UNSIGNED = {
    "unsigned", "unsigned int", "unsigned long", "size_t", "u32", "__u32",
    "uid_t", "gid_t", "old_uid_t", "old_gid_t", "qid_t", "umode_t", "clockid_t",
    "mqd_t", "key_t", "aio_context_t", "rwf_t", "old_sigset_t",
}
WIDE = {"loff_t", "u64", "__u64"}
# Typedefs that are pointers.
POINTER_TYPEDEFS = {"cap_user_header_t", "cap_user_data_t", "__sighandler_t"}


class Param:
    """One parameter: its name, and its C type taken apart."""

    def __init__(self, function, index, text, names):
        self.text = text
        tokens = re.findall(r"\w+|\*", text)
        named = not (
            len(tokens) == 1
            or tokens[-1] == "*"
            or tokens[-1] in C_KEYWORDS
            or tokens[-2] in ("struct", "union", "enum")
        )
        if named:
            self.name = tokens[-1]
            tokens = tokens[:-1]
        elif names and index < len(names):
            self.name = names[index]
        else:
            raise DataError(f"{function}: parameter {index} ({text!r}) has no name; "
                            "add it to PARAM_NAMES")
        self.stars = tokens.count("*")
        # const before the first star qualifies what is pointed at.
        first_star = tokens.index("*") if "*" in tokens else len(tokens)
        self.const = "const" in tokens[:first_star]
        words = [t for t in tokens if t not in ("const", "__user", "*")]
        self.struct = None
        if words[0] in ("struct", "union"):
            self.struct = words[1]
            self.base = words[0] + " " + words[1]
        elif words[0] == "enum":
            self.base = "enum"
        else:
            self.base = " ".join(words)
        self.pointer = self.stars > 0 or self.base in POINTER_TYPEDEFS
        if not self.pointer and self.base not in SIGNED | UNSIGNED | WIDE:
            raise DataError(f"{function}: unknown scalar type {self.base!r} in {text!r}")
        self.half = None  # "lo"/"hi" for half of a split 64-bit value

    def split(self):
        """The two 32-bit halves of a 64-bit parameter, low first."""
        halves = []
        for half in ("lo", "hi"):
            p = copy.copy(self)
            p.name = f"{self.name}_{half}"
            p.base = "u32"
            p.half = half
            halves.append(p)
        return halves


# ---------------------------------------------------------------------------
# Kinds

# Overrides: what the rules cannot know, by table name then parameter name.
# A value is an ArgKind as written in Rust; `@name` stands for the position
# of the parameter called name (positions differ between the ABIs).
OVERRIDES = {
    "ioctl": {"cmd": "IoctlCmd", "arg": "Ptr"},
    "fcntl": {"cmd": "FcntlCmd", "arg": "Hex"},
    "fcntl64": {"cmd": "FcntlCmd", "arg": "Hex"},
    "prctl": {"option": "PrctlOption"},
    "arch_prctl": {"option": "ArchPrctlCode"},
    # strace shows val and val3 as int; utime is a timeout for the waits.
    "futex": {"op": "FutexOp", "val": "Int", "val3": "Int", "utime": "TimespecIn"},
    "futex_time64": {"op": "FutexOp", "val": "Int", "val3": "Int", "utime": "TimespecIn"},
    "socket": {"family": "SocketDomain", "type": "SocketType"},
    "socketpair": {"family": "SocketDomain", "type": "SocketType"},
    "rt_sigprocmask": {"how": "SigHow"},
    "sigprocmask": {"how": "SigHow"},
    "umask": {"mask": "Octal"},
    "access": {"mode": "AccessMode"},
    "faccessat": {"mode": "AccessMode"},
    "faccessat2": {"mode": "AccessMode"},
    "clone": {"clone_flags": "CloneFlags"},
    # The kernel declares it without const, but only reads it.
    "setrlimit": {"rlim": "RlimitIn"},
    # Buffers the kernel reads, declared without const.
    "sendto": {"buff": "BufIn(@len)"},
    "setsockopt": {"optval": "BufIn(@optlen)"},
    "sethostname": {"name": "BufIn(@len)"},
    "setdomainname": {"name": "BufIn(@len)"},
    "init_module": {"umod": "Ptr"},  # a whole ELF image: not worth showing
    "seccomp": {"uargs": "Ptr"},  # a filter program, not a string
    # Paths the rules cannot tell from other names.
    "umount": {"name": "Path"},
    "umount2": {"name": "Path"},
    "acct": {"name": "Path"},
    "name_to_handle_at": {"name": "Path"},
    "mount": {"type": "Str"},
    "rseq": {"flags": "Int", "sig": "Hex"},
    # Two timespecs (atime, mtime), not one.
    "utimensat": {"utimes": "Ptr"},
    "utimensat_time64": {"utimes": "Ptr"},
    # 32-bit values the kernel writes (strace shows [N]); getresuid's are a rule.
    "getcpu": {"cpu": "IntOut", "node": "IntOut"},
    "getsockopt": {"optlen": "IntOut"},
    # Numbers better read in hex.
    "personality": {"personality": "Hex"},
    "ioperm": {"from": "Hex"},
    "kexec_load": {"entry": "Hex"},
}

# Flags arguments with a table, by call.
OPEN_FLAGS_CALLS = {"open", "openat", "open_by_handle_at"}
AT_FLAGS_CALLS = {
    "newfstatat", "fstatat64", "unlinkat", "fchownat", "linkat", "utimensat",
    "utimensat_time64", "execveat", "name_to_handle_at", "faccessat2",
    "fchmodat2", "statx", "mount_setattr",
}
FD_FLAGS_CALLS = {
    "pipe2", "dup3", "eventfd2", "epoll_create1", "inotify_init1", "signalfd4",
    "timerfd_create", "accept4", "userfaultfd", "pidfd_open",
}
MMAP_CALLS = {"mmap", "mmap2"}

PATH_NAMES = {
    "filename", "pathname", "path", "oldname", "newname", "old", "new",
    "new_root", "put_old", "specialfile", "library", "dev_name", "dir_name",
    "special", "from_pathname", "to_pathname",
}
FD_NAMES = {
    "fd", "fildes", "oldfd", "newfd", "ufd", "epfd", "fd_in", "fd_out", "fdin",
    "fdout", "out_fd", "in_fd", "fanotify_fd", "group_fd", "kernel_fd",
    "initrd_fd", "pidfd", "ruleset_fd", "fs_fd", "mqdes", "max_fd",
}
DIRFD_NAMES = {"dfd", "olddfd", "newdfd", "dirfd", "from_dfd", "to_dfd", "mountdirfd"}
# The length that follows a buffer.
LEN_NAMES = {"count", "len", "size", "bufsiz", "msg_len", "plen", "optlen"}
# unsigned long parameters that hold user addresses.
ADDR_NAMES = {"start", "addr", "new_addr", "brk", "newsp"}
# File offsets and their halves: signed.
OFFSET_NAMES = {"offset", "offset_high", "offset_low", "pos", "pos_l", "pos_h", "length"}
HEX_NAMES = re.compile(r"(^|_)(flags?|mask|tls|off|pgoff|data|arg\d?)$")

# iovec arrays: which way the data goes, by call.
IOVEC_OUT = {("readv", "vec"), ("preadv", "vec"), ("preadv2", "vec"),
             ("process_vm_readv", "lvec")}
IOVEC_IN = {("writev", "vec"), ("pwritev", "vec"), ("pwritev2", "vec"),
            ("vmsplice", "iov"), ("process_vm_writev", "lvec")}

IOVEC_CALLS = {call for call, _ in IOVEC_OUT | IOVEC_IN}

TIMESPECS = {"timespec", "__kernel_timespec", "old_timespec32"}


def kind_of(call, params, i):
    """The ArgKind of params[i] of call by the rules, as Rust text."""
    p = params[i]
    n = p.name
    nxt = params[i + 1] if i + 1 < len(params) else None

    if p.half:
        return "Hex" if HEX_NAMES.search(n[:-3]) else "UInt"

    if p.pointer:
        if p.base == "char" and p.stars == 2:
            return "StrArray"
        if p.base in ("char", "void") and p.stars == 1:
            if n in PATH_NAMES:
                return "Path"
            if nxt and not nxt.pointer and nxt.name in LEN_NAMES:
                return f"{'BufIn' if p.const else 'BufOut'}({i + 1})"
            if p.base == "char" and p.const:
                return "Str"
            return "Ptr"
        if p.struct == "sockaddr" and nxt:
            return f"{'SockaddrOut' if nxt.pointer else 'SockaddrIn'}({i + 1})"
        if p.struct in ("stat", "stat64"):
            return "StatOut"
        if p.struct in TIMESPECS:
            if not p.const and n in ("rmtp", "tp", "interval"):
                return "TimespecOut"
            return "TimespecIn"
        if p.struct in ("rlimit", "rlimit64"):
            return "RlimitIn" if p.const else "RlimitOut"
        if p.struct == "rusage":
            return "RusageOut"
        if p.struct == "new_utsname":
            return "UtsnameOut"
        if p.struct == "linux_dirent64":
            return "DirentsOut"
        if p.struct == "sigaction":
            return "SigactionIn" if p.const else "SigactionOut"
        if p.struct == "clone_args":
            return "CloneArgsIn"
        if p.struct == "iovec":
            if (call, n) in IOVEC_OUT:
                return f"IovecOut({i + 1})"
            if (call, n) in IOVEC_IN:
                return f"IovecIn({i + 1})"
            return "Ptr"
        if p.base == "sigset_t":
            # The set the kernel reads; the old set it writes stays a pointer.
            if n == "oset" or call == "rt_sigpending":
                return "Ptr"
            return "SigsetIn"
        if p.base in ("uid_t", "gid_t") and n in ("ruid", "euid", "suid", "rgid", "egid", "sgid"):
            return "IntOut"  # getresuid, getresgid; not the 16-bit old_uid_t ones
        if p.base == "int" and n == "stat_addr":
            return "WaitStatusOut"
        if p.base == "int" and n in ("fildes", "usockvec"):
            return "FdPairOut"
        return "Ptr"

    if n in FD_NAMES:
        return "Fd"
    if n in DIRFD_NAMES:
        return "DirFd"
    if p.base == "umode_t":
        return "Mode"
    if p.base == "clockid_t" or n == "clockid":
        return "ClockId"
    if n == "sig" and p.base == "int":
        return "Signal"
    if n == "resource":
        return "Resource"
    if n == "prot":
        return "MmapProt"
    if n == "whence":
        return "Whence"
    if n == "options":
        return "WaitOptions"
    if n in ("flags", "flag", "oflag", "event_f_flags"):
        if call in OPEN_FLAGS_CALLS or n in ("oflag", "event_f_flags"):
            return "OpenFlags"
        if call in AT_FLAGS_CALLS:
            return "AtFlags"
        if call in FD_FLAGS_CALLS:
            return "FdFlags"
        if call in MMAP_CALLS:
            return "MmapFlags"
        if call == "getrandom":
            return "GrndFlags"
    if n == "at_flags":
        return "AtFlags"
    if n in ADDR_NAMES and p.base == "unsigned long":
        return "Ptr"
    if n in OFFSET_NAMES:
        return "Int"
    if n == "vlen" and call in IOVEC_CALLS:
        return "Int"  # libc's int iovcnt
    if HEX_NAMES.search(n) or p.base in ("key_t", "key_serial_t", "aio_context_t",
                                         "rwf_t", "old_sigset_t"):
        return "Hex"
    if p.base == "mqd_t":
        return "Fd"
    if p.base in SIGNED or p.base == "loff_t":
        return "Int"
    return "UInt"


REFERENCE = re.compile(r"@(\w+)")


def kinds(call, params):
    """[(name, ArgKind as Rust text)] for a call's parameters."""
    overrides = dict(OVERRIDES.get(call, {}))
    names = [p.name for p in params]
    unknown = set(overrides) - set(names)
    if unknown:
        raise DataError(f"{call}: OVERRIDES names no parameter {sorted(unknown)}")
    result = []
    for i, p in enumerate(params):
        if p.name in overrides:
            kind = REFERENCE.sub(lambda m: str(names.index(m[1])), overrides[p.name])
        else:
            kind = kind_of(call, params, i)
        result.append([p.name, kind])
    # A buffer's or an address's length is an unsigned count, whatever its C type.
    for name, kind in result:
        match = re.fullmatch(r"(BufIn|BufOut|SockaddrIn)\((\d+)\)", kind)
        if match:
            target = result[int(match[2])]
            if target[0] not in overrides:
                target[1] = "UInt"
    return [tuple(r) for r in result]


# ---------------------------------------------------------------------------
# Building the tables

def base_function(entry):
    """sys_ia32_pread64 -> pread64, compat_sys_clock_settime32 -> clock_settime."""
    name = re.sub(r"^(compat_)?sys_(ia32_)?", "", entry)
    return re.sub(r"(_time32|32)$", "", name)


class Call:
    def __init__(self, number, name, args, comment, noreturn):
        self.number = number
        self.name = name
        self.args = args
        self.comment = comment
        self.noreturn = noreturn


def build(abi, ref, extra):
    kernel = read_kernel_table(ref / abi.tbl, abi.tbl_abis)
    hrw = read_hrw_table(ref / abi.hrw)
    panda = read_panda(ref / abi.panda)
    extra = extra.get(abi.key, {})

    for number in sorted(set(kernel) & set(hrw)):
        if kernel[number][0] != hrw[number]:
            raise DataError(f"{abi.key} {number}: hrw says {hrw[number]!r}, "
                            f"kernel 6.12 says {kernel[number][0]!r}")
    both = sorted(set(extra) & set(panda))
    if both:
        raise DataError(f"{abi.key} {both}: in PANDA and in {EXTRA.name}; keep one")

    numbers = set(hrw) | {n for n, k in kernel.items() if k[1]}
    calls = {}
    fallbacks = []
    for number in sorted(numbers):
        kname, entry, compat, kernel_noreturn = kernel.get(number, (None, None, None, False))
        name = hrw.get(number, kname)
        comment = []
        if number not in hrw:
            comment.append("not in hrw: name from kernel 6.12")
        elif number in kernel and not entry:
            comment.append("no entry point in kernel 6.12")
        elif number not in kernel:
            comment.append("newer than kernel 6.12")
        if entry == "sys_ni_syscall":
            comment.append("sys_ni_syscall in 6.12")
        if kernel_noreturn and name not in NORETURN:
            raise DataError(f"{abi.key} {number} {name}: noreturn in the kernel table "
                            "but not in NORETURN")

        source = None
        if (abi.key, number) in PROTOTYPE_FIXES:
            source = PROTOTYPE_FIXES[(abi.key, number)]
        elif number in panda:
            source = panda[number]
        elif number in extra:
            source = extra[number]

        if source is None:
            if entry and entry != "sys_ni_syscall":
                raise DataError(f"{abi.key} {number} {name}: the 6.12 kernel has it "
                                f"({entry}) but no prototype does; add it to {EXTRA.name}")
            comment.append("signature unknown: no arguments listed")
            fallbacks.append((number, name))
            args = []
        else:
            function, texts = source
            expected = {name, name.lstrip("_")}
            for e in (entry, compat):
                if e and e != "sys_ni_syscall":
                    expected.add(base_function(e))
            if function[len("sys_"):] not in expected:
                raise DataError(f"{abi.key} {number} {name}: prototype {function} "
                                f"matches none of {sorted(expected)}")
            params = [Param(function, i, t, PARAM_NAMES.get(function))
                      for i, t in enumerate(texts)]
            if abi.key == "i386":
                params = [h for p in params
                          for h in (p.split() if not p.pointer and p.base in WIDE else [p])]
            if len(params) > 6:
                raise DataError(f"{abi.key} {number} {name}: {len(params)} registers")
            args = kinds(name, params)
        calls[number] = Call(number, name, args, "; ".join(comment), name in NORETURN)

    absent = NORETURN - {c.name for c in calls.values()}
    if abi.key == "x86_64":
        absent.discard("sigreturn")  # x86_64 has only rt_sigreturn
    if absent:
        raise DataError(f"{abi.key}: no calls {sorted(absent)}, which NORETURN names")
    return calls, fallbacks


# ---------------------------------------------------------------------------
# Output

HEADER = """\
//! Linux system call tables for the x86_64 and i386 ABIs.
//!
//! GENERATED: do not edit. Regenerate with `{command}`
//! (from the repository root; it reads `../shared/reference/linux-syscalls/`).
//!
//! - Numbers and names: hrw/syscalls-table (MIT, Marcin Juszkiewicz), checked
//!   against the Linux 6.12 `syscall_64.tbl` and `syscall_32.tbl`
//!   (GPL-2.0 WITH Linux-syscall-note).
//! - Argument names and C types: PANDA's syscalls2 prototypes
//!   (GPL-2.0-or-later), and for newer calls `analyzer/tables/linux_extra_prototypes.txt`
//!   (this project, GPL-2.0-or-later).
//! - How each argument is shown: the rules and overrides in the script.

use super::args::ArgKind::{{self, *}};

/// One system call of one ABI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyscallInfo {{
    pub name: &'static str,
    /// Argument names (as in the kernel's prototype) and how each is shown.
    pub args: &'static [(&'static str, ArgKind)],
    /// The call does not return to its caller when it succeeds (exit,
    /// exit_group, execve, execveat, rt_sigreturn, sigreturn).
    pub noreturn: bool,
}}

/// The call with this number in `table`, if there is one.
pub fn lookup(table: &'static [Option<SyscallInfo>], nr: u64) -> Option<&'static SyscallInfo> {{
    table.get(usize::try_from(nr).ok()?)?.as_ref()
}}

const fn call(name: &'static str, args: &'static [(&'static str, ArgKind)]) -> Option<SyscallInfo> {{
    Some(SyscallInfo {{
        name,
        args,
        noreturn: false,
    }})
}}

const fn noreturn(
    name: &'static str,
    args: &'static [(&'static str, ArgKind)],
) -> Option<SyscallInfo> {{
    Some(SyscallInfo {{
        name,
        args,
        noreturn: true,
    }})
}}
"""

FOOTER = """
#[cfg(test)]
#[path = "syscalls_tests.rs"]
mod tests;
"""


def render_table(abi, calls):
    size = max(calls) + 1
    lines = ["", f"/// {abi.doc}", "#[rustfmt::skip]",
             f"pub static {abi.static}: [Option<SyscallInfo>; {size}] = ["]
    for number in range(size):
        c = calls.get(number)
        if c is None:
            lines.append(f"    /* {number} */ None,")
            continue
        args = ", ".join(f'("{n}", {k})' for n, k in c.args)
        maker = "noreturn" if c.noreturn else "call"
        line = f'    /* {number} */ {maker}("{c.name}", &[{args}]),'
        if c.comment:
            line += f" // {c.comment}"
        lines.append(line)
    lines.append("];")
    return "\n".join(lines) + "\n"


def generate(ref):
    extra = read_extra(EXTRA)
    unknown = set(extra) - {a.key for a in ABIS}
    if unknown:
        raise DataError(f"{EXTRA}: unknown sections {sorted(unknown)}")
    out = HEADER.format(command=COMMAND)
    report = []
    every_name = set()
    for abi in ABIS:
        calls, fallbacks = build(abi, ref, extra)
        every_name |= {c.name for c in calls.values()}
        out += render_table(abi, calls)
        report.append(f"{abi.key}: {len(calls)} calls, numbers 0..={max(calls)}; "
                      f"no signature: {', '.join(f'{n} {s}' for n, s in fallbacks) or 'none'}")
    out += FOOTER
    # A misspelt call in a rule table would silently do nothing.
    named = set(OVERRIDES) | OPEN_FLAGS_CALLS | AT_FLAGS_CALLS | FD_FLAGS_CALLS | MMAP_CALLS
    named |= IOVEC_CALLS | NORETURN
    if named - every_name:
        raise DataError(f"rule tables name unknown calls: {sorted(named - every_name)}")
    return out, report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reference", nargs="?", default=str(REPO.parent / "shared" / "reference"),
                        help="folder holding linux-syscalls/ (default: ../shared/reference "
                             "from the repository root)")
    parser.add_argument("--output", "-o", default=str(DEFAULT_OUTPUT),
                        help="file to write, or - for standard output")
    args = parser.parse_args()
    ref = Path(args.reference) / "linux-syscalls"
    if not ref.is_dir():
        sys.exit(f"linux_syscalls.py: no {ref}")
    try:
        text, report = generate(ref)
    except DataError as e:
        sys.exit(f"linux_syscalls.py: {e}")
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text)
        for line in report:
            print(line, file=sys.stderr)


if __name__ == "__main__":
    main()
