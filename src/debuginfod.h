/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Optional debuginfod client (libdebuginfod). Without it, or without
 * DEBUGINFOD_URLS, lookups report "not available".
 */
#ifndef SAVEDUMP_DEBUGINFOD_H
#define SAVEDUMP_DEBUGINFOD_H

#include <stdbool.h>

#include "buildid.h"

enum sd_debuginfod_kind { SD_DEBUGINFOD_EXECUTABLE, SD_DEBUGINFOD_DEBUGINFO };

struct sd_debuginfod;

/*
 * NULL when savedump was built without libdebuginfod, no server is
 * configured, or this is a kdump capture kernel (/proc/vmcore exists).
 */
struct sd_debuginfod *sd_debuginfod_create(void);
void sd_debuginfod_destroy(struct sd_debuginfod *d);

/*
 * Fetch a file by build-id. Returns an fd (owned by the caller) and sets
 * *ret_path to where the client cached it; or -errno.
 */
int sd_debuginfod_find(struct sd_debuginfod *d, enum sd_debuginfod_kind kind,
		       const struct sd_build_id *id, char **ret_path);

/* The same for a source file (absolute path) named in the DWARF of build-id id. */
int sd_debuginfod_find_source(struct sd_debuginfod *d, const struct sd_build_id *id,
			      const char *path, char **ret_path);

bool sd_debuginfod_compiled_in(void);

#endif
