// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>

#include "json.h"
#include "util.h"

void sd_json_init(struct sd_json *j, FILE *f, bool pretty)
{
	j->f = f;
	j->depth = 0;
	j->need_comma = false;
	j->pretty = pretty;
}

void sd_json_quote(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = sd_utf8_len(p);
		if (n == 0) {
			/* Not UTF-8: U+DC00 + the byte, as Python's "surrogateescape". */
			fprintf(f, "\\u%04x", 0xdc00 + *p);
			p++;
			continue;
		}
		if (n > 1) {
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
		p++;
	}
	fputc('"', f);
}

static void prefix(struct sd_json *j, const char *key)
{
	if (j->need_comma)
		fputc(',', j->f);
	if (j->pretty && j->depth > 0) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	if (key) {
		sd_json_quote(j->f, key);
		fputs(j->pretty ? ": " : ":", j->f);
	}
	j->need_comma = true;
}

static void open_(struct sd_json *j, const char *key, char c)
{
	prefix(j, key);
	fputc(c, j->f);
	j->depth++;
	j->need_comma = false;
}

static void close_(struct sd_json *j, char c)
{
	j->depth--;
	if (j->pretty && j->need_comma) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	fputc(c, j->f);
	j->need_comma = true;
	if (j->depth == 0)
		fputc('\n', j->f);
}

void sd_json_begin_object(struct sd_json *j, const char *key)
{
	open_(j, key, '{');
}

void sd_json_end_object(struct sd_json *j)
{
	close_(j, '}');
}

void sd_json_begin_array(struct sd_json *j, const char *key)
{
	open_(j, key, '[');
}

void sd_json_end_array(struct sd_json *j)
{
	close_(j, ']');
}

void sd_json_string(struct sd_json *j, const char *key, const char *value)
{
	prefix(j, key);
	if (value)
		sd_json_quote(j->f, value);
	else
		fputs("null", j->f);
}

void sd_json_uint(struct sd_json *j, const char *key, uint64_t value)
{
	prefix(j, key);
	fprintf(j->f, "%" PRIu64, value);
}

void sd_json_int(struct sd_json *j, const char *key, int64_t value)
{
	prefix(j, key);
	fprintf(j->f, "%" PRId64, value);
}

void sd_json_bool(struct sd_json *j, const char *key, bool value)
{
	prefix(j, key);
	fputs(value ? "true" : "false", j->f);
}

void sd_json_null(struct sd_json *j, const char *key)
{
	prefix(j, key);
	fputs("null", j->f);
}
