/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small, bounded JSON reader for manifest.json (savedump verify). The
 * document is untrusted: nesting depth, string length and element counts
 * are capped, and any syntax error is an SD_ERROR_INPUT. Strings come back
 * as bytes: \udcXX escapes (lone low surrogates U+DC80..U+DCFF, the
 * "surrogateescape" form json.c writes for bytes that are not UTF-8) become
 * the byte XX again; other escapes become UTF-8; a string holding a NUL is
 * an error (it cannot be a path).
 */
#ifndef SAVEDUMP_JSONREAD_H
#define SAVEDUMP_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum sd_jv_type { SD_JV_NULL, SD_JV_BOOL, SD_JV_NUMBER, SD_JV_STRING, SD_JV_ARRAY, SD_JV_OBJECT };

struct sd_jv {
	enum sd_jv_type type;
	bool boolean;
	double number;
	char *string;		/* SD_JV_STRING: NUL-terminated bytes */
	/* SD_JV_ARRAY and SD_JV_OBJECT: n values (and, for objects, their keys) */
	struct sd_jv *values;
	char **keys;
	size_t n;
};

enum {
	SD_JSON_MAX_DEPTH = 32,
	SD_JSON_MAX_ELEMENTS = 1 << 20,	/* values in the whole document */
};

/* Parse buf (len bytes, not necessarily NUL-terminated) into *ret (free with sd_jv_destroy). */
struct sd_error *sd_jv_parse(const char *buf, size_t len, struct sd_jv **ret);
void sd_jv_destroy(struct sd_jv *v);

/* The member key of an object, or NULL (also when v is not an object). */
const struct sd_jv *sd_jv_get(const struct sd_jv *v, const char *key);
/* The string member key of an object, or NULL if absent or not a string. */
const char *sd_jv_get_string(const struct sd_jv *v, const char *key);
/* The boolean member key; def if absent or not a boolean. */
bool sd_jv_get_bool(const struct sd_jv *v, const char *key, bool def);

#endif
