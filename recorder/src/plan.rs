//! What to instrument, decided once per instruction at translation time.
//!
//! The recorder never decodes system calls; it only recognises the few
//! instructions that cross between user and kernel mode, the ones that
//! change what identifies the running thread, and the kernel instructions
//! that may touch user memory.

use iced_x86::{Code, Decoder, DecoderOptions, Instruction, OpKind, Register};
use vmscope_schema::Mechanism;

/// The role of one guest instruction for the recorder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Enters the kernel for a system call.
    Entry(Mechanism),
    /// May return to user mode. `wide` is the 64-bit form; `iret_slot` is
    /// the stack slot size of an iret frame (2, 4 or 8), whose stacked CS
    /// says whether it does.
    Exit {
        mechanism: Mechanism,
        wide: bool,
        iret_slot: u8,
    },
    /// Changes a register that identifies the running thread.
    ContextWrite(ContextWrite),
    /// A kernel instruction whose memory operands may reach user memory.
    MayTouchUser,
    /// Nothing the recorder cares about.
    Other,
}

/// How an instruction changes the thread-identifying registers; read the
/// operands before it runs to know the values after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContextWrite {
    /// `mov cr3, reg`.
    Cr3(Register),
    /// `wrmsr`: ecx names the MSR, edx:eax the value.
    Wrmsr,
    /// `swapgs`: gs_base and k_gs_base trade places.
    Swapgs,
    /// `wrfsbase reg`.
    FsBase(Register),
    /// `wrgsbase reg`.
    GsBase(Register),
}

/// Decodes the bytes QEMU gave for one instruction. The bitness guess
/// comes from the address (code above 4 GiB is 64-bit); if the decoded
/// length disagrees with QEMU's, the other bitness is tried.
pub fn decode(bytes: &[u8], vaddr: u64) -> Option<Instruction> {
    let first = if vaddr >> 32 != 0 { 64 } else { 32 };
    for bitness in [first, 96 - first] {
        let mut decoder = Decoder::with_ip(bitness, bytes, vaddr, DecoderOptions::NONE);
        let insn = decoder.decode();
        if !insn.is_invalid() && insn.len() == bytes.len() {
            return Some(insn);
        }
    }
    None
}

/// Whether an instruction can have a role at all, from its bytes alone:
/// when `kernel` is false only entries and exits count, and each of them
/// has 0f, cd or cf as its first byte after the legacy and REX prefixes.
/// Nearly every instruction QEMU translates is then ruled out without a
/// full decode (decoding them all measured 1-3% of the loop workload with
/// mem=none, against a translation callback that returns at once).
pub fn may_have_role(bytes: &[u8], kernel: bool) -> bool {
    kernel
        || bytes
            .iter()
            .find(|&&b| {
                !matches!(
                    b,
                    0x26 | 0x2e | 0x36 | 0x3e | 0x40..=0x4f | 0x64..=0x67 | 0xf0 | 0xf2 | 0xf3
                )
            })
            .is_some_and(|&b| matches!(b, 0x0f | 0xcd | 0xcf))
}

/// The role of an instruction; `kernel` says whether it lies in kernel
/// space while memory callbacks are on (false for every instruction with
/// mem=none and before the first system call).
pub fn classify(insn: &Instruction, kernel: bool) -> Role {
    let exit = |mechanism, wide, iret_slot| Role::Exit {
        mechanism,
        wide,
        iret_slot,
    };
    match insn.code() {
        Code::Syscall => Role::Entry(Mechanism::Syscall),
        Code::Sysenter => Role::Entry(Mechanism::Sysenter),
        Code::Int_imm8 if insn.immediate8() == 0x80 => Role::Entry(Mechanism::Int80),
        Code::Int_imm8 if insn.immediate8() == 0x2e => Role::Entry(Mechanism::Int2e),
        Code::Sysretd => exit(Mechanism::Sysret, false, 0),
        Code::Sysretq => exit(Mechanism::Sysret, true, 0),
        Code::Sysexitd => exit(Mechanism::Sysexit, false, 0),
        Code::Sysexitq => exit(Mechanism::Sysexit, true, 0),
        Code::Iretw => exit(Mechanism::Iret, false, 2),
        Code::Iretd => exit(Mechanism::Iret, false, 4),
        Code::Iretq => exit(Mechanism::Iret, true, 8),
        // The tracked context only stamps memory runs, which only kernel
        // code records: elsewhere (mem=none, the first phase, user code)
        // it is taken from each entry's registers, and a callback on
        // every swapgs would be two more per call for nothing.
        Code::Mov_cr_r64 | Code::Mov_cr_r32 if kernel && insn.op0_register() == Register::CR3 => {
            Role::ContextWrite(ContextWrite::Cr3(insn.op1_register()))
        }
        Code::Wrmsr if kernel => Role::ContextWrite(ContextWrite::Wrmsr),
        Code::Swapgs if kernel => Role::ContextWrite(ContextWrite::Swapgs),
        Code::Wrfsbase_r32 | Code::Wrfsbase_r64 if kernel => {
            Role::ContextWrite(ContextWrite::FsBase(insn.op0_register()))
        }
        Code::Wrgsbase_r32 | Code::Wrgsbase_r64 if kernel => {
            Role::ContextWrite(ContextWrite::GsBase(insn.op0_register()))
        }
        _ if kernel && may_touch_user(insn) => Role::MayTouchUser,
        _ => Role::Other,
    }
}

/// Whether a kernel instruction has a memory operand that could address
/// user memory. Stack, instruction-pointer-relative, absolute and fs/gs
/// relative operands reach the kernel's own stack, image, globals and
/// per-CPU data; every other form (a pointer in a register, string
/// instructions) may be a copy to or from user space.
fn may_touch_user(insn: &Instruction) -> bool {
    (0..insn.op_count()).any(|i| match insn.op_kind(i) {
        OpKind::Memory => {
            let base = insn.memory_base();
            let stack = matches!(base, Register::RSP | Register::ESP | Register::SP);
            let absolute = base == Register::None && insn.memory_index() == Register::None;
            let per_cpu = matches!(insn.memory_segment(), Register::FS | Register::GS);
            !(stack || absolute || per_cpu || insn.is_ip_rel_memory_operand())
        }
        OpKind::MemorySegSI
        | OpKind::MemorySegESI
        | OpKind::MemorySegRSI
        | OpKind::MemorySegDI
        | OpKind::MemorySegEDI
        | OpKind::MemorySegRDI
        | OpKind::MemoryESDI
        | OpKind::MemoryESEDI
        | OpKind::MemoryESRDI => true,
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(bytes: &[u8], vaddr: u64, kernel: bool) -> Role {
        classify(&decode(bytes, vaddr).expect("decodes"), kernel)
    }

    const KERNEL: u64 = 0xffff_ffff_8100_0000;

    #[test]
    fn entries_in_any_mode() {
        assert_eq!(
            role(&[0x0f, 0x05], 0x40_1000, false),
            Role::Entry(Mechanism::Syscall)
        );
        assert_eq!(
            role(&[0x0f, 0x34], 0xf7f0_0000, false),
            Role::Entry(Mechanism::Sysenter)
        );
        assert_eq!(
            role(&[0xcd, 0x80], 0x0804_8000, false),
            Role::Entry(Mechanism::Int80)
        );
        assert_eq!(
            role(&[0xcd, 0x2e], 0x7c80_0000, false),
            Role::Entry(Mechanism::Int2e)
        );
        assert_eq!(role(&[0xcd, 0x03], 0x40_1000, false), Role::Other);
    }

    #[test]
    fn exits_with_their_iret_frames() {
        let exit = |mechanism, wide, iret_slot| Role::Exit {
            mechanism,
            wide,
            iret_slot,
        };
        assert_eq!(
            role(&[0x48, 0x0f, 0x07], KERNEL, true),
            exit(Mechanism::Sysret, true, 0)
        );
        assert_eq!(
            role(&[0x0f, 0x07], KERNEL, true),
            exit(Mechanism::Sysret, false, 0)
        );
        assert_eq!(
            role(&[0x48, 0xcf], KERNEL, true),
            exit(Mechanism::Iret, true, 8)
        );
        assert_eq!(
            role(&[0xcf], 0x8050_0000, true),
            exit(Mechanism::Iret, false, 4)
        );
        assert_eq!(
            role(&[0x0f, 0x35], 0x8050_0000, true),
            exit(Mechanism::Sysexit, false, 0)
        );
    }

    #[test]
    fn context_writes() {
        // mov cr3, rax / mov cr3, rdi
        assert_eq!(
            role(&[0x0f, 0x22, 0xd8], KERNEL, true),
            Role::ContextWrite(ContextWrite::Cr3(Register::RAX))
        );
        assert_eq!(
            role(&[0x0f, 0x22, 0xdf], KERNEL, true),
            Role::ContextWrite(ContextWrite::Cr3(Register::RDI))
        );
        // mov cr4, rax is not one.
        assert_eq!(role(&[0x0f, 0x22, 0xe0], KERNEL, true), Role::Other);
        assert_eq!(
            role(&[0x0f, 0x30], KERNEL, true),
            Role::ContextWrite(ContextWrite::Wrmsr)
        );
        assert_eq!(
            role(&[0x0f, 0x01, 0xf8], KERNEL, true),
            Role::ContextWrite(ContextWrite::Swapgs)
        );
        // wrfsbase rdi (f3 48 0f ae d7)
        assert_eq!(
            role(&[0xf3, 0x48, 0x0f, 0xae, 0xd7], KERNEL, true),
            Role::ContextWrite(ContextWrite::FsBase(Register::RDI))
        );
        // Without memory callbacks (mem=none, before the first call, user
        // code) nothing needs the tracked context.
        assert_eq!(role(&[0x0f, 0x01, 0xf8], KERNEL, false), Role::Other);
        assert_eq!(role(&[0x0f, 0x22, 0xd8], KERNEL, false), Role::Other);
        assert_eq!(role(&[0x0f, 0x30], KERNEL, false), Role::Other);
    }

    #[test]
    fn kernel_memory_operands() {
        // rep movsb: the copy_user workhorse.
        assert_eq!(role(&[0xf3, 0xa4], KERNEL, true), Role::MayTouchUser);
        // mov eax, [rsi]: a pointer in a register.
        assert_eq!(role(&[0x8b, 0x06], KERNEL, true), Role::MayTouchUser);
        // mov [rsp+8], rax: the kernel stack.
        assert_eq!(
            role(&[0x48, 0x89, 0x44, 0x24, 0x08], KERNEL, true),
            Role::Other
        );
        // mov rax, [rip+0x10]: a kernel global.
        assert_eq!(
            role(&[0x48, 0x8b, 0x05, 0x10, 0, 0, 0], KERNEL, true),
            Role::Other
        );
        // mov rax, gs:[0x28]: per-CPU data.
        assert_eq!(
            role(&[0x65, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0], KERNEL, true),
            Role::Other
        );
        // The same load in user code is not the kernel touching memory.
        assert_eq!(role(&[0x8b, 0x06], 0x40_1000, false), Role::Other);
        // add eax, ebx touches no memory.
        assert_eq!(role(&[0x01, 0xd8], KERNEL, true), Role::Other);
    }

    /// The byte filter never rules out an instruction the full decode
    /// gives a role: every one- and two-byte instruction, bare and behind
    /// each prefix, in 64- and 32-bit code.
    #[test]
    fn the_byte_filter_keeps_every_entry_and_exit() {
        let mut kept = 0;
        for prefix in [None, Some(0x48), Some(0x66), Some(0xf3), Some(0x41)] {
            for first in 0..=255u8 {
                for second in std::iter::once(None).chain((0..=255u8).map(Some)) {
                    let bytes: Vec<u8> = prefix.into_iter().chain([first]).chain(second).collect();
                    for vaddr in [0x40_1000, KERNEL] {
                        let Some(insn) = decode(&bytes, vaddr) else {
                            continue;
                        };
                        if classify(&insn, false) != Role::Other {
                            kept += 1;
                            assert!(may_have_role(&bytes, false), "{bytes:02x?}");
                        }
                    }
                }
            }
        }
        // syscall, sysenter, int 0x80/0x2e, sysret, sysexit, iret, in
        // their forms: the loop above did meet them.
        assert!(kept > 20, "{kept}");
        assert!(!may_have_role(&[0x48, 0x89, 0xc7], false));
        assert!(may_have_role(&[0x48, 0x89, 0xc7], true));
    }

    #[test]
    fn bitness_follows_qemus_length() {
        // 48 0f 07 at a low address: 64-bit sysretq, not dec eax + sysret.
        let sysretq = Role::Exit {
            mechanism: Mechanism::Sysret,
            wide: true,
            iret_slot: 0,
        };
        assert_eq!(role(&[0x48, 0x0f, 0x07], 0x1000, true), sysretq);
        assert!(decode(&[0xff], 0x1000).is_none());
    }
}
