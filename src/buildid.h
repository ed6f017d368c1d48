/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GNU build-ids: how a dump names the exact build of every object it refers
 * to. A leaf: the ELF readers, the kernel decoders and the plan all use it
 * without depending on one another.
 */
#ifndef SAVEDUMP_BUILDID_H
#define SAVEDUMP_BUILDID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { SD_BUILD_ID_MAX = 64 };

struct sd_build_id {
	uint8_t bytes[SD_BUILD_ID_MAX];
	size_t len;	/* 0: unknown */
};

/* Lower-case hex, or "" when unknown. Writes into buf (2 * SD_BUILD_ID_MAX + 1). */
const char *sd_build_id_hex(const struct sd_build_id *id, char *buf);
bool sd_build_id_eq(const struct sd_build_id *a, const struct sd_build_id *b);

#endif
