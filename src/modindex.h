/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The module files of a kernel release inside the root: module name ->
 * path below /lib/modules/REL, from modules.dep or, without one, a walk of
 * the tree. Module names treat '-' and '_' alike ("crc-itu-t.ko" is module
 * crc_itu_t), so names are stored normalised.
 */
#ifndef SAVEDUMP_MODINDEX_H
#define SAVEDUMP_MODINDEX_H

#include "error.h"
#include "root.h"

struct sd_modfile {
	char *name;	/* normalised module name */
	char *relpath;	/* below /lib/modules/REL, e.g. "kernel/lib/crc-itu-t.ko.xz" */
};

struct sd_modindex {
	struct sd_modfile *v;
	size_t n, cap;
	size_t *slots;	/* hash of names: index in v + 1, or 0; a distro has 4000+ modules */
	size_t n_slots;	/* a power of two, at least twice n */
	char *problem;	/* why modules.dep was not used (unreadable), or NULL */
};

/* Index /lib/modules/REL inside root; an absent directory gives an empty index. */
struct sd_error *sd_modindex_load(const struct sd_root *root, const char *release,
				  struct sd_modindex *ret);
void sd_modindex_deinit(struct sd_modindex *idx);
/* The relative path of module name (normalised or not), or NULL. */
const char *sd_modindex_find(const struct sd_modindex *idx, const char *name);

/* '-' -> '_', in place. */
void sd_kmod_normalize(char *name);

#endif
