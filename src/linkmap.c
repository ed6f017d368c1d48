// SPDX-License-Identifier: GPL-2.0-or-later
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "linkmap.h"
#include "util.h"

static bool read_word(sd_mem_read_fn *read, void *arg, struct sd_note_layout l, uint64_t addr,
		      uint64_t *ret)
{
	uint8_t buf[8];
	size_t w = l.is64 ? 8 : 4;
	if (read(arg, addr, buf, w) != w)
		return false;
	*ret = sd_note_word(buf, l);
	return true;
}

static char *read_string(sd_mem_read_fn *read, void *arg, uint64_t addr)
{
	char *s = malloc(SD_PATH_MAX);
	if (!s)
		return NULL;
	size_t n = 0;
	while (n < SD_PATH_MAX - 1) {
		/* Small chunks: a name may end just before an unreadable page. */
		size_t chunk = SD_PATH_MAX - 1 - n < 64 ? SD_PATH_MAX - 1 - n : 64;
		size_t got = read(arg, addr + n, s + n, chunk);
		void *nul = memchr(s + n, '\0', got);
		if (nul)
			return s;
		n += got;
		if (got < chunk)
			break;
	}
	s[n] = '\0';
	return s;
}

struct sd_error *sd_link_map_walk(sd_mem_read_fn *read, void *arg, struct sd_note_layout l,
				  uint64_t at_phdr, uint64_t at_phnum,
				  struct sd_link_map_entry **ret, size_t *ret_n)
{
	size_t w = l.is64 ? 8 : 4;
	size_t phent = l.is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	if (at_phnum == 0 || at_phnum > SD_LINK_MAP_MAX_PHDRS)
		return sd_error_create(SD_ERROR_INPUT, "AT_PHNUM %llu out of range",
				       (unsigned long long)at_phnum);

	/* The executable's program headers: PT_PHDR gives the load bias, PT_DYNAMIC the rest. */
	uint64_t phdr_vaddr = 0, dyn_vaddr = 0, dyn_size = 0;
	bool have_phdr = false, have_dyn = false;
	for (uint64_t i = 0; i < at_phnum; i++) {
		uint8_t ph[sizeof(Elf64_Phdr)];
		if (read(arg, at_phdr + i * phent, ph, phent) != phent)
			return sd_error_create(SD_ERROR_INPUT,
					       "the executable's program headers are not in the core");
		uint32_t type = sd_note_u32(ph, l.big_endian);
		/* p_vaddr: offset 16 (64-bit) or 8 (32-bit); p_memsz: 40 or 20. */
		uint64_t vaddr = sd_note_word(ph + (l.is64 ? 16 : 8), l);
		uint64_t memsz = sd_note_word(ph + (l.is64 ? 40 : 20), l);
		if (type == PT_PHDR) {
			phdr_vaddr = vaddr;
			have_phdr = true;
		} else if (type == PT_DYNAMIC) {
			dyn_vaddr = vaddr;
			dyn_size = memsz;
			have_dyn = true;
		}
	}
	if (!have_dyn)
		return sd_error_create(SD_ERROR_INPUT, "statically linked: no dynamic section");
	uint64_t bias = have_phdr ? at_phdr - phdr_vaddr : 0;

	uint64_t r_debug = 0;
	uint64_t n_dyn = dyn_size / (2 * w);
	if (n_dyn > SD_LINK_MAP_MAX_DYN)
		n_dyn = SD_LINK_MAP_MAX_DYN;
	for (uint64_t i = 0; i < n_dyn; i++) {
		uint64_t tag, val;
		uint64_t addr = bias + dyn_vaddr + i * 2 * w;
		if (!read_word(read, arg, l, addr, &tag) || !read_word(read, arg, l, addr + w, &val))
			break;
		if (tag == DT_NULL)
			break;
		if (tag == DT_DEBUG) {
			r_debug = val;
			break;
		}
	}
	if (!r_debug)
		return sd_error_create(SD_ERROR_INPUT, "no r_debug (DT_DEBUG) in the core");

	/* struct r_debug { int r_version; struct link_map *r_map; ... }: r_map is word 1. */
	uint64_t lm;
	if (!read_word(read, arg, l, r_debug + w, &lm))
		return sd_error_create(SD_ERROR_INPUT, "r_debug is not in the core");

	struct sd_link_map_entry *v = NULL;
	size_t n = 0, cap = 0;
	while (lm && n < SD_LINK_MAP_MAX) {
		/* struct link_map { l_addr, l_name, l_ld, l_next, l_prev } */
		uint64_t f[4];
		bool ok = true;
		for (int i = 0; i < 4 && ok; i++)
			ok = read_word(read, arg, l, lm + (uint64_t)i * w, &f[i]);
		if (!ok)
			break;
		/* A loop in a damaged list: stop at the first repeated l_ld. */
		bool seen = false;
		for (size_t i = 0; i < n && !seen; i++)
			seen = v[i].l_ld == f[2] && v[i].l_addr == f[0];
		if (seen)
			break;
		if (!sd_grow(&v, &cap, n + 1, sizeof(*v))) {
			sd_link_map_free(v, n);
			return &sd_enomem;
		}
		v[n].l_addr = f[0];
		v[n].l_ld = f[2];
		v[n].name = f[1] ? read_string(read, arg, f[1]) : strdup("");
		if (!v[n].name) {
			sd_link_map_free(v, n);
			return &sd_enomem;
		}
		n++;
		lm = f[3];
	}
	*ret = v;
	*ret_n = n;
	return NULL;
}

void sd_link_map_free(struct sd_link_map_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}
