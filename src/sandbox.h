/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running code that parses hostile bytes (a third-party library reading a
 * dump) in a forked child with memory and CPU-time limits, as
 * systemd-coredump does. The child writes its result as bytes to a pipe;
 * the parent reads all of it and reaps the child. A child that dies of a
 * signal, hits a limit or exits non-zero becomes a one-line SD_ERROR_INPUT:
 *
 *   VMCORE: libkdumpfile crashed reading the dump (SIGSEGV); the dump is damaged or hostile
 *
 * Under AddressSanitizer RLIMIT_AS is not set: ASan reserves terabytes of
 * address space for its shadow memory, so any sane limit would make every
 * child fail at its first allocation. The CPU and wall-clock limits and
 * the result cap still apply there.
 */
#ifndef SAVEDUMP_SANDBOX_H
#define SAVEDUMP_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum {
	SD_SANDBOX_DEFAULT_AS_MIB = 1024,	/* RLIMIT_AS of the child */
	SD_SANDBOX_DEFAULT_CPU = 10,		/* RLIMIT_CPU, seconds */
	SD_SANDBOX_DEFAULT_RESULT = 256 << 20,	/* bytes of result the parent accepts */
	/* fn's exit status for "out of memory": reported as such, not as a failure. */
	SD_SANDBOX_EXIT_NOMEM = 125,
};

struct sd_sandbox {
	/* Who runs in the child, starting every message: "VMCORE: libkdumpfile". */
	const char *who;
	/* What it does there, after the verb: "reading the dump". */
	const char *doing;
	/* Limits; 0 means the default. */
	uint64_t address_space;	/* bytes the child may map beyond the parent's (RLIMIT_AS) */
	unsigned cpu_seconds;	/* RLIMIT_CPU: SIGXCPU at this, SIGKILL a second later */
	unsigned wall_seconds;	/* the parent kills the child then; default 4 x cpu_seconds */
	size_t max_result;	/* a larger result kills the child and is an error */
};

/*
 * Run fn(arg, out_fd) in a child process. fn writes its result to out_fd
 * (a pipe; use sd_write_full) and returns the child's exit status: 0, or
 * SD_SANDBOX_EXIT_NOMEM, or another non-zero status that is reported as a
 * failure. The child never returns into the caller's code: it _exit()s with
 * fn's status, so no atexit handler or stdio buffer of the parent runs in it.
 * In the child SIGINT, SIGTERM, SIGHUP, SIGBUS and SIGPIPE have their default
 * action (the parent's handlers clean up the parent's files), core dumps
 * are off and the child dies with the parent.
 *
 * On success *ret_data is a malloc'ed copy of everything the child wrote,
 * followed by a NUL byte not counted in *ret_size (ret_data may be NULL to
 * discard it). A child that writes nothing and exits 0 gives size 0.
 */
struct sd_error *sd_sandbox_run(const struct sd_sandbox *sb, int (*fn)(void *arg, int out_fd),
				void *arg, void **ret_data, size_t *ret_size);

/* Whether RLIMIT_AS is applied in this build (not under AddressSanitizer). */
bool sd_sandbox_limits_memory(void);

#endif
