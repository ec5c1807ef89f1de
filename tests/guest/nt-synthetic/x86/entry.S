/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86 entry points of the synthetic NT-ABI guest: the multiboot entry
 * (paging on, RAM at 0x80000000 in 4 MiB pages), the sysenter entry
 * (KiFastCallEntry, as SYSENTER_EIP), the int 0x2e entry (KiSystemService,
 * IDT vector 0x2e), the context switch, a thread's first trip to user
 * mode, and the exception stubs.
 */
#define KBASE 0x80000000
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x0

    .section .multiboot, "a"
    .p2align 2
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .boot, "ax"
    .globl _start
_start:
    cli
    mov $(__bss_start - KBASE), %edi
    mov $(__bss_end - KBASE), %ecx
    sub %edi, %ecx
    xor %eax, %eax
    rep stosb
    mov $(boot_pd - KBASE), %ebx
    movl $0x83, (%ebx) /* 0-4 MiB identity, for this code */
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $22, %eax
    or $0x83, %eax /* present, writable, 4 MiB */
    mov %eax, 4 * 512(%ebx, %ecx, 4)
    inc %ecx
    cmp $16, %ecx /* 64 MiB */
    jne 1b
    mov %cr4, %eax
    or $(1 << 4), %eax /* PSE */
    mov %eax, %cr4
    mov %ebx, %cr3
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16)), %eax /* PG, WP */
    mov %eax, %cr0
    mov $high, %eax
    jmp *%eax

    .text
high:
    mov $boot_stack_top, %esp
    call kmain
1:  hlt
    jmp 1b

/* sysenter from KiFastSystemCall: eax = the service number, edx = the user
 * esp ([edx] the return into the stub, [edx+4] into its caller, [edx+8]
 * the arguments); esp = SYSENTER_ESP = the current thread's kernel stack.
 * Return by sysexit to KiFastSystemCallRet with the same esp. */
    .globl KiFastCallEntry
KiFastCallEntry:
    push $0x23              /* user ss */
    push %edx               /* user esp */
    pushfl
    push $0x1b              /* user cs */
    pushl user_return_pc    /* KiFastSystemCallRet */
    push %ebp
    push %ebx
    push %esi
    push %edi
    push %fs
    mov $0x30, %ecx         /* KPCR */
    mov %ecx, %fs
    push %edx
    push %eax
    call nt_syscall32
    add $8, %esp
    pop %fs                 /* 0x3b: the TEB of the thread now running */
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    mov 0(%esp), %edx       /* user eip */
    mov 12(%esp), %ecx      /* user esp */
    sti
    sysexit

/* int 0x2e from KiIntSystemCall (lea edx, [esp+8]; int 0x2e; ret):
 * eax = the service number, edx = the address of the first argument; the
 * CPU switched to the kernel stack (TSS esp0) and pushed the user ss,
 * esp, eflags, cs and eip (the `ret` after `int 0x2e`). Return by iretd
 * with eax = the NTSTATUS. */
    .globl KiSystemService
KiSystemService:
    push %ebp
    push %ebx
    push %esi
    push %edi
    push %fs
    mov $0x30, %ecx         /* KPCR */
    mov %ecx, %fs
    mov 32(%esp), %ecx      /* the user esp at int 0x2e */
    push %ecx
    push %edx
    push %eax
    call nt_syscall32_int2e
    add $12, %esp
    pop %fs                 /* 0x3b: the TEB of the thread now running */
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    iretl

/* arch_switch(uptr *save_sp, uptr new_sp) */
    .globl arch_switch
arch_switch:
    mov 4(%esp), %eax
    mov 8(%esp), %ecx
    push %ebp
    push %ebx
    push %esi
    push %edi
    mov %esp, (%eax)
    mov %ecx, %esp
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

/* arch_start_first(uptr ksp) */
    .globl arch_start_first
arch_start_first:
    mov 4(%esp), %esp
    pop %edi
    pop %esi
    pop %ebx
    pop %ebp
    ret

/* A new thread's first return from arch_switch, ebx = its struct
 * user_start: to user mode at RtlUserThreadStart with eax = the start
 * routine and ebx = its argument, as NT's x86 kernel starts threads. */
    .globl thread_first_run
thread_first_run:
    mov 0(%ebx), %edx       /* pc */
    mov 4(%ebx), %ecx       /* sp */
    mov 12(%ebx), %eax      /* routine */
    mov 8(%ebx), %ebx       /* param */
    mov $0x3b, %esi
    mov %esi, %fs
    xor %esi, %esi
    xor %edi, %edi
    xor %ebp, %ebp
    sti
    sysexit

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
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    push %esp
    call fatal_trap
1:  hlt
    jmp 1b

    .section .rodata
    .globl trap_table
    .p2align 2
trap_table:
    .long trap0, trap1, trap2, trap3, trap4, trap5, trap6, trap7, trap8, trap9
    .long trap10, trap11, trap12, trap13, trap14, trap15, trap16, trap17, trap18, trap19

    .bss
    .globl boot_pd
    .p2align 12
boot_pd:
    .skip 4096
    .p2align 4
    .skip 16384
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
