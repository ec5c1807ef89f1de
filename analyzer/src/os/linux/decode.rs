//! From a paired call to its Linux meaning: the ABI, the number and its
//! table entry, the argument values and the result.

use crate::memory::CallMemory;
use crate::threads::Call;
use vmscope_schema::{Mechanism, SyscallEvent, reg};

use super::Abi;
use super::render::CallView;
use super::syscalls::{self, SyscallInfo};

/// The ABI an entry uses: `int 0x80` and any entry from a compatibility
/// (32-bit) code segment are i386; `syscall` from the 64-bit user segment
/// is x86_64. Linux x86_64 puts 64-bit user code at selector 0x33 and
/// 32-bit at 0x23.
pub fn abi(entry: &SyscallEvent) -> Abi {
    if entry.mechanism == Mechanism::Int80 {
        return Abi::I386;
    }
    if entry.has(reg::CS) && entry.cs & 0xfff8 == 0x30 {
        Abi::X86_64
    } else if entry.has(reg::CS) && entry.cs != 0 {
        Abi::I386
    } else {
        Abi::X86_64
    }
}

/// The call number.
pub fn nr(entry: &SyscallEvent) -> u64 {
    match abi(entry) {
        // orig_rax: the kernel takes all of rax on x86_64, eax on i386.
        Abi::X86_64 => entry.regs.rax,
        Abi::I386 => entry.regs.rax & 0xffff_ffff,
    }
}

pub fn info(abi: Abi, nr: u64) -> Option<&'static SyscallInfo> {
    match abi {
        Abi::X86_64 => syscalls::lookup(&syscalls::X86_64, nr),
        Abi::I386 => syscalls::lookup(&syscalls::I386, nr),
    }
}

/// The six argument registers, in ABI order.
pub fn args(entry: &SyscallEvent, memory: &CallMemory<'_>) -> [u64; 6] {
    let r = &entry.regs;
    match abi(entry) {
        Abi::X86_64 => [r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9],
        Abi::I386 => {
            let low = |v: u64| v & 0xffff_ffff;
            let stacked = |at: u64| memory.read_word(low(at), 4).unwrap_or(0);
            match entry.mechanism {
                // The vDSO's syscall sequence moves ecx to ebp (syscall
                // clobbers ecx) and pushes the caller's ebp: the kernel
                // takes the 6th argument from the user stack.
                Mechanism::Syscall => [
                    low(r.rbx),
                    low(r.rbp),
                    low(r.rdx),
                    low(r.rsi),
                    low(r.rdi),
                    stacked(r.rsp),
                ],
                // sysenter: esp is in ebp, the caller's ebp at [ebp].
                Mechanism::Sysenter => [
                    low(r.rbx),
                    low(r.rcx),
                    low(r.rdx),
                    low(r.rsi),
                    low(r.rdi),
                    stacked(r.rbp),
                ],
                _ => [
                    low(r.rbx),
                    low(r.rcx),
                    low(r.rdx),
                    low(r.rsi),
                    low(r.rdi),
                    low(r.rbp),
                ],
            }
        }
    }
}

/// The result as the kernel meant it; None without an exit. On i386 the
/// 32-bit register is an error when it is -4095..-1 and otherwise
/// unsigned, so that an address above 2 GiB (mmap2) stays positive.
pub fn ret(call: &Call) -> Option<i64> {
    let exit = call.exit.as_ref()?;
    Some(match abi(&call.entry) {
        Abi::X86_64 => exit.rax as i64,
        Abi::I386 => {
            let value = exit.rax as u32;
            if value >= 0xffff_f001 {
                i64::from(value as i32)
            } else {
                i64::from(value)
            }
        }
    })
}

/// The ERESTART* code of a call the kernel restarted (its exit resumes
/// at the entry instruction), as a negative errno. ERESTART_RESTARTBLOCK
/// is in the registers: the exit resumes with the number of
/// restart_syscall in rax. The others restart alike, so which one it was
/// is the one the kernel's code returns for that call: ERESTARTNOINTR
/// from fork and clone, ERESTARTNOHAND from the calls that wait for a
/// signal or poll, ERESTARTSYS from the rest.
pub fn restart_code(call: &Call, name: &str) -> i64 {
    const ERESTARTSYS: i64 = 512;
    const ERESTARTNOINTR: i64 = 513;
    const ERESTARTNOHAND: i64 = 514;
    const ERESTART_RESTARTBLOCK: i64 = 516;
    let restart_syscall = match abi(&call.entry) {
        Abi::X86_64 => 219,
        Abi::I386 => 0,
    };
    let resumes_with = call.exit.as_ref().map(|exit| exit.rax & 0xffff_ffff);
    let code = if resumes_with == Some(restart_syscall) && nr(&call.entry) != restart_syscall {
        ERESTART_RESTARTBLOCK
    } else {
        match name {
            "fork" | "vfork" | "clone" | "clone3" => ERESTARTNOINTR,
            "pause" | "rt_sigsuspend" | "sigsuspend" | "poll" | "ppoll" | "ppoll_time64"
            | "select" | "_newselect" | "pselect6" | "pselect6_time64" => ERESTARTNOHAND,
            _ => ERESTARTSYS,
        }
    };
    -code
}

/// Everything the renderer needs about a call.
pub fn view(call: &Call) -> CallView<'_> {
    let memory = CallMemory::new(&call.memory);
    CallView {
        abi: abi(&call.entry),
        args: args(&call.entry, &memory),
        ret: ret(call),
        memory,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threads::{Exit, Outcome, ThreadKey};

    fn restarted(nr: u64, resumes_with: u64) -> Call {
        let entry = SyscallEvent {
            mechanism: Mechanism::Syscall,
            cs: 0x33,
            regs: vmscope_schema::GeneralRegisters {
                rax: nr,
                ..Default::default()
            },
            ..Default::default()
        };
        Call {
            seq: 1,
            vcpu: 0,
            thread: ThreadKey {
                space: 0,
                pointer: 0,
            },
            entry,
            exit: Some(Exit {
                seq: 2,
                vcpu: 0,
                rax: resumes_with,
                thread: ThreadKey {
                    space: 0,
                    pointer: 0,
                },
            }),
            memory: Vec::new(),
            outcome: Outcome::Restarted,
            resumed: false,
        }
    }

    #[test]
    fn restarted_calls_say_their_restart_code() {
        // read (0) restarted with its own number back in rax.
        assert_eq!(restart_code(&restarted(0, 0), "read"), -512);
        // clock_nanosleep (230) resuming as restart_syscall (219).
        assert_eq!(restart_code(&restarted(230, 219), "clock_nanosleep"), -516);
        assert_eq!(restart_code(&restarted(7, 7), "poll"), -514);
        assert_eq!(restart_code(&restarted(56, 56), "clone"), -513);
        // restart_syscall itself restarted is not a restart block.
        assert_eq!(restart_code(&restarted(219, 219), "restart_syscall"), -512);
    }
}
