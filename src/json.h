/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal streaming JSON writer. Strings are bytes (paths from a dump), not
 * necessarily UTF-8; the output is always valid JSON: well-formed UTF-8 is
 * written as it is, control bytes and DEL as \uXXXX, and each byte that is
 * not part of a well-formed UTF-8 sequence (RFC 3629: overlong forms,
 * surrogates, truncated sequences included) as the escape \udcXX, XX being
 * the byte (0x80..0xff): code points U+DC80..U+DCFF, lone low surrogates,
 * which well-formed UTF-8 never holds. This is Python's "surrogateescape":
 * json.loads() then str.encode("utf-8", "surrogateescape") gives back the
 * original bytes.
 */
#ifndef SAVEDUMP_JSON_H
#define SAVEDUMP_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct sd_json {
	FILE *f;
	int depth;
	bool need_comma;
	bool pretty;
};

void sd_json_init(struct sd_json *j, FILE *f, bool pretty);
void sd_json_begin_object(struct sd_json *j, const char *key);
void sd_json_end_object(struct sd_json *j);
void sd_json_begin_array(struct sd_json *j, const char *key);
void sd_json_end_array(struct sd_json *j);
/* key is NULL inside arrays. A NULL string value is written as null. */
void sd_json_string(struct sd_json *j, const char *key, const char *value);
void sd_json_uint(struct sd_json *j, const char *key, uint64_t value);
void sd_json_int(struct sd_json *j, const char *key, int64_t value);
void sd_json_bool(struct sd_json *j, const char *key, bool value);
void sd_json_null(struct sd_json *j, const char *key);

/* Write s as a JSON string literal, quotes included (escaped as above). */
void sd_json_quote(FILE *f, const char *s);

#endif
