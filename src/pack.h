/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Executing a plan: stream every collected file into the output in a fixed
 * order (sorted archive paths, then manifest.json last, since it records
 * the checksums of everything before it), add each file's other names as
 * symlinks, and commit the output atomically.
 */
#ifndef SAVEDUMP_PACK_H
#define SAVEDUMP_PACK_H

#include <stdbool.h>

#include "manifest.h"
#include "output.h"
#include "plan.h"
#include "resolve.h"

struct sd_pack_options {
	struct sd_out_config out;
	struct sd_manifest_info manifest;
	bool progress;		/* draw a progress bar on stderr */
	bool progress_json;	/* one JSON line per update on stderr */
};

struct sd_error *sd_pack(struct sd_plan *plan, const struct sd_files *files,
			 const struct sd_pack_options *opts);

#endif
