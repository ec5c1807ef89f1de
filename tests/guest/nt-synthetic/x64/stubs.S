/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x64 user-mode system service stubs of the synthetic NT-ABI guest, byte
 * for byte like ntdll's of Windows before 10 TH2 (4c 8b d1 b8 NN NN 00 00
 * 0f 05 c3: mov r10, rcx; mov eax, N; syscall; ret), with the numbers of
 * Windows 10 22H2 (include/nt_numbers_x64.h). Also RtlUserThreadStart,
 * where every thread starts: rdx = the argument, r8 = the start routine
 * (the kernel enters by sysretq, which takes rcx for the pc).
 */
#include "nt_numbers_x64.h"

.macro STUB name, nr
    .globl \name
    .type \name, @function
    .p2align 4
\name:
    .byte 0x4c, 0x8b, 0xd1 /* mov r10, rcx */
    .byte 0xb8             /* mov eax, imm32 */
    .long \nr
    syscall
    ret
.endm

#define SERVICE(name, nargs) STUB name, NR_##name
    .text
#include "services.h"
    STUB VmscopeInvalidService, 0x0fff
    /* Numbers the kernel's table does not have: the first past its end,
     * and NtClose's index in table 1 (win32k's; bit 12). */
    STUB VmscopeServicePastEnd, NT_SERVICE_LIMIT
    STUB VmscopeWin32kService, (0x1000|NR_NtClose)

    .globl RtlUserThreadStart
    .type RtlUserThreadStart, @function
    .p2align 4
RtlUserThreadStart:
    sub $0x28, %rsp
    mov %rdx, %rcx
    call *%r8
    mov %eax, %edx
    mov $-2, %rcx
    call NtTerminateThread
    ud2

    .section .note.GNU-stack, "", @progbits
