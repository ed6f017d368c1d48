/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Minimal TAP output for C unit tests: ok(cond, fmt, ...), then tap_done(). */
#ifndef SAVEDUMP_TAP_H
#define SAVEDUMP_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3))) static bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
	if (!cond)
		tap_failed++;
	return cond;
}

static bool is_str(const char *got, const char *want, const char *what)
{
	bool eq = got && want ? strcmp(got, want) == 0 : got == want;
	if (!eq)
		printf("# %s: got '%s', want '%s'\n", what, got ? got : "(null)",
		       want ? want : "(null)");
	return ok(eq, "%s", what);
}

static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
