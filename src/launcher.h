/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Launcher scripts shipped in the archive: run-gdb.sh and run-lldb.sh for
 * userland cores, run-crash.sh and run-drgn.sh for kernel dumps. They find
 * their own directory, so the extracted archive works from anywhere.
 *
 * Every string in them that comes from the dump (paths, the kernel release)
 * may be hostile: it is written as one shell word by sd_shell_quote(), never
 * in a comment, and goes into a debugger command (rather than being an
 * argument of its own) only if sd_debugger_word_safe() accepts it.
 */
#ifndef SAVEDUMP_LAUNCHER_H
#define SAVEDUMP_LAUNCHER_H

#include <stdbool.h>
#include <stdio.h>

#include "plan.h"

struct sd_launcher_options {
	/*
	 * Let gdb trust the archive (auto-load safe-path): it may then run
	 * scripts the archive carries and its libthread_db. Off by default:
	 * both are code from the machine the dump came from.
	 */
	bool gdb_auto_load;
};

/* Add the launchers that fit the plan as generated items. opts may be NULL (defaults). */
struct sd_error *sd_launchers_add(struct sd_plan *plan, const char *dump_archive_path,
				  const struct sd_launcher_options *opts);

/*
 * Append s to f as one POSIX shell word that stands for exactly the bytes of
 * s, whatever they are: single-quoted runs, with ' $ ` and \ written outside
 * the quotes as \' \$ \` \\ (so that shellcheck sees no expansion in single
 * quotes). "" is written as ''.
 */
void sd_shell_quote(FILE *f, const char *s);

/*
 * Whether s may be written inside a debugger command (gdb -iex, an lldb -o
 * command, a line of crash's command file). Those are parsed again by the
 * debugger, differently in each and in each version (newlines end a crash
 * command, ':' separates gdb search paths, '~' and '$' are expanded, quotes and
 * backslashes are interpreted by some versions, trailing blanks are dropped),
 * so only ASCII letters, digits and "/._+-@" are accepted, and not "".
 */
bool sd_debugger_word_safe(const char *s);

#endif
