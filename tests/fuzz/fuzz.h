/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the fuzz targets, tests/fuzz/fuzz-NAME.c. Each target defines
 * LLVMFuzzerTestOneInput(), fuzz_name and fuzz_seeds(). Linked with
 * libFuzzer it is tests/fuzz/libfuzzer-NAME (make fuzz); linked with
 * replay.c it is tests/fuzz/fuzz-NAME, whose main() replays the seeds and
 * the committed corpus through the same function (make check).
 *
 * The targets over dump memory (kallsyms, printk, the module list, the
 * link_map walk, BTF) read their input as
 *	u8	flags: FUZZ_BIG_ENDIAN, FUZZ_PTR32, FUZZ_HOLES
 *	u64	the address of the memory's first byte
 *	u64	holes: with FUZZ_HOLES, bit i makes bytes [64 i, 64 i + 64) of the
 *		memory unreadable, as pages filtered out of a dump are
 *	...	the target's own parameters
 *	text	NUL-terminated, when the target takes one (VMCOREINFO, a type table)
 *	memory	the rest
 * All integers are little-endian and bytes past the end read as zero, so
 * every input means something.
 */
#ifndef SAVEDUMP_FUZZ_H
#define SAVEDUMP_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The target's name: its seeds are written to tests/fuzz/seeds/NAME, its corpus is corpus/NAME. */
extern const char fuzz_name[];

/* A target hands each of its seed inputs to emit; name is a file name. */
typedef void fuzz_emit_fn(void *arg, const char *name, const void *data, size_t size);
void fuzz_seeds(fuzz_emit_fn *emit, void *arg);

/* A broken invariant is a crash, as libFuzzer and the replay both report it. */
#define fuzz_assert(cond)                                                                   \
	do {                                                                                \
		if (!(cond)) {                                                              \
			fprintf(stderr, "%s:%d: fuzz_assert(%s) failed\n", __FILE__, __LINE__, \
				#cond);                                                     \
			abort();                                                            \
		}                                                                           \
	} while (0)

/* --- reading an input ------------------------------------------------------------------- */

struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline uint64_t fuzz_uint(struct fuzz_in *in, unsigned size)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++) {
		if (in->left) {
			v |= (uint64_t)in->p[0] << (8 * i);
			in->p++;
			in->left--;
		}
	}
	return v;
}

/* The bytes up to the next NUL (or the end), which is consumed. */
static inline const char *fuzz_text(struct fuzz_in *in, size_t *ret_len)
{
	const char *text = (const char *)in->p;
	const uint8_t *nul = memchr(in->p, '\0', in->left);
	size_t len = nul ? (size_t)(nul - in->p) : in->left;
	in->p += len + (nul ? 1 : 0);
	in->left -= len + (nul ? 1 : 0);
	*ret_len = len;
	return text;
}

enum { FUZZ_BIG_ENDIAN = 1, FUZZ_PTR32 = 2, FUZZ_HOLES = 4 };
enum { FUZZ_HOLE_SIZE = 64 };

struct fuzz_mem {
	uint64_t base;
	const uint8_t *bytes;
	size_t len;
	uint64_t holes;		/* FUZZ_HOLE_SIZE-byte blocks that cannot be read */
};

/* The common header; the memory itself is set by fuzz_mem_rest() once the rest is read. */
static inline void fuzz_mem_header(struct fuzz_in *in, struct fuzz_mem *m, struct sd_kmem *km)
{
	uint8_t flags = (uint8_t)fuzz_uint(in, 1);
	m->base = fuzz_uint(in, 8);
	m->holes = fuzz_uint(in, 8);
	if (!(flags & FUZZ_HOLES))
		m->holes = 0;
	m->bytes = NULL;
	m->len = 0;
	if (km) {
		km->big_endian = flags & FUZZ_BIG_ENDIAN;
		km->ptr_size = flags & FUZZ_PTR32 ? 4 : 8;
	}
}

static inline void fuzz_mem_rest(struct fuzz_in *in, struct fuzz_mem *m)
{
	m->bytes = in->p;
	m->len = in->left;
	in->p += in->left;
	in->left = 0;
}

static inline bool fuzz_mem_readable(const struct fuzz_mem *m, size_t off)
{
	size_t block = off / FUZZ_HOLE_SIZE;
	return block >= 64 || !(m->holes >> block & 1);
}

/*
 * The read callback of struct sd_kmem and of the link_map walker: what the
 * memory holds at addr, up to the end or the first hole, as a dump reader
 * returns it.
 */
static inline size_t fuzz_mem_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	const struct fuzz_mem *m = arg;
	if (addr < m->base || addr - m->base >= m->len)
		return 0;
	size_t off = (size_t)(addr - m->base);
	size_t n = len < m->len - off ? len : m->len - off;
	if (m->holes) {
		size_t ok = 0;
		while (ok < n && fuzz_mem_readable(m, off + ok))
			ok += FUZZ_HOLE_SIZE - (off + ok) % FUZZ_HOLE_SIZE;
		if (ok < n)
			n = ok;
	}
	memcpy(buf, m->bytes + off, n);
	return n;
}

/* --- writing seeds ------------------------------------------------------------------------ */

struct fuzz_buf {
	uint8_t *data;
	size_t len, cap;
};

static inline void fuzz_buf_bytes(struct fuzz_buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->data = realloc(b->data, b->cap);
		if (!b->data)
			abort();
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

static inline void fuzz_buf_uint(struct fuzz_buf *b, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++) {
		uint8_t c = (uint8_t)(v >> (8 * i));
		fuzz_buf_bytes(b, &c, 1);
	}
}

/* The common header of a memory input (holes: 0). */
static inline void fuzz_buf_mem_header(struct fuzz_buf *b, uint8_t flags, uint64_t base)
{
	fuzz_buf_uint(b, flags, 1);
	fuzz_buf_uint(b, base, 8);
	fuzz_buf_uint(b, 0, 8);
}

/* A text and its NUL. */
static inline void fuzz_buf_text(struct fuzz_buf *b, const char *text)
{
	fuzz_buf_bytes(b, text, strlen(text) + 1);
}

/* Hand the buffer to emit and empty it. */
static inline void fuzz_buf_emit(struct fuzz_buf *b, fuzz_emit_fn *emit, void *arg,
				 const char *name)
{
	emit(arg, name, b->data, b->len);
	free(b->data);
	*b = (struct fuzz_buf){ 0 };
}

#endif
