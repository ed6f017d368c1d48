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
 *
 * The path is resolved to an O_PATH descriptor and checked with fstat()
 * first; only a regular file is then opened for reading (through
 * /proc/self/fd, so it is the very inode checked). A device, FIFO, socket or
 * directory is never opened: the result is then -SD_ENOTREG_* (a value no
 * errno has), which says what it was; sd_root_strerror() gives the text.
 */
int sd_root_open(const struct sd_root *root, const char *path);

/* What sd_root_open() found instead of a regular file (returned negated). */
enum {
	SD_ENOTREG_DIR = 0x5d00,
	SD_ENOTREG_CHR,
	SD_ENOTREG_BLK,
	SD_ENOTREG_FIFO,
	SD_ENOTREG_SOCK,
	SD_ENOTREG_OTHER,
};

/* Whether e (positive, as -sd_root_open()) is one of SD_ENOTREG_*. */
bool sd_root_is_notreg(int e);

/*
 * strerror() that also knows SD_ENOTREG_*: "not a regular file (character
 * device)" and so on. e is positive, as -sd_root_open().
 */
const char *sd_root_strerror(int e);

/* Like sd_root_open() for a directory (O_PATH|O_DIRECTORY). */
int sd_root_open_dir(const struct sd_root *root, const char *path);

/* Force the portable resolver even where openat2() exists (tests). */
void sd_root_force_fallback(bool on);

#endif
