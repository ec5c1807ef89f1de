/*
 * loop.c: the "loop" workload, a syscall-heavy loop for benchmarks.  Each
 * iteration makes two cheap system calls, getppid() and a 1-byte write to
 * /dev/null, so the run is dominated by syscall entry/exit rather than by
 * work inside the kernel.  Usage: vmscope-loop [ITERATIONS] (default 200000).
 * The elapsed time is printed for information only; the count is exact.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long iterations = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    struct timespec t0, t1;
    long ok = 0;
    char line[160];

    int fd = open("/dev/null", O_WRONLY);
    if (fd < 0) {
        perror("vmscope-loop: open /dev/null");
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0); /* vDSO: no system call */
    for (long i = 0; i < iterations; i++) {
        /* syscall() rather than getppid(): nothing may cache the result. */
        syscall(SYS_getppid);
        if (write(fd, "x", 1) == 1)
            ok++;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    close(fd);

    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    int n = snprintf(line, sizeof line,
                     "vmscope-loop: %ld iterations (%ld system calls in the loop) in %.3f s guest time\n",
                     iterations, 2 * iterations, secs);
    if (n > 0)
        write(STDOUT_FILENO, line, strlen(line));
    return ok == iterations ? 0 : 1;
}
