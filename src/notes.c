// SPDX-License-Identifier: GPL-2.0-or-later
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "notes.h"

uint32_t sd_note_u32(const uint8_t *p, bool big_endian)
{
	if (big_endian)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

uint64_t sd_note_word(const uint8_t *p, struct sd_note_layout layout)
{
	if (!layout.is64)
		return sd_note_u32(p, layout.big_endian);
	uint64_t hi = sd_note_u32(p + (layout.big_endian ? 0 : 4), layout.big_endian);
	uint64_t lo = sd_note_u32(p + (layout.big_endian ? 4 : 0), layout.big_endian);
	return hi << 32 | lo;
}

void sd_file_note_deinit(struct sd_file_note *note)
{
	for (size_t i = 0; i < note->n; i++)
		free(note->maps[i].path);
	free(note->maps);
	memset(note, 0, sizeof(*note));
}

/*
 * Layout, all words of the core's class:
 *	count, page_size, count * { start, end, file_ofs }, count NUL-terminated names
 */
struct sd_error *sd_parse_nt_file(const void *desc, size_t len, struct sd_note_layout layout,
				  struct sd_file_note *ret)
{
	const uint8_t *p = desc;
	size_t w = layout.is64 ? 8 : 4;
	if (len < 2 * w)
		return sd_error_create(SD_ERROR_INPUT, "NT_FILE note too short");
	uint64_t count = sd_note_word(p, layout);
	uint64_t page_size = sd_note_word(p + w, layout);
	if (count > SD_NT_FILE_MAX_ENTRIES || count > (len - 2 * w) / (3 * w))
		return sd_error_create(SD_ERROR_INPUT, "NT_FILE note claims %llu entries in %zu bytes",
				       (unsigned long long)count, len);

	struct sd_file_note note = { .page_size = page_size };
	note.maps = calloc(count ? count : 1, sizeof(*note.maps));
	if (!note.maps)
		return &sd_enomem;
	const uint8_t *names = p + 2 * w + count * 3 * w;
	const uint8_t *end = p + len;
	for (uint64_t i = 0; i < count; i++) {
		const uint8_t *e = p + 2 * w + i * 3 * w;
		struct sd_file_mapping *m = &note.maps[i];
		m->start = sd_note_word(e, layout);
		m->end = sd_note_word(e + w, layout);
		m->pgoff = sd_note_word(e + 2 * w, layout);
		const uint8_t *nul = names < end ? memchr(names, '\0', (size_t)(end - names)) : NULL;
		if (!nul) {
			note.n = i;
			sd_file_note_deinit(&note);
			return sd_error_create(SD_ERROR_INPUT,
					       "NT_FILE note: name %llu is not NUL-terminated",
					       (unsigned long long)i);
		}
		m->path = strndup((const char *)names, (size_t)(nul - names));
		if (!m->path) {
			note.n = i;
			sd_file_note_deinit(&note);
			return &sd_enomem;
		}
		names = nul + 1;
		note.n = i + 1;
	}
	*ret = note;
	return NULL;
}

static void copy_str(char *dst, size_t cap, const uint8_t *src, size_t n)
{
	size_t l = strnlen((const char *)src, n < cap - 1 ? n : cap - 1);
	memcpy(dst, src, l);
	dst[l] = '\0';
}

struct sd_error *sd_parse_prpsinfo(const void *desc, size_t len, struct sd_note_layout layout,
				   int machine, struct sd_prpsinfo *ret)
{
	/*
	 * struct elf_prpsinfo: 4 chars, unsigned long pr_flag, uid and gid
	 * (__kernel_uid_t: 16-bit on i386/arm/m68k/sh, else 32-bit), then
	 * pid, ppid, pgrp, sid, pr_fname[16], pr_psargs[80].
	 */
	const uint8_t *p = desc;
	size_t w = layout.is64 ? 8 : 4;
	size_t uid_size = (!layout.is64 && (machine == EM_386 || machine == EM_ARM)) ? 2 : 4;
	size_t off_pid = 4 + (w == 8 ? 4 : 0) + w + 2 * uid_size;
	size_t off_fname = off_pid + 4 * 4;
	size_t off_psargs = off_fname + 16;
	if (len < off_psargs + 80)
		return sd_error_create(SD_ERROR_INPUT, "NT_PRPSINFO note too short (%zu bytes)", len);
	memset(ret, 0, sizeof(*ret));
	ret->pid = (int)sd_note_u32(p + off_pid, layout.big_endian);
	copy_str(ret->fname, sizeof(ret->fname), p + off_fname, 16);
	copy_str(ret->psargs, sizeof(ret->psargs), p + off_psargs, 80);
	return NULL;
}

int sd_parse_prstatus_signal(const void *desc, size_t len, struct sd_note_layout layout)
{
	/* struct elf_siginfo (3 ints), then short pr_cursig. */
	const uint8_t *p = desc;
	if (len < 14)
		return -1;
	if (layout.big_endian)
		return p[12] << 8 | p[13];
	return p[13] << 8 | p[12];
}

bool sd_auxv_get(const void *desc, size_t len, struct sd_note_layout layout, uint64_t type,
		 uint64_t *ret)
{
	size_t w = layout.is64 ? 8 : 4;
	const uint8_t *p = desc;
	for (size_t off = 0; off + 2 * w <= len; off += 2 * w) {
		uint64_t t = sd_note_word(p + off, layout);
		if (t == AT_NULL)
			break;
		if (t == type) {
			*ret = sd_note_word(p + off + w, layout);
			return true;
		}
	}
	return false;
}
