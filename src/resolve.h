/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The resolver: turns every need of the plan (an item in status WANTED)
 * into a found file or a status, inside --root. Strategies are tried in a
 * fixed order (the item's candidate paths, build-id directories, the kernel
 * module index, debuginfod) and every candidate is verified (build-id,
 * debuglink CRC, not a stub) before it is accepted. What is not found
 * becomes a status with a reason, never an error.
 *
 * Found binaries lead to further needs, stated and settled here too: their
 * separate debug files (build-id directories, .gnu_debuglink with CRC,
 * Debian's and Fedora's module debug trees), and the dwz supplementary
 * files those refer to.
 *
 * The open files are kept in a table beside the plan (struct sd_files),
 * indexed like plan->items, so that the plan stays plain data.
 */
#ifndef SAVEDUMP_RESOLVE_H
#define SAVEDUMP_RESOLVE_H

#include <stdbool.h>

#include "debuginfod.h"
#include "modindex.h"
#include "plan.h"
#include "root.h"

/* Open files of plan items: fd[i] belongs to plan->items[i]; -1 for none. */
struct sd_files {
	int *fd;
	size_t n, cap;
};

/* The item's file, or -1. */
int sd_files_fd(const struct sd_files *f, size_t item);
/* Give item the file fd (owned from now on, also on failure). */
struct sd_error *sd_files_set(struct sd_files *f, size_t item, int fd);
void sd_files_deinit(struct sd_files *f);

struct sd_kmod_id;

struct sd_resolver {
	const struct sd_root *root;
	struct sd_strv debug_dirs;	/* absolute, inside the root */
	struct sd_debuginfod *debuginfod;	/* NULL: not configured */
	bool allow_mismatch;		/* keep mismatching files open, for packing */
	struct sd_modindex modules;	/* /lib/modules/REL, loaded on first use */
	char *modules_release;
	struct sd_kmod_id *kmod_ids;	/* module files' build-ids, read ahead in threads */
	size_t n_kmod_ids;
};

/* Copies debug_dirs, then adds /usr/lib/debug, which is always searched last. */
struct sd_error *sd_resolver_init(struct sd_resolver *r, const struct sd_root *root,
				  const struct sd_strv *debug_dirs, bool use_debuginfod,
				  bool allow_mismatch);
void sd_resolver_deinit(struct sd_resolver *r);

/*
 * Settle every WANTED item of plan (and the needs that found files add),
 * opening what is accepted into files. Idempotent: items already settled
 * are left alone, so it can run again after an inspector added needs.
 * Returns an error only for fatal conditions (out of memory).
 */
struct sd_error *sd_resolve_plan(struct sd_resolver *r, struct sd_plan *plan,
				 struct sd_files *files);

/* --sources: at most this many source files are looked for (the planner bounds their size). */
#define SD_SOURCES_MAX_FILES 20000

/*
 * --sources: the program's own source files, as the DWARF of the found
 * executable and non-system libraries names them (their own DWARF or their
 * debug file's), added as needs (SD_ROLE_SOURCE) of files outside the
 * system's directories (/usr but /usr/local, /lib*, /bin, /sbin, /etc) and
 * resolved, in the root, then from debuginfod by the object's build-id; a
 * source found nowhere is left out of the manifest.
 */
struct sd_error *sd_resolve_sources(struct sd_resolver *r, struct sd_plan *plan,
				    struct sd_files *files);

#endif
