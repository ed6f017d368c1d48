// SPDX-License-Identifier: GPL-2.0-or-later
/* The NT_FILE, NT_PRPSINFO and auxv parsers on good and hostile bytes. */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "linkmap.h"
#include "notes.h"
#include "tap.h"
#include "testmem.h"

static const struct sd_note_layout le64 = { .is64 = true, .big_endian = false };

static size_t put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return 8;
}

/* Build an NT_FILE descriptor with the given names. */
static size_t nt_file(uint8_t *buf, const char *const *names, size_t n, bool terminate_last)
{
	size_t off = 0;
	off += put64(buf + off, n);
	off += put64(buf + off, 4096);
	for (size_t i = 0; i < n; i++) {
		off += put64(buf + off, 0x400000 + i * 0x1000);
		off += put64(buf + off, 0x401000 + i * 0x1000);
		off += put64(buf + off, i);
	}
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(names[i]) + 1;
		if (i == n - 1 && !terminate_last)
			l--;
		memcpy(buf + off, names[i], l);
		off += l;
	}
	return off;
}

static void test_link_map(void)
{
	/* phdrs at 0x1000, dynamic at 0x2000, r_debug at 0x3000, link_maps at 0x4000.. */
	struct mem m = { .base = 0x1000, .len = 0x8000 };
	m.bytes = calloc(1, m.len);
	uint8_t *p = m.bytes;
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_PHDR, .p_vaddr = 0x1000 },
		{ .p_type = PT_DYNAMIC, .p_vaddr = 0x2000, .p_memsz = 64 },
	};
	memcpy(p, ph, sizeof(ph));
	put64(p + 0x1000, DT_DEBUG);
	put64(p + 0x1008, 0x3000);
	put64(p + 0x2008, 0x4000);	/* r_map */
	/* three entries: exe (""), libc, and one that points back to the first (a loop) */
	uint64_t lm[3] = { 0x4000, 0x4100, 0x4200 };
	const char *names[3] = { "", "/lib/x86_64-linux-gnu/libc.so.6", "/lib/libloop.so" };
	for (int i = 0; i < 3; i++) {
		uint8_t *e = p + (lm[i] - m.base);
		put64(e, 0x7000 + (uint64_t)i);
		put64(e + 8, 0x6000 + (uint64_t)i * 0x100);
		put64(e + 16, 0x5000 + (uint64_t)i);
		put64(e + 24, i < 2 ? lm[i + 1] : lm[0]);
		strcpy((char *)p + (0x6000 + i * 0x100 - m.base), names[i]);
	}
	struct sd_link_map_entry *v;
	size_t n;
	struct sd_error *err = sd_link_map_walk(mem_read, &m, le64, 0x1000, 2, &v, &n);
	ok(!err && n == 3, "link_map walk finds 3 objects and stops at the loop");
	if (!err && n == 3) {
		is_str(v[0].name, "", "the executable has an empty name");
		is_str(v[1].name, names[1], "libc's loader name");
		ok(v[1].l_ld == 0x5001, "l_ld read");
		sd_link_map_free(v, n);
	}
	/* r_map pointing outside the core: an empty list, not a crash. */
	put64(p + 0x2008, 0xdead0000);
	err = sd_link_map_walk(mem_read, &m, le64, 0x1000, 2, &v, &n);
	ok(!err && n == 0, "r_map outside the core gives an empty list");
	if (!err)
		sd_link_map_free(v, n);
	/* Absurd AT_PHNUM is refused. */
	err = sd_link_map_walk(mem_read, &m, le64, 0x1000, 1u << 30, &v, &n);
	ok(err && err->code == SD_ERROR_INPUT, "absurd AT_PHNUM is rejected");
	sd_error_destroy(err);
	/* A name without NUL up to the end of memory is cut, not overrun. */
	put64(p + 0x2008, 0x4000);
	put64(p + (0x4000 - m.base) + 8, m.base + m.len - 5);
	memset(p + m.len - 5, 'A', 5);
	err = sd_link_map_walk(mem_read, &m, le64, 0x1000, 2, &v, &n);
	ok(!err && n >= 1 && strcmp(v[0].name, "AAAAA") == 0, "unterminated name is cut at the end of memory");
	if (!err)
		sd_link_map_free(v, n);
	free(m.bytes);
}

int main(void)
{
	uint8_t buf[8192];
	struct sd_file_note fn;
	const char *names[] = { "/usr/bin/prog", "/usr/lib/libc.so.6", "/memfd:x (deleted)" };

	size_t len = nt_file(buf, names, 3, true);
	struct sd_error *err = sd_parse_nt_file(buf, len, le64, &fn);
	ok(!err && fn.n == 3, "NT_FILE with 3 entries parses");
	if (!err) {
		is_str(fn.maps[1].path, "/usr/lib/libc.so.6", "second name");
		ok(fn.maps[2].pgoff == 2 && fn.maps[0].start == 0x400000, "addresses and offsets");
		ok(fn.page_size == 4096, "page size");
		sd_file_note_deinit(&fn);
	}

	len = nt_file(buf, names, 3, false);
	err = sd_parse_nt_file(buf, len, le64, &fn);
	ok(err && err->code == SD_ERROR_INPUT && strstr(err->message, "NUL"),
	   "unterminated last name is an input error");
	sd_error_destroy(err);

	/* A count far larger than the note can hold. */
	len = nt_file(buf, names, 3, true);
	put64(buf, 1ull << 40);
	err = sd_parse_nt_file(buf, len, le64, &fn);
	ok(err && err->code == SD_ERROR_INPUT, "absurd entry count is rejected");
	sd_error_destroy(err);

	for (size_t cut = 0; cut < 16; cut++) {
		err = sd_parse_nt_file(buf, cut, le64, &fn);
		if (!err)
			sd_file_note_deinit(&fn);
		sd_error_destroy(err);
	}
	ok(true, "truncated NT_FILE notes do not crash");

	/* Every truncation of a valid note either parses or fails cleanly (run under ASan). */
	len = nt_file(buf, names, 3, true);
	int parsed = 0;
	for (size_t cut = 0; cut <= len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, buf, cut);
		err = sd_parse_nt_file(copy, cut, le64, &fn);
		if (!err) {
			parsed++;
			sd_file_note_deinit(&fn);
		}
		sd_error_destroy(err);
		free(copy);
	}
	ok(parsed == 1, "only the complete note parses (%d of %zu cuts)", parsed, len + 1);

	/* prpsinfo, x86_64 layout */
	uint8_t ps[136] = { 0 };
	ps[24] = 0x39;
	ps[25] = 0x30;	/* pid 12345 */
	memcpy(ps + 40, "crasher", 8);
	memcpy(ps + 56, "./crasher --flag", 17);
	struct sd_prpsinfo info;
	err = sd_parse_prpsinfo(ps, sizeof(ps), le64, EM_X86_64, &info);
	ok(!err && info.pid == 12345, "prpsinfo pid");
	is_str(err ? NULL : info.fname, "crasher", "prpsinfo fname");
	is_str(err ? NULL : info.psargs, "./crasher --flag", "prpsinfo psargs");
	err = sd_parse_prpsinfo(ps, 100, le64, EM_X86_64, &info);
	ok(err != NULL, "short prpsinfo is rejected");
	sd_error_destroy(err);
	memset(ps + 40, 'A', 96);	/* no NUL anywhere */
	err = sd_parse_prpsinfo(ps, sizeof(ps), le64, EM_X86_64, &info);
	ok(!err && strlen(info.fname) == 16 && strlen(info.psargs) == 80,
	   "unterminated prpsinfo strings are bounded");

	uint8_t auxv[64] = { 0 };
	put64(auxv, AT_ENTRY);
	put64(auxv + 8, 0x401000);
	put64(auxv + 16, AT_NULL);
	uint64_t v;
	ok(sd_auxv_get(auxv, sizeof(auxv), le64, AT_ENTRY, &v) && v == 0x401000, "auxv AT_ENTRY");
	ok(!sd_auxv_get(auxv, sizeof(auxv), le64, AT_PHDR, &v), "auxv stops at AT_NULL");
	ok(!sd_auxv_get(auxv, 12, le64, AT_ENTRY, &v), "truncated auxv yields nothing");

	test_link_map();
	return tap_done();
}
