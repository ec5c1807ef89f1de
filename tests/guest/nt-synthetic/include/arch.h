/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * arch.h: what the synthetic NT-ABI guest's common kernel (common/kernel.c)
 * needs from an architecture (x64/, x86/), and what it gives back.
 */
#ifndef ARCH_H
#define ARCH_H
#include "nt.h"

typedef unsigned long uptr; /* 64 bits on x64 (LP64), 32 on x86 */
typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

#ifdef __x86_64__
#define KBASE 0xfffff80000000000UL   /* all of RAM is mapped here */
#define USER_LIMIT 0x00007fffffff0000UL /* MmUserProbeAddress */
#define ARCH_NAME "x64"
#else
#define KBASE 0x80000000UL
#define USER_LIMIT 0x7fff0000UL
#define ARCH_NAME "x86"
#endif
#define PAGE 4096UL
#define P2V(pa) ((void *)((uptr)(pa) + KBASE))
#define V2P(va) ((uptr)(va)-KBASE)

/* The start of a thread's first trip to user mode; the first member of
 * struct thread, read by the architecture's assembly. */
struct user_start {
    uptr pc;      /* RtlUserThreadStart */
    uptr sp;      /* the user stack */
    uptr param;   /* the start routine's argument */
    uptr routine; /* the start routine */
};

/* Provided by the architecture. */
void arch_init(void);
uptr arch_new_space(void);                              /* a top-level table with the kernel half */
void arch_map(uptr space, uptr va, uptr pa, int writable); /* a user page */
uptr arch_unmap(uptr space, uptr va);                   /* returns the physical page or 0 */
uptr arch_lookup(uptr space, uptr va);                  /* the physical page or 0 */
void arch_protect(uptr space, uptr va, int writable);
int arch_user_page_ok(uptr space, uptr va, int write);  /* mapped for user (and writable) */
/* `teb` is the user thread pointer (x64 gs, x86 fs); `teb32` the 32-bit TEB
 * of a WOW64 thread on x64 (its fs base), else 0. */
void arch_activate(struct user_start *thread, uptr space, uptr teb, uptr teb32, uptr kstack_top, int new_space);
void arch_switch(uptr *save_sp, uptr new_sp);           /* assembly */
uptr arch_initial_kstack(struct user_start *thread, uptr kstack_top);
void arch_start_first(uptr ksp) __attribute__((noreturn));
void arch_exit_qemu(int ok) __attribute__((noreturn));
void arch_outb(u16 port, u8 value);
u8 arch_inb(u16 port);

/* Provided by the common kernel. */
void kmain(void);
uptr palloc(void); /* a zeroed physical page */
/* How a call entered the kernel. */
enum { VIA_SYSCALL, VIA_SYSENTER, VIA_INT2E };
/* The system service dispatcher: `nr` from eax, `regs` the register
 * arguments (x64: r10 rdx r8 r9; x86: none), `stack` the user address of
 * the first stacked argument. Returns the NTSTATUS. */
NTSTATUS nt_dispatch(ULONG nr, const uptr *regs, int nregs, uptr stack, int via);
void check_user_returns(uptr sp, int depth);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);

/* Linker symbols of the user image ("the exe and ntdll"): its addresses in
 * user space and where its bytes are in the kernel image. */
extern char __user_start[], __user_end[], __user_image[];
/* User-space entry points in the image. */
extern char RtlUserThreadStart[], parent_main[], child_main[];
#ifdef __x86_64__
/* The 64-bit start of a WOW64 thread (x64/wow64.S). */
extern char wow64_start[];
#else
extern char KiFastSystemCall[], KiFastSystemCallRet[];
#endif

#endif
