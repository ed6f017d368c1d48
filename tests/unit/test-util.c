// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Paths taken from dumps: normalisation and relative symlink targets, and
 * their JSON form (valid UTF-8 kept, other bytes escaped reversibly).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tap.h"
#include "util.h"

static void normalize(const char *in, const char *want)
{
	char *out = NULL;
	struct sd_error *err = sd_path_normalize(in, &out);
	char what[256];
	snprintf(what, sizeof(what), "normalize %.100s", in);
	if (!want) {
		ok(err != NULL && err->code == SD_ERROR_INPUT, "%s is rejected", what);
		sd_error_destroy(err);
		return;
	}
	is_str(err ? NULL : out, want, what);
	sd_error_destroy(err);
	free(out);
}

static void relative(const char *link, const char *target, const char *want)
{
	char *out = NULL;
	char what[256];
	snprintf(what, sizeof(what), "symlink %s -> %s", link, target);
	struct sd_error *err = sd_path_relative(link, target, &out);
	is_str(err ? NULL : out, want, what);
	free(out);
}

/* The JSON string literal sd_json_quote() writes for in (malloc'ed). */
static char *json_of(const char *in)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	sd_json_quote(f, in);
	fclose(f);
	return buf;
}

static void json(const char *in, const char *want, const char *what)
{
	char *got = json_of(in);
	is_str(got, want, what);
	free(got);
}

/*
 * An independent reader for what sd_json_quote() writes: the bytes a
 * surrogateescape decoder gives back, or -1 if the literal is not valid JSON
 * (bad escape, raw control byte, ill-formed UTF-8, a surrogate escape that is
 * not U+DC80..U+DCFF). Checks UTF-8 by decoding code points, not by tables.
 */
static int json_unquote(const char *lit, unsigned char *out, size_t size, size_t *ret_len)
{
	const unsigned char *p = (const unsigned char *)lit;
	size_t n = 0;
	if (*p++ != '"')
		return -1;
	while (*p != '"') {
		if (n + 4 > size || !*p || *p < 0x20)
			return -1;
		if (*p == '\\') {
			p++;
			const char *simple = strchr("\"\\/bfnrt", *p);
			if (*p && simple) {
				out[n++] = (unsigned char)"\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
				p++;
				continue;
			}
			unsigned cp;
			if (*p != 'u' || sscanf((const char *)p + 1, "%4x", &cp) != 1)
				return -1;
			p += 5;
			if (cp >= 0xdc80 && cp <= 0xdcff)
				out[n++] = (unsigned char)(cp - 0xdc00);
			else if (cp < 0x80)
				out[n++] = (unsigned char)cp;
			else
				return -1;	/* sd_json_quote() writes no other escape */
			continue;
		}
		/* A raw character: decode one code point and check it is well formed. */
		int len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3
			: (*p & 0xf8) == 0xf0 ? 4 : 0;
		if (!len)
			return -1;
		unsigned cp = len == 1 ? *p : *p & (0x7f >> len);
		for (int i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		static const unsigned min[] = { 0, 0, 0x80, 0x800, 0x10000 };
		if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		memcpy(out + n, p, (size_t)len);
		n += (size_t)len;
		p += len;
	}
	if (p[1] != '\0')
		return -1;
	*ret_len = n;
	return 0;
}

static void json_tests(void)
{
	json("plain /usr/lib", "\"plain /usr/lib\"", "json: ASCII as it is");
	json("q\"b\\n\nt\tc\x01" "d\x7f", "\"q\\\"b\\\\n\\nt\\tc\\u0001d\\u007f\"",
	     "json: quote, backslash, controls, DEL escaped");
	/* Well-formed 2, 3 and 4-byte sequences, and the ends of the ranges. */
	json("caf\xc3\xa9", "\"caf\xc3\xa9\"", "json: 2-byte UTF-8 kept");
	json("\xe2\x82\xac \xed\x9f\xbf \xee\x80\x80 \xef\xbf\xbf",
	     "\"\xe2\x82\xac \xed\x9f\xbf \xee\x80\x80 \xef\xbf\xbf\"",
	     "json: 3-byte UTF-8 kept (U+20AC, U+D7FF, U+E000, U+FFFF)");
	json("\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\xf0\x90\x80\x80",
	     "\"\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\xf0\x90\x80\x80\"",
	     "json: 4-byte UTF-8 kept (U+1F600, U+10FFFF, U+10000)");
	/* Bytes that are not UTF-8: each one escaped, the rest kept. */
	json("a\xff" "b", "\"a\\udcffb\"", "json: 0xff escaped as \\udcff");
	json("\x80\xbf", "\"\\udc80\\udcbf\"", "json: lone continuation bytes");
	json("\xc0\xaf\xc1\xbf", "\"\\udcc0\\udcaf\\udcc1\\udcbf\"",
	     "json: overlong 2-byte forms (C0, C1)");
	json("\xe0\x80\xaf", "\"\\udce0\\udc80\\udcaf\"", "json: overlong 3-byte form");
	json("\xf0\x80\x80\xaf", "\"\\udcf0\\udc80\\udc80\\udcaf\"",
	     "json: overlong 4-byte form");
	json("\xed\xa0\x80\xed\xbf\xbf", "\"\\udced\\udca0\\udc80\\udced\\udcbf\\udcbf\"",
	     "json: UTF-8-encoded surrogates (U+D800, U+DFFF) are not UTF-8");
	json("\xf4\x90\x80\x80\xf5\x80", "\"\\udcf4\\udc90\\udc80\\udc80\\udcf5\\udc80\"",
	     "json: above U+10FFFF, and lead bytes F5..");
	json("x\xe2\x82", "\"x\\udce2\\udc82\"", "json: 3-byte sequence truncated by the end");
	json("\xf0\x9f\x98/", "\"\\udcf0\\udc9f\\udc98/\"",
	     "json: 4-byte sequence cut by an ASCII byte");
	json("\xc3", "\"\\udcc3\"", "json: lone lead byte at the end");
	json("\xe0\xc3\xa9", "\"\\udce0\xc3\xa9\"",
	     "json: a bad lead byte does not swallow the valid sequence after it");
	json("\\udcff", "\"\\\\udcff\"", "json: a literal \\udcff stays text, not a byte");

	/* Random byte strings: always valid JSON, and the bytes come back. */
	unsigned seed = 12345;
	bool all_ok = true;
	for (int round = 0; round < 20000 && all_ok; round++) {
		unsigned char in[24];
		size_t len = 0;
		while (len < sizeof(in) - 1) {
			seed = seed * 1103515245 + 12345;
			unsigned char c = (unsigned char)(seed >> 16);
			/* Favour bytes that make (and break) multi-byte sequences. */
			if (seed & 0x100)
				c = (unsigned char)(0x80 | (c & 0x7f));
			if (c)
				in[len++] = c;
			if ((seed >> 24) % 16 == 0)
				break;
		}
		in[len] = '\0';
		char *lit = json_of((const char *)in);
		unsigned char back[sizeof(in) * 6 + 8];
		size_t back_len = 0;
		if (!lit || json_unquote(lit, back, sizeof(back), &back_len) < 0 || back_len != len ||
		    memcmp(back, in, len) != 0) {
			printf("# round %d: %s\n", round, lit ? lit : "(null)");
			all_ok = false;
		}
		free(lit);
	}
	ok(all_ok, "json: 20000 random byte strings give valid JSON that decodes to their bytes");
}

static void printable(const char *in, const char *want, const char *what)
{
	char *got = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&got, &len);
	sd_fputs_printable(in, f);
	fclose(f);
	is_str(got, want, what);
	free(got);
}

/* What reaches a terminal: nothing a terminal acts on, nothing that reorders text. */
static void printable_tests(void)
{
	printable("/usr/lib/libc.so.6", "/usr/lib/libc.so.6", "printable: a plain path as it is");
	printable("a\x1b]0;owned\x07" "b", "a\\x1b]0;owned\\x07b", "printable: ESC and BEL escaped");
	printable("x\ny\rz\t", "x\\x0ay\\x0dz\\x09", "printable: newline, CR, tab escaped");
	printable("\x7f", "\\x7f", "printable: DEL escaped");
	printable("a\\x41", "a\\\\x41", "printable: a backslash is doubled (no forged escape)");
	printable("caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac", "printable: UTF-8 text kept");
	printable("a\xff\xc3", "a\\xff\\xc3", "printable: bytes that are not UTF-8 escaped");
	printable("\xc2\x9b" "2J", "\\u009b2J", "printable: C1 control (CSI) escaped");
	printable("evil\xe2\x80\xaegpj.so", "evil\\u202egpj.so",
		  "printable: bidi override escaped");
	printable("\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069", "printable: bidi isolates escaped");
}

/* Big buffers: sizes either side of the mmap threshold, growth and shrinking keep the bytes. */
static void big_tests(void)
{
	static const size_t sizes[] = { 0, 1, 4096, (1 << 20) - 1, 1 << 20, (2 << 20) - 64,
					(2 << 20) - 63, 6 << 20 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		uint8_t *p = sd_big_alloc(n);
		bool good = p != NULL && sd_big_capacity(p) >= n;
		for (size_t k = 0; good && k < sd_big_capacity(p); k++)
			p[k] = (uint8_t)(k * 7);	/* all of the capacity is writable */
		size_t cap = good ? sd_big_capacity(p) : 0;
		uint8_t *q = good ? sd_big_realloc(p, 2 * cap + 100) : NULL;
		good = q != NULL;
		for (size_t k = 0; good && k < cap; k++)
			good = q[k] == (uint8_t)(k * 7);	/* the whole capacity moved */
		if (good)
			q[2 * cap + 99] = 1;	/* the new end is writable */
		uint8_t *r = good ? sd_big_realloc(q, n / 2) : NULL;
		good = r != NULL;
		for (size_t k = 0; good && k < n / 2; k++)
			good = r[k] == (uint8_t)(k * 7);
		ok(good, "big buffer of %zu bytes: its capacity (%zu) written, grown past it and "
		   "shrunk, bytes kept", n, cap);
		sd_big_free(good ? r : NULL);
	}
	sd_big_free(NULL);
	ok(sd_big_alloc(SIZE_MAX - 10) == NULL, "big buffer: an impossible size is refused");
}

int main(void)
{
	big_tests();
	json_tests();
	printable_tests();

	normalize("/usr/lib/libc.so.6", "/usr/lib/libc.so.6");
	normalize("//usr///lib/./libc.so.6", "/usr/lib/libc.so.6");
	normalize("/usr/lib/../../../../etc/passwd", "/etc/passwd");
	normalize("/..", "/");
	normalize("/", "/");
	normalize("/a/b/", "/a/b");
	normalize("../../etc/passwd", NULL);
	normalize("", NULL);
	normalize("relative/path", NULL);
	char *longp = malloc(SD_PATH_MAX + 10);
	memset(longp, 'x', SD_PATH_MAX + 9);
	longp[0] = '/';
	longp[SD_PATH_MAX + 9] = '\0';
	normalize(longp, NULL);
	free(longp);

	relative("lib/x86_64-linux-gnu/libc.so.6", "usr/lib/x86_64-linux-gnu/libc.so.6",
		 "../../usr/lib/x86_64-linux-gnu/libc.so.6");
	relative("lib64/ld.so", "usr/lib/ld.so", "../usr/lib/ld.so");
	relative("usr/lib/debug/.build-id/ab/cdef", "usr/bin/prog", "../../../../bin/prog");
	relative("a", "b/c", "b/c");
	relative("usr/lib/a.so", "usr/lib/b.so", "b.so");

	uint8_t id[4];
	size_t n;
	ok(sd_unhex("deadBEEF", id, sizeof(id), &n) && n == 4 && id[0] == 0xde && id[3] == 0xef,
	   "unhex accepts mixed case");
	ok(!sd_unhex("abc", id, sizeof(id), &n), "unhex rejects odd length");
	ok(!sd_unhex("0011223344", id, sizeof(id), &n), "unhex rejects too long");
	ok(!sd_unhex("zz", id, sizeof(id), &n), "unhex rejects non-hex");
	return tap_done();
}
