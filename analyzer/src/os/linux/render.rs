//! Arguments and results of Linux system calls, shown as strace 6 shows
//! them by default (`strace -f` without `-v`, `-y` or `-s`): strings and
//! buffers cut at 32 bytes with `...`, arrays at 32 elements, structures
//! abbreviated (`{st_mode=S_IFREG|0644, st_size=19, ...}`), constants and
//! flags by name.
//!
//! Everything shown comes from the registers and from the bytes the kernel
//! itself read or wrote during the call (`CallMemory`). strace reads the
//! tracee's memory; where this trace holds no record of the bytes strace
//! would read, the pointer is shown as its address, which is what strace
//! shows for an address it cannot read. Nothing is guessed, and every loop
//! over a guest-chosen count stops at the first element not recorded.
//!
//! `ArgKind` does not tell apart a few things strace shows differently.
//! The choice is then made from what the kernel touched or from the
//! values, and the function that makes it says how: i386 `stat` against
//! `stat64` (`stat_i386`), i386 32- against 64-bit `timespec` (`timespec`),
//! i386 `getrlimit` against `prlimit64` (`rlimit`), execve's `envp`
//! against execveat's `argv` (`is_envp`), getcwd's path against
//! getrandom's bytes (`first_buffer_out`), and a C `int` against a `long`
//! (`int_arg`).

use super::Abi;
use super::args::ArgKind;
use crate::memory::CallMemory;

#[path = "consts.rs"]
mod consts;

use consts::*;

/// strace's default `-s 32`: bytes of a string or buffer shown, and
/// elements of an array.
const MAX_STRLEN: usize = 32;
/// Paths are shown whole, up to PATH_MAX - 1 bytes.
const PATH_SHOWN: usize = 4095;
/// The kernel returns errors as -1..=-4095 (MAX_ERRNO).
const MAX_ERRNO: i64 = 4095;
/// `struct sockaddr_storage`: strace shows at most this much of an address.
const SOCKADDR_MAX: usize = 128;
/// `struct sockaddr_un`.
const SOCKADDR_UN_SIZE: usize = 110;

/// One call as the renderer sees it.
#[derive(Clone, Copy, Debug)]
pub struct CallView<'a> {
    pub abi: Abi,
    /// Raw argument registers in ABI order (for I386 zero-extended 32-bit values).
    pub args: [u64; 6],
    /// The return value as the kernel meant it (on I386 -4095..-1 are
    /// errors and the rest unsigned); None if the call did not return (yet).
    pub ret: Option<i64>,
    pub memory: CallMemory<'a>,
}

impl CallView<'_> {
    /// Argument `index`; 0 past the sixth.
    fn arg(&self, index: usize) -> u64 {
        self.args.get(index).copied().unwrap_or(0)
    }

    /// A register as the guest's `unsigned long`.
    fn ulong(&self, value: u64) -> u64 {
        match self.abi {
            Abi::X86_64 => value,
            Abi::I386 => value & 0xffff_ffff,
        }
    }

    /// A register as the guest's `long`.
    fn long(&self, value: u64) -> i64 {
        match self.abi {
            Abi::X86_64 => value as i64,
            Abi::I386 => i64::from(value as u32 as i32),
        }
    }

    /// Bytes in a pointer or a `long`.
    fn word(&self) -> usize {
        match self.abi {
            Abi::X86_64 => 8,
            Abi::I386 => 4,
        }
    }

    /// The call returned, and not an error: what it wrote can be shown.
    fn succeeded(&self) -> bool {
        self.ret.is_some_and(|ret| !is_error(ret))
    }

    fn fetch(&self, dir: Dir, address: u64, len: usize) -> Option<Vec<u8>> {
        match dir {
            Dir::In => self.memory.read(address, len),
            Dir::Out => self.memory.written(address, len),
        }
    }

    /// A pointer as strace prints one it does not decode.
    fn address(&self, value: u64) -> String {
        address(self.ulong(value))
    }
}

/// Which way the kernel moved a structure's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dir {
    /// The kernel read it (an in-parameter).
    In,
    /// The kernel wrote it (an out-parameter).
    Out,
}

/// One argument, as strace prints it in its argument list.
pub fn render_arg(kind: ArgKind, index: usize, call: &CallView<'_>) -> String {
    let value = call.arg(index);
    // Most named constants are C `int`s: their unknown values print as
    // 32-bit hex.
    let int = value as u32;
    match kind {
        ArgKind::Int => int_arg(call, value),
        ArgKind::UInt => call.ulong(value).to_string(),
        ArgKind::Hex => hex(call.ulong(value)),
        ArgKind::Octal => octal(int),
        ArgKind::Ptr => call.address(value),
        ArgKind::Fd => (int as i32).to_string(),
        ArgKind::DirFd => dirfd(int as i32),
        ArgKind::Path => c_string(call, value, PATH_SHOWN),
        ArgKind::Str => c_string(call, value, MAX_STRLEN),
        ArgKind::StrArray if is_envp(index, call) => env_count(call, value),
        ArgKind::StrArray => str_array(call, value),
        ArgKind::BufIn(len) => buffer(call, Dir::In, value, call.ulong(call.arg(len.into()))),
        ArgKind::BufOut(_) if index == 0 => first_buffer_out(call, value),
        ArgKind::BufOut(_) => buffer_out(call, value),
        ArgKind::OpenFlags => open_flags(call.ulong(value)),
        ArgKind::Mode => mode(int),
        ArgKind::AtFlags => flags(u64::from(int), AT_FLAGS, Some("AT_???")),
        ArgKind::AccessMode => flags(u64::from(int), ACCESS_MODES, Some("?_OK")),
        ArgKind::MmapProt => flags(call.ulong(value), MMAP_PROT, Some("PROT_???")),
        ArgKind::MmapFlags => mmap_flags(call.ulong(value)),
        ArgKind::CloneFlags => clone_flags(call.ulong(value)),
        ArgKind::Signal => signal(i64::from(int as i32)),
        ArgKind::SigHow => xval(u64::from(int), SIG_HOW, "SIG_???"),
        ArgKind::SigsetIn => struct_in(call, value, sigset_in),
        ArgKind::FcntlCmd => xval(u64::from(int), FCNTL_CMDS, "F_???"),
        ArgKind::IoctlCmd => ioctl_cmd(int),
        ArgKind::Whence => xval(u64::from(int), WHENCE, "SEEK_???"),
        ArgKind::StatOut => struct_out(call, value, stat),
        ArgKind::TimespecIn => struct_in(call, value, |c, a| timespec(c, Dir::In, a)),
        ArgKind::TimespecOut => struct_out(call, value, |c, a| timespec(c, Dir::Out, a)),
        ArgKind::ClockId => xval(u64::from(int), CLOCK_IDS, "CLOCK_???"),
        ArgKind::IovecIn(count) => iovec(call, Dir::In, value, call.arg(count.into())),
        ArgKind::IovecOut(count) => iovec(call, Dir::Out, value, call.arg(count.into())),
        ArgKind::SockaddrIn(len) => sockaddr_in(call, value, call.arg(len.into())),
        ArgKind::SockaddrOut(len) => sockaddr_out(call, value, call.arg(len.into())),
        ArgKind::SocketDomain => xval(u64::from(int), ADDRESS_FAMILIES, "AF_???"),
        ArgKind::SocketType => socket_type(int),
        ArgKind::Resource => xval(u64::from(int), RESOURCES, "RLIMIT_???"),
        ArgKind::RlimitIn => struct_in(call, value, |c, a| rlimit(c, Dir::In, a, index)),
        ArgKind::RlimitOut => struct_out(call, value, |c, a| rlimit(c, Dir::Out, a, index)),
        ArgKind::FdPairOut => struct_out(call, value, fd_pair),
        ArgKind::WaitStatusOut => wait_status(call, value),
        ArgKind::WaitOptions => flags(u64::from(int), WAIT_OPTIONS, Some("W???")),
        ArgKind::IntOut => struct_out(call, value, int_out),
        ArgKind::FutexOp => xval(u64::from(int), FUTEX_OPS, "FUTEX_???"),
        ArgKind::ArchPrctlCode => xval(u64::from(int), ARCH_PRCTL_CODES, "ARCH_???"),
        ArgKind::PrctlOption => xval(u64::from(int), PRCTL_OPTIONS, "PR_???"),
        ArgKind::FdFlags => flags(u64::from(int), OPEN_FLAGS, Some("O_???")),
        ArgKind::GrndFlags => flags(u64::from(int), GRND_FLAGS, Some("GRND_???")),
        ArgKind::UtsnameOut => struct_out(call, value, utsname),
        ArgKind::SigactionIn => struct_in(call, value, |c, a| sigaction(c, Dir::In, a)),
        ArgKind::SigactionOut => struct_out(call, value, |c, a| sigaction(c, Dir::Out, a)),
        ArgKind::RusageOut => struct_out(call, value, rusage),
        ArgKind::DirentsOut => dirents(call, value),
        ArgKind::CloneArgsIn => clone_args(call, value),
    }
}

/// The result: "3", "-1 ENOENT (No such file or directory)", an address
/// for the calls that return one, "?" when the call did not return, and
/// strace's texts for the kernel's restart codes.
pub fn render_return(name: &str, call: &CallView<'_>) -> String {
    let Some(ret) = call.ret else {
        return "?".to_string();
    };
    if is_error(ret) {
        let errno = -ret;
        return match (errno, errno_name(errno), errno_message(errno)) {
            (512 | 513 | 514 | 516, Some(name), Some(message)) => format!("? {name} ({message})"),
            (_, Some(name), Some(message)) => format!("-1 {name} ({message})"),
            _ => format!("-1 (errno {errno})"),
        };
    }
    match name {
        "mmap" | "mmap2" | "old_mmap" | "brk" | "mremap" | "shmat" => hex(call.ulong(ret as u64)),
        "umask" => octal(ret as u32),
        "fcntl" | "fcntl64" => fcntl_return(call, ret),
        _ => ret.to_string(),
    }
}

/// The errno's name ("ENOENT"), for 1..=133 and the kernel-internal
/// 512..=530 that have one.
pub fn errno_name(errno: i64) -> Option<&'static str> {
    ERRNOS.iter().find(|e| e.0 == errno).map(|e| e.1)
}

/// The text strace prints after the errno's name: glibc's `strerror`
/// ("No such file or directory"), or strace's own for the restart codes
/// ("To be restarted if SA_RESTART is set").
pub fn errno_message(errno: i64) -> Option<&'static str> {
    ERRNOS.iter().find(|e| e.0 == errno).map(|e| e.2)
}

/// strace's quoting of a byte string: `"hello\n"`, with `\t \n \v \f \r
/// \" \\` and other bytes outside printable ASCII in octal (`\1`, `\377`;
/// three digits when a digit follows). At most `max` bytes are shown; a
/// longer string, or one not known to be `complete` (no NUL seen), is
/// followed by `...`.
pub fn quote(bytes: &[u8], max: usize, complete: bool) -> String {
    let shown = &bytes[..bytes.len().min(max)];
    let mut out = String::with_capacity(shown.len() + 5);
    out.push('"');
    for (i, &c) in shown.iter().enumerate() {
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            0x0b => out.push_str("\\v"),
            0x0c => out.push_str("\\f"),
            b'\r' => out.push_str("\\r"),
            0x20..=0x7e => out.push(char::from(c)),
            _ => {
                // The shortest octal form, unless the next byte shown is an
                // octal digit that would read as part of it.
                let full = matches!(shown.get(i + 1), Some(b'0'..=b'7'));
                out.push('\\');
                if full || c >= 0o100 {
                    out.push(char::from(b'0' + (c >> 6)));
                }
                if full || c >= 0o10 {
                    out.push(char::from(b'0' + ((c >> 3) & 7)));
                }
                out.push(char::from(b'0' + (c & 7)));
            }
        }
    }
    out.push('"');
    if bytes.len() > max || !complete {
        out.push_str("...");
    }
    out
}

// ---------------------------------------------------------------------
// Numbers and names

fn is_error(ret: i64) -> bool {
    (-MAX_ERRNO..0).contains(&ret)
}

/// `%#x`: 0 is "0".
pub(crate) fn hex(value: u64) -> String {
    if value == 0 {
        "0".to_string()
    } else {
        format!("{value:#x}")
    }
}

/// An address: NULL, or hex.
pub(crate) fn address(value: u64) -> String {
    if value == 0 {
        "NULL".to_string()
    } else {
        format!("{value:#x}")
    }
}

/// `%#03o`, strace's numeric mode: 0644, 022, 000.
fn octal(value: u32) -> String {
    let digits = if value == 0 {
        "0".to_string()
    } else {
        format!("0{value:o}")
    };
    format!("{digits:0>3}")
}

/// A value from a table of names, or `0x.. /* PREFIX_??? */`.
pub(crate) fn xval(value: u64, names: &[(u64, &str)], unknown: &str) -> String {
    match names.iter().find(|(v, _)| *v == value) {
        Some((_, name)) => (*name).to_string(),
        None => format!("{} /* {unknown} */", hex(value)),
    }
}

/// A flag set: the names of the set bits joined with `|`, in the table's
/// order, and what is left as hex. Bits no name explains are followed by
/// the `unknown` comment when nothing else was named; 0 is the table's
/// zero name if it has one, else "0".
pub(crate) fn flags(value: u64, names: &[(u64, &str)], unknown: Option<&str>) -> String {
    if value == 0 {
        return names
            .iter()
            .find(|(v, _)| *v == 0)
            .map_or_else(|| "0".to_string(), |(_, name)| (*name).to_string());
    }
    let mut left = value;
    let mut out = String::new();
    for &(bits, name) in names {
        if bits != 0 && left & bits == bits {
            if !out.is_empty() {
                out.push('|');
            }
            out.push_str(name);
            left &= !bits;
        }
    }
    if left != 0 {
        if out.is_empty() {
            out = hex(left);
            if let Some(unknown) = unknown {
                out.push_str(&format!(" /* {unknown} */"));
            }
        } else {
            out.push_str(&format!("|{left:#x}"));
        }
    }
    out
}

/// A signal number: SIGTERM, SIGRTMIN, SIGRT_3, or the number.
fn signal(number: i64) -> String {
    match number {
        0..=31 => SIGNALS[number as usize].to_string(),
        32 => "SIGRTMIN".to_string(),
        33..=64 => format!("SIGRT_{}", number - 32),
        _ => number.to_string(),
    }
}

fn dirfd(fd: i32) -> String {
    if fd == -100 {
        "AT_FDCWD".to_string()
    } else {
        fd.to_string()
    }
}

/// A signed argument. ArgKind::Int covers both C `int`s (pid_t, ...),
/// which strace prints as `int`, and `long`s and offsets, which it prints
/// whole. On x86_64 some libcs pass a negative `int` zero-extended
/// (`wait4(0xffffffff, ...)`, meant and shown by strace as -1): a value
/// whose upper half is clear and whose lower half is a small negative
/// `int` (down to -4194304, minus the largest pid) is shown as that `int`.
/// Only an offset in the 4 MiB below 4 GiB would read otherwise.
fn int_arg(call: &CallView<'_>, value: u64) -> String {
    const SMALLEST_INT: i32 = -(1 << 22);
    let low = value as u32 as i32;
    if call.abi == Abi::X86_64 && value >> 32 == 0 && (SMALLEST_INT..0).contains(&low) {
        return low.to_string();
    }
    call.long(value).to_string()
}

/// open(2) flags: the access mode first, then the other flags.
fn open_flags(value: u64) -> String {
    let access = xval(value & 3, OPEN_ACCESS, "O_???");
    let rest = value & !3;
    if rest == 0 {
        access
    } else {
        format!("{access}|{}", flags(rest, OPEN_FLAGS, None))
    }
}

/// A mode: numeric (0644, 04755) unless file type bits are set, then as
/// strace shows mknod's: S_IFCHR|0600, S_IFREG|S_ISUID|0755.
fn mode(value: u32) -> String {
    if value & 0o170000 == 0 {
        octal(value)
    } else {
        symbolic_mode(value)
    }
}

/// A mode with its file type by name (stat's st_mode, mknod's mode).
fn symbolic_mode(value: u32) -> String {
    let kind = u64::from(value & 0o170000);
    let type_name = if kind == 0 {
        Some("")
    } else {
        FILE_TYPES
            .iter()
            .find(|(v, _)| *v == kind)
            .map(|(_, name)| *name)
    };
    let Some(type_name) = type_name else {
        return octal(value);
    };
    let mut out = type_name.to_string();
    if !out.is_empty() {
        out.push('|');
    }
    for (bit, name) in [
        (0o4000, "S_ISUID|"),
        (0o2000, "S_ISGID|"),
        (0o1000, "S_ISVTX|"),
    ] {
        if value & bit != 0 {
            out.push_str(name);
        }
    }
    out.push_str(&octal(value & 0o777));
    out
}

/// mmap flags: the mapping type, the other flags, then the huge page size.
fn mmap_flags(value: u64) -> String {
    const HUGE_SHIFT: u32 = 26;
    const HUGE_MASK: u64 = 0x3f << HUGE_SHIFT;
    let mut out = xval(value & 0xf, MMAP_TYPES, "MAP_???");
    let rest = value & !0xf & !HUGE_MASK;
    if rest != 0 {
        out.push('|');
        out.push_str(&flags(rest, MMAP_FLAGS, None));
    }
    let huge = (value & HUGE_MASK) >> HUGE_SHIFT;
    if huge != 0 {
        out.push_str(&format!("|{huge}<<MAP_HUGE_SHIFT"));
    }
    out
}

/// clone flags with the exit signal (CSIGNAL, the low byte) by name.
fn clone_flags(value: u64) -> String {
    let exit_signal = (value & 0xff) as i64;
    let rest = value & !0xff;
    if rest == 0 {
        return signal(exit_signal);
    }
    let mut out = flags(rest, CLONE_FLAGS, Some("CLONE_???"));
    if exit_signal != 0 {
        out.push('|');
        out.push_str(&signal(exit_signal));
    }
    out
}

/// socket type: the type by name, then SOCK_CLOEXEC|SOCK_NONBLOCK.
fn socket_type(value: u32) -> String {
    let value = u64::from(value);
    let Some((_, name)) = SOCKET_TYPES.iter().find(|(v, _)| *v == value & 0xf) else {
        return flags(value, SOCKET_TYPE_FLAGS, Some("SOCK_???"));
    };
    let rest = value & !0xf;
    if rest == 0 {
        (*name).to_string()
    } else {
        format!(
            "{name}|{}",
            flags(rest, SOCKET_TYPE_FLAGS, Some("SOCK_???"))
        )
    }
}

/// An ioctl request by name, or decoded as `_IOC(dir, type, nr, size)`.
fn ioctl_cmd(code: u32) -> String {
    if let Some((_, name)) = IOCTL_CMDS.iter().find(|(v, _)| *v == u64::from(code)) {
        return (*name).to_string();
    }
    format!(
        "_IOC({}, {}, {}, {})",
        flags(u64::from(code >> 30), IOC_DIRS, Some("_IOC_???")),
        hex(u64::from((code >> 8) & 0xff)),
        hex(u64::from(code & 0xff)),
        hex(u64::from((code >> 16) & 0x3fff)),
    )
}

/// fcntl's result: F_GETFL and F_GETFD show the flags they return.
fn fcntl_return(call: &CallView<'_>, ret: i64) -> String {
    const F_GETFD: u32 = 1;
    const F_GETFL: u32 = 3;
    let value = ret as u64;
    match call.arg(1) as u32 {
        F_GETFL => format!("{} (flags {})", hex(value), open_flags(value)),
        F_GETFD if ret != 0 => format!("{} (flags {})", hex(value), flags(value, FD_FLAGS, None)),
        _ => ret.to_string(),
    }
}

// ---------------------------------------------------------------------
// Reading recorded bytes

fn le_u16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(
        bytes.get(at..at.checked_add(2)?)?.try_into().ok()?,
    ))
}

fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        bytes.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn le_u64(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(
        bytes.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
}

/// A `long` or pointer of the call's ABI, zero-extended.
fn le_word(call: &CallView<'_>, bytes: &[u8], at: usize) -> Option<u64> {
    match call.abi {
        Abi::X86_64 => le_u64(bytes, at),
        Abi::I386 => le_u32(bytes, at).map(u64::from),
    }
}

/// A `long` of the call's ABI, sign-extended.
fn le_long(call: &CallView<'_>, bytes: &[u8], at: usize) -> Option<i64> {
    match call.abi {
        Abi::X86_64 => le_u64(bytes, at).map(|v| v as i64),
        Abi::I386 => le_u32(bytes, at).map(|v| i64::from(v as i32)),
    }
}

/// A structure the kernel reads: NULL, its rendering, or its address when
/// its bytes were not recorded.
fn struct_in(
    call: &CallView<'_>,
    value: u64,
    render: impl FnOnce(&CallView<'_>, u64) -> Option<String>,
) -> String {
    let at = call.ulong(value);
    if at == 0 {
        return address(at);
    }
    render(call, at).unwrap_or_else(|| address(at))
}

/// A structure the kernel writes: as `struct_in`, and its address when the
/// call failed or has not returned, as strace shows it.
fn struct_out(
    call: &CallView<'_>,
    value: u64,
    render: impl FnOnce(&CallView<'_>, u64) -> Option<String>,
) -> String {
    let at = call.ulong(value);
    if at == 0 || !call.succeeded() {
        return address(at);
    }
    render(call, at).unwrap_or_else(|| address(at))
}

// ---------------------------------------------------------------------
// Strings and buffers

/// A NUL-terminated string the kernel read, `max` bytes at most.
fn c_string(call: &CallView<'_>, value: u64, max: usize) -> String {
    let at = call.ulong(value);
    if at == 0 {
        return address(at);
    }
    // One byte more than shown tells whether the string is longer.
    match call.memory.c_string(at, max + 1) {
        Some((bytes, terminated)) => quote(&bytes, max, terminated),
        None => address(at),
    }
}

/// A buffer of `len` bytes: its first 32, and `...` if longer.
fn buffer(call: &CallView<'_>, dir: Dir, value: u64, len: u64) -> String {
    let at = call.ulong(value);
    if at == 0 {
        return address(at);
    }
    let shown = len.min(MAX_STRLEN as u64) as usize;
    match call.fetch(dir, at, shown) {
        Some(bytes) => quote(&bytes, MAX_STRLEN, len <= MAX_STRLEN as u64),
        None => address(at),
    }
}

/// A buffer the kernel filled: the return value says how much.
fn buffer_out(call: &CallView<'_>, value: u64) -> String {
    match call.ret {
        Some(ret) if !is_error(ret) => buffer(call, Dir::Out, value, call.ulong(ret as u64)),
        _ => call.address(value),
    }
}

/// The two calls whose first argument is a buffer the kernel fills are
/// getcwd, which strace shows as a path (its result counts the NUL), and
/// getrandom, whose bytes strace shows in hex (`"\xb6\x93"`). A buffer
/// that starts a path (`/`, or getcwd's `(unreachable)`) and ends in its
/// only NUL is taken as getcwd's; random bytes look like that about once
/// in 65536 two-byte draws, and more rarely for longer ones.
fn first_buffer_out(call: &CallView<'_>, value: u64) -> String {
    let at = call.ulong(value);
    let len = match call.ret {
        Some(ret) if at != 0 && !is_error(ret) => call.ulong(ret as u64),
        _ => return address(at),
    };
    if len <= PATH_SHOWN as u64 + 1
        && let Some(bytes) = call.memory.written(at, len as usize)
        && let Some((0, path)) = bytes.split_last()
        && !path.contains(&0)
        && matches!(path.first(), Some(b'/' | b'('))
    {
        return quote(path, PATH_SHOWN, true);
    }
    let shown = len.min(MAX_STRLEN as u64) as usize;
    match call.memory.written(at, shown) {
        Some(bytes) => quote_hex(&bytes, len <= MAX_STRLEN as u64),
        None => address(at),
    }
}

/// Bytes all in hex, as strace forces for random data: `"\x88\x37"`.
fn quote_hex(bytes: &[u8], complete: bool) -> String {
    let mut out = String::with_capacity(4 * bytes.len() + 5);
    out.push('"');
    for byte in bytes {
        out.push_str(&format!("\\x{byte:02x}"));
    }
    out.push('"');
    if !complete {
        out.push_str("...");
    }
    out
}

/// Which StrArray is execve's envp (shown as a count, as strace does by
/// default) rather than an argv (shown in full). execve(path, argv, envp)
/// and execveat(dirfd, path, argv, envp, flags) both have one at index 2.
/// execve's first argument is the path the kernel read; execveat's is a
/// descriptor, AT_FDCWD or a number below any user mapping (Linux maps
/// nothing below mmap_min_addr, 64 KiB by default).
fn is_envp(index: usize, call: &CallView<'_>) -> bool {
    match index {
        2 => {
            let first = call.arg(0);
            if first as u32 as i32 == -100 {
                return false;
            }
            let first = call.ulong(first);
            call.memory.c_string(first, 1).is_some() || first >= 0x1_0000
        }
        3.. => true,
        _ => false,
    }
}

/// argv: `["ls", "-l"]`; 32 elements at most, then `...`; an unrecorded
/// tail as `... /* 0x... */`.
fn str_array(call: &CallView<'_>, value: u64) -> String {
    let start = call.ulong(value);
    if start == 0 {
        return address(start);
    }
    let word = call.word();
    let mut out = String::new();
    let mut at = start;
    for n in 0.. {
        let pointer = call.memory.read_word(at, word);
        let Some(pointer) = pointer else {
            if n == 0 {
                return address(start);
            }
            out.push_str(&format!(", ... /* {} */", address(at)));
            break;
        };
        if n == 0 {
            out.push('[');
        }
        if pointer == 0 {
            break;
        }
        if n != 0 {
            out.push_str(", ");
        }
        if n >= MAX_STRLEN {
            out.push_str("...");
            break;
        }
        out.push_str(&c_string(call, pointer, MAX_STRLEN));
        let Some(next) = at.checked_add(word as u64) else {
            break;
        };
        at = next;
    }
    out.push(']');
    out
}

/// envp: its address and how many strings it holds, `0x7ffc... /* 23 vars */`.
fn env_count(call: &CallView<'_>, value: u64) -> String {
    let start = call.ulong(value);
    if start == 0 {
        return address(start);
    }
    let word = call.word();
    let mut count = 0u64;
    let mut at = start;
    let terminated = loop {
        match call.memory.read_word(at, word) {
            None if count == 0 => return address(start),
            None => break false,
            Some(0) => break true,
            Some(_) => count += 1,
        }
        match at.checked_add(word as u64) {
            Some(next) => at = next,
            None => break false,
        }
    };
    format!(
        "{} /* {count} var{}{} */",
        address(start),
        if count == 1 { "" } else { "s" },
        if terminated { "" } else { ", unterminated" },
    )
}

/// An iovec array: `[{iov_base="hello", iov_len=5}, ...]`. The kernel reads
/// the array; the data is what it read (`Dir::In`) or wrote (`Dir::Out`,
/// as much as the call returned, spread over the buffers in order).
fn iovec(call: &CallView<'_>, dir: Dir, value: u64, count: u64) -> String {
    let start = call.ulong(value);
    let count = call.ulong(count);
    if start == 0 {
        return address(start);
    }
    if count == 0 {
        return "[]".to_string();
    }
    let word = call.word();
    let element = 2 * word as u64;
    // An array that would wrap around the address space is shown as its
    // address, as strace does.
    let end = count
        .checked_mul(element)
        .and_then(|size| start.checked_add(size));
    if end.is_none_or(|end| end != call.ulong(end)) {
        return address(start);
    }
    // Bytes of data left to show: unbounded for what the kernel read, the
    // return value for what it wrote, none (addresses) if it failed.
    let mut data = match (dir, call.ret) {
        (Dir::In, _) => Some(u64::MAX),
        (Dir::Out, Some(ret)) if !is_error(ret) => Some(call.ulong(ret as u64)),
        (Dir::Out, _) => None,
    };
    let mut out = String::new();
    let mut at = start;
    for n in 0..count {
        let Some(entry) = call.memory.read(at, 2 * word) else {
            if n == 0 {
                return address(start);
            }
            out.push_str(&format!(", ... /* {} */", address(at)));
            break;
        };
        out.push_str(if n == 0 { "[" } else { ", " });
        if n >= MAX_STRLEN as u64 {
            out.push_str("...");
            break;
        }
        let base = le_word(call, &entry, 0).unwrap_or(0);
        let len = le_word(call, &entry, word).unwrap_or(0);
        let shown = match data.as_mut() {
            Some(left) => {
                let here = len.min(*left);
                *left -= here;
                buffer(call, dir, base, here)
            }
            None => address(base),
        };
        out.push_str(&format!("{{iov_base={shown}, iov_len={len}}}"));
        at = at.wrapping_add(element);
    }
    out.push(']');
    out
}

// ---------------------------------------------------------------------
// Structures

/// `struct stat` the kernel wrote, abbreviated as strace does:
/// `{st_mode=S_IFREG|0644, st_size=19, ...}`, or st_rdev for devices.
fn stat(call: &CallView<'_>, at: u64) -> Option<String> {
    // (st_mode, st_rdev, st_size) as offset and width in bytes.
    let layout = match call.abi {
        Abi::X86_64 => StatLayout {
            mode: (24, 4),
            rdev: (40, 8),
            size: (48, 8),
        },
        Abi::I386 => stat_i386(call, at)?,
    };
    let field = |(offset, width): (u64, usize)| {
        let bytes = call.memory.written(at.wrapping_add(offset), width)?;
        match width {
            2 => le_u16(&bytes, 0).map(u64::from),
            4 => le_u32(&bytes, 0).map(u64::from),
            _ => le_u64(&bytes, 0),
        }
    };
    let mode = field(layout.mode)? as u32;
    let second = match mode & 0o170000 {
        0o20000 | 0o60000 => format!("st_rdev={}", device(field(layout.rdev)?)),
        _ => format!("st_size={}", field(layout.size)?),
    };
    Some(format!(
        "{{st_mode={}, {second}, ...}}",
        symbolic_mode(mode)
    ))
}

struct StatLayout {
    mode: (u64, usize),
    rdev: (u64, usize),
    size: (u64, usize),
}

/// i386 has the old `struct stat` (64 bytes: stat, fstat, lstat) and
/// `struct stat64` (96 bytes: stat64, fstat64, lstat64, fstatat64) under
/// one ArgKind. The kernel writes every field of the one it fills and
/// nothing past it: bytes 64..96 written mean stat64.
fn stat_i386(call: &CallView<'_>, at: u64) -> Option<StatLayout> {
    if call.memory.written(at.wrapping_add(64), 32).is_some() {
        Some(StatLayout {
            mode: (16, 4),
            rdev: (32, 8),
            size: (44, 8),
        })
    } else if call.memory.written(at, 64).is_some() {
        Some(StatLayout {
            mode: (8, 2),
            rdev: (16, 4),
            size: (20, 4),
        })
    } else {
        None
    }
}

/// A device number as glibc's major()/minor() split it: makedev(0x1, 0x3).
fn device(dev: u64) -> String {
    let major = ((dev & 0xfff00) >> 8) | ((dev & 0xffff_f000_0000_0000) >> 32);
    let minor = (dev & 0xff) | ((dev & 0x0000_0fff_fff0_0000) >> 12);
    format!("makedev({}, {})", hex(major), hex(minor))
}

/// `{tv_sec=1, tv_nsec=500}`. On x86_64 a timespec is 16 bytes. i386 has
/// the 8-byte one of the time32 calls (clock_gettime, nanosleep) and the
/// 16-byte one of the time64 calls (clock_gettime64) under one ArgKind:
/// the kernel moves exactly one of them, so 16 bytes moved whose upper
/// halves are those of a small tv_sec and a tv_nsec mean the 64-bit one.
fn timespec(call: &CallView<'_>, dir: Dir, at: u64) -> Option<String> {
    let wide = match call.abi {
        Abi::X86_64 => true,
        Abi::I386 => call.fetch(dir, at, 16).is_some_and(|b| {
            let sec_high = le_u32(&b, 4).unwrap_or(1);
            let nsec = le_u32(&b, 8).unwrap_or(u32::MAX);
            let nsec_high = le_u32(&b, 12).unwrap_or(1);
            (sec_high == 0 || sec_high == u32::MAX) && nsec < 1_000_000_000 && nsec_high == 0
        }),
    };
    let (sec, nsec) = if wide {
        let b = call.fetch(dir, at, 16)?;
        (le_u64(&b, 0)? as i64, le_u64(&b, 8)? as i64)
    } else {
        let b = call.fetch(dir, at, 8)?;
        (
            i64::from(le_u32(&b, 0)? as i32),
            i64::from(le_u32(&b, 4)? as i32),
        )
    };
    Some(format!("{{tv_sec={sec}, tv_nsec={nsec}}}"))
}

/// `{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}`. 64-bit limits except
/// for i386's getrlimit/ugetrlimit/setrlimit, whose struct is at argument
/// 1; prlimit64's, at 2 and 3, is 64-bit on both ABIs.
fn rlimit(call: &CallView<'_>, dir: Dir, at: u64, index: usize) -> Option<String> {
    let wide = call.abi == Abi::X86_64 || index >= 2;
    let (cur, max, infinity) = if wide {
        let b = call.fetch(dir, at, 16)?;
        (le_u64(&b, 0)?, le_u64(&b, 8)?, "RLIM64_INFINITY")
    } else {
        let b = call.fetch(dir, at, 8)?;
        let widen = |v: u32| {
            if v == u32::MAX {
                u64::MAX
            } else {
                u64::from(v)
            }
        };
        (
            widen(le_u32(&b, 0)?),
            widen(le_u32(&b, 4)?),
            "RLIM_INFINITY",
        )
    };
    let limit = |v: u64| match v {
        u64::MAX => infinity.to_string(),
        v if v > 1024 && v % 1024 == 0 => format!("{}*1024", v / 1024),
        v => v.to_string(),
    };
    Some(format!(
        "{{rlim_cur={}, rlim_max={}}}",
        limit(cur),
        limit(max)
    ))
}

/// pipe's `[3, 4]`.
fn fd_pair(call: &CallView<'_>, at: u64) -> Option<String> {
    let b = call.memory.written(at, 8)?;
    Some(format!(
        "[{}, {}]",
        le_u32(&b, 0)? as i32,
        le_u32(&b, 4)? as i32
    ))
}

/// An int the kernel wrote: `[N]`; when it first read another value there
/// (a value-result argument), `[in => out]`.
fn int_out(call: &CallView<'_>, at: u64) -> Option<String> {
    let out = le_u32(&call.memory.written(at, 4)?, 0)? as i32;
    match call.memory.read(at, 4).and_then(|b| le_u32(&b, 0)) {
        Some(before) if before as i32 != out => Some(format!("[{} => {out}]", before as i32)),
        _ => Some(format!("[{out}]")),
    }
}

/// wait4's status: `[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]`. Shown only
/// when a child was reaped (a positive result), as strace does.
fn wait_status(call: &CallView<'_>, value: u64) -> String {
    let at = call.ulong(value);
    let reaped = call.ret.is_some_and(|ret| ret > 0);
    if at == 0 || !reaped {
        return address(at);
    }
    match call.memory.written(at, 4).and_then(|b| le_u32(&b, 0)) {
        Some(status) => format!("[{}]", wait_status_text(status)),
        None => address(at),
    }
}

fn wait_status_text(status: u32) -> String {
    // glibc's WIFSTOPPED, WIFSIGNALED, WIFEXITED, WIFCONTINUED, in strace's order.
    let low = status & 0x7f;
    let mut left = status;
    let mut out = if status & 0xff == 0x7f {
        let sig = (status >> 8) & 0xff;
        left &= !((sig << 8) | 0x7f);
        format!(
            "{{WIFSTOPPED(s) && WSTOPSIG(s) == {}{}}}",
            signal(i64::from(sig & 0x7f)),
            if sig & 0x80 != 0 { " | 0x80" } else { "" }
        )
    } else if low != 0 && low != 0x7f {
        left &= !(low | 0x80);
        format!(
            "{{WIFSIGNALED(s) && WTERMSIG(s) == {}{}}}",
            signal(i64::from(low)),
            if status & 0x80 != 0 {
                " && WCOREDUMP(s)"
            } else {
                ""
            }
        )
    } else if low == 0 {
        let code = (status >> 8) & 0xff;
        left &= !(code << 8);
        format!("{{WIFEXITED(s) && WEXITSTATUS(s) == {code}}}")
    } else if status == 0xffff {
        left = 0;
        "{WIFCONTINUED(s)}".to_string()
    } else {
        return hex(u64::from(status));
    };
    if left >> 16 != 0 {
        out.push_str(&format!(
            "|{}<<16",
            xval(u64::from(left >> 16), PTRACE_EVENTS, "PTRACE_EVENT_???")
        ));
        left &= 0xffff;
    }
    if left != 0 {
        out.push_str(&format!("|{left:#x}"));
    }
    out
}

/// `{sysname="Linux", nodename="vm", ...}`.
fn utsname(call: &CallView<'_>, at: u64) -> Option<String> {
    const FIELD: usize = 65;
    let b = call.memory.written(at, 2 * FIELD)?;
    let field = |bytes: &[u8]| match bytes.iter().position(|&c| c == 0) {
        Some(nul) => quote(&bytes[..nul], FIELD, true),
        None => quote(bytes, FIELD, false),
    };
    Some(format!(
        "{{sysname={}, nodename={}, ...}}",
        field(&b[..FIELD]),
        field(&b[FIELD..])
    ))
}

/// rt_sigaction's struct: `{sa_handler=0x401000, sa_mask=[], sa_flags=SA_RESTORER,
/// sa_restorer=0x...}`; the restorer only with SA_RESTORER. x86_64: handler,
/// flags, restorer (8 bytes each), mask; i386: the same in 4-byte fields.
fn sigaction(call: &CallView<'_>, dir: Dir, at: u64) -> Option<String> {
    let word = call.word();
    let b = call.fetch(dir, at, 3 * word + 8)?;
    let handler = le_word(call, &b, 0)?;
    let sa_flags = le_word(call, &b, word)?;
    let restorer = le_word(call, &b, 2 * word)?;
    let mask = sigset_text(b.get(3 * word..3 * word + 8)?);
    let handler = match handler {
        0 => "SIG_DFL".to_string(),
        1 => "SIG_IGN".to_string(),
        h if h == call.ulong(u64::MAX) => "SIG_ERR".to_string(),
        h => address(h),
    };
    let mut out = format!(
        "{{sa_handler={handler}, sa_mask={mask}, sa_flags={}",
        flags(sa_flags, SA_FLAGS, Some("SA_???"))
    );
    if sa_flags & 0x0400_0000 != 0 {
        out.push_str(&format!(", sa_restorer={}", address(restorer)));
    }
    out.push('}');
    Some(out)
}

/// A sigset_t the kernel read. The kernel's is 8 bytes on both ABIs; i386's
/// old sigset_t is 4, used only if 8 were not read.
fn sigset_in(call: &CallView<'_>, at: u64) -> Option<String> {
    let bytes = call.memory.read(at, 8).or_else(|| match call.abi {
        Abi::I386 => call.memory.read(at, 4),
        Abi::X86_64 => None,
    })?;
    Some(sigset_text(&bytes))
}

/// `[INT TERM]`, or `~[...]` listing the signals not in the set when at
/// least two thirds of its bits (rounded down: 42 of 64) are set.
fn sigset_text(bytes: &[u8]) -> String {
    let bits = bytes.len() * 8;
    let set: u64 = bytes
        .iter()
        .take(8)
        .enumerate()
        .fold(0, |acc, (i, &b)| acc | (u64::from(b) << (8 * i)));
    let inverted = set.count_ones() as usize >= bits * 2 / 3;
    let shown = if inverted { !set } else { set };
    let names: Vec<String> = (0..bits.min(64))
        .filter(|bit| shown & (1 << bit) != 0)
        .map(|bit| {
            let number = bit as i64 + 1;
            match number {
                1..=31 => SIGNALS[bit + 1].trim_start_matches("SIG").to_string(),
                32 => "RTMIN".to_string(),
                _ => format!("RT_{}", number - 32),
            }
        })
        .collect();
    format!("{}[{}]", if inverted { "~" } else { "" }, names.join(" "))
}

/// `{ru_utime={tv_sec=0, tv_usec=1234}, ru_stime={...}, ...}`: the two
/// timevals lead the struct (longs: 8 bytes on x86_64, 4 on i386).
fn rusage(call: &CallView<'_>, at: u64) -> Option<String> {
    let word = call.word();
    let b = call.memory.written(at, 4 * word)?;
    let timeval = |i: usize| -> Option<String> {
        Some(format!(
            "{{tv_sec={}, tv_usec={}}}",
            le_long(call, &b, 2 * i * word)?,
            le_long(call, &b, (2 * i + 1) * word)?
        ))
    };
    Some(format!(
        "{{ru_utime={}, ru_stime={}, ...}}",
        timeval(0)?,
        timeval(1)?
    ))
}

/// getdents64's buffer as strace abbreviates it: `0x... /* 5 entries */`,
/// counting the entries by their recorded headers (`N+` when the count
/// stops at an unrecorded one).
fn dirents(call: &CallView<'_>, value: u64) -> String {
    /// d_ino, d_off, d_reclen, d_type: the part before d_name.
    const HEADER: u64 = 19;
    let start = call.ulong(value);
    let count = call.ulong(call.arg(2));
    let len = match call.ret {
        Some(ret) if !is_error(ret) && call.ulong(ret as u64) <= count => call.ulong(ret as u64),
        _ => return address(start),
    };
    let mut entries = 0u64;
    let mut left = len;
    let mut at = start;
    let mut notes = String::new();
    while left >= HEADER {
        let Some(header) = call.memory.written(at, HEADER as usize) else {
            break;
        };
        entries += 1;
        let reclen = u64::from(le_u16(&header, 16).unwrap_or(0));
        if reclen > left {
            notes.push_str(&format!(" /* d_reclen {} bytes overflow */", reclen - left));
            left = 0;
        } else if reclen < HEADER {
            // strace stops here, with the rest counted as unseen.
            notes.push_str(&format!(
                " /* d_reclen {} bytes underflow */",
                HEADER - reclen
            ));
            left -= HEADER;
            break;
        } else {
            left -= reclen;
            at = at.wrapping_add(reclen);
        }
    }
    let more = if left != 0 { "+" } else { "" };
    format!("{}{notes} /* {entries}{more} entries */", address(start))
}

/// clone3's `struct clone_args`, as strace shows it at entry, and on
/// success what the kernel wrote back: `{flags=CLONE_VM|CLONE_VFORK,
/// exit_signal=SIGCHLD, stack=NULL, stack_size=0} => {parent_tid=[42]}`.
fn clone_args(call: &CallView<'_>, value: u64) -> String {
    const CLONE_PIDFD: u64 = 0x1000;
    const CLONE_SETTLS: u64 = 0x80000;
    const CLONE_PARENT_SETTID: u64 = 0x100000;
    const CLONE_CHILD_CLEARTID: u64 = 0x200000;
    const CLONE_CHILD_SETTID: u64 = 0x1000000;
    const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;
    /// Up to tls: anything shorter is refused.
    const MIN_SIZE: u64 = 64;
    /// Through cgroup: the struct as of Linux 5.7.
    const FULL_SIZE: u64 = 88;
    let at = call.ulong(value);
    let size = call.ulong(call.arg(1)).min(FULL_SIZE);
    if at == 0 || size < MIN_SIZE {
        return address(at);
    }
    let Some(b) = call.memory.read(at, size as usize) else {
        return address(at);
    };
    let field = |index: usize| le_u64(&b, 8 * index).unwrap_or(0);
    let flags_value = field(0);
    let all_flags: Vec<(u64, &str)> = CLONE_FLAGS.iter().chain(CLONE3_FLAGS).copied().collect();
    let mut out = format!(
        "{{flags={}",
        flags(flags_value, &all_flags, Some("CLONE_???"))
    );
    if flags_value & CLONE_PIDFD != 0 {
        out.push_str(&format!(", pidfd={}", address(field(1))));
    }
    if flags_value & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID) != 0 {
        out.push_str(&format!(", child_tid={}", address(field(2))));
    }
    if flags_value & CLONE_PARENT_SETTID != 0 {
        out.push_str(&format!(", parent_tid={}", address(field(3))));
    }
    let exit_signal = field(4);
    if exit_signal < i32::MAX as u64 {
        out.push_str(&format!(", exit_signal={}", signal(exit_signal as i64)));
    } else {
        out.push_str(&format!(", exit_signal={exit_signal}"));
    }
    out.push_str(&format!(
        ", stack={}, stack_size={}",
        address(field(5)),
        hex(field(6))
    ));
    if flags_value & CLONE_SETTLS != 0 {
        out.push_str(&format!(", tls={}", address(field(7))));
    }
    let (set_tid, set_tid_size) = (field(8), field(9));
    if set_tid != 0 || set_tid_size != 0 {
        out.push_str(&format!(
            ", set_tid={}",
            set_tid_array(call, set_tid, set_tid_size)
        ));
        out.push_str(&format!(", set_tid_size={set_tid_size}"));
    }
    if size > 80 && (field(10) != 0 || flags_value & CLONE_INTO_CGROUP != 0) {
        out.push_str(&format!(", cgroup={}", field(10)));
    }
    out.push('}');
    let ret = call.ret.unwrap_or(0);
    if ret > 0 && flags_value & (CLONE_PIDFD | CLONE_PARENT_SETTID) != 0 {
        let written =
            |pointer: u64| match call.memory.written(pointer, 4).and_then(|b| le_u32(&b, 0)) {
                Some(v) => format!("[{}]", v as i32),
                None => address(pointer),
            };
        let mut back = Vec::new();
        if flags_value & CLONE_PIDFD != 0 {
            back.push(format!("pidfd={}", written(field(1))));
        }
        if flags_value & CLONE_PARENT_SETTID != 0 {
            back.push(format!("parent_tid={}", written(field(3))));
        }
        out.push_str(&format!(" => {{{}}}", back.join(", ")));
    }
    out
}

/// clone3's set_tid: the pids the kernel read, `[1, 2]`.
fn set_tid_array(call: &CallView<'_>, at: u64, count: u64) -> String {
    const MAX_SET_TID: u64 = 32;
    if at == 0 || count == 0 || count > MAX_SET_TID {
        return address(at);
    }
    let mut items = Vec::new();
    for i in 0..count {
        let here = at.wrapping_add(4 * i);
        match call.memory.read(here, 4).and_then(|b| le_u32(&b, 0)) {
            Some(pid) => items.push((pid as i32).to_string()),
            None if i == 0 => return address(at),
            None => {
                items.push(format!("... /* {} */", address(here)));
                break;
            }
        }
    }
    format!("[{}]", items.join(", "))
}

// ---------------------------------------------------------------------
// Socket addresses

/// A socket address the kernel read; argument `len` is its length.
fn sockaddr_in(call: &CallView<'_>, value: u64, len: u64) -> String {
    let at = call.ulong(value);
    let len = len as u32 as i32;
    if at == 0 || len < 2 {
        return address(at);
    }
    let len = (len as usize).min(SOCKADDR_MAX);
    match call.memory.read(at, len) {
        Some(bytes) => sockaddr(&bytes),
        None => address(at),
    }
}

/// A socket address the kernel wrote; argument `len` points to its length,
/// which the kernel read (the room) and wrote (the address's size). It
/// wrote as much of the address as there was room for.
fn sockaddr_out(call: &CallView<'_>, value: u64, len_pointer: u64) -> String {
    let at = call.ulong(value);
    let len_at = call.ulong(len_pointer);
    if at == 0 || !call.succeeded() || len_at == 0 {
        return address(at);
    }
    let room = call.memory.read(len_at, 4).and_then(|b| le_u32(&b, 0));
    let Some(size) = call.memory.written(len_at, 4).and_then(|b| le_u32(&b, 0)) else {
        return address(at);
    };
    let len = room.map_or(size, |room| room.min(size)) as i32;
    if len < 2 {
        return address(at);
    }
    let len = (len as usize).min(SOCKADDR_MAX);
    match call.memory.written(at, len) {
        Some(bytes) => sockaddr(&bytes),
        None => address(at),
    }
}

/// `{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}`
/// from the address's `bytes` (2..=128 of them).
fn sockaddr(bytes: &[u8]) -> String {
    const AF_UNIX: u16 = 1;
    const AF_INET: u16 = 2;
    const AF_INET6: u16 = 10;
    const AF_NETLINK: u16 = 16;
    let len = bytes.len();
    // strace decodes from a zeroed buffer: fields past `len` read as 0.
    let mut buf = [0u8; SOCKADDR_MAX + 1];
    buf[..len.min(SOCKADDR_MAX)].copy_from_slice(&bytes[..len.min(SOCKADDR_MAX)]);
    let family = u16::from_le_bytes([buf[0], buf[1]]);
    let mut out = format!(
        "{{sa_family={}",
        xval(u64::from(family), ADDRESS_FAMILIES, "AF_???")
    );
    if len > 2 {
        out.push_str(", ");
        let body = match family {
            AF_UNIX => sockaddr_un(&buf, len),
            AF_INET if len >= 16 => format!(
                "sin_port=htons({}), sin_addr=inet_addr(\"{}.{}.{}.{}\")",
                u16::from_be_bytes([buf[2], buf[3]]),
                buf[4],
                buf[5],
                buf[6],
                buf[7]
            ),
            AF_INET6 if len >= 24 => sockaddr_in6(&buf, len),
            AF_NETLINK if len >= 12 => {
                let pad = u16::from_le_bytes([buf[2], buf[3]]);
                let pid = u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]);
                let groups = u32::from_le_bytes([buf[8], buf[9], buf[10], buf[11]]);
                let pad = if pad != 0 {
                    format!("nl_pad={pad:#x}, ")
                } else {
                    String::new()
                };
                format!("{pad}nl_pid={pid}, nl_groups={groups:#08x}")
            }
            _ => format!("sa_data={}", quote(&buf[2..len], usize::MAX, true)),
        };
        out.push_str(&body);
    }
    out.push('}');
    out
}

/// sun_path: up to its NUL, or `@"..."` for an abstract name (all of it).
fn sockaddr_un(buf: &[u8], len: usize) -> String {
    let path_len = len.min(SOCKADDR_UN_SIZE) - 2;
    let path = &buf[2..2 + path_len];
    if path.first().is_some_and(|&c| c != 0) {
        let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
        format!("sun_path={}", quote(&path[..end], usize::MAX, true))
    } else {
        format!(
            "sun_path=@{}",
            quote(path.get(1..).unwrap_or(&[]), usize::MAX, true)
        )
    }
}

fn sockaddr_in6(buf: &[u8], len: usize) -> String {
    let port = u16::from_be_bytes([buf[2], buf[3]]);
    let flowinfo = u32::from_be_bytes([buf[4], buf[5], buf[6], buf[7]]);
    let mut out = format!(
        "sin6_port=htons({port}), sin6_flowinfo=htonl({flowinfo}), \
         inet_pton(AF_INET6, \"{}\", &sin6_addr)",
        inet6_text(&buf[8..24])
    );
    if len > 24 {
        // strace names link-local scopes by the tracing host's interfaces
        // (if_nametoindex("eth0")); the guest's names are not known here.
        let scope = u32::from_le_bytes([buf[24], buf[25], buf[26], buf[27]]);
        out.push_str(&format!(", sin6_scope_id={scope}"));
    }
    out
}

/// An IPv6 address as glibc's inet_ntop writes it: the first longest run
/// of two or more zero groups as `::`, IPv4-compatible and IPv4-mapped
/// addresses with a dotted tail.
fn inet6_text(addr: &[u8]) -> String {
    let mut words = [0u16; 8];
    for (i, word) in words.iter_mut().enumerate() {
        *word = u16::from_be_bytes([addr[2 * i], addr[2 * i + 1]]);
    }
    // The first longest run of zero groups.
    let (mut best, mut best_len) = (usize::MAX, 0);
    let mut i = 0;
    while i < 8 {
        if words[i] == 0 {
            let run = words[i..].iter().take_while(|&&w| w == 0).count();
            if run > best_len {
                (best, best_len) = (i, run);
            }
            i += run;
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best = usize::MAX;
    }
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if i == best {
            out.push(':');
            i += best_len;
            if i == 8 {
                out.push(':');
            }
            continue;
        }
        if i != 0 {
            out.push(':');
        }
        if i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)) {
            out.push_str(&format!(
                "{}.{}.{}.{}",
                addr[12], addr[13], addr[14], addr[15]
            ));
            break;
        }
        out.push_str(&format!("{:x}", words[i]));
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    //! Expected texts are copied from strace 6.1 runs on this project's
    //! build machine (x86_64 and `gcc -m32` programs), with the memory the
    //! kernel would have touched fabricated as recorded runs.

    use super::*;
    use vmscope_schema::{Direction, MemoryRun};

    fn rd(address: u64, bytes: &[u8]) -> MemoryRun {
        MemoryRun {
            address,
            direction: Direction::KernelRead,
            bytes: bytes.to_vec(),
            thread: Default::default(),
        }
    }

    fn wr(address: u64, bytes: &[u8]) -> MemoryRun {
        MemoryRun {
            address,
            direction: Direction::KernelWrite,
            bytes: bytes.to_vec(),
            thread: Default::default(),
        }
    }

    fn view<'a>(abi: Abi, args: &[u64], ret: Option<i64>, runs: &'a [MemoryRun]) -> CallView<'a> {
        let mut all = [0u64; 6];
        all[..args.len()].copy_from_slice(args);
        CallView {
            abi,
            args: all,
            ret,
            memory: CallMemory::new(runs),
        }
    }

    /// Argument `index` of a call with `args`, rendered as `kind`.
    fn arg(
        kind: ArgKind,
        index: usize,
        abi: Abi,
        args: &[u64],
        ret: Option<i64>,
        runs: &[MemoryRun],
    ) -> String {
        render_arg(kind, index, &view(abi, args, ret, runs))
    }

    /// A register-only argument of a successful x86_64 call.
    fn reg(kind: ArgKind, value: u64) -> String {
        arg(kind, 0, Abi::X86_64, &[value], Some(0), &[])
    }

    fn le32(values: &[u32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    fn le64(values: &[u64]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    fn cstr(s: &str) -> Vec<u8> {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        v
    }

    #[test]
    fn quote_escapes_as_strace() {
        // write(1, "a\1\377\n\t\r\v\f\7\10\0z\"\\", 14)
        assert_eq!(
            quote(b"a\x01\xff\n\t\r\x0b\x0c\x07\x08\x00z\"\\", 32, true),
            r#""a\1\377\n\t\r\v\f\7\10\0z\"\\""#
        );
        // Three octal digits only when an octal digit follows.
        assert_eq!(quote(b"\x011\x018\x019", 32, true), r#""\0011\18\19""#);
        assert_eq!(
            quote(b"it's ?*/\x7f\x80", 32, true),
            r#""it's ?*/\177\200""#
        );
        assert_eq!(
            quote("é€".as_bytes(), 32, true),
            r#""\303\251\342\202\254""#
        );
    }

    #[test]
    fn quote_cuts_at_max() {
        let long = b"abcdefghijklmnopqrstuvwxyz0123456789";
        assert_eq!(
            quote(long, 32, true),
            r#""abcdefghijklmnopqrstuvwxyz012345"..."#
        );
        assert_eq!(
            quote(&long[..32], 32, true),
            r#""abcdefghijklmnopqrstuvwxyz012345""#
        );
        // The byte after the cut is not shown, so it does not widen the escape.
        assert_eq!(
            quote(b"abcdefghijklmnopqrstuvwxyz01234\x017", 32, true),
            r#""abcdefghijklmnopqrstuvwxyz01234\1"..."#
        );
        assert_eq!(quote(b"no-nul", 32, false), r#""no-nul"..."#);
        assert_eq!(quote(b"", 32, true), r#""""#);
    }

    #[test]
    fn numbers_on_both_abis() {
        assert_eq!(reg(ArgKind::Int, (-1i64) as u64), "-1");
        // An offset past 4 GiB, and one below the last 4 MiB before it.
        assert_eq!(reg(ArgKind::Int, 1 << 32), "4294967296");
        assert_eq!(reg(ArgKind::Int, 0xffbf_ffff), "4290772991");
        // wait4(-1, ...) from a libc that zero-extends its int: strace's -1.
        assert_eq!(reg(ArgKind::Int, 0xffff_ffff), "-1");
        assert_eq!(reg(ArgKind::Int, 0xffff_fffb), "-5");
        assert_eq!(
            arg(ArgKind::Int, 0, Abi::I386, &[0xffff_fffb], None, &[]),
            "-5"
        );
        assert_eq!(reg(ArgKind::UInt, 832), "832");
        assert_eq!(
            arg(ArgKind::UInt, 0, Abi::I386, &[0xffff_ffff], None, &[]),
            "4294967295"
        );
        assert_eq!(reg(ArgKind::Hex, 0x26000), "0x26000");
        assert_eq!(reg(ArgKind::Hex, 0), "0");
        assert_eq!(reg(ArgKind::Octal, 0o22), "022");
        assert_eq!(reg(ArgKind::Octal, 0), "000");
        assert_eq!(reg(ArgKind::Octal, 0o7777), "07777");
        assert_eq!(reg(ArgKind::Ptr, 0), "NULL");
        assert_eq!(reg(ArgKind::Ptr, 0x7fa2_33fc_f740), "0x7fa233fcf740");
        assert_eq!(
            arg(ArgKind::Ptr, 0, Abi::I386, &[0xf7f5_f5a8], None, &[]),
            "0xf7f5f5a8"
        );
        assert_eq!(reg(ArgKind::Fd, 3), "3");
        assert_eq!(reg(ArgKind::Fd, 0xffff_ffff), "-1");
        assert_eq!(reg(ArgKind::DirFd, (-100i64) as u64), "AT_FDCWD");
        assert_eq!(
            arg(ArgKind::DirFd, 0, Abi::I386, &[0xffff_ff9c], None, &[]),
            "AT_FDCWD"
        );
        assert_eq!(reg(ArgKind::DirFd, 5), "5");
        // An argument index past the sixth reads as 0.
        assert_eq!(
            arg(ArgKind::Int, 9, Abi::X86_64, &[1, 2, 3, 4, 5, 6], None, &[]),
            "0"
        );
    }

    #[test]
    fn paths_and_strings() {
        let long_path = "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache";
        let runs = [
            rd(0x1000, &cstr("/etc/ld.so.cache")),
            rd(0x2000, &cstr(long_path)),
            rd(0x3000, b"/partial"),
            rd(0x4000, &cstr("echo hi > /tmp/x; cat /tmp/f19.txt; ls")),
            rd(0x5000, &cstr("probe")),
        ];
        let path = |p: u64| arg(ArgKind::Path, 1, Abi::X86_64, &[0, p], Some(3), &runs);
        assert_eq!(path(0x1000), r#""/etc/ld.so.cache""#);
        // Paths are not cut at 32 bytes.
        assert_eq!(path(0x2000), format!("\"{long_path}\""));
        // The kernel's read stopped before a NUL.
        assert_eq!(path(0x3000), r#""/partial"..."#);
        // openat(AT_FDCWD, NULL, O_RDONLY); openat(AT_FDCWD, 0x8, O_RDONLY)
        assert_eq!(path(0), "NULL");
        assert_eq!(path(0x8), "0x8");
        let string = |p: u64| arg(ArgKind::Str, 1, Abi::X86_64, &[15, p], Some(0), &runs);
        assert_eq!(string(0x5000), r#""probe""#);
        assert_eq!(string(0x4000), r#""echo hi > /tmp/x; cat /tmp/f19.t"..."#);
    }

    #[test]
    fn argv_and_envp() {
        // execve("/usr/bin/sh", ["sh", "-c", "echo hi > /tmp/x; cat /tmp/f19.t"...],
        //        0x7ffd1b8d41d8 /* 3 vars */)
        let mut runs = vec![
            rd(0x100, &cstr("sh")),
            rd(0x200, &cstr("-c")),
            rd(0x300, &cstr("echo hi > /tmp/x; cat /tmp/f19.txt; ls -l")),
            rd(0x1000, &le64(&[0x100, 0x200, 0x300, 0])),
            rd(0x7ffd_1b8d_41d8, &le64(&[0x100, 0x200, 0x300, 0])),
            rd(0x2000, &le64(&[0x100, 0])),
            rd(0x3000, &le64(&[0])),
        ];
        runs.push(rd(0x5555_0000, &cstr("/usr/bin/sh")));
        let execve = |argv: u64, envp: u64, runs: &[MemoryRun]| {
            let v = view(Abi::X86_64, &[0x5555_0000, argv, envp], Some(0), runs);
            (
                render_arg(ArgKind::StrArray, 1, &v),
                render_arg(ArgKind::StrArray, 2, &v),
            )
        };
        assert_eq!(
            execve(0x1000, 0x7ffd_1b8d_41d8, &runs),
            (
                r#"["sh", "-c", "echo hi > /tmp/x; cat /tmp/f19.t"...]"#.to_string(),
                "0x7ffd1b8d41d8 /* 3 vars */".to_string()
            )
        );
        assert_eq!(execve(0x3000, 0x2000, &runs).0, "[]");
        assert_eq!(execve(0x3000, 0x2000, &runs).1, "0x2000 /* 1 var */");
        assert_eq!(
            execve(0, 0, &runs),
            ("NULL".to_string(), "NULL".to_string())
        );
        // Nothing recorded: the addresses.
        assert_eq!(
            execve(0x8000, 0x8800, &runs),
            ("0x8000".to_string(), "0x8800".to_string())
        );
        // A pointer array whose tail was not recorded.
        runs.push(rd(0x4000, &le64(&[0x100, 0x200])));
        assert_eq!(
            execve(0x4000, 0x4000, &runs).0,
            r#"["sh", "-c", ... /* 0x4010 */]"#
        );
        assert_eq!(
            execve(0x4000, 0x4000, &runs).1,
            "0x4000 /* 2 vars, unterminated */"
        );
        // An element whose string was not recorded shows its address.
        runs.push(rd(0x5000, &le64(&[0x100, 0x6666, 0])));
        assert_eq!(execve(0x5000, 0, &runs).0, r#"["sh", 0x6666]"#);
        // 32 elements, then "...".
        let mut many = vec![0x100u64; 39];
        many.push(0);
        runs.push(rd(0x10000, &le64(&many)));
        let shown = execve(0x10000, 0x10000, &runs);
        assert_eq!(
            shown.0,
            format!("[{}, ...]", vec![r#""sh""#; 32].join(", "))
        );
        assert_eq!(shown.1, "0x10000 /* 39 vars */");
    }

    #[test]
    fn execveat_argv_is_at_index_2_and_i386_pointers_are_4_bytes() {
        let runs = [
            rd(0x100, &cstr("a")),
            rd(0x2000, &le32(&[0x100, 0])),
            rd(0x3000, &le32(&[0x100, 0x100, 0])),
        ];
        let v = view(
            Abi::I386,
            &[0xffff_ff9c, 0x500, 0x2000, 0x3000, 0],
            None,
            &runs,
        );
        assert_eq!(render_arg(ArgKind::StrArray, 2, &v), r#"["a"]"#);
        assert_eq!(render_arg(ArgKind::StrArray, 3, &v), "0x3000 /* 2 vars */");
        let v = view(Abi::I386, &[0x8049000, 0x2000, 0x3000], Some(-13), &runs);
        assert_eq!(render_arg(ArgKind::StrArray, 1, &v), r#"["a"]"#);
        assert_eq!(render_arg(ArgKind::StrArray, 2, &v), "0x3000 /* 2 vars */");
    }

    #[test]
    fn buffers() {
        let runs = [
            rd(0x1000, b"hi\n"),
            rd(0x2000, b"abcdefghijklmnopqrstuvwxyz0123456789"),
            wr(0x3000, b"hello\n"),
            wr(
                0x4000,
                b"\x7fELF\x02\x01\x01\x03\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0\x10t\x02\0\0\0\0\0",
            ),
        ];
        let write = |buf: u64, len: u64, ret: Option<i64>| {
            arg(
                ArgKind::BufIn(2),
                1,
                Abi::X86_64,
                &[1, buf, len],
                ret,
                &runs,
            )
        };
        assert_eq!(write(0x1000, 3, Some(3)), r#""hi\n""#);
        assert_eq!(
            write(0x2000, 36, Some(36)),
            r#""abcdefghijklmnopqrstuvwxyz012345"..."#
        );
        // What the kernel read is shown even if the call then failed.
        assert_eq!(write(0x1000, 3, Some(-32)), r#""hi\n""#);
        assert_eq!(write(0x1000, 0, Some(0)), r#""""#);
        assert_eq!(write(0x9000, 3, Some(-14)), "0x9000");
        assert_eq!(write(0, 3, Some(-14)), "NULL");
        // A guest length of 2^63 with 3 bytes recorded.
        assert_eq!(write(0x1000, 1 << 63, None), "0x1000");
        let read = |buf: u64, ret: Option<i64>| {
            arg(
                ArgKind::BufOut(2),
                1,
                Abi::X86_64,
                &[3, buf, 131072],
                ret,
                &runs,
            )
        };
        assert_eq!(read(0x3000, Some(6)), r#""hello\n""#);
        assert_eq!(read(0x3000, Some(0)), r#""""#);
        assert_eq!(
            read(0x4000, Some(832)),
            r#""\177ELF\2\1\1\3\0\0\0\0\0\0\0\0\3\0>\0\1\0\0\0\20t\2\0\0\0\0\0"..."#
        );
        assert_eq!(read(0x3000, Some(-9)), "0x3000");
        assert_eq!(read(0x3000, None), "0x3000");
        // More claimed than recorded: the address, never a guess.
        assert_eq!(read(0x3000, Some(20)), "0x3000");
    }

    #[test]
    fn getcwd_and_getrandom() {
        let runs = [
            wr(0x1000, b"/tmp/st\0"),
            wr(0x2000, b"/\0"),
            wr(0x3000, &[0xb6, 0x93, 0x9f, 0x98]),
            wr(0x4000, &[0x88; 40]),
            wr(0x5000, b"/\0\0"),
        ];
        let first = |at: u64, ret: Option<i64>| {
            arg(ArgKind::BufOut(1), 0, Abi::X86_64, &[at, 64, 0], ret, &runs)
        };
        // getcwd("/tmp/st", 64) = 8
        assert_eq!(first(0x1000, Some(8)), r#""/tmp/st""#);
        assert_eq!(first(0x2000, Some(2)), r#""/""#);
        // getrandom("\xb6\x93\x9f\x98", 4, 0) = 4
        assert_eq!(first(0x3000, Some(4)), r#""\xb6\x93\x9f\x98""#);
        assert_eq!(
            first(0x4000, Some(40)),
            format!("\"{}\"...", "\\x88".repeat(32))
        );
        assert_eq!(first(0x5000, Some(3)), r#""\x2f\x00\x00""#);
        // getrandom(0x7ffc26de0fa0, 4, GRND_NONBLOCK|GRND_RANDOM|GRND_INSECURE) = -1 EINVAL
        assert_eq!(first(0x3000, Some(-22)), "0x3000");
        assert_eq!(first(0x3000, Some(8)), "0x3000");
        assert_eq!(first(0, Some(0)), "NULL");
    }

    #[test]
    fn open_flags_and_modes() {
        assert_eq!(reg(ArgKind::OpenFlags, 0), "O_RDONLY");
        assert_eq!(reg(ArgKind::OpenFlags, 0o2000000), "O_RDONLY|O_CLOEXEC");
        assert_eq!(reg(ArgKind::OpenFlags, 0o1101), "O_WRONLY|O_CREAT|O_TRUNC");
        assert_eq!(
            reg(ArgKind::OpenFlags, 0o2704301),
            "O_WRONLY|O_CREAT|O_EXCL|O_NONBLOCK|O_LARGEFILE|O_NOFOLLOW|O_CLOEXEC|O_DIRECTORY"
        );
        assert_eq!(
            reg(ArgKind::OpenFlags, 0x4000_0000 | 0o35273402),
            "O_RDWR|O_NOCTTY|O_TRUNC|O_APPEND|O_SYNC|O_DIRECT|O_NOATIME|O_PATH|O_TMPFILE|FASYNC|0x40000000"
        );
        assert_eq!(reg(ArgKind::OpenFlags, 0o10003), "O_ACCMODE|O_DSYNC");
        assert_eq!(reg(ArgKind::OpenFlags, 0o4000001), "O_WRONLY|__O_SYNC");
        assert_eq!(
            arg(ArgKind::OpenFlags, 0, Abi::I386, &[0o100000], None, &[]),
            "O_RDONLY|O_LARGEFILE"
        );
        assert_eq!(reg(ArgKind::Mode, 0o644), "0644");
        assert_eq!(reg(ArgKind::Mode, 0o4755), "04755");
        assert_eq!(reg(ArgKind::Mode, 0), "000");
        assert_eq!(reg(ArgKind::Mode, 0o20600), "S_IFCHR|0600");
        assert_eq!(
            reg(ArgKind::Mode, 0o107644),
            "S_IFREG|S_ISUID|S_ISGID|S_ISVTX|0644"
        );
        assert_eq!(reg(ArgKind::Mode, 0o170644), "0170644");
    }

    #[test]
    fn flag_sets() {
        assert_eq!(reg(ArgKind::AtFlags, 0), "0");
        assert_eq!(reg(ArgKind::AtFlags, 0x1000), "AT_EMPTY_PATH");
        assert_eq!(
            reg(ArgKind::AtFlags, 0x1b01),
            "AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|AT_NO_AUTOMOUNT|AT_EMPTY_PATH|0x1"
        );
        assert_eq!(reg(ArgKind::AccessMode, 0), "F_OK");
        assert_eq!(reg(ArgKind::AccessMode, 4), "R_OK");
        assert_eq!(reg(ArgKind::AccessMode, 0x17), "R_OK|W_OK|X_OK|0x10");
        assert_eq!(reg(ArgKind::AccessMode, 0x10), "0x10 /* ?_OK */");
        assert_eq!(reg(ArgKind::MmapProt, 0), "PROT_NONE");
        assert_eq!(reg(ArgKind::MmapProt, 3), "PROT_READ|PROT_WRITE");
        assert_eq!(
            reg(ArgKind::MmapProt, 0x0100_010f),
            "PROT_READ|PROT_WRITE|PROT_EXEC|PROT_SEM|PROT_GROWSDOWN|0x100"
        );
        assert_eq!(reg(ArgKind::FdFlags, 0), "0");
        assert_eq!(reg(ArgKind::FdFlags, 0o2004000), "O_NONBLOCK|O_CLOEXEC");
        assert_eq!(reg(ArgKind::FdFlags, 0o40020), "O_DIRECT|0x10");
        assert_eq!(reg(ArgKind::FdFlags, 0o20), "0x10 /* O_??? */");
        assert_eq!(reg(ArgKind::GrndFlags, 0), "0");
        assert_eq!(reg(ArgKind::GrndFlags, 1), "GRND_NONBLOCK");
        assert_eq!(
            reg(ArgKind::GrndFlags, 7),
            "GRND_NONBLOCK|GRND_RANDOM|GRND_INSECURE"
        );
        assert_eq!(reg(ArgKind::WaitOptions, 0), "0");
        assert_eq!(reg(ArgKind::WaitOptions, 0x4000_0000), "__WALL");
        assert_eq!(
            reg(ArgKind::WaitOptions, 0xa000_000b),
            "WNOHANG|WSTOPPED|WCONTINUED|__WCLONE|__WNOTHREAD"
        );
        assert_eq!(
            reg(ArgKind::WaitOptions, 0x4100_0104),
            "WEXITED|WNOWAIT|__WALL|0x100"
        );
        assert_eq!(reg(ArgKind::WaitOptions, 0x100), "0x100 /* W??? */");
    }

    #[test]
    fn mmap_flags() {
        assert_eq!(reg(ArgKind::MmapFlags, 0x22), "MAP_PRIVATE|MAP_ANONYMOUS");
        assert_eq!(
            reg(ArgKind::MmapFlags, 0x812),
            "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE"
        );
        assert_eq!(reg(ArgKind::MmapFlags, 0x01), "MAP_SHARED");
        assert_eq!(
            reg(ArgKind::MmapFlags, 0x17e161),
            "MAP_SHARED|MAP_ANONYMOUS|MAP_32BIT|MAP_NORESERVE|MAP_POPULATE|MAP_NONBLOCK|\
             MAP_GROWSDOWN|MAP_LOCKED|MAP_STACK|MAP_HUGETLB|MAP_FIXED_NOREPLACE"
        );
        assert_eq!(
            reg(ArgKind::MmapFlags, 0x1008_0003),
            "MAP_SHARED_VALIDATE|MAP_SYNC|4<<MAP_HUGE_SHIFT"
        );
        assert_eq!(reg(ArgKind::MmapFlags, 0), "MAP_FILE");
        assert_eq!(reg(ArgKind::MmapFlags, 0x20), "MAP_FILE|MAP_ANONYMOUS");
        assert_eq!(
            reg(ArgKind::MmapFlags, 0x0800_0002),
            "MAP_PRIVATE|2<<MAP_HUGE_SHIFT"
        );
        assert_eq!(
            reg(ArgKind::MmapFlags, 0x0400_0000),
            "MAP_FILE|1<<MAP_HUGE_SHIFT"
        );
        assert_eq!(
            reg(ArgKind::MmapFlags, 0x0404_0022),
            "MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|1<<MAP_HUGE_SHIFT"
        );
        assert_eq!(reg(ArgKind::MmapFlags, 0x200), "MAP_FILE|0x200");
        assert_eq!(reg(ArgKind::MmapFlags, 0x202), "MAP_PRIVATE|0x200");
        assert_eq!(reg(ArgKind::MmapFlags, 0xa), "0xa /* MAP_??? */");
        assert_eq!(
            reg(ArgKind::MmapFlags, 0x28),
            "0x8 /* MAP_??? */|MAP_ANONYMOUS"
        );
    }

    #[test]
    fn clone_flags_and_signals() {
        assert_eq!(
            reg(ArgKind::CloneFlags, 0x0120_0011),
            "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD"
        );
        assert_eq!(
            reg(ArgKind::CloneFlags, 0x007d_0f00),
            "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|\
             CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID|0x400000"
        );
        assert_eq!(
            reg(ArgKind::CloneFlags, 0x0040_0011),
            "0x400000 /* CLONE_??? */|SIGCHLD"
        );
        assert_eq!(reg(ArgKind::CloneFlags, 17), "SIGCHLD");
        assert_eq!(reg(ArgKind::CloneFlags, 0), "0");
        assert_eq!(reg(ArgKind::Signal, 15), "SIGTERM");
        assert_eq!(reg(ArgKind::Signal, 0), "0");
        assert_eq!(reg(ArgKind::Signal, 9), "SIGKILL");
        assert_eq!(reg(ArgKind::Signal, 31), "SIGSYS");
        assert_eq!(reg(ArgKind::Signal, 16), "SIGSTKFLT");
        assert_eq!(reg(ArgKind::Signal, 32), "SIGRTMIN");
        assert_eq!(reg(ArgKind::Signal, 33), "SIGRT_1");
        assert_eq!(reg(ArgKind::Signal, 34), "SIGRT_2");
        assert_eq!(reg(ArgKind::Signal, 64), "SIGRT_32");
        assert_eq!(reg(ArgKind::Signal, 65), "65");
        assert_eq!(reg(ArgKind::Signal, 0xffff_fffb), "-5");
        assert_eq!(
            arg(ArgKind::Signal, 0, Abi::I386, &[0xffff_fffb], None, &[]),
            "-5"
        );
    }

    #[test]
    fn named_values() {
        assert_eq!(reg(ArgKind::SigHow, 2), "SIG_SETMASK");
        assert_eq!(reg(ArgKind::SigHow, 7), "0x7 /* SIG_??? */");
        assert_eq!(reg(ArgKind::FcntlCmd, 1030), "F_DUPFD_CLOEXEC");
        assert_eq!(reg(ArgKind::FcntlCmd, 0), "F_DUPFD");
        assert_eq!(reg(ArgKind::FcntlCmd, 12), "F_GETLK64");
        assert_eq!(reg(ArgKind::FcntlCmd, 1033), "F_ADD_SEALS");
        assert_eq!(reg(ArgKind::FcntlCmd, 0x46a), "0x46a /* F_??? */");
        assert_eq!(reg(ArgKind::Whence, 2), "SEEK_END");
        assert_eq!(reg(ArgKind::Whence, 4), "SEEK_HOLE");
        assert_eq!(reg(ArgKind::Whence, 7), "0x7 /* SEEK_??? */");
        assert_eq!(reg(ArgKind::ClockId, 1), "CLOCK_MONOTONIC");
        assert_eq!(reg(ArgKind::ClockId, 7), "CLOCK_BOOTTIME");
        assert_eq!(reg(ArgKind::ClockId, 0x4d), "0x4d /* CLOCK_??? */");
        assert_eq!(
            reg(ArgKind::ClockId, (-2i64) as u64),
            "0xfffffffe /* CLOCK_??? */"
        );
        assert_eq!(reg(ArgKind::SocketDomain, 1), "AF_UNIX");
        assert_eq!(reg(ArgKind::SocketDomain, 16), "AF_NETLINK");
        assert_eq!(reg(ArgKind::SocketDomain, 99), "0x63 /* AF_??? */");
        assert_eq!(reg(ArgKind::Resource, 3), "RLIMIT_STACK");
        assert_eq!(reg(ArgKind::Resource, 99), "0x63 /* RLIMIT_??? */");
        assert_eq!(reg(ArgKind::FutexOp, 129), "FUTEX_WAKE_PRIVATE");
        assert_eq!(reg(ArgKind::FutexOp, 0), "FUTEX_WAIT");
        assert_eq!(
            reg(ArgKind::FutexOp, 393),
            "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME"
        );
        assert_eq!(reg(ArgKind::FutexOp, 99), "0x63 /* FUTEX_??? */");
        assert_eq!(reg(ArgKind::ArchPrctlCode, 0x1002), "ARCH_SET_FS");
        assert_eq!(reg(ArgKind::ArchPrctlCode, 0x1001), "ARCH_SET_GS");
        assert_eq!(reg(ArgKind::ArchPrctlCode, 0x3001), "0x3001 /* ARCH_??? */");
        assert_eq!(reg(ArgKind::PrctlOption, 15), "PR_SET_NAME");
        assert_eq!(reg(ArgKind::PrctlOption, 38), "PR_SET_NO_NEW_PRIVS");
        assert_eq!(reg(ArgKind::PrctlOption, 0x5961_6d61), "PR_SET_PTRACER");
        assert_eq!(reg(ArgKind::PrctlOption, 999), "0x3e7 /* PR_??? */");
    }

    #[test]
    fn socket_types() {
        assert_eq!(
            reg(ArgKind::SocketType, 0o2004001),
            "SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK"
        );
        assert_eq!(reg(ArgKind::SocketType, 0o4002), "SOCK_DGRAM|SOCK_NONBLOCK");
        assert_eq!(reg(ArgKind::SocketType, 5), "SOCK_SEQPACKET");
        assert_eq!(reg(ArgKind::SocketType, 99), "SOCK_RAW|0x60 /* SOCK_??? */");
        assert_eq!(reg(ArgKind::SocketType, 0), "0");
        assert_eq!(reg(ArgKind::SocketType, 7), "0x7 /* SOCK_??? */");
        assert_eq!(reg(ArgKind::SocketType, 0o2000007), "SOCK_CLOEXEC|0x7");
    }

    #[test]
    fn ioctl_requests() {
        assert_eq!(reg(ArgKind::IoctlCmd, 0x5401), "TCGETS");
        assert_eq!(reg(ArgKind::IoctlCmd, 0x5402), "SNDCTL_TMR_START or TCSETS");
        assert_eq!(reg(ArgKind::IoctlCmd, 0x5403), "SNDCTL_TMR_STOP or TCSETSW");
        assert_eq!(reg(ArgKind::IoctlCmd, 0x5413), "TIOCGWINSZ");
        assert_eq!(reg(ArgKind::IoctlCmd, 0x5414), "TIOCSWINSZ");
        assert_eq!(reg(ArgKind::IoctlCmd, 0x541b), "FIONREAD");
        assert_eq!(reg(ArgKind::IoctlCmd, 0x5421), "FIONBIO");
        assert_eq!(reg(ArgKind::IoctlCmd, 0x540f), "TIOCGPGRP");
        assert_eq!(reg(ArgKind::IoctlCmd, 0x5410), "TIOCSPGRP");
        assert_eq!(reg(ArgKind::IoctlCmd, 0xc004_5878), "FITHAW");
        assert_eq!(
            reg(ArgKind::IoctlCmd, 0x1234_5678),
            "_IOC(_IOC_NONE, 0x56, 0x78, 0x1234)"
        );
        assert_eq!(
            reg(ArgKind::IoctlCmd, 0xc004_1234),
            "_IOC(_IOC_READ|_IOC_WRITE, 0x12, 0x34, 0x4)"
        );
        assert_eq!(
            reg(ArgKind::IoctlCmd, 0x8004_1234),
            "_IOC(_IOC_READ, 0x12, 0x34, 0x4)"
        );
        assert_eq!(
            reg(ArgKind::IoctlCmd, 0x4004_1234),
            "_IOC(_IOC_WRITE, 0x12, 0x34, 0x4)"
        );
        assert_eq!(
            reg(ArgKind::IoctlCmd, 0x2000_1234),
            "_IOC(_IOC_NONE, 0x12, 0x34, 0x2000)"
        );
        assert_eq!(
            reg(ArgKind::IoctlCmd, 0x5499),
            "_IOC(_IOC_NONE, 0x54, 0x99, 0)"
        );
        assert_eq!(reg(ArgKind::IoctlCmd, 0), "_IOC(_IOC_NONE, 0, 0, 0)");
    }

    #[test]
    fn sigsets() {
        let set = |bits: u64, len: usize, abi: Abi| {
            let bytes = bits.to_le_bytes();
            let runs = [rd(0x1000, &bytes[..len])];
            arg(
                ArgKind::SigsetIn,
                1,
                abi,
                &[0, 0x1000, 0, 8],
                Some(0),
                &runs,
            )
        };
        let x = |bits: u64| set(bits, 8, Abi::X86_64);
        let sig = |n: u32| 1u64 << (n - 1);
        assert_eq!(x(sig(2) | sig(15) | sig(40)), "[INT TERM RT_8]");
        assert_eq!(x(0), "[]");
        assert_eq!(x(u64::MAX), "~[]");
        assert_eq!(x(!(sig(32) | sig(33))), "~[RTMIN RT_1]");
        assert_eq!(x(!(sig(9) | sig(32) | sig(33))), "~[KILL RTMIN RT_1]");
        assert_eq!(x(!sig(64)), "~[RT_32]");
        assert_eq!(x(sig(32) | sig(64)), "[RTMIN RT_32]");
        assert_eq!(
            x((1 << 31) - 1 - sig(9) - sig(19)),
            "[HUP INT QUIT ILL TRAP ABRT BUS FPE USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT \
             TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS]"
        );
        // Inverted from two thirds of the bits: 41 of 64 are listed, 42 are not.
        assert!(x((1 << 41) - 1).ends_with(" RT_8 RT_9]"));
        assert_eq!(
            x((1 << 42) - 1),
            "~[RT_11 RT_12 RT_13 RT_14 RT_15 RT_16 RT_17 RT_18 RT_19 RT_20 RT_21 RT_22 RT_23 \
             RT_24 RT_25 RT_26 RT_27 RT_28 RT_29 RT_30 RT_31 RT_32]"
        );
        // i386: the kernel's 8-byte set, or the old 4-byte one (sigprocmask).
        assert_eq!(set(0x100_0000_4002, 8, Abi::I386), "[INT TERM RT_9]");
        assert_eq!(set(0x4002, 4, Abi::I386), "[INT TERM]");
        // Of a 4-byte set, 21 bits are two thirds.
        assert!(set((1 << 20) - 1, 4, Abi::I386).ends_with(" STOP TSTP]"));
        assert_eq!(
            set((1 << 21) - 1, 4, Abi::I386),
            "~[TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS RTMIN]"
        );
        assert_eq!(set(0x4002, 4, Abi::X86_64), "0x1000");
        assert_eq!(
            arg(ArgKind::SigsetIn, 1, Abi::X86_64, &[0, 0], Some(0), &[]),
            "NULL"
        );
    }

    fn stat64_x86_64(mode: u32, rdev: u64, size: u64) -> Vec<u8> {
        let mut b = vec![0u8; 144];
        b[24..28].copy_from_slice(&mode.to_le_bytes());
        b[40..48].copy_from_slice(&rdev.to_le_bytes());
        b[48..56].copy_from_slice(&size.to_le_bytes());
        b
    }

    #[test]
    fn stat_x86_64() {
        let runs = [
            wr(0x1000, &stat64_x86_64(0o100644, 0, 38831)),
            wr(0x2000, &stat64_x86_64(0o20666, 0x103, 0)),
            wr(0x3000, &stat64_x86_64(0o41777, 0, 4096)),
            wr(0x4000, &stat64_x86_64(0o20666, 0x4561_2378, 0)),
            wr(0x5000, &stat64_x86_64(0o100644, 0, 38831)[..40]),
        ];
        let fstat = |at: u64, ret: Option<i64>| {
            arg(
                ArgKind::StatOut,
                2,
                Abi::X86_64,
                &[3, 0, at, 0x1000],
                ret,
                &runs,
            )
        };
        assert_eq!(
            fstat(0x1000, Some(0)),
            "{st_mode=S_IFREG|0644, st_size=38831, ...}"
        );
        assert_eq!(
            fstat(0x2000, Some(0)),
            "{st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}"
        );
        assert_eq!(
            fstat(0x3000, Some(0)),
            "{st_mode=S_IFDIR|S_ISVTX|0777, st_size=4096, ...}"
        );
        assert_eq!(
            fstat(0x4000, Some(0)),
            "{st_mode=S_IFCHR|0666, st_rdev=makedev(0x123, 0x45678), ...}"
        );
        // newfstatat(AT_FDCWD, "/root/.cargo/bin/cat", 0x7ffc4caa2400, 0) = -1 ENOENT
        assert_eq!(fstat(0x1000, Some(-2)), "0x1000");
        assert_eq!(fstat(0x1000, None), "0x1000");
        assert_eq!(fstat(0x9000, Some(0)), "0x9000");
        // Only part of the struct recorded: st_size missing.
        assert_eq!(fstat(0x5000, Some(0)), "0x5000");
        assert_eq!(fstat(0, Some(-14)), "NULL");
        // No panic at the top of the address space.
        assert_eq!(fstat(u64::MAX - 8, Some(0)), "0xfffffffffffffff7");
    }

    #[test]
    fn stat_i386_both_layouts() {
        // struct stat64: 96 bytes, st_mode at 16, st_rdev at 32, st_size at 44.
        let mut stat64 = [0u8; 96];
        stat64[16..20].copy_from_slice(&0o100644u32.to_le_bytes());
        stat64[44..52].copy_from_slice(&10871u64.to_le_bytes());
        let mut dev64 = [0u8; 96];
        dev64[16..20].copy_from_slice(&0o20666u32.to_le_bytes());
        dev64[32..40].copy_from_slice(&0x103u64.to_le_bytes());
        // Old struct stat: 64 bytes, st_mode (16-bit) at 8, st_rdev at 16, st_size at 20.
        let mut old = [0u8; 64];
        old[8..10].copy_from_slice(&0o41777u16.to_le_bytes());
        old[20..24].copy_from_slice(&4096u32.to_le_bytes());
        // stat64 as the kernel writes it: field by field, not the padding.
        let mut runs = vec![
            wr(0x1000, &stat64[..8]),
            wr(0x100c, &stat64[12..40]),
            wr(0x102c, &stat64[44..]),
        ];
        runs.push(wr(0x2000, &dev64));
        runs.push(wr(0x3000, &old));
        let stat = |at: u64| arg(ArgKind::StatOut, 1, Abi::I386, &[0x500, at], Some(0), &runs);
        assert_eq!(stat(0x1000), "{st_mode=S_IFREG|0644, st_size=10871, ...}");
        assert_eq!(
            stat(0x2000),
            "{st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}"
        );
        assert_eq!(
            stat(0x3000),
            "{st_mode=S_IFDIR|S_ISVTX|0777, st_size=4096, ...}"
        );
        assert_eq!(stat(0x4000), "0x4000");
    }

    #[test]
    fn timespecs() {
        let runs = [
            wr(0x1000, &le64(&[24244, 22051634])),
            rd(0x2000, &le64(&[0, 1000])),
            rd(0x3000, &le64(&[(-1i64) as u64, 1000])),
            wr(0x4000, &le32(&[24374, 851685056])),
            wr(0x5000, &le64(&[24374, 851714690])),
            rd(0x6000, &le32(&[0, 1000])),
            // A time32 timespec {5, 0} followed by 8 other bytes the kernel read.
            rd(0x7000, &le32(&[5, 0, 0xdead_beef, 7])),
        ];
        let ts = |kind: ArgKind, abi: Abi, at: u64, ret: Option<i64>| {
            arg(kind, 1, abi, &[1, at], ret, &runs)
        };
        assert_eq!(
            ts(ArgKind::TimespecOut, Abi::X86_64, 0x1000, Some(0)),
            "{tv_sec=24244, tv_nsec=22051634}"
        );
        assert_eq!(
            ts(ArgKind::TimespecIn, Abi::X86_64, 0x2000, Some(0)),
            "{tv_sec=0, tv_nsec=1000}"
        );
        assert_eq!(
            ts(ArgKind::TimespecIn, Abi::X86_64, 0x3000, Some(-22)),
            "{tv_sec=-1, tv_nsec=1000}"
        );
        assert_eq!(
            ts(ArgKind::TimespecOut, Abi::X86_64, 0x1000, Some(-14)),
            "0x1000"
        );
        assert_eq!(ts(ArgKind::TimespecOut, Abi::X86_64, 0, Some(-14)), "NULL");
        assert_eq!(ts(ArgKind::TimespecIn, Abi::X86_64, 0, Some(0)), "NULL");
        // clock_gettime (time32) and clock_gettime64 on i386.
        assert_eq!(
            ts(ArgKind::TimespecOut, Abi::I386, 0x4000, Some(0)),
            "{tv_sec=24374, tv_nsec=851685056}"
        );
        assert_eq!(
            ts(ArgKind::TimespecOut, Abi::I386, 0x5000, Some(0)),
            "{tv_sec=24374, tv_nsec=851714690}"
        );
        assert_eq!(
            ts(ArgKind::TimespecIn, Abi::I386, 0x6000, Some(0)),
            "{tv_sec=0, tv_nsec=1000}"
        );
        assert_eq!(
            ts(ArgKind::TimespecIn, Abi::I386, 0x2000, Some(0)),
            "{tv_sec=0, tv_nsec=1000}"
        );
        assert_eq!(
            ts(ArgKind::TimespecIn, Abi::I386, 0x7000, Some(0)),
            "{tv_sec=5, tv_nsec=0}"
        );
    }

    #[test]
    fn rlimits() {
        let runs = [
            wr(0x1000, &le64(&[8192 * 1024, u64::MAX])),
            rd(0x2000, &le64(&[1024, 2048])),
            wr(0x3000, &le32(&[8192 * 1024, u32::MAX])),
            wr(0x4000, &le32(&[8192 * 1024, 0x7fff_ffff])),
            rd(0x5000, &le32(&[0, u32::MAX])),
        ];
        // prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY})
        let prlimit = |abi: Abi| {
            render_arg(
                ArgKind::RlimitOut,
                3,
                &view(abi, &[0, 3, 0, 0x1000], Some(0), &runs),
            )
        };
        assert_eq!(
            prlimit(Abi::X86_64),
            "{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}"
        );
        assert_eq!(
            prlimit(Abi::I386),
            "{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}"
        );
        let getrlimit = |kind: ArgKind, abi: Abi, at: u64, ret: Option<i64>| {
            arg(kind, 1, abi, &[3, at], ret, &runs)
        };
        assert_eq!(
            getrlimit(ArgKind::RlimitIn, Abi::X86_64, 0x2000, Some(0)),
            "{rlim_cur=1024, rlim_max=2*1024}"
        );
        assert_eq!(
            getrlimit(ArgKind::RlimitOut, Abi::I386, 0x3000, Some(0)),
            "{rlim_cur=8192*1024, rlim_max=RLIM_INFINITY}"
        );
        assert_eq!(
            getrlimit(ArgKind::RlimitOut, Abi::I386, 0x4000, Some(0)),
            "{rlim_cur=8192*1024, rlim_max=2147483647}"
        );
        assert_eq!(
            getrlimit(ArgKind::RlimitIn, Abi::I386, 0x5000, Some(0)),
            "{rlim_cur=0, rlim_max=RLIM_INFINITY}"
        );
        assert_eq!(
            getrlimit(ArgKind::RlimitOut, Abi::X86_64, 0x1000, Some(-1)),
            "0x1000"
        );
        assert_eq!(
            getrlimit(ArgKind::RlimitIn, Abi::X86_64, 0, Some(0)),
            "NULL"
        );
    }

    #[test]
    fn iovecs_x86_64() {
        let data = b"defghijklmnopqrstuvwxyz0123456789ABCDEF\0";
        let runs = [
            rd(0x1000, &le64(&[0x100, 3, 0x200, 40, 0x300, 0])),
            rd(0x100, b"abc"),
            rd(0x200, data),
            rd(0x300, b""),
            rd(0x2000, &le64(&[0x400, 4, 0x500, 100])),
            wr(0x400, b"hell"),
            wr(0x500, b"o\nworldabcdefghijklmnopqrstuvwxyabcdefghijklmnop"),
        ];
        let writev = |at: u64, count: u64, ret: Option<i64>| {
            arg(
                ArgKind::IovecIn(2),
                1,
                Abi::X86_64,
                &[14, at, count],
                ret,
                &runs,
            )
        };
        assert_eq!(
            writev(0x1000, 3, Some(43)),
            r#"[{iov_base="abc", iov_len=3}, {iov_base="defghijklmnopqrstuvwxyz012345678"..., iov_len=40}, {iov_base="", iov_len=0}]"#
        );
        assert_eq!(writev(0x1000, 0, Some(0)), "[]");
        assert_eq!(writev(0, 2, Some(-14)), "NULL");
        assert_eq!(writev(0x9000, 2, Some(-14)), "0x9000");
        // A guest count of 2^31 with three elements recorded.
        assert_eq!(
            writev(0x1000, 1 << 31, Some(-22)),
            r#"[{iov_base="abc", iov_len=3}, {iov_base="defghijklmnopqrstuvwxyz012345678"..., iov_len=40}, {iov_base="", iov_len=0}, ... /* 0x1030 */]"#
        );
        // A count whose array would wrap around the address space.
        assert_eq!(writev(0x1000, 1 << 61, Some(-22)), "0x1000");
        let readv = |ret: Option<i64>| {
            arg(
                ArgKind::IovecOut(2),
                1,
                Abi::X86_64,
                &[13, 0x2000, 2],
                ret,
                &runs,
            )
        };
        // readv(13, [{iov_base="hell", iov_len=4}, {iov_base="o\nworldabcdefghijklmnopqrstuvwxy"..., iov_len=100}], 2) = 54
        assert_eq!(
            readv(Some(54)),
            r#"[{iov_base="hell", iov_len=4}, {iov_base="o\nworldabcdefghijklmnopqrstuvwxy"..., iov_len=100}]"#
        );
        assert_eq!(
            readv(Some(3)),
            r#"[{iov_base="hel", iov_len=4}, {iov_base="", iov_len=100}]"#
        );
        // readv(99, [{iov_base=0x7ffc26de0f6c, iov_len=4}, ...], 2) = -1 EBADF
        assert_eq!(
            readv(Some(-9)),
            "[{iov_base=0x400, iov_len=4}, {iov_base=0x500, iov_len=100}]"
        );
    }

    #[test]
    fn iovecs_cut_at_32_and_i386_layout() {
        let mut array = Vec::new();
        for _ in 0..40 {
            array.extend(le64(&[0x100, 1]));
        }
        let runs = [
            rd(0x1000, &array),
            rd(0x100, b"x"),
            rd(0x2000, &le32(&[0x100, 1, 0x100, 1])),
        ];
        let shown = arg(
            ArgKind::IovecIn(2),
            1,
            Abi::X86_64,
            &[14, 0x1000, 40],
            Some(40),
            &runs,
        );
        let one = r#"{iov_base="x", iov_len=1}"#;
        assert_eq!(shown, format!("[{}, ...]", vec![one; 32].join(", ")));
        let shown = arg(
            ArgKind::IovecIn(2),
            1,
            Abi::I386,
            &[4, 0x2000, 2],
            Some(2),
            &runs,
        );
        assert_eq!(shown, format!("[{one}, {one}]"));
        // An i386 array may not run past 4 GiB.
        assert_eq!(
            arg(
                ArgKind::IovecIn(2),
                1,
                Abi::I386,
                &[4, 0x2000, 0x2000_0000],
                Some(-22),
                &runs
            ),
            "0x2000"
        );
    }

    #[test]
    fn sockaddrs_the_kernel_read() {
        let mut sun = vec![1u8, 0];
        sun.extend_from_slice(b"/dev/log");
        sun.resize(110, 0);
        let mut abstract_un = vec![1u8, 0, 0];
        abstract_un.extend_from_slice(b"abstract");
        let mut long_un = vec![1u8, 0];
        long_un.resize(200, b'a');
        let mut sin6 = vec![10u8, 0, 0x01, 0xbb, 0, 0, 0, 5];
        sin6.extend_from_slice(&[0; 15]);
        sin6.push(1);
        sin6.extend_from_slice(&2u32.to_le_bytes());
        let runs = [
            rd(0x1000, &[2, 0, 0, 80, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
            rd(0x2000, &sun),
            rd(0x3000, &abstract_un),
            rd(0x4000, b"\x05\x00abcdefghijklmn"),
            rd(0x5000, &sin6),
            rd(0x6000, &long_un),
            rd(0x7000, &[16, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0]),
            rd(0x8000, &[1, 0, 0]),
        ];
        let connect = |at: u64, len: u64| {
            arg(
                ArgKind::SockaddrIn(2),
                1,
                Abi::X86_64,
                &[8, at, len],
                Some(-111),
                &runs,
            )
        };
        assert_eq!(
            connect(0x1000, 16),
            r#"{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}"#
        );
        assert_eq!(
            connect(0x2000, 110),
            r#"{sa_family=AF_UNIX, sun_path="/dev/log"}"#
        );
        assert_eq!(
            connect(0x2000, 12),
            r#"{sa_family=AF_UNIX, sun_path="/dev/log"}"#
        );
        assert_eq!(connect(0x2000, 2), "{sa_family=AF_UNIX}");
        assert_eq!(
            connect(0x3000, 11),
            r#"{sa_family=AF_UNIX, sun_path=@"abstract"}"#
        );
        assert_eq!(connect(0x8000, 3), r#"{sa_family=AF_UNIX, sun_path=@""}"#);
        assert_eq!(
            connect(0x6000, 110),
            format!("{{sa_family=AF_UNIX, sun_path=\"{}\"}}", "a".repeat(108))
        );
        assert_eq!(
            connect(0x6000, 200),
            format!("{{sa_family=AF_UNIX, sun_path=\"{}\"}}", "a".repeat(108))
        );
        assert_eq!(
            connect(0x4000, 16),
            r#"{sa_family=AF_APPLETALK, sa_data="abcdefghijklmn"}"#
        );
        assert_eq!(connect(0x1000, 4), r#"{sa_family=AF_INET, sa_data="\0P"}"#);
        assert_eq!(
            connect(0x1000, 8),
            r#"{sa_family=AF_INET, sa_data="\0P\177\0\0\1"}"#
        );
        assert_eq!(connect(0x1000, 1), "0x1000");
        assert_eq!(connect(0x1000, 0), "0x1000");
        assert_eq!(connect(0x1000, 0xffff_ffff), "0x1000");
        assert_eq!(connect(0x1000, 1 << 40), "0x1000");
        assert_eq!(connect(0, 16), "NULL");
        assert_eq!(
            connect(0x5000, 28),
            r#"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(5), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=2}"#
        );
        assert_eq!(
            connect(0x5000, 24),
            r#"{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(5), inet_pton(AF_INET6, "::1", &sin6_addr)}"#
        );
        assert_eq!(
            connect(0x5000, 20),
            r#"{sa_family=AF_INET6, sa_data="\1\273\0\0\0\5\0\0\0\0\0\0\0\0\0\0\0\0"}"#
        );
        assert_eq!(
            connect(0x7000, 12),
            "{sa_family=AF_NETLINK, nl_pid=0, nl_groups=0x000005}"
        );
    }

    #[test]
    fn sockaddrs_the_kernel_wrote() {
        let runs = [
            rd(0x100, &128u32.to_le_bytes()),
            wr(
                0x1000,
                &[2, 0, 0x96, 0xb9, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
            ),
            wr(0x100, &16u32.to_le_bytes()),
            rd(0x200, &4u32.to_le_bytes()),
            wr(0x2000, &[2, 0, 0x96, 0xb9]),
            wr(0x200, &16u32.to_le_bytes()),
        ];
        let getsockname = |at: u64, len_at: u64, ret: Option<i64>| {
            let v = view(Abi::X86_64, &[9, at, len_at], ret, &runs);
            (
                render_arg(ArgKind::SockaddrOut(2), 1, &v),
                render_arg(ArgKind::IntOut, 2, &v),
            )
        };
        // getsockname(9, {sa_family=AF_INET, sin_port=htons(38585), ...}, [128 => 16]) = 0
        assert_eq!(
            getsockname(0x1000, 0x100, Some(0)),
            (
                r#"{sa_family=AF_INET, sin_port=htons(38585), sin_addr=inet_addr("127.0.0.1")}"#
                    .to_string(),
                "[128 => 16]".to_string()
            )
        );
        // getsockname(9, {sa_family=AF_INET, sa_data="\226\271"}, [4 => 16]) = 0
        assert_eq!(
            getsockname(0x2000, 0x200, Some(0)),
            (
                r#"{sa_family=AF_INET, sa_data="\226\271"}"#.to_string(),
                "[4 => 16]".to_string()
            )
        );
        assert_eq!(
            getsockname(0x1000, 0x100, Some(-9)),
            ("0x1000".to_string(), "0x100".to_string())
        );
        assert_eq!(
            getsockname(0, 0, Some(-9)),
            ("NULL".to_string(), "NULL".to_string())
        );
        assert_eq!(
            getsockname(0x1000, 0x300, Some(0)),
            ("0x1000".to_string(), "0x300".to_string())
        );
    }

    #[test]
    fn ipv6_text_as_glibc() {
        let text = |s: &str| {
            let addr: std::net::Ipv6Addr = s.parse().unwrap();
            inet6_text(&addr.octets())
        };
        for (input, shown) in [
            ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
            ("::1.2.3.4", "::1.2.3.4"),
            ("::2", "::2"),
            ("::1", "::1"),
            ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
            ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
            ("2001:db8::", "2001:db8::"),
            ("::", "::"),
            ("ff02::1", "ff02::1"),
            ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
            ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),
            ("0:0:1::", "0:0:1::"),
            ("::ffff:0.0.0.0", "::ffff:0.0.0.0"),
            ("::0.1.0.0", "::0.1.0.0"),
            ("64:ff9b::1.2.3.4", "64:ff9b::102:304"),
            ("fe80::1:2", "fe80::1:2"),
        ] {
            assert_eq!(text(input), shown, "{input}");
        }
    }

    #[test]
    fn small_out_structures() {
        let mut uts = vec![0u8; 390];
        uts[..5].copy_from_slice(b"Linux");
        uts[65..67].copy_from_slice(b"vm");
        let runs = [
            wr(0x1000, &le32(&[11, 12])),
            wr(0x2000, &uts),
            wr(0x3000, &7u32.to_le_bytes()),
        ];
        let one = |kind: ArgKind, at: u64, ret: Option<i64>| {
            arg(kind, 0, Abi::X86_64, &[at, 0], ret, &runs)
        };
        assert_eq!(one(ArgKind::FdPairOut, 0x1000, Some(0)), "[11, 12]");
        // pipe2(0x7ffc26de0fe8, O_DIRECT|0x10) = -1 EINVAL
        assert_eq!(one(ArgKind::FdPairOut, 0x1000, Some(-22)), "0x1000");
        assert_eq!(
            one(ArgKind::UtsnameOut, 0x2000, Some(0)),
            r#"{sysname="Linux", nodename="vm", ...}"#
        );
        assert_eq!(one(ArgKind::UtsnameOut, 0x2000, Some(-14)), "0x2000");
        assert_eq!(one(ArgKind::IntOut, 0x3000, Some(0)), "[7]");
        assert_eq!(one(ArgKind::IntOut, 0x9000, Some(0)), "0x9000");
        assert_eq!(one(ArgKind::IntOut, 0, Some(0)), "NULL");
    }

    #[test]
    fn wait_statuses() {
        let runs = [
            wr(0x1000, &0u32.to_le_bytes()),
            wr(0x2000, &9u32.to_le_bytes()),
            wr(0x3000, &0x8bu32.to_le_bytes()),
            wr(0x4000, &0x137fu32.to_le_bytes()),
            wr(0x5000, &0xffffu32.to_le_bytes()),
            wr(0x6000, &0x300u32.to_le_bytes()),
            wr(0x7000, &0x4057fu32.to_le_bytes()),
        ];
        let wait4 = |at: u64, ret: Option<i64>| {
            arg(
                ArgKind::WaitStatusOut,
                1,
                Abi::X86_64,
                &[u64::MAX, at, 0, 0],
                ret,
                &runs,
            )
        };
        assert_eq!(
            wait4(0x1000, Some(21737)),
            "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]"
        );
        assert_eq!(
            wait4(0x6000, Some(22496)),
            "[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]"
        );
        assert_eq!(
            wait4(0x2000, Some(22497)),
            "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]"
        );
        assert_eq!(
            wait4(0x3000, Some(1)),
            "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}]"
        );
        assert_eq!(
            wait4(0x4000, Some(22499)),
            "[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}]"
        );
        assert_eq!(wait4(0x5000, Some(22499)), "[{WIFCONTINUED(s)}]");
        assert_eq!(
            wait4(0x7000, Some(5)),
            "[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP}|PTRACE_EVENT_EXEC<<16]"
        );
        // wait4(-1, 0x7ffc4caa238c, WNOHANG, NULL) = -1 ECHILD; and WNOHANG's 0.
        assert_eq!(wait4(0x1000, Some(-10)), "0x1000");
        assert_eq!(wait4(0x1000, Some(0)), "0x1000");
        assert_eq!(wait4(0, Some(5)), "NULL");
        assert_eq!(wait4(0x9000, Some(5)), "0x9000");
    }

    #[test]
    fn sigactions() {
        let x86 = |handler: u64, flags: u64, restorer: u64, mask: u64| {
            le64(&[handler, flags, restorer, mask])
        };
        let runs = [
            rd(
                0x1000,
                &x86(
                    0x55bb_c75a_0dc0,
                    0x0400_0000,
                    0x7fa2_3400_e050,
                    !(3u64 << 31),
                ),
            ),
            wr(0x2000, &x86(0, 0, 0, 0)),
            rd(0x3000, &x86(1, 0, 0, 2)),
            rd(0x4000, &x86(u64::MAX, 0, 0, 2)),
            rd(0x5000, &x86(0x401000, 0x200, 0, 0)),
            rd(0x6000, &x86(0x401000, 0x2000_0c00, 0, 0)),
            rd(
                0x7000,
                &x86(0x401000, 0xdc00_0207 | 0x0400_0000, 0x402000, 2),
            ),
            // i386: handler, flags, restorer (4 bytes each), then the 8-byte mask.
            rd(0x8000, &le32(&[0x804_9000, 0x1400_0000, 0x804_8000, 2, 0])),
            wr(0x9000, &le32(&[0, 0, 0, 0, 0])),
            rd(0xa000, &le32(&[u32::MAX, 0, 0, 0, 0])),
        ];
        let act = |abi: Abi, at: u64| {
            arg(
                ArgKind::SigactionIn,
                1,
                abi,
                &[17, at, 0, 8],
                Some(0),
                &runs,
            )
        };
        let old = |abi: Abi, at: u64, ret: Option<i64>| {
            arg(ArgKind::SigactionOut, 2, abi, &[17, 0, at, 8], ret, &runs)
        };
        assert_eq!(
            act(Abi::X86_64, 0x1000),
            "{sa_handler=0x55bbc75a0dc0, sa_mask=~[RTMIN RT_1], sa_flags=SA_RESTORER, sa_restorer=0x7fa23400e050}"
        );
        assert_eq!(
            old(Abi::X86_64, 0x2000, Some(0)),
            "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}"
        );
        assert_eq!(old(Abi::X86_64, 0x2000, Some(-22)), "0x2000");
        assert_eq!(
            act(Abi::X86_64, 0x3000),
            "{sa_handler=SIG_IGN, sa_mask=[INT], sa_flags=0}"
        );
        assert_eq!(
            act(Abi::X86_64, 0x4000),
            "{sa_handler=SIG_ERR, sa_mask=[INT], sa_flags=0}"
        );
        assert_eq!(
            act(Abi::X86_64, 0x5000),
            "{sa_handler=0x401000, sa_mask=[], sa_flags=0x200 /* SA_??? */}"
        );
        assert_eq!(
            act(Abi::X86_64, 0x6000),
            "{sa_handler=0x401000, sa_mask=[], sa_flags=SA_INTERRUPT|0xc00}"
        );
        assert_eq!(
            act(Abi::X86_64, 0x7000),
            "{sa_handler=0x401000, sa_mask=[INT], sa_flags=SA_RESTORER|SA_ONSTACK|SA_RESTART|SA_NODEFER|\
             SA_RESETHAND|SA_SIGINFO|SA_NOCLDSTOP|SA_NOCLDWAIT|0x200, sa_restorer=0x402000}"
        );
        assert_eq!(act(Abi::X86_64, 0), "NULL");
        assert_eq!(act(Abi::X86_64, 0xb000), "0xb000");
        assert_eq!(
            act(Abi::I386, 0x8000),
            "{sa_handler=0x8049000, sa_mask=[INT], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x8048000}"
        );
        assert_eq!(
            old(Abi::I386, 0x9000, Some(0)),
            "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}"
        );
        assert_eq!(
            act(Abi::I386, 0xa000),
            "{sa_handler=SIG_ERR, sa_mask=[], sa_flags=0}"
        );
    }

    #[test]
    fn rusages() {
        let runs = [
            wr(0x1000, &{
                let mut b = le64(&[0, 143, 0, 4056]);
                b.resize(144, 0);
                b
            }),
            wr(0x2000, &{
                let mut b = le32(&[0, 163, 0, 0]);
                b.resize(72, 0);
                b
            }),
        ];
        let ru = |abi: Abi, at: u64, ret: Option<i64>| {
            arg(ArgKind::RusageOut, 3, abi, &[1, 0, 0, at], ret, &runs)
        };
        assert_eq!(
            ru(Abi::X86_64, 0x1000, Some(22496)),
            "{ru_utime={tv_sec=0, tv_usec=143}, ru_stime={tv_sec=0, tv_usec=4056}, ...}"
        );
        assert_eq!(
            ru(Abi::I386, 0x2000, Some(22620)),
            "{ru_utime={tv_sec=0, tv_usec=163}, ru_stime={tv_sec=0, tv_usec=0}, ...}"
        );
        assert_eq!(ru(Abi::X86_64, 0x1000, Some(-10)), "0x1000");
        assert_eq!(ru(Abi::X86_64, 0, Some(1)), "NULL");
    }

    fn dirent(reclen: u16) -> Vec<u8> {
        let mut b = vec![0u8; usize::from(reclen).max(19)];
        b[16..18].copy_from_slice(&reclen.to_le_bytes());
        b
    }

    #[test]
    fn dirents_are_counted() {
        let entries: Vec<u8> = [24, 24, 32, 32, 32]
            .iter()
            .flat_map(|&r| dirent(r))
            .collect();
        let runs = [
            wr(0x1000, &entries),
            wr(0x2000, &entries[..80]),
            wr(0x3000, &dirent(0)),
            wr(0x4000, &dirent(200)),
        ];
        let getdents = |at: u64, ret: Option<i64>| {
            arg(
                ArgKind::DirentsOut,
                1,
                Abi::X86_64,
                &[16, at, 4096],
                ret,
                &runs,
            )
        };
        // getdents64(16, 0x7ffc26ddfaf0 /* 5 entries */, 4096) = 144
        assert_eq!(getdents(0x1000, Some(144)), "0x1000 /* 5 entries */");
        assert_eq!(getdents(0x1000, Some(0)), "0x1000 /* 0 entries */");
        assert_eq!(getdents(0x1000, Some(-9)), "0x1000");
        assert_eq!(getdents(0x1000, Some(5000)), "0x1000");
        // Headers past the recorded bytes are not counted.
        assert_eq!(getdents(0x2000, Some(144)), "0x2000 /* 3+ entries */");
        // A zero d_reclen does not loop.
        assert_eq!(
            getdents(0x3000, Some(40)),
            "0x3000 /* d_reclen 19 bytes underflow */ /* 1+ entries */"
        );
        assert_eq!(
            getdents(0x4000, Some(100)),
            "0x4000 /* d_reclen 100 bytes overflow */ /* 1 entries */"
        );
        assert_eq!(
            arg(
                ArgKind::DirentsOut,
                1,
                Abi::I386,
                &[5, 0x1000, 4096],
                Some(144),
                &runs
            ),
            "0x1000 /* 5 entries */"
        );
    }

    #[test]
    fn clone3_args() {
        let args = |values: &[u64]| {
            let mut all = values.to_vec();
            all.resize(11, 0);
            le64(&all)
        };
        let runs = [
            // {flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=NULL, stack_size=0}
            rd(0x1000, &args(&[0x4100, 0, 0, 0, 17])),
            rd(
                0x2000,
                &args(&[
                    0x0118_1000,
                    0x7ffd_c71d_6980,
                    0x1000,
                    0x7ffd_c71d_6988,
                    0,
                    0x7000,
                    0x1000,
                    0x2000,
                ]),
            ),
            wr(0x7ffd_c71d_6980, &5u32.to_le_bytes()),
            wr(0x7ffd_c71d_6988, &22655u32.to_le_bytes()),
        ];
        let clone3 = |at: u64, size: u64, ret: Option<i64>| {
            arg(
                ArgKind::CloneArgsIn,
                0,
                Abi::X86_64,
                &[at, size],
                ret,
                &runs,
            )
        };
        assert_eq!(
            clone3(0x1000, 88, Some(22654)),
            "{flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=NULL, stack_size=0}"
        );
        assert_eq!(
            clone3(0x1000, 64, Some(22656)),
            "{flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=NULL, stack_size=0}"
        );
        assert_eq!(
            clone3(0x2000, 88, Some(22655)),
            "{flags=CLONE_PIDFD|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_SETTID, pidfd=0x7ffdc71d6980, \
             child_tid=0x1000, parent_tid=0x7ffdc71d6988, exit_signal=0, stack=0x7000, stack_size=0x1000, \
             tls=0x2000} => {pidfd=[5], parent_tid=[22655]}"
        );
        assert_eq!(
            clone3(0x2000, 88, Some(-1)),
            "{flags=CLONE_PIDFD|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_SETTID, pidfd=0x7ffdc71d6980, \
             child_tid=0x1000, parent_tid=0x7ffdc71d6988, exit_signal=0, stack=0x7000, stack_size=0x1000, \
             tls=0x2000}"
        );
        assert_eq!(clone3(0x1000, 32, Some(-22)), "0x1000");
        assert_eq!(clone3(0x9000, 88, Some(-14)), "0x9000");
        assert_eq!(
            clone3(0x1000, u64::MAX, Some(-7)),
            "{flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=NULL, stack_size=0}"
        );
    }

    #[test]
    fn returns() {
        let ret = |name: &str, abi: Abi, args: &[u64], ret: Option<i64>| {
            render_return(name, &view(abi, args, ret, &[]))
        };
        let x = |name: &str, r: i64| ret(name, Abi::X86_64, &[], Some(r));
        assert_eq!(x("openat", 3), "3");
        assert_eq!(x("openat", -2), "-1 ENOENT (No such file or directory)");
        assert_eq!(
            x("ioctl", -25),
            "-1 ENOTTY (Inappropriate ioctl for device)"
        );
        assert_eq!(x("mmap", 0x7fa2_341b_e000), "0x7fa2341be000");
        assert_eq!(x("mmap", -12), "-1 ENOMEM (Cannot allocate memory)");
        assert_eq!(x("brk", 0x55bb_f261_6000), "0x55bbf2616000");
        assert_eq!(x("brk", 0), "0");
        // i386: the kernel's 32-bit result, sign-extended, is not an error.
        assert_eq!(
            ret(
                "mmap2",
                Abi::I386,
                &[],
                Some(i64::from(0xf7f5_c000u32 as i32))
            ),
            "0xf7f5c000"
        );
        assert_eq!(ret("exit_group", Abi::X86_64, &[0], None), "?");
        assert_eq!(
            x("read", -512),
            "? ERESTARTSYS (To be restarted if SA_RESTART is set)"
        );
        assert_eq!(x("fork", -513), "? ERESTARTNOINTR (To be restarted)");
        assert_eq!(
            x("pause", -514),
            "? ERESTARTNOHAND (To be restarted if no handler)"
        );
        assert_eq!(
            x("nanosleep", -516),
            "? ERESTART_RESTARTBLOCK (Interrupted by signal)"
        );
        // Seen with a seccomp filter returning these errnos.
        assert_eq!(x("getppid", -515), "-1 ENOIOCTLCMD (Unknown error 515)");
        assert_eq!(x("getpgrp", -600), "-1 (errno 600)");
        assert_eq!(
            x("getuid", -133),
            "-1 EHWPOISON (Memory page has hardware error)"
        );
        assert_eq!(x("getgid", -134), "-1 (errno 134)");
        assert_eq!(x("geteuid", -520), "-1 (errno 520)");
        assert_eq!(x("getpid", -4095), "-1 (errno 4095)");
        assert_eq!(x("lseek", -4096), "-4096");
        assert_eq!(x("umask", 0o22), "022");
        assert_eq!(x("umask", 0), "000");
        let fcntl = |cmd: u64, r: i64| ret("fcntl", Abi::X86_64, &[0, cmd], Some(r));
        assert_eq!(fcntl(3, 0x8000), "0x8000 (flags O_RDONLY|O_LARGEFILE)");
        assert_eq!(fcntl(3, 0), "0 (flags O_RDONLY)");
        assert_eq!(fcntl(3, 1), "0x1 (flags O_WRONLY)");
        assert_eq!(fcntl(1, 1), "0x1 (flags FD_CLOEXEC)");
        assert_eq!(fcntl(1, 0), "0");
        assert_eq!(fcntl(1030, 3), "3");
        assert_eq!(fcntl(3, -9), "-1 EBADF (Bad file descriptor)");
        assert_eq!(
            ret("fcntl64", Abi::I386, &[0, 3], Some(0x8000)),
            "0x8000 (flags O_RDONLY|O_LARGEFILE)"
        );
    }

    #[test]
    fn errno_tables() {
        assert_eq!(errno_name(2), Some("ENOENT"));
        assert_eq!(errno_message(2), Some("No such file or directory"));
        assert_eq!(errno_name(11), Some("EAGAIN"));
        assert_eq!(errno_name(35), Some("EDEADLK"));
        assert_eq!(errno_name(95), Some("EOPNOTSUPP"));
        assert_eq!(errno_message(95), Some("Operation not supported"));
        assert_eq!(errno_name(512), Some("ERESTARTSYS"));
        assert_eq!(errno_name(530), Some("ERECALLCONFLICT"));
        assert_eq!(errno_message(524), Some("Unknown error 524"));
        for missing in [0, 41, 58, 134, 519, 520, 531, -2] {
            assert_eq!(errno_name(missing), None, "{missing}");
            assert_eq!(errno_message(missing), None, "{missing}");
        }
        let named = (1..=133).filter(|&e| errno_name(e).is_some()).count();
        assert_eq!(named, 131);
    }

    #[test]
    fn hostile_values_do_not_panic() {
        let runs = [
            rd(u64::MAX - 3, b"abcd"),
            wr(u64::MAX - 3, b"abcd"),
            rd(0, b"x"),
        ];
        let kinds = [
            ArgKind::Path,
            ArgKind::Str,
            ArgKind::StrArray,
            ArgKind::BufIn(1),
            ArgKind::BufOut(1),
            ArgKind::SigsetIn,
            ArgKind::StatOut,
            ArgKind::TimespecIn,
            ArgKind::TimespecOut,
            ArgKind::IovecIn(1),
            ArgKind::IovecOut(1),
            ArgKind::SockaddrIn(1),
            ArgKind::SockaddrOut(1),
            ArgKind::RlimitIn,
            ArgKind::RlimitOut,
            ArgKind::FdPairOut,
            ArgKind::WaitStatusOut,
            ArgKind::IntOut,
            ArgKind::UtsnameOut,
            ArgKind::SigactionIn,
            ArgKind::SigactionOut,
            ArgKind::RusageOut,
            ArgKind::DirentsOut,
            ArgKind::CloneArgsIn,
            ArgKind::BufIn(200),
            ArgKind::IovecIn(255),
        ];
        for abi in [Abi::X86_64, Abi::I386] {
            for at in [u64::MAX - 3, u64::MAX, 0xffff_fffc, 1] {
                for len in [0, 1, u64::MAX, 1 << 31, 0xffff_ffff] {
                    for ret in [Some(i64::MAX), Some(1 << 31), Some(-1), None] {
                        let v = view(abi, &[at, len, u64::MAX, at, len, u64::MAX], ret, &runs);
                        for kind in kinds {
                            let _ = render_arg(kind, 0, &v);
                        }
                        let _ = render_return("read", &v);
                    }
                }
            }
        }
    }
}
