/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Launcher scripts shipped in the archive: run-gdb.sh and run-lldb.sh for
 * userland cores, run-crash.sh and run-drgn.sh for kernel dumps. They find
 * their own directory, so the extracted archive works from anywhere.
 */
#ifndef SAVEDUMP_LAUNCHER_H
#define SAVEDUMP_LAUNCHER_H

#include "plan.h"

/* Add the launchers that fit the plan as generated items. */
struct sd_error *sd_launchers_add(struct sd_plan *plan, const char *dump_archive_path);

/* Append s to f as one single-quoted shell word. */
void sd_shell_quote(FILE *f, const char *s);

#endif
