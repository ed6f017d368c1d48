// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "kallsyms.h"
#include "util.h"

enum {
	TOKENS = 256,
	CHUNK = 64 * 1024,
	TOKEN_TABLE_MAX = 64 * 1024,
	/*
	 * KSYM_NAME_LEN is 512 since Linux commit b8a94bfb3395 ("kallsyms:
	 * increase maximum kernel symbol length to 512") (v6.1), 128 before.
	 */
	KSYM_NAME_MAX = 512,
	TOKEN_BAD = 0xffff,
};

/* How kallsyms_offsets[] or kallsyms_addresses[] turn into addresses. */
enum addr_kind {
	ADDR_ABSOLUTE,		/* kallsyms_addresses[]: the addresses themselves */
	ADDR_RELATIVE,		/* relative_base + (u32)offset */
	ADDR_ABS_PERCPU,	/* offset >= 0 ? offset : relative_base - 1 - offset */
	ADDR_PLACE,		/* &offsets[i] + (s32)offset (v7.0) */
};

static const char *const addr_kind_names[] = {
	[ADDR_ABSOLUTE] = "absolute kallsyms_addresses",
	[ADDR_RELATIVE] = "kallsyms_offsets relative to kallsyms_relative_base",
	[ADDR_ABS_PERCPU] = "kallsyms_offsets relative to kallsyms_relative_base, absolute per-cpu",
	[ADDR_PLACE] = "place-relative kallsyms_offsets",
};

struct sd_kallsyms {
	uint32_t n;
	uint8_t *names;		/* the compressed names stream */
	size_t names_len;
	bool big;		/* lengths with bit 7 set take two bytes (v6.1) */
	uint32_t *name_off;	/* where each symbol's entry (length first) starts */
	char *tokens;		/* the token table, NUL-terminated strings */
	size_t tokens_len;
	uint16_t token_index[TOKENS];
	uint16_t token_len[TOKENS];	/* TOKEN_BAD: the index points outside the table */
	uint64_t *addrs;
	char how[384];
};

static struct sd_error *bad(const char *what)
{
	return sd_error_create(SD_ERROR_INPUT, "kallsyms: %s", what);
}

/* One symbol's token-index run in the names stream: [*start, *start + *len). */
static bool entry(const uint8_t *names, size_t size, size_t off, bool big, size_t *start,
		  size_t *len)
{
	if (off >= size)
		return false;
	size_t l = names[off++];
	if (big && (l & 0x80)) {
		if (off >= size)
			return false;
		l = (l & 0x7f) | ((size_t)names[off++] << 7);
	}
	if (l == 0 || l > size - off)
		return false;
	*start = off;
	*len = l;
	return true;
}

/* Each token's length, so that names expand without a strlen per token. */
static void token_lengths(const char *tokens, size_t tokens_len, const uint16_t *index,
			  uint16_t *len)
{
	for (int i = 0; i < TOKENS; i++)
		len[i] = index[i] < tokens_len
				 ? (uint16_t)strnlen(tokens + index[i], tokens_len - index[i])
				 : TOKEN_BAD;
}

/* Expand names[off..] into buf (type letter first); 0 if it does not fit or is corrupt. */
static size_t expand_at(const uint8_t *names, size_t names_len, size_t off, bool big,
			const char *tokens, const uint16_t *index, const uint16_t *tlen, char *buf,
			size_t size)
{
	size_t start, len, o = 0;
	if (!entry(names, names_len, off, big, &start, &len))
		return 0;
	for (size_t k = 0; k < len; k++) {
		uint8_t c = names[start + k];
		size_t tl = tlen[c];
		if (tl == TOKEN_BAD || o + tl >= size)
			return 0;
		memcpy(buf + o, tokens + index[c], tl);
		o += tl;
	}
	buf[o] = '\0';
	return o;
}

static uint64_t mask(unsigned ptr_size, uint64_t v)
{
	return ptr_size >= 8 ? v : v & 0xffffffffu;
}

/*
 * kernel/kallsyms.c, kallsyms_sym_address(). raw is the table entry
 * (ptr-sized for ADDR_ABSOLUTE, else 32 bits), where its address.
 */
static uint64_t decode_addr(enum addr_kind kind, uint64_t raw, uint64_t base, uint64_t where,
			    unsigned ptr_size)
{
	int32_t off = (int32_t)(uint32_t)raw;
	switch (kind) {
	case ADDR_ABSOLUTE:
		return mask(ptr_size, raw);
	case ADDR_RELATIVE:
		return mask(ptr_size, base + (uint32_t)raw);
	case ADDR_ABS_PERCPU:
		return off >= 0 ? (uint64_t)off : mask(ptr_size, base - 1 - (int64_t)off);
	case ADDR_PLACE:
		return mask(ptr_size, where + (uint64_t)(int64_t)off);
	}
	return 0;
}

/* --- Loading the tables VMCOREINFO locates (Linux >= 6.0) --------------------------------- */

/*
 * Read the names stream for n symbols. Its length is not recorded anywhere
 * but by the stream itself, so read it in chunks until n entries are whole.
 */
static struct sd_error *read_names(const struct sd_kmem *mem, uint64_t addr, uint32_t n,
				   struct sd_kallsyms *ks)
{
	size_t have = 0, cap = 0, off = 0;
	uint8_t *buf = NULL;
	ks->name_off = malloc(sizeof(*ks->name_off) * (n ? n : 1));
	if (!ks->name_off)
		return &sd_enomem;
	for (uint32_t i = 0; i < n;) {
		size_t start, len;
		if (off < have && buf[off] == 0) {
			sd_big_free(buf);
			return bad("kallsyms_names has an empty entry");
		}
		if (entry(buf, have, off, ks->big, &start, &len)) {
			ks->name_off[i++] = (uint32_t)off;
			off = start + len;
			continue;
		}
		/* Not whole yet: read the next chunk. */
		if (have + CHUNK > SD_KALLSYMS_MAX_NAMES) {
			sd_big_free(buf);
			return bad("kallsyms_names is larger than any kernel's");
		}
		if (have + CHUNK > cap) {
			cap = cap ? cap * 2 : 4 * CHUNK;
			uint8_t *nb = sd_big_realloc(buf, cap);
			if (!nb) {
				sd_big_free(buf);
				return &sd_enomem;
			}
			buf = nb;
			cap = sd_big_capacity(nb);
		}
		size_t got = mem->read(mem->arg, addr + have, buf + have, CHUNK);
		if (got == 0) {
			sd_big_free(buf);
			return bad(have ? "kallsyms_names runs past what the dump holds"
					: "kallsyms_names is not in the dump");
		}
		have += got;
	}
	ks->names = buf;
	ks->names_len = off;
	return NULL;
}

static struct sd_error *read_tokens(const struct sd_kmem *mem, uint64_t table, uint64_t index,
				    struct sd_kallsyms *ks)
{
	uint8_t raw[TOKENS * 2];
	if (!sd_kmem_read(mem, index, raw, sizeof(raw)))
		return bad("kallsyms_token_index is not in the dump");
	size_t end = 0;
	for (int i = 0; i < TOKENS; i++) {
		ks->token_index[i] = (uint16_t)sd_kmem_uint(mem, raw + 2 * i, 2);
		if (ks->token_index[i] > end)
			end = ks->token_index[i];
	}
	/* The last token starts at the largest index; tokens are short. */
	size_t len = end + 256;
	if (len > TOKEN_TABLE_MAX)
		len = TOKEN_TABLE_MAX;
	ks->tokens = malloc(len + 1);
	if (!ks->tokens)
		return &sd_enomem;
	size_t got = mem->read(mem->arg, table, ks->tokens, len);
	if (got <= end)
		return bad("kallsyms_token_table is not in the dump");
	ks->tokens[got] = '\0';
	ks->tokens_len = got;
	token_lengths(ks->tokens, ks->tokens_len, ks->token_index, ks->token_len);
	return NULL;
}

/* Read n table entries of esize bytes at addr into ks->addrs (raw values). */
static bool read_raw(const struct sd_kmem *mem, uint64_t at, uint32_t n, unsigned esize,
		     uint64_t *out, uint8_t *buf)
{
	for (uint32_t i = 0; i < n;) {
		size_t want = (size_t)(n - i) * esize;
		if (want > CHUNK)
			want = CHUNK / esize * esize;
		if (!sd_kmem_read(mem, at + (uint64_t)i * esize, buf, want))
			return false;
		for (size_t j = 0; j < want / esize; j++, i++)
			out[i] = sd_kmem_uint(mem, buf + j * esize, esize);
	}
	return true;
}

static struct sd_error *read_addresses(const struct sd_kmem *mem, const struct sd_vmcoreinfo *vi,
				       uint32_t n, struct sd_kallsyms *ks)
{
	uint64_t offsets, base_addr, addresses;
	ks->addrs = malloc(sizeof(*ks->addrs) * (n ? n : 1));
	if (!ks->addrs)
		return &sd_enomem;
	bool have_offsets = sd_vmcoreinfo_symbol(vi, "kallsyms_offsets", &offsets);
	bool have_base = sd_vmcoreinfo_symbol(vi, "kallsyms_relative_base", &base_addr);
	if (!have_offsets && !sd_vmcoreinfo_symbol(vi, "kallsyms_addresses", &addresses))
		return bad("VMCOREINFO has neither kallsyms_offsets nor kallsyms_addresses");
	uint64_t base = 0;
	if (have_offsets && have_base && !sd_kmem_read_ptr(mem, base_addr, &base))
		return bad("kallsyms_relative_base is not in the dump");
	unsigned esize = have_offsets ? 4 : mem->ptr_size;
	uint64_t at = have_offsets ? offsets : addresses;
	uint8_t *buf = malloc(CHUNK);
	if (!buf)
		return &sd_enomem;
	bool ok = read_raw(mem, at, n, esize, ks->addrs, buf);
	free(buf);
	if (!ok)
		return bad("the address table is not in the dump");
	/*
	 * Offsets without a relative base are place-relative: Linux commit
	 * a081b5789255 ("kallsyms: Get rid of kallsyms relative base") (v7.0)
	 * dropped SYMBOL(kallsyms_relative_base) with the base itself.
	 * CONFIG_KALLSYMS_ABSOLUTE_PERCPU is not in VMCOREINFO: it is taken to be
	 * set when any offset is negative, which among base-relative tables only
	 * it produces (scripts/kallsyms.c checks the others for overflow).
	 */
	enum addr_kind kind = ADDR_ABSOLUTE;
	if (have_offsets && !have_base) {
		kind = ADDR_PLACE;
	} else if (have_offsets) {
		kind = ADDR_RELATIVE;
		for (uint32_t i = 0; i < n; i++)
			if (ks->addrs[i] & 0x80000000u)
				kind = ADDR_ABS_PERCPU;
	}
	for (uint32_t i = 0; i < n; i++)
		ks->addrs[i] = decode_addr(kind, ks->addrs[i], base, at + 4 * (uint64_t)i,
					   mem->ptr_size);
	snprintf(ks->how, sizeof(ks->how), "kallsyms located by VMCOREINFO: %u symbols, %s", n,
		 addr_kind_names[kind]);
	return NULL;
}

struct sd_error *sd_kallsyms_load(const struct sd_kmem *mem, const struct sd_vmcoreinfo *vi,
				  struct sd_kallsyms **ret)
{
	uint64_t num_addr, names, table, index;
	if (!sd_vmcoreinfo_symbol(vi, "kallsyms_num_syms", &num_addr) ||
	    !sd_vmcoreinfo_symbol(vi, "kallsyms_names", &names) ||
	    !sd_vmcoreinfo_symbol(vi, "kallsyms_token_table", &table) ||
	    !sd_vmcoreinfo_symbol(vi, "kallsyms_token_index", &index))
		return bad("VMCOREINFO does not locate the tables "
			   "(Linux < 6.0 or !CONFIG_KALLSYMS)");
	uint64_t n;
	if (!sd_kmem_read_uint(mem, num_addr, 4, &n))
		return bad("kallsyms_num_syms is not in the dump");
	if (n == 0 || n > SD_KALLSYMS_MAX_SYMS)
		return bad("kallsyms_num_syms is out of range");
	struct sd_kallsyms *ks = calloc(1, sizeof(*ks));
	if (!ks)
		return &sd_enomem;
	ks->n = (uint32_t)n;
	ks->big = true;
	struct sd_error *err;
	if ((err = read_tokens(mem, table, index, ks)) ||
	    (err = read_names(mem, names, ks->n, ks)) ||
	    (err = read_addresses(mem, vi, ks->n, ks))) {
		sd_kallsyms_destroy(ks);
		return err;
	}
	*ret = ks;
	return NULL;
}

/* --- Finding the tables in the kernel image (Linux < 6.0) ---------------------------------- */

/*
 * What scripts/kallsyms.c (write_src()) has emitted, into .rodata, each
 * table starting at ALGN (.balign 8 on 64-bit, 4 on 32-bit; .balign 4 for
 * all since v7.0), and which this search accepts:
 *
 *  v4.18 (read at v4.19): [kallsyms_addresses | kallsyms_offsets,
 *      kallsyms_relative_base], kallsyms_num_syms (PTR), kallsyms_names,
 *      kallsyms_markers (PTR), kallsyms_token_table, kallsyms_token_index;
 *  v5.10, v6.1 (read there): the same order, num_syms and markers .long (the
 *      change from PTR, somewhere between v4.19 and v5.10, was not pinned
 *      down: both widths are accepted whatever the version); 2-byte "big"
 *      lengths from Linux commit 73bbb94466fd ("kallsyms: support "big"
 *      kernel symbols") (v6.1);
 *  v6.2, v6.3 and 6.1.y since 6.1.60: kallsyms_seqs_of_names (3 bytes per
 *      symbol) between markers and token_table: Linux commit 60443c88f3a8
 *      ("kallsyms: Improve the performance of kallsyms_lookup_name()") (v6.2),
 *      19bd8981dc2e ("kallsyms: Reduce the memory occupied by
 *      kallsyms_seqs_of_names[]") (v6.2);
 *  v6.4 on: num_syms, names, markers, token_table, token_index, then
 *      [addresses | offsets, relative_base], seqs_of_names: Linux commit
 *      404bad70fcf7 ("scripts/kallsyms: change the output order") (v6.4);
 *      absolute addresses gone with 64e166099b69 ("kallsyms: get rid of code
 *      for absolute kallsyms") (v6.11), absolute per-cpu with 01157ddc58dc
 *      ("kallsyms: Remove KALLSYMS_ABSOLUTE_PERCPU") (v6.15), the relative base
 *      with a081b5789255 ("kallsyms: Get rid of kallsyms relative base")
 *      (v7.0: offsets relative to their own address, checked at v6.12 and in
 *      that commit).
 *
 * So: kallsyms_token_index is 256 increasing u16 from 0, right after the
 * token table whose NUL-terminated strings they index; kallsyms_markers
 * (0 first, increasing by 512 bytes or more) ends right before the token
 * table, or before seqs_of_names which ends right before it; the names end
 * right before the markers and start right after kallsyms_num_syms; the
 * addresses lie right before num_syms (< v6.4) or right after the token index
 * (>= v6.4). The search looks for the token index from the end of the image
 * down, derives the rest from it and checks each piece against the others and
 * the whole against VMCOREINFO.
 */

enum {
	PAGE = 4096,
	WINDOW = 1024 * 1024,
	INDEX_BYTES = TOKENS * 2,
	/* bytes of 256 symbols in kallsyms_names: at least a length and a token each */
	MARKER_DELTA_MIN = 256 * 2,
	MARKER_DELTA_MAX = 256 * (2 + KSYM_NAME_MAX),
	MARKERS_MAX = SD_KALLSYMS_SCAN_MAX_SYMS / 256,
	/* token indices looked at more closely, and markers that fit, at most */
	VERIFY_MAX = 256,
	ATTEMPTS_MAX = 64,
	/* text symbols lie this close to _stext (x86_64 KERNEL_IMAGE_SIZE is 1 GiB) */
	TEXT_SPAN = 1u << 30,
};

/* A VMCOREINFO SYMBOL() and the table entries of that name. */
struct vsym {
	char name[SD_KALLSYMS_VMCOREINFO_NAME_MAX];
	size_t len;
	uint64_t addr;
	uint32_t *idx;
	size_t n_idx, cap;
};

struct scan {
	const struct sd_kmem *m;
	unsigned ptr;
	uint64_t lo, hi;	/* the region: [_stext, end of read-only data) */
	uint64_t stext;
	struct timespec t0;
	uint64_t max_ms;
	bool timed_out, oom;
	int attempts, verifies;
	struct vsym *vs;
	size_t n_vs;
	char why[256];		/* why the last candidate was refused */
};

/* What one candidate has gathered so far. */
struct cand {
	uint64_t index, table;	/* kallsyms_token_index, kallsyms_token_table */
	uint16_t idx[TOKENS], tlen[TOKENS];
	char *tokens;
	size_t tokens_len;
	uint64_t markers;
	unsigned mwidth;	/* 4 (.long) or the pointer size (PTR, < v5.x) */
	uint32_t n_markers;
	uint32_t *mk;
	bool seqs_before;	/* seqs_of_names between markers and token table */
	uint64_t num_syms, names;
	uint32_t n;
	uint8_t *nbuf;		/* the names stream, nbuf[0] is at names */
	size_t names_len;
	bool big;
	uint32_t *name_off;
};

static void cand_free(struct cand *c)
{
	free(c->tokens);
	free(c->mk);
	sd_big_free(c->nbuf);
	free(c->name_off);
	memset(c, 0, sizeof(*c));
}

__attribute__((format(printf, 3, 4))) static bool refuse(struct scan *s, uint64_t at,
							 const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(s->why, sizeof(s->why), "candidate at %#llx: %s", (unsigned long long)at, msg);
	return false;
}

static bool oom(struct scan *s)
{
	s->oom = true;
	return false;
}

static uint64_t elapsed_ms(const struct scan *s)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	int64_t ms = (int64_t)(t.tv_sec - s->t0.tv_sec) * 1000 +
		     (int64_t)(t.tv_nsec - s->t0.tv_nsec) / 1000000;
	return ms > 0 ? (uint64_t)ms : 0;
}

static bool out_of_time(struct scan *s)
{
	if (!s->timed_out && elapsed_ms(s) > s->max_ms)
		s->timed_out = true;
	return s->timed_out;
}

static uint64_t get(const struct scan *s, const uint8_t *p, unsigned size)
{
	return sd_kmem_uint(s->m, p, size);
}

/* Read what the dump has of [addr, addr + len); missing pages read as zeros. */
static void read_holey(const struct sd_kmem *m, uint64_t addr, uint8_t *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		size_t got = m->read(m->arg, addr + done, buf + done, len - done);
		if (got > len - done)
			got = len - done;
		done += got;
		if (done < len) {
			size_t skip = PAGE - (size_t)((addr + done) % PAGE);
			if (skip > len - done)
				skip = len - done;
			memset(buf + done, 0, skip);
			done += skip;
		}
	}
}

/*
 * A fresh buffer with [addr, addr + len) of the dump, missing pages as zeros
 * (makedumpfile -d 1 leaves out pages of zeros, which .rodata may have near
 * the tables; zeros inside a table make it fail its checks), or NULL.
 */
static uint8_t *read_buf(struct scan *s, uint64_t addr, size_t len)
{
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf)
		oom(s);
	else
		read_holey(s->m, addr, buf, len);
	return buf;
}

static bool zeros(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static uint64_t align_up(uint64_t v, unsigned a)
{
	return (v + a - 1) & ~(uint64_t)(a - 1);
}

/* 256 u16 from 0, each larger than the one before by at most a token's length. */
static bool token_index_at(const struct scan *s, const uint8_t *p, uint16_t idx[TOKENS])
{
	if (p[0] | p[1])
		return false;
	uint32_t prev = 0;
	idx[0] = 0;
	for (int i = 1; i < TOKENS; i++) {
		uint32_t v = (uint32_t)get(s, p + 2 * i, 2);
		if (v <= prev || v - prev > KSYM_NAME_MAX + 1)
			return false;
		idx[i] = (uint16_t)v;
		prev = v;
	}
	return true;
}

static bool printable(uint8_t c)
{
	return c > 0x20 && c < 0x7f;
}

/*
 * The token table ends right before the index (with at most 7 bytes of
 * padding): its last string ends there, and every index points right after
 * the NUL of the string before.
 */
static bool find_token_table(struct scan *s, struct cand *c)
{
	uint64_t need = (uint64_t)c->idx[TOKENS - 1] + KSYM_NAME_MAX + 16;
	if (c->index - s->lo < need)
		need = c->index - s->lo;
	uint64_t from = c->index - need;
	_cleanup_free_ uint8_t *b = read_buf(s, from, (size_t)need);
	if (!b)
		return false;
	size_t e = (size_t)need;
	size_t z = 0;
	while (e > 0 && b[e - 1] == 0 && z < 9) {
		e--;
		z++;
	}
	if (z == 0 || z > 8)
		return refuse(s, c->index, "the token table does not end right before the index");
	size_t last_end = e;	/* the last token's NUL is at b[e] */
	size_t r = 0;
	while (e > 0 && b[e - 1] != 0 && r <= KSYM_NAME_MAX) {
		e--;
		r++;
	}
	if (e == 0 || r > KSYM_NAME_MAX)
		return refuse(s, c->index, "no token table before the index");
	/* b[e - 1] is the NUL ending token 254; token 255 starts at e. */
	if (e < c->idx[TOKENS - 1])
		return refuse(s, c->index, "the token table would start before the search region");
	size_t t = e - c->idx[TOKENS - 1];
	uint64_t table = from + t;
	if (table % 4)
		return refuse(s, c->index, "the token table would be misaligned");
	for (int i = 0; i < TOKENS; i++) {
		size_t a = t + c->idx[i];
		size_t z_at = i + 1 < TOKENS ? t + c->idx[i + 1] - 1 : last_end;
		if (b[z_at] != 0)
			return refuse(s, c->index, "token %d is not NUL-terminated", i);
		for (size_t k = a; k < z_at; k++)
			if (!printable(b[k]))
				return refuse(s, c->index, "token %d has a byte %#x", i, b[k]);
	}
	c->table = table;
	c->tokens_len = last_end + 1 - t;
	c->tokens = malloc(c->tokens_len);
	if (!c->tokens)
		return oom(s);
	memcpy(c->tokens, b + t, c->tokens_len);
	token_lengths(c->tokens, c->tokens_len, c->idx, c->tlen);
	return true;
}

/*
 * kallsyms_seqs_of_names: the symbols' indices in name order, 3 bytes each,
 * most significant first: a permutation of [0, n).
 */
static bool seqs_ok(const uint8_t *p, uint32_t n)
{
	size_t words = ((size_t)n + 63) / 64;
	_cleanup_free_ uint64_t *seen = calloc(words ? words : 1, sizeof(*seen));
	if (!seen)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v = (uint32_t)p[3 * i] << 16 | (uint32_t)p[3 * i + 1] << 8 | p[3 * i + 2];
		if (v >= n || (seen[v / 64] & (1ull << (v % 64))))
			return false;
		seen[v / 64] |= 1ull << (v % 64);
	}
	return true;
}

/*
 * Could b[0, len) end with kallsyms_seqs_of_names (and up to 7 bytes of
 * padding)? Its entries' first bytes are index >> 16, small: look at the last
 * 16 before searching megabytes for markers in front of it.
 */
static bool seqs_tail(const uint8_t *b, size_t len)
{
	for (size_t pad = 0; pad < 8; pad++) {
		if (len < pad + 3 * 16)
			return false;
		bool fits = true;
		for (size_t j = 1; j <= 16 && fits; j++)
			fits = b[len - pad - 3 * j] <= (SD_KALLSYMS_SCAN_MAX_SYMS - 1) >> 16;
		if (fits)
			return true;
	}
	return false;
}

/* n names from nb[0] (len bytes), each 256th at its marker; they end at *ret_end. */
static bool parse_names(const struct cand *c, const uint8_t *nb, size_t len, uint32_t n, bool big,
			uint32_t *name_off, size_t *ret_end)
{
	size_t off = 0;
	for (uint32_t i = 0; i < n; i++) {
		if ((i & 0xff) == 0 && c->mk[i >> 8] != off)
			return false;
		size_t start, l;
		if (!entry(nb, len, off, big, &start, &l))
			return false;
		if (name_off)
			name_off[i] = (uint32_t)off;
		off = start + l;
	}
	*ret_end = off;
	return true;
}

static bool any_high_length(const uint8_t *nb, size_t len, uint32_t n)
{
	size_t off = 0;
	for (uint32_t i = 0; i < n && off < len; i++) {
		if (nb[off] & 0x80)
			return true;
		off += 1 + nb[off];
	}
	return false;
}

/* kallsyms_num_syms right before the names: .long (4 or 8 bytes before), or PTR (v4.19). */
static uint64_t num_syms_before(const struct scan *s, const uint8_t *at_n, unsigned hdr)
{
	const uint8_t *p = at_n - hdr;
	if (hdr == 4)
		return get(s, p, 4);
	if (get(s, p + 4, 4) == 0)
		return get(s, p, 4);	/* .long and padding, or a little-endian PTR */
	if (s->ptr == 8 && s->m->big_endian)
		return get(s, p, 8);	/* a big-endian PTR */
	return 0;
}

/* Do n names from b[o] (address start) fit the markers and end right before them? */
static bool names_at(struct scan *s, struct cand *c, const uint8_t *b, size_t o, uint64_t start,
		     uint32_t n, bool big)
{
	size_t avail = (size_t)(c->markers - start), end;
	if (!parse_names(c, b + o, avail, n, big, NULL, &end))
		return false;
	/* The markers follow at the next ALGN boundary, zeros between. */
	uint64_t pend = start + end;
	if ((align_up(pend, 4) != c->markers && align_up(pend, 8) != c->markers) ||
	    !zeros(b + o + end, (size_t)(c->markers - pend)))
		return false;
	c->name_off = malloc(sizeof(*c->name_off) * n);
	c->nbuf = sd_big_alloc(end ? end : 1);
	if (!c->name_off || !c->nbuf)
		return oom(s);
	parse_names(c, b + o, avail, n, big, c->name_off, &end);
	memcpy(c->nbuf, b + o, end);
	c->names_len = end;
	c->names = start;
	c->n = n;
	/* Report 2-byte lengths only where there are some. */
	c->big = big && any_high_length(c->nbuf, end, n);
	return true;
}

/*
 * Given the markers, find kallsyms_num_syms and kallsyms_names: the names
 * start right after num_syms (4 or 8 bytes on, with ALGN), hold n symbols
 * with n in the markers' range (or exactly n_exact), every 256th at its
 * marker, and end right before the markers.
 */
static bool find_names(struct scan *s, struct cand *c, uint32_t n_exact)
{
	uint64_t last = c->mk[c->n_markers - 1], full = (uint64_t)(c->n_markers - 1) * 256;
	uint64_t n_min = full + 1, n_max = full + 256;
	if (n_exact)
		n_min = n_max = n_exact;
	if (last > SD_KALLSYMS_SCAN_MAX_NAMES || c->markers - s->lo < last + 2 + 8)
		return refuse(s, c->markers, "the markers point past the search region");
	/* The entries after the last marker take 2 to 2 + KSYM_NAME_MAX bytes each. */
	uint64_t span = last + (n_max - full) * (2 + KSYM_NAME_MAX) + 16;
	if (span > c->markers - s->lo)
		span = c->markers - s->lo;
	uint64_t from = c->markers - span;
	_cleanup_free_ uint8_t *b = read_buf(s, from, (size_t)span);
	if (!b)
		return false;
	/* Candidate starts start: aligned, with at least one symbol after the last marker. */
	uint64_t top = (c->markers - last - 2) & ~(uint64_t)3;
	for (uint64_t start = top; start >= from + 8; start -= 4) {
		size_t o = (size_t)(start - from);
		for (unsigned hdr = 4; hdr <= 8; hdr += 4) {
			uint64_t n = num_syms_before(s, b + o, hdr);
			if (n < n_min || n > n_max)
				continue;
			/* 2-byte lengths (v6.1) first; older kernels never set bit 7. */
			if (names_at(s, c, b, o, start, (uint32_t)n, true) ||
			    (any_high_length(b + o, (size_t)(c->markers - start), (uint32_t)n) &&
			     names_at(s, c, b, o, start, (uint32_t)n, false))) {
				c->num_syms = start - hdr;
				return true;
			}
			if (s->oom)
				return false;
		}
	}
	return refuse(s, c->markers, "no kallsyms_num_syms and kallsyms_names fit the %u markers",
		      c->n_markers);
}

/*
 * k markers ending at end (exclusive), b holding [from, table): does the
 * token table (or seqs_of_names, then the token table) follow? For seqs the
 * symbol count follows from its length: *ret_n.
 */
static bool markers_fit(const struct cand *c, const uint8_t *b, uint64_t from,
			uint64_t end, uint32_t k, bool *ret_seqs, uint32_t *ret_n)
{
	for (unsigned a = 4; a <= 8; a += 4) {
		uint64_t aligned = align_up(end, a);
		if (aligned > c->table)
			continue;
		if (!zeros(b + (end - from), (size_t)(aligned - end)))
			continue;
		if (aligned == c->table) {
			*ret_seqs = false;
			*ret_n = 0;
			return true;
		}
		uint64_t gap = c->table - aligned;
		for (unsigned pad = 0; pad < a && pad <= gap; pad++) {
			if ((gap - pad) % 3)
				continue;
			uint64_t n = (gap - pad) / 3;
			if (n <= (uint64_t)(k - 1) * 256 || n > (uint64_t)k * 256)
				continue;
			if (!zeros(b + (aligned + 3 * n - from), pad) ||
			    !seqs_ok(b + (aligned - from), (uint32_t)n))
				continue;
			*ret_seqs = true;
			*ret_n = (uint32_t)n;
			return true;
		}
	}
	return false;
}

/* The increasing run of w-byte offsets from a 0 at p: how many, at most up to the table. */
static uint32_t marker_run(const struct scan *s, const struct cand *c, const uint8_t *b,
			   uint64_t from, uint64_t p, unsigned w)
{
	uint64_t prev = 0;
	uint32_t run = 1;
	while (run < MARKERS_MAX && p + (uint64_t)(run + 1) * w <= c->table) {
		uint64_t v = get(s, b + (p + (uint64_t)run * w - from), w);
		if (v < prev + MARKER_DELTA_MIN || v > prev + MARKER_DELTA_MAX)
			break;
		prev = v;
		run++;
	}
	return run;
}

/* The first k markers of the run at p, if they fit before the table, and then the names. */
static bool markers_at(struct scan *s, struct cand *c, const uint8_t *b, uint64_t from,
		       uint64_t p, unsigned w, uint32_t k, bool *tried)
{
	bool seqs;
	uint32_t n;
	if (!markers_fit(c, b, from, p + (uint64_t)k * w, k, &seqs, &n))
		return false;
	*tried = true;
	if (++s->attempts > ATTEMPTS_MAX)
		return refuse(s, c->table, "too many candidate markers");
	c->mk = malloc(sizeof(*c->mk) * k);
	if (!c->mk)
		return oom(s);
	for (uint32_t i = 0; i < k; i++)
		c->mk[i] = (uint32_t)get(s, b + (p + (uint64_t)i * w - from), w);
	c->markers = p;
	c->mwidth = w;
	c->n_markers = k;
	c->seqs_before = seqs;
	if (find_names(s, c, n))
		return true;
	free(c->mk);
	c->mk = NULL;
	return false;
}

/*
 * Look, from the token table down, for the markers: a 0 followed by
 * increasing offsets, ending right before the token table (first pass) or
 * before kallsyms_seqs_of_names which ends right before it (second pass, 3
 * bytes a symbol further down). Then the names.
 */
static bool find_markers(struct scan *s, struct cand *c)
{
	static const uint64_t reach[] = {
		8ull * MARKERS_MAX + 64,
		3ull * SD_KALLSYMS_SCAN_MAX_SYMS + 8ull * MARKERS_MAX + 64,
	};
	bool maybe_seqs = true, tried = false;
	for (int pass = 0; pass < 2 && maybe_seqs; pass++) {
		uint64_t span = reach[pass];
		if (span > c->table - s->lo)
			span = c->table - s->lo;
		span &= ~(uint64_t)7;
		uint64_t from = c->table - span;
		_cleanup_free_ uint8_t *b = read_buf(s, from, (size_t)span);
		if (!b)
			return false;
		unsigned widths[2] = { 4, s->ptr == 8 ? 8 : 0 };
		uint64_t steps = 0;
		for (uint64_t p = c->table; p >= from + 4;) {
			p -= 4;
			if (++steps % 65536 == 0 && out_of_time(s))
				return refuse(s, c->table, "out of time looking for the markers");
			for (int wi = 0; wi < 2; wi++) {
				unsigned w = widths[wi];
				if (!w || p % w || p + w > c->table ||
				    get(s, b + (p - from), w) != 0)
					continue;
				for (uint32_t k = marker_run(s, c, b, from, p, w); k >= 1; k--) {
					bool near = p + (uint64_t)k * w + 8 >= c->table;
					if (pass == 0 && !near)
						break;
					if (pass == 1 && near)
						continue;	/* tried in the first pass */
					if (markers_at(s, c, b, from, p, w, k, &tried))
						return true;
					if (s->oom || s->attempts > ATTEMPTS_MAX)
						return false;
				}
			}
		}
		if (pass == 0)
			maybe_seqs = seqs_tail(b, span);
	}
	if (!tried)
		refuse(s, c->table, "no kallsyms_markers end before the token table");
	return false;
}

/* The types nm gives symbols: a letter, '?' for unknown (per-cpu ones were 'A' once). */
static bool type_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '?';
}

/* Every name decodes to a type letter and printable characters; note the VMCOREINFO ones. */
static bool check_names(struct scan *s, struct cand *c)
{
	char buf[KSYM_NAME_MAX * 2 + 8];
	for (size_t v = 0; v < s->n_vs; v++)
		s->vs[v].n_idx = 0;
	for (uint32_t i = 0; i < c->n; i++) {
		size_t l = expand_at(c->nbuf, c->names_len, c->name_off[i], c->big, c->tokens,
				     c->idx, c->tlen, buf, sizeof(buf));
		if (l < 2 || !type_char(buf[0]))
			return refuse(s, c->index, "symbol %u does not decode to a name", i);
		for (size_t k = 1; k < l; k++)
			if (!printable((uint8_t)buf[k]))
				return refuse(s, c->index, "symbol %u has a byte %#x", i,
					      (uint8_t)buf[k]);
		for (size_t v = 0; v < s->n_vs; v++) {
			struct vsym *vs = &s->vs[v];
			if (vs->len != l - 1 || memcmp(buf + 1, vs->name, vs->len) != 0)
				continue;
			if (!sd_grow(&vs->idx, &vs->cap, vs->n_idx + 1, sizeof(*vs->idx)))
				return oom(s);
			vs->idx[vs->n_idx++] = i;
		}
	}
	return true;
}

/*
 * Decode n entries at at as kind; accept them if they are in address order,
 * text symbols near _stext, and VMCOREINFO agrees. On success *ret holds
 * the addresses.
 */
static bool try_addresses(struct scan *s, struct cand *c, enum addr_kind kind, uint64_t at,
			  uint64_t base, uint64_t **ret, char *what, size_t what_size)
{
	unsigned esize = kind == ADDR_ABSOLUTE ? s->ptr : 4;
	uint64_t bytes = (uint64_t)c->n * esize;
	if (at < s->lo || at + bytes < at)
		return false;
	_cleanup_free_ uint64_t *a = malloc(sizeof(*a) * c->n);
	_cleanup_free_ uint8_t *raw = malloc(CHUNK);
	if (!a || !raw)
		return oom(s);
	/* In chunks, so that a wrong guess stops at its first entry out of order. */
	uint64_t prev = 0;
	for (uint32_t i = 0; i < c->n;) {
		size_t want = (size_t)(c->n - i) * esize;
		if (want > CHUNK)
			want = CHUNK / esize * esize;
		uint64_t chunk_at = at + (uint64_t)i * esize;
		read_holey(s->m, chunk_at, raw, want);
		for (size_t j = 0; j < want / esize; j++, i++) {
			a[i] = decode_addr(kind, get(s, raw + j * esize, esize), base,
					   chunk_at + j * esize, s->ptr);
			if (a[i] < prev)
				return false;	/* scripts/kallsyms.c sorts by address */
			prev = a[i];
		}
	}
	/* Text symbols ('T', 't') lie in the kernel image around _stext. */
	for (uint32_t i = 0; i < c->n; i++) {
		size_t start, l;
		if (!entry(c->nbuf, c->names_len, c->name_off[i], c->big, &start, &l))
			return false;
		size_t ti = c->idx[c->nbuf[start]];
		char type = ti < c->tokens_len ? c->tokens[ti] : 0;
		uint64_t dist = a[i] >= s->stext ? a[i] - s->stext : s->stext - a[i];
		if ((type == 'T' || type == 't') && dist > TEXT_SPAN)
			return false;
	}
	/* Every VMCOREINFO symbol the table has must be at its address; one at least. */
	size_t agree = 0;
	for (size_t v = 0; v < s->n_vs; v++) {
		const struct vsym *vs = &s->vs[v];
		bool found = false;
		for (size_t j = 0; j < vs->n_idx && !found; j++)
			found = a[vs->idx[j]] == vs->addr;
		if (vs->n_idx && !found && !sd_kallsyms_vmcoreinfo_value_only(vs->name)) {
			snprintf(what, what_size, "%s decodes %s to %#llx, VMCOREINFO says %#llx",
				 addr_kind_names[kind], vs->name,
				 (unsigned long long)a[vs->idx[0]], (unsigned long long)vs->addr);
			return false;
		}
		agree += found;
	}
	if (!agree) {
		snprintf(what, what_size, "%s: no VMCOREINFO symbol to confirm it",
			 addr_kind_names[kind]);
		return false;
	}
	*ret = take_ptr(a);
	return true;
}

/* A place for the address table, and how to read it. */
struct addr_try {
	enum addr_kind kind;
	uint64_t at;		/* the table */
	uint64_t base_at;	/* kallsyms_relative_base, or 0 */
	uint64_t end;		/* the end of the last table of the group */
};

struct addr_found {
	uint64_t *addrs;
	enum addr_kind kind;
	const char *where;
	bool seqs_after;
};

/* Since v6.4 kallsyms_seqs_of_names follows the address tables (at the next ALGN). */
static bool seqs_follow(struct scan *s, uint64_t end, uint32_t n)
{
	for (unsigned a = 4; a <= 8; a += 4) {
		_cleanup_free_ uint8_t *q = read_buf(s, align_up(end, a), 3 * (size_t)n);
		if (q && seqs_ok(q, n))
			return true;
	}
	return false;
}

static bool try_place(struct scan *s, struct cand *c, const struct addr_try *t, bool v64,
		      struct addr_found *ret, char *what, size_t what_size)
{
	uint64_t base = 0;
	if (t->base_at && !sd_kmem_read_ptr(s->m, t->base_at, &base))
		return false;
	if (!try_addresses(s, c, t->kind, t->at, base, &ret->addrs, what, what_size))
		return false;
	if (v64 && !seqs_follow(s, t->end, c->n)) {
		snprintf(what, what_size, "no kallsyms_seqs_of_names after the addresses");
		free(ret->addrs);
		ret->addrs = NULL;
		return false;
	}
	ret->kind = t->kind;
	ret->where = v64 ? "after kallsyms_token_index (v6.4 and later)"
			 : "before kallsyms_num_syms (before v6.4)";
	ret->seqs_after = v64;
	return true;
}

/*
 * The address table: right before kallsyms_num_syms (< v6.4: offsets, pad,
 * relative_base; or addresses), or right after the token index (>= v6.4:
 * offsets, relative_base (< v7.0); or addresses (< v6.11); then
 * seqs_of_names). Each kind that can be there, by ALGN 4 and 8.
 */
static bool find_addresses(struct scan *s, struct cand *c, struct addr_found *ret)
{
	char what[200] = "";
	uint64_t n = c->n, ptr = s->ptr, nsyms = c->num_syms;
	struct addr_try before[5], after[8];
	size_t nb = 0, na = 0;
	if (nsyms >= s->lo + ptr + 4 * n && nsyms % ptr == 0) {
		uint64_t rb = nsyms - ptr, o = rb - 4 * n;
		before[nb++] = (struct addr_try){ ADDR_ABS_PERCPU, o, rb, nsyms };
		before[nb++] = (struct addr_try){ ADDR_RELATIVE, o, rb, nsyms };
		if (o % 8) {
			before[nb++] = (struct addr_try){ ADDR_ABS_PERCPU, o & ~7ull, rb, nsyms };
			before[nb++] = (struct addr_try){ ADDR_RELATIVE, o & ~7ull, rb, nsyms };
		}
	}
	if (nsyms >= s->lo + ptr * n)
		before[nb++] = (struct addr_try){ ADDR_ABSOLUTE, nsyms - ptr * n, 0, nsyms };
	uint64_t idx_end = c->index + INDEX_BYTES, abs = align_up(idx_end, (unsigned)ptr);
	for (unsigned a = 4; a <= 8 && !c->seqs_before; a += 4) {
		uint64_t o = align_up(idx_end, a), rb = align_up(o + 4 * n, (unsigned)ptr);
		after[na++] = (struct addr_try){ ADDR_ABS_PERCPU, o, rb, rb + ptr };
		after[na++] = (struct addr_try){ ADDR_RELATIVE, o, rb, rb + ptr };
		after[na++] = (struct addr_try){ ADDR_PLACE, o, 0, o + 4 * n };
		if (a == 8 || ptr == 4)
			after[na++] = (struct addr_try){ ADDR_ABSOLUTE, abs, 0, abs + ptr * n };
	}
	for (size_t i = 0; i < nb; i++)
		if (try_place(s, c, &before[i], false, ret, what, sizeof(what)))
			return true;
	for (size_t i = 0; i < na; i++)
		if (try_place(s, c, &after[i], true, ret, what, sizeof(what)))
			return true;
	return refuse(s, c->index, "%u symbols, but no address table fits%s%s", c->n,
		      what[0] ? ": " : "", what);
}

/* Everything from a token index at index; fills *ret on success. */
static bool verify(struct scan *s, uint64_t index, const uint16_t idx[TOKENS],
		   struct sd_kallsyms **ret)
{
	struct cand c = { .index = index };
	memcpy(c.idx, idx, sizeof(c.idx));
	struct addr_found f = { 0 };
	if (!find_token_table(s, &c) || !find_markers(s, &c) || !check_names(s, &c) ||
	    !find_addresses(s, &c, &f)) {
		cand_free(&c);
		return false;
	}
	struct sd_kallsyms *ks = calloc(1, sizeof(*ks));
	if (!ks) {
		free(f.addrs);
		cand_free(&c);
		return oom(s);
	}
	ks->n = c.n;
	ks->names = take_ptr(c.nbuf);
	ks->names_len = c.names_len;
	ks->big = c.big;
	ks->name_off = take_ptr(c.name_off);
	ks->tokens = take_ptr(c.tokens);
	ks->tokens_len = c.tokens_len;
	memcpy(ks->token_index, c.idx, sizeof(ks->token_index));
	memcpy(ks->token_len, c.tlen, sizeof(ks->token_len));
	ks->addrs = f.addrs;
	snprintf(ks->how, sizeof(ks->how),
		 "kallsyms found by searching the kernel image: %u symbols, kallsyms_names at "
		 "%#llx, kallsyms_token_table at %#llx, %s-byte markers, %s%s; %s, %s",
		 c.n, (unsigned long long)c.names, (unsigned long long)c.table,
		 c.mwidth == 4 ? "4" : "pointer", c.big ? "2-byte lengths, " : "",
		 c.seqs_before ? "seqs_of_names before the token table (v6.2, v6.3, 6.1.y)"
		 : f.seqs_after ? "seqs_of_names last"
				: "no seqs_of_names",
		 addr_kind_names[f.kind], f.where);
	cand_free(&c);
	*ret = ks;
	return true;
}

/* The VMCOREINFO SYMBOL()s, to check the tables against. */
static struct sd_error *collect_vmcoreinfo(struct scan *s, const struct sd_vmcoreinfo *vi)
{
	struct vsym v = { .name = "" };
	for (size_t pos = 0; sd_kallsyms_vmcoreinfo_next_symbol(vi, &pos, v.name, &v.addr);) {
		v.len = strlen(v.name);
		size_t cap = s->n_vs;
		if (!sd_grow(&s->vs, &cap, s->n_vs + 1, sizeof(*s->vs)))
			return &sd_enomem;
		s->vs[s->n_vs++] = v;
	}
	return NULL;
}

static void scan_deinit(struct scan *s)
{
	for (size_t v = 0; v < s->n_vs; v++)
		free(s->vs[v].idx);
	free(s->vs);
}

struct sd_error *sd_kallsyms_scan(const struct sd_kmem *mem, const struct sd_vmcoreinfo *vi,
				  const struct sd_kallsyms_scan_limits *limits,
				  struct sd_kallsyms **ret)
{
	struct scan s = { .m = mem, .ptr = mem->ptr_size == 4 ? 4 : 8 };
	uint64_t max_bytes = limits && limits->max_bytes ? limits->max_bytes
							 : SD_KALLSYMS_SCAN_MAX_BYTES;
	s.max_ms = limits && limits->max_ms ? limits->max_ms : SD_KALLSYMS_SCAN_MAX_MS;
	clock_gettime(CLOCK_MONOTONIC, &s.t0);
	if (!sd_vmcoreinfo_symbol(vi, "_stext", &s.stext))
		return bad("VMCOREINFO has no SYMBOL(_stext) to bound a search of the "
			   "kernel image");
	/*
	 * The tables are in .rodata, between the text (from _stext) and the
	 * data; init_uts_ns is data (init/version.c). Search down from there.
	 */
	uint64_t end;
	s.lo = s.stext;
	if (sd_vmcoreinfo_symbol(vi, "init_uts_ns", &end) && end > s.stext &&
	    end - s.stext <= TEXT_SPAN)
		s.hi = end;
	else if (s.stext + max_bytes > s.stext)
		s.hi = s.stext + max_bytes;
	else
		return bad("SYMBOL(_stext) is at the end of the address space");
	uint64_t start = s.hi - s.lo > max_bytes ? s.hi - max_bytes : s.lo;
	struct sd_error *err = collect_vmcoreinfo(&s, vi);
	if (err) {
		scan_deinit(&s);
		return err;
	}
	uint8_t *w = malloc(WINDOW + INDEX_BYTES);
	if (!w) {
		scan_deinit(&s);
		return &sd_enomem;
	}
	bool found = false;
	uint64_t searched = 0;
	/* Windows from the top down, each overlapping the one above by the index's size. */
	for (uint64_t top = s.hi & ~(uint64_t)3; top > start && !found && !s.timed_out;) {
		uint64_t bottom = top - start > WINDOW ? top - WINDOW : start;
		bottom = align_up(bottom, 4);
		uint64_t len = top - bottom;
		uint64_t rlen = len + INDEX_BYTES;
		if (rlen > s.hi - bottom)
			rlen = s.hi - bottom;
		read_holey(mem, bottom, w, (size_t)rlen);
		searched += len;
		for (uint64_t q = top; q >= bottom + 4 && !found;) {
			q -= 4;
			size_t o = (size_t)(q - bottom);
			uint16_t idx[TOKENS];
			if (o + INDEX_BYTES > rlen || (w[o] | w[o + 1]) || !(w[o + 2] | w[o + 3]) ||
			    !token_index_at(&s, w + o, idx))
				continue;
			uint64_t p = q;
			found = verify(&s, p, idx, ret);
			if (s.attempts > ATTEMPTS_MAX || ++s.verifies >= VERIFY_MAX ||
			    out_of_time(&s))
				break;
		}
		if (s.attempts > ATTEMPTS_MAX || s.verifies >= VERIFY_MAX || out_of_time(&s)) {
			if (!s.timed_out)
				snprintf(s.why, sizeof(s.why), "gave up after %d candidates",
					 s.verifies);
			break;
		}
		top = bottom;
	}
	free(w);
	scan_deinit(&s);
	if (found)
		return NULL;
	if (s.oom)
		return &sd_enomem;
	char what[96];
	snprintf(what, sizeof(what), "%.1f MiB of [%#llx, %#llx) searched in %llu ms",
		 searched / 1048576.0, (unsigned long long)s.lo, (unsigned long long)s.hi,
		 (unsigned long long)elapsed_ms(&s));
	if (s.timed_out)
		return sd_error_create(SD_ERROR_INPUT,
				       "kallsyms: the search ran out of time (%s)%s%s", what,
				       s.why[0] ? "; " : "", s.why);
	return sd_error_create(SD_ERROR_INPUT,
			       "kallsyms: no tables found in the kernel image (%s)%s%s", what,
			       s.why[0] ? "; last " : "", s.why);
}

/* --- Using the tables ---------------------------------------------------------------------- */

bool sd_kallsyms_vmcoreinfo_next_symbol(const struct sd_vmcoreinfo *vi, size_t *pos,
					char name[SD_KALLSYMS_VMCOREINFO_NAME_MAX],
					uint64_t *ret_addr)
{
	static const char prefix[] = "SYMBOL(";
	const char *raw = vi->raw ? vi->raw : "";
	size_t len = strlen(raw);
	while (*pos < len) {
		const char *line = raw + *pos;
		const char *nl = strchr(line, '\n');
		size_t l = nl ? (size_t)(nl - line) : strlen(line);
		*pos += l + (nl ? 1 : 0);
		const char *close = memchr(line, ')', l);
		if (l < sizeof(prefix) || strncmp(line, prefix, sizeof(prefix) - 1) || !close ||
		    close + 1 >= line + l || close[1] != '=')
			continue;
		size_t n = (size_t)(close - line) - (sizeof(prefix) - 1);
		if (n == 0 || n >= SD_KALLSYMS_VMCOREINFO_NAME_MAX)
			continue;
		memcpy(name, line + sizeof(prefix) - 1, n);
		name[n] = '\0';
		/* Only the first line of a name (sd_vmcoreinfo_symbol() reads that one). */
		char key[SD_KALLSYMS_VMCOREINFO_NAME_MAX + 16];
		snprintf(key, sizeof(key), "%s%s)=", prefix, name);
		const char *first = strstr(raw, key);
		while (first && first != raw && first[-1] != '\n')
			first = strstr(first + 1, key);
		if (first != line)
			continue;
		if (sd_vmcoreinfo_symbol(vi, name, ret_addr))
			return true;
	}
	return false;
}

bool sd_kallsyms_vmcoreinfo_value_only(const char *name)
{
	static const char *const arrays[] = { "swapper_pg_dir", "mem_section", "vmemmap" };
	for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
		if (!strcmp(name, arrays[i]))
			return true;
	return false;
}

const char *sd_kallsyms_describe(const struct sd_kallsyms *ks)
{
	return ks->how;
}

uint32_t sd_kallsyms_count(const struct sd_kallsyms *ks)
{
	return ks->n;
}

/* Expand symbol i into buf (type letter first); false if it does not fit or is corrupt. */
static bool expand(const struct sd_kallsyms *ks, uint32_t i, char *buf, size_t size)
{
	return expand_at(ks->names, ks->names_len, ks->name_off[i], ks->big, ks->tokens,
			 ks->token_index, ks->token_len, buf, size) > 0;
}

bool sd_kallsyms_symbol(const struct sd_kallsyms *ks, uint32_t i, char *buf, size_t size,
			uint64_t *ret_addr)
{
	if (i >= ks->n || !expand(ks, i, buf, size))
		return false;
	*ret_addr = ks->addrs[i];
	return true;
}

/* Does symbol i's name (after its type letter) equal name? Compared token by token. */
static bool name_is(const struct sd_kallsyms *ks, uint32_t i, const char *name, size_t name_len)
{
	size_t start, len, o = 0;
	bool first = true;
	if (!entry(ks->names, ks->names_len, ks->name_off[i], ks->big, &start, &len))
		return false;
	for (size_t k = 0; k < len; k++) {
		uint8_t c = ks->names[start + k];
		size_t tl = ks->token_len[c];
		if (tl == TOKEN_BAD)
			return false;
		const char *tok = ks->tokens + ks->token_index[c];
		if (first && tl) {	/* the type letter */
			tok++;
			tl--;
			first = false;
		}
		if (tl > name_len - o || memcmp(tok, name + o, tl) != 0)
			return false;
		o += tl;
	}
	return !first && o == name_len;
}

bool sd_kallsyms_lookup(const struct sd_kallsyms *ks, const char *name, uint64_t *ret)
{
	size_t l = strlen(name);
	for (uint32_t i = 0; i < ks->n; i++) {
		if (name_is(ks, i, name, l)) {
			*ret = ks->addrs[i];
			return true;
		}
	}
	return false;
}

static bool ksyms_lookup(const void *arg, const char *name, uint64_t *ret)
{
	return sd_kallsyms_lookup(arg, name, ret);
}

void sd_kallsyms_ksyms(const struct sd_kallsyms *ks, struct sd_ksyms *ret)
{
	ret->lookup = ksyms_lookup;
	ret->arg = ks;
	ret->source = "kallsyms";
}

void sd_kallsyms_destroy(struct sd_kallsyms *ks)
{
	if (!ks)
		return;
	sd_big_free(ks->names);
	free(ks->name_off);
	free(ks->tokens);
	free(ks->addrs);
	free(ks);
}
