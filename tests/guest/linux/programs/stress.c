/*
 * stress.c: the "stress" workload of the vmscope Linux test guest, made to
 * push the recorder's writer as hard as a guest can: for SECONDS (default
 * 3) of guest time, five threads at once
 *   - two flood cheap calls: getppid() and a 1-byte write to /dev/null;
 *   - one writes 1 MiB buffers of pseudo-random bytes (which compress
 *     badly) into a pipe, another reads them out 1 MiB at a time;
 *   - one reads 1 MiB from /dev/zero and writes it to /dev/null.
 * Run it on -smp 2 or more.  Usage: vmscope-stress [SECONDS].  It prints
 * the counts it made; exit status 0 when every thread ran and every byte
 * written into the pipe came out of it, 1 otherwise.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MIB (1L << 20)
#define CHEAP_THREADS 2

static volatile int stop;
static int pipe_fds[2];
static int null_fd, zero_fd;

struct counts {
    long calls;
    long bytes;
};

#include "say.h"

static void *cheap(void *arg)
{
    struct counts *c = arg;
    while (!stop) {
        syscall(SYS_getppid);
        if (write(null_fd, "x", 1) == 1)
            c->bytes++;
        c->calls += 2;
    }
    return NULL;
}

static void *pipe_writer(void *arg)
{
    struct counts *c = arg;
    char *buf = malloc(MIB);
    if (buf == NULL)
        return NULL;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (long i = 0; i < MIB; i += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        memcpy(buf + i, &x, 8);
    }
    while (!stop) {
        for (long done = 0; done < MIB;) {
            ssize_t n = write(pipe_fds[1], buf + done, MIB - done);
            c->calls++;
            if (n <= 0)
                goto out;
            done += n;
            c->bytes += n;
        }
        buf[0]++; /* not quite the same megabyte each time */
    }
out:
    close(pipe_fds[1]);
    free(buf);
    return NULL;
}

static void *pipe_reader(void *arg)
{
    struct counts *c = arg;
    char *buf = malloc(MIB);
    if (buf == NULL)
        return NULL;
    ssize_t n;
    while ((n = read(pipe_fds[0], buf, MIB)) > 0) {
        c->calls++;
        c->bytes += n;
    }
    c->calls++;
    free(buf);
    return NULL;
}

static void *zero_to_null(void *arg)
{
    struct counts *c = arg;
    char *buf = malloc(MIB);
    if (buf == NULL)
        return NULL;
    while (!stop) {
        ssize_t n = read(zero_fd, buf, MIB);
        if (n > 0 && write(null_fd, buf, (size_t)n) == n)
            c->bytes += n;
        c->calls += 2;
    }
    free(buf);
    return NULL;
}

int main(int argc, char **argv)
{
    long seconds = argc > 1 ? strtol(argv[1], NULL, 10) : 3;
    null_fd = open("/dev/null", O_WRONLY);
    zero_fd = open("/dev/zero", O_RDONLY);
    if (null_fd < 0 || zero_fd < 0 || pipe(pipe_fds) != 0) {
        perror("vmscope-stress: setup");
        return 1;
    }
    /* A 1 MiB pipe (the default limit for an unprivileged pipe too). */
    fcntl(pipe_fds[1], F_SETPIPE_SZ, (int)MIB);
    say("vmscope-stress: start, %ld s, %d threads\n", seconds, CHEAP_THREADS + 3);

    struct counts cheap_counts[CHEAP_THREADS] = {{0}}, wrote = {0}, got = {0}, zero = {0};
    pthread_t threads[CHEAP_THREADS + 3];
    int n = 0;
    for (int i = 0; i < CHEAP_THREADS; i++)
        pthread_create(&threads[n++], NULL, cheap, &cheap_counts[i]);
    pthread_create(&threads[n++], NULL, pipe_writer, &wrote);
    pthread_create(&threads[n++], NULL, pipe_reader, &got);
    pthread_create(&threads[n++], NULL, zero_to_null, &zero);

    struct timespec t = {seconds, 0};
    nanosleep(&t, NULL);
    stop = 1;
    for (int i = 0; i < n; i++)
        pthread_join(threads[i], NULL);

    long cheap_calls = 0;
    for (int i = 0; i < CHEAP_THREADS; i++)
        cheap_calls += cheap_counts[i].calls;
    say("vmscope-stress: %ld cheap calls, pipe %ld bytes in %ld writes and %ld in %ld reads, "
        "%ld bytes from /dev/zero to /dev/null in %ld calls\n",
        cheap_calls, wrote.bytes, wrote.calls, got.bytes, got.calls, zero.bytes, zero.calls);
    int ok = cheap_calls > 0 && wrote.bytes > 0 && wrote.bytes == got.bytes && zero.bytes > 0;
    say("vmscope-stress: done, %s\n", ok ? "ok" : "FAIL");
    return ok ? 0 : 1;
}
