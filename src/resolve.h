/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding files for plan items, inside --root: binaries by path and by
 * build-id, their debuginfo (build-id directories, .gnu_debuglink, dwz
 * supplementary files) and, when configured, debuginfod. Every candidate is
 * verified by build-id (or debuglink CRC) before it is accepted. The finder
 * is an ordered list of strategies; what it does not find becomes a status
 * with a reason, never an error.
 */
#ifndef SAVEDUMP_RESOLVE_H
#define SAVEDUMP_RESOLVE_H

#include <stdbool.h>

#include "debuginfod.h"
#include "elfutils.h"
#include "plan.h"
#include "root.h"

struct sd_resolver {
	const struct sd_root *root;
	struct sd_strv debug_dirs;	/* absolute, inside the root */
	struct sd_debuginfod *debuginfod;	/* NULL: not configured */
	bool allow_mismatch;		/* pack mismatching files, marked as such */
};

/* Copies debug_dirs, then adds /usr/lib/debug, which is always searched last. */
struct sd_error *sd_resolver_init(struct sd_resolver *r, const struct sd_root *root,
				  const struct sd_strv *debug_dirs, bool use_debuginfod,
				  bool allow_mismatch);
void sd_resolver_deinit(struct sd_resolver *r);

/* Lookup strategies for sd_resolve_binary(), tried in this order. */
enum {
	SD_FIND_PATHS = 1 << 0,		/* the candidate paths given */
	SD_FIND_BUILD_ID = 1 << 1,	/* DEBUGDIR/.build-id/xx/yyyy */
	SD_FIND_DEBUGINFOD = 1 << 2,
};

/*
 * Find a binary for item: candidate paths (absolute, inside the root), then
 * build-id links, then debuginfod. item->build_id is the expected build-id
 * (len 0: unknown, accept the first file found). Sets item->fd,
 * source_path, size and status FOUND, MISMATCH or MISSING with a reason.
 * Returns an error only for fatal conditions (out of memory).
 */
struct sd_error *sd_resolve_binary(struct sd_resolver *r, struct sd_item *item,
				   const char *const *paths, size_t n_paths, unsigned strategies);

/*
 * Add the debuginfo items a found (or build-id-known) binary needs: its
 * separate debug file, and the dwz supplementary file that one refers to.
 * bin_index is the binary's index in plan->items. Nothing is added when the
 * binary carries its own DWARF (unless it refers to a dwz file).
 */
struct sd_error *sd_resolve_debuginfo(struct sd_resolver *r, struct sd_plan *plan,
				      size_t bin_index, enum sd_role debug_role);

/* The archive path for a normalised absolute path ("/usr/bin/x" -> "usr/bin/x"). */
const char *sd_archive_path_of(const char *abs_path);

/* "usr/lib/debug/.build-id/xx/yyyy" + suffix. */
struct sd_error *sd_build_id_archive_path(const struct sd_build_id *id, const char *suffix,
					  char **ret);

#endif
