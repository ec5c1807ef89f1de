//! How each argument of a Linux system call is shown: the kinds the
//! generated tables (`syscalls.rs`) name and `render.rs` renders as strace
//! does by default.

/// The rendering of one argument. Numbers in a variant are 0-based
/// argument positions of the same call (a buffer's length, an array's
/// count).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArgKind {
    /// Signed decimal: int, long, pid_t, off_t, ...
    Int,
    /// Unsigned decimal: size_t, unsigned int, ...
    UInt,
    /// Hexadecimal: flags with no name table, key_serial_t, ...
    Hex,
    /// Octal: mode_t without file type bits (umask, chmod modes).
    Octal,
    /// An address, shown as strace shows an undecoded pointer (or NULL).
    Ptr,
    /// A file descriptor.
    Fd,
    /// A directory file descriptor: AT_FDCWD by name.
    DirFd,
    /// A NUL-terminated path the kernel reads.
    Path,
    /// A NUL-terminated string the kernel reads that is not a path.
    Str,
    /// A NULL-terminated array of string pointers (argv, envp).
    StrArray,
    /// A buffer the kernel reads; its length is argument `.0`.
    BufIn(u8),
    /// A buffer the kernel fills; the return value says how much, at most
    /// argument `.0`.
    BufOut(u8),
    /// open/openat flags: O_RDONLY|O_CREAT|...
    OpenFlags,
    /// File mode with permission bits, in octal (0644); with type bits for mknod.
    Mode,
    /// AT_* flags (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, AT_REMOVEDIR...).
    AtFlags,
    /// access(2) mode: F_OK or R_OK|W_OK|X_OK.
    AccessMode,
    /// mmap/mprotect prot: PROT_READ|PROT_WRITE|...
    MmapProt,
    /// mmap flags: MAP_PRIVATE|MAP_ANONYMOUS|...
    MmapFlags,
    /// clone flags with the exit signal in the low byte.
    CloneFlags,
    /// A signal number: SIGTERM.
    Signal,
    /// sigprocmask how: SIG_BLOCK...
    SigHow,
    /// A sigset_t the kernel reads: [INT TERM].
    SigsetIn,
    /// fcntl command: F_DUPFD, F_GETFL...
    FcntlCmd,
    /// ioctl request: TCGETS, FIONREAD... or its number.
    IoctlCmd,
    /// lseek whence: SEEK_SET...
    Whence,
    /// A struct stat the kernel writes.
    StatOut,
    /// A struct timespec the kernel reads.
    TimespecIn,
    /// A struct timespec the kernel writes.
    TimespecOut,
    /// clock ids: CLOCK_MONOTONIC...
    ClockId,
    /// An iovec array the kernel reads from; its count is argument `.0`.
    IovecIn(u8),
    /// An iovec array the kernel fills; its count is argument `.0`.
    IovecOut(u8),
    /// A socket address the kernel reads; its length is argument `.0`.
    SockaddrIn(u8),
    /// A socket address the kernel writes; argument `.0` points to its length.
    SockaddrOut(u8),
    /// socket domain: AF_UNIX, AF_INET...
    SocketDomain,
    /// socket type: SOCK_STREAM|SOCK_CLOEXEC...
    SocketType,
    /// getrlimit/setrlimit resource: RLIMIT_NOFILE...
    Resource,
    /// A struct rlimit the kernel reads.
    RlimitIn,
    /// A struct rlimit the kernel writes.
    RlimitOut,
    /// pipe/pipe2's `int[2]` the kernel writes: `[3, 4]`.
    FdPairOut,
    /// wait4's status the kernel writes: `[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]`.
    WaitStatusOut,
    /// wait4/waitpid options: WNOHANG|...
    WaitOptions,
    /// An int the kernel writes (shown as `[N]`).
    IntOut,
    /// futex op: FUTEX_WAIT_PRIVATE...
    FutexOp,
    /// arch_prctl code: ARCH_SET_FS...
    ArchPrctlCode,
    /// prctl option: PR_SET_NAME...
    PrctlOption,
    /// flags of pipe2, dup3, eventfd2, ...: O_CLOEXEC|O_NONBLOCK.
    FdFlags,
    /// getrandom flags: GRND_NONBLOCK...
    GrndFlags,
    /// A struct utsname the kernel writes.
    UtsnameOut,
    /// rt_sigaction's struct sigaction the kernel reads.
    SigactionIn,
    /// rt_sigaction's old action the kernel writes.
    SigactionOut,
    /// A struct rusage the kernel writes.
    RusageOut,
    /// getdents64's buffer of struct linux_dirent64 the kernel writes; the
    /// return value says how much.
    DirentsOut,
    /// A struct clone_args the kernel reads (clone3).
    CloneArgsIn,
}
