/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The root directory that every path taken from a dump is resolved in
 * (--root; "/" by default). Resolution behaves like a chroot: absolute
 * symlinks and ".." never leave the root.
 */
#ifndef SAVEDUMP_ROOT_H
#define SAVEDUMP_ROOT_H

#include <stdbool.h>

#include "error.h"

struct sd_root {
	int dirfd;
	char *path;	/* as given, for messages */
};

struct sd_error *sd_root_create(const char *path, struct sd_root **ret);
void sd_root_destroy(struct sd_root *root);

/*
 * Open path (absolute, interpreted inside the root) read-only, refusing
 * anything that is not a regular file. Returns an fd or -errno; ENOENT and
 * friends are normal results, not errors.
 */
int sd_root_open(const struct sd_root *root, const char *path);

/* Like sd_root_open() for a directory (O_PATH|O_DIRECTORY). */
int sd_root_open_dir(const struct sd_root *root, const char *path);

/* Force the portable resolver even where openat2() exists (tests). */
void sd_root_force_fallback(bool on);

#endif
