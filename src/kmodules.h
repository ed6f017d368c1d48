/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The list of loaded kernel modules, walked in the dump's memory: the
 * `modules` list of struct module (kernel/module/main.c), with each
 * module's name, where its core image is, and its GNU build-id from the
 * notes the kernel keeps for /sys/module/NAME/notes. Struct layouts come
 * from struct sd_ktypes (BTF or DWARF), so no debuginfo is required.
 */
#ifndef SAVEDUMP_KMODULES_H
#define SAVEDUMP_KMODULES_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "kmem.h"
#include "ktypes.h"
#include "buildid.h"

enum { SD_KMODULES_MAX = 65536 };

struct sd_kmodule {
	char name[64];		/* MODULE_NAME_LEN is 56 on 64-bit */
	uint64_t base, size;	/* core text (mem[MOD_TEXT] >= 6.4, core_layout before) */
	struct sd_build_id build_id;	/* len 0: the kernel kept no notes */
};

/* modules_addr: the address of `struct list_head modules`. */
struct sd_error *sd_kmodules_walk(const struct sd_kmem *mem, const struct sd_ktypes *types,
				  uint64_t modules_addr, struct sd_kmodule **ret, size_t *ret_n);

/* Find NT_GNU_BUILD_ID in a buffer of ELF notes (as in .note.gnu.build-id). */
bool sd_notes_build_id(const uint8_t *buf, size_t len, bool big_endian, struct sd_build_id *ret);

#endif
