/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a file ahead, in its own thread, for the writers: the data
 * extents are read with large sequential reads into a small ring of
 * buffers and fed to SHA-256 there, so reading and hashing overlap with
 * compression and writing in the caller's thread. Memory is the ring,
 * whatever the file's size.
 */
#ifndef SAVEDUMP_READER_H
#define SAVEDUMP_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "output.h"

struct sd_sha256;
struct sd_reader;

struct sd_reader_chunk {
	uint64_t off;		/* where data starts in the file */
	const void *data;
	size_t len;		/* 0: end of file */
};

/*
 * Start reading the extents ext[0..n_ext) (in order, not overlapping,
 * within size) of fd. Every byte read is fed to h (may be NULL); with
 * hash_holes, the holes between and after the extents are fed to h as
 * zeros, so h ends as the digest of the whole file. ext must outlive the
 * reader. path is for messages.
 */
struct sd_error *sd_reader_start(int fd, const char *path, const struct sd_extent *ext,
				 size_t n_ext, uint64_t size, struct sd_sha256 *h,
				 bool hash_holes, struct sd_reader **ret);
/* The next chunk, in file order; releases the previous one. len 0 at the end. */
struct sd_error *sd_reader_next(struct sd_reader *r, struct sd_reader_chunk *ret);
/*
 * Stop the reader (if the caller gives up early) and free it. The digest
 * in h is complete only when sd_reader_next() has returned the end.
 */
void sd_reader_destroy(struct sd_reader *r);

#endif
