/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel type layouts (member offsets and sizes), from the kernel's own BTF
 * (btf.c, libbpf) or from vmlinux DWARF (elfutils.c). The module list
 * walker asks only this interface.
 */
#ifndef SAVEDUMP_KTYPES_H
#define SAVEDUMP_KTYPES_H

#include <stdbool.h>
#include <stdint.h>

struct sd_ktypes {
	/*
	 * Offset and size of a member of struct type. path may name nested
	 * members ("core_layout.base"); members of anonymous structs and unions
	 * are found as if they were direct members. For an array member, size is
	 * that of the whole array.
	 */
	bool (*member)(void *arg, const char *type, const char *path, uint64_t *ret_offset,
		       uint64_t *ret_size);
	/* sizeof(struct type) */
	bool (*size)(void *arg, const char *type, uint64_t *ret);
	void *arg;
	const char *source;	/* "btf" or "dwarf", for the manifest */
};

#endif
