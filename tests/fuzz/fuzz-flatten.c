// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reassembly of flattened dumps (flatten.c), checked against a model: the
 * file it writes must be what the records say. Input: u8 flags (bit 0: put
 * a valid 4 KiB header in front, so that inputs need not carry one; bit 1:
 * checksum what is read, as savedump does), then the file, or the records.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "flatten.h"
#include "fuzz.h"
#include "hash.h"

const char fuzz_name[] = "flatten";

enum { WITH_HEADER = 1, WITH_SHA256 = 2 };
/* Files the model reproduces byte for byte; larger ones are compared by size only. */
enum { MODEL_MAX = 1 << 20 };

static int64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

struct model {
	bool error, truncated;
	uint64_t size;
	uint8_t *bytes;		/* MODEL_MAX bytes */
};

/* What makedumpfile -R would write, straight from the format's description. */
static void model(const uint8_t *f, size_t len, struct model *m)
{
	memset(m->bytes, 0, MODEL_MAX);
	m->error = m->truncated = false;
	m->size = 0;
	if (len < SD_FLAT_HEADER_SIZE || memcmp(f, "makedumpfile", 12) || be64(f + 16) != 1) {
		m->error = true;
		return;
	}
	size_t pos = SD_FLAT_HEADER_SIZE;
	for (;;) {
		if (len - pos < 16) {
			m->truncated = true;
			return;
		}
		int64_t off = be64(f + pos), size = be64(f + pos + 8);
		pos += 16;
		if (off == -1 && size == -1)
			return;
		if (off < 0 || size < 0 || (uint64_t)off > SD_FLAT_MAX_OFFSET ||
		    (uint64_t)size > SD_FLAT_MAX_RECORD) {
			m->error = true;
			return;
		}
		size_t n = (uint64_t)size < len - pos ? (size_t)size : len - pos;
		for (size_t i = 0; i < n; i++)
			if ((uint64_t)off + i < MODEL_MAX)
				m->bytes[(uint64_t)off + i] = f[pos + i];
		pos += n;
		if ((uint64_t)off + n > m->size)
			m->size = (uint64_t)off + n;
		if (n < (uint64_t)size) {
			m->truncated = true;
			return;
		}
	}
}

static int memfd(const void *data, size_t len)
{
	int fd = memfd_create("fuzz-flatten", 0);
	if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len))
		abort();
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *file, *model_bytes, *out_bytes;
	if (!file && !(file = malloc(SD_FLAT_HEADER_SIZE + (1 << 20))))
		abort();
	if (!model_bytes && !(model_bytes = malloc(MODEL_MAX)))
		abort();
	if (!out_bytes && !(out_bytes = malloc(MODEL_MAX)))
		abort();
	struct fuzz_in in = { data, size };
	uint8_t flags = (uint8_t)fuzz_uint(&in, 1);
	if (in.left > (1 << 20))
		return 0;
	size_t len = 0;
	if (flags & WITH_HEADER) {
		memset(file, 0, SD_FLAT_HEADER_SIZE);
		memcpy(file, "makedumpfile", 12);
		file[23] = 1;	/* type, big-endian */
		file[31] = 1;	/* version */
		len = SD_FLAT_HEADER_SIZE;
	}
	memcpy(file + len, in.p, in.left);
	len += in.left;

	struct sd_sha256 *h = NULL;
	if ((flags & WITH_SHA256) && sd_sha256_create(&h))
		abort();
	int fd = memfd(file, len), out = memfd(NULL, 0);
	uint64_t out_size;
	bool truncated;
	struct sd_error *err = sd_flattened_reassemble(fd, "fuzz", out, h, &out_size, &truncated);
	struct model m = { .bytes = model_bytes };
	model(file, len, &m);
	fuzz_assert(!err == !m.error);
	if (!err) {
		fuzz_assert(out_size == m.size && truncated == m.truncated);
		fuzz_assert(lseek(out, 0, SEEK_END) == (off_t)out_size);
		if (out_size <= MODEL_MAX) {
			fuzz_assert(pread(out, out_bytes, out_size, 0) == (ssize_t)out_size);
			fuzz_assert(!memcmp(out_bytes, m.bytes, out_size));
		}
	}
	sd_error_destroy(err);
	sd_sha256_destroy(h);
	close(fd);
	close(out);
	return 0;
}

/* --- seeds: the file of test-kernel.c, and the same records after a synthesized header --- */

static void record(struct fuzz_buf *b, int64_t off, int64_t size, const char *data)
{
	for (int i = 0; i < 8; i++)
		fuzz_buf_uint(b, (uint64_t)off >> (56 - 8 * i), 1);
	for (int i = 0; i < 8; i++)
		fuzz_buf_uint(b, (uint64_t)size >> (56 - 8 * i), 1);
	if (data)
		fuzz_buf_bytes(b, data, (size_t)size);
}

static void records(struct fuzz_buf *b)
{
	record(b, 8, 4, "DATA");
	record(b, 0, 8, "KDUMP   ");
	record(b, 20, 3, "end");
	record(b, -1, -1, NULL);
}

void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	struct fuzz_buf b = { 0 };
	fuzz_buf_uint(&b, 0, 1);
	uint8_t hdr[SD_FLAT_HEADER_SIZE] = "makedumpfile";
	hdr[23] = 1;
	hdr[31] = 1;
	fuzz_buf_bytes(&b, hdr, sizeof(hdr));
	records(&b);
	fuzz_buf_emit(&b, emit, arg, "whole-file");

	fuzz_buf_uint(&b, WITH_HEADER | WITH_SHA256, 1);
	records(&b);
	fuzz_buf_emit(&b, emit, arg, "records");

	fuzz_buf_uint(&b, WITH_HEADER, 1);
	record(&b, 4096, 16, NULL);	/* fewer bytes than the record says */
	fuzz_buf_bytes(&b, "truncated", 9);
	fuzz_buf_emit(&b, emit, arg, "truncated");
}
