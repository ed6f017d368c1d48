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
#include <string.h>

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

enum { SD_KTYPES_NAME_MAX = 128 };

/*
 * For the backends' member(): split the next member name off a dotted path
 * into part and advance *path past it and its dot. False for an empty or
 * overlong name. Use: while (*p) { if (!sd_ktypes_next_member(&p, part)) ... }
 */
static inline bool sd_ktypes_next_member(const char **path, char part[SD_KTYPES_NAME_MAX])
{
	const char *dot = strchrnul(*path, '.');
	size_t n = (size_t)(dot - *path);
	if (n == 0 || n >= SD_KTYPES_NAME_MAX)
		return false;
	memcpy(part, *path, n);
	part[n] = '\0';
	*path = *dot ? dot + 1 : dot;
	return true;
}

#endif
