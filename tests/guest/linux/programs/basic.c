/*
 * basic.c: the "basic" (64-bit) and "i386" (32-bit) workloads of the vmscope
 * Linux test guest.  The same source is built twice, `gcc -static` and
 * `gcc -m32 -static`, so both ABIs make the same kind of calls and the
 * analyzer's results for the two can be compared line by line.
 *
 * It exercises what the analyzer has to get right: a file created, written,
 * reopened and read back; a failed open (ENOENT); pointers that point
 * nowhere (EFAULT); dup/dup2; a pipe shared
 * with a forked child; fork + waitpid with a known exit status; execve of
 * another program; a second thread (clone via pthread_create).  The 32-bit
 * build also makes raw `int $0x80` calls and calls the vDSO entry point
 * (__kernel_vsyscall) itself, so every 32-bit entry mechanism is covered.
 *
 * Everything is deterministic: fixed paths, fixed strings, fixed exit codes.
 * Each progress line is one write(1, ...) so it is easy to find in a trace.
 * Exit status: 0 when every check passed, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __i386__
#include <sys/auxv.h>
#endif

#ifdef __i386__
#define NAME "vmscope-i386"
#define CHILD "/bin/vmscope-child32" /* exec a program of the same width */
#else
#define NAME "vmscope-basic"
#define CHILD "/bin/vmscope-child"
#endif

static const char TEST_PATH[] = "/tmp/vmscope-test.txt";
static const char MESSAGE[] = "hello from vmscope\n";
static const char MISSING_PATH[] = "/vmscope/does-not-exist";
static const char PIPE_MESSAGE[] = "through the pipe\n";
enum { CHILD_STATUS = 7, EXEC_STATUS = 3, DUP2_FD = 10 };

#include "say.h"

static void check(int ok, const char *what)
{
    if (!ok) {
        say(NAME ": FAIL %s (last errno %d: %s)\n", what, errno, strerror(errno));
        failures++;
    }
}

/* Create the test file, write the message, close; reopen it read-only and
 * read the message back. */
static void file_io(void)
{
    char buf[64] = {0};
    int fd = open(TEST_PATH, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0, "create test file");
    ssize_t n = write(fd, MESSAGE, strlen(MESSAGE));
    check(n == (ssize_t)strlen(MESSAGE), "write test file");
    check(close(fd) == 0, "close test file");

    fd = open(TEST_PATH, O_RDONLY);
    check(fd >= 0, "reopen test file");
    n = read(fd, buf, sizeof buf - 1);
    check(n == (ssize_t)strlen(MESSAGE) && strcmp(buf, MESSAGE) == 0, "read back test file");
    check(close(fd) == 0, "close reopened test file");
    say(NAME ": file: wrote and read back %d bytes via %s\n", (int)n, TEST_PATH);
}

/* Opening a path that does not exist must fail with ENOENT. */
static void missing_file(void)
{
    int fd = open(MISSING_PATH, O_RDONLY);
    int err = errno;
    check(fd == -1 && err == ENOENT, "open of a missing path gives ENOENT");
    say(NAME ": missing: open(%s) = %d, errno %d (%s)\n", MISSING_PATH, fd, err, strerror(err));
}

/* dup gives the lowest free fd, dup2 a chosen one; all share one file offset,
 * so reading 6 bytes through each walks along the message. */
/* Pointers that point nowhere: the kernel fails the calls with EFAULT, and
 * a tracer can only show the addresses. */
static void bad_pointers(void)
{
    /* volatile: keep the compiler from reasoning about the bad values. */
    const char *volatile path = (const char *)1;
    const void *volatile buffer = (const void *)16;
    int fd = open(path, O_RDONLY);
    int open_err = errno;
    check(fd == -1 && open_err == EFAULT, "open of a bad path pointer gives EFAULT");
    ssize_t n = write(STDOUT_FILENO, buffer, 8);
    int write_err = errno;
    check(n == -1 && write_err == EFAULT, "write from a bad buffer gives EFAULT");
    say(NAME ": bad pointers: open = %d (errno %d), write = %d (errno %d)\n", fd, open_err,
        (int)n, write_err);
}

static void dups(void)
{
    char a[8] = {0}, b[8] = {0};
    int fd = open(TEST_PATH, O_RDONLY);
    check(fd >= 0, "open for dup");
    int d = dup(fd);
    check(d >= 0, "dup");
    check(dup2(fd, DUP2_FD) == DUP2_FD, "dup2");
    check(read(d, a, 6) == 6 && memcmp(a, "hello ", 6) == 0, "read through dup");
    check(read(DUP2_FD, b, 5) == 5 && memcmp(b, "from ", 5) == 0, "read through dup2 (shared offset)");
    check(close(DUP2_FD) == 0 && close(d) == 0 && close(fd) == 0, "close dups");
    say(NAME ": dup: fd %d, dup -> %d, dup2 -> %d\n", fd, d, DUP2_FD);
}

/* A pipe inherited across fork: the child writes into it and exits with a
 * known status; the parent reads the message and reaps the child. */
static void pipe_fork(void)
{
    int p[2];
    char buf[64] = {0};
    check(pipe(p) == 0, "pipe");
    pid_t pid = fork();
    check(pid >= 0, "fork");
    if (pid == 0) {
        close(p[0]);
        say(NAME ": child: pid %d writing to the pipe\n", (int)getpid());
        ssize_t n = write(p[1], PIPE_MESSAGE, strlen(PIPE_MESSAGE));
        _exit(n == (ssize_t)strlen(PIPE_MESSAGE) ? CHILD_STATUS : 1);
    }
    close(p[1]);
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    check(n == (ssize_t)strlen(PIPE_MESSAGE) && strcmp(buf, PIPE_MESSAGE) == 0, "read from pipe");
    close(p[0]);
    int status = 0;
    check(waitpid(pid, &status, 0) == pid, "waitpid");
    check(WIFEXITED(status) && WEXITSTATUS(status) == CHILD_STATUS, "child exit status");
    say(NAME ": fork: child %d exited with %d after sending %d bytes\n",
        (int)pid, WIFEXITED(status) ? WEXITSTATUS(status) : -1, (int)n);
}

/* fork + execve of another program with a chosen argv and environment. */
static void fork_exec(void)
{
    pid_t pid = fork();
    check(pid >= 0, "fork for exec");
    if (pid == 0) {
        char *argv[] = {"vmscope-child", "from-" NAME, NULL};
        char *envp[] = {"VMSCOPE=1", NULL};
        execve(CHILD, argv, envp);
        _exit(127); /* only reached if execve failed */
    }
    int status = 0;
    check(waitpid(pid, &status, 0) == pid, "waitpid for exec");
    check(WIFEXITED(status) && WEXITSTATUS(status) == EXEC_STATUS, "exec'd child exit status");
    say(NAME ": exec: %s in pid %d exited with %d\n", CHILD, (int)pid,
        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* A second thread of the same process (clone with CLONE_THREAD): it has its
 * own TID but shares the fd table, so the file it opens is the process's. */
static void *thread_main(void *arg)
{
    (void)arg;
    char buf[8] = {0};
    int fd = open(TEST_PATH, O_RDONLY);
    check(fd >= 0 && read(fd, buf, 5) == 5 && memcmp(buf, "hello", 5) == 0, "read in thread");
    close(fd);
    say(NAME ": thread: tid %d in pid %d read the test file\n", (int)syscall(SYS_gettid), (int)getpid());
    return NULL;
}

static void thread(void)
{
    pthread_t t;
    int err = pthread_create(&t, NULL, thread_main, NULL);
    errno = err;
    check(err == 0, "pthread_create");
    if (err == 0)
        check(pthread_join(t, NULL) == 0, "pthread_join");
}

#ifdef __i386__
/* Raw 32-bit system calls: number in eax, arguments in ebx, ecx, edx,
 * result (or -errno) in eax. */
static long int80(long nr, long a, long b, long c)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return ret;
}

/* The same through the vDSO entry point the kernel passes in AT_SYSINFO:
 * __kernel_vsyscall uses sysenter on an Intel-vendor CPU, syscall on AMD,
 * and int $0x80 otherwise.  It preserves every register but eax. */
static long vsyscall(void *entry, long nr, long a, long b, long c)
{
    long ret;
    __asm__ volatile("call *%[entry]"
                     : "=a"(ret)
                     : [entry] "r"(entry), "a"(nr), "b"(a), "c"(b), "d"(c)
                     : "memory");
    return ret;
}

/* Which instruction __kernel_vsyscall enters the kernel with: the kernel
 * patches it at boot for the CPU (alternatives), ahead of a fallback
 * int $0x80, so the first of these in the code is the one used. */
static const char *vsyscall_mechanism(const unsigned char *code)
{
    for (int i = 0; i < 32; i++) {
        if (code[i] == 0x0f && code[i + 1] == 0x34)
            return "sysenter";
        if (code[i] == 0x0f && code[i + 1] == 0x05)
            return "syscall";
        if (code[i] == 0xcd && code[i + 1] == 0x80)
            return "int $0x80";
    }
    return "unknown";
}

static void raw_calls(void)
{
    static const char raw_msg[] = NAME ": int80: write via int $0x80\n";
    static const char vdso_msg[] = NAME ": vdso: write via __kernel_vsyscall\n";

    long pid = int80(SYS_getpid, 0, 0, 0);
    check(pid == getpid(), "int $0x80 getpid");
    check(int80(SYS_write, 1, (long)raw_msg, sizeof raw_msg - 1) == (long)sizeof raw_msg - 1,
          "int $0x80 write");
    long r = int80(SYS_open, (long)MISSING_PATH, O_RDONLY, 0);
    check(r == -ENOENT, "int $0x80 open of a missing path");
    say(NAME ": int80: getpid = %ld, open(%s) = %ld\n", pid, MISSING_PATH, r);

    void *entry = (void *)getauxval(AT_SYSINFO);
    check(entry != NULL, "AT_SYSINFO present");
    if (entry == NULL)
        return;
    pid = vsyscall(entry, SYS_getpid, 0, 0, 0);
    check(pid == getpid(), "vDSO getpid");
    check(vsyscall(entry, SYS_write, 1, (long)vdso_msg, sizeof vdso_msg - 1) == (long)sizeof vdso_msg - 1,
          "vDSO write");
    r = vsyscall(entry, SYS_open, (long)MISSING_PATH, O_RDONLY, 0);
    check(r == -ENOENT, "vDSO open of a missing path");
    say(NAME ": vdso: getpid = %ld, open(%s) = %ld\n", pid, MISSING_PATH, r);
    say(NAME ": vdso: __kernel_vsyscall enters the kernel with %s\n", vsyscall_mechanism(entry));
}
#endif

int main(void)
{
    say(NAME ": start, %d-bit, pid %d\n", (int)(8 * sizeof(void *)), (int)getpid());
    file_io();
    missing_file();
    bad_pointers();
    dups();
    pipe_fork();
    fork_exec();
    thread();
#ifdef __i386__
    raw_calls();
#endif
    check(unlink(TEST_PATH) == 0, "unlink test file");
    say(NAME ": done, %d failure(s)\n", failures);
    return failures ? 1 : 0;
}
