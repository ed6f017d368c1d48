/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a kernel dump's memory by kernel virtual address. kdump.c
 * provides one over libkdumpfile; tests provide their own over a buffer.
 * The decoders built on it (kallsyms, printk, module list) take nothing
 * else, so they can be unit-tested and fuzzed without a dump.
 */
#ifndef SAVEDUMP_KMEM_H
#define SAVEDUMP_KMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sd_kmem {
	/* Read up to len bytes at addr; returns how many were read (0: not in the dump). */
	size_t (*read)(void *arg, uint64_t addr, void *buf, size_t len);
	void *arg;
	bool big_endian;
	unsigned ptr_size;	/* 4 or 8 */
};

/* Read exactly len bytes; false if any is missing. */
static inline bool sd_kmem_read(const struct sd_kmem *m, uint64_t addr, void *buf, size_t len)
{
	return m->read(m->arg, addr, buf, len) == len;
}

/* Integers of the dump's byte order. */
static inline uint64_t sd_kmem_uint(const struct sd_kmem *m, const uint8_t *p, unsigned size)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)p[m->big_endian ? size - 1 - i : i] << (8 * i);
	return v;
}

static inline bool sd_kmem_read_uint(const struct sd_kmem *m, uint64_t addr, unsigned size,
				     uint64_t *ret)
{
	uint8_t buf[8];
	if (size > 8 || !sd_kmem_read(m, addr, buf, size))
		return false;
	*ret = sd_kmem_uint(m, buf, size);
	return true;
}

static inline bool sd_kmem_read_ptr(const struct sd_kmem *m, uint64_t addr, uint64_t *ret)
{
	return sd_kmem_read_uint(m, addr, m->ptr_size, ret);
}

#endif
