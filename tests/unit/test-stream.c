// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Streaming a file into the archive: the read-ahead reader (data extents,
 * holes, digests, early stop, a file that shrank) and the zstd stream with
 * stored frames between compressed ones, decoded back with libzstd.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "cleanup.h"
#include "hash.h"
#include "output.h"
#include "reader.h"
#include "tap.h"
#include "util.h"
#include "zstream.h"

enum { MiB = 1 << 20 };

static void fill(uint8_t *p, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245 + 12345;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static void digest(const void *buf, size_t len, char out[65])
{
	struct sd_sha256 *h;
	if (sd_sha256_create(&h))
		abort();
	sd_sha256_update(h, buf, len);
	sd_sha256_final(h, out);
	sd_sha256_destroy(h);
}

/* A sparse file: data at [1 MiB, +100 KiB) and [10 MiB, +3 MiB + 5), 20 MiB in all. */
static const struct sd_extent layout[] = { { 1 * MiB, 100 << 10 }, { 10 * MiB, 3 * MiB + 5 } };
static const uint64_t file_size = 20 * MiB;

static int make_file(uint8_t *dense)
{
	char name[] = "/tmp/savedump-test-stream.XXXXXX";
	int fd = mkstemp(name);
	if (fd < 0)
		abort();
	unlink(name);
	memset(dense, 0, file_size);
	for (size_t i = 0; i < ARRAY_SIZE(layout); i++) {
		fill(dense + layout[i].off, layout[i].len, (uint32_t)i + 1);
		if (pwrite(fd, dense + layout[i].off, layout[i].len, (off_t)layout[i].off) !=
		    (ssize_t)layout[i].len)
			abort();
	}
	if (ftruncate(fd, (off_t)file_size) < 0)
		abort();
	return fd;
}

/* Read the whole file through a reader; check chunks against dense and return the digest. */
static bool read_all(int fd, const struct sd_extent *ext, size_t n_ext, const uint8_t *dense,
		     bool hash_holes, char out[65], uint64_t *ret_data)
{
	struct sd_sha256 *h;
	struct sd_reader *r;
	if (sd_sha256_create(&h) || sd_reader_start(fd, "test", ext, n_ext, file_size, h,
						      hash_holes, &r))
		return false;
	bool good = true;
	uint64_t pos = 0, data = 0;
	for (;;) {
		struct sd_reader_chunk c;
		struct sd_error *err = sd_reader_next(r, &c);
		if (err) {
			sd_error_destroy(err);
			good = false;
			break;
		}
		if (c.off < pos || (c.len && memcmp(c.data, dense + c.off, c.len)))
			good = false;
		if (!c.len) {
			good = good && c.off == file_size;
			break;
		}
		pos = c.off + c.len;
		data += c.len;
	}
	sd_reader_destroy(r);
	sd_sha256_final(h, out);
	sd_sha256_destroy(h);
	*ret_data = data;
	return good;
}

static void test_reader(void)
{
	uint8_t *dense = malloc(file_size);
	if (!dense)
		abort();
	int fd = make_file(dense);
	struct sd_extent *ext;
	size_t n_ext;
	if (sd_file_extents(fd, file_size, &ext, &n_ext))
		abort();
	uint64_t data_size = 0;
	for (size_t i = 0; i < n_ext; i++)
		data_size += ext[i].len;
	ok(data_size < file_size, "the test file is sparse (%zu extents, %llu data bytes)", n_ext,
	   (unsigned long long)data_size);

	char want[65], got[65];
	uint64_t data;
	digest(dense, file_size, want);
	ok(read_all(fd, ext, n_ext, dense, true, got, &data), "reader: chunks in order, equal to the file");
	is_str(got, want, "reader with holes hashed: sha256 of the whole file");
	ok(data == data_size, "reader: every data byte once");

	/* The data extents only, end to end. */
	uint8_t *packed = malloc(data_size);
	size_t at = 0;
	for (size_t i = 0; i < n_ext; i++) {
		memcpy(packed + at, dense + ext[i].off, ext[i].len);
		at += ext[i].len;
	}
	digest(packed, data_size, want);
	free(packed);
	ok(read_all(fd, ext, n_ext, dense, false, got, &data), "reader without holes hashed");
	is_str(got, want, "reader without holes hashed: sha256 of the data extents");

	/* One extent for the whole file, as on a file system without SEEK_HOLE. */
	struct sd_extent whole = { 0, file_size };
	digest(dense, file_size, want);
	ok(read_all(fd, &whole, 1, dense, false, got, &data) && data == file_size,
	   "reader: a file read as one extent");
	is_str(got, want, "one extent: sha256 of the whole file");

	/* Giving up after the first chunk must not hang or leak. */
	struct sd_sha256 *h;
	struct sd_reader *r;
	struct sd_reader_chunk c;
	if (sd_sha256_create(&h) || sd_reader_start(fd, "test", &whole, 1, file_size, h, true, &r))
		abort();
	struct sd_error *err = sd_reader_next(r, &c);
	ok(!err && c.len > 0, "early stop: a first chunk");
	sd_reader_destroy(r);
	sd_sha256_destroy(h);

	/* The file is shorter than the extents say: it shrank while being read. */
	struct sd_extent beyond = { 0, file_size + MiB };
	if (sd_sha256_create(&h) ||
	    sd_reader_start(fd, "test", &beyond, 1, file_size + MiB, h, true, &r))
		abort();
	do
		err = sd_reader_next(r, &c);
	while (!err && c.len);
	ok(err && err->code == SD_ERROR_INPUT && strstr(err->message, "shrank"),
	   "a file shorter than its extents: \"%s\"", err ? err->message : "no error");
	sd_error_destroy(err);
	sd_reader_destroy(r);
	sd_sha256_destroy(h);

	free(ext);
	free(dense);
	close(fd);
}

/* Decode a multi-frame zstd file. */
static uint8_t *decode(int fd, size_t *ret_len)
{
	off_t size = lseek(fd, 0, SEEK_END);
	uint8_t *in = malloc((size_t)size);
	if (!in || sd_pread_full(fd, in, (size_t)size, 0) != size)
		abort();
	ZSTD_DCtx *d = ZSTD_createDCtx();
	size_t cap = 16 * MiB, len = 0;
	uint8_t *out = malloc(cap);
	ZSTD_inBuffer ib = { in, (size_t)size, 0 };
	while (ib.pos < ib.size) {
		ZSTD_outBuffer ob = { out + len, cap - len, 0 };
		size_t r = ZSTD_decompressStream(d, &ob, &ib);
		if (ZSTD_isError(r)) {
			printf("# zstd: %s\n", ZSTD_getErrorName(r));
			free(out);
			out = NULL;
			break;
		}
		len += ob.pos;
	}
	ZSTD_freeDCtx(d);
	free(in);
	*ret_len = len;
	return out;
}

static void test_zstd_stored(int threads)
{
	char name[] = "/tmp/savedump-test-zstd.XXXXXX";
	int fd = mkstemp(name);
	if (fd < 0)
		abort();
	unlink(name);
	/* Sizes around the 128 KiB raw block: under, exactly two, and across. */
	static const size_t parts[] = { 1000, 256 << 10, (300 << 10) + 7, 5, 128 << 10 };
	static const int levels[] = { 3, SD_ZSTD_STORED, SD_ZSTD_STORED, 1, SD_ZSTD_STORED };
	size_t total = 0;
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		total += parts[i];
	uint8_t *want = malloc(total);
	fill(want, total, 7);
	struct sd_zstd *z;
	if (sd_zstd_create(fd, name, 3, threads, &z))
		abort();
	bool good = true;
	size_t at = 0;
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		struct sd_error *err = sd_zstd_set_level(z, levels[i]);
		/* Stored data arrives in pieces, as libarchive hands it over. */
		for (size_t p = 0; !err && p < parts[i]; p += 4096)
			err = sd_zstd_write(z, want + at + p, parts[i] - p < 4096 ? parts[i] - p : 4096);
		good = good && !err;
		sd_error_destroy(err);
		at += parts[i];
	}
	struct sd_error *err = sd_zstd_finish(z);
	good = good && !err;
	sd_error_destroy(err);
	sd_zstd_destroy(z);
	ok(good, "zstd stream (%d workers): compressed and stored frames written", threads);
	size_t len;
	uint8_t *got = decode(fd, &len);
	ok(got && len == total && !memcmp(got, want, total),
	   "zstd stream (%d workers): libzstd decodes what was written", threads);
	off_t size = lseek(fd, 0, SEEK_END);
	ok(size > (off_t)(total - parts[0] - parts[3]),
	   "zstd stream (%d workers): stored parts take their own size (%lld bytes in all)",
	   threads, (long long)size);
	free(got);
	free(want);
	close(fd);
}

int main(void)
{
	test_reader();
	test_zstd_stored(0);
	test_zstd_stored(2);
	return tap_done();
}
