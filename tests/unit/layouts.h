/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Synthetic kernel memory, laid out as Linux lays it out: the kallsyms
 * tables, the printk ringbuffer and log_buf, the module list. The unit tests
 * (test-kernel.c) run the decoders on them and on corrupt variants of them;
 * the fuzz targets (tests/fuzz/) start from them as seeds.
 */
#ifndef SAVEDUMP_LAYOUTS_H
#define SAVEDUMP_LAYOUTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testmem.h"

static inline void put(struct mem *m, uint64_t addr, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		m->bytes[addr - m->base + i] = (uint8_t)(v >> (8 * i));
}

/* --- kallsyms --------------------------------------------------------------------------------- */

enum {
	KS_BASE = 0x10000,	/* where the tables live (a kernel address in real life) */
	KS_NUM = KS_BASE, KS_TOKTAB = KS_BASE + 0x100, KS_TOKIDX = KS_BASE + 0x1000,
	KS_OFFSETS = KS_BASE + 0x1400, KS_RELBASE = KS_BASE + 0x1800, KS_NAMES = KS_BASE + 0x2000,
	KS_END = KS_BASE + 0x4000,
};
static __attribute__((unused)) const uint64_t relbase = 0xffffffff81000000;

/* Tokens: printable ASCII stands for itself; 0x80.. are multi-character tokens. */
static __attribute__((unused)) const char *const multi[] = { "modu", "les", "__start_", "__stop_" };

static inline size_t encode(uint8_t *out, const char *sym)
{
	uint8_t tok[1024];
	size_t n = 0;
	for (const char *p = sym; *p;) {
		size_t k;
		for (k = 0; k < 4; k++)
			if (!strncmp(p, multi[k], strlen(multi[k])))
				break;
		if (k < 4) {
			tok[n++] = (uint8_t)(0x80 + k);
			p += strlen(multi[k]);
		} else {
			tok[n++] = (uint8_t)*p++;
		}
	}
	size_t o = 0;
	if (n >= 0x80) {	/* "big" symbol: two length bytes */
		out[o++] = (uint8_t)(0x80 | (n & 0x7f));
		out[o++] = (uint8_t)(n >> 7);
	} else {
		out[o++] = (uint8_t)n;
	}
	memcpy(out + o, tok, n);
	return o + n;
}

static __attribute__((unused)) char big_name[301];
static __attribute__((unused)) const char *syms[] = {
	"T_text", "Dmodules", "R__start_BTF", "R__stop_BTF", "dpercpu_x", big_name
};
static __attribute__((unused)) const int32_t offsets[] = {
	-1, -(0x2000 + 1), -(0x3000 + 1), -(0x4000 + 1), 0x1c0, -(0x5000 + 1)
};
enum { NSYMS = 6 };

static inline struct mem kallsyms_mem(bool absolute_percpu)
{
	memset(big_name, 'a', sizeof(big_name) - 1);
	big_name[0] = 't';
	struct mem m = { .base = KS_BASE, .len = KS_END - KS_BASE };
	m.bytes = calloc(1, m.len);
	put(&m, KS_NUM, NSYMS, 4);
	size_t t = 0;
	for (int i = 0; i < 256; i++) {
		put(&m, KS_TOKIDX + 2 * (uint64_t)i, t, 2);
		const char *s = i >= 0x80 && i < 0x84 ? multi[i - 0x80] : NULL;
		char one[2] = { (char)(i >= 0x21 && i < 0x7f ? i : '?'), 0 };
		if (!s)
			s = one;
		strcpy((char *)m.bytes + (KS_TOKTAB - KS_BASE) + t, s);
		t += strlen(s) + 1;
	}
	size_t o = 0;
	for (int i = 0; i < NSYMS; i++) {
		o += encode(m.bytes + (KS_NAMES - KS_BASE) + o, syms[i]);
		int32_t off = offsets[i];
		if (!absolute_percpu)	/* plain relative: the same addresses as unsigned offsets */
			off = i == 4 ? 0x1c0 : -off - 1;
		put(&m, KS_OFFSETS + 4 * (uint64_t)i, (uint32_t)off, 4);
	}
	put(&m, KS_RELBASE, relbase, 8);
	/* What follows the names is not names; it must not matter. */
	memset(m.bytes + (KS_NAMES - KS_BASE) + o, 5, KS_END - KS_NAMES - o);
	return m;
}

static __attribute__((unused)) const char ks_vmcoreinfo[] =
	"OSRELEASE=6.1.0\n"
	"SYMBOL(kallsyms_num_syms)=10000\n"
	"SYMBOL(kallsyms_token_table)=10100\n"
	"SYMBOL(kallsyms_token_index)=11000\n"
	"SYMBOL(kallsyms_offsets)=11400\n"
	"SYMBOL(kallsyms_relative_base)=11800\n"
	"SYMBOL(kallsyms_names)=12000\n";

/* --- printk ----------------------------------------------------------------------------------- */

enum {
	P_BASE = 0x100000, P_PRBPTR = P_BASE, P_PRB = P_BASE + 0x100, P_DESCS = P_BASE + 0x200,
	P_INFOS = P_BASE + 0x400, P_DATA = P_BASE + 0x800, P_END = P_BASE + 0x1000,
};

static __attribute__((unused)) const char prb_vmcoreinfo[] =
	"SYMBOL(prb)=100000\n"
	"OFFSET(printk_ringbuffer.desc_ring)=0\n"
	"OFFSET(printk_ringbuffer.text_data_ring)=48\n"
	"OFFSET(printk_ringbuffer.fail)=80\n"
	"OFFSET(prb_desc_ring.count_bits)=0\n"
	"OFFSET(prb_desc_ring.descs)=8\n"
	"OFFSET(prb_desc_ring.infos)=16\n"
	"OFFSET(prb_desc_ring.head_id)=24\n"
	"OFFSET(prb_desc_ring.tail_id)=32\n"
	"SIZE(prb_desc)=24\n"
	"OFFSET(prb_desc.state_var)=0\n"
	"OFFSET(prb_desc.text_blk_lpos)=8\n"
	"OFFSET(prb_data_blk_lpos.begin)=0\n"
	"OFFSET(prb_data_blk_lpos.next)=8\n"
	"SIZE(printk_info)=88\n"
	"OFFSET(printk_info.seq)=0\n"
	"OFFSET(printk_info.ts_nsec)=8\n"
	"OFFSET(printk_info.text_len)=16\n"
	"OFFSET(prb_data_ring.size_bits)=0\n"
	"OFFSET(prb_data_ring.data)=8\n"
	"OFFSET(atomic_long_t.counter)=0\n";

static inline void put_record(struct mem *m, uint64_t id, uint64_t begin, uint64_t next,
			      uint64_t ts, const char *text, uint64_t text_at)
{
	uint64_t d = P_DESCS + (id % 4) * 24, i = P_INFOS + (id % 4) * 88;
	put(m, d, (2ull << 62) | id, 8);	/* finalized */
	put(m, d + 8, begin, 8);
	put(m, d + 16, next, 8);
	put(m, i + 8, ts, 8);
	put(m, i + 16, strlen(text), 2);
	put(m, P_DATA + text_at, id, 8);
	memcpy(m->bytes + (P_DATA - P_BASE) + text_at + 8, text, strlen(text));
}

static inline struct mem prb_mem(void)
{
	struct mem m = { .base = P_BASE, .len = P_END - P_BASE };
	m.bytes = calloc(1, m.len);
	put(&m, P_PRBPTR, P_PRB, 8);
	put(&m, P_PRB + 0, 2, 4);	/* count_bits: 4 descriptors */
	put(&m, P_PRB + 8, P_DESCS, 8);
	put(&m, P_PRB + 16, P_INFOS, 8);
	put(&m, P_PRB + 24, 6, 8);	/* head_id */
	put(&m, P_PRB + 32, 4, 8);	/* tail_id */
	put(&m, P_PRB + 48, 6, 4);	/* size_bits: 64 bytes of text */
	put(&m, P_PRB + 56, P_DATA, 8);
	/* lpos = wraps * 64 + index; the third block wraps to the start of the ring */
	put_record(&m, 4, 64 + 16, 64 + 32, 1000000000, "hello", 16);
	put_record(&m, 5, 64 + 32, 64 + 48, 2500000000, "world!", 32);
	put_record(&m, 6, 64 + 48, 128 + 16, 3000001000, "wrapped", 0);
	return m;
}

/* Legacy log_buf (< 5.10): two struct printk_log records, the first after a wrap marker. */
static __attribute__((unused)) const char log_buf_vmcoreinfo[] =
	"SYMBOL(log_buf)=100000\nSYMBOL(log_buf_len)=100008\n"
	"SYMBOL(log_first_idx)=100010\nSYMBOL(log_next_idx)=100014\n"
	"SIZE(printk_log)=16\nOFFSET(printk_log.ts_nsec)=0\n"
	"OFFSET(printk_log.len)=8\nOFFSET(printk_log.text_len)=10\n";
enum { LB_BUF = P_BASE + 0x100 };

static inline struct mem log_buf_mem(void)
{
	struct mem m = { .base = P_BASE, .len = P_END - P_BASE };
	m.bytes = calloc(1, m.len);
	put(&m, P_BASE, LB_BUF, 8);
	put(&m, P_BASE + 8, 128, 4);
	put(&m, P_BASE + 0x10, 48, 4);
	put(&m, P_BASE + 0x14, 24, 4);
	put(&m, LB_BUF + 48, 7000, 8);
	put(&m, LB_BUF + 48 + 8, 24, 2);
	put(&m, LB_BUF + 48 + 10, 3, 2);
	memcpy(m.bytes + 0x100 + 48 + 16, "abc", 3);
	put(&m, LB_BUF + 72 + 8, 0, 2);	/* wrap */
	put(&m, LB_BUF + 0, 1000000, 8);
	put(&m, LB_BUF + 8, 24, 2);
	put(&m, LB_BUF + 10, 5, 2);
	memcpy(m.bytes + 0x100 + 16, "hello", 5);
	return m;
}

/* --- the module list -------------------------------------------------------------------------- */

/* A struct layout table standing in for BTF or DWARF. */
struct field {
	const char *type, *path;
	uint64_t off, size;
};

/* struct module: list @8, name[56] @24, state @0, mem[] @80 (>= 6.4) or core_layout @80. */
static __attribute__((unused)) const struct field new_layout[] = {
	{ "module", "list", 8, 16 }, { "module", "name", 24, 56 }, { "module", "state", 0, 4 },
	{ "module", "mem", 80, 7 * 32 }, { "module_memory", "base", 0, 8 },
	{ "module_memory", "size", 8, 4 }, { "module", "notes_attrs", 400, 8 },
	{ "module_notes_attrs", "notes", 0, 4 }, { "module_notes_attrs", "attrs", 8, 0 },
	{ "bin_attribute", "", 0, 48 }, { "bin_attribute", "attr.name", 0, 8 },
	{ "bin_attribute", "private", 24, 8 }, { "bin_attribute", "size", 16, 8 },
	{ NULL, NULL, 0, 0 },
};
static __attribute__((unused)) const struct field old_layout[] = {
	{ "module", "list", 8, 16 }, { "module", "name", 24, 56 },
	{ "module", "core_layout.base", 80, 8 }, { "module", "core_layout.size", 88, 4 },
	{ NULL, NULL, 0, 0 },
};

enum { M_BASE = 0x200000, M_HEAD = M_BASE, M_MODS = M_BASE + 0x100, M_STRIDE = 0x400,
       M_NOTES = M_BASE + 0x2000, M_END = M_BASE + 0x3000 };

static inline struct mem modules_mem(int n, const char *const *names)
{
	struct mem m = { .base = M_BASE, .len = M_END - M_BASE };
	m.bytes = calloc(1, m.len);
	uint64_t prev = M_HEAD;
	for (int i = 0; i < n; i++) {
		uint64_t mod = M_MODS + (uint64_t)i * M_STRIDE;
		put(&m, prev, mod + 8, 8);	/* prev->next = &mod->list */
		strcpy((char *)m.bytes + (mod + 24 - M_BASE), names[i]);
		put(&m, mod + 80, 0xffffffffc0000000 + (uint64_t)i * 0x10000, 8);
		put(&m, mod + 88, 0x4000, 4);
		prev = mod + 8;
	}
	put(&m, prev, M_HEAD, 8);	/* back to the head */
	return m;
}

/* Notes for the first module (new_layout): one attribute, a GNU build-id note 01..08. */
static inline void module_notes(struct mem *m)
{
	uint64_t mod = M_MODS, na = M_NOTES;
	put(m, mod + 400, na, 8);
	put(m, na, 1, 4);
	put(m, na + 8 + 0, na + 0x200, 8);	/* attr.name */
	put(m, na + 8 + 16, 24, 8);		/* size */
	put(m, na + 8 + 24, na + 0x300, 8);	/* private: the note */
	strcpy((char *)m->bytes + (na + 0x200 - M_BASE), ".note.gnu.build-id");
	uint8_t note[24] = { 4, 0, 0, 0, 8, 0, 0, 0, 3, 0, 0, 0, 'G', 'N', 'U', 0,
			     1, 2, 3, 4, 5, 6, 7, 8 };
	memcpy(m->bytes + (na + 0x300 - M_BASE), note, sizeof(note));
}

#endif
