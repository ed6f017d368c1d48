// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "buildid.h"
#include "util.h"

const char *sd_build_id_hex(const struct sd_build_id *id, char *buf)
{
	sd_hex(id->bytes, id->len, buf);
	return buf;
}

bool sd_build_id_eq(const struct sd_build_id *a, const struct sd_build_id *b)
{
	return a->len && a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}
