// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <zstd.h>

#include "util.h"
#include "zstream.h"

/*
 * With workers, zstd holds about (workers + 2) jobs of input and output in
 * flight; 2 MiB jobs keep that near 20 MiB whatever the dump's size, and are
 * still large enough to keep two workers busy.
 */
enum { JOB_SIZE = 2 << 20 };

struct sd_zstd {
	ZSTD_CCtx *cctx;
	int fd;
	const char *name;
	int level, default_level;
	void *out;
	size_t out_size;
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
	if (!z->cctx || !z->out) {
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
		ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_jobSize, JOB_SIZE);
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

struct sd_error *sd_zstd_write(struct sd_zstd *z, const void *buf, size_t len)
{
	return len ? drive(z, buf, len, ZSTD_e_continue) : NULL;
}

struct sd_error *sd_zstd_set_level(struct sd_zstd *z, int level)
{
	if (level == z->level)
		return NULL;
	struct sd_error *err = drive(z, NULL, 0, ZSTD_e_end);
	if (err)
		return err;
	size_t r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel, level);
	if (ZSTD_isError(r))
		return zerr(z, r);
	z->level = level;
	return NULL;
}

int sd_zstd_default_level(const struct sd_zstd *z)
{
	return z->default_level;
}

struct sd_error *sd_zstd_finish(struct sd_zstd *z)
{
	return drive(z, NULL, 0, ZSTD_e_end);
}

void sd_zstd_destroy(struct sd_zstd *z)
{
	if (!z)
		return;
	ZSTD_freeCCtx(z->cctx);
	free(z->out);
	free(z);
}
