// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "sysmap.h"
#include "util.h"

struct sym {
	uint64_t addr;
	uint32_t name;	/* offset in the pool */
	uint32_t line;	/* file order: address order */
	char type;
};

struct sd_sysmap {
	char *pool;
	struct sym *syms;	/* sorted by name, then file order */
	size_t n, bad;
};

static void destroy_p(struct sd_sysmap **map)
{
	sd_sysmap_destroy(*map);
}

static const char stub_text[] = "The real System.map is in the ";

bool sd_sysmap_is_stub(const char *buf, size_t len)
{
	/* Debian's debian/rules writes one line; allow a little around it. */
	return len < 512 && memmem(buf, len, stub_text, sizeof(stub_text) - 1) != NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "ADDRESS TYPE NAME": 1-16 hex digits, a type letter, a name without blanks. */
static bool parse_line(const char *p, size_t len, uint64_t *addr, char *type, const char **name,
		       size_t *name_len)
{
	size_t i = 0;
	uint64_t a = 0;
	for (; i < len && i < 17 && hexval(p[i]) >= 0; i++)
		a = a << 4 | (uint64_t)hexval(p[i]);
	if (i == 0 || i > 16 || i + 4 > len || p[i] != ' ')
		return false;
	char t = p[i + 1];
	if (!((t >= 'A' && t <= 'Z') || (t >= 'a' && t <= 'z') || t == '?') || p[i + 2] != ' ')
		return false;
	const char *n = p + i + 3;
	size_t nl = len - i - 3;
	for (size_t k = 0; k < nl; k++)
		if (n[k] <= ' ' || n[k] >= 0x7f)
			return false;
	if (nl == 0)
		return false;
	*addr = a;
	*type = t;
	*name = n;
	*name_len = nl;
	return true;
}

static int cmp_sym(const void *a, const void *b, void *pool)
{
	const struct sym *x = a, *y = b;
	int c = strcmp((const char *)pool + x->name, (const char *)pool + y->name);
	if (c)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

struct sd_error *sd_sysmap_parse(const char *buf, size_t len, uint64_t kernel_offset,
				 struct sd_sysmap **ret)
{
	if (sd_sysmap_is_stub(buf, len))
		return sd_error_create(SD_ERROR_INPUT,
				       "System.map is Debian's placeholder (the real one is in "
				       "the linux-image-REL-dbg package)");
	if (len == 0)
		return sd_error_create(SD_ERROR_INPUT, "System.map is empty");
	if (len > SD_SYSMAP_MAX_BYTES)
		return sd_error_create(SD_ERROR_INPUT, "System.map is %zu bytes, more than %d", len,
				       SD_SYSMAP_MAX_BYTES);
	_cleanup_(destroy_p) struct sd_sysmap *map = calloc(1, sizeof(*map));
	if (!map)
		return &sd_enomem;
	/* Names and their NULs take at most the input's size. */
	map->pool = malloc(len + 1);
	if (!map->pool)
		return &sd_enomem;
	size_t pool_len = 0, cap = 0, lines = 0;
	uint64_t text = 0;
	bool have_text = false;
	for (size_t off = 0; off < len;) {
		const char *p = buf + off;
		const char *nl = memchr(p, '\n', len - off);
		size_t l = nl ? (size_t)(nl - p) : len - off;
		off += l + (nl ? 1 : 0);
		if (++lines > SD_SYSMAP_MAX_LINES)
			return sd_error_create(SD_ERROR_INPUT, "System.map has more than %d lines",
					       SD_SYSMAP_MAX_LINES);
		if (l && p[l - 1] == '\r')
			l--;
		if (l == 0)
			continue;
		uint64_t addr;
		char type;
		const char *name;
		size_t name_len;
		if (l > SD_SYSMAP_LINE_MAX || !parse_line(p, l, &addr, &type, &name, &name_len)) {
			if (++map->bad > SD_SYSMAP_MAX_BAD_LINES)
				return sd_error_create(SD_ERROR_INPUT,
						       "not a System.map (line %zu is not "
						       "\"ADDRESS TYPE NAME\")", lines);
			continue;
		}
		if (!sd_grow(&map->syms, &cap, map->n + 1, sizeof(*map->syms)))
			return &sd_enomem;
		struct sym *s = &map->syms[map->n++];
		s->addr = addr;
		s->type = type;
		s->line = (uint32_t)lines;
		s->name = (uint32_t)pool_len;
		memcpy(map->pool + pool_len, name, name_len);
		pool_len += name_len;
		map->pool[pool_len++] = '\0';
		if (!have_text && name_len == 5 && !memcmp(name, "_text", 5)) {
			text = addr;
			have_text = true;
		}
	}
	if (map->n == 0)
		return sd_error_create(SD_ERROR_INPUT, "System.map has no symbols");
	/*
	 * KASLR moves the kernel image, from _text on; absolute symbols and
	 * x86_64's per-cpu ones (linked from 0) stay where they are.
	 */
	for (size_t i = 0; i < map->n; i++) {
		struct sym *s = &map->syms[i];
		bool moves = have_text ? s->addr >= text : s->type != 'A' && s->type != 'a';
		if (moves)
			s->addr += kernel_offset;
	}
	qsort_r(map->syms, map->n, sizeof(*map->syms), cmp_sym, map->pool);
	*ret = take_ptr(map);
	return NULL;
}

/* The index of the first entry named name, or n. */
static size_t first(const struct sd_sysmap *map, const char *name)
{
	size_t lo = 0, hi = map->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(map->pool + map->syms[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < map->n && !strcmp(map->pool + map->syms[lo].name, name) ? lo : map->n;
}

bool sd_sysmap_lookup(const struct sd_sysmap *map, const char *name, uint64_t *ret)
{
	size_t i = first(map, name);
	if (i == map->n)
		return false;
	*ret = map->syms[i].addr;
	return true;
}

static struct sd_error *mismatch(const char *name, uint64_t got, uint64_t want)
{
	return sd_error_create(SD_ERROR_INPUT,
			       "System.map is not this kernel's: it puts %s at %#llx where "
			       "VMCOREINFO has %#llx (%s %#llx: another build, or a wrong "
			       "KERNELOFFSET)",
			       name, (unsigned long long)got, (unsigned long long)want,
			       got < want ? "short by" : "over by",
			       (unsigned long long)(got < want ? want - got : got - want));
}

struct sd_error *sd_sysmap_verify(const struct sd_sysmap *map, const struct sd_vmcoreinfo *vi,
				  unsigned min_matches, unsigned *ret_matches)
{
	if (!min_matches)
		min_matches = SD_SYSMAP_MIN_MATCHES;
	unsigned matches = 0;
	for (size_t k = 0; k < vi->n; k++) {
		const char *key = vi->keys[k];
		size_t l = strlen(key);
		char name[128];
		uint64_t want;
		if (l < 9 || strncmp(key, "SYMBOL(", 7) || key[l - 1] != ')' ||
		    l - 8 >= sizeof(name))
			continue;
		memcpy(name, key + 7, l - 8);
		name[l - 8] = '\0';
		if (!sd_vmcoreinfo_symbol(vi, name, &want))
			continue;
		size_t i = first(map, name);
		if (i == map->n)
			continue;
		bool found = false;
		for (size_t j = i; j < map->n && !strcmp(map->pool + map->syms[j].name, name); j++)
			found |= map->syms[j].addr == want;
		if (found)
			matches++;
		else if (!sd_kallsyms_vmcoreinfo_value_only(name))
			return mismatch(name, map->syms[i].addr, want);
	}
	if (matches < min_matches)
		return sd_error_create(SD_ERROR_INPUT,
				       "System.map cannot be verified: %u of VMCOREINFO's symbols "
				       "are in it, %u needed",
				       matches, min_matches);
	if (ret_matches)
		*ret_matches = matches;
	return NULL;
}

struct sd_error *sd_sysmap_load(const char *buf, size_t len, uint64_t kernel_offset,
				const struct sd_vmcoreinfo *vi, struct sd_sysmap **ret)
{
	struct sd_sysmap *map;
	struct sd_error *err = sd_sysmap_parse(buf, len, kernel_offset, &map);
	if (err)
		return err;
	if ((err = sd_sysmap_verify(map, vi, 0, NULL))) {
		sd_sysmap_destroy(map);
		return err;
	}
	*ret = map;
	return NULL;
}

size_t sd_sysmap_count(const struct sd_sysmap *map)
{
	return map->n;
}

size_t sd_sysmap_bad_lines(const struct sd_sysmap *map)
{
	return map->bad;
}

static bool ksyms_lookup(const void *arg, const char *name, uint64_t *ret)
{
	return sd_sysmap_lookup(arg, name, ret);
}

void sd_sysmap_ksyms(const struct sd_sysmap *map, struct sd_ksyms *ret)
{
	ret->lookup = ksyms_lookup;
	ret->arg = map;
	ret->source = "System.map";
}

void sd_sysmap_destroy(struct sd_sysmap *map)
{
	if (!map)
		return;
	free(map->pool);
	free(map->syms);
	free(map);
}
