/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zlib, liblzma and liblz4 (the only file that includes them): CRC-32, and
 * the decoders of dumps given compressed as a whole with gzip, xz or lz4
 * (zstd is zstream.c's). Each decoder reads the whole stream and fails on
 * one that ends early: a truncated file is SD_ERROR_INPUT naming it.
 */
#ifndef SAVEDUMP_CODECS_H
#define SAVEDUMP_CODECS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "input.h"

/* The CRC-32 that .gnu_debuglink records (the zlib/IEEE 802.3 one). */
uint32_t sd_crc32_update(uint32_t crc, const void *buf, size_t len);
/* CRC-32 of a whole file; returns -1 with errno set on read errors. */
int sd_crc32_fd(int fd, uint32_t *ret);

/* Decode what source gives (gzip, xz or lz4, as as says) into sink. */
struct sd_error *sd_codec_decompress(enum sd_compressed_as as, const char *name,
				     sd_source_fn *source, void *source_arg, sd_sink_fn *sink,
				     void *sink_arg);

#endif
