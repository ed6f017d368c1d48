// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "sandbox.h"

#if defined(__SANITIZE_ADDRESS__)
#define SD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SD_ASAN 1
#endif
#endif
#ifndef SD_ASAN
#define SD_ASAN 0
#endif

bool sd_sandbox_limits_memory(void)
{
	return !SD_ASAN;
}

/* Signals whose handlers belong to the parent (main.c's cleanup) or that must kill the child. */
static const int default_signals[] = {
	SIGINT, SIGTERM, SIGHUP, SIGBUS, SIGPIPE, SIGQUIT, SIGALRM, SIGUSR1, SIGUSR2, SIGXCPU,
};

/* Lower the soft and hard limit to value (never raise the hard one). */
static bool limit(int resource, rlim_t value)
{
	struct rlimit rl;
	if (getrlimit(resource, &rl) < 0)
		return false;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < value)
		value = rl.rlim_max;
	rl.rlim_cur = rl.rlim_max = value;
	return setrlimit(resource, &rl) == 0;
}

/* The address space mapped now (VmSize), which RLIMIT_AS counts too. */
static uint64_t mapped_bytes(void)
{
	char buf[64] = "";
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	return strtoull(buf, NULL, 10) * (uint64_t)sysconf(_SC_PAGESIZE);
}

static _Noreturn void run_child(const struct sd_sandbox *sb, int (*fn)(void *arg, int out_fd),
				void *arg, int out_fd, pid_t parent)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigemptyset(&dfl.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(default_signals); i++)
		sigaction(default_signals[i], &dfl, NULL);
	/* Die with the parent; it may be gone already (then the child is the init's). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127);
	/* No core file of a crash on hostile input, whatever core_pattern says. */
	prctl(PR_SET_DUMPABLE, 0);
	struct rlimit no_core = { 0, 0 };
	setrlimit(RLIMIT_CORE, &no_core);
	/*
	 * RLIMIT_CPU: SIGXCPU at the soft limit, SIGKILL at the hard one; both
	 * are set to the same value here, then the soft one lowered by a second.
	 */
	struct rlimit cpu;
	if (!limit(RLIMIT_CPU, (rlim_t)sb->cpu_seconds + 1) || getrlimit(RLIMIT_CPU, &cpu) < 0)
		_exit(126);
	if (cpu.rlim_cur > 1) {
		cpu.rlim_cur--;
		setrlimit(RLIMIT_CPU, &cpu);
	}
	if (!SD_ASAN && !limit(RLIMIT_AS, (rlim_t)(mapped_bytes() + sb->address_space)))
		_exit(126);
	sigset_t none;
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	int status = fn(arg, out_fd);
	_exit(status & 0xff);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reap pid; past deadline (ms, CLOCK_MONOTONIC) kill it first. Returns false if it cannot. */
static bool reap(pid_t pid, int64_t deadline, int *status, struct rusage *ru, bool *killed)
{
	long nap_us = 100;
	for (;;) {
		pid_t r = wait4(pid, status, *killed ? 0 : WNOHANG, ru);
		if (r == pid)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
		if (r == 0) {
			if (now_ms() >= deadline) {
				kill(pid, SIGKILL);
				*killed = true;
				continue;
			}
			struct timespec nap = { 0, nap_us * 1000 };
			nanosleep(&nap, NULL);
			if (nap_us < 10000)
				nap_us *= 2;
		}
	}
}

static const char *signal_name(int sig, char *buf, size_t size)
{
	const char *abbrev = sigabbrev_np(sig);
	if (abbrev)
		snprintf(buf, size, "SIG%s", abbrev);
	else
		snprintf(buf, size, "signal %d", sig);
	return buf;
}

#define HOSTILE "; the dump is damaged or hostile"

struct sd_error *sd_sandbox_run(const struct sd_sandbox *sb_in, int (*fn)(void *arg, int out_fd),
				void *arg, void **ret_data, size_t *ret_size)
{
	struct sd_sandbox sb = *sb_in;
	if (!sb.who)
		sb.who = "a parser";
	if (!sb.doing)
		sb.doing = "reading the dump";
	if (!sb.address_space)
		sb.address_space = (uint64_t)SD_SANDBOX_DEFAULT_AS_MIB << 20;
	if (!sb.cpu_seconds)
		sb.cpu_seconds = SD_SANDBOX_DEFAULT_CPU;
	if (!sb.wall_seconds)
		sb.wall_seconds = 4 * sb.cpu_seconds;
	if (!sb.max_result)
		sb.max_result = SD_SANDBOX_DEFAULT_RESULT;

	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return sd_error_errno(errno, "%s: pipe", sb.who);
	/*
	 * With every signal blocked across fork(), the parent's handlers can
	 * never run in the child before it has reset them. A parent that
	 * ignores SIGCHLD would get its child reaped behind its back.
	 */
	sigset_t all, old_mask;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old_mask);
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old_chld;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, NULL, &old_chld);
	bool restore_chld = old_chld.sa_handler == SIG_IGN;
	if (restore_chld)
		sigaction(SIGCHLD, &dfl, NULL);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		run_child(&sb, fn, arg, pipefd[1], parent);
	}
	int fork_errno = errno;
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		if (restore_chld)
			sigaction(SIGCHLD, &old_chld, NULL);
		return sd_error_errno(fork_errno, "%s: fork", sb.who);
	}

	enum { DONE, TOO_BIG, TIMEOUT, NOMEM, READ_ERROR } why = DONE;
	int read_errno = 0;
	const int64_t deadline = now_ms() + (int64_t)sb.wall_seconds * 1000;
	_cleanup_free_ uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			why = TIMEOUT;
			break;
		}
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		int r = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		if (r < 0 && errno != EINTR) {
			why = READ_ERROR;
			read_errno = errno;
			break;
		}
		if (r <= 0)
			continue;
		if (len == cap) {
			/* One byte more than the cap: reading it proves the result too big. */
			size_t want = cap ? cap * 2 : 65536;
			if (want > sb.max_result + 1)
				want = sb.max_result + 1;
			uint8_t *grown = realloc(buf, want + 1);
			if (!grown) {
				why = NOMEM;
				break;
			}
			buf = grown;
			cap = want;
		}
		ssize_t n = read(pipefd[0], buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			why = READ_ERROR;
			read_errno = errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > sb.max_result) {
			why = TOO_BIG;
			break;
		}
	}
	close(pipefd[0]);
	bool killed = false;
	if (why != DONE) {
		kill(pid, SIGKILL);
		killed = true;
	}
	int status = 0;
	struct rusage ru = {0};
	bool reaped = reap(pid, deadline, &status, &ru, &killed);
	int wait_errno = errno;
	if (restore_chld)
		sigaction(SIGCHLD, &old_chld, NULL);
	if (killed && why == DONE)
		why = TIMEOUT;	/* it closed its end, then did not exit in time */

	char sig[32];
	switch (why) {
	case NOMEM:
		return &sd_enomem;
	case READ_ERROR:
		return sd_error_errno(read_errno, "%s: reading its result", sb.who);
	case TOO_BIG:
		return sd_error_create(SD_ERROR_INPUT, "%s gave more than %zu bytes of result %s"
				       HOSTILE, sb.who, sb.max_result, sb.doing);
	case TIMEOUT:
		return sd_error_create(SD_ERROR_INPUT, "%s did not finish %s within %u s" HOSTILE,
				       sb.who, sb.doing, sb.wall_seconds);
	case DONE:
		break;
	}
	if (!reaped)
		return sd_error_errno(wait_errno, "%s: wait4", sb.who);
	if (WIFSIGNALED(status)) {
		int s = WTERMSIG(status);
		/* SIGKILL is the hard CPU limit only if the CPU time was used (not the OOM killer). */
		int64_t cpu_ms = (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
				 (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
		if (s == SIGXCPU || (s == SIGKILL && cpu_ms >= (int64_t)sb.cpu_seconds * 1000))
			return sd_error_create(SD_ERROR_INPUT, "%s was stopped %s: it used its "
					       "%u s of CPU time (%s)" HOSTILE, sb.who, sb.doing,
					       sb.cpu_seconds, signal_name(s, sig, sizeof(sig)));
		if (s == SIGKILL)
			return sd_error_create(SD_ERROR_INPUT, "%s was killed %s (SIGKILL; out of "
					       "memory?)" HOSTILE, sb.who, sb.doing);
		return sd_error_create(SD_ERROR_INPUT, "%s crashed %s (%s)" HOSTILE, sb.who,
				       sb.doing, signal_name(s, sig, sizeof(sig)));
	}
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (code == SD_SANDBOX_EXIT_NOMEM)
		return sd_error_create(SD_ERROR_INPUT, "%s ran out of memory %s (limit %" PRIu64
				       " MiB)" HOSTILE, sb.who, sb.doing, sb.address_space >> 20);
	if (code != 0)
		return sd_error_create(SD_ERROR_INPUT, "%s failed %s (exit status %d)" HOSTILE,
				       sb.who, sb.doing, code);
	if (ret_data) {
		if (!buf && !(buf = malloc(1)))
			return &sd_enomem;
		buf[len] = '\0';
		*ret_data = take_ptr(buf);
	}
	if (ret_size)
		*ret_size = len;
	return NULL;
}
