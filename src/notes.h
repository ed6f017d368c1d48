/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parsers for the descriptors of Linux core-file notes. They take raw bytes
 * (as read from an untrusted dump) and never read outside them, so they can
 * be unit-tested and fuzzed without libelf.
 */
#ifndef SAVEDUMP_NOTES_H
#define SAVEDUMP_NOTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Caps on what one note may make us allocate. */
enum {
	SD_NT_FILE_MAX_ENTRIES = 1 << 20,
};

struct sd_note_layout {
	bool is64;
	bool big_endian;
};

struct sd_file_mapping {
	uint64_t start, end, pgoff;	/* pgoff in units of page_size */
	char *path;			/* raw, as the kernel wrote it (may end in " (deleted)") */
};

struct sd_file_note {
	uint64_t page_size;
	struct sd_file_mapping *maps;
	size_t n;
};

/* NT_FILE (fs/binfmt_elf.c fill_files_note()). */
struct sd_error *sd_parse_nt_file(const void *desc, size_t len, struct sd_note_layout layout,
				  struct sd_file_note *ret);
void sd_file_note_deinit(struct sd_file_note *note);

struct sd_prpsinfo {
	int pid;
	char fname[17];
	char psargs[81];
};

/* NT_PRPSINFO (struct elf_prpsinfo in include/linux/elfcore.h); machine is e_machine. */
struct sd_error *sd_parse_prpsinfo(const void *desc, size_t len, struct sd_note_layout layout,
				   int machine, struct sd_prpsinfo *ret);

/* pr_cursig of NT_PRSTATUS (struct elf_prstatus_common), or -1. */
int sd_parse_prstatus_signal(const void *desc, size_t len, struct sd_note_layout layout);

/* Value of auxv entry type in an NT_AUXV descriptor; false if absent. */
bool sd_auxv_get(const void *desc, size_t len, struct sd_note_layout layout, uint64_t type,
		 uint64_t *ret);

/* Read an unsigned word of the layout's size and byte order. */
uint64_t sd_note_word(const uint8_t *p, struct sd_note_layout layout);
uint32_t sd_note_u32(const uint8_t *p, bool big_endian);

#endif
