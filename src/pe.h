/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The few fields of PE files (managed assemblies) and portable PDB files
 * that name their exact build, as .NET symbol stores key them (dotnet/symstore,
 * SSQP_Key_Conventions.md):
 *
 *   PE            name/<TimeDateStamp %08X><SizeOfImage %x>/name
 *   portable PDB  name/<PDB id GUID, "N" form>FFFFFFFF/name
 *   ELF           name/elf-buildid-<build-id>/name, _.debug/elf-buildid-sym-<id>/_.debug
 *   DAC, DBI      libmscordaccore.so/elf-buildid-coreclr-<libcoreclr build-id>/...
 *
 * File names are lower-cased. Everything is read through a callback that
 * says how many bytes it could read, offsets are checked against the size,
 * and tables are capped: a file from the dump's machine may be hostile.
 */
#ifndef SAVEDUMP_PE_H
#define SAVEDUMP_PE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buildid.h"
#include "error.h"

/* Read len bytes at off into buf; returns how many could be read. */
typedef size_t sd_pe_read_fn(void *arg, uint64_t off, void *buf, size_t len);

enum {
	SD_PE_MAX_SECTIONS = 96,
	SD_PE_MAX_DEBUG_ENTRIES = 64,
	SD_PE_PDB_NAME_MAX = 260,
	SD_PDB_MAX_STREAMS = 64,
	SD_PDB_ID_SIZE = 20,
};

struct sd_pe_info {
	uint16_t machine;
	uint32_t timestamp;	/* COFF TimeDateStamp */
	uint32_t size_of_image;	/* optional header SizeOfImage */
	bool has_codeview;	/* the first CodeView (RSDS) debug directory entry: */
	uint8_t guid[16];	/* its GUID, as stored */
	uint32_t age;
	bool portable_pdb;	/* minor version 0x504d: the PDB is a portable one */
	char pdb_path[SD_PE_PDB_NAME_MAX];	/* NUL-terminated, cut at SD_PE_PDB_NAME_MAX - 1 */
};

/*
 * Parse the headers of a PE file of size bytes (file layout), and its
 * CodeView debug directory entry if there is one. SD_ERROR_INPUT if it is
 * not a PE file.
 */
struct sd_error *sd_pe_parse(sd_pe_read_fn *read, void *arg, uint64_t size,
			     struct sd_pe_info *ret);

/*
 * The 20-byte PDB id of a portable PDB (#Pdb stream): the GUID of the PE's
 * CodeView entry, then a stamp. SD_ERROR_INPUT if it is not a portable PDB.
 */
struct sd_error *sd_pdb_portable_id(sd_pe_read_fn *read, void *arg, uint64_t size,
				    uint8_t ret[SD_PDB_ID_SIZE]);

/* A GUID as stored (first three fields little-endian) in "N" form: 32 lower-case hex digits. */
void sd_guid_n(const uint8_t guid[16], char out[33]);

/*
 * SSQP keys (relative paths in a symbol store). name is a file name: its
 * last component is used, lower-cased. NULL if name gives no usable
 * component ("", ".", ".."), or out of memory (*ret_oom says which).
 */
char *sd_ssqp_pe_key(const char *name, const struct sd_pe_info *pe, bool *ret_oom);
char *sd_ssqp_pdb_key(const char *name, const uint8_t id[SD_PDB_ID_SIZE], bool *ret_oom);
char *sd_ssqp_elf_key(const char *name, const struct sd_build_id *id, bool *ret_oom);
/* _.debug/elf-buildid-sym-ID/_.debug: an ELF file with DWARF (a debug file). */
char *sd_ssqp_elf_debug_key(const struct sd_build_id *id, bool *ret_oom);
/* name/elf-buildid-coreclr-ID/name: the DAC or DBI of the runtime whose libcoreclr has id. */
char *sd_ssqp_coreclr_key(const char *name, const struct sd_build_id *coreclr, bool *ret_oom);

#endif
