// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonread.h"
#include "util.h"

struct parser {
	const char *p, *end;
	size_t elements;
	struct sd_error *err;
};

static bool fail(struct parser *ps, const char *what)
{
	if (!ps->err)
		ps->err = sd_error_create(SD_ERROR_INPUT, "invalid JSON: %s", what);
	return false;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static void value_deinit(struct sd_jv *v)
{
	free(v->string);
	for (size_t i = 0; i < v->n; i++) {
		value_deinit(&v->values[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->values);
	free(v->keys);
	memset(v, 0, sizeof(*v));
}

void sd_jv_destroy(struct sd_jv *v)
{
	if (!v)
		return;
	value_deinit(v);
	free(v);
}

static int hex4(const char *s)
{
	int v = 0;
	for (int i = 0; i < 4; i++) {
		int h = sd_hexval(s[i]);
		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

static bool put_utf8(char *out, size_t *n, uint32_t cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (char)(0xc0 | cp >> 6);
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*n)++] = (char)(0xe0 | cp >> 12);
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*n)++] = (char)(0xf0 | cp >> 18);
		out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
	return true;
}

/* A string at ps->p (the opening quote); *ret is malloc'ed. Never longer than its source. */
static bool parse_string(struct parser *ps, char **ret)
{
	const char *s = ++ps->p;
	const char *q = s;
	while (q < ps->end && *q != '"') {
		if (*q == '\\')
			q++;
		q++;
	}
	if (q >= ps->end)
		return fail(ps, "unterminated string");
	char *out = malloc((size_t)(q - s) + 1);
	if (!out) {
		ps->err = &sd_enomem;
		return false;
	}
	size_t n = 0;
	while (s < q) {
		unsigned char c = (unsigned char)*s++;
		if (c < 0x20)
			goto bad;
		if (c != '\\') {
			out[n++] = (char)c;
			continue;
		}
		char e = *s++;
		switch (e) {
		case '"': out[n++] = '"'; break;
		case '\\': out[n++] = '\\'; break;
		case '/': out[n++] = '/'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u': {
			int cp = q - s >= 4 ? hex4(s) : -1;
			if (cp <= 0)
				goto bad;	/* malformed, or a NUL */
			s += 4;
			if (cp >= 0xdc80 && cp <= 0xdcff) {
				out[n++] = (char)(cp - 0xdc00);	/* surrogateescape: the raw byte */
			} else if (cp >= 0xd800 && cp <= 0xdbff) {
				int lo = q - s >= 6 && s[0] == '\\' && s[1] == 'u' ? hex4(s + 2) : -1;
				if (lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				s += 6;
				put_utf8(out, &n, 0x10000 + (((uint32_t)cp - 0xd800) << 10) +
							   ((uint32_t)lo - 0xdc00));
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				goto bad;
			} else {
				put_utf8(out, &n, (uint32_t)cp);
			}
			break;
		}
		default:
			goto bad;
		}
	}
	out[n] = '\0';
	ps->p = q + 1;
	*ret = out;
	return true;
bad:
	free(out);
	return fail(ps, "bad string");
}

static bool parse_value(struct parser *ps, struct sd_jv *v, int depth);

static bool add_slot(struct parser *ps, struct sd_jv *v, size_t *cap, size_t *key_cap, bool object)
{
	if (++ps->elements > SD_JSON_MAX_ELEMENTS)
		return fail(ps, "too many elements");
	if (!sd_grow(&v->values, cap, v->n + 1, sizeof(*v->values)) ||
	    (object && !sd_grow(&v->keys, key_cap, v->n + 1, sizeof(*v->keys)))) {
		ps->err = &sd_enomem;
		return false;
	}
	memset(&v->values[v->n], 0, sizeof(*v->values));
	if (object)
		v->keys[v->n] = NULL;
	v->n++;
	return true;
}

static bool parse_container(struct parser *ps, struct sd_jv *v, int depth, bool object)
{
	char close = object ? '}' : ']';
	size_t cap = 0, key_cap = 0;
	v->type = object ? SD_JV_OBJECT : SD_JV_ARRAY;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return true;
	}
	for (;;) {
		skip_ws(ps);
		if (!add_slot(ps, v, &cap, &key_cap, object))
			return false;
		if (object) {
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, "expected a key");
			if (!parse_string(ps, &v->keys[v->n - 1]))
				return false;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return fail(ps, "expected ':'");
			ps->p++;
		}
		if (!parse_value(ps, &v->values[v->n - 1], depth + 1))
			return false;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return true;
		}
		return fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static bool literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
		return fail(ps, "unknown literal");
	ps->p += n;
	return true;
}

static bool parse_number(struct parser *ps, struct sd_jv *v)
{
	char buf[64];
	size_t n = 0;
	while (ps->p + n < ps->end && n < sizeof(buf) - 1 && strchr("+-0123456789.eE", ps->p[n]))
		n++;
	if (!n || n == sizeof(buf) - 1)
		return fail(ps, "bad number");
	memcpy(buf, ps->p, n);
	buf[n] = '\0';
	char *end;
	v->number = strtod(buf, &end);
	if (*end)
		return fail(ps, "bad number");
	v->type = SD_JV_NUMBER;
	ps->p += n;
	return true;
}

static bool parse_value(struct parser *ps, struct sd_jv *v, int depth)
{
	if (depth > SD_JSON_MAX_DEPTH)
		return fail(ps, "nested too deeply");
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end");
	switch (*ps->p) {
	case '{':
		return parse_container(ps, v, depth, true);
	case '[':
		return parse_container(ps, v, depth, false);
	case '"':
		v->type = SD_JV_STRING;
		return parse_string(ps, &v->string);
	case 't':
		v->type = SD_JV_BOOL;
		v->boolean = true;
		return literal(ps, "true");
	case 'f':
		v->type = SD_JV_BOOL;
		return literal(ps, "false");
	case 'n':
		v->type = SD_JV_NULL;
		return literal(ps, "null");
	default:
		return parse_number(ps, v);
	}
}

struct sd_error *sd_jv_parse(const char *buf, size_t len, struct sd_jv **ret)
{
	struct parser ps = { .p = buf, .end = buf + len };
	struct sd_jv *v = calloc(1, sizeof(*v));
	if (!v)
		return &sd_enomem;
	if (parse_value(&ps, v, 0)) {
		skip_ws(&ps);
		if (ps.p != ps.end)
			fail(&ps, "trailing data");
	}
	if (ps.err) {
		sd_jv_destroy(v);
		return ps.err;
	}
	*ret = v;
	return NULL;
}

const struct sd_jv *sd_jv_get(const struct sd_jv *v, const char *key)
{
	if (!v || v->type != SD_JV_OBJECT)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (v->keys[i] && strcmp(v->keys[i], key) == 0)
			return &v->values[i];
	return NULL;
}

const char *sd_jv_get_string(const struct sd_jv *v, const char *key)
{
	const struct sd_jv *m = sd_jv_get(v, key);
	return m && m->type == SD_JV_STRING ? m->string : NULL;
}

bool sd_jv_get_bool(const struct sd_jv *v, const char *key, bool def)
{
	const struct sd_jv *m = sd_jv_get(v, key);
	return m && m->type == SD_JV_BOOL ? m->boolean : def;
}
