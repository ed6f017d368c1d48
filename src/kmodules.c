// SPDX-License-Identifier: GPL-2.0-or-later
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "kmodules.h"
#include "util.h"

/* enum module_state (include/linux/module.h): skip modules still being set up. */
enum { MODULE_STATE_UNFORMED = 3 };
/* Cap on notes per module and on one note section we read. */
enum { MAX_NOTES = 64, MAX_NOTE_BYTES = 4096 };

struct layout {
	uint64_t list, name, name_size, state;
	/* core image: mem[0] (>= 6.4) or core_layout (< 6.4) or module_core (< 4.5) */
	uint64_t base, size, size_size;
	bool has_state, has_base;
	/* notes */
	bool has_notes;
	uint64_t notes_attrs, notes_count, attrs, bin_attr_size, attr_name, attr_private,
		attr_size, attr_size_size;
};

static bool m(const struct sd_ktypes *t, const char *type, const char *path, uint64_t *off,
	      uint64_t *size)
{
	uint64_t s;
	return t->member(t->arg, type, path, off, size ? size : &s);
}

static struct sd_error *get_layout(const struct sd_ktypes *t, struct layout *l)
{
	memset(l, 0, sizeof(*l));
	if (!m(t, "module", "list", &l->list, NULL) ||
	    !m(t, "module", "name", &l->name, &l->name_size))
		return sd_error_create(SD_ERROR_INPUT,
				       "struct module has no list/name in the kernel's %s", t->source);
	uint64_t s;
	l->has_state = m(t, "module", "state", &l->state, &s) && s == 4;
	uint64_t off;
	/* mem[MOD_TEXT], the first: Linux commit ac3b43283923 ("module: replace module_layout with module_memory") (v6.4) */
	if (m(t, "module", "mem", &off, NULL) && m(t, "module_memory", "base", &l->base, NULL) &&
	    m(t, "module_memory", "size", &l->size, &l->size_size)) {
		l->base += off;
		l->size += off;
		l->has_base = true;
	} else if (m(t, "module", "core_layout.base", &l->base, NULL) &&
		   m(t, "module", "core_layout.size", &l->size, &l->size_size)) {
		l->has_base = true;
	} else if (m(t, "module", "module_core", &l->base, NULL) &&
		   m(t, "module", "core_size", &l->size, &l->size_size)) {
		l->has_base = true;
	}
	if (m(t, "module", "notes_attrs", &l->notes_attrs, NULL) &&
	    m(t, "module_notes_attrs", "notes", &l->notes_count, NULL) &&
	    m(t, "module_notes_attrs", "attrs", &l->attrs, NULL) &&
	    t->size(t->arg, "bin_attribute", &l->bin_attr_size) &&
	    m(t, "bin_attribute", "attr.name", &l->attr_name, NULL) &&
	    m(t, "bin_attribute", "private", &l->attr_private, NULL) &&
	    m(t, "bin_attribute", "size", &l->attr_size, &l->attr_size_size))
		l->has_notes = l->bin_attr_size > 0 && l->attr_size_size <= 8;
	return NULL;
}

bool sd_notes_build_id(const uint8_t *buf, size_t len, bool big_endian, struct sd_build_id *ret)
{
	size_t off = 0;
	while (off + 12 <= len) {
		uint32_t w[3];
		for (int i = 0; i < 3; i++) {
			const uint8_t *p = buf + off + 4 * i;
			w[i] = big_endian ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
						    (uint32_t)p[2] << 8 | p[3]
					  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
						    (uint32_t)p[1] << 8 | p[0];
		}
		uint64_t namesz = w[0], descsz = w[1];
		uint64_t name_off = off + 12;
		uint64_t desc_off = name_off + ((namesz + 3) & ~(uint64_t)3);
		uint64_t next = desc_off + ((descsz + 3) & ~(uint64_t)3);
		if (desc_off > len || descsz > len - desc_off)
			return false;
		if (w[2] == NT_GNU_BUILD_ID && namesz == 4 && memcmp(buf + name_off, "GNU", 4) == 0 &&
		    descsz > 0 && descsz <= SD_BUILD_ID_MAX) {
			memcpy(ret->bytes, buf + desc_off, descsz);
			ret->len = descsz;
			return true;
		}
		off = (size_t)next;
	}
	return false;
}

static void module_build_id(const struct sd_kmem *mem, const struct layout *l, uint64_t mod,
			    struct sd_kmodule *out)
{
	uint64_t na, count;
	if (!l->has_notes || !sd_kmem_read_ptr(mem, mod + l->notes_attrs, &na) || !na)
		return;
	if (!sd_kmem_read_uint(mem, na + l->notes_count, 4, &count))
		return;
	if (count > MAX_NOTES)
		count = MAX_NOTES;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t attr = na + l->attrs + i * l->bin_attr_size;
		uint64_t name_ptr, priv, size;
		char name[32] = "";
		if (!sd_kmem_read_ptr(mem, attr + l->attr_name, &name_ptr) ||
		    !sd_kmem_read_ptr(mem, attr + l->attr_private, &priv) ||
		    !sd_kmem_read_uint(mem, attr + l->attr_size, (unsigned)l->attr_size_size, &size))
			return;
		mem->read(mem->arg, name_ptr, name, sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		if (strcmp(name, ".note.gnu.build-id") != 0)
			continue;
		uint8_t buf[MAX_NOTE_BYTES];
		size_t n = size < sizeof(buf) ? (size_t)size : sizeof(buf);
		n = mem->read(mem->arg, priv, buf, n);
		sd_notes_build_id(buf, n, mem->big_endian, &out->build_id);
		return;
	}
}

struct sd_error *sd_kmodules_walk(const struct sd_kmem *mem, const struct sd_ktypes *types,
				  uint64_t modules_addr, struct sd_kmodule **ret, size_t *ret_n)
{
	struct layout l;
	struct sd_error *err = get_layout(types, &l);
	if (err)
		return err;
	struct sd_kmodule *v = NULL;
	size_t n = 0, cap = 0;
	uint64_t node;
	if (!sd_kmem_read_ptr(mem, modules_addr, &node))
		return sd_error_create(SD_ERROR_INPUT, "the modules list head (%#llx) is not in the dump",
				       (unsigned long long)modules_addr);
	size_t steps = 0;
	while (node != modules_addr) {
		if (++steps > SD_KMODULES_MAX) {
			free(v);
			return sd_error_create(SD_ERROR_INPUT,
					       "the modules list does not end after %d entries",
					       SD_KMODULES_MAX);
		}
		uint64_t mod = node - l.list;
		uint64_t next;
		if (!node || !sd_kmem_read_ptr(mem, node, &next)) {
			free(v);
			return sd_error_create(SD_ERROR_INPUT,
					       "the modules list is broken at %#llx (after %zu modules)",
					       (unsigned long long)node, n);
		}
		uint64_t state = 0;
		if (l.has_state && sd_kmem_read_uint(mem, mod + l.state, 4, &state) &&
		    state == MODULE_STATE_UNFORMED) {
			node = next;
			continue;
		}
		if (!sd_grow(&v, &cap, n + 1, sizeof(*v))) {
			free(v);
			return &sd_enomem;
		}
		struct sd_kmodule *km = &v[n];
		memset(km, 0, sizeof(*km));
		size_t nlen = l.name_size < sizeof(km->name) ? (size_t)l.name_size
							    : sizeof(km->name) - 1;
		if (!sd_kmem_read(mem, mod + l.name, km->name, nlen)) {
			free(v);
			return sd_error_create(SD_ERROR_INPUT, "module at %#llx: name unreadable",
					       (unsigned long long)mod);
		}
		km->name[nlen < sizeof(km->name) ? nlen : sizeof(km->name) - 1] = '\0';
		km->name[strnlen(km->name, sizeof(km->name) - 1)] = '\0';
		/* A name must be a C identifier-ish string; anything else is garbage memory. */
		bool sane = km->name[0] != '\0';
		for (const char *p = km->name; *p && sane; p++)
			sane = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			       (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';
		if (!sane) {
			free(v);
			return sd_error_create(SD_ERROR_INPUT,
					       "module at %#llx has an implausible name", (unsigned long long)mod);
		}
		if (l.has_base) {
			sd_kmem_read_ptr(mem, mod + l.base, &km->base);
			sd_kmem_read_uint(mem, mod + l.size, (unsigned)l.size_size, &km->size);
		}
		module_build_id(mem, &l, mod, km);
		n++;
		node = next;
	}
	*ret = v;
	*ret_n = n;
	return NULL;
}
