// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fault injection for tests/e2e/crafted.sh, loaded with LD_PRELOAD: makes
 * libkdumpfile's kdump_open_fdset() (what kdump_open_fd() calls) fail the
 * way a crafted dump makes it fail, as chosen by SD_KDUMP_FAULT: "segv" (a
 * wild read), "abort", "exit" (the process exits 9). Anything else calls the real function. It stands in
 * for a libkdumpfile bug that savedump's own checks do not know yet, so the
 * sandbox around it is tested.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int open_fdset_fn(void *ctx, unsigned nfds, const int *fds);

int kdump_open_fdset(void *ctx, unsigned nfds, const int *fds)
{
	const char *fault = getenv("SD_KDUMP_FAULT");
	if (fault && !strcmp(fault, "segv"))
		return *(volatile int *)(uintptr_t)16;
	if (fault && !strcmp(fault, "abort"))
		abort();
	if (fault && !strcmp(fault, "exit"))
		_exit(9);
	open_fdset_fn *real = (open_fdset_fn *)dlsym(RTLD_NEXT, "kdump_open_fdset");
	return real(ctx, nfds, fds);
}
