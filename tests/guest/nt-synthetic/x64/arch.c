/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The x64 architecture layer of the synthetic NT-ABI guest: NT's GDT
 * selectors, the TSS, the syscall MSRs, 4-level page tables, and the
 * per-thread state a switch changes (cr3, the kernel stack, and the user
 * gs base = the TEB, kept in KERNEL_GS_BASE while in the kernel, as NT's
 * KiSwapContext does; for a WOW64 thread also the fs base = its TEB32,
 * in FS_BASE and in the 0x53 descriptor).
 */
#include "arch.h"

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_FMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

#define PTE_P 1UL
#define PTE_W 2UL
#define PTE_U 4UL
#define PTE_ADDR 0x000ffffffffff000UL
#define KBASE_PML4_INDEX 496

extern char KiSystemCall64[], thread_first_run[], trap_table[];

/* NT's selectors: 0x10 kernel code, 0x18 kernel data, 0x23 user 32-bit
 * code, 0x2b user data, 0x33 user 64-bit code, 0x40 TSS, 0x53 user fs
 * of 32-bit code (the WOW64 TEB). */
static u64 gdt[12] __attribute__((aligned(16))) = {
    0,
    0,
    0x00209b0000000000UL, /* 0x10 */
    0x00cf93000000ffffUL, /* 0x18 */
    0x00cffb000000ffffUL, /* 0x20 */
    0x00cff3000000ffffUL, /* 0x28 */
    0x0020fb0000000000UL, /* 0x30 */
    0,
    0, /* 0x40: TSS, two slots */
    0,
    0x00cff3000000ffffUL, /* 0x50 */
    0,
};

static struct {
    u32 reserved0;
    u64 rsp0, rsp1, rsp2, reserved1, ist[7], reserved2;
    u16 reserved3, iomap;
} __attribute__((packed, aligned(16))) tss;

static u64 idt[256 * 2] __attribute__((aligned(16)));
/* The per-CPU area at gs in the kernel (KPCR-like): 0x10 user rsp, 0x18
 * self, 0x1a8 kernel stack top. */
static u64 kpcr[64] __attribute__((aligned(64)));
static u64 kernel_pml4e;

static inline void wrmsr(u32 msr, u64 v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static inline u64 rdmsr(u32 msr)
{
    u32 lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (u64)hi << 32 | lo;
}

void arch_outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }

u8 arch_inb(u16 port)
{
    u8 v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

void arch_exit_qemu(int ok)
{
    /* isa-debug-exit at 0xf4: QEMU exits with (value << 1) | 1, so 0x10
     * gives 33 (success) and 0x11 gives 35 (failure). */
    u32 v = ok ? 0x10 : 0x11;
    __asm__ volatile("outl %0, $0xf4" : : "a"(v));
    for (;;)
        __asm__ volatile("cli; hlt");
}

struct trap_frame {
    u64 vector, error, rip, cs, rflags, rsp, ss;
};

void fatal_trap(struct trap_frame *f)
{
    u64 cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    panic("exception %lu error 0x%lx at rip %p cs 0x%lx rsp %p cr2 %p", (unsigned long)f->vector,
          (unsigned long)f->error, (void *)f->rip, (unsigned long)f->cs, (void *)f->rsp, (void *)cr2);
}

void arch_init(void)
{
    u64 base = (u64)&tss, limit = sizeof tss - 1;
    tss.iomap = sizeof tss;
    gdt[8] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89UL << 40 | ((limit >> 16) & 0xf) << 48 |
             ((base >> 24) & 0xff) << 56;
    gdt[9] = base >> 32;
    struct {
        u16 limit;
        u64 base;
    } __attribute__((packed)) gp = {sizeof gdt - 1, (u64)gdt}, ip = {sizeof idt - 1, (u64)idt};
    __asm__ volatile("lgdt %0" : : "m"(gp));
    __asm__ volatile("pushq $0x10\n\t"
                     "movabs $1f, %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "mov $0x18, %%eax\n\t"
                     "mov %%eax, %%ss\n\t"
                     "mov $0x2b, %%eax\n\t"
                     "mov %%eax, %%ds\n\t"
                     "mov %%eax, %%es\n\t"
                     "mov %%eax, %%gs\n\t"
                     "mov $0x53, %%eax\n\t"
                     "mov %%eax, %%fs\n\t"
                     "mov $0x40, %%eax\n\t"
                     "ltr %%ax"
                     :
                     :
                     : "rax", "memory");
    u64 *traps = (u64 *)trap_table;
    for (int v = 0; v < 20; v++) {
        u64 h = traps[v];
        idt[2 * v] = (h & 0xffff) | 0x10UL << 16 | 0x8eUL << 40 | ((h >> 16) & 0xffff) << 48;
        idt[2 * v + 1] = h >> 32;
    }
    __asm__ volatile("lidt %0" : : "m"(ip));
    /* No interrupts: mask both PICs (user mode runs with IF set). */
    arch_outb(0x21, 0xff);
    arch_outb(0xa1, 0xff);
    /* syscall: STAR as NT sets it (sysret to 0x33/0x2b, syscall to
     * 0x10/0x18), LSTAR = KiSystemCall64, FMASK clears TF IF DF NT. */
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1 | 1 << 11);
    wrmsr(MSR_STAR, 0x23UL << 48 | 0x10UL << 32);
    wrmsr(MSR_LSTAR, (u64)KiSystemCall64);
    wrmsr(MSR_CSTAR, 0);
    wrmsr(MSR_FMASK, 0x4700);
    kpcr[3] = (u64)kpcr;
    wrmsr(MSR_GS_BASE, (u64)kpcr);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
    u64 cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    kernel_pml4e = ((u64 *)P2V(cr3 & PTE_ADDR))[KBASE_PML4_INDEX];
}

uptr arch_new_space(void)
{
    uptr pa = palloc();
    ((u64 *)P2V(pa))[KBASE_PML4_INDEX] = kernel_pml4e;
    return pa;
}

static u64 *walk(uptr space, uptr va, int create)
{
    u64 *t = P2V(space);
    for (int level = 3; level >= 1; level--) {
        u64 *e = &t[(va >> (12 + 9 * level)) & 511];
        if (!(*e & PTE_P)) {
            if (!create)
                return 0;
            *e = palloc() | PTE_P | PTE_W | PTE_U;
        }
        t = P2V(*e & PTE_ADDR);
    }
    return &t[(va >> 12) & 511];
}

static inline void invlpg(uptr va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }

void arch_map(uptr space, uptr va, uptr pa, int writable)
{
    *walk(space, va, 1) = pa | PTE_P | PTE_U | (writable ? PTE_W : 0);
    invlpg(va);
}

uptr arch_lookup(uptr space, uptr va)
{
    u64 *e = walk(space, va, 0);
    return e && (*e & PTE_P) ? *e & PTE_ADDR : 0;
}

uptr arch_unmap(uptr space, uptr va)
{
    u64 *e = walk(space, va, 0);
    if (!e || !(*e & PTE_P))
        return 0;
    uptr pa = *e & PTE_ADDR;
    *e = 0;
    invlpg(va);
    return pa;
}

void arch_protect(uptr space, uptr va, int writable)
{
    u64 *e = walk(space, va, 0);
    if (e && (*e & PTE_P)) {
        *e = writable ? *e | PTE_W : *e & ~PTE_W;
        invlpg(va);
    }
}

int arch_user_page_ok(uptr space, uptr va, int write)
{
    u64 *e = walk(space, va, 0);
    return e && (*e & (PTE_P | PTE_U)) == (PTE_P | PTE_U) && (!write || (*e & PTE_W));
}

void arch_activate(struct user_start *thread, uptr space, uptr teb, uptr teb32, uptr kstack_top, int new_space)
{
    (void)thread;
    if (new_space)
        __asm__ volatile("mov %0, %%cr3" : : "r"(space) : "memory");
    kpcr[0x1a8 / 8] = kstack_top;
    tss.rsp0 = kstack_top;
    /* In the kernel the user gs base waits in KERNEL_GS_BASE for swapgs. */
    wrmsr(MSR_KERNEL_GS_BASE, teb);
    /* The fs base: a WOW64 thread's TEB32, else 0. The kernel never loads
     * fs after boot, so the value set here is the one user mode sees; the
     * 0x53 descriptor says the same for 32-bit code that reloads fs. */
    gdt[10] = (gdt[10] & 0x00ffff000000ffffUL) | (teb32 & 0xffffffUL) << 16 | ((teb32 >> 24) & 0xff) << 56;
    wrmsr(MSR_FS_BASE, teb32);
}

uptr arch_initial_kstack(struct user_start *thread, uptr top)
{
    u64 *sp = (u64 *)top;
    *--sp = (u64)thread_first_run;
    *--sp = 0;            /* rbp */
    *--sp = (u64)thread;  /* rbx */
    *--sp = 0;            /* r12 */
    *--sp = 0;            /* r13 */
    *--sp = 0;            /* r14 */
    *--sp = 0;            /* r15 */
    return (uptr)sp;
}

struct syscall_frame {
    u64 rax, r10, rdx, r8, r9, rdi, rsi, r11, rcx, rsp;
};

u64 nt_syscall64(struct syscall_frame *f)
{
    uptr regs[4] = {f->r10, f->rdx, f->r8, f->r9};
    check_user_returns(f->rsp, 1);
    /* Arguments 5 and up: above the return address and the 0x20 bytes of
     * home space. */
    return (u32)nt_dispatch((ULONG)f->rax, regs, 4, f->rsp + 0x28, VIA_SYSCALL);
}
