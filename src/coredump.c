// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "coredump.h"
#include "util.h"

extern char **environ;

/* What `coredumpctl info` may print: a stack trace per thread, bounded. */
enum { INFO_MAX = 4 << 20, VALUE_MAX = 64 << 10 };

void sd_coredump_deinit(struct sd_coredump *c)
{
	free(c->match);
	free(c->comm);
	free(c->executable);
	free(c->command_line);
	free(c->storage);
	free(c->name);
	*c = (struct sd_coredump){ .pid = -1 };
}

/* "   Key: value" lines: the value of key in the first entry, or NULL. */
static char *info_value(const char *text, const char *key)
{
	size_t klen = strlen(key);
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *p = line + strspn(line, " ");
		if ((size_t)(p - line) + klen + 2 <= len && !strncmp(p, key, klen) &&
		    p[klen] == ':' && p[klen + 1] == ' ') {
			const char *v = p + klen + 2;
			size_t vlen = len - (size_t)(v - line);
			return strndup(v, vlen > VALUE_MAX ? VALUE_MAX : vlen);
		}
		if (!end)
			break;
		line = end + 1;
	}
	return NULL;
}

struct sd_error *sd_coredump_parse_info(const char *text, struct sd_coredump *ret)
{
	struct sd_coredump c = { .pid = -1 };
	_cleanup_free_ char *pid = info_value(text, "PID");
	_cleanup_free_ char *storage = info_value(text, "Storage");
	c.executable = info_value(text, "Executable");
	c.command_line = info_value(text, "Command Line");
	/* "PID: 1234 (sleep)" */
	if (pid) {
		char *end;
		long v = strtol(pid, &end, 10);
		if (end != pid && v > 0 && v <= INT32_MAX)
			c.pid = (int)v;
		if (end[0] == ' ' && end[1] == '(' && sd_str_has_suffix(end, ")"))
			c.comm = strndup(end + 2, strlen(end + 2) - 1);
	}
	/* "Storage: /var/lib/systemd/coredump/core.X.zst (present)"; "journal", "none" */
	if (storage && storage[0] == '/') {
		static const char *const states[] = { " (present)", " (missing)",
						      " (inaccessible)" };
		bool present = true;
		for (size_t i = 0; i < ARRAY_SIZE(states); i++) {
			if (sd_str_has_suffix(storage, states[i])) {
				storage[strlen(storage) - strlen(states[i])] = '\0';
				present = i == 0;
			}
		}
		if (present && access(storage, R_OK) == 0)
			c.storage = take_ptr(storage);
	}
	if (c.pid < 0 && !c.storage) {
		sd_coredump_deinit(&c);
		return sd_error_create(SD_ERROR_INPUT, "coredumpctl info gave no PID and no "
				       "stored core");
	}
	if (c.storage)
		c.name = strdup(c.storage);
	else if (asprintf(&c.name, "core.%s.%d", c.comm ? c.comm : "coredump", c.pid) < 0)
		c.name = NULL;
	if (!c.name) {
		sd_coredump_deinit(&c);
		return &sd_enomem;
	}
	*ret = c;
	return NULL;
}

/* Run coredumpctl with args, its standard output on a pipe. */
static struct sd_error *spawn(char *const argv[], int *ret_fd, pid_t *ret_pid)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return sd_error_errno(errno, "pipe");
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	posix_spawnattr_init(&attr);
	/* savedump -o - ignores SIGPIPE: coredumpctl gets the default back. */
	sigset_t def;
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	pid_t pid;
	int r = posix_spawnp(&pid, "coredumpctl", &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(p[1]);
	if (r) {
		close(p[0]);
		return sd_error_errno(r, "cannot run coredumpctl");
	}
	*ret_fd = p[0];
	*ret_pid = pid;
	return NULL;
}

struct sd_error *sd_coredump_wait(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return sd_error_errno(errno, "waitpid");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return NULL;
	if (WIFEXITED(status))
		return sd_error_create(SD_ERROR_INPUT, "coredumpctl failed (exit status %d)",
				       WEXITSTATUS(status));
	return sd_error_create(SD_ERROR_INPUT, "coredumpctl was killed (signal %d)",
			       WTERMSIG(status));
}

struct sd_error *sd_coredump_find(const char *match, struct sd_coredump *ret)
{
	char *argv[] = { (char *)"coredumpctl", (char *)"--no-pager", (char *)"-1", (char *)"info",
			 (char *)match, NULL };
	int fd;
	pid_t pid;
	struct sd_error *err = spawn(argv, &fd, &pid);
	if (err)
		return err;
	_cleanup_free_ char *text = NULL;
	size_t len;
	err = sd_read_small_fd(fd, INFO_MAX, &text, &len);
	close(fd);
	struct sd_error *werr = sd_coredump_wait(pid);
	if (err) {
		sd_error_destroy(werr);
		return err;
	}
	if (werr)
		return sd_error_prefix(werr, "--coredump %s", match);
	if ((err = sd_coredump_parse_info(text, ret)))
		return sd_error_prefix(err, "--coredump %s", match);
	if (!(ret->match = strdup(match))) {
		sd_coredump_deinit(ret);
		return &sd_enomem;
	}
	return NULL;
}

struct sd_error *sd_coredump_dump(const struct sd_coredump *c, int *ret_fd, pid_t *ret_pid)
{
	/* The entry info described, not one that came in since. */
	char pid_match[64];
	snprintf(pid_match, sizeof(pid_match), "COREDUMP_PID=%d", c->pid);
	char *argv[] = { (char *)"coredumpctl", (char *)"--no-pager", (char *)"-1", (char *)"dump",
			 c->match, pid_match, NULL };
	return spawn(argv, ret_fd, ret_pid);
}
