/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * System.map: the kernel's link-time symbol table as text ("nm -n vmlinux",
 * scripts/mksysmap), one "ADDRESS TYPE NAME" a line. RHEL, Fedora and Ubuntu
 * ship the real one as /boot/System.map-REL; Debian ships a one-line stub
 * there ("ffffffffffffffff B The real System.map is in the
 * linux-image-<version>-dbg package") and the real one in -dbg.
 *
 * Its addresses are link-time ones: with KASLR the running kernel's image is
 * KERNELOFFSET higher, except for absolute and (x86_64) per-cpu symbols,
 * which lie below _text. A map is trusted only once VMCOREINFO's own SYMBOL()
 * entries confirm it (sd_sysmap_verify()): a map of another build, or
 * relocated by the wrong offset, gives other addresses.
 *
 * The input is a buffer (the caller reads the file); it is bounded in size,
 * line count and line length, and lines that are not "hex letter name" are
 * counted and skipped, up to a limit.
 */
#ifndef SAVEDUMP_SYSMAP_H
#define SAVEDUMP_SYSMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "kallsyms.h"
#include "vmcoreinfo.h"

enum {
	SD_SYSMAP_MAX_BYTES = 64 * 1024 * 1024,	/* Fedora's is ~8 MiB */
	SD_SYSMAP_MAX_LINES = 4 * 1024 * 1024,
	SD_SYSMAP_LINE_MAX = 1024,		/* KSYM_NAME_LEN is 512 */
	SD_SYSMAP_MAX_BAD_LINES = 16,		/* more than this: not a System.map */
	SD_SYSMAP_MIN_MATCHES = 2,		/* VMCOREINFO symbols that must confirm a map */
};

struct sd_sysmap;

/* Is this Debian's one-line placeholder for the real map (in linux-image-REL-dbg)? */
bool sd_sysmap_is_stub(const char *buf, size_t len);

/*
 * Parse a System.map and relocate it by kernel_offset (KERNELOFFSET; 0
 * without KASLR). SD_ERROR_INPUT when it is Debian's stub (its own message),
 * too large, or not a System.map.
 */
struct sd_error *sd_sysmap_parse(const char *buf, size_t len, uint64_t kernel_offset,
				 struct sd_sysmap **ret);

/*
 * Check the map against VMCOREINFO: every SYMBOL() that the map has must be
 * at the same address (a map of another build, or the wrong offset, is
 * refused, saying which symbol differs), and at least min_matches must be
 * (0: SD_SYSMAP_MIN_MATCHES). *ret_matches (may be NULL) gets the count on
 * success.
 */
struct sd_error *sd_sysmap_verify(const struct sd_sysmap *map, const struct sd_vmcoreinfo *vi,
				  unsigned min_matches, unsigned *ret_matches);

/* Parse, then verify with the default minimum: a map fit to use, or why not. */
struct sd_error *sd_sysmap_load(const char *buf, size_t len, uint64_t kernel_offset,
				const struct sd_vmcoreinfo *vi, struct sd_sysmap **ret);

/* The (relocated) address of the first symbol, in address order, named name. */
bool sd_sysmap_lookup(const struct sd_sysmap *map, const char *name, uint64_t *ret);
size_t sd_sysmap_count(const struct sd_sysmap *map);
/* Lines that were skipped as malformed. */
size_t sd_sysmap_bad_lines(const struct sd_sysmap *map);
void sd_sysmap_ksyms(const struct sd_sysmap *map, struct sd_ksyms *ret);
void sd_sysmap_destroy(struct sd_sysmap *map);

#endif
