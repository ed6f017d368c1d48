// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <lz4frame.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "codecs.h"
#include "util.h"

uint32_t sd_crc32_update(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	while (len) {
		uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;
		crc = (uint32_t)crc32(crc, p, n);
		p += n;
		len -= n;
	}
	return crc;
}

int sd_crc32_fd(int fd, uint32_t *ret)
{
	enum { BUFSZ = 1 << 20 };
	unsigned char *buf = malloc(BUFSZ);
	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	uint32_t crc = 0;
	off_t off = 0;
	for (;;) {
		ssize_t n = sd_pread_full(fd, buf, BUFSZ, off);
		if (n < 0) {
			free(buf);
			return -1;
		}
		crc = sd_crc32_update(crc, buf, (size_t)n);
		if (n < BUFSZ)
			break;	/* EOF */
		off += n;
	}
	free(buf);
	*ret = crc;
	return 0;
}

/* --- Decoders --------------------------------------------------------------------------- */

enum { OUT_SIZE = 1 << 20 };

/* The dictionary an xz stream may ask for: xz -9 needs 64 MiB. */
#define XZ_MEMLIMIT (UINT64_C(1) << 30)

static struct sd_error *truncated(const char *name, const char *what)
{
	return sd_error_create(SD_ERROR_INPUT, "%s: truncated %s data (it ends inside a "
			       "compressed stream)", name, what);
}

static struct sd_error *corrupt(const char *name, const char *what, const char *msg)
{
	return sd_error_create(SD_ERROR_INPUT, "%s: corrupt %s data: %s", name, what, msg);
}

static struct sd_error *read_error(const char *name)
{
	return sd_error_errno(errno, "%s", name);
}

static struct sd_error *gunzip(const char *name, sd_source_fn *source, void *source_arg,
			       sd_sink_fn *sink, void *sink_arg, uint8_t *obuf)
{
	z_stream z = {0};
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return &sd_enomem;
	struct sd_error *err = NULL;
	bool ended = false;	/* the last member is complete (more may follow: gzip -c a b) */
	for (;;) {
		const void *ib;
		ssize_t n = source(source_arg, &ib);
		if (n < 0) {
			err = read_error(name);
			goto out;
		}
		if (n == 0)
			break;
		z.next_in = (Bytef *)ib;
		z.avail_in = (uInt)n;
		bool full;
		do {
			if (ended) {
				if (inflateReset(&z) != Z_OK) {
					err = &sd_enomem;
					goto out;
				}
				ended = false;
			}
			z.next_out = obuf;
			z.avail_out = OUT_SIZE;
			int r = inflate(&z, Z_NO_FLUSH);
			if (r == Z_STREAM_END) {
				ended = true;
			} else if (r != Z_OK && r != Z_BUF_ERROR) {
				err = r == Z_MEM_ERROR ? &sd_enomem
				      : corrupt(name, "gzip", z.msg ? z.msg : "bad data");
				goto out;
			}
			size_t produced = OUT_SIZE - z.avail_out;
			if (produced && (err = sink(sink_arg, obuf, produced)))
				goto out;
			full = z.avail_out == 0;
		} while (z.avail_in > 0 || (full && !ended));
	}
	if (!ended)
		err = truncated(name, "gzip");
out:
	inflateEnd(&z);
	return err;
}

static struct sd_error *unxz(const char *name, sd_source_fn *source, void *source_arg,
			     sd_sink_fn *sink, void *sink_arg, uint8_t *obuf)
{
	lzma_stream s = LZMA_STREAM_INIT;
	if (lzma_stream_decoder(&s, XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK)
		return &sd_enomem;
	struct sd_error *err = NULL;
	lzma_action action = LZMA_RUN;
	for (;;) {
		if (s.avail_in == 0 && action == LZMA_RUN) {
			const void *ib;
			ssize_t n = source(source_arg, &ib);
			if (n < 0) {
				err = read_error(name);
				break;
			}
			if (n == 0)
				action = LZMA_FINISH;
			s.next_in = ib;
			s.avail_in = (size_t)n;
		}
		s.next_out = obuf;
		s.avail_out = OUT_SIZE;
		lzma_ret r = lzma_code(&s, action);
		size_t produced = OUT_SIZE - s.avail_out;
		if (produced && (err = sink(sink_arg, obuf, produced)))
			break;
		if (r == LZMA_STREAM_END)
			break;
		if (r == LZMA_OK)
			continue;
		if (r == LZMA_BUF_ERROR && action == LZMA_FINISH)
			err = truncated(name, "xz");
		else if (r == LZMA_MEM_ERROR)
			err = &sd_enomem;
		else if (r == LZMA_MEMLIMIT_ERROR)
			err = corrupt(name, "xz", "it needs more than 1 GiB of memory to decode");
		else
			err = corrupt(name, "xz", r == LZMA_FORMAT_ERROR ? "not in the xz format"
					  : r == LZMA_OPTIONS_ERROR ? "unsupported options"
					  : "bad data (or a bad check)");
		break;
	}
	lzma_end(&s);
	return err;
}

static struct sd_error *unlz4(const char *name, sd_source_fn *source, void *source_arg,
			      sd_sink_fn *sink, void *sink_arg, uint8_t *obuf)
{
	LZ4F_dctx *dctx;
	if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
		return &sd_enomem;
	struct sd_error *err = NULL;
	size_t hint = 1;	/* 0 once a frame is complete */
	for (;;) {
		const void *ib;
		ssize_t n = source(source_arg, &ib);
		if (n < 0) {
			err = read_error(name);
			goto out;
		}
		if (n == 0)
			break;
		const uint8_t *p = ib;
		size_t left = (size_t)n;
		bool full;
		do {
			size_t dst = OUT_SIZE, src = left;
			hint = LZ4F_decompress(dctx, obuf, &dst, p, &src, NULL);
			if (LZ4F_isError(hint)) {
				err = corrupt(name, "lz4", LZ4F_getErrorName(hint));
				goto out;
			}
			if (dst && (err = sink(sink_arg, obuf, dst)))
				goto out;
			p += src;
			left -= src;
			full = dst == OUT_SIZE;
		} while (left > 0 || full);
	}
	if (hint != 0)
		err = truncated(name, "lz4");
out:
	LZ4F_freeDecompressionContext(dctx);
	return err;
}

struct sd_error *sd_codec_decompress(enum sd_compressed_as as, const char *name,
				     sd_source_fn *source, void *source_arg, sd_sink_fn *sink,
				     void *sink_arg)
{
	uint8_t *obuf = malloc(OUT_SIZE);
	if (!obuf)
		return &sd_enomem;
	struct sd_error *err;
	switch (as) {
	case SD_COMPRESSED_GZIP:
		err = gunzip(name, source, source_arg, sink, sink_arg, obuf);
		break;
	case SD_COMPRESSED_XZ:
		err = unxz(name, source, source_arg, sink, sink_arg, obuf);
		break;
	case SD_COMPRESSED_LZ4:
		err = unlz4(name, source, source_arg, sink, sink_arg, obuf);
		break;
	default:
		err = sd_error_create(SD_ERROR_OTHER, "internal error: no decoder for %s", name);
		break;
	}
	free(obuf);
	return err;
}
