/*
 * child.c: the program that the basic/i386 workloads execve.  Built 64-bit
 * (/bin/vmscope-child) and 32-bit (/bin/vmscope-child32) so that an exec
 * never changes width.  It prints its arguments and the one environment
 * variable it was given, then exits with status 3, which the parent checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char line[256];
    const char *env = getenv("VMSCOPE");
    int n = snprintf(line, sizeof line, "vmscope-child: %d-bit, pid %d, argc %d, argv[1] %s, VMSCOPE=%s\n",
                     (int)(8 * sizeof(void *)), (int)getpid(), argc, argc > 1 ? argv[1] : "(none)",
                     env ? env : "(unset)");
    if (n > 0)
        write(STDOUT_FILENO, line, strlen(line)); /* one line, one write */
    return 3;
}
