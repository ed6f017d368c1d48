/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A zstd stream written to a file descriptor (libzstd; the only file that
 * includes it), and the decoder of dumps given compressed with zstd. The archive writer feeds it the tar stream. Owning the
 * compressor, rather than using libarchive's zstd filter, bounds memory
 * (job size) and lets the level change between entries: data that is
 * already compressed (a kdump-compressed dump, .ko.xz, vmlinuz) is stored,
 * not compressed again. Each level change starts a new zstd frame; a
 * multi-frame file is an ordinary .zst file.
 */
#ifndef SAVEDUMP_ZSTREAM_H
#define SAVEDUMP_ZSTREAM_H

#include <limits.h>
#include <stddef.h>

#include "error.h"
#include "input.h"

struct sd_zstd;

/*
 * A "level" that stores: frames of raw (uncompressed) blocks, which any
 * zstd decoder reads, written without running the compressor at all.
 */
enum { SD_ZSTD_STORED = INT_MIN };

/* threads: worker threads (0: compress in the caller's thread). */
struct sd_error *sd_zstd_create(int fd, const char *name, int level, int threads,
				struct sd_zstd **ret);
/* Compress len bytes; what is ready is written to fd. */
struct sd_error *sd_zstd_write(struct sd_zstd *z, const void *buf, size_t len);
/* Use level (or SD_ZSTD_STORED) from here on; a change ends the current frame. */
struct sd_error *sd_zstd_set_level(struct sd_zstd *z, int level);
/* The default level, as given to sd_zstd_create(). */
int sd_zstd_default_level(const struct sd_zstd *z);
/* End the stream and write what is left. */
struct sd_error *sd_zstd_finish(struct sd_zstd *z);
void sd_zstd_destroy(struct sd_zstd *z);

/*
 * Decode a zstd stream (one frame or more) from source into sink (a dump
 * given compressed, input.c). One that ends inside a frame is
 * SD_ERROR_INPUT naming name.
 */
struct sd_error *sd_zstd_decompress(const char *name, sd_source_fn *source, void *source_arg,
				    sd_sink_fn *sink, void *sink_arg);

#endif
