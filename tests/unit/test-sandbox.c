// SPDX-License-Identifier: GPL-2.0-or-later
/* The sandbox: results over the pipe, and every way a child can go wrong becoming one error line. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"
#include "tap.h"
#include "util.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_str(void *arg, int fd)
{
	return sd_write_full(fd, arg, strlen(arg)) ? 0 : 1;
}

enum { BIG = 48 << 20 };

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 2654435761u >> 13);
}

static int write_big(void *arg, int fd)
{
	size_t total = *(size_t *)arg;
	static uint8_t chunk[1 << 16];
	for (size_t done = 0; done < total;) {
		size_t n = total - done < sizeof(chunk) ? total - done : sizeof(chunk);
		for (size_t i = 0; i < n; i++)
			chunk[i] = pattern(done + i);
		if (!sd_write_full(fd, chunk, n))
			return 1;
		done += n;
	}
	return 0;
}

static int write_nothing(void *arg, int fd)
{
	(void)arg;
	(void)fd;
	return 0;
}

static int segfault(void *arg, int fd)
{
	(void)fd;
	*(volatile int *)arg = 1;	/* arg is a wild pointer (not NULL: UBSan would say so first) */
	return 0;
}

static int do_abort(void *arg, int fd)
{
	(void)arg;
	(void)fd;
	abort();
}

static int spin(void *arg, int fd)
{
	(void)arg;
	(void)fd;
	for (volatile uint64_t i = 0;; i++)
		;
	return 0;
}

static int sleep_forever(void *arg, int fd)
{
	(void)arg;
	if (fd >= 0 && *(int *)arg)
		close(fd);	/* closes its end, then does not exit */
	for (;;)
		pause();
	return 0;
}

static int huge_malloc(void *arg, int fd)
{
	(void)arg;
	(void)fd;
	size_t size = (size_t)2 << 30;
	/* Through a volatile pointer: the compiler may not assume that malloc succeeds. */
	void *(*volatile allocate)(size_t) = malloc;
	char *p = allocate(size);
	if (!p)
		return SD_SANDBOX_EXIT_NOMEM;
	memset(p, 1, size);
	return sd_write_full(fd, p + size - 9, 9) ? 0 : 1;
}

static int exit_3(void *arg, int fd)
{
	(void)arg;
	sd_write_full(fd, "partial", 7);
	return 3;
}

/* Reports what the child's process state is. */
static int state(void *arg, int fd)
{
	(void)arg;
	struct rlimit core, cpu;
	struct sigaction term;
	getrlimit(RLIMIT_CORE, &core);
	getrlimit(RLIMIT_CPU, &cpu);
	sigaction(SIGTERM, NULL, &term);
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "dumpable=%d core=%llu cpu=%llu term=%s",
			 prctl(PR_GET_DUMPABLE), (unsigned long long)core.rlim_cur,
			 (unsigned long long)cpu.rlim_max,
			 term.sa_handler == SIG_DFL ? "dfl" : "caught");
	return sd_write_full(fd, buf, (size_t)n) ? 0 : 1;
}

static volatile sig_atomic_t handled;
static void on_signal(int sig)
{
	(void)sig;
	handled++;
}

static int raise_term(void *arg, int fd)
{
	(void)arg;
	raise(SIGTERM);
	/* Only reached if the parent's handler ran instead of the default action. */
	sd_write_full(fd, "survived", 8);
	return 0;
}

static int slow_write(void *arg, int fd)
{
	(void)arg;
	struct timespec t = { 0, 300 * 1000000 };
	while (nanosleep(&t, &t) < 0)
		;
	return sd_write_full(fd, "late", 4) ? 0 : 1;
}

static bool one_line(const struct sd_error *err)
{
	return err && err->message && !strchr(err->message, '\n');
}

static bool matches(const struct sd_error *err, const char *what)
{
	return err && err->code == SD_ERROR_INPUT && strstr(err->message, what) &&
	       strstr(err->message, "; the dump is damaged or hostile") && one_line(err);
}

static bool has(const struct sd_error *err, const char *what)
{
	bool yes = matches(err, what);
	if (!yes)
		printf("# want '%s', got: %s\n", what, err ? err->message : "success");
	return yes;
}

int main(void)
{
	const struct sd_sandbox sb = { .who = "TEST: the parser", .doing = "reading the dump",
				       .cpu_seconds = 1, .wall_seconds = 3 };
	void *data = NULL;
	size_t size = 0;
	struct sd_error *err;

	char hello[] = "hello";
	err = sd_sandbox_run(&sb, write_str, hello, &data, &size);
	ok(!err && size == 5 && memcmp(data, "hello", 6) == 0, "a small result comes back whole");
	sd_error_destroy(err);
	free(data);
	data = NULL;

	/* Time enough to copy 48 MiB on a busy machine under ASan. */
	struct sd_sandbox slow = sb;
	slow.cpu_seconds = 30;
	slow.wall_seconds = 60;
	size_t big = BIG;
	err = sd_sandbox_run(&slow, write_big, &big, &data, &size);
	bool same = !err && size == BIG;
	for (size_t i = 0; same && i < BIG; i++)
		same = ((uint8_t *)data)[i] == pattern(i);
	if (err)
		printf("# %s\n", err->message);
	ok(same, "a 48 MiB result comes back byte for byte");
	sd_error_destroy(err);
	free(data);
	data = NULL;

	struct sd_sandbox small = sb;
	small.max_result = 1 << 20;
	big = 2 << 20;
	err = sd_sandbox_run(&small, write_big, &big, &data, &size);
	ok(has(err, "more than 1048576 bytes"), "a result over the cap is an error");
	ok(data == NULL, "and no result is returned");
	sd_error_destroy(err);
	big = 1 << 20;
	err = sd_sandbox_run(&small, write_big, &big, &data, &size);
	ok(!err && size == 1 << 20, "a result of exactly the cap is accepted");
	sd_error_destroy(err);
	free(data);
	data = NULL;

	size = 99;
	err = sd_sandbox_run(&sb, write_nothing, NULL, &data, &size);
	ok(!err && size == 0 && data && !*(char *)data,
	   "a child that writes nothing gives an empty result");
	sd_error_destroy(err);
	free(data);
	data = NULL;

	err = sd_sandbox_run(&sb, segfault, (void *)(uintptr_t)16, &data, &size);
	/* Under ASan its SEGV handler reports, then exits 1 (or aborts: abort_on_error=1). */
	ok(matches(err, "TEST: the parser crashed reading the dump (SIGSEGV)") ||
	   (!sd_sandbox_limits_memory() &&
	    (matches(err, "crashed reading the dump (SIGABRT)") || matches(err, "exit status 1"))) ||
	   has(err, "(SIGSEGV)"), "a segfault is an error");
	sd_error_destroy(err);

	err = sd_sandbox_run(&sb, do_abort, NULL, &data, &size);
	ok(has(err, "crashed reading the dump (SIGABRT)"), "an abort is an error");
	sd_error_destroy(err);

	/* CPU time, not wall-clock time: the machine may be busy. */
	struct sd_sandbox cpu = sb;
	cpu.wall_seconds = 20;
	int64_t t0 = now_ms();
	err = sd_sandbox_run(&cpu, spin, NULL, &data, &size);
	int64_t spent = now_ms() - t0;
	ok(has(err, "it used its 1 s of CPU time (SIGXCPU)"),
	   "an endless loop is stopped by the CPU limit");
	ok(spent < 15000, "long before the wall-clock limit (%lld ms)", (long long)spent);
	sd_error_destroy(err);

	int close_first = 0;
	t0 = now_ms();
	err = sd_sandbox_run(&sb, sleep_forever, &close_first, &data, &size);
	spent = now_ms() - t0;
	ok(has(err, "did not finish reading the dump within 3 s"), "a sleeping child is killed");
	ok(spent >= 2900 && spent < 5000, "after the wall-clock limit (%lld ms)", (long long)spent);
	sd_error_destroy(err);
	close_first = 1;
	err = sd_sandbox_run(&sb, sleep_forever, &close_first, &data, &size);
	ok(has(err, "did not finish"), "so is one that closes its pipe and stays");
	sd_error_destroy(err);

	if (sd_sandbox_limits_memory()) {
		struct sd_sandbox mem = sb;
		mem.address_space = 256 << 20;
		err = sd_sandbox_run(&mem, huge_malloc, NULL, &data, &size);
		ok(has(err, "ran out of memory reading the dump (limit 256 MiB)"),
		   "a 2 GiB allocation fails under a 256 MiB RLIMIT_AS");
		sd_error_destroy(err);
	} else {
		ok(true, "# SKIP RLIMIT_AS is not applied under AddressSanitizer");
	}

	err = sd_sandbox_run(&sb, exit_3, NULL, &data, &size);
	ok(has(err, "failed reading the dump (exit status 3)"), "a non-zero exit is an error");
	sd_error_destroy(err);

	/* The parent's handlers must not run in the child. */
	struct sigaction sa = { .sa_handler = on_signal }, old_term, old_alrm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, &old_term);
	err = sd_sandbox_run(&sb, state, NULL, &data, &size);
	is_str(err ? err->message : data, "dumpable=0 core=0 cpu=2 term=dfl",
	       "the child has no core dumps, a CPU limit and default signal actions");
	sd_error_destroy(err);
	free(data);
	data = NULL;
	err = sd_sandbox_run(&sb, raise_term, NULL, &data, &size);
	ok(has(err, "(SIGTERM)") && handled == 0, "SIGTERM kills the child, not the parent's handler");
	sd_error_destroy(err);
	sigaction(SIGTERM, &old_term, NULL);

	/* Signals interrupting the parent's poll/read/wait (no SA_RESTART). */
	sigaction(SIGALRM, &sa, &old_alrm);
	struct itimerval every = { { 0, 5000 }, { 0, 5000 } }, off = {0};
	setitimer(ITIMER_REAL, &every, NULL);
	err = sd_sandbox_run(&sb, slow_write, NULL, &data, &size);
	setitimer(ITIMER_REAL, &off, NULL);
	ok(!err && size == 4 && memcmp(data, "late", 4) == 0 && handled > 10,
	   "EINTR in the parent is retried (%d signals)", (int)handled);
	sd_error_destroy(err);
	free(data);
	data = NULL;
	sigaction(SIGALRM, &old_alrm, NULL);

	/* A parent that ignores SIGCHLD still gets its child's status. */
	signal(SIGCHLD, SIG_IGN);
	err = sd_sandbox_run(&sb, exit_3, NULL, &data, &size);
	ok(has(err, "exit status 3"), "with SIGCHLD ignored the status is still seen");
	sd_error_destroy(err);
	ok(signal(SIGCHLD, SIG_DFL) == SIG_IGN, "and SIGCHLD is ignored again afterwards");
	return tap_done();
}
