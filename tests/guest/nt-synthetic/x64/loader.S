/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The x64 flavour's 32-bit multiboot (v1) loader: QEMU's -kernel loads
 * this ELF32 with the 64-bit kernel image (kernel64.bin) embedded at
 * physical 0x200000. It maps RAM twice (identity, and at 0xfffff80000000000
 * where the kernel is linked), turns on PAE, EFER.LME/SCE/NXE and paging,
 * and jumps to the kernel's first byte in the upper half.
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x0
#define KBASE_PML4_INDEX 496 /* 0xfffff80000000000 >> 39 & 511 */

    .section .multiboot, "a"
    .p2align 2
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .section .text
    .code32
    .globl _start
_start:
    cli
    mov $stack_top, %esp
    mov %ebx, %edi /* multiboot information */
    /* Long mode? cpuid 0x80000001 edx bit 29. */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    bt $29, %edx
    jnc no_long_mode

    /* PD: 512 x 2 MiB = the first GiB, used by both PML4 slots. */
    mov $pd, %ebx
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax /* present, writable, 2 MiB */
    mov %eax, (%ebx, %ecx, 8)
    movl $0, 4(%ebx, %ecx, 8)
    inc %ecx
    cmp $512, %ecx
    jne 1b
    mov $pd, %eax
    or $0x3, %eax
    mov %eax, pdpt
    mov $pdpt, %eax
    or $0x3, %eax
    mov %eax, pml4
    mov %eax, pml4 + 8 * KBASE_PML4_INDEX

    mov %cr4, %eax
    or $((1 << 5) | (1 << 9) | (1 << 10)), %eax /* PAE, OSFXSR, OSXMMEXCPT */
    mov %eax, %cr4
    mov $pml4, %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx
    rdmsr
    or $((1 << 0) | (1 << 8) | (1 << 11)), %eax /* SCE, LME, NXE */
    wrmsr
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16) | (1 << 1)), %eax /* PG, WP, MP */
    and $~(1 << 2), %eax /* EM */
    mov %eax, %cr0
    lgdt gdt_pointer
    ljmp $0x10, $long_mode

    .code64
long_mode:
    mov $0x18, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    movabs $0xfffff80000200000, %rax /* the kernel's first byte */
    jmp *%rax

    .code32
no_long_mode:
    mov $message, %esi
1:  lodsb
    test %al, %al
    jz 2f
    mov $0x3f8, %dx
    out %al, %dx
    jmp 1b
2:  mov $0x11, %eax
    mov $0xf4, %dx
    out %eax, %dx
    hlt
    jmp 2b

    .section .rodata
message:
    .asciz "nt: this CPU has no long mode\nVMSCOPE-NT-DONE rc=255\n"
    .p2align 3
gdt:
    .quad 0
    .quad 0
    .quad 0x00209a0000000000 /* 0x10: 64-bit kernel code */
    .quad 0x00cf92000000ffff /* 0x18: kernel data */
gdt_pointer:
    .word gdt_pointer - gdt - 1
    .long gdt

    .section .bss
    .p2align 12
pml4: .skip 4096
pdpt: .skip 4096
pd: .skip 4096
    .skip 4096
stack_top:

    .section .blob, "a"
    .incbin KERNEL_BLOB

    .section .note.GNU-stack, "", @progbits
