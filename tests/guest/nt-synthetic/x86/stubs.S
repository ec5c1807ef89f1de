/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86 user-mode system service stubs of the synthetic NT-ABI guest, byte
 * for byte like ntdll's of Windows XP SP2 to 7 (b8 NN NN 00 00 ba 00 03
 * fe 7f ff 12 c2 XX XX: mov eax, N; mov edx, 0x7ffe0300; call [edx];
 * ret 4*nargs), with the numbers of Windows 7 SP1 (include/
 * nt_numbers_x86.h). SharedUserData->SystemCall (0x7ffe0300) points at
 * KiFastSystemCall (8b d4 0f 34: mov edx, esp; sysenter), followed at
 * once by KiFastSystemCallRet (c3: ret), where sysexit returns.
 * A second form, for a few services (NtOpenFileInt2e, NtReadFileInt2e,
 * NtCloseInt2e): the same stub whose pointer leads to KiIntSystemCall
 * (8d 54 24 08 cd 2e c3: lea edx, [esp+8]; int 0x2e; ret), the path
 * ntdll takes when SharedUserData->SystemCall points there (CPUs without
 * sysenter); the kernel returns by iretd to the `ret`.
 * RtlUserThreadStart: where every thread starts, eax = the start routine,
 * ebx = its argument.
 */
#include "nt_numbers_x86.h"

.macro STUB name, nr, nargs, system_call=0x7ffe0300
    .globl \name
    .type \name, @function
    .p2align 4
\name:
    .byte 0xb8                  /* mov eax, imm32 */
    .long \nr
    .byte 0xba                  /* mov edx, imm32 */
    .long \system_call
    .byte 0xff, 0x12            /* call dword [edx] */
    .if \nargs == 0
    ret
    .else
    ret $(4 * \nargs)
    .endif
.endm

#define SERVICE(name, nargs) STUB name, NR_##name, nargs
    .text
#include "services.h"
    STUB VmscopeInvalidService, 0x0fff, 0
    /* Numbers the kernel's table does not have: the first past its end,
     * and NtClose's index in table 1 (win32k's; bit 12). */
    STUB VmscopeServicePastEnd, NT_SERVICE_LIMIT, 0
    STUB VmscopeWin32kService, (0x1000|NR_NtClose), 1
    /* The int 0x2e form (through IntSystemCall, below). */
    STUB NtOpenFileInt2e, NR_NtOpenFile, 6, IntSystemCall
    STUB NtReadFileInt2e, NR_NtReadFile, 9, IntSystemCall
    STUB NtCloseInt2e, NR_NtClose, 1, IntSystemCall

    .globl KiFastSystemCall
    .globl KiFastSystemCallRet
    .p2align 4
KiFastSystemCall:
    .byte 0x8b, 0xd4            /* mov edx, esp */
    sysenter
KiFastSystemCallRet:
    ret

    .globl KiIntSystemCall
    .p2align 4
KiIntSystemCall:
    .byte 0x8d, 0x54, 0x24, 0x08 /* lea edx, [esp+8] */
    int $0x2e
    ret

    /* What SharedUserData->SystemCall holds on a CPU without sysenter. */
    .section .rodata
    .p2align 2
IntSystemCall:
    .long KiIntSystemCall
    .text

    .globl RtlUserThreadStart
    .type RtlUserThreadStart, @function
    .p2align 4
RtlUserThreadStart:
    push %ebx
    call *%eax
    push %eax
    push $-2
    call NtTerminateThread
    ud2

    .section .note.GNU-stack, "", @progbits
