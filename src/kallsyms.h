/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's own symbol table (kallsyms), decoded from a dump's memory
 * through the addresses VMCOREINFO gives (Linux >= 6.0 exports
 * SYMBOL(kallsyms_names) and friends, kernel/crash_core.c). No vmlinux and
 * no debuginfo are needed.
 *
 * Follows kernel/kallsyms.c and scripts/kallsyms.c of v6.1:
 *  - kallsyms_names: per symbol a length, then that many token indices; a
 *    length with bit 7 set takes a second byte (length = low 7 bits | next << 7,
 *    "big" symbols, commit 73bbb94466fd, v6.1; older kernels never set bit 7);
 *  - kallsyms_token_index[256] (u16) indexes NUL-terminated strings in
 *    kallsyms_token_table; the first decoded character is the symbol type;
 *  - addresses: kallsyms_addresses[] (absolute), or kallsyms_offsets[] (s32)
 *    relative to kallsyms_relative_base; with CONFIG_KALLSYMS_ABSOLUTE_PERCPU
 *    a non-negative offset is an absolute (per-cpu) value and a negative one
 *    means relative_base - 1 - offset. That config is not in VMCOREINFO: it
 *    is taken to be set when any offset is negative, which only it produces.
 *
 * Everything read from the dump is bounded (symbol count, table sizes).
 */
#ifndef SAVEDUMP_KALLSYMS_H
#define SAVEDUMP_KALLSYMS_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "kmem.h"
#include "vmcoreinfo.h"

/* Caps on what a dump may claim: Linux has ~200k symbols with KALLSYMS_ALL. */
enum { SD_KALLSYMS_MAX_SYMS = 4 * 1024 * 1024, SD_KALLSYMS_MAX_NAMES = 64 * 1024 * 1024 };

struct sd_kallsyms;

/* Load the tables; an SD_ERROR_INPUT error says why they are unusable. */
struct sd_error *sd_kallsyms_load(const struct sd_kmem *mem, const struct sd_vmcoreinfo *vi,
				  struct sd_kallsyms **ret);
/* The address of the first symbol named name (without the type letter). */
bool sd_kallsyms_lookup(const struct sd_kallsyms *ks, const char *name, uint64_t *ret);
/* Number of symbols, and the i-th one's name (type letter first) into buf. */
uint32_t sd_kallsyms_count(const struct sd_kallsyms *ks);
bool sd_kallsyms_symbol(const struct sd_kallsyms *ks, uint32_t i, char *buf, size_t size,
			uint64_t *ret_addr);
void sd_kallsyms_destroy(struct sd_kallsyms *ks);

#endif
