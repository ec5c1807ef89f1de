/*
 * hostile.c: the "hostile" workload of the vmscope Linux test guest.  Built
 * twice, `gcc -static` (vmscope-hostile) and `gcc -m32 -static`
 * (vmscope-hostile32).
 *
 * It makes the calls a hostile or broken program makes, so that the
 * recorder and the analyzer meet them in a real trace: path pointers into
 * unmapped memory and just past a mapped page, a path with no terminator
 * that runs into a page the program cannot read, read/write lengths far
 * larger than the buffer, iovecs that point nowhere or claim huge lengths,
 * an iovec count of 2^20, structures that point nowhere, call numbers the
 * kernel does not have, and execve with an argv the kernel cannot read.
 *
 * The page the strings run into is a guard page (PROT_NONE) rather than a
 * hole, so that no later mapping can fill it: for the kernel's user copies
 * both fault alike.
 *
 * Each step is one or a few raw system calls (syscall(2), so the calls the
 * kernel sees are the ones named here), each checked for its result; a
 * line per step says what came back.  Everything is deterministic: fixed
 * addresses where it matters, fixed sizes.  Exit status 0 when every call
 * failed or succeeded as the kernel documents, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifdef __i386__
#define NAME "vmscope-hostile32"
#define HUGE_IOV_LEN 0x40000000UL /* a 32-bit ssize_t cannot take 2^40 */
#define STAT_CALL SYS_stat64
#else
#define NAME "vmscope-hostile"
#define HUGE_IOV_LEN (1UL << 40)
#define STAT_CALL SYS_stat
#endif

#define PAGE 4096
/* Above where the kernel may start the heap of a 64-bit static program
 * (up to 1 GiB past its data) and far below where mmap places mappings. */
#define PAGE_AT 0x50000000UL /* one page, guard page at 0x50001000 */
#define ARGV_AT 0x60000000UL /* the argv pages, guard page after them */
#define HUGE_COUNT (1UL << 30)
/* execve's argv: this many pointers fill whole pages up to a guard page,
 * with no NULL among them. */
#define ARGV_ENTRIES 102400

static const char SMALL_FILE[] = "/tmp/vmscope-hostile.txt";
static const char SMALL_TEXT[] = "twenty bytes of text"; /* 20 bytes */

#include "say.h"

/* A raw call; returns the result or -errno, as the kernel does. */
static long raw(long nr, long a, long b, long c, long d, long e, long f)
{
    long r = syscall(nr, a, b, c, d, e, f);
    return r == -1 ? -errno : r;
}
#define RAW1(nr, a) raw(nr, (long)(a), 0, 0, 0, 0, 0)
#define RAW2(nr, a, b) raw(nr, (long)(a), (long)(b), 0, 0, 0, 0)
#define RAW3(nr, a, b, c) raw(nr, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define RAW4(nr, a, b, c, d) raw(nr, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* Checks a result against what the kernel must give, and reports it. */
static void expect(const char *what, long got, long want)
{
    if (got != want) {
        say(NAME ": FAIL %s = %ld, expected %ld\n", what, got, want);
        failures++;
    } else {
        say(NAME ": %s = %ld\n", what, got);
    }
}

/* `pages` readable and writable pages at `at` followed by a guard page;
 * the address of the first.  Fixed, low addresses: the trace shows known
 * pointers, and a huge length added to them stays below the top of user
 * space, so the kernel's range check passes and the copy itself faults. */
static char *guarded_pages(uintptr_t at, size_t pages)
{
    char *base = mmap((void *)at, (pages + 1) * PAGE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (base != (char *)at || mprotect(base + pages * PAGE, PAGE, PROT_NONE) != 0) {
        say(NAME ": FAIL mmap/mprotect (errno %d)\n", errno);
        failures++;
        return NULL;
    }
    return base;
}

static void bad_paths(char *page)
{
    /* Unmapped low memory, and the first byte past a readable page. */
    expect("open(0x10)", RAW3(SYS_open, 0x10, O_RDONLY, 0), -EFAULT);
    expect("open(page end)", RAW3(SYS_open, page + PAGE, O_RDONLY, 0), -EFAULT);
    /* A whole page of 'A' with no terminator: the kernel copies PATH_MAX
     * (4096) bytes without finding one. */
    memset(page, 'A', PAGE);
    expect("open(4096 x A, no NUL)", RAW3(SYS_open, page, O_RDONLY, 0), -ENAMETOOLONG);
    /* 4000 bytes of 'A' before the guard page: the copy faults first. */
    expect("open(4000 x A into the guard page)", RAW3(SYS_open, page + PAGE - 4000, O_RDONLY, 0),
           -EFAULT);
}

static void huge_lengths(char *page)
{
    int null = open("/dev/null", O_WRONLY);
    int p[2];
    if (null < 0 || pipe2(p, O_NONBLOCK) != 0) {
        say(NAME ": FAIL open /dev/null or pipe2 (errno %d)\n", errno);
        failures++;
        return;
    }
    /* Static buffers: their address plus 2^30 is well inside user space
     * (the stack's might not be). */
    static char small[16] = "sixteen bytes!!";
    /* /dev/null takes any length without reading a byte. */
    expect("write(/dev/null, 16-byte buffer, 2^30)", RAW3(SYS_write, null, small, HUGE_COUNT),
           (long)HUGE_COUNT);
    /* A pipe copies until the guard page stops it: one page gets through. */
    memset(page, 'B', PAGE);
    expect("write(pipe, page, 2^30)", RAW3(SYS_write, p[1], page, HUGE_COUNT), PAGE);
    static char drain[PAGE];
    expect("read(pipe, drain, 4096)", RAW3(SYS_read, p[0], drain, sizeof drain), PAGE);
    close(null);

    /* A 20-byte file read with a count of 2^30 into a 64-byte buffer. */
    int fd = open(SMALL_FILE, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, SMALL_TEXT, strlen(SMALL_TEXT)) != (ssize_t)strlen(SMALL_TEXT) ||
        lseek(fd, 0, SEEK_SET) != 0) {
        say(NAME ": FAIL create %s (errno %d)\n", SMALL_FILE, errno);
        failures++;
        return;
    }
    static char buf[64];
    expect("read(20-byte file, 64-byte buffer, 2^30)", RAW3(SYS_read, fd, buf, HUGE_COUNT),
           (long)strlen(SMALL_TEXT));

    /* iovecs that point nowhere, an iovec array that is not there, a huge
     * iov_len, and a count of 2^20 (the kernel allows 1024). */
    struct iovec nowhere[2] = {{(void *)0x10, 8}, {(void *)0x20, 8}};
    expect("writev(pipe, iovecs at 0x10 and 0x20)", RAW3(SYS_writev, p[1], nowhere, 2), -EFAULT);
    expect("writev(pipe, iovec array at 0x30)", RAW3(SYS_writev, p[1], 0x30, 2), -EFAULT);
    memset(page, 'C', PAGE);
    struct iovec huge = {page, HUGE_IOV_LEN};
    expect("writev(pipe, {page, huge})", RAW3(SYS_writev, p[1], &huge, 1), PAGE);
    expect("read(pipe, drain, 4096) again", RAW3(SYS_read, p[0], drain, sizeof drain), PAGE);
    expect("writev(pipe, iov, 2^20)", RAW3(SYS_writev, p[1], nowhere, 1L << 20), -EINVAL);
    lseek(fd, 0, SEEK_SET);
    expect("readv(file, iovecs at 0x10 and 0x20)", RAW3(SYS_readv, fd, nowhere, 2), -EFAULT);
    expect("readv(file, iov, 2^20)", RAW3(SYS_readv, fd, nowhere, 1L << 20), -EINVAL);
    close(fd);
    close(p[0]);
    close(p[1]);
    unlink(SMALL_FILE);
}

static void bad_structures(void)
{
    expect("stat(\"/\", 0x1)", RAW2(STAT_CALL, "/", 1), -EFAULT);
    expect("nanosleep(0x8, NULL)", RAW2(SYS_nanosleep, 8, 0), -EFAULT);
    expect("rt_sigaction(SIGUSR1, 0x10, 0x20, 8)", RAW4(SYS_rt_sigaction, SIGUSR1, 0x10, 0x20, 8),
           -EFAULT);
    expect("uname(-1)", RAW1(SYS_uname, -1L), -EFAULT);
}

static void unknown_numbers(void)
{
    expect("syscall(1000, 1, 2, 3, 4, 5, 6)", raw(1000, 1, 2, 3, 4, 5, 6), -ENOSYS);
    expect("syscall(-1)", raw(-1L, 0, 0, 0, 0, 0, 0), -ENOSYS);
    /* The x32 bit on read: x32 is built but disabled in Debian's kernel
     * (and a 32-bit caller has no such numbers at all). */
    expect("syscall(0x40000000)", raw(0x40000000L, 0, 0, 0, 0, 0, 0), -ENOSYS);
}

static void bad_execs(void)
{
    static char *const envp[] = {"VMSCOPE=1", NULL};
    expect("execve(child, argv 0x10)", RAW3(SYS_execve, "/bin/vmscope-child", 0x10, envp),
           -EFAULT);
    /* 102400 pointers to "x" with no NULL before the guard page. */
    size_t pages = ARGV_ENTRIES * sizeof(char *) / PAGE;
    char **argv = (char **)guarded_pages(ARGV_AT, pages);
    if (argv == NULL)
        return;
    for (size_t i = 0; i < ARGV_ENTRIES; i++)
        argv[i] = "x";
    expect("execve(child, 102400 unterminated argv)",
           RAW3(SYS_execve, "/bin/vmscope-child", argv, envp), -EFAULT);
}

int main(void)
{
    say(NAME ": start, %d-bit, pid %d\n", (int)(8 * sizeof(void *)), (int)getpid());
    char *page = guarded_pages(PAGE_AT, 1);
    if (page != NULL) {
        say(NAME ": page at %p, guard page at %p\n", (void *)page, (void *)(page + PAGE));
        bad_paths(page);
        huge_lengths(page);
    }
    bad_structures();
    unknown_numbers();
    bad_execs();
    say(NAME ": done, %d failure(s)\n", failures);
    return failures ? 1 : 0;
}
