/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * savedump verify ARCHIVE|DIR: open an archive as a user elsewhere would,
 * with the debuggers its launchers run, and check what they really loaded.
 * Like main.c, this is a front end: it prints its verdicts and returns an
 * exit status (SD_VERIFY_EXIT_*).
 */
#ifndef SAVEDUMP_VERIFY_H
#define SAVEDUMP_VERIFY_H

#include <stdbool.h>

enum {
	SD_VERIFY_EXIT_OK = 0,		/* every check passed */
	SD_VERIFY_EXIT_ERROR = 1,	/* could not run: I/O, memory, scratch directory */
	SD_VERIFY_EXIT_USAGE = 2,
	SD_VERIFY_EXIT_DEGRADED = 3,	/* a check failed: the output says which and why */
	SD_VERIFY_EXIT_NOT_ARCHIVE = 4,	/* not an archive savedump wrote (or a hostile one) */
	SD_VERIFY_EXIT_NO_DEBUGGER = 6,	/* a debugger a check needs is not installed */
};

struct sd_verify_options {
	bool json;	/* one JSON document on stdout instead of verdict lines */
	bool keep;	/* keep the scratch directory (its path is printed) */
	int verbose;	/* -1 quiet, 0 normal, 1: the debuggers' output too */
};

/* Verify the archive file or directory at path. */
int sd_verify(const char *path, const struct sd_verify_options *opts);

/* "savedump verify [OPTION]... ARCHIVE|DIR": argv[0] is "verify". */
int sd_verify_main(int argc, char **argv);

#endif
