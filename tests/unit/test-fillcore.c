// SPDX-License-Identifier: GPL-2.0-or-later
/* The derived core's layout (fillcore.c) and its parsers, on good and hostile input. */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "fillcore.h"
#include "tap.h"

static struct sd_fill_seg load(uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint64_t off)
{
	return (struct sd_fill_seg){ .type = PT_LOAD, .flags = PF_R, .offset = off, .vaddr = vaddr,
				     .filesz = filesz, .memsz = memsz, .align = 4096 };
}

static void put(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* A kernel 0x33 core: each file mapping's first page is in the core, the rest absent. */
static void test_kernel_layout(void)
{
	struct sd_fill_seg segs[] = {
		{ .type = PT_NOTE, .offset = 0x1000, .filesz = 0x200 },
		load(0x400000, 0x1000, 0x5000, 0x2000),	/* lib: first page of 5 */
		load(0x405000, 0x2000, 0x2000, 0x3000),	/* lib's data: whole */
		load(0x500000, 0, 0x2000, 0x5000),	/* assembly: none */
		load(0x600000, 0x3000, 0x3000, 0x5000),	/* anonymous */
	};
	struct sd_fill_map maps[] = {
		{ 0x400000, 0x405000, 0, 0 },
		{ 0x405000, 0x407000, 0x5000, 0 },
		{ 0x500000, 0x502000, 0, 1 },
		{ 0x700000, 0x701000, 0, SIZE_MAX },	/* nothing to fill from */
	};
	uint64_t sizes[] = { 0x7000, 0x1600 };
	struct sd_fill_layout l;
	struct sd_error *err = sd_fill_plan(segs, 5, 0x8123, maps, 4, sizes, 2, &l);
	ok(!err, "kernel layout planned");
	if (err) {
		sd_error_destroy(err);
		return;
	}
	ok(l.n_adds == 2, "two segments added (got %zu)", l.n_adds);
	ok(l.adds[0].vaddr == 0x401000 && l.adds[0].size == 0x4000 &&
	   l.adds[0].source_offset == 0x1000 && l.adds[0].out_offset == 0x9000 &&
	   l.adds[0].source == 0, "the library's missing pages, page-aligned after the dump");
	ok(l.adds[1].vaddr == 0x500000 && l.adds[1].size == 0x1600 && l.adds[1].source == 1 &&
	   l.adds[1].out_offset == 0xd000, "the assembly, cut at the file's end");
	ok(l.phnum == 7 && l.phoff == 0xf000 && l.size == 0xf000 + 7 * 56,
	   "program headers at the end (phnum %zu, phoff 0x%llx)", l.phnum,
	   (unsigned long long)l.phoff);
	uint8_t ph[7 * 56];
	sd_fill_encode_phdrs(segs, 5, &l, ph);
	ok(get(ph + 56 + 40, 8) == 0x1000, "a first-page PT_LOAD's p_memsz is cut to p_filesz");
	ok(get(ph + 3 * 56 + 40, 8) == 0, "an empty PT_LOAD's p_memsz is cut to 0");
	ok(get(ph + 2 * 56 + 40, 8) == 0x2000, "a whole PT_LOAD is left alone");
	const uint8_t *a = ph + 5 * 56;
	ok(get(a, 4) == PT_LOAD && get(a + 4, 4) == PF_R && get(a + 8, 8) == 0x9000 &&
	   get(a + 16, 8) == 0x401000 && get(a + 32, 8) == 0x4000 && get(a + 40, 8) == 0x4000,
	   "an added segment: read-only PT_LOAD, offset, vaddr, sizes");
	sd_fill_layout_deinit(&l);
}

/* Overlapping mappings and segments, sources ending early, hostile values. */
static void test_hostile_layout(void)
{
	struct sd_fill_seg segs[] = {
		load(0x1000, 0x3000, 0x3000, 0),
		load(0x2000, 0x1000, 0x1000, 0),	/* inside the first */
		load(UINT64_MAX - 0xfff, 0x2000, 0x2000, 0),	/* wraps */
	};
	struct sd_fill_map maps[] = {
		{ 0x0, 0x8000, 0, 0 },
		{ 0x6000, 0x9000, 0, 0 },	/* overlaps the first: filled once */
		{ 0xa000, 0xb000, UINT64_MAX - 10, 0 },	/* offset beyond the file */
		{ 0xc000, 0xc000, 0, 0 },	/* empty */
		{ 0xd000, 0xe000, 0, 7 },	/* no such source */
	};
	uint64_t sizes[] = { 0x100000 };
	struct sd_fill_layout l;
	struct sd_error *err = sd_fill_plan(segs, 3, 0, maps, 5, sizes, 1, &l);
	ok(!err, "hostile layout planned");
	if (err) {
		sd_error_destroy(err);
		return;
	}
	uint64_t total = 0;
	bool disjoint = true;
	for (size_t i = 0; i < l.n_adds; i++) {
		total += l.adds[i].size;
		for (size_t k = 0; k < i; k++)
			disjoint &= l.adds[k].vaddr + l.adds[k].size <= l.adds[i].vaddr ||
				    l.adds[i].vaddr + l.adds[i].size <= l.adds[k].vaddr;
	}
	ok(l.n_adds == 3 && total == 0x1000 + 0x4000 + 0x1000 && disjoint,
	   "holes filled once: [0,0x1000), [0x4000,0x8000), [0x8000,0x9000) (%zu adds, 0x%llx)",
	   l.n_adds, (unsigned long long)total);
	sd_fill_layout_deinit(&l);

	struct sd_fill_map big = { 0, UINT64_MAX, 0, 0 };
	uint64_t huge[] = { UINT64_MAX };
	err = sd_fill_plan(NULL, 0, UINT64_MAX - 100, &big, 1, huge, 1, &l);
	ok(err != NULL, "a layout past 2^64 bytes is refused");
	sd_error_destroy(err);
}

static void test_parsers(void)
{
	uint8_t h[64] = { 0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB, 1 };
	put(h + 16, ET_CORE, 2);
	put(h + 32, 64, 8);
	put(h + 54, 56, 2);
	put(h + 56, 2, 2);
	uint64_t phoff;
	size_t phnum;
	struct sd_error *err = sd_fill_parse_ehdr(h, sizeof(h), 64 + 2 * 56, &phoff, &phnum);
	ok(!err && phoff == 64 && phnum == 2, "an ELF64 core header");
	sd_error_destroy(err);
	err = sd_fill_parse_ehdr(h, sizeof(h), 64 + 56, &phoff, &phnum);
	ok(err != NULL, "a program header table past the file's end is refused");
	sd_error_destroy(err);
	put(h + 32, UINT64_MAX - 8, 8);
	err = sd_fill_parse_ehdr(h, sizeof(h), UINT64_MAX, &phoff, &phnum);
	ok(err != NULL, "a program header offset that wraps is refused");
	sd_error_destroy(err);
	put(h + 32, 64, 8);
	put(h + 56, 0xffff, 2);
	err = sd_fill_parse_ehdr(h, sizeof(h), UINT64_MAX, &phoff, &phnum);
	ok(err != NULL, "PN_XNUM is refused");
	sd_error_destroy(err);
	put(h + 16, ET_EXEC, 2);
	err = sd_fill_parse_ehdr(h, sizeof(h), 4096, &phoff, &phnum);
	ok(err != NULL, "not a core");
	sd_error_destroy(err);

	struct sd_fill_seg *segs = NULL;
	err = sd_fill_parse_phdrs(h, 56, 2, &segs);
	ok(err != NULL && !segs, "a table shorter than phnum entries is refused");
	sd_error_destroy(err);

	/* Notes: one of another owner, then CORE NT_FILE with one mapping. */
	uint8_t n[256] = { 0 };
	size_t off = 0;
	put(n, 4, 4), put(n + 4, 4, 4), put(n + 8, NT_FILE, 4), memcpy(n + 12, "GNU", 4);
	off = 20;
	const char path[] = "/usr/lib/libcoreclr.so";
	size_t desc = 16 + 24 + sizeof(path);
	put(n + off, 5, 4), put(n + off + 4, desc, 4), put(n + off + 8, NT_FILE, 4);
	memcpy(n + off + 12, "CORE", 5);
	uint8_t *d = n + off + 20;
	put(d, 1, 8), put(d + 8, 4096, 8), put(d + 16, 0x1000, 8), put(d + 24, 0x3000, 8);
	put(d + 32, 2, 8);
	memcpy(d + 40, path, sizeof(path));
	struct sd_file_note nt;
	err = sd_fill_find_nt_file(n, off + 20 + desc, &nt);
	ok(!err && nt.n == 1 && nt.maps[0].pgoff == 2,
	   "the CORE NT_FILE note is found after another owner's");
	if (!err) {
		is_str(nt.n ? nt.maps[0].path : "", path, "its mapping's path");
		sd_file_note_deinit(&nt);
	}
	sd_error_destroy(err);
	put(n + off + 4, 0xfffffff0, 4);	/* descsz past the end */
	err = sd_fill_find_nt_file(n, off + 20 + desc, &nt);
	ok(!err && nt.n == 0, "a note running past the segment is not read");
	sd_error_destroy(err);
}

int main(void)
{
	test_kernel_layout();
	test_hostile_layout();
	test_parsers();
	return tap_done();
}
