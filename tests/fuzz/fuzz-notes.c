// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The core-note parsers (notes.c: NT_FILE, NT_PRPSINFO, NT_PRSTATUS,
 * NT_AUXV; kmodules.c: a GNU build-id note) on one descriptor.
 * Input: u8 layout (bit 0 big-endian, bit 1 32-bit, bits 2-3 the machine),
 * u8 the auxv type looked up, then the descriptor.
 */
#include <elf.h>

#include "fuzz.h"
#include "kmodules.h"
#include "notes.h"

const char fuzz_name[] = "notes";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int machines[] = { EM_X86_64, EM_386, EM_ARM, EM_AARCH64 };
	struct fuzz_in in = { data, size };
	uint8_t flags = (uint8_t)fuzz_uint(&in, 1);
	uint64_t auxv_type = fuzz_uint(&in, 1);
	struct sd_note_layout l = { .is64 = !(flags & 2), .big_endian = flags & 1 };
	const uint8_t *desc = in.p;
	size_t len = in.left;

	struct sd_file_note fn;
	struct sd_error *err = sd_parse_nt_file(desc, len, l, &fn);
	if (!err) {
		size_t w = l.is64 ? 8 : 4, names = len - 2 * w - fn.n * 3 * w;
		fuzz_assert(len >= 2 * w && fn.n <= (len - 2 * w) / (3 * w));
		for (size_t i = 0; i < fn.n; i++) {
			size_t pl = strlen(fn.maps[i].path);
			fuzz_assert(pl < names);
			names -= pl + 1;
		}
		sd_file_note_deinit(&fn);
	}
	sd_error_destroy(err);

	struct sd_prpsinfo ps;
	err = sd_parse_prpsinfo(desc, len, l, machines[flags >> 2 & 3], &ps);
	if (!err)
		fuzz_assert(strlen(ps.fname) < sizeof(ps.fname) &&
			    strlen(ps.psargs) < sizeof(ps.psargs));
	sd_error_destroy(err);

	int sig = sd_parse_prstatus_signal(desc, len, l);
	fuzz_assert(sig >= -1 && sig <= 0xffff);

	uint64_t v;
	sd_auxv_get(desc, len, l, auxv_type, &v);

	struct sd_build_id id;
	if (sd_notes_build_id(desc, len, l.big_endian, &id))
		fuzz_assert(id.len > 0 && id.len <= SD_BUILD_ID_MAX);
	return 0;
}

/* --- seeds -------------------------------------------------------------------------------- */

static void word(struct fuzz_buf *b, uint64_t v, struct sd_note_layout l)
{
	unsigned w = l.is64 ? 8 : 4;
	for (unsigned i = 0; i < w; i++) {
		uint8_t c = (uint8_t)(v >> (8 * (l.big_endian ? w - 1 - i : i)));
		fuzz_buf_bytes(b, &c, 1);
	}
}

static void nt_file(struct fuzz_buf *b, struct sd_note_layout l)
{
	static const char *const names[] = { "/usr/bin/prog", "/usr/lib/libc.so.6",
					     "/memfd:x (deleted)" };
	word(b, 3, l);
	word(b, 4096, l);
	for (uint64_t i = 0; i < 3; i++) {
		word(b, 0x400000 + i * 0x1000, l);
		word(b, 0x401000 + i * 0x1000, l);
		word(b, i, l);
	}
	for (int i = 0; i < 3; i++)
		fuzz_buf_text(b, names[i]);
}

void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	struct fuzz_buf b = { 0 };
	static const struct {
		const char *name;
		uint8_t flags;
	} layouts[] = { { "nt-file-le64", 0 }, { "nt-file-le32", 2 }, { "nt-file-be64", 1 } };
	for (size_t i = 0; i < sizeof(layouts) / sizeof(*layouts); i++) {
		struct sd_note_layout l = { .is64 = !(layouts[i].flags & 2),
					    .big_endian = layouts[i].flags & 1 };
		fuzz_buf_uint(&b, layouts[i].flags, 1);
		fuzz_buf_uint(&b, AT_ENTRY, 1);
		nt_file(&b, l);
		fuzz_buf_emit(&b, emit, arg, layouts[i].name);
	}

	/* NT_PRPSINFO of x86_64: pid at 24, pr_fname at 40, pr_psargs at 56. */
	uint8_t ps[136] = { 0 };
	ps[24] = 0x39;
	ps[25] = 0x30;
	memcpy(ps + 40, "crasher", 8);
	memcpy(ps + 56, "./crasher --flag", 17);
	fuzz_buf_uint(&b, 0, 1);
	fuzz_buf_uint(&b, AT_ENTRY, 1);
	fuzz_buf_bytes(&b, ps, sizeof(ps));
	fuzz_buf_emit(&b, emit, arg, "prpsinfo-x86_64");

	/* NT_AUXV: AT_PHDR, AT_PHNUM, AT_ENTRY, AT_NULL. */
	struct sd_note_layout le64 = { .is64 = true };
	fuzz_buf_uint(&b, 0, 1);
	fuzz_buf_uint(&b, AT_PHNUM, 1);
	static const uint64_t auxv[] = { AT_PHDR, 0x400040, AT_PHNUM, 13, AT_ENTRY, 0x401000,
					 AT_NULL, 0 };
	for (size_t i = 0; i < sizeof(auxv) / sizeof(*auxv); i++)
		word(&b, auxv[i], le64);
	fuzz_buf_emit(&b, emit, arg, "auxv-le64");

	/* A non-GNU note, then the GNU build-id note. */
	static const uint8_t notes[] = {
		6, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 'L', 'i', 'n', 'u', 'x', 0, 0, 0,
		1, 2, 3, 4,
		4, 0, 0, 0, 20, 0, 0, 0, 3, 0, 0, 0, 'G', 'N', 'U', 0,
		0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	};
	fuzz_buf_uint(&b, 0, 1);
	fuzz_buf_uint(&b, 0, 1);
	fuzz_buf_bytes(&b, notes, sizeof(notes));
	fuzz_buf_emit(&b, emit, arg, "build-id-note");
}
