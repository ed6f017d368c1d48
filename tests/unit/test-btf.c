// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sd_btf_find(): the kernel's BTF found by its header in a synthetic kernel
 * image, among decoys (headers of another version, headers whose sections
 * do not parse, BTF without struct module), across the search's chunk
 * boundaries, within its byte and try limits, and with parts of the image
 * not in the dump.
 */
#include <linux/btf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "btf.h"
#include "tap.h"
#include "testmem.h"

enum { IMAGE = 3 << 20, CHUNK = 1 << 20 };
static const uint64_t base = 0xffffffff81000000ull;

struct blob {
	uint8_t b[256];
	size_t len;
};

static void put32(struct blob *bl, uint32_t v)
{
	memcpy(bl->b + bl->len, &v, 4);
	bl->len += 4;
}

/* A small BTF (include/uapi/linux/btf.h): int, then struct NAME { int state; }. */
static void make_btf(struct blob *bl, const char *name)
{
	static char strs[64];
	size_t sl = 0;
	strs[sl++] = '\0';
	uint32_t int_name = (uint32_t)sl;
	memcpy(strs + sl, "int", 4);
	sl += 4;
	uint32_t s_name = (uint32_t)sl;
	memcpy(strs + sl, name, strlen(name) + 1);
	sl += strlen(name) + 1;
	uint32_t m_name = (uint32_t)sl;
	memcpy(strs + sl, "state", 6);
	sl += 6;

	bl->len = sizeof(struct btf_header);
	put32(bl, int_name);			/* [1] int */
	put32(bl, (uint32_t)BTF_KIND_INT << 24);
	put32(bl, 4);
	put32(bl, BTF_INT_SIGNED << 24 | 32);
	put32(bl, s_name);			/* [2] struct name { int state; } */
	put32(bl, (uint32_t)BTF_KIND_STRUCT << 24 | 1);
	put32(bl, 4);
	put32(bl, m_name);
	put32(bl, 1);
	put32(bl, 0);
	uint32_t type_len = (uint32_t)(bl->len - sizeof(struct btf_header));
	memcpy(bl->b + bl->len, strs, sl);
	bl->len += sl;
	struct btf_header h = {
		.magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(h),
		.type_off = 0, .type_len = type_len, .str_off = type_len, .str_len = (uint32_t)sl,
	};
	memcpy(bl->b, &h, sizeof(h));
}

static struct mem image_mem;
static uint8_t *image;

/* A reader with a hole (not in the dump) at [hole, hole + hole_len). */
static uint64_t hole, hole_len;
static size_t read_with_hole(void *arg, uint64_t addr, void *buf, size_t len)
{
	if (hole_len && addr < hole + hole_len && addr + len > hole)
		len = addr < hole ? (size_t)(hole - addr) : 0;
	return len ? mem_read(arg, addr, buf, len) : 0;
}

static struct sd_kmem kmem(void)
{
	struct sd_kmem m = { .read = read_with_hole, .arg = &image_mem, .ptr_size = 8 };
	return m;
}

static struct sd_error *find(uint64_t max_bytes, const char *must, uint64_t *ret_addr)
{
	struct sd_kmem m = kmem();
	struct sd_btf *btf = NULL;
	struct sd_error *err = sd_btf_find(&m, base, base + IMAGE, max_bytes, must, &btf, ret_addr);
	if (!err) {
		struct sd_ktypes t;
		uint64_t off, size;
		sd_btf_ktypes(btf, &t);
		ok(t.member(t.arg, must, "state", &off, &size) && off == 0 && size == 4,
		   "the BTF found is parsed: %s.state", must);
		sd_btf_destroy(btf);
	}
	return err;
}

int main(void)
{
	image = malloc(IMAGE);
	if (!image)
		return 1;
	/* Text and data that are no BTF (a fixed pseudo-random fill). */
	uint32_t x = 12345;
	for (size_t i = 0; i < IMAGE; i++) {
		x = x * 1103515245 + 12345;
		image[i] = (uint8_t)(x >> 16);
	}
	image_mem = (struct mem){ .base = base, .bytes = image, .len = IMAGE };

	struct blob real, other, bad;
	make_btf(&real, "module");
	make_btf(&other, "other");
	/* A plausible header over sections libbpf refuses (an unknown type kind). */
	make_btf(&bad, "module");
	uint32_t info = 31u << 24;
	memcpy(bad.b + sizeof(struct btf_header) + 4, &info, 4);
	/* And one of another version. */
	struct blob v2 = real;
	v2.b[2] = 2;

	/* The real one straddles the boundary of the search's last two chunks; decoys above it. */
	size_t at = IMAGE - 2 * CHUNK - 8;
	memcpy(image + at, real.b, real.len);
	memcpy(image + IMAGE - 4096, bad.b, bad.len);
	memcpy(image + IMAGE - 8192, other.b, other.len);
	memcpy(image + IMAGE - 12288, v2.b, v2.len);
	memcpy(image + IMAGE - CHUNK - 2, real.b, real.len);	/* not 4-byte aligned: not seen */

	uint64_t addr = 0;
	struct sd_error *err = find(0, "module", &addr);
	ok(!err && addr == base + at, "found at %#llx, past three decoys and a misaligned copy (%s)",
	   (unsigned long long)addr, err ? err->message : "ok");
	sd_error_destroy(err);

	err = find(0, "other", &addr);
	ok(!err && addr == base + IMAGE - 8192, "the struct asked for decides which BTF is taken");
	sd_error_destroy(err);

	/* Bounded: a search of the top 1 MiB does not reach it. */
	err = find(CHUNK, "module", &addr);
	ok(err && strstr(err->message, "no BTF found by its header"),
	   "a search limited to 1 MiB does not find it: %s", err ? err->message : "found");
	sd_error_destroy(err);

	/* Its header not in the dump. */
	hole = base + at - 64;
	hole_len = 4096;
	err = find(0, "module", &addr);
	ok(err && strstr(err->message, "no BTF found"), "its page not in the dump: not found (%s)",
	   err ? err->message : "found");
	sd_error_destroy(err);
	hole_len = 0;

	/* Corrupt: the real one's string section cut short by the image's end. */
	memset(image + at, 0, real.len);
	memcpy(image + ((IMAGE - real.len + 8) & ~(size_t)3), real.b, 24);
	err = find(0, "module", &addr);
	ok(err != NULL, "a header whose sections run past the image is refused");
	sd_error_destroy(err);

	/* Many plausible headers over garbage: the tries are capped, no crash. */
	for (size_t off = 0; off + bad.len < CHUNK; off += 1024)
		memcpy(image + IMAGE - CHUNK + off, bad.b, bad.len);
	err = find(0, "module", &addr);
	ok(err && strstr(err->message, "64 plausible headers tried"),
	   "tries are capped: %s", err ? err->message : "found");
	sd_error_destroy(err);

	struct sd_kmem m = kmem();
	struct sd_btf *btf;
	err = sd_btf_find(&m, base + 16, base, 0, "module", &btf, &addr);
	is_str(err ? err->message : NULL, "no kernel image to search for BTF in",
	       "an empty range is refused");
	sd_error_destroy(err);
	free(image);
	return tap_done();
}
