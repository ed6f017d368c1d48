/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Walk the dynamic loader's list of loaded objects (struct r_debug /
 * struct link_map, <link.h>) in a core's memory, to learn the name the
 * loader knows each object by. libdwfl finds the same objects but only
 * reports base names. Every read goes through a callback that returns how
 * many bytes it could read, and every loop is capped, so a damaged core
 * gives a short list, never a hang or an out-of-bounds read.
 */
#ifndef SAVEDUMP_LINKMAP_H
#define SAVEDUMP_LINKMAP_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "notes.h"

typedef size_t sd_mem_read_fn(void *arg, uint64_t addr, void *buf, size_t len);

struct sd_link_map_entry {
	uint64_t l_addr;	/* load bias */
	uint64_t l_ld;		/* address of the object's dynamic section */
	char *name;		/* l_name: "" for the executable */
};

enum {
	SD_LINK_MAP_MAX = 8192,
	SD_LINK_MAP_MAX_PHDRS = 4096,
	SD_LINK_MAP_MAX_DYN = 8192,
};

/* at_phdr/at_phnum: AT_PHDR and AT_PHNUM from the core's auxv. */
struct sd_error *sd_link_map_walk(sd_mem_read_fn *read, void *arg, struct sd_note_layout layout,
				  uint64_t at_phdr, uint64_t at_phnum,
				  struct sd_link_map_entry **ret, size_t *ret_n);
void sd_link_map_free(struct sd_link_map_entry *v, size_t n);

#endif
