/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The common kernel of the synthetic NT-ABI guest: objects and handle
 * tables, a tiny file system and registry, processes, threads and a
 * cooperative scheduler, virtual memory and sections, and the NT system
 * services the user program calls. Not Windows: it only follows NT's
 * calling conventions, service numbers, structure layouts and, above all,
 * the way NT's kernel reads and writes user memory during a call, so that
 * a recording of it looks to vmscope like a recording of Windows.
 *
 * User memory is touched only by the functions in "user memory" below,
 * through a pointer in a register, while the call is in flight: the
 * recorder sees exactly those bytes. Pointers are validated first (range
 * below USER_LIMIT and page mapped); a bad one gives
 * STATUS_ACCESS_VIOLATION without being touched. Where NT probes only the
 * range and then copies under SEH (a UNICODE_STRING's buffer, NtWriteFile's
 * buffer), the copy goes page by page and stops at the first unmapped
 * page, where NT's would fault: the bytes before it are read, and the
 * kernel itself never faults.
 */
#include <stdarg.h>

#include "arch.h"
#include "nt.h"
#ifdef __x86_64__
#include "nt_numbers_x64.h"
#else
#include "nt_numbers_x86.h"
#endif

#define MAX_PROCS 4
#define MAX_THREADS 8
#define MAX_OBJECTS 96
#define MAX_HANDLES 64
#define MAX_VADS 16
#define MAX_FILES 16
#define MAX_KEYS 16
#define MAX_VALUES 4
#define FILE_CAPACITY 1024
#define SECTION_PAGES 16
#define KSTACK_SIZE 16384
#define NAME_MAX 160

/* User address space layout (the same in every process). */
#define USER_STACK_BASE 0x10000000UL /* slot k: + k * 0x100000, 64 KiB */
#define USER_STACK_SIZE 0x10000UL
#define USER_ALLOC_BASE 0x01000000UL /* NtAllocateVirtualMemory, views */
#define ALLOC_GRANULARITY 0x10000UL
#define PEB_ADDRESS 0x7ffdf000UL
#define TEB_TOP 0x7ffdf000UL /* slot k: TEB_TOP - (k + 1) * TEB_SIZE */
/* A WOW64 process (x64): its PEB32 below the PEB, then its threads' TEB
 * pairs (TEB64 two pages, TEB32 one page), and a 32-bit stack beside
 * each thread's 64-bit one. */
#define PEB32_ADDRESS 0x7ffde000UL
#define WOW64_TEB_TOP 0x7ffde000UL /* slot k: - (k + 1) * WOW64_TEB_SIZE */
#define WOW64_TEB_SIZE 0x3000UL
#define USER_STACK32_OFFSET 0x80000UL

#define STATUS_PENDING ((NTSTATUS)0x00000103)
#define STATUS_OBJECT_PATH_SYNTAX_BAD ((NTSTATUS)0xC000003B)
#define STATUS_NOT_A_DIRECTORY ((NTSTATUS)0xC0000103)
#define STATUS_DISK_FULL ((NTSTATUS)0xC000007F)
#define STATUS_INVALID_IMAGE_FORMAT ((NTSTATUS)0xC000007B)
#define STATUS_CANNOT_DELETE ((NTSTATUS)0xC0000121)
#define STATUS_FREE_VM_NOT_AT_BASE ((NTSTATUS)0xC000009F)
#define STATUS_INVALID_PAGE_PROTECTION ((NTSTATUS)0xC0000045)

#define GENERIC_READ 0x80000000u
#define GENERIC_WRITE 0x40000000u
#define GENERIC_EXECUTE 0x20000000u
#define GENERIC_ALL 0x10000000u
#define PROCESS_QUERY_INFORMATION 0x0400
#define PROCESS_DUP_HANDLE 0x0040
#define PROCESS_VM_OPERATION 0x0008
#define PROCESS_CREATE_THREAD 0x0002
#define PROCESS_TERMINATE 0x0001
#define THREAD_TERMINATE 0x0001
#define SECTION_MAP_WRITE 0x0002
#define SECTION_MAP_READ 0x0004
#define DELETE_ACCESS DELETE
#define EVENT_MODIFY_STATE 0x0002

/* The clock: there is none. System time starts at 2024-01-01 00:00:00 UTC
 * (a FILETIME) and advances 1 ms with every system call; the performance
 * counter counts the same milliseconds at its frequency. Deterministic,
 * so two recordings of a run are alike. */
#define SYSTEM_TIME_BASE 0x01da3c457689c000ULL
#define INSTALL_TIME (SYSTEM_TIME_BASE - 864000000000ULL) /* a day before: the files the system came with */
#ifdef __x86_64__
#define PERF_FREQUENCY 10000000u /* Windows 10: 10 MHz */
#else
#define PERF_FREQUENCY 3579545u  /* Windows 7: the ACPI PM timer */
#endif
static u64 service_count;
static u64 system_time(void) { return SYSTEM_TIME_BASE + service_count * 10000ULL; }

/* ------------------------------------------------------------------ */
/* Library                                                              */

void *memset(void *d, int c, unsigned long n)
{
    void *r = d;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return r;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
    void *r = d;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    return r;
}

static int kstrlen(const char *s)
{
    int n = 0;
    while (s[n])
        n++;
    return n;
}

static char lower(char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* Case-insensitive equality, like OBJ_CASE_INSENSITIVE lookups. */
static int name_eq(const char *a, const char *b)
{
    while (*a && lower(*a) == lower(*b))
        a++, b++;
    return lower(*a) == lower(*b);
}

static int starts_with(const char *s, const char *prefix)
{
    while (*prefix)
        if (lower(*s++) != lower(*prefix++))
            return 0;
    return 1;
}

static void kstrcpy(char *d, const char *s, int max)
{
    int i = 0;
    for (; s[i] && i < max - 1; i++)
        d[i] = s[i];
    d[i] = 0;
}

static void kstrcat(char *d, const char *s, int max)
{
    int n = kstrlen(d);
    kstrcpy(d + n, s, max - n);
}

/* A small vsnprintf: %s %c %d %u %x %lx %llx %p, width and 0 flag. */
static int kvsnprintf(char *buf, int size, const char *fmt, va_list ap)
{
    int n = 0;
#define EMIT(c)                                                                                    \
    do {                                                                                           \
        if (n < size - 1)                                                                          \
            buf[n] = (c);                                                                          \
        n++;                                                                                       \
    } while (0)
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            EMIT(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, longs = 0;
        if (*fmt == '0')
            pad = '0', fmt++;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l')
            longs++, fmt++;
        unsigned long long v;
        char tmp[24];
        int t = 0, neg = 0;
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int len = kstrlen(s);
            for (; len < width; width--)
                EMIT(' ');
            while (*s)
                EMIT(*s++);
            continue;
        }
        case 'c':
            EMIT((char)va_arg(ap, int));
            continue;
        case 'p':
            v = (uptr)va_arg(ap, void *);
            EMIT('0');
            EMIT('x');
            goto hex;
        case 'd': {
            long long s = longs >= 2 ? va_arg(ap, long long) : longs ? va_arg(ap, long) : va_arg(ap, int);
            if (s < 0)
                neg = 1, s = -s;
            v = (unsigned long long)s;
            goto dec;
        }
        case 'u':
            v = longs >= 2 ? va_arg(ap, unsigned long long)
                : longs  ? va_arg(ap, unsigned long)
                         : va_arg(ap, unsigned int);
        dec:
            do
                tmp[t++] = '0' + v % 10;
            while (v /= 10);
            if (neg)
                tmp[t++] = '-';
            goto out;
        case 'x':
            v = longs >= 2 ? va_arg(ap, unsigned long long)
                : longs  ? va_arg(ap, unsigned long)
                         : va_arg(ap, unsigned int);
        hex:
            do
                tmp[t++] = "0123456789abcdef"[v & 15];
            while (v >>= 4);
        out:
            for (; t < width; width--)
                EMIT(pad);
            while (t)
                EMIT(tmp[--t]);
            continue;
        default:
            EMIT('%');
            EMIT(*fmt);
            continue;
        }
    }
    if (size > 0)
        buf[n < size ? n : size - 1] = 0;
    return n;
#undef EMIT
}

static int ksnprintf(char *buf, int size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

#define COM1 0x3f8
static void serial_putc(char c)
{
    for (int i = 0; i < 100000 && !(arch_inb(COM1 + 5) & 0x20); i++)
        ;
    arch_outb(COM1, (u8)c);
}

static void kputs(const char *s)
{
    while (*s)
        serial_putc(*s++);
}

void kprintf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    kputs(buf);
}

void panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    kprintf("nt: panic: %s\nVMSCOPE-NT-DONE rc=255\n", buf);
    arch_exit_qemu(0);
}

/* ------------------------------------------------------------------ */
/* Physical pages: a bump allocator over 16..60 MiB.                    */

static uptr phys_next = 16UL << 20;
#define PHYS_END (60UL << 20)

uptr palloc(void)
{
    if (phys_next >= PHYS_END)
        panic("out of physical memory");
    uptr pa = phys_next;
    phys_next += PAGE;
    memset(P2V(pa), 0, PAGE);
    return pa;
}

/* ------------------------------------------------------------------ */
/* Objects                                                              */

enum { OT_FILE = 1, OT_KEY, OT_PROCESS, OT_THREAD, OT_SECTION, OT_EVENT, OT_DIRECTORY };
static const char *const type_names[] = {"?", "File", "Key", "Process", "Thread", "Section", "Event", "Directory"};

struct fnode {
    int used, dir, delete_pending, opens;
    int device; /* a disk (\Device\Harddisk0\DR0), not a file on the volume */
    char path[NAME_MAX];
    u64 created, written; /* FILETIMEs */
    u32 size;
    u8 data[FILE_CAPACITY];
};

struct rvalue {
    int used;
    char name[40];
    ULONG type, len;
    u8 data[96];
};

struct rkey {
    int used, deleted;
    char path[NAME_MAX];
    struct rvalue values[MAX_VALUES];
};

struct process;
struct thread;

struct object {
    int type, refs;
    char name[NAME_MAX];
    /* File */
    struct fnode *file;
    u64 pos; /* a directory: the index of the next entry to list */
    ULONG options;
    char pattern[64]; /* a directory: the query's FileName, from its first query */
    int pattern_set;
    /* Key */
    struct rkey *key;
    /* Process, Thread */
    struct process *process;
    struct thread *thread;
    /* Section */
    uptr size;
    uptr pages[SECTION_PAGES];
};

struct handle_entry {
    struct object *object;
    ACCESS_MASK access;
};

struct vad {
    int used;
    uptr base, size;
    ULONG protect;
    struct object *section;
};

struct process {
    int used, exited;
    ULONG pid, parent_pid;
    uptr space, peb;
    int wow64;  /* runs 32-bit code (x64 only) */
    uptr peb32; /* its PEB32, if so */
    char image[NAME_MAX];
    struct handle_entry handles[MAX_HANDLES];
    struct vad vads[MAX_VADS];
    uptr next_va;
    int threads_alive, next_slot;
    NTSTATUS exit_status;
    struct object *object;
};

enum { T_FREE, T_READY, T_RUNNING, T_WAITING, T_DEAD };

struct thread {
    struct user_start start; /* first: read by the arch's assembly */
    uptr ksp, kstack_top;
    int state, slot;
    ULONG tid;
    struct process *process;
    uptr teb;   /* x64: the TEB64 (gs); x86: the TEB (fs) */
    uptr teb32; /* a WOW64 thread's TEB32 (fs on x64), else 0 */
    struct object *object, *waiting_for;
    /* NtWaitForMultipleObjects: the objects, and WaitAll or WaitAny. */
    struct object *wait_objects[MAXIMUM_WAIT_OBJECTS];
    int wait_count, wait_all;
    NTSTATUS exit_status;
    char detail[320];
};

static struct object objects[MAX_OBJECTS];
static struct fnode files[MAX_FILES];
static struct rkey keys[MAX_KEYS];
static struct process processes[MAX_PROCS];
static struct thread threads[MAX_THREADS];
static u8 kstacks[MAX_THREADS][KSTACK_SIZE] __attribute__((aligned(16)));
static struct thread *current;
static ULONG next_cid = 0x1b0;
static uptr shared_user_data_pa;
static struct process *initial_process;

static struct object *object_new(int type, const char *name)
{
    for (int i = 0; i < MAX_OBJECTS; i++)
        if (!objects[i].type) {
            struct object *o = &objects[i];
            memset(o, 0, sizeof *o);
            o->type = type;
            kstrcpy(o->name, name ? name : "", NAME_MAX);
            return o;
        }
    return 0;
}

static void fnode_release(struct fnode *f)
{
    if (--f->opens == 0 && f->delete_pending) {
        kprintf("nt: file %s deleted\n", f->path);
        f->used = 0;
    }
}

static void object_release(struct object *o)
{
    if (--o->refs > 0)
        return;
    if (o->type == OT_FILE)
        fnode_release(o->file);
    if (o->type == OT_PROCESS || o->type == OT_THREAD)
        return; /* kept for the life of the system */
    o->type = 0;
}

/* Handles: multiples of 4, the lowest free one, as an index into the
 * process's table. */
static uptr handle_insert(struct process *p, struct object *o, ACCESS_MASK access)
{
    for (int i = 0; i < MAX_HANDLES; i++)
        if (!p->handles[i].object) {
            p->handles[i].object = o;
            p->handles[i].access = access;
            o->refs++;
            return (uptr)(i + 1) * 4;
        }
    return 0;
}

static struct handle_entry *handle_entry(struct process *p, uptr h)
{
    uptr i = (h >> 2) - 1; /* the low two bits are tag bits */
    if (h < 4 || i >= MAX_HANDLES || !p->handles[i].object)
        return 0;
    return &p->handles[i];
}

/* A handle's object, checked for type (0 = any) and access. */
static NTSTATUS reference(uptr h, int type, ACCESS_MASK want, struct object **out)
{
    struct object *o;
    ACCESS_MASK granted;
    if (h == (uptr)-1) {
        o = current->process->object, granted = PROCESS_ALL_ACCESS;
    } else if (h == (uptr)-2) {
        o = current->object, granted = THREAD_ALL_ACCESS;
    } else {
        struct handle_entry *e = handle_entry(current->process, h);
        if (!e)
            return STATUS_INVALID_HANDLE;
        o = e->object, granted = e->access;
    }
    if (type && o->type != type)
        return STATUS_OBJECT_TYPE_MISMATCH;
    if (want & ~granted)
        return STATUS_ACCESS_DENIED;
    *out = o;
    return STATUS_SUCCESS;
}

static NTSTATUS handle_close(struct process *p, uptr h)
{
    struct handle_entry *e = handle_entry(p, h);
    if (!e)
        return STATUS_INVALID_HANDLE;
    struct object *o = e->object;
    e->object = 0;
    object_release(o);
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* User memory: the only code that touches it.                         */

/* ProbeForRead's check: the range lies below the user limit and does not
 * wrap. No page is looked at. */
static int user_range_below_limit(uptr p, uptr len)
{
    return len == 0 || (p < USER_LIMIT && len <= USER_LIMIT - p);
}

static int user_range_ok(uptr p, uptr len, int write)
{
    if (len == 0)
        return 1;
    if (!user_range_below_limit(p, len))
        return 0;
    for (uptr va = p & ~(PAGE - 1); va < p + len; va += PAGE)
        if (!arch_user_page_ok(current->process->space, va, write))
            return 0;
    return 1;
}

#define PROBE_READ(p, len)                                                                         \
    do {                                                                                           \
        if (!user_range_ok((uptr)(p), (len), 0))                                                   \
            return STATUS_ACCESS_VIOLATION;                                                        \
    } while (0)
#define PROBE_WRITE(p, len)                                                                        \
    do {                                                                                           \
        if (!user_range_ok((uptr)(p), (len), 1))                                                   \
            return STATUS_ACCESS_VIOLATION;                                                        \
    } while (0)

static u16 get16(uptr p) { return *(volatile u16 *)p; }
static u32 get32(uptr p) { return *(volatile u32 *)p; }
static uptr getptr(uptr p) { return *(volatile uptr *)p; }
static u64 get64(uptr p)
{
#ifdef __x86_64__
    return *(volatile u64 *)p;
#else
    u32 lo = *(volatile u32 *)p, hi = *(volatile u32 *)(p + 4);
    return (u64)hi << 32 | lo;
#endif
}
static void put32(uptr p, u32 v) { *(volatile u32 *)p = v; }
static void putptr(uptr p, uptr v) { *(volatile uptr *)p = v; }
static void put64(uptr p, u64 v)
{
#ifdef __x86_64__
    *(volatile u64 *)p = v;
#else
    *(volatile u32 *)p = (u32)v;
    *(volatile u32 *)(p + 4) = (u32)(v >> 32);
#endif
}
/* Bulk copies: rep movsb, like NT's memcpy for small odd sizes. */
static void copy_in(void *dst, uptr user, uptr len) { memcpy(dst, (const void *)user, len); }
static void copy_out(uptr user, const void *src, uptr len) { memcpy((void *)user, src, len); }

/* A copy from user memory as NT makes it under SEH (RtlCopyMemory of a
 * probed range): page by page, stopping where the copy would fault, at
 * the first page that is not mapped. The first `cap` bytes go to `dst`,
 * the rest is read and dropped. Returns how many bytes were read: less
 * than `len` means "faulted" (the caller returns the exception's
 * status). The range must be below the user limit. */
static uptr copy_in_until_fault(void *dst, uptr cap, uptr user, uptr len)
{
    static u8 drop[PAGE];
    uptr done = 0;
    while (done < len) {
        uptr at = user + done;
        uptr chunk = PAGE - (at & (PAGE - 1));
        if (chunk > len - done)
            chunk = len - done;
        if (!arch_user_page_ok(current->process->space, at & ~(PAGE - 1), 0))
            break;
        uptr keep = done < cap ? (cap - done < chunk ? cap - done : chunk) : 0;
        if (keep)
            copy_in((u8 *)dst + done, at, keep);
        if (keep < chunk)
            copy_in(drop, at + keep, chunk - keep);
        done += chunk;
    }
    return done;
}

/* IO_STATUS_BLOCK: Status (a pointer-sized union), then Information. */
static void write_iosb(uptr iosb, NTSTATUS status, uptr information)
{
    putptr(iosb, (uptr)(ULONG)status);
    putptr(iosb + sizeof(uptr), information);
}

/* A captured UNICODE_STRING: its bytes, and an ASCII rendering (the
 * guest's names are ASCII). */
struct name {
    WCHAR w[NAME_MAX];
    USHORT len; /* bytes */
    char a[NAME_MAX];
};

static void detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reads a UNICODE_STRING at `us` and then Length bytes of its buffer,
 * with the checks of NT's ObpCaptureObjectName, in its order:
 * ProbeAndReadUnicodeString (the structure; MaximumLength is read with it
 * and never looked at again), ProbeForRead(Buffer, Length, sizeof(WCHAR))
 * (alignment, then the range: a Buffer in kernel space is
 * STATUS_ACCESS_VIOLATION and is not touched), an odd Length or 0xfffe
 * (no room for a terminator) is STATUS_OBJECT_NAME_INVALID before the
 * buffer is read, then RtlCopyMemory, which reads up to the first page
 * that is not mapped and gives STATUS_ACCESS_VIOLATION there. A name
 * longer than this kernel keeps is read whole, then refused. The
 * kernel's log line says what it saw when it refuses. */
static NTSTATUS capture_unicode(uptr us, struct name *n)
{
    if (!user_range_ok(us, sizeof(UNICODE_STRING), 0)) {
        detail(" UNICODE_STRING %p: not readable", (void *)us);
        return STATUS_ACCESS_VIOLATION;
    }
    USHORT length = get16(us);
    USHORT maximum = get16(us + 2);
    uptr buffer = getptr(us + OFFSETOF(UNICODE_STRING, Buffer));
    const char *bad = 0;
    NTSTATUS status = STATUS_SUCCESS;
    uptr got = 0;
    if (length && (buffer & 1))
        bad = "Buffer misaligned", status = STATUS_DATATYPE_MISALIGNMENT;
    else if (!user_range_below_limit(buffer, length))
        bad = "Buffer not in user space, not read", status = STATUS_ACCESS_VIOLATION;
    else if ((length & 1) || length == 0xfffe)
        bad = "bad Length, Buffer not read", status = STATUS_OBJECT_NAME_INVALID;
    else if ((got = copy_in_until_fault(n->w, sizeof n->w, buffer, length)) < length)
        bad = "Buffer faults", status = STATUS_ACCESS_VIOLATION;
    else if (length >= sizeof n->w)
        bad = "longer than this kernel's names", status = STATUS_OBJECT_NAME_INVALID;
    if (bad) {
        detail(" {Length=%u, MaximumLength=%u, Buffer=%p}: %s", length, maximum, (void *)buffer, bad);
        if (status == STATUS_ACCESS_VIOLATION && got)
            detail(" after %lu bytes", got);
        return status;
    }
    n->len = length;
    int i = 0;
    for (; i < length / 2; i++)
        n->a[i] = n->w[i] < 0x80 ? (char)n->w[i] : '?';
    n->a[i] = 0;
    return STATUS_SUCCESS;
}

struct attributes {
    uptr root;
    ULONG attributes;
    struct name name;
    int has_name;
};

/* OBJECT_ATTRIBUTES: Length (must be the structure's size), then each
 * field, then the name, as ObpCaptureObjectCreateInformation does. */
static NTSTATUS capture_attributes(uptr oa, struct attributes *c)
{
    if (!user_range_ok(oa, sizeof(OBJECT_ATTRIBUTES), 0)) {
        detail(" OBJECT_ATTRIBUTES %p: not readable", (void *)oa);
        return STATUS_ACCESS_VIOLATION;
    }
    if (get32(oa + OFFSETOF(OBJECT_ATTRIBUTES, Length)) != sizeof(OBJECT_ATTRIBUTES))
        return STATUS_INVALID_PARAMETER;
    c->root = getptr(oa + OFFSETOF(OBJECT_ATTRIBUTES, RootDirectory));
    uptr name = getptr(oa + OFFSETOF(OBJECT_ATTRIBUTES, ObjectName));
    c->attributes = get32(oa + OFFSETOF(OBJECT_ATTRIBUTES, Attributes));
    (void)getptr(oa + OFFSETOF(OBJECT_ATTRIBUTES, SecurityDescriptor));
    (void)getptr(oa + OFFSETOF(OBJECT_ATTRIBUTES, SecurityQualityOfService));
    c->has_name = name != 0;
    c->name.len = 0;
    c->name.a[0] = 0;
    if (name)
        return capture_unicode(name, &c->name);
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* The per-call line on the console                                    */

static void detail(const char *fmt, ...)
{
    char *d = current->detail;
    int n = kstrlen(d);
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(d + n, (int)sizeof current->detail - n, fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Scheduler                                                            */

static void all_done(void) __attribute__((noreturn));

static void switch_to(struct thread *next)
{
    struct thread *prev = current;
    if (prev->state == T_RUNNING)
        prev->state = T_READY;
    next->state = T_RUNNING;
    if (next == prev)
        return;
    current = next;
    arch_activate(&next->start, next->process->space, next->teb, next->teb32, next->kstack_top,
                  prev->process != next->process);
    arch_switch(&prev->ksp, next->ksp);
}

/* Runs the next ready thread after the current one, round robin. Returns
 * when the current thread runs again (at once if nothing else is ready
 * and it still can). */
static void schedule(void)
{
    int me = (int)(current - threads);
    for (int i = 1; i <= MAX_THREADS; i++) {
        struct thread *t = &threads[(me + i) % MAX_THREADS];
        if (t->state == T_READY) {
            switch_to(t);
            return;
        }
    }
    if (current->state == T_RUNNING)
        return;
    for (int i = 0; i < MAX_THREADS; i++)
        if (threads[i].state == T_WAITING)
            panic("deadlock: thread 0x%x waits and nothing can run", threads[i].tid);
    all_done();
}

static int signaled(struct object *o)
{
    switch (o->type) {
    case OT_THREAD:
        return o->thread->state == T_DEAD;
    case OT_PROCESS:
        return o->process->exited;
    case OT_FILE:
        return 1;
    default:
        return 0;
    }
}

/* A multiple wait is satisfied: all of its objects are signalled
 * (WaitAll), or one (WaitAny). Gives the index of the first signalled
 * object, or -1. */
static int wait_satisfied(struct thread *t)
{
    int first = -1, all = 1;
    for (int j = 0; j < t->wait_count; j++) {
        if (signaled(t->wait_objects[j])) {
            if (first < 0)
                first = j;
        } else {
            all = 0;
        }
    }
    if (t->wait_all)
        return all ? 0 : -1;
    return first;
}

static void wake(struct object *o)
{
    for (int i = 0; i < MAX_THREADS; i++) {
        struct thread *t = &threads[i];
        if (t->state != T_WAITING)
            continue;
        if (t->waiting_for == o) {
            t->state = T_READY;
            t->waiting_for = 0;
        } else if (t->wait_count && wait_satisfied(t) >= 0) {
            t->state = T_READY;
        }
    }
}

static void process_exit(struct process *p, NTSTATUS status)
{
    p->exited = 1;
    p->exit_status = status;
    for (int i = 0; i < MAX_HANDLES; i++)
        if (p->handles[i].object)
            handle_close(p, (uptr)(i + 1) * 4);
    kprintf("nt: process 0x%x exited with status 0x%08x\n", p->pid, (ULONG)status);
    wake(p->object);
}

/* Ends a thread that is not the current one, or marks the current one
 * dead (the caller then schedules away for good). */
static void thread_end(struct thread *t, NTSTATUS status)
{
    if (t->state == T_DEAD || t->state == T_FREE)
        return;
    t->state = T_DEAD;
    t->exit_status = status;
    wake(t->object);
    struct process *p = t->process;
    if (--p->threads_alive == 0 && !p->exited)
        process_exit(p, status);
}

static void all_done(void)
{
    NTSTATUS rc = initial_process->exit_status;
    kprintf("nt: no thread left\nVMSCOPE-NT-DONE rc=%d\n", (int)rc);
    arch_exit_qemu(rc == 0);
}

/* ------------------------------------------------------------------ */
/* Processes and threads                                                */

static void map_fresh(struct process *p, uptr va, uptr size, int writable)
{
    for (uptr off = 0; off < size; off += PAGE)
        arch_map(p->space, va + off, palloc(), writable);
}

/* A kernel-side pointer to user memory of `p` (through the physical
 * mapping, so it is not a touch of user memory by a call). */
static void *user_kva(struct process *p, uptr va)
{
    uptr pa = arch_lookup(p->space, va & ~(PAGE - 1));
    if (!pa)
        panic("no page at %p", (void *)va);
    return (u8 *)P2V(pa) + (va & (PAGE - 1));
}

static struct thread *thread_create(struct process *p, uptr routine, uptr param)
{
    struct thread *t = 0;
    for (int i = 0; i < MAX_THREADS; i++)
        if (threads[i].state == T_FREE) {
            t = &threads[i];
            break;
        }
    if (!t || p->next_slot >= 4)
        return 0;
    int index = (int)(t - threads);
    memset(t, 0, sizeof *t);
    t->process = p;
    t->slot = p->next_slot++;
    t->tid = next_cid;
    next_cid += 4;
    t->kstack_top = (uptr)&kstacks[index][KSTACK_SIZE];
    uptr stack = USER_STACK_BASE + (uptr)t->slot * 0x100000;
    map_fresh(p, stack, USER_STACK_SIZE, 1);
    if (p->wow64) {
        /* TEB64 at X, TEB32 at X + 0x2000, as Windows 10 lays them out;
         * the 32-bit code gets its own stack. */
        t->teb = WOW64_TEB_TOP - (uptr)(t->slot + 1) * WOW64_TEB_SIZE;
        t->teb32 = t->teb + WOW64_TEB32_OFFSET;
        map_fresh(p, t->teb, WOW64_TEB_SIZE, 1);
        uptr stack32 = stack + USER_STACK32_OFFSET;
        map_fresh(p, stack32, USER_STACK_SIZE, 1);
        u8 *teb32 = user_kva(p, t->teb32);
        *(u32 *)(teb32 + TEB32_EXCEPTION_LIST) = 0xffffffff;
        *(u32 *)(teb32 + TEB32_STACK_BASE) = (u32)(stack32 + USER_STACK_SIZE);
        *(u32 *)(teb32 + TEB32_STACK_LIMIT) = (u32)stack32;
        *(u32 *)(teb32 + TEB32_SELF) = (u32)t->teb32;
        *(u32 *)(teb32 + TEB32_CLIENT_ID) = p->pid;
        *(u32 *)(teb32 + TEB32_CLIENT_ID + 4) = t->tid;
        *(u32 *)(teb32 + TEB32_PEB) = (u32)p->peb32;
        *(u32 *)(teb32 + TEB32_WOW_TEB_OFFSET) = (u32)-WOW64_TEB32_OFFSET;
    } else {
        t->teb = TEB_TOP - (uptr)(t->slot + 1) * TEB_SIZE;
        map_fresh(p, t->teb, TEB_SIZE, 1);
    }
    u8 *teb = user_kva(p, t->teb);
    uptr *w = (uptr *)teb;
    /* x86: the end of the SEH chain; a WOW64 TEB64: its TEB32 (as Vista
     * to 8.1 keep it there; Windows 10 reads WowTebOffset). */
    w[TEB_EXCEPTION_LIST / sizeof(uptr)] = sizeof(uptr) == 4 ? (uptr)-1 : t->teb32;
    w[TEB_STACK_BASE / sizeof(uptr)] = stack + USER_STACK_SIZE;
    w[TEB_STACK_LIMIT / sizeof(uptr)] = stack;
    w[TEB_SELF / sizeof(uptr)] = t->teb;
    w[TEB_CLIENT_ID / sizeof(uptr)] = p->pid;
    w[TEB_CLIENT_ID / sizeof(uptr) + 1] = t->tid;
    w[TEB_PEB / sizeof(uptr)] = p->peb;
#ifdef __x86_64__
    if (p->wow64)
        *(u32 *)(user_kva(p, t->teb + TEB64_WOW_TEB_OFFSET)) = WOW64_TEB32_OFFSET;
#endif
    t->start.pc = (uptr)RtlUserThreadStart;
#ifdef __x86_64__
    t->start.sp = stack + USER_STACK_SIZE - 8; /* as if called */
#else
    t->start.sp = stack + USER_STACK_SIZE;
#endif
    t->start.param = param;
    t->start.routine = routine;
    t->ksp = arch_initial_kstack(&t->start, t->kstack_top);
    t->object = object_new(OT_THREAD, "");
    t->object->thread = t;
    t->object->refs = 1;
    ksnprintf(t->object->name, NAME_MAX, "%s tid 0x%x", p->image, t->tid);
    p->threads_alive++;
    t->state = T_READY;
    return t;
}

/* Handles every process starts with, standing in for those a real one
 * gets from its startup (0x4 .. 0x18): its first own handle is 0x1c. */
static void startup_handles(struct process *p)
{
    static const struct {
        int type;
        const char *name;
    } startup[] = {
        {OT_KEY, "\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Control\\Session Manager"},
        {OT_EVENT, ""},
        {OT_EVENT, ""},
        {OT_FILE, "\\Device\\HarddiskVolume2\\vmscope"},
        {OT_DIRECTORY, "\\KnownDlls"},
        {OT_DIRECTORY, "\\Sessions\\1\\BaseNamedObjects"},
    };
    for (unsigned i = 0; i < sizeof startup / sizeof startup[0]; i++) {
        struct object *o = object_new(startup[i].type, startup[i].name);
        if (o->type == OT_FILE) {
            for (int f = 0; f < MAX_FILES; f++)
                if (files[f].used && name_eq(files[f].path, o->name))
                    o->file = &files[f];
            o->file->opens++;
            o->options = FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT;
        }
        handle_insert(p, o, o->type == OT_FILE ? (FILE_GENERIC_READ | 0x20) : 0x1f0003);
    }
}

static struct process *process_create(const char *image, ULONG pid, ULONG parent, int wow64)
{
    struct process *p = 0;
    for (int i = 0; i < MAX_PROCS; i++)
        if (!processes[i].used) {
            p = &processes[i];
            break;
        }
    if (!p)
        return 0;
    memset(p, 0, sizeof *p);
    p->used = 1;
    p->pid = pid;
    p->parent_pid = parent;
    kstrcpy(p->image, image, NAME_MAX);
    p->space = arch_new_space();
    p->next_va = USER_ALLOC_BASE;
    /* The image ("the exe and ntdll"): a private copy of its pages. */
    uptr size = (uptr)(__user_end - __user_start);
    for (uptr off = 0; off < size; off += PAGE) {
        uptr pa = palloc();
        uptr n = size - off < PAGE ? size - off : PAGE;
        memcpy(P2V(pa), __user_image + off, n);
        arch_map(p->space, (uptr)__user_start + off, pa, 1);
    }
    /* KUSER_SHARED_DATA, read-only, the same page everywhere. */
    arch_map(p->space, SHARED_USER_DATA, shared_user_data_pa, 0);
    p->peb = PEB_ADDRESS;
    map_fresh(p, p->peb, PAGE, 1);
    uptr *peb = user_kva(p, p->peb);
    peb[PEB_IMAGE_BASE / sizeof(uptr)] = (uptr)__user_start;
    peb[PEB_PROCESS_PARAMETERS / sizeof(uptr)] = 0;
    if (wow64) {
        /* A PEB32 for the 32-bit code (TEB32.ProcessEnvironmentBlock). */
        p->wow64 = 1;
        p->peb32 = PEB32_ADDRESS;
        map_fresh(p, p->peb32, PAGE, 1);
        u8 *peb32 = user_kva(p, p->peb32);
        *(u32 *)(peb32 + PEB32_IMAGE_BASE) = (u32)(uptr)__user_start;
        *(u32 *)(peb32 + PEB32_PROCESS_PARAMETERS) = 0;
    }
    p->object = object_new(OT_PROCESS, image);
    p->object->process = p;
    p->object->refs = 1;
    startup_handles(p);
    return p;
}

/* ------------------------------------------------------------------ */
/* The file system                                                      */

#define VOLUME "\\Device\\HarddiskVolume2"
#define DISK0 "\\Device\\Harddisk0\\DR0"

static struct fnode *file_add(const char *path, int dir, const char *content)
{
    for (int i = 0; i < MAX_FILES; i++)
        if (!files[i].used) {
            struct fnode *f = &files[i];
            memset(f, 0, sizeof *f);
            f->used = 1;
            f->dir = dir;
            f->created = f->written = service_count ? system_time() : INSTALL_TIME;
            kstrcpy(f->path, path, NAME_MAX);
            if (content) {
                f->size = (u32)kstrlen(content);
                memcpy(f->data, content, f->size);
            }
            return f;
        }
    return 0;
}

static struct fnode *file_find(const char *path)
{
    for (int i = 0; i < MAX_FILES; i++)
        if (files[i].used && name_eq(files[i].path, path))
            return &files[i];
    return 0;
}

/* The object manager's part: \SystemRoot and \??\C: are symbolic links to
 * the volume. Gives the volume path, or an error. */
static NTSTATUS resolve_path(const struct attributes *a, char *out)
{
    const char *n = a->name.a;
    out[0] = 0;
    if (a->root) {
        struct object *root;
        NTSTATUS s = reference(a->root, 0, 0, &root);
        if (s)
            return s;
        if (root->type != OT_FILE || !root->file->dir)
            return STATUS_OBJECT_TYPE_MISMATCH;
        if (n[0] == '\\')
            return STATUS_OBJECT_NAME_INVALID;
        kstrcpy(out, root->file->path, NAME_MAX);
        kstrcat(out, "\\", NAME_MAX);
        kstrcat(out, n, NAME_MAX);
        return STATUS_SUCCESS;
    }
    if (n[0] != '\\')
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    if (starts_with(n, "\\SystemRoot\\")) {
        kstrcpy(out, VOLUME "\\Windows\\", NAME_MAX);
        kstrcat(out, n + 12, NAME_MAX);
    } else if (starts_with(n, "\\??\\C:\\")) {
        kstrcpy(out, VOLUME "\\", NAME_MAX);
        kstrcat(out, n + 7, NAME_MAX);
    } else if (starts_with(n, VOLUME "\\")) {
        kstrcpy(out, n, NAME_MAX);
    } else if (name_eq(n, "\\??\\PhysicalDrive0")) {
        /* A symbolic link to the first disk's partition 0 device. */
        kstrcpy(out, DISK0, NAME_MAX);
    } else if (name_eq(n, DISK0)) {
        kstrcpy(out, n, NAME_MAX);
    } else {
        return STATUS_OBJECT_PATH_NOT_FOUND;
    }
    return STATUS_SUCCESS;
}

static int parent_exists(const char *path)
{
    char parent[NAME_MAX];
    kstrcpy(parent, path, NAME_MAX);
    int cut = -1;
    for (int i = 0; parent[i]; i++)
        if (parent[i] == '\\')
            cut = i;
    if (cut <= 0)
        return 0;
    parent[cut] = 0;
    if (name_eq(parent, VOLUME))
        return 1;
    struct fnode *f = file_find(parent);
    return f && f->dir;
}

static ACCESS_MASK map_file_access(ACCESS_MASK a)
{
    if (a & GENERIC_READ)
        a |= FILE_GENERIC_READ;
    if (a & GENERIC_WRITE)
        a |= FILE_GENERIC_WRITE;
    if (a & GENERIC_EXECUTE)
        a |= 0x1200a0;
    if (a & GENERIC_ALL)
        a |= 0x1f01ff;
    return a & 0x0fffffff;
}

/* NtCreateFile and NtOpenFile. */
static NTSTATUS create_file(uptr handle_out, ACCESS_MASK access, uptr oa, uptr iosb, uptr allocation,
                            ULONG disposition, ULONG options)
{
    /* IopCreateFile: the out pointers are probed, AllocationSize read,
     * then the object manager captures the attributes. */
    PROBE_WRITE(handle_out, sizeof(HANDLE));
    PROBE_WRITE(iosb, sizeof(IO_STATUS_BLOCK));
    if (allocation) {
        PROBE_READ(allocation, 8);
        (void)get64(allocation);
    }
    if (disposition > FILE_OVERWRITE_IF)
        return STATUS_INVALID_PARAMETER;
    struct attributes a;
    NTSTATUS s = capture_attributes(oa, &a);
    if (s)
        return s;
    detail(" %s", a.name.a);
    char path[NAME_MAX];
    if ((s = resolve_path(&a, path)))
        return s;
    struct fnode *f = file_find(path);
    ULONG information;
    if (f && f->device) {
        /* The disk itself: opened, never created or overwritten. */
        if (options & FILE_DIRECTORY_FILE)
            return STATUS_NOT_A_DIRECTORY;
        if (disposition != FILE_OPEN && disposition != FILE_OPEN_IF)
            return STATUS_ACCESS_DENIED;
        information = FILE_OPENED;
    } else if (f) {
        if (f->delete_pending)
            return STATUS_DELETE_PENDING;
        if (disposition == FILE_CREATE)
            return STATUS_OBJECT_NAME_COLLISION;
        if ((options & FILE_NON_DIRECTORY_FILE) && f->dir)
            return STATUS_FILE_IS_A_DIRECTORY;
        if ((options & FILE_DIRECTORY_FILE) && !f->dir)
            return STATUS_NOT_A_DIRECTORY;
        information = FILE_OPENED;
        if (disposition == FILE_SUPERSEDE || disposition == FILE_OVERWRITE ||
            disposition == FILE_OVERWRITE_IF) {
            if (f->dir)
                return STATUS_FILE_IS_A_DIRECTORY;
            f->size = 0;
            information = disposition == FILE_SUPERSEDE ? FILE_SUPERSEDED : FILE_OVERWRITTEN;
        }
    } else {
        if (disposition == FILE_OPEN || disposition == FILE_OVERWRITE)
            return parent_exists(path) ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_OBJECT_PATH_NOT_FOUND;
        if (!parent_exists(path))
            return STATUS_OBJECT_PATH_NOT_FOUND;
        f = file_add(path, (options & FILE_DIRECTORY_FILE) != 0, 0);
        if (!f)
            return STATUS_INSUFFICIENT_RESOURCES;
        information = FILE_CREATED;
    }
    struct object *o = object_new(OT_FILE, path);
    if (!o)
        return STATUS_INSUFFICIENT_RESOURCES;
    o->file = f;
    o->options = options;
    f->opens++;
    uptr h = handle_insert(current->process, o, map_file_access(access));
    if (!h) {
        object_release(o);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    putptr(handle_out, h);
    write_iosb(iosb, STATUS_SUCCESS, information);
    static const char *const infos[] = {"FILE_SUPERSEDED", "FILE_OPENED", "FILE_CREATED", "FILE_OVERWRITTEN"};
    detail(" handle 0x%lx %s", h, infos[information]);
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtCreateFile(const uptr *a)
{
    /* FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock,
     * AllocationSize, FileAttributes, ShareAccess, CreateDisposition,
     * CreateOptions, EaBuffer, EaLength */
    if (a[9] && a[10]) {
        PROBE_READ(a[9], a[10]);
        u8 ea[64];
        copy_in(ea, a[9], a[10] < sizeof ea ? a[10] : sizeof ea);
    }
    return create_file(a[0], (ACCESS_MASK)a[1], a[2], a[3], a[4], (ULONG)a[7], (ULONG)a[8]);
}

static NTSTATUS svc_NtOpenFile(const uptr *a)
{
    /* FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock,
     * ShareAccess, OpenOptions */
    return create_file(a[0], (ACCESS_MASK)a[1], a[2], a[3], 0, FILE_OPEN, (ULONG)a[5]);
}

/* The position of a read or write: ByteOffset, or the file pointer of a
 * synchronous file object. */
static NTSTATUS io_offset(struct object *o, uptr byte_offset, u64 *pos)
{
    int sync = (o->options & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT)) != 0;
    if (byte_offset) {
        PROBE_READ(byte_offset, 8);
        u64 v = get64(byte_offset);
        if (v == 0xfffffffffffffffeULL && sync) {
            *pos = o->pos;
            return STATUS_SUCCESS;
        }
        if ((long long)v < 0)
            return STATUS_INVALID_PARAMETER;
        *pos = v;
        return STATUS_SUCCESS;
    }
    if (!sync)
        return STATUS_INVALID_PARAMETER;
    *pos = o->pos;
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtReadFile(const uptr *a)
{
    /* FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, Buffer,
     * Length, ByteOffset, Key */
    struct object *o;
    ULONG length = (ULONG)a[6];
    detail(" handle 0x%lx", a[0]);
    NTSTATUS s = reference(a[0], OT_FILE, FILE_READ_DATA, &o);
    if (s)
        return s;
    PROBE_WRITE(a[4], sizeof(IO_STATUS_BLOCK));
    if (!user_range_ok(a[5], length, 1)) {
        detail(" buffer %p %u bytes: not writable", (void *)a[5], length);
        return STATUS_ACCESS_VIOLATION;
    }
    u64 pos;
    if ((s = io_offset(o, a[7], &pos)))
        return s;
    if (a[8]) {
        PROBE_READ(a[8], 4);
        (void)get32(a[8]);
    }
    struct fnode *f = o->file;
    detail(" (%s) %u bytes at %lu", o->name, length, (unsigned long)pos);
    if (f->dir || f->device)
        return STATUS_INVALID_DEVICE_REQUEST;
    if (pos >= f->size) {
        write_iosb(a[4], STATUS_END_OF_FILE, 0);
        return STATUS_END_OF_FILE;
    }
    uptr n = f->size - pos < length ? f->size - pos : length;
    copy_out(a[5], f->data + pos, n);
    o->pos = pos + n;
    write_iosb(a[4], STATUS_SUCCESS, n);
    detail(": read %lu", n);
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtWriteFile(const uptr *a)
{
    struct object *o;
    ULONG length = (ULONG)a[6];
    detail(" handle 0x%lx", a[0]);
    NTSTATUS s = reference(a[0], OT_FILE, 0, &o);
    if (s)
        return s;
    struct handle_entry *e = handle_entry(current->process, a[0]);
    if (!(e->access & (FILE_WRITE_DATA | FILE_APPEND_DATA)))
        return STATUS_ACCESS_DENIED;
    PROBE_WRITE(a[4], sizeof(IO_STATUS_BLOCK));
    /* ProbeForRead(Buffer, Length): the range only; the bytes are read
     * by the copy below. */
    if (!user_range_below_limit(a[5], length))
        return STATUS_ACCESS_VIOLATION;
    u64 pos;
    if ((s = io_offset(o, a[7], &pos)))
        return s;
    if (a[8]) {
        PROBE_READ(a[8], 4);
        (void)get32(a[8]);
    }
    struct fnode *f = o->file;
    detail(" (%s) %u bytes at %lu", o->name, length, (unsigned long)pos);
    if (f->dir || f->device)
        return STATUS_INVALID_DEVICE_REQUEST;
    /* The cache manager's copy from the caller's buffer: a fault in it
     * ends the write with STATUS_INVALID_USER_BUFFER (FsRtlNormalizeNtstatus
     * of the access violation); nothing reaches the file here. */
    static u8 staging[FILE_CAPACITY];
    uptr got = copy_in_until_fault(staging, sizeof staging, a[5], length);
    if (got < length) {
        detail(": %lu bytes readable", got);
        return STATUS_INVALID_USER_BUFFER;
    }
    if (pos + length > FILE_CAPACITY)
        return STATUS_DISK_FULL;
    memcpy(f->data + pos, staging, length);
    if (pos + length > f->size)
        f->size = (u32)(pos + length);
    f->written = system_time();
    o->pos = pos + length;
    write_iosb(a[4], STATUS_SUCCESS, length);
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtQueryInformationFile(const uptr *a)
{
    /* FileHandle, IoStatusBlock, FileInformation, Length, Class */
    struct object *o;
    ULONG length = (ULONG)a[3], class = (ULONG)a[4];
    detail(" handle 0x%lx class %u", a[0], class);
    NTSTATUS s = reference(a[0], OT_FILE, 0, &o);
    if (s)
        return s;
    PROBE_WRITE(a[1], sizeof(IO_STATUS_BLOCK));
    PROBE_WRITE(a[2], length);
    if (class == FileStandardInformation) {
        if (length < sizeof(FILE_STANDARD_INFORMATION))
            return STATUS_INFO_LENGTH_MISMATCH;
        FILE_STANDARD_INFORMATION info;
        memset(&info, 0, sizeof info);
        info.AllocationSize.QuadPart = (o->file->size + 4095) & ~4095u;
        info.EndOfFile.QuadPart = o->file->size;
        info.NumberOfLinks = 1;
        info.DeletePending = (BOOLEAN)o->file->delete_pending;
        info.Directory = (BOOLEAN)o->file->dir;
        copy_out(a[2], &info, sizeof info);
        write_iosb(a[1], STATUS_SUCCESS, sizeof info);
        detail(" FileStandardInformation EndOfFile %u", o->file->size);
        return STATUS_SUCCESS;
    }
    if (class == FilePositionInformation) {
        if (length < sizeof(FILE_POSITION_INFORMATION))
            return STATUS_INFO_LENGTH_MISMATCH;
        put64(a[2], o->pos);
        write_iosb(a[1], STATUS_SUCCESS, sizeof(FILE_POSITION_INFORMATION));
        detail(" FilePositionInformation %lu", (unsigned long)o->pos);
        return STATUS_SUCCESS;
    }
    return STATUS_INVALID_INFO_CLASS;
}

static NTSTATUS svc_NtSetInformationFile(const uptr *a)
{
    struct object *o;
    ULONG length = (ULONG)a[3], class = (ULONG)a[4];
    detail(" handle 0x%lx class %u", a[0], class);
    NTSTATUS s = reference(a[0], OT_FILE, 0, &o);
    if (s)
        return s;
    PROBE_WRITE(a[1], sizeof(IO_STATUS_BLOCK));
    PROBE_READ(a[2], length);
    if (class == FilePositionInformation) {
        if (length < sizeof(FILE_POSITION_INFORMATION))
            return STATUS_INFO_LENGTH_MISMATCH;
        u64 pos = get64(a[2]);
        if ((long long)pos < 0)
            return STATUS_INVALID_PARAMETER;
        o->pos = pos;
        write_iosb(a[1], STATUS_SUCCESS, 0);
        detail(" FilePositionInformation %lu", (unsigned long)pos);
        return STATUS_SUCCESS;
    }
    if (class == FileDispositionInformation) {
        if (length < sizeof(FILE_DISPOSITION_INFORMATION))
            return STATUS_INFO_LENGTH_MISMATCH;
        if (!(handle_entry(current->process, a[0])->access & DELETE_ACCESS))
            return STATUS_ACCESS_DENIED;
        u8 del = *(volatile u8 *)a[2];
        o->file->delete_pending = del != 0;
        write_iosb(a[1], STATUS_SUCCESS, 0);
        detail(" FileDispositionInformation DeleteFile=%u", del);
        return STATUS_SUCCESS;
    }
    return STATUS_INVALID_INFO_CLASS;
}

/* ------------------------------------------------------------------ */
/* What a file monitor sees most: attributes by name, directory        */
/* listings, the volume's device, a disk's IOCTL                        */

static ULONG file_attributes(const struct fnode *f)
{
    return f->dir ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_ARCHIVE;
}

static u64 allocation_size(const struct fnode *f) { return f->dir ? 0 : (f->size + 4095) & ~4095u; }

/* NtQueryAttributesFile and NtQueryFullAttributesFile: the output is
 * probed, the object attributes captured (as ObOpenObjectByName does for
 * the query-only open), and the structure written on success only. */
static NTSTATUS query_attributes(uptr oa, uptr out, int full)
{
    uptr size = full ? sizeof(FILE_NETWORK_OPEN_INFORMATION) : sizeof(FILE_BASIC_INFORMATION);
    PROBE_WRITE(out, size);
    struct attributes a;
    NTSTATUS s = capture_attributes(oa, &a);
    if (s)
        return s;
    detail(" %s", a.name.a);
    char path[NAME_MAX];
    if ((s = resolve_path(&a, path)))
        return s;
    struct fnode *f = file_find(path);
    if (!f)
        return parent_exists(path) ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_OBJECT_PATH_NOT_FOUND;
    if (f->delete_pending)
        return STATUS_DELETE_PENDING;
    if (full) {
        FILE_NETWORK_OPEN_INFORMATION info;
        memset(&info, 0, sizeof info);
        info.CreationTime.QuadPart = (LONGLONG)f->created;
        info.LastAccessTime.QuadPart = info.LastWriteTime.QuadPart = info.ChangeTime.QuadPart =
            (LONGLONG)f->written;
        info.AllocationSize.QuadPart = (LONGLONG)allocation_size(f);
        info.EndOfFile.QuadPart = f->dir ? 0 : f->size;
        info.FileAttributes = file_attributes(f);
        copy_out(out, &info, sizeof info);
        detail(" attributes 0x%x EndOfFile %u", info.FileAttributes, (ULONG)info.EndOfFile.QuadPart);
    } else {
        FILE_BASIC_INFORMATION info;
        memset(&info, 0, sizeof info);
        info.CreationTime.QuadPart = (LONGLONG)f->created;
        info.LastAccessTime.QuadPart = info.LastWriteTime.QuadPart = info.ChangeTime.QuadPart =
            (LONGLONG)f->written;
        info.FileAttributes = file_attributes(f);
        copy_out(out, &info, sizeof info);
        detail(" attributes 0x%x", info.FileAttributes);
    }
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtQueryAttributesFile(const uptr *a)
{
    /* ObjectAttributes, FileInformation (FILE_BASIC_INFORMATION) */
    return query_attributes(a[0], a[1], 0);
}

static NTSTATUS svc_NtQueryFullAttributesFile(const uptr *a)
{
    /* ObjectAttributes, FileInformation (FILE_NETWORK_OPEN_INFORMATION) */
    return query_attributes(a[0], a[1], 1);
}

/* A directory's entries, as NTFS lists them: "." and "..", then the
 * names in upper-case order. */
struct dir_entry {
    const char *name;
    const struct fnode *f;
};

static char upper(char c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }

static int name_cmp(const char *a, const char *b)
{
    while (*a && upper(*a) == upper(*b))
        a++, b++;
    return (int)(u8)upper(*a) - (int)(u8)upper(*b);
}

static int dir_entries(const struct fnode *dir, struct dir_entry *out)
{
    int n = 0, len = kstrlen(dir->path);
    out[n++] = (struct dir_entry){".", dir};
    out[n++] = (struct dir_entry){"..", dir}; /* the volume's root has no node here: its own times */
    for (int i = 0; i < MAX_FILES; i++) {
        const struct fnode *f = &files[i];
        if (!f->used || f->device || f == dir || !starts_with(f->path, dir->path) || f->path[len] != '\\')
            continue;
        const char *name = f->path + len + 1;
        int nested = 0;
        for (const char *c = name; *c; c++)
            nested |= *c == '\\';
        if (nested)
            continue;
        int at = n++;
        while (at > 2 && name_cmp(out[at - 1].name, name) > 0) {
            out[at] = out[at - 1];
            at--;
        }
        out[at] = (struct dir_entry){name, f};
    }
    return n;
}

/* FsRtlIsNameInExpression, in short: `*` and `?`, case-insensitive. */
static int wild_match(const char *p, const char *n)
{
    if (!*p)
        return !*n;
    if (*p == '*')
        return wild_match(p + 1, n) || (*n && wild_match(p, n + 1));
    if (*n && (*p == '?' || upper(*p) == upper(*n)))
        return wild_match(p + 1, n + 1);
    return 0;
}

/* The 8.3 name NTFS makes for a name that is not one (BASE~1.EXT), in
 * `out`; returns its length in bytes, 0 for a name that is 8.3 already. */
static int short_name(const char *name, WCHAR *out)
{
    if (name[0] == '.')
        return 0;
    int len = kstrlen(name), dot = -1, dots = 0, odd = 0;
    for (int i = 0; i < len; i++) {
        if (name[i] == '.')
            dot = i, dots++;
        else if (name[i] == ' ' || name[i] == '+' || name[i] == ',' || name[i] == ';' || name[i] == '=' ||
                 name[i] == '[' || name[i] == ']')
            odd = 1;
    }
    int base = dot < 0 ? len : dot, ext = dot < 0 ? 0 : len - dot - 1;
    if (!odd && dots <= 1 && base >= 1 && base <= 8 && ext <= 3)
        return 0;
    int n = 0;
    for (int i = 0; i < base && n < 6; i++)
        if (name[i] != '.' && name[i] != ' ')
            out[n++] = (WCHAR)upper(name[i]);
    out[n++] = '~';
    out[n++] = '1';
    if (ext) {
        out[n++] = '.';
        for (int i = dot + 1; i < len && i < dot + 4; i++)
            out[n++] = (WCHAR)upper(name[i]);
    }
    return n * 2;
}

static NTSTATUS svc_NtQueryDirectoryFile(const uptr *a)
{
    /* FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock,
     * FileInformation, Length, FileInformationClass, ReturnSingleEntry,
     * FileName, RestartScan */
    ULONG length = (ULONG)a[6], class = (ULONG)a[7];
    int single = (u8)a[8], restart = (u8)a[10];
    uptr header;
    detail(" handle 0x%lx class %u", a[0], class);
    /* The I/O manager's checks, in NtQueryDirectoryFile's order: the
     * IO_STATUS_BLOCK, the class and its minimum length, the buffer,
     * then the FileName is captured and the handle referenced. */
    PROBE_WRITE(a[4], sizeof(IO_STATUS_BLOCK));
    if (class == FileDirectoryInformation)
        header = OFFSETOF(FILE_DIRECTORY_INFORMATION, FileName);
    else if (class == FileBothDirectoryInformation)
        header = OFFSETOF(FILE_BOTH_DIR_INFORMATION, FileName);
    else
        return STATUS_INVALID_INFO_CLASS;
    if (length < header)
        return STATUS_INFO_LENGTH_MISMATCH;
    PROBE_WRITE(a[5], length);
    struct name pattern;
    NTSTATUS s;
    if (a[9]) {
        if ((s = capture_unicode(a[9], &pattern)))
            return s;
        detail(" FileName %s", pattern.a);
    }
    struct object *o;
    if ((s = reference(a[0], OT_FILE, FILE_LIST_DIRECTORY, &o)))
        return s;
    detail(" (%s)%s%s", o->name, restart ? " RestartScan" : "", single ? " ReturnSingleEntry" : "");
    if (!o->file->dir)
        return STATUS_INVALID_PARAMETER;
    if (a[1]) {
        struct object *event;
        if ((s = reference(a[1], OT_EVENT, EVENT_MODIFY_STATE, &event)))
            return s;
    }
    /* The file system: the first query of a handle fixes its pattern (a
     * later FileName is ignored, even with RestartScan). */
    int initial = !o->pattern_set;
    if (initial) {
        kstrcpy(o->pattern, a[9] && pattern.len ? pattern.a : "*", sizeof o->pattern);
        o->pattern_set = 1;
        o->pos = 0;
    }
    if (restart)
        o->pos = 0;
    static struct dir_entry entries[MAX_FILES + 2];
    int n = dir_entries(o->file, entries);
    static u8 entry[sizeof(FILE_BOTH_DIR_INFORMATION) + 2 * NAME_MAX];
    uptr last = 0, information = 0;
    int written = 0;
    NTSTATUS status = STATUS_SUCCESS;
    while ((int)o->pos < n) {
        const struct dir_entry *e = &entries[o->pos];
        if (!wild_match(o->pattern, e->name)) {
            o->pos++;
            continue;
        }
        const struct fnode *f = e->f;
        ULONG name_len = (ULONG)kstrlen(e->name) * 2;
        uptr at = 0;
        if (written) {
            /* The previous entry's end, aligned: does this one fit? */
            at = (information + 7) & ~(uptr)7;
            if (at + header + name_len > length)
                break;
        } else if (header + name_len > length) {
            /* Not even the first: its fixed part and what fits of its
             * name, STATUS_BUFFER_OVERFLOW. */
            name_len = (ULONG)(length - header) & ~1u;
            status = STATUS_BUFFER_OVERFLOW;
        }
        memset(entry, 0, header);
        FILE_DIRECTORY_INFORMATION *d = (FILE_DIRECTORY_INFORMATION *)entry;
        d->NextEntryOffset = 0;
        d->FileIndex = 0;
        d->CreationTime.QuadPart = (LONGLONG)f->created;
        d->LastAccessTime.QuadPart = d->LastWriteTime.QuadPart = d->ChangeTime.QuadPart = (LONGLONG)f->written;
        d->EndOfFile.QuadPart = f->dir ? 0 : f->size;
        d->AllocationSize.QuadPart = (LONGLONG)allocation_size(f);
        d->FileAttributes = file_attributes(f);
        d->FileNameLength = (ULONG)kstrlen(e->name) * 2;
        if (class == FileBothDirectoryInformation) {
            FILE_BOTH_DIR_INFORMATION *b = (FILE_BOTH_DIR_INFORMATION *)entry;
            b->EaSize = 0;
            b->ShortNameLength = (char)short_name(e->name, b->ShortName);
        }
        WCHAR *w = (WCHAR *)(entry + header);
        for (ULONG i = 0; i < name_len / 2; i++)
            w[i] = (WCHAR)(u8)e->name[i];
        if (written)
            put32(a[5] + last, (u32)(at - last)); /* the previous entry's NextEntryOffset */
        copy_out(a[5] + at, entry, header + name_len);
        last = at;
        information = at + header + name_len;
        written++;
        o->pos++;
        if (single || status)
            break;
    }
    if (!written) {
        status = initial ? STATUS_NO_SUCH_FILE : STATUS_NO_MORE_FILES;
        detail(": pattern %s, no more entries", o->pattern);
        if (status == STATUS_NO_MORE_FILES)
            write_iosb(a[4], status, 0); /* a warning: the IO_STATUS_BLOCK is written */
        return status;
    }
    write_iosb(a[4], status, information);
    detail(": pattern %s, %d entries, %lu bytes", o->pattern, written, information);
    return status;
}

static NTSTATUS svc_NtQueryVolumeInformationFile(const uptr *a)
{
    /* FileHandle, IoStatusBlock, FsInformation, Length, FsInformationClass */
    ULONG length = (ULONG)a[3], class = (ULONG)a[4];
    detail(" handle 0x%lx class %u", a[0], class);
    PROBE_WRITE(a[1], sizeof(IO_STATUS_BLOCK));
    if (class != FileFsDeviceInformation)
        return STATUS_INVALID_INFO_CLASS; /* the only one here */
    if (length < sizeof(FILE_FS_DEVICE_INFORMATION))
        return STATUS_INFO_LENGTH_MISMATCH;
    PROBE_WRITE(a[2], length);
    struct object *o;
    NTSTATUS s = reference(a[0], OT_FILE, 0, &o);
    if (s)
        return s;
    /* The I/O manager answers this class itself, from the device object,
     * writing the fields into the caller's buffer. */
    ULONG characteristics = o->file->device ? 0 : FILE_DEVICE_IS_MOUNTED;
    put32(a[2] + OFFSETOF(FILE_FS_DEVICE_INFORMATION, DeviceType), FILE_DEVICE_DISK);
    put32(a[2] + OFFSETOF(FILE_FS_DEVICE_INFORMATION, Characteristics), characteristics);
    write_iosb(a[1], STATUS_SUCCESS, sizeof(FILE_FS_DEVICE_INFORMATION));
    detail(" (%s) FileFsDeviceInformation DeviceType %u Characteristics 0x%x", o->name, FILE_DEVICE_DISK,
           characteristics);
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtDeviceIoControlFile(const uptr *a)
{
    /* FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock,
     * IoControlCode, InputBuffer, InputBufferLength, OutputBuffer,
     * OutputBufferLength */
    ULONG code = (ULONG)a[5], in_len = (ULONG)a[7], out_len = (ULONG)a[9];
    ULONG required = (code >> 14) & 3; /* FILE_READ_ACCESS 1, FILE_WRITE_ACCESS 2 */
    ACCESS_MASK want = (required & 1 ? FILE_READ_DATA : 0) | (required & 2 ? FILE_WRITE_DATA : 0);
    detail(" handle 0x%lx", a[0]);
    struct object *o;
    NTSTATUS s = reference(a[0], OT_FILE, want, &o);
    if (s)
        return s;
    detail(" (%s) IoControlCode 0x%08x in %u out %u", o->name, code, in_len, out_len);
    if (a[1]) {
        struct object *event;
        if ((s = reference(a[1], OT_EVENT, EVENT_MODIFY_STATE, &event)))
            return s;
    }
    /* IopXxxControlFile: the IO_STATUS_BLOCK and both buffers probed,
     * then (METHOD_BUFFERED) the input copied into the system buffer
     * before the driver sees the request. */
    PROBE_WRITE(a[4], sizeof(IO_STATUS_BLOCK));
    if (in_len)
        PROBE_READ(a[6], in_len);
    if (out_len)
        PROBE_WRITE(a[8], out_len);
    static u8 input[PAGE];
    if (in_len)
        copy_in_until_fault(input, sizeof input, a[6], in_len);
    /* The driver: the disk answers IOCTL_DISK_GET_DRIVE_GEOMETRY; a file
     * on the volume, and every other code, is an invalid request. A
     * failure that did not pend writes nothing back. */
    if (!o->file->device || code != IOCTL_DISK_GET_DRIVE_GEOMETRY)
        return STATUS_INVALID_DEVICE_REQUEST;
    if (out_len < sizeof(DISK_GEOMETRY))
        return STATUS_BUFFER_TOO_SMALL;
    DISK_GEOMETRY g;
    memset(&g, 0, sizeof g);
    g.Cylinders.QuadPart = 130; /* 130 * 255 * 63 * 512: a 1 GiB disk */
    g.MediaType = FixedMedia;
    g.TracksPerCylinder = 255;
    g.SectorsPerTrack = 63;
    g.BytesPerSector = 512;
    copy_out(a[8], &g, sizeof g);
    write_iosb(a[4], STATUS_SUCCESS, sizeof g);
    detail(": DISK_GEOMETRY %u/%u/%u/%u", (ULONG)g.Cylinders.QuadPart, g.TracksPerCylinder, g.SectorsPerTrack,
           g.BytesPerSector);
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* The clock and the system                                             */

static NTSTATUS svc_NtQueryPerformanceCounter(const uptr *a)
{
    /* PerformanceCounter, PerformanceFrequency (optional): both probed,
     * then both written. */
    PROBE_WRITE(a[0], sizeof(LARGE_INTEGER));
    if (a[1])
        PROBE_WRITE(a[1], sizeof(LARGE_INTEGER));
    u64 counter = service_count * (PERF_FREQUENCY / 1000);
    put64(a[0], counter);
    if (a[1])
        put64(a[1], PERF_FREQUENCY);
    detail(" counter %llu frequency %u", counter, PERF_FREQUENCY);
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtQuerySystemInformation(const uptr *a)
{
    /* SystemInformationClass, SystemInformation, SystemInformationLength,
     * ReturnLength */
    ULONG class = (ULONG)a[0], length = (ULONG)a[2];
    detail(" class %u length 0x%x", class, length);
    PROBE_WRITE(a[1], length);
    if (a[3])
        PROBE_WRITE(a[3], 4);
    if (class != SystemBasicInformation)
        return STATUS_INVALID_INFO_CLASS; /* the only one here */
    if (length != sizeof(SYSTEM_BASIC_INFORMATION))
        return STATUS_INFO_LENGTH_MISMATCH;
    SYSTEM_BASIC_INFORMATION info;
    memset(&info, 0, sizeof info);
    info.TimerResolution = 156250; /* 15.625 ms */
    info.PageSize = PAGE;
    info.NumberOfPhysicalPages = (ULONG)((PHYS_END - (1UL << 20)) / PAGE);
    info.LowestPhysicalPageNumber = 1;
    info.HighestPhysicalPageNumber = (ULONG)(PHYS_END / PAGE - 1);
    info.AllocationGranularity = ALLOC_GRANULARITY;
    info.MinimumUserModeAddress = 0x10000;
    info.MaximumUserModeAddress = USER_LIMIT - 1; /* MmHighestUserAddress: x64 0x7ffffffeffff, x86 0x7ffeffff */
    info.ActiveProcessorsAffinityMask = 1;
    info.NumberOfProcessors = 1;
    copy_out(a[1], &info, sizeof info);
    if (a[3])
        put32(a[3], sizeof info);
    detail(" SystemBasicInformation NumberOfProcessors 1");
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtClose(const uptr *a)
{
    detail(" 0x%lx", a[0]);
    struct handle_entry *e = handle_entry(current->process, a[0]);
    if (e)
        detail(" (%s %s)", type_names[e->object->type], e->object->name);
    return handle_close(current->process, a[0]);
}

static NTSTATUS svc_NtDuplicateObject(const uptr *a)
{
    /* SourceProcessHandle, SourceHandle, TargetProcessHandle,
     * TargetHandle, DesiredAccess, HandleAttributes, Options */
    struct object *sp, *tp = 0, *o;
    ULONG options = (ULONG)a[6];
    detail(" 0x%lx", a[1]);
    NTSTATUS s = reference(a[0], OT_PROCESS, PROCESS_DUP_HANDLE, &sp);
    if (s)
        return s;
    if (a[2] && (s = reference(a[2], OT_PROCESS, PROCESS_DUP_HANDLE, &tp)))
        return s;
    if (a[3])
        PROBE_WRITE(a[3], sizeof(HANDLE));
    struct process *source = sp->process;
    ACCESS_MASK access;
    if (a[1] == (uptr)-1 || a[1] == (uptr)-2) {
        if (source != current->process)
            return STATUS_INVALID_HANDLE;
        o = a[1] == (uptr)-1 ? source->object : current->object;
        access = 0x1fffff;
    } else {
        struct handle_entry *e = handle_entry(source, a[1]);
        if (!e)
            return STATUS_INVALID_HANDLE;
        o = e->object, access = e->access;
    }
    if (!(options & DUPLICATE_SAME_ACCESS))
        access = o->type == OT_FILE ? map_file_access((ACCESS_MASK)a[4]) : (ACCESS_MASK)a[4];
    uptr h = 0;
    o->refs++; /* survives closing the source */
    if (tp) {
        h = handle_insert(tp->process, o, access);
        if (!h) {
            object_release(o);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    if ((options & DUPLICATE_CLOSE_SOURCE) && a[1] != (uptr)-1 && a[1] != (uptr)-2)
        handle_close(source, a[1]);
    object_release(o);
    if (a[3])
        putptr(a[3], h);
    detail(" (%s %s) -> 0x%lx", type_names[o->type], o->name, h);
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtQueryInformationProcess(const uptr *a)
{
    /* ProcessHandle, ProcessInformationClass, ProcessInformation,
     * ProcessInformationLength, ReturnLength */
    struct object *o;
    ULONG class = (ULONG)a[1], length = (ULONG)a[3];
    detail(" 0x%lx class %u", a[0], class);
    NTSTATUS s = reference(a[0], OT_PROCESS, PROCESS_QUERY_INFORMATION, &o);
    if (s)
        return s;
    if (class != ProcessBasicInformation)
        return STATUS_INVALID_INFO_CLASS;
    if (length != sizeof(PROCESS_BASIC_INFORMATION))
        return STATUS_INFO_LENGTH_MISMATCH;
    PROBE_WRITE(a[2], length);
    if (a[4])
        PROBE_WRITE(a[4], 4);
    struct process *p = o->process;
    PROCESS_BASIC_INFORMATION info;
    memset(&info, 0, sizeof info);
    info.ExitStatus = p->exited ? p->exit_status : STATUS_PENDING;
    info.PebBaseAddress = (PVOID)p->peb;
    info.AffinityMask = 1;
    info.BasePriority = 8;
    info.UniqueProcessId = p->pid;
    info.InheritedFromUniqueProcessId = p->parent_pid;
    copy_out(a[2], &info, sizeof info);
    if (a[4])
        put32(a[4], sizeof info);
    detail(" pid 0x%x parent 0x%x exit 0x%08x", p->pid, p->parent_pid, (ULONG)info.ExitStatus);
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* The registry                                                         */

static struct rkey *key_find(const char *path)
{
    for (int i = 0; i < MAX_KEYS; i++)
        if (keys[i].used && !keys[i].deleted && name_eq(keys[i].path, path))
            return &keys[i];
    return 0;
}

static struct rkey *key_add(const char *path)
{
    for (int i = 0; i < MAX_KEYS; i++)
        if (!keys[i].used) {
            memset(&keys[i], 0, sizeof keys[i]);
            keys[i].used = 1;
            kstrcpy(keys[i].path, path, NAME_MAX);
            return &keys[i];
        }
    return 0;
}

static NTSTATUS key_path(const struct attributes *a, char *out)
{
    if (a->root) {
        struct object *root;
        NTSTATUS s = reference(a->root, OT_KEY, 0, &root);
        if (s)
            return s;
        kstrcpy(out, root->name, NAME_MAX);
        kstrcat(out, "\\", NAME_MAX);
        kstrcat(out, a->name.a, NAME_MAX);
        return STATUS_SUCCESS;
    }
    if (!starts_with(a->name.a, "\\Registry\\"))
        return STATUS_OBJECT_PATH_NOT_FOUND;
    kstrcpy(out, a->name.a, NAME_MAX);
    return STATUS_SUCCESS;
}

static NTSTATUS open_key(uptr handle_out, ACCESS_MASK access, uptr oa, int create, uptr disposition_out,
                         uptr class)
{
    PROBE_WRITE(handle_out, sizeof(HANDLE));
    struct attributes a;
    NTSTATUS s = capture_attributes(oa, &a);
    if (s)
        return s;
    detail(" %s", a.name.a);
    if (create && class) {
        struct name c;
        if ((s = capture_unicode(class, &c)))
            return s;
    }
    if (disposition_out)
        PROBE_WRITE(disposition_out, 4);
    char path[NAME_MAX];
    if ((s = key_path(&a, path)))
        return s;
    struct rkey *k = key_find(path);
    ULONG disposition = REG_OPENED_EXISTING_KEY;
    if (!k) {
        if (!create)
            return STATUS_OBJECT_NAME_NOT_FOUND;
        char parent[NAME_MAX];
        kstrcpy(parent, path, NAME_MAX);
        int cut = 0;
        for (int i = 0; parent[i]; i++)
            if (parent[i] == '\\')
                cut = i;
        parent[cut] = 0;
        if (!key_find(parent))
            return STATUS_OBJECT_NAME_NOT_FOUND;
        if (!(k = key_add(path)))
            return STATUS_INSUFFICIENT_RESOURCES;
        disposition = REG_CREATED_NEW_KEY;
    }
    struct object *o = object_new(OT_KEY, k->path);
    if (!o)
        return STATUS_INSUFFICIENT_RESOURCES;
    o->key = k;
    if (access & GENERIC_READ)
        access |= KEY_READ;
    if (access & (GENERIC_WRITE | GENERIC_ALL))
        access |= KEY_ALL_ACCESS;
    uptr h = handle_insert(current->process, o, access & 0x0fffffff);
    putptr(handle_out, h);
    if (disposition_out)
        put32(disposition_out, disposition);
    detail(" handle 0x%lx%s", h,
           !create ? "" : disposition == REG_CREATED_NEW_KEY ? " REG_CREATED_NEW_KEY" : " REG_OPENED_EXISTING_KEY");
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtCreateKey(const uptr *a)
{
    /* KeyHandle, DesiredAccess, ObjectAttributes, TitleIndex, Class,
     * CreateOptions, Disposition */
    return open_key(a[0], (ACCESS_MASK)a[1], a[2], 1, a[6], a[4]);
}

static NTSTATUS svc_NtOpenKey(const uptr *a)
{
    return open_key(a[0], (ACCESS_MASK)a[1], a[2], 0, 0, 0);
}

static NTSTATUS key_ref(uptr h, ACCESS_MASK want, struct rkey **out)
{
    struct object *o;
    NTSTATUS s = reference(h, OT_KEY, want, &o);
    if (s)
        return s;
    if (!o->key || o->key->deleted)
        return STATUS_KEY_DELETED;
    *out = o->key;
    return STATUS_SUCCESS;
}

static struct rvalue *value_find(struct rkey *k, const char *name)
{
    for (int i = 0; i < MAX_VALUES; i++)
        if (k->values[i].used && name_eq(k->values[i].name, name))
            return &k->values[i];
    return 0;
}

static NTSTATUS svc_NtSetValueKey(const uptr *a)
{
    /* KeyHandle, ValueName, TitleIndex, Type, Data, DataSize */
    struct rkey *k;
    detail(" 0x%lx", a[0]);
    NTSTATUS s = key_ref(a[0], KEY_SET_VALUE, &k);
    if (s)
        return s;
    struct name n;
    if ((s = capture_unicode(a[1], &n)))
        return s;
    ULONG size = (ULONG)a[5];
    detail(" %s type %lu %u bytes", n.a, a[3], size);
    PROBE_READ(a[4], size);
    struct rvalue *v = value_find(k, n.a);
    if (!v)
        for (int i = 0; i < MAX_VALUES && !v; i++)
            if (!k->values[i].used)
                v = &k->values[i];
    if (!v || size > sizeof v->data)
        return STATUS_INSUFFICIENT_RESOURCES;
    v->used = 1;
    kstrcpy(v->name, n.a, sizeof v->name);
    v->type = (ULONG)a[3];
    v->len = size;
    copy_in(v->data, a[4], size);
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtQueryValueKey(const uptr *a)
{
    /* KeyHandle, ValueName, KeyValueInformationClass,
     * KeyValueInformation, Length, ResultLength */
    struct rkey *k;
    detail(" 0x%lx", a[0]);
    NTSTATUS s = key_ref(a[0], KEY_QUERY_VALUE, &k);
    if (s)
        return s;
    struct name n;
    if ((s = capture_unicode(a[1], &n)))
        return s;
    ULONG length = (ULONG)a[4];
    detail(" %s class %lu", n.a, a[2]);
    if (a[2] != KeyValuePartialInformation)
        return STATUS_INVALID_PARAMETER;
    PROBE_WRITE(a[3], length);
    PROBE_WRITE(a[5], 4);
    struct rvalue *v = value_find(k, n.a);
    if (!v)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    ULONG header = OFFSETOF(KEY_VALUE_PARTIAL_INFORMATION, Data);
    ULONG needed = header + v->len;
    put32(a[5], needed);
    if (length < header)
        return STATUS_BUFFER_TOO_SMALL;
    put32(a[3], 0);
    put32(a[3] + 4, v->type);
    put32(a[3] + 8, v->len);
    if (length < needed)
        return STATUS_BUFFER_OVERFLOW;
    copy_out(a[3] + header, v->data, v->len);
    detail(" type %u %u bytes", v->type, v->len);
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtDeleteValueKey(const uptr *a)
{
    struct rkey *k;
    detail(" 0x%lx", a[0]);
    NTSTATUS s = key_ref(a[0], KEY_SET_VALUE, &k);
    if (s)
        return s;
    struct name n;
    if ((s = capture_unicode(a[1], &n)))
        return s;
    detail(" %s", n.a);
    struct rvalue *v = value_find(k, n.a);
    if (!v)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    v->used = 0;
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtDeleteKey(const uptr *a)
{
    struct rkey *k;
    detail(" 0x%lx", a[0]);
    NTSTATUS s = key_ref(a[0], DELETE_ACCESS, &k);
    if (s)
        return s;
    detail(" %s", k->path);
    int n = kstrlen(k->path);
    for (int i = 0; i < MAX_KEYS; i++)
        if (keys[i].used && !keys[i].deleted && &keys[i] != k && starts_with(keys[i].path, k->path) &&
            keys[i].path[n] == '\\')
            return STATUS_CANNOT_DELETE;
    k->deleted = 1;
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Virtual memory and sections                                          */

static int protect_ok(ULONG protect)
{
    return protect == PAGE_NOACCESS || protect == PAGE_READONLY || protect == PAGE_READWRITE ||
           protect == PAGE_EXECUTE_READ || protect == 0x10 || protect == 0x40;
}

static int protect_writable(ULONG protect) { return protect == PAGE_READWRITE || protect == 0x40; }

static struct vad *vad_find(struct process *p, uptr va)
{
    for (int i = 0; i < MAX_VADS; i++)
        if (p->vads[i].used && va >= p->vads[i].base && va < p->vads[i].base + p->vads[i].size)
            return &p->vads[i];
    return 0;
}

static struct vad *vad_new(struct process *p, uptr base, uptr size, ULONG protect)
{
    for (uptr va = base; va < base + size; va += PAGE)
        if (vad_find(p, va))
            return 0;
    for (int i = 0; i < MAX_VADS; i++)
        if (!p->vads[i].used) {
            struct vad *v = &p->vads[i];
            memset(v, 0, sizeof *v);
            v->used = 1;
            v->base = base;
            v->size = size;
            v->protect = protect;
            return v;
        }
    return 0;
}

static uptr va_reserve(struct process *p, uptr size)
{
    uptr base = p->next_va;
    p->next_va += (size + ALLOC_GRANULARITY - 1) & ~(ALLOC_GRANULARITY - 1);
    return base;
}

static NTSTATUS target_process(uptr h, struct process **out)
{
    struct object *o;
    NTSTATUS s = reference(h, OT_PROCESS, PROCESS_VM_OPERATION, &o);
    if (s)
        return s;
    *out = o->process;
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtAllocateVirtualMemory(const uptr *a)
{
    /* ProcessHandle, *BaseAddress, ZeroBits, *RegionSize, AllocationType,
     * Protect */
    struct process *p;
    ULONG type = (ULONG)a[4], protect = (ULONG)a[5];
    NTSTATUS s = target_process(a[0], &p);
    if (s)
        return s;
    PROBE_WRITE(a[1], sizeof(PVOID));
    PROBE_WRITE(a[3], sizeof(SIZE_T));
    uptr base = getptr(a[1]);
    uptr size = getptr(a[3]);
    detail(" base %p size 0x%lx type 0x%x protect 0x%x", (void *)base, size, type, protect);
    if (!(type & (MEM_COMMIT | MEM_RESERVE)) || !protect_ok(protect))
        return !protect_ok(protect) ? STATUS_INVALID_PAGE_PROTECTION : STATUS_INVALID_PARAMETER;
    if (size == 0 || size > 0x10000000UL)
        return STATUS_INVALID_PARAMETER;
    uptr end = (base + size + PAGE - 1) & ~(PAGE - 1);
    struct vad *v;
    if (base) {
        v = vad_find(p, base);
        if (v && !v->section && end <= v->base + v->size) {
            base &= ~(PAGE - 1); /* committing reserved pages: they are committed */
            goto done;
        }
        base &= ~(ALLOC_GRANULARITY - 1);
    } else {
        base = va_reserve(p, end);
        end = base + end;
    }
    if (base >= USER_LIMIT || end > USER_LIMIT)
        return STATUS_INVALID_PARAMETER;
    if (!(v = vad_new(p, base, end - base, protect)))
        return STATUS_CONFLICTING_ADDRESSES;
    if (protect != PAGE_NOACCESS)
        map_fresh(p, base, end - base, protect_writable(protect));
done:
    putptr(a[1], base);
    putptr(a[3], end - base);
    detail(" -> %p size 0x%lx", (void *)base, end - base);
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtProtectVirtualMemory(const uptr *a)
{
    /* ProcessHandle, *BaseAddress, *RegionSize, NewProtect, *OldProtect */
    struct process *p;
    ULONG protect = (ULONG)a[3];
    NTSTATUS s = target_process(a[0], &p);
    if (s)
        return s;
    PROBE_WRITE(a[1], sizeof(PVOID));
    PROBE_WRITE(a[2], sizeof(SIZE_T));
    PROBE_WRITE(a[4], 4);
    uptr base = getptr(a[1]);
    uptr size = getptr(a[2]);
    detail(" %p size 0x%lx protect 0x%x", (void *)base, size, protect);
    if (!protect_ok(protect))
        return STATUS_INVALID_PAGE_PROTECTION;
    uptr start = base & ~(PAGE - 1), end = (base + size + PAGE - 1) & ~(PAGE - 1);
    struct vad *v = vad_find(p, start);
    if (!v || end > v->base + v->size || end <= start)
        return STATUS_CONFLICTING_ADDRESSES;
    ULONG old = v->protect;
    v->protect = protect;
    for (uptr va = start; va < end; va += PAGE)
        arch_protect(p->space, va, protect_writable(protect));
    putptr(a[1], start);
    putptr(a[2], end - start);
    put32(a[4], old);
    detail(" old 0x%x", old);
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtFreeVirtualMemory(const uptr *a)
{
    /* ProcessHandle, *BaseAddress, *RegionSize, FreeType */
    struct process *p;
    ULONG type = (ULONG)a[3];
    NTSTATUS s = target_process(a[0], &p);
    if (s)
        return s;
    PROBE_WRITE(a[1], sizeof(PVOID));
    PROBE_WRITE(a[2], sizeof(SIZE_T));
    uptr base = getptr(a[1]);
    uptr size = getptr(a[2]);
    detail(" %p size 0x%lx type 0x%x", (void *)base, size, type);
    if (type != MEM_RELEASE && type != MEM_DECOMMIT)
        return STATUS_INVALID_PARAMETER;
    struct vad *v = vad_find(p, base);
    if (!v || v->section)
        return STATUS_MEMORY_NOT_ALLOCATED;
    uptr start, end;
    if (type == MEM_RELEASE) {
        if (base != v->base)
            return STATUS_FREE_VM_NOT_AT_BASE;
        if (size != 0)
            return STATUS_INVALID_PARAMETER;
        start = v->base, end = v->base + v->size;
        v->used = 0;
    } else {
        start = base & ~(PAGE - 1);
        end = size ? (base + size + PAGE - 1) & ~(PAGE - 1) : v->base + v->size;
    }
    for (uptr va = start; va < end; va += PAGE)
        arch_unmap(p->space, va);
    putptr(a[1], start);
    putptr(a[2], end - start);
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtCreateSection(const uptr *a)
{
    /* SectionHandle, DesiredAccess, ObjectAttributes, MaximumSize,
     * SectionPageProtection, AllocationAttributes, FileHandle */
    NTSTATUS s;
    PROBE_WRITE(a[0], sizeof(HANDLE));
    struct attributes at;
    at.name.a[0] = 0;
    if (a[2] && (s = capture_attributes(a[2], &at)))
        return s;
    u64 size = 0;
    if (a[3]) {
        PROBE_READ(a[3], 8);
        size = get64(a[3]);
    }
    struct object *file = 0;
    if (a[6] && (s = reference(a[6], OT_FILE, FILE_READ_DATA, &file)))
        return s;
    if (!size && file)
        size = file->file->size;
    detail(" %s size 0x%lx protect 0x%lx attributes 0x%lx", at.name.a[0] ? at.name.a : "(unnamed)",
           (unsigned long)size, a[4], a[5]);
    if (!size)
        return STATUS_INVALID_PARAMETER;
    if (size > SECTION_PAGES * PAGE)
        return STATUS_SECTION_TOO_BIG;
    if (!protect_ok((ULONG)a[4]))
        return STATUS_INVALID_PAGE_PROTECTION;
    struct object *o = object_new(OT_SECTION, at.name.a);
    if (!o)
        return STATUS_INSUFFICIENT_RESOURCES;
    o->size = (uptr)size;
    for (uptr i = 0; i * PAGE < size; i++) {
        o->pages[i] = palloc();
        if (file && i * PAGE < file->file->size) {
            uptr n = file->file->size - i * PAGE;
            memcpy(P2V(o->pages[i]), file->file->data + i * PAGE, n < PAGE ? n : PAGE);
        }
    }
    uptr h = handle_insert(current->process, o, (ACCESS_MASK)a[1] & 0x0fffffff ? (ACCESS_MASK)a[1] : SECTION_ALL_ACCESS);
    putptr(a[0], h);
    detail(" handle 0x%lx", h);
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtMapViewOfSection(const uptr *a)
{
    /* SectionHandle, ProcessHandle, *BaseAddress, ZeroBits, CommitSize,
     * *SectionOffset, *ViewSize, InheritDisposition, AllocationType,
     * Win32Protect */
    struct object *o;
    struct process *p;
    ULONG protect = (ULONG)a[9];
    detail(" 0x%lx", a[0]);
    NTSTATUS s = reference(a[0], OT_SECTION, SECTION_MAP_READ, &o);
    if (s)
        return s;
    if ((s = target_process(a[1], &p)))
        return s;
    PROBE_WRITE(a[2], sizeof(PVOID));
    PROBE_WRITE(a[6], sizeof(SIZE_T));
    uptr base = getptr(a[2]);
    u64 offset = 0;
    if (a[5]) {
        PROBE_WRITE(a[5], 8);
        offset = get64(a[5]);
    }
    uptr view = getptr(a[6]);
    if (a[7] != ViewShare && a[7] != ViewUnmap)
        return STATUS_INVALID_PARAMETER;
    if (!protect_ok(protect))
        return STATUS_INVALID_PAGE_PROTECTION;
    offset &= ~(u64)(PAGE - 1);
    if (offset >= o->size)
        return STATUS_INVALID_PARAMETER;
    if (!view)
        view = o->size - (uptr)offset;
    view = (view + PAGE - 1) & ~(PAGE - 1);
    if (offset + view > ((o->size + PAGE - 1) & ~(PAGE - 1)))
        return STATUS_INVALID_PARAMETER;
    if (!base)
        base = va_reserve(p, view);
    else if (base & (ALLOC_GRANULARITY - 1))
        return STATUS_INVALID_PARAMETER;
    struct vad *v = vad_new(p, base, view, protect);
    if (!v)
        return STATUS_CONFLICTING_ADDRESSES;
    v->section = o;
    o->refs++;
    for (uptr off = 0; off < view; off += PAGE)
        arch_map(p->space, base + off, o->pages[(offset + off) / PAGE], protect_writable(protect));
    putptr(a[2], base);
    if (a[5])
        put64(a[5], offset);
    putptr(a[6], view);
    detail(" (%s) -> %p size 0x%lx", o->name[0] ? o->name : "section", (void *)base, view);
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtUnmapViewOfSection(const uptr *a)
{
    struct process *p;
    detail(" %p", (void *)a[1]);
    NTSTATUS s = target_process(a[0], &p);
    if (s)
        return s;
    struct vad *v = vad_find(p, a[1]);
    if (!v || !v->section)
        return STATUS_NOT_MAPPED_VIEW;
    for (uptr va = v->base; va < v->base + v->size; va += PAGE)
        arch_unmap(p->space, va);
    v->used = 0;
    object_release(v->section);
    return STATUS_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Threads and processes                                                */

/* A PS_ATTRIBUTE_LIST: TotalLength, then each attribute's four fields. */
struct ps_attributes {
    uptr client_id, client_id_return;
    struct name image;
    int has_image;
};

static NTSTATUS capture_ps_attributes(uptr list, struct ps_attributes *out)
{
    memset(out, 0, sizeof *out);
    if (!list)
        return STATUS_SUCCESS;
    PROBE_READ(list, sizeof(SIZE_T));
    uptr total = getptr(list);
    if (total < sizeof(SIZE_T) || total > sizeof(SIZE_T) + 32 * sizeof(PS_ATTRIBUTE))
        return STATUS_INVALID_PARAMETER;
    PROBE_READ(list, total);
    uptr n = (total - sizeof(SIZE_T)) / sizeof(PS_ATTRIBUTE);
    for (uptr i = 0; i < n; i++) {
        uptr e = list + sizeof(SIZE_T) + i * sizeof(PS_ATTRIBUTE);
        uptr attribute = getptr(e);
        uptr size = getptr(e + sizeof(uptr));
        uptr value = getptr(e + 2 * sizeof(uptr));
        uptr ret = getptr(e + 3 * sizeof(uptr));
        if (attribute == PS_ATTRIBUTE_CLIENT_ID) {
            if (size < sizeof(CLIENT_ID))
                return STATUS_INVALID_PARAMETER;
            PROBE_WRITE(value, sizeof(CLIENT_ID));
            if (ret)
                PROBE_WRITE(ret, sizeof(SIZE_T));
            out->client_id = value;
            out->client_id_return = ret;
        } else if (attribute == PS_ATTRIBUTE_IMAGE_NAME) {
            if ((size & 1) || size >= sizeof out->image.w)
                return STATUS_INVALID_PARAMETER;
            PROBE_READ(value, size);
            copy_in(out->image.w, value, size);
            out->image.len = (USHORT)size;
            uptr j = 0;
            for (; j < size / 2; j++)
                out->image.a[j] = out->image.w[j] < 0x80 ? (char)out->image.w[j] : '?';
            out->image.a[j] = 0;
            out->has_image = 1;
        }
    }
    return STATUS_SUCCESS;
}

static void write_client_id(const struct ps_attributes *pa, struct thread *t)
{
    if (!pa->client_id)
        return;
    putptr(pa->client_id, t->process->pid);
    putptr(pa->client_id + sizeof(uptr), t->tid);
    if (pa->client_id_return)
        putptr(pa->client_id_return, sizeof(CLIENT_ID));
}

static NTSTATUS svc_NtCreateThreadEx(const uptr *a)
{
    /* ThreadHandle, DesiredAccess, ObjectAttributes, ProcessHandle,
     * StartRoutine, Argument, CreateFlags, ZeroBits, StackSize,
     * MaximumStackSize, AttributeList */
    struct object *po;
    NTSTATUS s;
    PROBE_WRITE(a[0], sizeof(HANDLE));
    struct attributes at;
    if (a[2] && (s = capture_attributes(a[2], &at)))
        return s;
    if ((s = reference(a[3], OT_PROCESS, PROCESS_CREATE_THREAD, &po)))
        return s;
    struct ps_attributes pa;
    if ((s = capture_ps_attributes(a[10], &pa)))
        return s;
    detail(" start %p argument %p", (void *)a[4], (void *)a[5]);
    if (a[4] >= USER_LIMIT)
        return STATUS_INVALID_PARAMETER;
    struct thread *t = thread_create(po->process, a[4], a[5]);
    if (!t)
        return STATUS_INSUFFICIENT_RESOURCES;
    uptr h = handle_insert(current->process, t->object, THREAD_ALL_ACCESS);
    putptr(a[0], h);
    write_client_id(&pa, t);
    detail(" handle 0x%lx pid 0x%x tid 0x%x", h, po->process->pid, t->tid);
    return STATUS_SUCCESS;
}

/* The images the guest can run, by file name; *wow64 says the image is
 * 32-bit code for a WOW64 process (x64 only). */
static uptr image_entry(const char *path, int *wow64)
{
    const char *base = path;
    for (const char *c = path; *c; c++)
        if (*c == '\\')
            base = c + 1;
    *wow64 = 0;
    if (name_eq(base, "child.exe"))
        return (uptr)child_main;
    if (name_eq(base, "vmscope-nt.exe"))
        return (uptr)parent_main;
#ifdef __x86_64__
    if (name_eq(base, "wow64.exe")) {
        *wow64 = 1;
        return (uptr)wow64_start;
    }
#endif
    return 0;
}

static NTSTATUS svc_NtCreateUserProcess(const uptr *a)
{
    /* ProcessHandle, ThreadHandle, ProcessDesiredAccess,
     * ThreadDesiredAccess, ProcessObjectAttributes,
     * ThreadObjectAttributes, ProcessFlags, ThreadFlags,
     * ProcessParameters, CreateInfo, AttributeList */
    NTSTATUS s;
    struct attributes at;
    PROBE_WRITE(a[0], sizeof(HANDLE));
    PROBE_WRITE(a[1], sizeof(HANDLE));
    if (a[4] && (s = capture_attributes(a[4], &at)))
        return s;
    if (a[5] && (s = capture_attributes(a[5], &at)))
        return s;
    /* PS_CREATE_INFO: Size, State. */
    PROBE_WRITE(a[9], sizeof(PS_CREATE_INFO));
    if (getptr(a[9]) != sizeof(PS_CREATE_INFO))
        return STATUS_INVALID_PARAMETER;
    if (get32(a[9] + sizeof(SIZE_T)) != PsCreateInitialState)
        return STATUS_INVALID_PARAMETER;
    struct ps_attributes pa;
    if ((s = capture_ps_attributes(a[10], &pa)))
        return s;
    /* RTL_USER_PROCESS_PARAMETERS: MaximumLength, Length, then
     * ImagePathName and CommandLine with their strings. */
    struct name image, command;
    command.a[0] = 0;
    if (!a[8])
        return STATUS_INVALID_PARAMETER;
    PROBE_READ(a[8], sizeof(RTL_USER_PROCESS_PARAMETERS));
    (void)get32(a[8]);
    (void)get32(a[8] + 4);
    if ((s = capture_unicode(a[8] + OFFSETOF(RTL_USER_PROCESS_PARAMETERS, ImagePathName), &image)))
        return s;
    if ((s = capture_unicode(a[8] + OFFSETOF(RTL_USER_PROCESS_PARAMETERS, CommandLine), &command)))
        return s;
    const char *name = pa.has_image ? pa.image.a : image.a;
    detail(" %s \"%s\"", name, command.a);
    struct attributes fa;
    memset(&fa, 0, sizeof fa);
    kstrcpy(fa.name.a, name, NAME_MAX);
    char path[NAME_MAX];
    if ((s = resolve_path(&fa, path)))
        return s;
    struct fnode *f = file_find(path);
    if (!f)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    int wow64;
    uptr entry = image_entry(path, &wow64);
    if (!entry)
        return STATUS_INVALID_IMAGE_FORMAT;
    ULONG pid = next_cid;
    next_cid += 4;
    struct process *p = process_create(path, pid, current->process->pid, wow64);
    if (!p)
        return STATUS_INSUFFICIENT_RESOURCES;
    struct thread *t = thread_create(p, entry, p->peb);
    if (!t)
        return STATUS_INSUFFICIENT_RESOURCES;
    uptr hp = handle_insert(current->process, p->object, PROCESS_ALL_ACCESS);
    uptr ht = handle_insert(current->process, t->object, THREAD_ALL_ACCESS);
    putptr(a[0], hp);
    putptr(a[1], ht);
    write_client_id(&pa, t);
    put32(a[9] + sizeof(SIZE_T), PsCreateSuccess);
    detail(" process 0x%lx thread 0x%lx pid 0x%x tid 0x%x%s", hp, ht, p->pid, t->tid, wow64 ? " WOW64" : "");
    return STATUS_SUCCESS;
}

static NTSTATUS svc_NtWaitForSingleObject(const uptr *a)
{
    /* Handle, Alertable, Timeout */
    struct object *o;
    detail(" 0x%lx", a[0]);
    NTSTATUS s = reference(a[0], 0, SYNCHRONIZE, &o);
    if (s)
        return s;
    detail(" (%s %s)", type_names[o->type], o->name);
    int timeout = 0;
    if (a[2]) {
        PROBE_READ(a[2], 8);
        (void)get64(a[2]);
        timeout = 1; /* no clock: a finite timeout expires at once */
    }
    if (signaled(o))
        return STATUS_WAIT_0;
    if (timeout)
        return STATUS_TIMEOUT;
    current->state = T_WAITING;
    current->waiting_for = o;
    schedule();
    return STATUS_WAIT_0;
}

static NTSTATUS svc_NtWaitForMultipleObjects(const uptr *a)
{
    /* Count, Handles, WaitType, Alertable, Timeout */
    ULONG count = (ULONG)a[0], type = (ULONG)a[2];
    detail(" %u %s", count, type == WaitAll ? "WaitAll" : type == WaitAny ? "WaitAny" : "(bad WaitType)");
    if (count == 0 || count > MAXIMUM_WAIT_OBJECTS)
        return STATUS_INVALID_PARAMETER_1;
    if (type != WaitAll && type != WaitAny)
        return STATUS_INVALID_PARAMETER_3;
    /* The handle array is probed and copied, then the timeout read, then
     * each handle referenced. */
    PROBE_READ(a[1], count * sizeof(HANDLE));
    uptr handles[MAXIMUM_WAIT_OBJECTS];
    copy_in(handles, a[1], count * sizeof(HANDLE));
    int timeout = 0;
    if (a[4]) {
        PROBE_READ(a[4], 8);
        (void)get64(a[4]);
        timeout = 1; /* no clock: a finite timeout expires at once */
    }
    struct object *objs[MAXIMUM_WAIT_OBJECTS];
    for (ULONG i = 0; i < count; i++) {
        detail(" 0x%lx", handles[i]);
        NTSTATUS s = reference(handles[i], 0, SYNCHRONIZE, &objs[i]);
        if (s)
            return s;
        detail(" (%s)", type_names[objs[i]->type]);
        if (type == WaitAll)
            for (ULONG j = 0; j < i; j++)
                if (objs[j] == objs[i])
                    return STATUS_INVALID_PARAMETER_MIX;
    }
    struct thread *me = current;
    me->wait_count = (int)count;
    me->wait_all = type == WaitAll;
    for (ULONG i = 0; i < count; i++)
        me->wait_objects[i] = objs[i];
    int index = wait_satisfied(me);
    if (index < 0 && !timeout) {
        me->state = T_WAITING;
        schedule();
        index = wait_satisfied(me);
    }
    me->wait_count = 0;
    if (index < 0)
        return STATUS_TIMEOUT;
    return STATUS_WAIT_0 + index;
}

static NTSTATUS svc_NtYieldExecution(const uptr *a)
{
    (void)a;
    for (int i = 0; i < MAX_THREADS; i++)
        if (threads[i].state == T_READY && &threads[i] != current) {
            schedule();
            return STATUS_SUCCESS;
        }
    return STATUS_NO_YIELD_PERFORMED;
}

static void print_line(const char *name, const char *result);

/* Leaves the current thread for good. */
static void die(void) __attribute__((noreturn));
static void die(void)
{
    schedule();
    panic("a dead thread ran");
}

static NTSTATUS svc_NtTerminateThread(const uptr *a)
{
    /* ThreadHandle (NULL = the current thread), ExitStatus */
    struct object *o;
    NTSTATUS status = (NTSTATUS)a[1];
    detail(" 0x%lx status 0x%08x", a[0], (ULONG)status);
    NTSTATUS s = reference(a[0] ? a[0] : (uptr)-2, OT_THREAD, THREAD_TERMINATE, &o);
    if (s)
        return s;
    struct thread *t = o->thread;
    if (t->state == T_DEAD)
        return STATUS_SUCCESS;
    if (t != current) {
        thread_end(t, status);
        return STATUS_SUCCESS;
    }
    print_line("NtTerminateThread", "does not return");
    thread_end(t, status);
    die();
}

static NTSTATUS svc_NtTerminateProcess(const uptr *a)
{
    /* ProcessHandle (NULL: every other thread of the current process),
     * ExitStatus */
    struct object *o;
    NTSTATUS status = (NTSTATUS)a[1];
    detail(" 0x%lx status 0x%08x", a[0], (ULONG)status);
    struct process *p = current->process;
    if (a[0]) {
        NTSTATUS s = reference(a[0], OT_PROCESS, PROCESS_TERMINATE, &o);
        if (s)
            return s;
        p = o->process;
    }
    if (p->exited)
        return STATUS_PROCESS_IS_TERMINATING;
    for (int i = 0; i < MAX_THREADS; i++)
        if (threads[i].process == p && &threads[i] != current)
            thread_end(&threads[i], status);
    if (!a[0] || p != current->process) {
        /* NULL: the others are gone, the caller goes on (RtlExitUserProcess
         * then calls again with NtCurrentProcess()). */
        if (!a[0])
            p->exit_status = status;
        return STATUS_SUCCESS;
    }
    print_line("NtTerminateProcess", "does not return");
    p->exit_status = status;
    struct thread *me = current;
    me->state = T_DEAD;
    me->exit_status = status;
    wake(me->object);
    p->threads_alive--;
    process_exit(p, status);
    die();
}

/* ------------------------------------------------------------------ */
/* The dispatcher                                                       */

struct service {
    ULONG nr;
    const char *name;
    int nargs;
    NTSTATUS (*fn)(const uptr *args);
};

static const struct service services[] = {
#define SERVICE(name, n) {NR_##name, #name, n, svc_##name},
#include "services.h"
#undef SERVICE
};


static void print_line(const char *name, const char *result)
{
    kprintf("nt: pid 0x%x tid 0x%x %s%s -> %s\n", current->process->pid, current->tid, name, current->detail,
            result);
}

/* A self-check of the calling convention, through the physical mapping
 * (no touch of user memory the recorder would see): the `depth` words at
 * `sp` must be return addresses into the user image (x64: the stub's
 * return address at rsp; x86: at edx the return into the stub from
 * `call [edx]`, above it the return into the stub's caller). */
void check_user_returns(uptr sp, int depth)
{
    for (int i = 0; i < depth; i++) {
        uptr at = sp + (uptr)i * sizeof(uptr);
        uptr pa = arch_lookup(current->process->space, at & ~(PAGE - 1));
        uptr ret = pa ? *(uptr *)((u8 *)P2V(pa) + (at & (PAGE - 1))) : 0;
        if (ret < (uptr)__user_start || ret >= (uptr)__user_end)
            panic("the word at user sp %p + %d is %p, not a return address into the user image", (void *)sp,
                  i * (int)sizeof(uptr), (void *)ret);
    }
}

NTSTATUS nt_dispatch(ULONG nr, const uptr *regs, int nregs, uptr stack, int via)
{
    /* The low 12 bits index a service table; the bits above choose it
     * (x64: bit 12, x86: bits 12-13), as KiSystemCall64 / KiFastCallEntry
     * decode eax. Table 0 is the kernel's, 1 win32k's (not here). */
#ifdef __x86_64__
    ULONG table = (nr >> 12) & 1;
#else
    ULONG table = (nr >> 12) & 3;
#endif
    ULONG index = nr & 0xfff;
    const struct service *svc = 0;
    for (unsigned i = 0; table == 0 && i < sizeof services / sizeof services[0]; i++)
        if (services[i].nr == index)
            svc = &services[i];
    current->detail[0] = 0;
    service_count++;
    if (!svc) {
        const char *why = table == 1 ? "the win32k table, not loaded"
                          : table     ? "an empty table"
                          : index >= NT_SERVICE_LIMIT ? "past the end of the table"
                                                      : "not implemented here";
        kprintf("nt: pid 0x%x tid 0x%x service 0x%x (%s)%s -> 0x%08x STATUS_INVALID_SYSTEM_SERVICE\n",
                current->process->pid, current->tid, nr, why, via == VIA_INT2E ? " [int 0x2e]" : "",
                (ULONG)STATUS_INVALID_SYSTEM_SERVICE);
        return STATUS_INVALID_SYSTEM_SERVICE;
    }
    if (via == VIA_INT2E)
        detail(" [int 0x2e]");
    /* Copy the arguments, as KiSystemServiceCopyArguments does: those
     * in registers, then the rest from the user stack. */
    uptr args[16];
    NTSTATUS status;
    int stacked = svc->nargs > nregs ? svc->nargs - nregs : 0;
    if (stacked && !user_range_ok(stack, (uptr)stacked * sizeof(uptr), 0)) {
        status = STATUS_ACCESS_VIOLATION;
    } else {
        for (int i = 0; i < svc->nargs; i++)
            args[i] = i < nregs ? regs[i] : getptr(stack + (uptr)(i - nregs) * sizeof(uptr));
        status = svc->fn(args);
    }
    char result[16];
    ksnprintf(result, sizeof result, "0x%08x", (ULONG)status);
    print_line(svc->name, result);
    return status;
}

/* ------------------------------------------------------------------ */
/* Boot                                                                 */

static void shared_user_data_init(void)
{
    shared_user_data_pa = palloc();
    u8 *k = P2V(shared_user_data_pa);
#ifdef __x86_64__
    *(u16 *)(k + KUSD_IMAGE_NUMBER_LOW) = 0x8664;
    *(u16 *)(k + KUSD_IMAGE_NUMBER_HIGH) = 0x8664;
    *(u32 *)(k + KUSD_NT_BUILD_NUMBER) = 19045;
    *(u16 *)(k + KUSD_NATIVE_PROCESSOR_ARCHITECTURE) = 9; /* AMD64 */
    *(u32 *)(k + KUSD_NT_MAJOR_VERSION) = 10;
    *(u32 *)(k + KUSD_NT_MINOR_VERSION) = 0;
#else
    *(u16 *)(k + KUSD_IMAGE_NUMBER_LOW) = 0x014c;
    *(u16 *)(k + KUSD_IMAGE_NUMBER_HIGH) = 0x014c;
    *(u32 *)(k + KUSD_NT_BUILD_NUMBER) = 7601;
    *(u16 *)(k + KUSD_NATIVE_PROCESSOR_ARCHITECTURE) = 0; /* INTEL */
    *(u32 *)(k + KUSD_NT_MAJOR_VERSION) = 6;
    *(u32 *)(k + KUSD_NT_MINOR_VERSION) = 1;
    *(u32 *)(k + KUSD_SYSTEM_CALL) = (u32)(uptr)KiFastSystemCall;
    *(u32 *)(k + KUSD_SYSTEM_CALL_RETURN) = (u32)(uptr)KiFastSystemCallRet;
#endif
    *(u32 *)(k + KUSD_NT_PRODUCT_TYPE) = 1; /* NtProductWinNt */
    *(u8 *)(k + KUSD_PRODUCT_TYPE_IS_VALID) = 1;
    const char *root = "C:\\Windows";
    for (int i = 0; root[i]; i++)
        *(u16 *)(k + KUSD_NT_SYSTEM_ROOT + 2 * i) = (u16)root[i];
}

static void fs_init(void)
{
    file_add(VOLUME "\\Windows", 1, 0);
    file_add(VOLUME "\\vmscope", 1, 0);
    struct fnode *b = file_add(VOLUME "\\Windows\\bootstat.dat", 0, 0);
    /* bootstat.dat: a version ULONG (4), then a fixed pattern. */
    b->size = 64;
    b->data[0] = 4;
    for (int i = 4; i < 64; i++)
        b->data[i] = (u8)(0xa0 + i);
    file_add(VOLUME "\\vmscope\\input.txt", 0, "input of the synthetic NT-ABI guest\n");
    file_add(VOLUME "\\vmscope\\child.exe", 0, "MZ (the synthetic NT-ABI guest's child image)");
    file_add(VOLUME "\\vmscope\\wow64.exe", 0, "MZ (the synthetic NT-ABI guest's 32-bit image)");
    file_add(VOLUME "\\vmscope\\vmscope-nt.exe", 0, "MZ (the synthetic NT-ABI guest's image)");
    /* The first disk, as a device (\\??\\PhysicalDrive0 links to it). */
    file_add(DISK0, 0, 0)->device = 1;
}

static void registry_init(void)
{
    key_add("\\Registry");
    key_add("\\Registry\\Machine");
    key_add("\\Registry\\Machine\\Software");
    key_add("\\Registry\\Machine\\System");
    key_add("\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001");
    key_add("\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Control");
    key_add("\\REGISTRY\\MACHINE\\SYSTEM\\ControlSet001\\Control\\Session Manager");
}

void kmain(void)
{
    kprintf("\nnt: the synthetic NT-ABI guest (" ARCH_NAME "), not Windows: service numbers of %s\n",
#ifdef __x86_64__
            "Windows 10 22H2 (build 19045) x64"
#else
            "Windows 7 SP1 (build 7601) x86"
#endif
    );
    arch_init();
    shared_user_data_init();
    fs_init();
    registry_init();
    initial_process = process_create(VOLUME "\\vmscope\\vmscope-nt.exe", 0x1a4, 0x19c, 0);
    struct thread *t = thread_create(initial_process, (uptr)parent_main, initial_process->peb);
    kprintf("nt: process 0x%x (%s) thread 0x%x TEB %p PEB %p\n", initial_process->pid, initial_process->image,
            t->tid, (void *)t->teb, (void *)initial_process->peb);
    current = t;
    t->state = T_RUNNING;
    arch_activate(&t->start, initial_process->space, t->teb, t->teb32, t->kstack_top, 1);
    arch_start_first(t->ksp);
}
