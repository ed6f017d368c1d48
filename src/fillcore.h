/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The derived core of a .NET process (SD_ROLE_DOTNET_CORE): a kernel core
 * with coredump_filter 0x33 holds only the first page of each file mapping
 * (its PT_LOAD says p_memsz = the whole mapping, and readers take the rest
 * as zeros), a gcore core none of the read-only ones; dotnet-dump and SOS
 * read module images from the core only, so they cannot use either. The
 * derived core is the dump with every PT_LOAD's p_memsz cut to its p_filesz
 * and a read-only PT_LOAD added for each part of an NT_FILE mapping that no
 * PT_LOAD holds, filled from the verified file at the mapping's offset.
 *
 * The parsers and the layout take bytes and plain data (unit-tested,
 * fuzzed: tests/fuzz/fuzz-fillcore.c); sd_fill_core_add() reads the dump's
 * header, program headers and NT_FILE note, checks the files the resolver
 * found, and writes the derived core into an unnamed temporary file.
 */
#ifndef SAVEDUMP_FILLCORE_H
#define SAVEDUMP_FILLCORE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "notes.h"
#include "plan.h"
#include "resolve.h"

/* Program headers read at most (the ELF field is 16 bits; PN_XNUM is refused). */
enum { SD_FILL_PHNUM_MAX = 0xfffe };

struct sd_fill_seg {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

/* A file mapping: [start, end) maps the source's bytes from offset on. */
struct sd_fill_map {
	uint64_t start, end, offset;
	size_t source;		/* index of the file that fills it, or SIZE_MAX: none */
};

/* A segment added: size bytes of source at source_offset, at out_offset in the new core. */
struct sd_fill_add {
	uint64_t vaddr, size, source_offset, out_offset;
	size_t source;
};

struct sd_fill_layout {
	struct sd_fill_add *adds;
	size_t n_adds;
	uint64_t phoff;		/* of the new program header table */
	size_t phnum;		/* the dump's segments, then the added ones */
	uint64_t size;		/* of the new core */
};

/*
 * An ELF64 little-endian ET_CORE header (len >= 64 bytes): where its
 * program headers are. SD_ERROR_INPUT unless the table lies in the file.
 */
struct sd_error *sd_fill_parse_ehdr(const uint8_t *p, size_t len, uint64_t core_size,
				    uint64_t *ret_phoff, size_t *ret_phnum);
/* phnum program headers of 56 bytes from p (len bytes). */
struct sd_error *sd_fill_parse_phdrs(const uint8_t *p, size_t len, size_t phnum,
				     struct sd_fill_seg **ret);
/*
 * The first "CORE" NT_FILE note of a PT_NOTE segment's bytes; ret->n is 0
 * when there is none.
 */
struct sd_error *sd_fill_find_nt_file(const uint8_t *p, size_t len, struct sd_file_note *ret);

/*
 * The derived core's layout: for each map with a source, the parts no
 * PT_LOAD with file bytes holds (nor an earlier map), cut at the source's
 * size (source_sizes[map.source]), each appended page-aligned after the
 * dump's core_size bytes; then the new program header table. Pure.
 */
struct sd_error *sd_fill_plan(const struct sd_fill_seg *segs, size_t n_segs, uint64_t core_size,
			      const struct sd_fill_map *maps, size_t n_maps,
			      const uint64_t *source_sizes, size_t n_sources,
			      struct sd_fill_layout *ret);
void sd_fill_layout_deinit(struct sd_fill_layout *l);
/* The new program header table (layout->phnum * 56 bytes): memsz cut to filesz, adds last. */
void sd_fill_encode_phdrs(const struct sd_fill_seg *segs, size_t n_segs,
			  const struct sd_fill_layout *l, uint8_t *out);

/* How dotnet.c's note on such a core begins (sd_fill_core_add() looks for it). */
#define SD_FILL_UNREADABLE_NOTE "a kernel or gdb core without the runtime's file-backed pages"

struct sd_fill_options {
	const char *work_dir;	/* where the unnamed temporary file goes */
	uint64_t max_bytes;	/* the derived core may be at most this large; 0: no bound */
	const char *why_max;	/* what sets max_bytes, for the note */
};

/*
 * For a .NET core that dotnet.c found unreadable by SOS (a kernel or gdb
 * core), add the derived core as an item (SD_ROLE_DOTNET_CORE, its file in
 * files), or a note saying why there is none. core_fd is the dump read.
 */
struct sd_error *sd_fill_core_add(struct sd_plan *plan, struct sd_files *files, int core_fd,
				  const struct sd_fill_options *opts);

#endif
