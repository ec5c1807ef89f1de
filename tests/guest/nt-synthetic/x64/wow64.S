/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The WOW64 process of the x64 flavour (image \??\C:\vmscope\wow64.exe):
 * 32-bit code that runs in compatibility mode (cs 0x23, ds/es/ss 0x2b),
 * with its TEB32 at the fs base and the TEB64 at the gs base, and that
 * calls services the way 32-bit code does on x64 Windows 10: a 32-bit
 * ntdll stub with the x64 service number, a far jump into 64-bit code
 * (cs 0x33, "Heaven's gate"), a thunk that turns the 32-bit arguments and
 * structures into 64-bit ones (workload.c, wow64_system_service) and the
 * x64 stub's `mov r10, rcx; mov eax, N; syscall`, then a far return to
 * the 32-bit stub. The kernel sees an ordinary x64 call with x64
 * structures, made by a thread whose fs base is a TEB32.
 *
 * Not Windows: the names follow wow64cpu.dll's and ntdll's, the code is
 * the project's own and much simpler (no CPU context, no exceptions, four
 * services).
 */
#include "nt_numbers_x64.h"

#define TEB64_TLS_SLOT_1 0x1488 /* the 64-bit stack the gate runs on */
#define WOW64_TEB32 0x7ffdd000  /* the TEB32 of the process's first thread */

    .text
    .code64
/* The start routine of a WOW64 thread, called by RtlUserThreadStart in
 * 64-bit mode (rcx = the PEB). As wow64cpu's BTCpuSimulate: keep the
 * 64-bit stack for the gate (TEB64.TlsSlots[1]), take the 32-bit stack
 * from the TEB32 (TEB64.NtTib.ExceptionList points at it), and jump far
 * into the 32-bit code. */
    .globl wow64_start
    .type wow64_start, @function
    .p2align 4
wow64_start:
    and $-16, %rsp
    mov %rsp, %gs:TEB64_TLS_SLOT_1
    mov %gs:0, %rax              /* the TEB32 */
    mov 4(%rax), %esp            /* TEB32.NtTib.StackBase */
    ljmpl *wow64_main32_far(%rip)

/* The gate's 64-bit side (wow64cpu's CpupReturnFromSimulatedCode, in
 * short). The 32-bit stack holds the return into the 32-bit stub, the
 * return into its caller, then the arguments; eax is the service number.
 * Runs the thunk on the 64-bit stack, then far-returns to the stub's
 * `ret` (cs 0x23) with eax = the NTSTATUS. ebx esi edi ebp survive (the
 * thunk is ms_abi, which keeps them). */
    .p2align 4
CpupReturnFromSimulatedCode:
    mov %esp, %esp               /* the upper half of rsp is undefined */
    mov %rsp, %r12               /* the 32-bit stack (r12: kept by the thunk) */
    mov %eax, %ecx               /* the service number */
    lea 8(%r12), %rdx            /* the 32-bit arguments */
    mov %gs:TEB64_TLS_SLOT_1, %rsp
    sub $0x20, %rsp              /* home space */
    call wow64_system_service
    lea -4(%r12), %rsp           /* a far return frame in place of the */
    mov 4(%rsp), %ecx            /* return address: eip = the return into */
    mov %ecx, (%rsp)             /* the stub, cs = 0x23 */
    movl $0x23, 4(%rsp)
    lretl

    .code32
/* The 32-bit stubs, byte for byte like those of Windows 10's WOW64 ntdll
 * (b8 NN NN 00 00 ba <Wow64SystemServiceCall> ff d2 c2 XX XX: mov eax, N;
 * mov edx, Wow64SystemServiceCall; call edx; ret 4*nargs), with the x64
 * service numbers: a WOW64 process enters the kernel as 64-bit code. */
.macro STUB32 name, nr, nargs
    .type \name, @function
    .p2align 4
\name:
    .byte 0xb8                   /* mov eax, imm32 */
    .long \nr
    .byte 0xba                   /* mov edx, imm32 */
    .long Wow64SystemServiceCall
    .byte 0xff, 0xd2             /* call edx */
    .byte 0xc2                   /* ret imm16 */
    .short 4 * \nargs
.endm
    STUB32 NtCreateFile32, NR_NtCreateFile, 11
    STUB32 NtWriteFile32, NR_NtWriteFile, 9
    STUB32 NtClose32, NR_NtClose, 1
    STUB32 NtTerminateProcess32, NR_NtTerminateProcess, 2

    .p2align 4
Wow64SystemServiceCall:
    jmp *Wow64Transition         /* ff 25: jmp dword [Wow64Transition] */

/* wow64cpu's KiFastSystemCall: the gate, a far jump to 64-bit code. */
    .p2align 4
KiFastSystemCall32:
    ljmp $0x33, $CpupReturnFromSimulatedCode

/* A check: counts it (esi) and, if the flags do not say \ok, records it
 * as the first failure (edi) unless one is recorded already. */
.macro CHECK ok
    lea 1(%esi), %esi
    j\ok 9f
    test %edi, %edi
    jnz 9f
    mov %esi, %edi
9:
.endm

/* The 32-bit program: its TEB32 says who it is; it creates
 * \??\C:\vmscope\wow64.txt, writes a line, closes it and ends its
 * process with 0x32, or 0x100 + the number of the first failed check. */
    .p2align 4
wow64_main32:
    xor %esi, %esi
    xor %edi, %edi
    cmpl $WOW64_TEB32, %fs:0x18  /* TEB32.NtTib.Self */
    CHECK e
    cmpl $0x1c0, %fs:0x20        /* ClientId.UniqueProcess */
    CHECK e
    cmpl $0x1c4, %fs:0x24        /* ClientId.UniqueThread */
    CHECK e
    cmpl $-0x2000, %fs:0xfdc     /* WowTebOffset: the TEB64 is 0x2000 below */
    CHECK e
    mov %fs:0x30, %eax           /* the PEB32 */
    cmpl $0x400000, 8(%eax)      /* ImageBaseAddress */
    CHECK e
    /* NtCreateFile(&handle, FILE_GENERIC_WRITE, &oa, &iosb, NULL,
     * FILE_ATTRIBUTE_NORMAL, FILE_SHARE_READ, FILE_OVERWRITE_IF,
     * FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE, NULL, 0) */
    push $0
    push $0
    push $0x60
    push $5
    push $1
    push $0x80
    push $0
    push $iosb32
    push $oa32
    push $0x120116
    push $handle32
    call NtCreateFile32
    test %eax, %eax
    CHECK e
    cmpl $0x1c, handle32
    CHECK e
    cmpl $2, iosb32 + 4          /* FILE_CREATED */
    CHECK e
    /* NtWriteFile(handle, NULL, NULL, NULL, &iosb, text, length, NULL, NULL) */
    push $0
    push $0
    push $(text32_end - text32)
    push $text32
    push $iosb32
    push $0
    push $0
    push $0
    pushl handle32
    call NtWriteFile32
    test %eax, %eax
    CHECK e
    cmpl $(text32_end - text32), iosb32 + 4
    CHECK e
    pushl handle32
    call NtClose32
    test %eax, %eax
    CHECK e
    /* As RtlExitUserProcess: the other threads, then the process. */
    mov $0x32, %ebx
    lea 0x100(%edi), %eax
    test %edi, %edi
    cmovnz %eax, %ebx
    push %ebx
    push $0
    call NtTerminateProcess32
    push %ebx
    push $-1
    call NtTerminateProcess32
    ud2

    .section .rodata
    .p2align 3
wow64_main32_far:                /* m16:32 for the far jump to 32-bit code */
    .long wow64_main32
    .short 0x23
    .p2align 2
Wow64Transition:
    .long KiFastSystemCall32
name32_text:
    .string16 "\\??\\C:\\vmscope\\wow64.txt"
name32_end:
text32:
    .ascii "written by 32-bit code\n"
text32_end:

    /* 32-bit layouts: UNICODE_STRING32 (8 bytes), OBJECT_ATTRIBUTES32
     * (0x18), IO_STATUS_BLOCK32 (8). */
    .data
    .p2align 2
name32:
    .short name32_end - name32_text - 2, name32_end - name32_text
    .long name32_text
oa32:
    .long 0x18, 0, name32, 0x40, 0, 0 /* OBJ_CASE_INSENSITIVE */
iosb32:
    .long 0, 0
handle32:
    .long 0

    .section .note.GNU-stack, "", @progbits
