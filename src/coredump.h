/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --coredump MATCH: a core that systemd-coredump stored, found through
 * coredumpctl(1) (anything it accepts: a PID, a command name, an
 * executable's path, FIELD=VALUE journal matches). `coredumpctl -1 info
 * MATCH` gives the most recent entry's PID, executable, command line and
 * storage; the core is the stored file when it is there and readable
 * (often compressed: input.c decompresses it), else `coredumpctl -1 dump
 * MATCH COREDUMP_PID=PID` on a pipe (a core kept in the journal).
 */
#ifndef SAVEDUMP_COREDUMP_H
#define SAVEDUMP_COREDUMP_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

struct sd_coredump {
	char *match;
	int pid;		/* of the crashed process, or -1 */
	char *comm;		/* its command name, or NULL */
	char *executable;	/* from the journal, or NULL */
	char *command_line;	/* from the journal, or NULL */
	char *storage;		/* the stored core file, when it is present and readable; or NULL */
	char *name;		/* what to call the dump: storage, else core.COMM.PID */
};

/* Parse `coredumpctl info` output (one entry) into ret (match left NULL). */
struct sd_error *sd_coredump_parse_info(const char *text, struct sd_coredump *ret);

/* Run `coredumpctl -1 info MATCH` and parse it. */
struct sd_error *sd_coredump_find(const char *match, struct sd_coredump *ret);

/*
 * Start `coredumpctl -1 dump` for the entry found: *ret_fd reads the core,
 * *ret_pid is coredumpctl's (sd_coredump_wait() it).
 */
struct sd_error *sd_coredump_dump(const struct sd_coredump *c, int *ret_fd, pid_t *ret_pid);
/* Reap it; an error if it failed. */
struct sd_error *sd_coredump_wait(pid_t pid);

void sd_coredump_deinit(struct sd_coredump *c);

#endif
