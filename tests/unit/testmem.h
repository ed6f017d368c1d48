/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fake dump memory for unit tests: one buffer at a base address. */
#ifndef SAVEDUMP_TESTMEM_H
#define SAVEDUMP_TESTMEM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct mem {
	uint64_t base;
	uint8_t *bytes;
	size_t len;
};

/* A read callback (struct sd_kmem, link_map walker): what lies in the buffer. */
static inline size_t mem_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct mem *m = arg;
	if (addr < m->base || addr - m->base >= m->len)
		return 0;
	size_t off = (size_t)(addr - m->base);
	size_t n = len < m->len - off ? len : m->len - off;
	memcpy(buf, m->bytes + off, n);
	return n;
}

#endif
