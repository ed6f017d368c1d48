// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "sysmap.h"
#include "util.h"

/* In file order, which is address order. */
struct sym {
	uint64_t addr;
	uint32_t name;	/* offset in the pool */
	uint32_t hash;	/* of the name (HASH bits); ABSOLUTE: type 'A' or 'a' */
};

enum { ABSOLUTE = 1u << 31, HASH = ABSOLUTE - 1 };

/*
 * Looked up by a hash table of open addressing (slots hold index + 1):
 * entries of one name lie along its probe sequence in file order, so the
 * first found is the first in address order. No sorting: a map of 170k
 * symbols is read in a few tens of milliseconds.
 */
struct sd_sysmap {
	char *pool;
	struct sym *syms;
	size_t n, bad;
	uint32_t *slots;
	size_t mask;
};

static uint32_t hash_name(const char *p, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)p[i]) * 16777619u;
	return h & HASH;
}

/* The next entry named name (hash h) from *slot on, or NULL. */
static const struct sym *next_named(const struct sd_sysmap *map, const char *name, uint32_t h,
				    size_t *slot)
{
	for (; map->slots[*slot]; *slot = (*slot + 1) & map->mask) {
		const struct sym *s = &map->syms[map->slots[*slot] - 1];
		if ((s->hash & HASH) == h && !strcmp(map->pool + s->name, name)) {
			*slot = (*slot + 1) & map->mask;
			return s;
		}
	}
	return NULL;
}

static const struct sym *first_named(const struct sd_sysmap *map, const char *name,
				     uint32_t *ret_h, size_t *ret_slot)
{
	*ret_h = hash_name(name, strlen(name));
	*ret_slot = *ret_h & map->mask;
	return next_named(map, name, *ret_h, ret_slot);
}

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

/* "ADDRESS TYPE NAME": 1-16 hex digits, a type letter, a name without blanks. */
static bool parse_line(const char *p, size_t len, uint64_t *addr, char *type, const char **name,
		       size_t *name_len)
{
	size_t i = 0;
	uint64_t a = 0;
	for (; i < len && i < 17 && sd_hexval(p[i]) >= 0; i++)
		a = a << 4 | (uint64_t)sd_hexval(p[i]);
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
	size_t most = 1;	/* lines, at most */
	for (const char *p = buf; (p = memchr(p, '\n', len - (size_t)(p - buf))); p++)
		most++;
	if (most > SD_SYSMAP_MAX_LINES)
		return sd_error_create(SD_ERROR_INPUT, "System.map has more than %d lines",
				       SD_SYSMAP_MAX_LINES);
	_cleanup_(destroy_p) struct sd_sysmap *map = calloc(1, sizeof(*map));
	if (!map)
		return &sd_enomem;
	/* Names and their NULs take at most the input's size; shrunk below. */
	map->pool = malloc(len + 1);
	map->syms = malloc(sizeof(*map->syms) * most);
	if (!map->pool || !map->syms)
		return &sd_enomem;
	size_t pool_len = 0, lines = 0;
	uint64_t text = 0;
	bool have_text = false;
	for (size_t off = 0; off < len;) {
		const char *p = buf + off;
		const char *nl = memchr(p, '\n', len - off);
		size_t l = nl ? (size_t)(nl - p) : len - off;
		off += l + (nl ? 1 : 0);
		lines++;
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
		struct sym *s = &map->syms[map->n++];
		s->addr = addr;
		s->hash = hash_name(name, name_len) | (type == 'A' || type == 'a' ? ABSOLUTE : 0);
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
		bool moves = have_text ? s->addr >= text : !(s->hash & ABSOLUTE);
		if (moves)
			s->addr += kernel_offset;
	}
	char *pool = realloc(map->pool, pool_len);
	if (pool)
		map->pool = pool;
	size_t size = 16;
	while (size < 2 * map->n)
		size *= 2;
	map->slots = calloc(size, sizeof(*map->slots));
	if (!map->slots)
		return &sd_enomem;
	map->mask = size - 1;
	for (size_t i = 0; i < map->n; i++) {
		size_t slot = map->syms[i].hash & HASH & map->mask;
		while (map->slots[slot])
			slot = (slot + 1) & map->mask;
		map->slots[slot] = (uint32_t)i + 1;
	}
	*ret = take_ptr(map);
	return NULL;
}

bool sd_sysmap_lookup(const struct sd_sysmap *map, const char *name, uint64_t *ret)
{
	uint32_t h;
	size_t slot;
	const struct sym *s = first_named(map, name, &h, &slot);
	if (!s)
		return false;
	*ret = s->addr;
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
	char name[SD_KALLSYMS_VMCOREINFO_NAME_MAX];
	uint64_t want;
	for (size_t pos = 0; sd_kallsyms_vmcoreinfo_next_symbol(vi, &pos, name, &want);) {
		uint32_t h;
		size_t slot;
		const struct sym *first = first_named(map, name, &h, &slot);
		bool found = first && first->addr == want;
		for (const struct sym *e = first; e && !found;)
			found = (e = next_named(map, name, h, &slot)) && e->addr == want;
		if (found)
			matches++;
		else if (first && !sd_kallsyms_vmcoreinfo_value_only(name))
			return mismatch(name, first->addr, want);
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
	free(map->slots);
	free(map);
}
