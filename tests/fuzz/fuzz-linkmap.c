// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dynamic loader's link_map walk (linkmap.c) over a core's memory, read
 * through its callback. Input: the memory header of fuzz.h (FUZZ_PTR32 is
 * a 32-bit core), u64 AT_PHDR, u16 AT_PHNUM, then the memory.
 */
#include <elf.h>

#include "fuzz.h"
#include "linkmap.h"
#include "util.h"

const char fuzz_name[] = "linkmap";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct fuzz_mem m;
	struct sd_kmem km;
	fuzz_mem_header(&in, &m, &km);
	uint64_t at_phdr = fuzz_uint(&in, 8), at_phnum = fuzz_uint(&in, 2);
	fuzz_mem_rest(&in, &m);
	struct sd_note_layout l = { .is64 = km.ptr_size == 8, .big_endian = km.big_endian };

	struct sd_link_map_entry *v;
	size_t n;
	struct sd_error *err = sd_link_map_walk(fuzz_mem_read, &m, l, at_phdr, at_phnum, &v, &n);
	if (!err) {
		fuzz_assert(n <= SD_LINK_MAP_MAX);
		for (size_t i = 0; i < n; i++)
			fuzz_assert(strlen(v[i].name) < SD_PATH_MAX);
		sd_link_map_free(v, n);
	}
	sd_error_destroy(err);
	return 0;
}

/* --- seeds -------------------------------------------------------------------------------- */

static void put(uint8_t *p, uint64_t v, struct sd_note_layout l)
{
	unsigned w = l.is64 ? 8 : 4;
	for (unsigned i = 0; i < w; i++)
		p[i] = (uint8_t)(v >> (8 * (l.big_endian ? w - 1 - i : i)));
}

/*
 * As test-notes.c lays it out, packed into 1 KiB at 0x1000: the program
 * headers (PT_PHDR, PT_DYNAMIC), the dynamic section (DT_DEBUG), r_debug,
 * then three link_maps: the executable, libc, and one that points back.
 */
enum { BASE = 0x1000, DYN = 0x100, R_DEBUG = 0x180, LM = 0x200, NAMES = 0x300, LEN = 0x400 };

static void link_map_seed(struct fuzz_buf *b, struct sd_note_layout l)
{
	unsigned w = l.is64 ? 8 : 4;
	uint8_t p[LEN] = { 0 };
	/* p_type at 0; p_vaddr at 16 (64-bit) or 8; p_memsz at 40 or 20. */
	size_t phent = l.is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	struct sd_note_layout u32 = { .is64 = false, .big_endian = l.big_endian };
	put(p, PT_PHDR, u32);
	put(p + (l.is64 ? 16 : 8), BASE, l);
	put(p + phent, PT_DYNAMIC, u32);
	put(p + phent + (l.is64 ? 16 : 8), BASE + DYN, l);
	put(p + phent + (l.is64 ? 40 : 20), 8 * w, l);
	put(p + DYN, DT_DEBUG, l);
	put(p + DYN + w, BASE + R_DEBUG, l);
	put(p + R_DEBUG + w, BASE + LM, l);	/* r_map */
	static const char *const names[] = { "", "/lib/x86_64-linux-gnu/libc.so.6",
					     "/lib/libloop.so" };
	for (unsigned i = 0; i < 3; i++) {
		uint8_t *e = p + LM + i * 0x40;
		put(e, 0x7000 + i, l);
		put(e + w, BASE + NAMES + i * 0x40, l);
		put(e + 2 * w, 0x6000 + i, l);
		put(e + 3 * w, BASE + LM + (i < 2 ? (i + 1) * 0x40 : 0), l);
		strcpy((char *)p + NAMES + i * 0x40, names[i]);
	}
	fuzz_buf_mem_header(b, (l.is64 ? 0 : FUZZ_PTR32) | (l.big_endian ? FUZZ_BIG_ENDIAN : 0),
			    BASE);
	fuzz_buf_uint(b, BASE, 8);	/* AT_PHDR */
	fuzz_buf_uint(b, 2, 2);		/* AT_PHNUM */
	fuzz_buf_bytes(b, p, LEN);
}

void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	struct fuzz_buf b = { 0 };
	link_map_seed(&b, (struct sd_note_layout){ .is64 = true });
	fuzz_buf_emit(&b, emit, arg, "le64");
	link_map_seed(&b, (struct sd_note_layout){ .is64 = false, .big_endian = true });
	fuzz_buf_emit(&b, emit, arg, "be32");
}
