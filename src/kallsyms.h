/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's own symbol table (kallsyms), decoded from a dump's memory. No
 * vmlinux and no debuginfo are needed. Two ways to find the tables:
 *
 *  - sd_kallsyms_load(): through the addresses VMCOREINFO gives (Linux >= 6.0
 *    exports SYMBOL(kallsyms_names) and friends: Linux commit 5fd8fea935a1
 *    ("vmcoreinfo: include kallsyms symbols") (v6.0));
 *  - sd_kallsyms_scan(): by their structure, in the kernel image's read-only
 *    data, for the kernels before that (see kallsyms.c for the layouts).
 *
 * The tables (kernel/kallsyms.c, scripts/kallsyms.c):
 *  - kallsyms_names: per symbol a length, then that many token indices; a
 *    length with bit 7 set takes a second byte (length = low 7 bits | next << 7,
 *    Linux commit 73bbb94466fd ("kallsyms: support "big" kernel symbols")
 *    (v6.1); older kernels never set bit 7);
 *  - kallsyms_markers: the offset in kallsyms_names of every 256th symbol;
 *  - kallsyms_token_index[256] (u16) indexes NUL-terminated strings in
 *    kallsyms_token_table; the first decoded character is the symbol type;
 *  - addresses: kallsyms_addresses[] (absolute), or kallsyms_offsets[] (s32)
 *    relative to kallsyms_relative_base; with CONFIG_KALLSYMS_ABSOLUTE_PERCPU
 *    a non-negative offset is an absolute (per-cpu) value and a negative one
 *    means relative_base - 1 - offset; since v7.0 each offset is relative to
 *    its own address. Which one applies is not in VMCOREINFO: see kallsyms.c.
 *
 * Everything read from the dump is bounded (symbol count, table sizes, the
 * bytes and time a search may take).
 */
#ifndef SAVEDUMP_KALLSYMS_H
#define SAVEDUMP_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "kmem.h"
#include "vmcoreinfo.h"

/* Caps on what a dump may claim: Linux has ~200k symbols with KALLSYMS_ALL. */
enum { SD_KALLSYMS_MAX_SYMS = 4 * 1024 * 1024, SD_KALLSYMS_MAX_NAMES = 64 * 1024 * 1024 };

/*
 * Caps on a search (sd_kallsyms_scan): the kernel image of a distribution
 * kernel is 20-40 MiB from _stext to its data; a table found must hold fewer
 * symbols and names than these (Debian's 5.10: 105k symbols, 1.6 MiB of
 * names; 6.12: 167k, 2.3 MiB), which also bound the memory a search takes.
 */
enum {
	SD_KALLSYMS_SCAN_MAX_BYTES = 64 * 1024 * 1024,
	SD_KALLSYMS_SCAN_MAX_MS = 2000,
	SD_KALLSYMS_SCAN_MAX_SYMS = 1024 * 1024,
	SD_KALLSYMS_SCAN_MAX_NAMES = 16 * 1024 * 1024,
};

struct sd_kallsyms;

/* Load the tables VMCOREINFO locates; an SD_ERROR_INPUT error says why they are unusable. */
struct sd_error *sd_kallsyms_load(const struct sd_kmem *mem, const struct sd_vmcoreinfo *vi,
				  struct sd_kallsyms **ret);

/* Bounds on sd_kallsyms_scan(); zero fields take the SD_KALLSYMS_SCAN_MAX_* defaults. */
struct sd_kallsyms_scan_limits {
	uint64_t max_bytes;	/* of the kernel image searched, from its end down */
	uint64_t max_ms;	/* wall-clock time */
};

/*
 * Find the tables in the kernel image by their structure, when VMCOREINFO
 * does not locate them (Linux < 6.0). The search covers [SYMBOL(_stext),
 * SYMBOL(init_uts_ns)) (the text and read-only data; at most max_bytes of it,
 * from the end down). Tables are accepted only when they are consistent with
 * each other (token index and table, markers, names, num_syms, sequence
 * numbers, addresses in order) and with VMCOREINFO: every SYMBOL() that names
 * a symbol of the table must have that symbol's address, and at least one must.
 * limits may be NULL. An SD_ERROR_INPUT error says what was searched and why
 * nothing was accepted.
 */
struct sd_error *sd_kallsyms_scan(const struct sd_kmem *mem, const struct sd_vmcoreinfo *vi,
				  const struct sd_kallsyms_scan_limits *limits,
				  struct sd_kallsyms **ret);

/* How the tables were found and which layout they have, for a note ("scan: ..."). */
const char *sd_kallsyms_describe(const struct sd_kallsyms *ks);

/* The address of the first symbol named name (without the type letter). */
bool sd_kallsyms_lookup(const struct sd_kallsyms *ks, const char *name, uint64_t *ret);
/* Number of symbols, and the i-th one's name (type letter first) into buf. */
uint32_t sd_kallsyms_count(const struct sd_kallsyms *ks);
bool sd_kallsyms_symbol(const struct sd_kallsyms *ks, uint32_t i, char *buf, size_t size,
			uint64_t *ret_addr);
void sd_kallsyms_destroy(struct sd_kallsyms *ks);

/*
 * VMCOREINFO's SYMBOL(name) is name's address, except for the names written
 * with VMCOREINFO_SYMBOL_ARRAY() (kernel/crash_core.c, later
 * kernel/vmcore_info.c): swapper_pg_dir, mem_section and vmemmap (in v6.12,
 * not in v6.1), where it is the value, which for a pointer variable
 * (mem_section with CONFIG_SPARSEMEM_EXTREME, as on x86_64; vmemmap on s390)
 * is not the address. Checks of a symbol table against VMCOREINFO count
 * those names when they agree and ignore them when they do not.
 */
bool sd_kallsyms_vmcoreinfo_value_only(const char *name);

enum { SD_KALLSYMS_VMCOREINFO_NAME_MAX = 128 };

/*
 * VMCOREINFO's SYMBOL()s one after the other, from its text: start with
 * *pos = 0; each call puts the next name (shorter than
 * SD_KALLSYMS_VMCOREINFO_NAME_MAX) and its value (as sd_vmcoreinfo_symbol()
 * reads it) into name and *ret_addr. Names given twice come once. False at
 * the end.
 */
bool sd_kallsyms_vmcoreinfo_next_symbol(const struct sd_vmcoreinfo *vi, size_t *pos,
					char name[SD_KALLSYMS_VMCOREINFO_NAME_MAX],
					uint64_t *ret_addr);

/*
 * Symbol name -> address, whatever the source (kallsyms from the dump, a
 * verified System.map): what the module-list walker asks for ("modules",
 * "__start_BTF", "__stop_BTF"). source names it for notes and the manifest.
 */
struct sd_ksyms {
	bool (*lookup)(const void *arg, const char *name, uint64_t *ret);
	const void *arg;
	const char *source;
};

void sd_kallsyms_ksyms(const struct sd_kallsyms *ks, struct sd_ksyms *ret);

#endif
