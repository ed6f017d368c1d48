// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kallsyms search (sd_kallsyms_scan) on synthetic kernel images: tables
 * laid out as each accepted kernel lays them out (scripts/kallsyms.c of
 * v4.19, v5.10, v6.1, v6.2, v6.4, v6.15, v7.0; 64-bit, 32-bit, big-endian)
 * amid noise, then corrupt variants that must all give a clean "not found";
 * and System.map parsing and verification. Run under ASan+UBSan in CI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "kallsyms.h"
#include "sysmap.h"
#include "tap.h"
#include "vmcoreinfo.h"

/* --- A kernel image in memory ------------------------------------------------------------ */

struct img {
	uint64_t base;
	uint8_t *b;
	size_t len;
	bool be;
	uint64_t hole_lo, hole_hi;	/* a range the "dump" does not have */
};

static size_t img_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	const struct img *m = arg;
	if (addr < m->base || addr - m->base >= m->len)
		return 0;
	if (addr >= m->hole_lo && addr < m->hole_hi)
		return 0;
	size_t off = (size_t)(addr - m->base);
	size_t n = len < m->len - off ? len : m->len - off;
	if (addr < m->hole_lo && addr + n > m->hole_lo)
		n = (size_t)(m->hole_lo - addr);
	memcpy(buf, m->b + off, n);
	return n;
}

static void put(struct img *m, uint64_t addr, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		m->b[addr - m->base + (m->be ? size - 1 - i : i)] = (uint8_t)(v >> (8 * i));
}

static uint64_t get(const struct img *m, uint64_t addr, unsigned size)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)m->b[addr - m->base + (m->be ? size - 1 - i : i)] << (8 * i);
	return v;
}

static uint64_t rng = 88172645463325252ull;

static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Noise like .text and .rodata: random bytes, runs of zeros, a few strings. */
static void noise(struct img *m)
{
	for (size_t i = 0; i < m->len; i += 8) {
		uint64_t v = xorshift();
		if ((v & 0xf00) == 0)
			v = 0;
		memcpy(m->b + i, &v, m->len - i < 8 ? m->len - i : 8);
	}
}

/* --- The symbols --------------------------------------------------------------------------- */

enum kind { K_ABS, K_REL, K_ABSPCPU, K_PLACE };

struct layout {
	const char *what;
	bool post64;		/* v6.4+ order: addresses after the token index */
	enum kind kind;
	bool ptr_counts;	/* num_syms and markers are PTR (v4.19) */
	bool seqs;		/* kallsyms_seqs_of_names (v6.2, 6.1.60) */
	bool big;		/* a 300-character symbol (v6.1) */
	unsigned algn, ptr;
	bool be;
	const char *expect;	/* in sd_kallsyms_describe() */
};

struct sym {
	char name[320];	/* type letter first */
	uint64_t addr;
};

enum { IMG_BASE_64 = 0, MAX_SYMS = 200000 };
static const uint64_t base64 = 0xffffffff81000000ull, base32 = 0xc1000000ull;

struct world {
	struct layout l;
	struct img m;
	struct sym *syms;
	uint32_t n;
	uint64_t tables, data, rodata;
	/* where things went, for the corrupt variants */
	uint64_t num_syms, names, markers, seqs, table, index, addrs, relbase;
	uint32_t n_markers;
	uint64_t init_uts_ns, modules, start_btf, stop_btf, percpu, bigsym;
	char vmcoreinfo[1024];
};

static int cmp_sym(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void add(struct world *w, char type, const char *name, uint64_t addr)
{
	struct sym *s = &w->syms[w->n++];
	snprintf(s->name, sizeof(s->name), "%c%s", type, name);
	s->addr = addr;
}

/* 300 characters that no multi-character token shortens: a 2-byte length (v6.1). */
static const char *big_name(void)
{
	static char name[301];
	static const char cycle[] = "bcdeghjkmpqrsuvwxyz";
	name[0] = '_';
	for (int i = 1; i < 300; i++)
		name[i] = cycle[i % (sizeof(cycle) - 1)];
	name[300] = '\0';
	return name;
}

/* Text from _stext, data near the end, BTF in .rodata, per-cpu from 0 (x86_64). */
static void make_symbols(struct world *w, uint32_t nfunc)
{
	uint64_t b = w->m.base;
	w->syms = calloc(nfunc + 64, sizeof(*w->syms));
	w->n = 0;
	w->data = b + w->m.len - 0x80000;
	w->rodata = b + w->m.len / 2;
	add(w, 'T', "_stext", b);
	add(w, 'T', "_text", b);
	for (uint32_t i = 0; i < nfunc; i++) {
		char name[32];
		snprintf(name, sizeof(name), i % 3 ? "fn_%05u" : "init_fn_%05u", i);
		add(w, i % 2 ? 't' : 'T', name, b + 0x1000 + (uint64_t)i * 0x10);
	}
	add(w, 'R', "__start_BTF", w->rodata);
	add(w, 'R', "__stop_BTF", w->rodata + 0x4321);
	add(w, 'D', "init_uts_ns", w->data);
	add(w, 'd', "modules", w->data + 0x180);
	add(w, 'D', "node_online_map", w->data + 0x200);
	add(w, 'd', "modules", w->data + 0x400);	/* a later static of the same name */
	add(w, 'B', "mem_section", w->data + 0x600);
	w->init_uts_ns = w->data;
	w->modules = w->data + 0x180;
	w->start_btf = w->rodata;
	w->stop_btf = w->rodata + 0x4321;
	w->percpu = 0;
	if (w->l.kind == K_ABSPCPU || w->l.kind == K_ABS) {
		add(w, 'D', "__per_cpu_start", 0);
		add(w, 'd', "runqueues", 0x2c0);
		w->percpu = 0x2c0;
	}
	if (w->l.big) {
		add(w, 't', big_name(), b + 0x800);
		w->bigsym = b + 0x800;
	}
	qsort(w->syms, w->n, sizeof(*w->syms), cmp_sym);
}

/* --- The tables, as scripts/kallsyms.c writes them -------------------------------------- */

/* Multi-character tokens in codes no symbol character uses; the rest are single characters. */
static const char *const multi[] = {
	"init_fn_", "Tfn_", "tfn_", "fn_", "modu", "les", "__start_", "__stop_", "aaaaaaaa", "aaaa",
	"_0", "_1", "00", "init_", NULL,
};
static char tokens[256][16];
static int multi_code[16];

static void make_tokens(void)
{
	int next = 0;
	for (int c = 0; c < 256; c++)
		snprintf(tokens[c], sizeof(tokens[c]), "Q%02x", c);	/* filler, never used */
	for (int c = 0x21; c < 0x7f; c++)
		tokens[c][0] = (char)c, tokens[c][1] = '\0';
	for (int k = 0; multi[k]; k++) {
		while (next >= 0x21 && next < 0x7f)
			next++;
		snprintf(tokens[next], sizeof(tokens[next]), "%s", multi[k]);
		multi_code[k] = next++;
	}
}

/* Greedy: the longest multi-character token that matches, else the character itself. */
static size_t encode(const char *name, uint8_t *out)
{
	size_t n = 0;
	for (const char *p = name; *p;) {
		int best = -1;
		size_t best_len = 1;
		for (int k = 0; multi[k]; k++) {
			size_t l = strlen(multi[k]);
			if (l > best_len && !strncmp(p, multi[k], l))
				best = multi_code[k], best_len = l;
		}
		out[n++] = best >= 0 ? (uint8_t)best : (uint8_t)*p;
		p += best >= 0 ? best_len : 1;
	}
	return n;
}

static uint64_t at;	/* the writing cursor */

static void emit(struct world *w, uint64_t v, unsigned size)
{
	put(&w->m, at, v, size);
	at += size;
}

static void emit_zero_pad(struct world *w, unsigned a)
{
	while (at % a)
		emit(w, 0, 1);
}

static void write_addresses(struct world *w)
{
	const struct layout *l = &w->l;
	uint64_t relbase = w->m.base;	/* the lowest non-per-cpu address */
	emit_zero_pad(w, l->algn);
	w->addrs = at;
	for (uint32_t i = 0; i < w->n; i++) {
		uint64_t a = w->syms[i].addr;
		bool pcpu = a < w->m.base;
		switch (l->kind) {
		case K_ABS:
			emit(w, a, l->ptr);
			break;
		case K_REL:
			emit(w, a - relbase, 4);
			break;
		case K_ABSPCPU:
			emit(w, pcpu ? a : (uint32_t)(int32_t)(relbase - a - 1), 4);
			break;
		case K_PLACE:
			emit(w, (uint32_t)(int32_t)(int64_t)(a - at), 4);
			break;
		}
	}
	if (l->kind == K_REL || l->kind == K_ABSPCPU) {
		emit_zero_pad(w, l->algn);
		w->relbase = at;
		emit(w, relbase, l->ptr);
	}
}

static const struct sym *sorting;

static int cmp_seq(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int c = strcmp(sorting[x].name + 1, sorting[y].name + 1);
	return c ? c : x < y ? -1 : x > y;
}

static void write_seqs(struct world *w)
{
	/* The indices in name order (scripts/kallsyms.c, sort_symbols_by_name()). */
	uint32_t *seq = malloc(sizeof(*seq) * w->n);
	for (uint32_t i = 0; i < w->n; i++)
		seq[i] = i;
	sorting = w->syms;
	qsort(seq, w->n, sizeof(*seq), cmp_seq);
	emit_zero_pad(w, w->l.algn);
	w->seqs = at;
	for (uint32_t i = 0; i < w->n; i++) {
		w->m.b[at - w->m.base] = (uint8_t)(seq[i] >> 16);
		w->m.b[at + 1 - w->m.base] = (uint8_t)(seq[i] >> 8);
		w->m.b[at + 2 - w->m.base] = (uint8_t)seq[i];
		at += 3;
	}
	free(seq);
}

static void write_tables(struct world *w)
{
	const struct layout *l = &w->l;
	at = w->tables;
	if (!l->post64)
		write_addresses(w);
	emit_zero_pad(w, l->algn);
	w->num_syms = at;
	emit(w, w->n, l->ptr_counts ? l->ptr : 4);
	emit_zero_pad(w, l->algn);
	w->names = at;
	uint32_t *markers = calloc((w->n + 255) / 256, sizeof(*markers));
	for (uint32_t i = 0; i < w->n; i++) {
		uint8_t tok[400];
		size_t len = encode(w->syms[i].name, tok);
		if ((i & 0xff) == 0)
			markers[i >> 8] = (uint32_t)(at - w->names);
		if (len > 0x7f) {
			emit(w, (len & 0x7f) | 0x80, 1);
			emit(w, len >> 7, 1);
		} else {
			emit(w, len, 1);
		}
		for (size_t k = 0; k < len; k++)
			emit(w, tok[k], 1);
	}
	emit_zero_pad(w, l->algn);
	w->markers = at;
	w->n_markers = (w->n + 255) / 256;
	for (uint32_t i = 0; i < w->n_markers; i++)
		emit(w, markers[i], l->ptr_counts ? l->ptr : 4);
	free(markers);
	if (l->seqs && !l->post64)
		write_seqs(w);
	emit_zero_pad(w, l->algn);
	w->table = at;
	uint16_t idx[256];
	for (int c = 0; c < 256; c++) {
		idx[c] = (uint16_t)(at - w->table);
		size_t tl = strlen(tokens[c]) + 1;
		memcpy(w->m.b + (at - w->m.base), tokens[c], tl);
		at += tl;
	}
	emit_zero_pad(w, l->algn);
	w->index = at;
	for (int c = 0; c < 256; c++)
		emit(w, idx[c], 2);
	if (l->post64) {
		write_addresses(w);
		if (l->seqs)
			write_seqs(w);
	}
}

/* SYMBOL(mem_section) is the pointer's value (SPARSEMEM_EXTREME), not its address. */
static const char *const vmcoreinfo_fmt = "OSRELEASE=test\nSYMBOL(init_uts_ns)=%llx\n"
					  "SYMBOL(node_online_map)=%llx\n"
					  "SYMBOL(swapper_pg_dir)=%llx\nSYMBOL(_stext)=%llx\n"
					  "SYMBOL(mem_section)=ffff888003c00000\n"
					  "OFFSET(module.list)=8\n";

/* A whole image for layout l, nfunc text symbols, len bytes, tables at tables_off. */
static struct world *make_world(const struct layout *l, uint32_t nfunc, size_t len,
				size_t tables_off)
{
	struct world *w = calloc(1, sizeof(*w));
	w->l = *l;
	w->m.base = l->ptr == 4 ? base32 : base64;
	w->m.len = len;
	w->m.be = l->be;
	w->m.b = malloc(len);
	noise(&w->m);
	make_symbols(w, nfunc);
	w->tables = w->m.base + tables_off;
	write_tables(w);
	snprintf(w->vmcoreinfo, sizeof(w->vmcoreinfo), vmcoreinfo_fmt,
		 (unsigned long long)w->init_uts_ns, (unsigned long long)w->data + 0x200,
		 (unsigned long long)w->data + 0x10000, (unsigned long long)w->m.base);
	return w;
}

static void free_world(struct world *w)
{
	free(w->m.b);
	free(w->syms);
	free(w);
}

static struct sd_kmem kmem(struct world *w)
{
	return (struct sd_kmem){ .read = img_read, .arg = &w->m, .big_endian = w->l.be,
				 .ptr_size = w->l.ptr };
}

static struct sd_error *scan_text(struct world *w, const char *vmcoreinfo,
				  const struct sd_kallsyms_scan_limits *lim,
				  struct sd_kallsyms **ret)
{
	struct sd_vmcoreinfo vi;
	struct sd_error *err = sd_vmcoreinfo_parse(vmcoreinfo, strlen(vmcoreinfo), &vi);
	if (err)
		return err;
	struct sd_kmem km = kmem(w);
	err = sd_kallsyms_scan(&km, &vi, lim, ret);
	sd_vmcoreinfo_deinit(&vi);
	return err;
}

static struct sd_error *scan(struct world *w, struct sd_kallsyms **ret)
{
	return scan_text(w, w->vmcoreinfo, NULL, ret);
}

/* --- Every accepted layout --------------------------------------------------------------- */

static const struct layout layouts[] = {
	{ "v4.19 x86_64 (PTR num_syms and markers, absolute per-cpu)", false, K_ABSPCPU, true,
	  false, false, 8, 8, false, "pointer-byte markers" },
	{ "v5.10 x86_64", false, K_ABSPCPU, false, false, false, 8, 8, false,
	  "absolute per-cpu, before kallsyms_num_syms" },
	{ "v5.10 arm64 (plain base-relative)", false, K_REL, false, false, false, 8, 8, false,
	  "relative_base, before kallsyms_num_syms" },
	{ "!KALLSYMS_BASE_RELATIVE before v6.4 (absolute addresses)", false, K_ABS, false, false,
	  false, 8, 8, false, "absolute kallsyms_addresses, before" },
	{ "v6.1 x86_64 (big symbols)", false, K_ABSPCPU, false, false, true, 8, 8, false,
	  "2-byte lengths" },
	{ "v6.2, v6.3, 6.1.60+ (seqs_of_names before the token table)", false, K_ABSPCPU, false,
	  true, true, 8, 8, false, "seqs_of_names before the token table" },
	{ "v6.4..v6.14 x86_64 (addresses after the token index)", true, K_ABSPCPU, false, true,
	  true, 8, 8, false, "absolute per-cpu, after kallsyms_token_index" },
	{ "v6.4..v6.10 absolute addresses", true, K_ABS, false, true, false, 8, 8, false,
	  "absolute kallsyms_addresses, after" },
	{ "v6.15+ (no absolute per-cpu)", true, K_REL, false, true, true, 8, 8, false,
	  "relative_base, after kallsyms_token_index" },
	{ "v7.0+ (place-relative, .balign 4)", true, K_PLACE, false, true, true, 4, 8, false,
	  "place-relative" },
	{ "v5.10 big-endian 64-bit (s390x)", false, K_REL, false, false, false, 8, 8, true,
	  "relative_base, before" },
	{ "v5.10 32-bit", false, K_REL, false, false, false, 4, 4, false,
	  "relative_base, before" },
	{ "v6.4+ big-endian place-relative", true, K_PLACE, false, true, false, 4, 8, true,
	  "place-relative" },
};

static bool all_symbols_match(struct world *w, const struct sd_kallsyms *ks)
{
	if (sd_kallsyms_count(ks) != w->n)
		return false;
	for (uint32_t i = 0; i < w->n; i++) {
		char buf[700];
		uint64_t a;
		if (!sd_kallsyms_symbol(ks, i, buf, sizeof(buf), &a) ||
		    strcmp(buf, w->syms[i].name) || a != w->syms[i].addr) {
			printf("# symbol %u: got '%s' at %#llx, want '%s' at %#llx\n", i, buf,
			       (unsigned long long)a, w->syms[i].name,
			       (unsigned long long)w->syms[i].addr);
			return false;
		}
	}
	return true;
}

static void test_layouts(void)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		const struct layout *l = &layouts[i];
		struct world *w = make_world(l, 1500, 4 << 20, 2 << 20);
		struct sd_kallsyms *ks = NULL;
		struct sd_error *err = scan(w, &ks);
		if (!ok(!err, "%s: found", l->what)) {
			printf("# %s\n", err->message);
			sd_error_destroy(err);
			free_world(w);
			continue;
		}
		const char *how = sd_kallsyms_describe(ks);
		if (!ok(strstr(how, l->expect) != NULL, "%s: described as such", l->what))
			printf("# %s\n", how);
		ok(all_symbols_match(w, ks), "%s: every symbol's name and address", l->what);
		uint64_t a = 0, b = 0, c = 0;
		ok(sd_kallsyms_lookup(ks, "modules", &a) && a == w->modules &&
		   sd_kallsyms_lookup(ks, "__start_BTF", &b) && b == w->start_btf &&
		   sd_kallsyms_lookup(ks, "__stop_BTF", &c) && c == w->stop_btf,
		   "%s: modules (the first of two) and the BTF bounds", l->what);
		if (w->percpu)
			ok(sd_kallsyms_lookup(ks, "runqueues", &a) && a == w->percpu,
			   "%s: a per-cpu symbol keeps its absolute value", l->what);
		if (l->big) {
			ok(sd_kallsyms_lookup(ks, big_name(), &a) && a == w->bigsym &&
			   !sd_kallsyms_lookup(ks, "_bcdeg", &a),
			   "%s: the 300-character symbol, and not a prefix of it", l->what);
		}
		struct sd_ksyms sy;
		sd_kallsyms_ksyms(ks, &sy);
		ok(sy.lookup(sy.arg, "init_uts_ns", &a) && a == w->init_uts_ns &&
		   !sy.lookup(sy.arg, "init_uts_n", &a) && !strcmp(sy.source, "kallsyms"),
		   "%s: through struct sd_ksyms", l->what);
		sd_kallsyms_destroy(ks);
		free_world(w);
	}
}

/* The same tables located by VMCOREINFO (Linux >= 6.0), as sd_kallsyms_load() reads them. */
static void test_load(void)
{
	static const size_t which[] = { 5, 6, 8, 9 };	/* v6.2, v6.4, v6.15, v7.0 */
	for (size_t i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		const struct layout *l = &layouts[which[i]];
		struct world *w = make_world(l, 1500, 4 << 20, 2 << 20);
		char text[2048];
		int n = snprintf(text, sizeof(text),
				 "%sSYMBOL(kallsyms_names)=%llx\nSYMBOL(kallsyms_num_syms)=%llx\n"
				 "SYMBOL(kallsyms_token_table)=%llx\n"
				 "SYMBOL(kallsyms_token_index)=%llx\nSYMBOL(kallsyms_offsets)=%llx\n",
				 w->vmcoreinfo, (unsigned long long)w->names,
				 (unsigned long long)w->num_syms, (unsigned long long)w->table,
				 (unsigned long long)w->index, (unsigned long long)w->addrs);
		/* v7.0 dropped SYMBOL(kallsyms_relative_base) with the base. */
		if (l->kind != K_PLACE)
			snprintf(text + n, sizeof(text) - (size_t)n,
				 "SYMBOL(kallsyms_relative_base)=%llx\n",
				 (unsigned long long)w->relbase);
		struct sd_vmcoreinfo vi;
		struct sd_kallsyms *ks = NULL;
		struct sd_error *err = sd_vmcoreinfo_parse(text, strlen(text), &vi);
		struct sd_kmem km = kmem(w);
		if (!err)
			err = sd_kallsyms_load(&km, &vi, &ks);
		ok(!err && all_symbols_match(w, ks), "%s: loaded through VMCOREINFO", l->what);
		if (err)
			printf("# %s\n", err->message);
		sd_error_destroy(err);
		sd_kallsyms_destroy(ks);
		sd_vmcoreinfo_deinit(&vi);
		free_world(w);
	}
}

/* --- Corrupt variants: each a clean "not found" ------------------------------------------ */

static const struct layout *v510 = &layouts[1], *v62 = &layouts[5], *v64 = &layouts[6];

static void expect_refused(struct world *w, const char *vmcoreinfo, const char *what,
			   const char *needle)
{
	struct sd_kallsyms *ks = NULL;
	struct sd_error *err = scan_text(w, vmcoreinfo ? vmcoreinfo : w->vmcoreinfo, NULL, &ks);
	bool good = err && err->code == SD_ERROR_INPUT && !ks &&
		    (!needle || strstr(err->message, needle));
	if (!ok(good, "refused: %s", what) || getenv("TEST_VERBOSE"))
		printf("# %s\n", err ? err->message : "(found)");
	sd_error_destroy(err);
	sd_kallsyms_destroy(ks);
}

static void test_corrupt(void)
{
	struct world *w;
	char text[1024];

	w = make_world(v510, 1500, 4 << 20, 2 << 20);
	put(&w->m, w->markers + 4 * 3, get(&w->m, w->markers + 4 * 3, 4) + 1, 4);
	expect_refused(w, NULL, "a marker one byte off", "no tables found");
	free_world(w);

	w = make_world(v510, 1500, 4 << 20, 2 << 20);
	put(&w->m, w->num_syms, w->n + 1, 4);
	expect_refused(w, NULL, "num_syms one more than the names", NULL);
	put(&w->m, w->num_syms, w->n - 1, 4);
	expect_refused(w, NULL, "num_syms one less than the names", NULL);
	put(&w->m, w->num_syms, w->n + 300, 4);
	expect_refused(w, NULL, "num_syms past the markers' range", NULL);
	free_world(w);

	w = make_world(v510, 1500, 4 << 20, 2 << 20);
	uint64_t nul = w->table + strlen(tokens[0]);	/* the NUL after token 0 */
	put(&w->m, nul, 'x', 1);
	expect_refused(w, NULL, "a token without its NUL", "no tables found");
	free_world(w);

	w = make_world(v510, 1500, 4 << 20, 2 << 20);
	put(&w->m, w->index + 2 * 100, get(&w->m, w->index + 2 * 99, 2), 2);
	expect_refused(w, NULL, "a token index that does not increase", "no tables found");
	free_world(w);

	w = make_world(v510, 1500, 4 << 20, 2 << 20);
	put(&w->m, w->names, 0, 1);	/* an empty entry */
	expect_refused(w, NULL, "an empty name", NULL);
	free_world(w);

	w = make_world(v510, 1500, 4 << 20, 2 << 20);
	put(&w->m, w->names + 1, '_', 1);	/* the first character is the type */
	expect_refused(w, NULL, "a name without a type letter", NULL);
	free_world(w);

	/* Addresses out of order. */
	w = make_world(v510, 1500, 4 << 20, 2 << 20);
	uint64_t o1 = get(&w->m, w->addrs + 4 * 700, 4), o2 = get(&w->m, w->addrs + 4 * 701, 4);
	put(&w->m, w->addrs + 4 * 700, o2, 4);
	put(&w->m, w->addrs + 4 * 701, o1, 4);
	expect_refused(w, NULL, "addresses out of order", "no address table fits");
	free_world(w);

	/* VMCOREINFO disagreeing, or with nothing to agree with. */
	w = make_world(v510, 1500, 4 << 20, 2 << 20);
	snprintf(text, sizeof(text), vmcoreinfo_fmt, (unsigned long long)w->init_uts_ns + 0x1000,
		 (unsigned long long)w->data + 0x200, (unsigned long long)w->data + 0x10000,
		 (unsigned long long)w->m.base);
	expect_refused(w, text, "SYMBOL(init_uts_ns) elsewhere", "VMCOREINFO says");
	snprintf(text, sizeof(text), "SYMBOL(_stext)=%llx\nSYMBOL(init_uts_ns)=%llx\n",
		 (unsigned long long)w->m.base + 0x10, (unsigned long long)w->init_uts_ns);
	expect_refused(w, text, "SYMBOL(_stext) elsewhere", "VMCOREINFO says");
	snprintf(text, sizeof(text), "SYMBOL(init_uts_ns)=%llx\n",
		 (unsigned long long)w->init_uts_ns);
	expect_refused(w, text, "no SYMBOL(_stext)", "SYMBOL(_stext)");
	free_world(w);

	/* The tables cut off: the dump ends in the names, or misses a page of them. */
	w = make_world(v510, 1500, 4 << 20, 2 << 20);
	size_t full = w->m.len;
	w->m.len = (size_t)(w->names + 0x1000 - w->m.base);
	snprintf(text, sizeof(text), vmcoreinfo_fmt, (unsigned long long)w->init_uts_ns,
		 (unsigned long long)w->data + 0x200, (unsigned long long)w->data + 0x10000,
		 (unsigned long long)w->m.base);
	expect_refused(w, text, "a dump that ends in kallsyms_names", NULL);
	w->m.len = full;
	w->m.hole_lo = (w->names + 0x1000) & ~0xfffull;
	w->m.hole_hi = w->m.hole_lo + 0x1000;
	ok(w->m.hole_hi <= (w->markers & ~0xfffull), "(the hole is in the names only)");
	expect_refused(w, NULL, "a page of kallsyms_names missing from the dump",
		       "no kallsyms_num_syms and kallsyms_names fit");
	/* A missing page elsewhere does not matter. */
	w->m.hole_lo = w->m.base + 0x300000;
	w->m.hole_hi = w->m.hole_lo + 0x4000;
	struct sd_kallsyms *ks = NULL;
	struct sd_error *err = scan(w, &ks);
	ok(!err && ks, "pages missing outside the tables do not matter");
	sd_error_destroy(err);
	sd_kallsyms_destroy(ks);
	free_world(w);

	/* A page left out (as makedumpfile leaves out pages of zeros) just before the tables. */
	w = make_world(v62, 1500, 4 << 20, 2 << 20);
	w->m.hole_lo = (w->tables - 0x2000) & ~0xfffull;
	w->m.hole_hi = w->m.hole_lo + 0x1000;
	err = scan(w, &ks);
	ok(!err && ks && all_symbols_match(w, ks),
	   "a page missing right before the tables does not matter");
	sd_error_destroy(err);
	sd_kallsyms_destroy(ks);
	ks = NULL;
	free_world(w);

	/* v6.4: the dump ends in kallsyms_offsets, after the token index. */
	w = make_world(v64, 1500, 4 << 20, 2 << 20);
	w->m.len = (size_t)(w->addrs + 0x800 - w->m.base);
	snprintf(text, sizeof(text), vmcoreinfo_fmt, (unsigned long long)w->init_uts_ns,
		 (unsigned long long)w->data + 0x200, (unsigned long long)w->data + 0x10000,
		 (unsigned long long)w->m.base);
	expect_refused(w, text, "v6.4: a dump that ends in kallsyms_offsets",
		       "no address table fits");
	free_world(w);

	/* seqs_of_names that is no permutation: before the table (6.2), after (6.4). */
	w = make_world(v62, 1500, 4 << 20, 2 << 20);
	memcpy(w->m.b + (w->seqs + 3 - w->m.base), w->m.b + (w->seqs - w->m.base), 3);
	expect_refused(w, NULL, "v6.2: a repeated index in seqs_of_names", NULL);
	free_world(w);
	w = make_world(v64, 1500, 4 << 20, 2 << 20);
	put(&w->m, w->seqs + 3 * 10, 0xff, 1);
	expect_refused(w, NULL, "v6.4: an index past num_syms in seqs_of_names",
		       "kallsyms_seqs_of_names");
	free_world(w);

	/* Search bounds: tables below the bytes searched, or nothing but noise. */
	w = make_world(v510, 1500, 8 << 20, 1 << 20);
	struct sd_kallsyms_scan_limits lim = { .max_bytes = 4 << 20 };
	err = scan_text(w, w->vmcoreinfo, &lim, &ks);
	ok(err && strstr(err->message, "4.0 MiB of"), "tables below max_bytes are not searched");
	if (err)
		printf("# %s\n", err->message);
	sd_error_destroy(err);
	/* Without init_uts_ns the search takes max_bytes from _stext. */
	snprintf(text, sizeof(text), "SYMBOL(_stext)=%llx\n", (unsigned long long)w->m.base);
	lim.max_bytes = 3 << 20;
	err = scan_text(w, text, &lim, &ks);
	ok(!err && ks, "without init_uts_ns the search covers max_bytes from _stext");
	sd_error_destroy(err);
	sd_kallsyms_destroy(ks);
	ks = NULL;
	free_world(w);

	w = make_world(v510, 1500, 4 << 20, 2 << 20);
	memset(w->m.b + (w->tables - w->m.base), 0x5a, (size_t)(w->index + 512 - w->tables));
	expect_refused(w, NULL, "an image of noise", "no tables found");
	free_world(w);

	/* Decoys: token indices (and tables) with nothing sane before them, above the real ones. */
	w = make_world(v510, 1500, 4 << 20, 2 << 20);
	for (int d = 0; d < 40; d++) {
		uint64_t pos = w->m.base + (3 << 20) + (uint64_t)d * 0x4000;
		memcpy(w->m.b + (pos - w->m.base), w->m.b + (w->table - w->m.base),
		       (size_t)(w->index + 512 - w->table));
	}
	err = scan(w, &ks);
	ok(!err && ks && all_symbols_match(w, ks), "40 decoys above the tables are passed over");
	sd_error_destroy(err);
	sd_kallsyms_destroy(ks);
	ks = NULL;
	/* Too many to look at: a bounded, clean refusal. */
	for (int d = 0; d < 400; d++) {
		uint64_t pos = w->m.base + (2600 << 10) + (uint64_t)d * 0x800;
		memcpy(w->m.b + (pos - w->m.base), w->m.b + (w->table - w->m.base),
		       (size_t)(w->index + 512 - w->table));
	}
	expect_refused(w, NULL, "400 decoys: the search gives up", "gave up");
	free_world(w);

	/* A time limit. */
	w = make_world(v510, 1500, 32 << 20, 1 << 20);
	memset(w->m.b + (w->tables - w->m.base), 0, 1 << 20);
	lim = (struct sd_kallsyms_scan_limits){ .max_ms = 1 };
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = scan_text(w, w->vmcoreinfo, &lim, &ks);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ok(err && s < 1.0, "a 1 ms limit over 32 MiB ends the search (%.3f s)", s);
	if (err)
		printf("# %s\n", err->message);
	sd_error_destroy(err);
	free_world(w);
}

/* The search over realistic images: 30 MiB, 120k symbols near the start (the longest way). */
static void test_size(void)
{
	const struct layout *ls[] = { v510, v62, v64 };
	for (size_t i = 0; i < 3; i++) {
		struct world *w = make_world(ls[i], 120000, 30 << 20, 1 << 20);
		struct sd_kallsyms *ks = NULL;
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		struct sd_error *err = scan(w, &ks);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double s = (double)(t1.tv_sec - t0.tv_sec) +
			   (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		uint64_t a;
		ok(!err && sd_kallsyms_lookup(ks, "modules", &a) && a == w->modules,
		   "%s: a 30 MiB image, %u symbols at its start: found in %.3f s", ls[i]->what,
		   w->n, s);
		if (err)
			printf("# %s\n", err->message);
		sd_error_destroy(err);
		sd_kallsyms_destroy(ks);
		free_world(w);
	}
}

/* VMCOREINFO's SYMBOL()s, from its text. */
static void test_vmcoreinfo_symbols(void)
{
	static const char text[] = "OSRELEASE=x\nSYMBOL(a)=10\nSYMBOL(b)b)=20\nSYMBOL()=30\n"
				   "XSYMBOL(c)=40\nSYMBOL(d)=zz\nSYMBOL(a)=50\nSYMBOL(e)=60";
	struct sd_vmcoreinfo vi;
	struct sd_error *err = sd_vmcoreinfo_parse(text, sizeof(text) - 1, &vi);
	char name[SD_KALLSYMS_VMCOREINFO_NAME_MAX], got[256] = "";
	uint64_t a;
	for (size_t pos = 0; !err && sd_kallsyms_vmcoreinfo_next_symbol(&vi, &pos, name, &a);)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s=%llx ", name,
			 (unsigned long long)a);
	is_str(got, "a=10 e=60 ", "SYMBOL()s from VMCOREINFO's text: each name once, malformed "
				  "ones skipped");
	sd_error_destroy(err);
	sd_vmcoreinfo_deinit(&vi);
}

/* --- System.map ---------------------------------------------------------------------------- */

static char *sysmap_text(struct world *w, uint64_t link_delta, size_t *len)
{
	size_t cap = (size_t)w->n * 80 + 1024, n = 0;
	char *t = malloc(cap);
	for (uint32_t i = 0; i < w->n; i++) {
		uint64_t a = w->syms[i].addr;
		if (a >= w->m.base)
			a -= link_delta;	/* the link-time address */
		n += (size_t)snprintf(t + n, cap - n, "%016llx %c %s\n", (unsigned long long)a,
				      w->syms[i].name[0], w->syms[i].name + 1);
	}
	*len = n;
	return t;
}

static struct sd_error *load_map(const char *text, size_t len, uint64_t offset,
				 const char *vmcoreinfo, struct sd_sysmap **ret)
{
	struct sd_vmcoreinfo vi;
	struct sd_error *err = sd_vmcoreinfo_parse(vmcoreinfo, strlen(vmcoreinfo), &vi);
	if (!err)
		err = sd_sysmap_load(text, len, offset, &vi, ret);
	sd_vmcoreinfo_deinit(&vi);
	return err;
}

static void test_sysmap(void)
{
	const uint64_t kaslr = 0x1e000000;
	struct world *w = make_world(v510, 300, 4 << 20, 2 << 20);
	size_t len;
	char *text = sysmap_text(w, kaslr, &len);
	struct sd_sysmap *map = NULL;
	struct sd_error *err = load_map(text, len, kaslr, w->vmcoreinfo, &map);
	uint64_t a = 0;
	ok(!err && map, "a System.map relocated by KERNELOFFSET is verified");
	if (err) {
		printf("# %s\n", err->message);
		sd_error_destroy(err);
	} else {
		ok(sd_sysmap_count(map) == w->n && sd_sysmap_bad_lines(map) == 0, "all lines read");
		ok(sd_sysmap_lookup(map, "modules", &a) && a == w->modules,
		   "modules: the first of two, relocated");
		ok(sd_sysmap_lookup(map, "__stop_BTF", &a) && a == w->stop_btf, "__stop_BTF");
		ok(sd_sysmap_lookup(map, "runqueues", &a) && a == 0x2c0,
		   "a per-cpu symbol (below _text) is not relocated");
		struct sd_ksyms sy;
		sd_sysmap_ksyms(map, &sy);
		ok(sy.lookup(sy.arg, "__start_BTF", &a) && a == w->start_btf &&
		   !sy.lookup(sy.arg, "__start_BT", &a) && !strcmp(sy.source, "System.map"),
		   "through struct sd_ksyms");
		sd_sysmap_destroy(map);
	}

	err = load_map(text, len, kaslr + 0x200000, w->vmcoreinfo, &map);
	ok(err && strstr(err->message, "not this kernel's") &&
	   strstr(err->message, "over by 0x200000"),
	   "the wrong KERNELOFFSET is refused, saying by how much");
	if (err)
		printf("# %s\n", err->message);
	sd_error_destroy(err);

	char other[1024];
	snprintf(other, sizeof(other), vmcoreinfo_fmt, (unsigned long long)w->init_uts_ns + 0x40,
		 (unsigned long long)w->data + 0x200, (unsigned long long)w->data + 0x10000,
		 (unsigned long long)w->m.base);
	err = load_map(text, len, kaslr, other, &map);
	ok(err && strstr(err->message, "init_uts_ns"), "a map of another build is refused");
	sd_error_destroy(err);

	snprintf(other, sizeof(other), "SYMBOL(init_uts_ns)=%llx\nSYMBOL(swapper_pg_dir)=1234\n",
		 (unsigned long long)w->init_uts_ns);
	err = load_map(text, len, kaslr, other, &map);
	ok(err && strstr(err->message, "1 of VMCOREINFO's symbols"),
	   "one confirming symbol is not enough");
	sd_error_destroy(err);
	free(text);

	static const char stub[] = "ffffffffffffffff B The real System.map is in the "
				   "linux-image-<version>-dbg package\n";
	ok(sd_sysmap_is_stub(stub, sizeof(stub) - 1), "Debian's stub is recognised");
	err = load_map(stub, sizeof(stub) - 1, 0, w->vmcoreinfo, &map);
	ok(err && strstr(err->message, "placeholder"), "and refused with its own reason");
	sd_error_destroy(err);

	/* Garbage: a few bad lines are skipped, many mean it is not a System.map. */
	char buf[8192];
	int n = snprintf(buf, sizeof(buf),
			 "ffffffff81000000 T _text\r\n\n%016llx D init_uts_ns\n"
			 "not a line\nffffffff81000000 TT x\n1ffffffff81000000 T toolong\n"
			 "ffffffff81000000 T with space\nffffffff81000000  T twospaces\n"
			 "%016llx D node_online_map",
			 (unsigned long long)w->init_uts_ns, (unsigned long long)w->data + 0x200);
	err = load_map(buf, (size_t)n, 0, w->vmcoreinfo, &map);
	ok(!err && sd_sysmap_count(map) == 3 && sd_sysmap_bad_lines(map) == 5,
	   "CRLF, blank lines, no final newline; 5 bad lines skipped");
	sd_error_destroy(err);
	sd_sysmap_destroy(map);
	map = NULL;
	n = 0;
	for (int i = 0; i < 20; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "garbage %d\n", i);
	err = load_map(buf, (size_t)n, 0, w->vmcoreinfo, &map);
	ok(err && strstr(err->message, "not a System.map"), "20 bad lines: not a System.map");
	sd_error_destroy(err);
	char *longline = malloc(4000);
	memset(longline, 'a', 4000);
	memcpy(longline, "ffffffff81000000 T ", 19);
	err = load_map(longline, 4000, 0, w->vmcoreinfo, &map);
	ok(err && strstr(err->message, "no symbols"), "an overlong line is not a symbol");
	sd_error_destroy(err);
	free(longline);
	static const char binary[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0";
	err = load_map(binary, sizeof(binary), 0, w->vmcoreinfo, &map);
	ok(err && err->code == SD_ERROR_INPUT, "an ELF file is not a System.map");
	sd_error_destroy(err);
	err = load_map("", 0, 0, w->vmcoreinfo, &map);
	is_str(err ? err->message : NULL, "System.map is empty", "an empty file is refused");
	sd_error_destroy(err);
	size_t many = SD_SYSMAP_MAX_LINES + 1;
	char *newlines = malloc(many);
	memset(newlines, '\n', many);
	err = load_map(newlines, many, 0, w->vmcoreinfo, &map);
	ok(err && strstr(err->message, "lines"), "a map of too many lines is refused");
	sd_error_destroy(err);
	free(newlines);
	size_t huge = SD_SYSMAP_MAX_BYTES + 1;
	char *big = mmap(NULL, huge, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	err = load_map(big, huge, 0, w->vmcoreinfo, &map);
	ok(err && strstr(err->message, "more than"), "a map over the size limit is refused unread");
	sd_error_destroy(err);
	munmap(big, huge);
	free_world(w);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void)
{
	make_tokens();
	double t = now();
	test_layouts();
	test_load();
	printf("# layouts: %.2f s\n", now() - t);
	t = now();
	test_corrupt();
	printf("# corrupt: %.2f s\n", now() - t);
	t = now();
	test_size();
	printf("# size: %.2f s\n", now() - t);
	t = now();
	test_vmcoreinfo_symbols();
	test_sysmap();
	printf("# sysmap: %.2f s\n", now() - t);
	return tap_done();
}
