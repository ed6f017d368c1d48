/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Everything savedump does with elfutils (libelf, libdw, libdwfl): facts
 * about one ELF file, and the notes, memory and loaded modules of an ELF
 * core. This is the only file that includes elfutils headers.
 */
#ifndef SAVEDUMP_ELFUTILS_H
#define SAVEDUMP_ELFUTILS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "notes.h"
#include "buildid.h"
#include "util.h"

struct sd_elf_info {
	int type;		/* ET_* */
	int machine;		/* EM_* */
	bool is64;
	struct sd_build_id build_id;
	bool has_debug_info;	/* .debug_info with contents (not stripped to NOBITS) */
	bool has_symtab;
	char *debuglink;	/* .gnu_debuglink file name, or NULL */
	uint32_t debuglink_crc;
	char *altlink;		/* .gnu_debugaltlink file name, or NULL */
	struct sd_build_id alt_build_id;
};

/*
 * Read the facts above from an open ELF file. Returns SD_ERROR_INPUT if fd
 * is not an ELF file. Does not take ownership of fd.
 */
struct sd_error *sd_elf_file_info(int fd, struct sd_elf_info *ret);
void sd_elf_info_deinit(struct sd_elf_info *info);

/* Just the build-id; returns false when the file has none or is not ELF. */
bool sd_elf_build_id(int fd, struct sd_build_id *ret);

/* A PT_LOAD segment of an ELF file: where its bytes are in the file and in memory. */
struct sd_elf_segment {
	uint64_t vaddr, filesz, memsz, offset;
};

/*
 * The PT_LOAD segments of an ELF file (an ELF vmcore) that have a virtual
 * address, sorted by it, program headers past 65535 included (PN_XNUM).
 * SD_ERROR_INPUT if there are none, or one lies outside the file or
 * overlaps the address space's end: then none is to be trusted.
 */
struct sd_error *sd_elf_load_segments(int fd, struct sd_elf_segment **ret, size_t *ret_n);

/* An ELF core file: a userland core or an ELF kernel dump. */
struct sd_core;

struct sd_core_module {
	char *name;		/* link_map name, NT_FILE path, or "[vdso: N]" */
	uint64_t low, high;
	struct sd_build_id build_id;	/* read from the core's memory */
};

/*
 * Parse an ELF core's headers and notes. Does not take ownership of fd.
 * name is used in messages only.
 */
struct sd_error *sd_core_open(int fd, const char *name, struct sd_core **ret);
void sd_core_destroy(struct sd_core *core);

struct sd_note_layout sd_core_layout(const struct sd_core *core);
int sd_core_machine(const struct sd_core *core);
bool sd_core_has_process_notes(const struct sd_core *core);	/* NT_FILE / NT_PRPSINFO */
/* VMCOREINFO note text, or NULL. */
const char *sd_core_vmcoreinfo(const struct sd_core *core, size_t *len);
const struct sd_file_note *sd_core_files(const struct sd_core *core);
const struct sd_prpsinfo *sd_core_prpsinfo(const struct sd_core *core);
int sd_core_signal(const struct sd_core *core);
/* What is wrong with a core that is still usable (truncated, bad NT_FILE), or NULL. */
const char *sd_core_damage(const struct sd_core *core);
bool sd_core_auxv(const struct sd_core *core, uint64_t type, uint64_t *ret);

/* Read core memory at vaddr; returns bytes read (0 if not in the core). */
size_t sd_core_read(struct sd_core *core, uint64_t vaddr, void *buf, size_t len);

/*
 * The modules the loader had mapped (libdwfl: link_map, including dlopen()ed
 * objects, plus ELF images found in the core's segments).
 */
struct sd_error *sd_core_modules(struct sd_core *core, struct sd_core_module **ret,
				 size_t *ret_n);
void sd_core_modules_free(struct sd_core_module *mods, size_t n);

/* elfutils' name for a machine (e.g. "x86_64"), or NULL. */
const char *sd_elf_machine_name(int machine);

/* Build-id of an ELF image in memory (a decompressed module). */
bool sd_elf_build_id_mem(const void *buf, size_t len, struct sd_build_id *ret);

/* Facts about an ELF image in memory; like sd_elf_file_info(). */
struct sd_error *sd_elf_mem_info(const void *buf, size_t len, struct sd_elf_info *ret);

/* Value of symbol name in fd's .symtab (then .dynsym); false if absent. */
bool sd_elf_symbol(int fd, const char *name, uint64_t *ret);

/*
 * Kernel type layouts from vmlinux DWARF, for kernels without BTF. Does not
 * take ownership of fd, which must stay open while the result is used.
 */
struct sd_dwarf_types;
struct sd_ktypes;

/*
 * The absolute names of the source files fd's DWARF names (every unit's
 * line table: the compilation directory joined with each file name; not
 * normalised: "dir/../x.c" stays), each
 * once, appended to ret. At most max names (with repeats) and
 * SD_DWARF_UNITS_MAX units are read. No DWARF: nothing appended.
 */
#define SD_DWARF_UNITS_MAX 100000
struct sd_error *sd_dwarf_source_files(int fd, size_t max, struct sd_strv *ret);
struct sd_error *sd_dwarf_types_open(int fd, struct sd_dwarf_types **ret);
void sd_dwarf_types_ktypes(struct sd_dwarf_types *d, struct sd_ktypes *ret);
void sd_dwarf_types_destroy(struct sd_dwarf_types *d);

#endif
