// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The derived core's parsers and layout (fillcore.c) on a whole core file:
 * the ELF header, the program headers, the NT_FILE note of each PT_NOTE,
 * then the layout with each mapping filled by one of two files whose sizes
 * the input's first 8 bytes give.
 * Input: u32 size of source 0, u32 size of source 1, then the core.
 */
#include <elf.h>

#include "fillcore.h"
#include "fuzz.h"

const char fuzz_name[] = "fillcore";

static void check_layout(const struct sd_fill_seg *segs, size_t n_segs, uint64_t core_size,
			 const struct sd_file_note *nt, const uint64_t sizes[2])
{
	size_t n = nt->n < 4096 ? nt->n : 4096;
	struct sd_fill_map *maps = calloc(n ? n : 1, sizeof(*maps));
	if (!maps)
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct sd_file_mapping *m = &nt->maps[i];
		maps[i] = (struct sd_fill_map){ m->start, m->end,
						m->pgoff * (nt->page_size & 0xffff), i % 3 };
	}
	struct sd_fill_layout l;
	struct sd_error *err = sd_fill_plan(segs, n_segs, core_size, maps, n, sizes, 2, &l);
	if (!err) {
		fuzz_assert(l.phnum == n_segs + l.n_adds && l.phnum <= SD_FILL_PHNUM_MAX);
		fuzz_assert(l.size == l.phoff + (uint64_t)l.phnum * 56);
		uint64_t end = core_size;
		for (size_t i = 0; i < l.n_adds; i++) {
			const struct sd_fill_add *a = &l.adds[i];
			fuzz_assert(a->source < 2 && a->size > 0);
			fuzz_assert(a->source_offset < sizes[a->source] &&
				    a->size <= sizes[a->source] - a->source_offset);
			fuzz_assert(a->out_offset >= end && a->out_offset % 4096 == 0);
			fuzz_assert(a->out_offset + a->size <= l.phoff);
			end = a->out_offset + a->size;
			for (size_t k = 0; k < i; k++)
				fuzz_assert(l.adds[k].vaddr + l.adds[k].size <= a->vaddr ||
					    a->vaddr + a->size <= l.adds[k].vaddr);
		}
		uint8_t *ph = malloc(l.phnum * 56 + 1);
		if (!ph)
			abort();
		sd_fill_encode_phdrs(segs, n_segs, &l, ph);
		free(ph);
		sd_fill_layout_deinit(&l);
	}
	sd_error_destroy(err);
	free(maps);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint64_t sizes[2];
	sizes[0] = fuzz_uint(&in, 4);
	sizes[1] = fuzz_uint(&in, 4);
	const uint8_t *core = in.p;
	size_t len = in.left;
	uint64_t phoff;
	size_t phnum;
	struct sd_error *err = sd_fill_parse_ehdr(core, len, len, &phoff, &phnum);
	if (err) {
		sd_error_destroy(err);
		return 0;
	}
	fuzz_assert(phoff <= len && phnum * 56 <= len - phoff);
	struct sd_fill_seg *segs;
	if ((err = sd_fill_parse_phdrs(core + phoff, len - phoff, phnum, &segs))) {
		sd_error_destroy(err);
		return 0;
	}
	struct sd_file_note nt = { 0 };
	for (size_t i = 0; i < phnum && !nt.n; i++) {
		const struct sd_fill_seg *s = &segs[i];
		if (s->type != PT_NOTE || s->offset > len || s->filesz > len - s->offset)
			continue;
		sd_file_note_deinit(&nt);
		if ((err = sd_fill_find_nt_file(core + s->offset, s->filesz, &nt)))
			sd_error_destroy(err);
	}
	check_layout(segs, phnum, len, &nt, sizes);
	sd_file_note_deinit(&nt);
	free(segs);
	return 0;
}

/* --- seeds -------------------------------------------------------------------------------- */

static void phdr(struct fuzz_buf *b, uint32_t type, uint64_t off, uint64_t vaddr, uint64_t filesz,
		 uint64_t memsz)
{
	fuzz_buf_uint(b, type, 4);
	fuzz_buf_uint(b, PF_R, 4);
	fuzz_buf_uint(b, off, 8);
	fuzz_buf_uint(b, vaddr, 8);
	fuzz_buf_uint(b, 0, 8);
	fuzz_buf_uint(b, filesz, 8);
	fuzz_buf_uint(b, memsz, 8);
	fuzz_buf_uint(b, 4096, 8);
}

/*
 * A kernel core with coredump_filter 0x33: first pages only; gcore's: none;
 * and the kernel one with an NT_FILE of no entries in a PT_NOTE before
 * (the note parsed first must not leak).
 */
void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	static const char *const paths[] = { "/rt/libcoreclr.so", "/app/App.dll",
					     "/rt/libcoreclr.so" };
	static const char *const names[] = { "kernel-0x33", "gcore", "empty-nt-file-first" };
	for (int v = 0; v < 3; v++) {
		bool gcore = v == 1, empty = v == 2;
		int phnum = empty ? 5 : 4;
		struct fuzz_buf b = { 0 };
		fuzz_buf_uint(&b, 0x6000, 4);
		fuzz_buf_uint(&b, 0x1600, 4);
		uint8_t ident[16] = { 0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB, 1 };
		fuzz_buf_bytes(&b, ident, 16);
		fuzz_buf_uint(&b, ET_CORE, 2);
		fuzz_buf_uint(&b, EM_X86_64, 2);
		fuzz_buf_uint(&b, 1, 4);
		fuzz_buf_uint(&b, 0, 8);	/* e_entry */
		fuzz_buf_uint(&b, 64, 8);	/* e_phoff */
		fuzz_buf_uint(&b, 0, 8);	/* e_shoff */
		fuzz_buf_uint(&b, 0, 4);
		fuzz_buf_uint(&b, 64, 2);
		fuzz_buf_uint(&b, 56, 2);
		fuzz_buf_uint(&b, (uint64_t)phnum, 2);
		fuzz_buf_uint(&b, 0, 6);
		size_t desc = 16 + 3 * 24;
		for (int i = 0; i < 3; i++)
			desc += strlen(paths[i]) + 1;
		uint64_t note_off = 64 + (uint64_t)phnum * 56;
		uint64_t note_size = 20 + ((desc + 3) & ~(size_t)3);
		uint64_t data = (note_off + note_size + 4095) & ~(uint64_t)4095;
		if (empty)	/* after the data: CORE NT_FILE, count 0, page size 4096 */
			phdr(&b, PT_NOTE, data + 0x3000, 0, 20 + 16, 0);
		phdr(&b, PT_NOTE, note_off, 0, note_size, 0);
		phdr(&b, PT_LOAD, data, 0x400000, gcore ? 0x2000 : 0x1000, 0x2000);
		phdr(&b, PT_LOAD, data + 0x2000, 0x500000, 0, gcore ? 0 : 0x2000);
		phdr(&b, PT_LOAD, data + 0x2000, 0x600000, 0x1000, 0x1000);
		fuzz_buf_uint(&b, 5, 4);
		fuzz_buf_uint(&b, desc, 4);
		fuzz_buf_uint(&b, NT_FILE, 4);
		fuzz_buf_bytes(&b, "CORE\0\0\0", 8);
		fuzz_buf_uint(&b, 3, 8);
		fuzz_buf_uint(&b, 4096, 8);
		static const uint64_t m[3][3] = { { 0x400000, 0x405000, 0 },
						  { 0x500000, 0x502000, 0 },
						  { 0x405000, 0x406000, 5 } };
		for (int i = 0; i < 3; i++)
			for (int k = 0; k < 3; k++)
				fuzz_buf_uint(&b, m[i][k], 8);
		for (int i = 0; i < 3; i++)
			fuzz_buf_text(&b, paths[i]);
		while ((b.len - 8) % 4)
			fuzz_buf_uint(&b, 0, 1);
		while (b.len - 8 < data + 0x3000)
			fuzz_buf_uint(&b, 0xcc, 1);
		if (empty) {
			fuzz_buf_uint(&b, 5, 4);
			fuzz_buf_uint(&b, 16, 4);
			fuzz_buf_uint(&b, NT_FILE, 4);
			fuzz_buf_bytes(&b, "CORE\0\0\0", 8);
			fuzz_buf_uint(&b, 0, 8);
			fuzz_buf_uint(&b, 4096, 8);
		}
		fuzz_buf_emit(&b, emit, arg, names[v]);
	}
}
