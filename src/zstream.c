// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "util.h"
#include "zstream.h"

/*
 * With workers, zstd holds about (workers + 2) jobs of input and output in
 * flight; 2 MiB jobs keep that near 20 MiB whatever the dump's size, and are
 * still large enough to keep two workers busy. Each job first reloads the
 * end of the previous one (the overlap): the default, 1/8 of the window at
 * the default level, is sized for zstd's own 4-window jobs, so with jobs a
 * quarter of that size it is a quarter (1/32 of the window, overlapLog 4)
 * to keep the same share of work, about 3%, out of the compression.
 */
enum { JOB_SIZE = 2 << 20, OVERLAP_LOG = 4 };

/*
 * Stored frames (RFC 8878, 3.1.1): the magic number, a frame header
 * descriptor with no content size, checksum or dictionary and not single
 * segment (0x00), and a window descriptor of 128 KiB (exponent 7: 0x38), the
 * largest block size; then raw blocks, each with a 3-byte little-endian
 * header: bit 0 last block, bits 1-2 type (0: raw), bits 3-23 size.
 */
enum { RAW_BLOCK = 128 << 10, RAW_HDR = 3 };
static const uint8_t raw_frame_header[] = { 0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38 };

struct sd_zstd {
	ZSTD_CCtx *cctx;
	int fd;
	const char *name;
	int level, default_level;
	void *out;
	size_t out_size;
	uint8_t *raw;		/* RAW_HDR + RAW_BLOCK: the stored block being filled */
	size_t raw_len;
};

static struct sd_error *zerr(struct sd_zstd *z, size_t r)
{
	return sd_error_create(SD_ERROR_LIBRARY, "%s: zstd: %s", z->name, ZSTD_getErrorName(r));
}

struct sd_error *sd_zstd_create(int fd, const char *name, int level, int threads,
				struct sd_zstd **ret)
{
	struct sd_zstd *z = calloc(1, sizeof(*z));
	if (!z)
		return &sd_enomem;
	z->fd = fd;
	z->name = name;
	z->level = z->default_level = level;
	z->out_size = ZSTD_CStreamOutSize();
	z->cctx = ZSTD_createCCtx();
	z->out = malloc(z->out_size);
	z->raw = malloc(RAW_HDR + RAW_BLOCK);
	if (!z->cctx || !z->out || !z->raw) {
		sd_zstd_destroy(z);
		return &sd_enomem;
	}
	size_t r;
	if (ZSTD_isError(r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel, level)) ||
	    ZSTD_isError(r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 1))) {
		struct sd_error *err = zerr(z, r);
		sd_zstd_destroy(z);
		return err;
	}
	/* A libzstd built without threads refuses workers: compress in this thread then. */
	if (threads > 0 &&
	    !ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_nbWorkers, threads)))
	{
		ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_jobSize, JOB_SIZE);
		ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_overlapLog, OVERLAP_LOG);
	}
	*ret = z;
	return NULL;
}

/* Drive the compressor with mode until it has taken all input (and, unless continuing, flushed). */
static struct sd_error *drive(struct sd_zstd *z, const void *buf, size_t len,
			      ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = { buf, len, 0 };
	for (;;) {
		ZSTD_outBuffer out = { z->out, z->out_size, 0 };
		size_t left = ZSTD_compressStream2(z->cctx, &out, &in, mode);
		if (ZSTD_isError(left))
			return zerr(z, left);
		if (out.pos && !sd_write_full(z->fd, z->out, out.pos))
			return sd_error_errno(errno, "%s", z->name);
		if (mode == ZSTD_e_continue ? in.pos == in.size : left == 0)
			return NULL;
	}
}

static struct sd_error *raw_flush(struct sd_zstd *z, bool last)
{
	uint32_t h = (uint32_t)z->raw_len << 3 | last;
	z->raw[0] = (uint8_t)h;
	z->raw[1] = (uint8_t)(h >> 8);
	z->raw[2] = (uint8_t)(h >> 16);
	if (!sd_write_full(z->fd, z->raw, RAW_HDR + z->raw_len))
		return sd_error_errno(errno, "%s", z->name);
	z->raw_len = 0;
	return NULL;
}

static struct sd_error *raw_write(struct sd_zstd *z, const uint8_t *buf, size_t len)
{
	while (len) {
		size_t n = RAW_BLOCK - z->raw_len < len ? RAW_BLOCK - z->raw_len : len;
		memcpy(z->raw + RAW_HDR + z->raw_len, buf, n);
		z->raw_len += n;
		buf += n;
		len -= n;
		/* Only a full block is flushed here: the last one is written by end_frame(). */
		struct sd_error *err;
		if (z->raw_len == RAW_BLOCK && len && (err = raw_flush(z, false)))
			return err;
	}
	return NULL;
}

/* End the current frame, compressed or stored. */
static struct sd_error *end_frame(struct sd_zstd *z)
{
	if (z->level == SD_ZSTD_STORED)
		return raw_flush(z, true);
	return drive(z, NULL, 0, ZSTD_e_end);
}

struct sd_error *sd_zstd_write(struct sd_zstd *z, const void *buf, size_t len)
{
	if (!len)
		return NULL;
	if (z->level == SD_ZSTD_STORED)
		return raw_write(z, buf, len);
	return drive(z, buf, len, ZSTD_e_continue);
}

struct sd_error *sd_zstd_set_level(struct sd_zstd *z, int level)
{
	if (level == z->level)
		return NULL;
	struct sd_error *err = end_frame(z);
	if (err)
		return err;
	if (level == SD_ZSTD_STORED) {
		if (!sd_write_full(z->fd, raw_frame_header, sizeof(raw_frame_header)))
			return sd_error_errno(errno, "%s", z->name);
	} else {
		size_t r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel, level);
		if (ZSTD_isError(r))
			return zerr(z, r);
	}
	z->level = level;
	return NULL;
}

int sd_zstd_default_level(const struct sd_zstd *z)
{
	return z->default_level;
}

struct sd_error *sd_zstd_finish(struct sd_zstd *z)
{
	return end_frame(z);
}

void sd_zstd_destroy(struct sd_zstd *z)
{
	if (!z)
		return;
	ZSTD_freeCCtx(z->cctx);
	free(z->out);
	free(z->raw);
	free(z);
}

struct sd_error *sd_zstd_decompress(const char *name, sd_source_fn *source, void *source_arg,
				    sd_sink_fn *sink, void *sink_arg)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();
	size_t out_size = ZSTD_DStreamOutSize();
	void *obuf = malloc(out_size);
	struct sd_error *err = NULL;
	if (!d || !obuf) {
		err = &sd_enomem;
		goto out;
	}
	size_t left = 1;	/* 0 once a frame is complete and flushed */
	for (;;) {
		const void *ib;
		ssize_t n = source(source_arg, &ib);
		if (n < 0) {
			err = sd_error_errno(errno, "%s", name);
			goto out;
		}
		if (n == 0)
			break;
		ZSTD_inBuffer in = { ib, (size_t)n, 0 };
		bool full;
		do {
			ZSTD_outBuffer o = { obuf, out_size, 0 };
			left = ZSTD_decompressStream(d, &o, &in);
			if (ZSTD_isError(left)) {
				err = sd_error_create(SD_ERROR_INPUT, "%s: corrupt zstd data: %s", name,
						      ZSTD_getErrorName(left));
				goto out;
			}
			if (o.pos && (err = sink(sink_arg, obuf, o.pos)))
				goto out;
			full = o.pos == o.size;
		} while (in.pos < in.size || full);
	}
	if (left != 0)
		err = sd_error_create(SD_ERROR_INPUT, "%s: truncated zstd data (it ends inside a "
				      "compressed stream)", name);
out:
	free(obuf);
	ZSTD_freeDCtx(d);
	return err;
}
