/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The x86 architecture layer of the synthetic NT-ABI guest: NT's GDT
 * selectors (0x08 kernel code, 0x10 kernel data, 0x1b user code, 0x23
 * user data, 0x28 TSS, 0x30 KPCR fs, 0x3b TEB fs), the sysenter MSRs and
 * the int 0x2e gate,
 * two-level page tables (4 KiB user pages, 4 MiB kernel pages), and the
 * per-thread state a switch changes: cr3, the kernel stack (TSS esp0 and
 * SYSENTER_ESP), and the base of the 0x3b descriptor = the TEB, rewritten
 * in the GDT as NT's KiSwapContext does (fs is reloaded on the way out).
 */
#include "arch.h"

#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176

#define PTE_P 1UL
#define PTE_W 2UL
#define PTE_U 4UL
#define PTE_ADDR 0xfffff000UL

extern char KiFastCallEntry[], KiSystemService[], thread_first_run[], trap_table[];
extern u32 boot_pd[1024];

/* The return address sysexit uses, read by KiFastCallEntry:
 * KiFastSystemCallRet (SharedUserData->SystemCallReturn). */
u32 user_return_pc;

static u64 gdt[10] __attribute__((aligned(16))) = {
    0,
    0x00cf9b000000ffffULL, /* 0x08 kernel code */
    0x00cf93000000ffffULL, /* 0x10 kernel data */
    0x00cffb000000ffffULL, /* 0x18 user code (0x1b) */
    0x00cff3000000ffffULL, /* 0x20 user data (0x23) */
    0,                     /* 0x28 TSS */
    0,                     /* 0x30 KPCR (fs in the kernel) */
    0,                     /* 0x38 TEB (fs in user mode, 0x3b) */
    0,
    0,
};

static struct {
    u32 link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    u32 es, cs, ss, ds, fs, gs, ldt;
    u16 trap, iomap;
} __attribute__((packed, aligned(16))) tss;

static u64 idt[256] __attribute__((aligned(16)));
static u32 kpcr[1024] __attribute__((aligned(4096)));

static u64 descriptor(u32 base, u32 limit, u32 access, u32 flags)
{
    return (limit & 0xffff) | (u64)(base & 0xffffff) << 16 | (u64)access << 40 | (u64)((limit >> 16) & 0xf) << 48 |
           (u64)flags << 52 | (u64)(base >> 24) << 56;
}

static inline void wrmsr(u32 msr, u64 v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
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
    /* isa-debug-exit at 0xf4: QEMU exits with (value << 1) | 1. */
    u32 v = ok ? 0x10 : 0x11;
    __asm__ volatile("outl %0, $0xf4" : : "a"(v));
    for (;;)
        __asm__ volatile("cli; hlt");
}

struct trap_frame {
    u32 vector, error, eip, cs, eflags, esp, ss;
};

void fatal_trap(struct trap_frame *f)
{
    u32 cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    panic("exception %u error 0x%x at eip 0x%x cs 0x%x cr2 0x%x", f->vector, f->error, f->eip, f->cs, cr2);
}

void arch_init(void)
{
    tss.ss0 = 0x10;
    tss.iomap = sizeof tss;
    gdt[5] = descriptor((u32)&tss, sizeof tss - 1, 0x89, 0x0);
    kpcr[0x1c / 4] = (u32)kpcr; /* SelfPcr */
    gdt[6] = descriptor((u32)kpcr, 0xfff, 0x93, 0x4);
    gdt[7] = descriptor(0, 0xfff, 0xf3, 0x4);
    struct {
        u16 limit;
        u32 base;
    } __attribute__((packed)) gp = {sizeof gdt - 1, (u32)gdt}, ip = {sizeof idt - 1, (u32)idt};
    __asm__ volatile("lgdt %0" : : "m"(gp));
    __asm__ volatile("ljmp $0x08, $1f\n"
                     "1:\n\t"
                     "mov $0x10, %%eax\n\t"
                     "mov %%eax, %%ss\n\t"
                     "mov $0x23, %%eax\n\t"
                     "mov %%eax, %%ds\n\t"
                     "mov %%eax, %%es\n\t"
                     "xor %%eax, %%eax\n\t"
                     "mov %%eax, %%gs\n\t"
                     "mov $0x30, %%eax\n\t"
                     "mov %%eax, %%fs\n\t"
                     "mov $0x28, %%eax\n\t"
                     "ltr %%ax"
                     :
                     :
                     : "eax", "memory");
    u32 *traps = (u32 *)trap_table;
    for (int v = 0; v < 20; v++)
        idt[v] = (traps[v] & 0xffff) | 0x08ULL << 16 | 0x8eULL << 40 | (u64)(traps[v] >> 16) << 48;
    /* int 0x2e: a 32-bit interrupt gate user mode may use (DPL 3), as
     * NT's KiSystemService. */
    u32 kss = (u32)KiSystemService;
    idt[0x2e] = (kss & 0xffff) | 0x08ULL << 16 | 0xeeULL << 40 | (u64)(kss >> 16) << 48;
    __asm__ volatile("lidt %0" : : "m"(ip));
    arch_outb(0x21, 0xff);
    arch_outb(0xa1, 0xff);
    wrmsr(MSR_SYSENTER_CS, 0x08);
    wrmsr(MSR_SYSENTER_EIP, (u32)KiFastCallEntry);
    user_return_pc = (u32)KiFastSystemCallRet;
}

uptr arch_new_space(void)
{
    uptr pa = palloc();
    u32 *pd = P2V(pa);
    for (int i = 512; i < 1024; i++)
        pd[i] = boot_pd[i];
    return pa;
}

static u32 *walk(uptr space, uptr va, int create)
{
    u32 *pd = P2V(space);
    u32 *e = &pd[va >> 22];
    if (!(*e & PTE_P)) {
        if (!create)
            return 0;
        *e = palloc() | PTE_P | PTE_W | PTE_U;
    }
    u32 *pt = P2V(*e & PTE_ADDR);
    return &pt[(va >> 12) & 1023];
}

static inline void invlpg(uptr va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }

void arch_map(uptr space, uptr va, uptr pa, int writable)
{
    *walk(space, va, 1) = pa | PTE_P | PTE_U | (writable ? PTE_W : 0);
    invlpg(va);
}

uptr arch_lookup(uptr space, uptr va)
{
    u32 *e = walk(space, va, 0);
    return e && (*e & PTE_P) ? *e & PTE_ADDR : 0;
}

uptr arch_unmap(uptr space, uptr va)
{
    u32 *e = walk(space, va, 0);
    if (!e || !(*e & PTE_P))
        return 0;
    uptr pa = *e & PTE_ADDR;
    *e = 0;
    invlpg(va);
    return pa;
}

void arch_protect(uptr space, uptr va, int writable)
{
    u32 *e = walk(space, va, 0);
    if (e && (*e & PTE_P)) {
        *e = writable ? *e | PTE_W : *e & ~PTE_W;
        invlpg(va);
    }
}

int arch_user_page_ok(uptr space, uptr va, int write)
{
    u32 *e = walk(space, va, 0);
    return e && (*e & (PTE_P | PTE_U)) == (PTE_P | PTE_U) && (!write || (*e & PTE_W));
}

void arch_activate(struct user_start *thread, uptr space, uptr teb, uptr teb32, uptr kstack_top, int new_space)
{
    (void)thread;
    (void)teb32; /* no WOW64 on x86 */
    if (new_space)
        __asm__ volatile("mov %0, %%cr3" : : "r"(space) : "memory");
    tss.esp0 = kstack_top;
    wrmsr(MSR_SYSENTER_ESP, kstack_top);
    /* The TEB descriptor (0x3b): user fs takes it up when reloaded on the
     * way back to user mode. */
    gdt[7] = descriptor(teb, 0xfff, 0xf3, 0x4);
}

uptr arch_initial_kstack(struct user_start *thread, uptr top)
{
    u32 *sp = (u32 *)top;
    *--sp = (u32)thread_first_run;
    *--sp = 0;           /* ebp */
    *--sp = (u32)thread; /* ebx */
    *--sp = 0;           /* esi */
    *--sp = 0;           /* edi */
    return (uptr)sp;
}

u32 nt_syscall32(u32 nr, u32 user_esp)
{
    /* The arguments: above the return into the stub (from call [edx]) and
     * the return into its caller. */
    check_user_returns(user_esp, 2);
    return (u32)nt_dispatch(nr, 0, 0, user_esp + 8, VIA_SYSENTER);
}

u32 nt_syscall32_int2e(u32 nr, u32 args, u32 user_esp)
{
    /* KiIntSystemCall's `lea edx, [esp+8]`: the arguments are above the
     * return into the stub (from call [edx]) and the return into its
     * caller, at the esp of the int. */
    check_user_returns(user_esp, 2);
    if (args != user_esp + 8)
        panic("int 0x2e with edx %p, not the user esp %p + 8", (void *)(uptr)args, (void *)(uptr)user_esp);
    return (u32)nt_dispatch(nr, 0, 0, args, VIA_INT2E);
}
