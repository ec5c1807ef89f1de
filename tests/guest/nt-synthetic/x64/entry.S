/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x64 kernel entry points of the synthetic NT-ABI guest: the first byte
 * of the image (kentry), the system call entry (KiSystemCall64, as LSTAR),
 * the context switch, a thread's first trip to user mode, and the
 * exception stubs.
 *
 * Per-CPU area at gs (like NT's KPCR): gs:0x10 the user rsp saved at
 * entry (KPCR.UserRsp), gs:0x1a8 the current thread's kernel stack top
 * (KPRCB.RspBase).
 */
    .section .text.entry, "ax"
    .code64
    .globl kentry
kentry:
    movabs $__bss_start, %rdi
    movabs $__bss_end, %rcx
    sub %rdi, %rcx
    xor %eax, %eax
    rep stosb
    movabs $boot_stack_top, %rsp
    movabs $kmain, %rax
    call *%rax
1:  hlt
    jmp 1b

    .text
/* syscall: rcx = user rip, r11 = user rflags, rsp = user rsp (pointing at
 * the stub's return address), r10 rdx r8 r9 = arguments 1-4, eax = the
 * service number. */
    .globl KiSystemCall64
KiSystemCall64:
    swapgs
    mov %rsp, %gs:0x10
    mov %gs:0x1a8, %rsp
    pushq %gs:0x10      /* 0x48: user rsp */
    push %rcx           /* 0x40: user rip */
    push %r11           /* 0x38: user rflags */
    push %rsi           /* 0x30 */
    push %rdi           /* 0x28 */
    push %r9            /* 0x20 */
    push %r8            /* 0x18 */
    push %rdx           /* 0x10 */
    push %r10           /* 0x08 */
    push %rax           /* 0x00: service number */
    mov %rsp, %rdi
    movabs $nt_syscall64, %rax
    call *%rax
    mov 0x28(%rsp), %rdi
    mov 0x30(%rsp), %rsi
    mov 0x38(%rsp), %r11
    mov 0x40(%rsp), %rcx
    xor %edx, %edx
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    mov 0x48(%rsp), %rsp
    swapgs
    sysretq

/* arch_switch(uptr *save_sp, uptr new_sp) */
    .globl arch_switch
arch_switch:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

/* arch_start_first(uptr ksp): the first thread, from boot. */
    .globl arch_start_first
arch_start_first:
    mov %rdi, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

/* A new thread's first return from arch_switch lands here with rbx = its
 * struct user_start: go to user mode at RtlUserThreadStart with
 * rdx = the argument and r8 = the start routine. */
    .globl thread_first_run
thread_first_run:
    mov 0x00(%rbx), %rcx /* pc */
    mov 0x10(%rbx), %rdx /* param */
    mov 0x18(%rbx), %r8  /* routine */
    mov 0x08(%rbx), %rsp /* sp */
    mov $0x202, %r11d
    xor %eax, %eax
    xor %ebx, %ebx
    xor %esi, %esi
    xor %edi, %edi
    xor %ebp, %ebp
    xor %r9d, %r9d
    xor %r10d, %r10d
    xor %r12d, %r12d
    xor %r13d, %r13d
    xor %r14d, %r14d
    xor %r15d, %r15d
    swapgs
    sysretq

/* Exceptions: fatal. */
.macro TRAP n, code
trap\n:
    .if \code == 0
    push $0
    .endif
    push $\n
    jmp trap_common
.endm
    TRAP 0, 0
    TRAP 1, 0
    TRAP 2, 0
    TRAP 3, 0
    TRAP 4, 0
    TRAP 5, 0
    TRAP 6, 0
    TRAP 7, 0
    TRAP 8, 1
    TRAP 9, 0
    TRAP 10, 1
    TRAP 11, 1
    TRAP 12, 1
    TRAP 13, 1
    TRAP 14, 1
    TRAP 15, 0
    TRAP 16, 0
    TRAP 17, 1
    TRAP 18, 0
    TRAP 19, 0
trap_common:
    mov %rsp, %rdi
    and $~15, %rsp
    movabs $fatal_trap, %rax
    call *%rax
1:  hlt
    jmp 1b

    .section .rodata
    .globl trap_table
    .p2align 3
trap_table:
    .quad trap0, trap1, trap2, trap3, trap4, trap5, trap6, trap7, trap8, trap9
    .quad trap10, trap11, trap12, trap13, trap14, trap15, trap16, trap17, trap18, trap19

    .bss
    .p2align 4
    .skip 16384
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
