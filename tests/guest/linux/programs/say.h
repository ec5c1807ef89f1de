// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * say.h: how the test programs print a progress line.  One line, one
 * write(2) call: stdio buffering would make the number and size of writes
 * depend on whether stdout is a terminal, and each line must be easy to
 * find in a trace.  A line is cut at 255 bytes; a failed write counts in
 * `failures`, which a program may report in its exit status.
 */
#ifndef VMSCOPE_SAY_H
#define VMSCOPE_SAY_H

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static int failures;

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line)
        n = sizeof line - 1;
    if (write(STDOUT_FILENO, line, (size_t)n) < 0)
        failures++;
}

#endif
