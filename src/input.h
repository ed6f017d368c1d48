/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The dump as given, before its format is probed: a file that cannot be
 * read at random (standard input, a pipe) is copied, and a file compressed
 * as a whole (systemd-coredump's core.*.zst, a vmcore.xz; recognised by its
 * magic, never its name) is decompressed, streaming, into an unnamed
 * temporary file (O_TMPFILE) that the rest of the pipeline reads instead.
 * The copy keeps holes where the data is zero, and is bounded by the free
 * space of the file system it is on and by --max-size. Also the default
 * names that a dump gives its archive.
 */
#ifndef SAVEDUMP_INPUT_H
#define SAVEDUMP_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

enum sd_compressed_as {
	SD_COMPRESSED_NONE,
	SD_COMPRESSED_ZSTD,
	SD_COMPRESSED_XZ,
	SD_COMPRESSED_LZ4,
	SD_COMPRESSED_GZIP,
};

/* "zstd", "xz", "lz4", "gzip" (NULL for none). */
const char *sd_compressed_as_name(enum sd_compressed_as as);
/* Which whole-file compression the first bytes of a file say it has. */
enum sd_compressed_as sd_compressed_magic(const void *head, size_t len);

/* The next block of input: its length, 0 at the end, or -1 with errno set. */
typedef ssize_t sd_source_fn(void *arg, const void **ret_buf);
/* Take len bytes of output. */
typedef struct sd_error *sd_sink_fn(void *arg, const void *buf, size_t len);

struct sd_input {
	int fd;			/* the copy to read instead of the file given, or -1 */
	enum sd_compressed_as compressed;	/* how the file given was compressed */
	bool spooled;		/* the file given is not seekable (a pipe): read once, copied */
	uint64_t given_size;	/* with a copy: the bytes read from the file given ... */
	char given_sha256[65];	/* ... and their sha256 */
	uint64_t size;		/* the copy's size */
};

/*
 * Look at the dump given as fd (named name in messages): if it is seekable
 * and not compressed, ret->fd is -1 and nothing was read. Otherwise copy or
 * decompress it into an unnamed file in tmpdir; at most max_data bytes of
 * data are written (the free space) and the copy is at most max_size bytes
 * long (0: no limit); why_data and why_size say where each limit comes from.
 */
struct sd_input_limits {
	uint64_t max_data;
	const char *why_data;
	uint64_t max_size;
	const char *why_size;
};
struct sd_error *sd_input_prepare(int fd, const char *name, const char *tmpdir,
				  const struct sd_input_limits *limits, struct sd_input *ret);

/*
 * The default archive name's variable part for a dump (in
 * savedump-NAME.tar.zst): the crash directory's name (a stamp such as
 * 127.0.0.1-2026-12-01-10:00:00 or 202612011000) when the file is called
 * vmcore, vmcore.flat or dump.*, and that directory's name has a digit;
 * else the file name, less a .zst, .xz, .lz4 or .gz suffix; "stdin" for
 * "-". Every byte but letters, digits and "._+-" becomes "_", as does a
 * leading "." or "-" (":" would make tar and scp read host:path), and the
 * result is at most 128 bytes. The directory is the one the path names
 * (made absolute), not the one a symlink leads to. With tag, "-" and 8 hex
 * digits of the sha256 of the dump's absolute path are appended: main()
 * asks for it when two dumps of one run would get the same name.
 */
char *sd_input_default_name(const char *dump, bool tag);

/*
 * The dump's name inside the archive when it is not its file name: a
 * compressed file's name less its compression suffix (.zst, .xz, .lz4,
 * .gz), which the archive holds decompressed. NULL when the file name
 * does.
 */
char *sd_input_archive_name(const char *dump, enum sd_compressed_as as);

#endif
