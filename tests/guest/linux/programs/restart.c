// SPDX-License-Identifier: GPL-2.0-or-later
// Calls the kernel restarts after a signal, for the journal's ERESTART*
// display: a read on a pipe interrupted by a handled SIGUSR1 (SA_RESTART:
// ERESTARTSYS, then the read again), and a sleep stopped by SIGSTOP and
// continued by SIGCONT (ERESTART_RESTARTBLOCK, then restart_syscall).
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void on_usr1(int sig) { (void)sig; }

static void pause_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

int main(void) {
    int fds[2];
    if (pipe(fds) != 0) return 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        pause_ms(200);
        kill(parent, SIGUSR1);  // the parent is blocked in read
        pause_ms(200);
        if (write(fds[1], "x", 1) != 1) _exit(1);
        pause_ms(200);
        kill(parent, SIGSTOP);  // the parent is asleep
        pause_ms(100);
        kill(parent, SIGCONT);
        _exit(0);
    }
    char c;
    if (read(fds[0], &c, 1) != 1 || c != 'x') return 2;
    struct timespec t = {0, 600 * 1000000L};
    if (nanosleep(&t, NULL) != 0) return 3;
    int status;
    if (waitpid(child, &status, 0) != child || status != 0) return 4;
    printf("restart: ok\n");
    return 0;
}
