// SPDX-License-Identifier: GPL-2.0-or-later
/* The manifest reader: what json.c writes reads back as the same bytes; bad input is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jsonread.h"
#include "tap.h"

static struct sd_jv *parse(const char *s)
{
	struct sd_jv *v = NULL;
	struct sd_error *err = sd_jv_parse(s, strlen(s), &v);
	if (err) {
		sd_error_destroy(err);
		return NULL;
	}
	return v;
}

static void roundtrip(const char *bytes, const char *what)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct sd_json j;
	sd_json_init(&j, f, false);
	sd_json_begin_object(&j, NULL);
	sd_json_string(&j, "p", bytes);
	sd_json_end_object(&j);
	fclose(f);
	struct sd_jv *v = NULL;
	struct sd_error *err = sd_jv_parse(buf, len, &v);
	const char *got = err ? NULL : sd_jv_get_string(v, "p");
	ok(got && strcmp(got, bytes) == 0, "round trip: %s", what);
	sd_error_destroy(err);
	sd_jv_destroy(v);
	free(buf);
}

int main(void)
{
	struct sd_jv *v = parse(" {\"a\": [1, 2.5, -3e2, true, false, null, \"x\"], \"b\": {\"c\": \"d\"},"
				"\"e\": \"\\u00e9\\ud83d\\ude00\\n\\\"\"} ");
	ok(v && v->type == SD_JV_OBJECT && v->n == 3, "an object of three members");
	const struct sd_jv *a = sd_jv_get(v, "a");
	ok(a && a->type == SD_JV_ARRAY && a->n == 7 && a->values[1].number == 2.5 &&
	   a->values[2].number == -300 && a->values[3].boolean && !a->values[4].boolean &&
	   a->values[5].type == SD_JV_NULL && strcmp(a->values[6].string, "x") == 0,
	   "array values");
	is_str(sd_jv_get_string(sd_jv_get(v, "b"), "c"), "d", "nested member");
	ok(sd_jv_get_string(v, "e") && !strcmp(sd_jv_get_string(v, "e"), "\xc3\xa9\xf0\x9f\x98\x80\n\""),
	   "escapes and surrogate pairs decode to UTF-8");
	ok(!sd_jv_get(v, "zz") && !sd_jv_get_string(v, "a") && sd_jv_get_bool(v, "a", true),
	   "absent or mistyped members");
	sd_jv_destroy(v);

	roundtrip("/usr/lib/libc.so.6", "plain path");
	roundtrip("/tmp/\xff\xfe/x\xc3", "bytes that are not UTF-8 (surrogateescape)");
	roundtrip("/a\x01\x7f/\xe2\x82\xac", "control bytes and UTF-8");

	static const char *const bad[] = {
		"", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "\"abc", "\"\\u0000\"", "\"\\ud800\"",
		"\"\\udc00\"", "\"\\x\"", "tru", "1 2", "[1] x", "\"a\nb\"", "{1:2}", "--1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sd_jv *b = parse(bad[i]);
		ok(!b, "refused: %s", bad[i]);
		sd_jv_destroy(b);
	}
	char deep[200];
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	ok(!parse(deep), "nesting deeper than %d refused", SD_JSON_MAX_DEPTH);
	char *many = malloc(3 * (SD_JSON_MAX_ELEMENTS + 2) + 3);
	size_t n = 0;
	many[n++] = '[';
	for (int i = 0; i < SD_JSON_MAX_ELEMENTS + 2; i++) {
		many[n++] = '0';
		many[n++] = ',';
	}
	many[n - 1] = ']';
	struct sd_jv *m = NULL;
	struct sd_error *err = sd_jv_parse(many, n, &m);
	ok(err && !m, "more than %d elements refused", SD_JSON_MAX_ELEMENTS);
	sd_error_destroy(err);
	free(many);
	return tap_done();
}
