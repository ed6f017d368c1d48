// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "util.h"
#include "vmcoreinfo.h"

/* At most this many lines are kept: the kernel writes about 150. */
enum { MAX_LINES = 4096 };

struct sd_error *sd_vmcoreinfo_parse(const char *text, size_t len, struct sd_vmcoreinfo *ret)
{
	if (len > SD_VMCOREINFO_MAX)
		return sd_error_create(SD_ERROR_INPUT, "VMCOREINFO is %zu bytes, more than %d", len,
				       SD_VMCOREINFO_MAX);
	struct sd_vmcoreinfo vi = {0};
	vi.raw = strndup(text, len);
	if (!vi.raw)
		return &sd_enomem;
	vi.raw_len = strlen(vi.raw);
	char *copy = strdup(vi.raw);
	if (!copy) {
		sd_vmcoreinfo_deinit(&vi);
		return &sd_enomem;
	}
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line && vi.n < MAX_LINES;
	     line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		if (!eq || eq == line)
			continue;
		*eq = '\0';
		struct sd_vmcoreinfo_line l = { strdup(line), strdup(eq + 1) };
		if (!l.key || !l.value || !sd_grow(&vi.lines, &vi.cap, vi.n + 1, sizeof(*vi.lines))) {
			free(l.key);
			free(l.value);
			free(copy);
			sd_vmcoreinfo_deinit(&vi);
			return &sd_enomem;
		}
		vi.lines[vi.n++] = l;
	}
	free(copy);
	*ret = vi;
	return NULL;
}

void sd_vmcoreinfo_deinit(struct sd_vmcoreinfo *vi)
{
	for (size_t i = 0; i < vi->n; i++) {
		free(vi->lines[i].key);
		free(vi->lines[i].value);
	}
	free(vi->lines);
	free(vi->raw);
	memset(vi, 0, sizeof(*vi));
}

const char *sd_vmcoreinfo_get(const struct sd_vmcoreinfo *vi, const char *key)
{
	for (size_t i = 0; i < vi->n; i++)
		if (strcmp(vi->lines[i].key, key) == 0)
			return vi->lines[i].value;
	return NULL;
}

bool sd_vmcoreinfo_hex(const struct sd_vmcoreinfo *vi, const char *key, uint64_t *ret)
{
	const char *v = sd_vmcoreinfo_get(vi, key);
	if (!v || !*v)
		return false;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 16);
	if (errno || *end)
		return false;
	*ret = x;
	return true;
}

bool sd_vmcoreinfo_dec(const struct sd_vmcoreinfo *vi, const char *key, int64_t *ret)
{
	const char *v = sd_vmcoreinfo_get(vi, key);
	if (!v || !*v)
		return false;
	char *end;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (errno || *end)
		return false;
	*ret = x;
	return true;
}

bool sd_vmcoreinfo_symbol(const struct sd_vmcoreinfo *vi, const char *name, uint64_t *ret)
{
	char key[128];
	if ((size_t)snprintf(key, sizeof(key), "SYMBOL(%s)", name) >= sizeof(key))
		return false;
	return sd_vmcoreinfo_hex(vi, key, ret);
}

/*
 * sd_vmcoreinfo_check(): libkdumpfile 0.5.1 parses every VMCOREINFO note
 * itself (vmcoreinfo.c, attr.c), NUL bytes and all, whatever savedump's own
 * parser keeps:
 *  - each line "KEY=VALUE" (or "KEY", with an empty value) becomes the
 *    attribute linux.vmcoreinfo.lines.KEY, each '.' in KEY a directory;
 *    "TYPE(NAME)=NUMBER" for TYPE SYMBOL (hex), LENGTH, NUMBER, OFFSET or
 *    SIZE (C notation) also becomes linux.vmcoreinfo.TYPE.NAME. A path
 *    that is a value and also a directory ("OFFSET(page=8" beside
 *    "OFFSET(page.flags)=0") is then used as both; an empty path component
 *    or a NUL byte in a key makes its key comparison (keycmp()) read past
 *    the end of other keys;
 *  - "PAGESIZE=N" with N decimal sets the page size: 0 (or an empty value)
 *    is taken as a power of two and gives a page shift of -1.
 */
static const char *const derived_types[] = { "SYMBOL", "LENGTH", "NUMBER", "OFFSET", "SIZE" };

struct vi_path {
	const char *text;	/* "L" or "D" (the namespace), then the path */
	size_t len;
	unsigned line;
};

static int vi_path_cmp(const void *a, const void *b)
{
	const struct vi_path *x = a, *y = b;
	int c = memcmp(x->text, y->text, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Printable, bounded copy of dump text for an error message (other bytes as \xNN). */
static const char *shown(const char *s, size_t len, char *buf, size_t size)
{
	size_t n = 0, i;
	for (i = 0; i < len && n + 8 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[n++] = (char)c;
		else
			n += (size_t)snprintf(buf + n, size - n, "\\x%02x", c);
	}
	if (i < len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/* Is the C string value (the text up to a NUL or its end) a whole number in base? */
static bool vi_number(const char *val, size_t len, int base, unsigned long long *ret)
{
	char buf[64];
	size_t n = strnlen(val, len);
	if (n >= sizeof(buf))
		return false;	/* libkdumpfile would take it only if it were all digits: refused too */
	memcpy(buf, val, n);
	buf[n] = '\0';
	char *end;
	errno = 0;
	unsigned long long v = strtoull(buf, &end, base);
	if (*end)
		return false;
	*ret = errno ? ~0ull : v;
	return true;
}

/* "VMCOREINFO line N: key 'KEY' WHY" */
static struct sd_error *vi_bad_key(unsigned line, const char *key, size_t klen, const char *why)
{
	char buf[80];
	return sd_error_create(SD_ERROR_INPUT, "VMCOREINFO line %u: key '%s' %s", line,
			       shown(key, klen, buf, sizeof(buf)), why);
}

struct sd_error *sd_vmcoreinfo_check(const char *text, size_t len, bool is_linux)
{
	if (len > SD_VMCOREINFO_MAX)
		return sd_error_create(SD_ERROR_INPUT, "VMCOREINFO is %zu bytes, more than %d", len,
				       SD_VMCOREINFO_MAX);
	/* At most one line per two bytes, and two paths per line. */
	struct vi_path *paths = malloc((len / 2 + 1) * 2 * sizeof(*paths));
	char *names = malloc(4 * len + 16);	/* "L" + key, "D" + TYPE.NAME, per line */
	struct sd_error *err = NULL;
	if (!paths || !names) {
		err = &sd_enomem;
		goto out;
	}
	size_t n_paths = 0, used = 0;
	unsigned line = 0;
	for (const char *p = text, *end = text + len; p < end; ) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		const char *eq = memchr(p, '=', (size_t)(eol - p));
		const char *key = p, *val = eq ? eq + 1 : eol;
		size_t klen = (size_t)((eq ? eq : eol) - p), vlen = (size_t)(eol - val);
		p = eol + 1;
		line++;
		if (klen == 0) {
			err = sd_error_create(SD_ERROR_INPUT, "VMCOREINFO line %u has no key", line);
			goto out;
		}
		if (memchr(key, '\0', klen)) {
			err = vi_bad_key(line, key, klen, "has a NUL byte");
			goto out;
		}
		if (key[0] == '.' || key[klen - 1] == '.' || memmem(key, klen, "..", 2)) {
			err = vi_bad_key(line, key, klen, "has an empty '.' component");
			goto out;
		}
		unsigned long long num;
		if (is_linux && klen == 8 && memcmp(key, "PAGESIZE", 8) == 0 &&
		    vi_number(val, vlen, 10, &num) &&
		    (num < 4096 || num > 262144 || (num & (num - 1)))) {
			char buf[48];
			err = sd_error_create(SD_ERROR_INPUT, "VMCOREINFO line %u: PAGESIZE=%s is not "
					      "a page size (a power of two from 4096 to 262144)", line,
					      shown(val, strnlen(val, vlen), buf, sizeof(buf)));
			goto out;
		}
		paths[n_paths++] = (struct vi_path){ names + used, klen + 1, line };
		names[used] = 'L';
		memcpy(names + used + 1, key, klen);
		used += klen + 1;
		/* TYPE(NAME) with the first ')' last, and a number: also TYPE.NAME. */
		const char *open = memchr(key, '(', klen), *close;
		if (!open || !(close = memchr(open, ')', (size_t)(key + klen - open))) ||
		    close != key + klen - 1)
			continue;
		size_t tlen = (size_t)(open - key);
		bool hex = tlen == 6 && memcmp(key, "SYMBOL", 6) == 0, derived = false;
		for (size_t i = 0; i < ARRAY_SIZE(derived_types); i++)
			derived |= strlen(derived_types[i]) == tlen &&
				   memcmp(key, derived_types[i], tlen) == 0;
		if (!derived || !vi_number(val, vlen, hex ? 16 : 0, &num))
			continue;
		size_t nlen = (size_t)(close - open - 1);
		if (nlen == 0 || open[1] == '.' || close[-1] == '.') {
			err = vi_bad_key(line, key, klen, "has an empty '.' component");
			goto out;
		}
		paths[n_paths++] = (struct vi_path){ names + used, tlen + 1 + nlen + 1, line };
		names[used] = 'D';
		memcpy(names + used + 1, key, tlen);
		names[used + 1 + tlen] = '.';
		memcpy(names + used + 2 + tlen, open + 1, nlen);
		used += tlen + nlen + 2;
	}
	qsort(paths, n_paths, sizeof(*paths), vi_path_cmp);
	/* A path whose prefix up to a '.' is itself a path: a value used as a directory. */
	for (size_t i = 0; i < n_paths; i++) {
		const struct vi_path *x = &paths[i];
		for (size_t k = 1; k < x->len; k++) {
			if (x->text[k] != '.')
				continue;
			struct vi_path prefix = { x->text, k, 0 };
			const struct vi_path *y = bsearch(&prefix, paths, n_paths, sizeof(*paths),
							  vi_path_cmp);
			if (y) {
				char a[80], b[80];
				err = sd_error_create(SD_ERROR_INPUT, "VMCOREINFO lines %u and %u: '%s' "
						      "is a value and also a directory of '%s'",
						      y->line, x->line,
						      shown(y->text + 1, y->len - 1, a, sizeof(a)),
						      shown(x->text + 1, x->len - 1, b, sizeof(b)));
				goto out;
			}
		}
	}
out:
	free(paths);
	free(names);
	return err;
}
