// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"

enum { TOKENS = 256, CHUNK = 64 * 1024, TOKEN_TABLE_MAX = 64 * 1024 };

struct sd_kallsyms {
	uint32_t n;
	uint8_t *names;		/* the compressed names stream */
	size_t names_len;
	uint32_t *name_off;	/* where each symbol's token indices start */
	char *tokens;		/* the token table, NUL-terminated strings */
	size_t tokens_len;
	uint16_t token_index[TOKENS];
	uint64_t *addrs;
};

static struct sd_error *bad(const char *what)
{
	return sd_error_create(SD_ERROR_INPUT, "kallsyms: %s", what);
}

/* One symbol's token-index run in the names stream: [*start, *start + *len). */
static bool entry(const uint8_t *names, size_t size, size_t off, size_t *start, size_t *len)
{
	if (off >= size)
		return false;
	size_t l = names[off++];
	if (l & 0x80) {
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
			free(buf);
			return bad("kallsyms_names has an empty entry");
		}
		if (entry(buf, have, off, &start, &len)) {
			ks->name_off[i++] = (uint32_t)off;
			off = start + len;
			continue;
		}
		/* Not whole yet: read the next chunk. */
		if (have + CHUNK > SD_KALLSYMS_MAX_NAMES) {
			free(buf);
			return bad("kallsyms_names is larger than any kernel's");
		}
		if (have + CHUNK > cap) {
			cap = cap ? cap * 2 : 4 * CHUNK;
			uint8_t *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return &sd_enomem;
			}
			buf = nb;
		}
		size_t got = mem->read(mem->arg, addr + have, buf + have, CHUNK);
		if (got == 0) {
			free(buf);
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
	return NULL;
}

static struct sd_error *read_addresses(const struct sd_kmem *mem, const struct sd_vmcoreinfo *vi,
				       uint32_t n, struct sd_kallsyms *ks)
{
	uint64_t offsets, base_addr, addresses;
	ks->addrs = malloc(sizeof(*ks->addrs) * (n ? n : 1));
	if (!ks->addrs)
		return &sd_enomem;
	bool relative = sd_vmcoreinfo_symbol(vi, "kallsyms_offsets", &offsets) &&
			sd_vmcoreinfo_symbol(vi, "kallsyms_relative_base", &base_addr);
	if (!relative && !sd_vmcoreinfo_symbol(vi, "kallsyms_addresses", &addresses))
		return bad("VMCOREINFO has neither kallsyms_offsets nor kallsyms_addresses");
	uint64_t base = 0;
	if (relative && !sd_kmem_read_ptr(mem, base_addr, &base))
		return bad("kallsyms_relative_base is not in the dump");
	unsigned esize = relative ? 4 : mem->ptr_size;
	uint64_t at = relative ? offsets : addresses;
	uint8_t *buf = malloc(CHUNK);
	if (!buf)
		return &sd_enomem;
	bool negative = false;
	for (uint32_t i = 0; i < n;) {
		size_t want = (size_t)(n - i) * esize;
		if (want > CHUNK)
			want = CHUNK / esize * esize;
		if (!sd_kmem_read(mem, at + (uint64_t)i * esize, buf, want)) {
			free(buf);
			return bad("the address table is not in the dump");
		}
		for (size_t j = 0; j < want / esize; j++, i++) {
			uint64_t v = sd_kmem_uint(mem, buf + j * esize, esize);
			ks->addrs[i] = v;
			if (relative && (v & 0x80000000u))
				negative = true;
		}
	}
	free(buf);
	if (!relative)
		return NULL;
	for (uint32_t i = 0; i < n; i++) {
		int32_t off = (int32_t)(uint32_t)ks->addrs[i];
		if (!negative)
			ks->addrs[i] = base + (uint32_t)off;
		else if (off >= 0)
			ks->addrs[i] = (uint64_t)off;
		else
			ks->addrs[i] = base - 1 - (int64_t)off;
	}
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
		return bad("VMCOREINFO does not locate the tables (Linux < 6.0 or !CONFIG_KALLSYMS)");
	uint64_t n;
	if (!sd_kmem_read_uint(mem, num_addr, 4, &n))
		return bad("kallsyms_num_syms is not in the dump");
	if (n == 0 || n > SD_KALLSYMS_MAX_SYMS)
		return bad("kallsyms_num_syms is out of range");
	struct sd_kallsyms *ks = calloc(1, sizeof(*ks));
	if (!ks)
		return &sd_enomem;
	ks->n = (uint32_t)n;
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

uint32_t sd_kallsyms_count(const struct sd_kallsyms *ks)
{
	return ks->n;
}

/* Expand symbol i into buf (type letter first); false if it does not fit or is corrupt. */
static bool expand(const struct sd_kallsyms *ks, uint32_t i, char *buf, size_t size)
{
	size_t start, len, o = 0;
	if (!entry(ks->names, ks->names_len, ks->name_off[i], &start, &len))
		return false;
	for (size_t k = 0; k < len; k++) {
		size_t t = ks->token_index[ks->names[start + k]];
		if (t >= ks->tokens_len)
			return false;
		const char *tok = ks->tokens + t;
		size_t tl = strnlen(tok, ks->tokens_len - t);
		if (o + tl >= size)
			return false;
		memcpy(buf + o, tok, tl);
		o += tl;
	}
	buf[o] = '\0';
	return o > 0;
}

bool sd_kallsyms_symbol(const struct sd_kallsyms *ks, uint32_t i, char *buf, size_t size,
			uint64_t *ret_addr)
{
	if (i >= ks->n || !expand(ks, i, buf, size))
		return false;
	*ret_addr = ks->addrs[i];
	return true;
}

bool sd_kallsyms_lookup(const struct sd_kallsyms *ks, const char *name, uint64_t *ret)
{
	/* KSYM_NAME_LEN is 512 since v6.1. */
	char buf[1024];
	for (uint32_t i = 0; i < ks->n; i++) {
		if (expand(ks, i, buf, sizeof(buf)) && !strcmp(buf + 1, name)) {
			*ret = ks->addrs[i];
			return true;
		}
	}
	return false;
}

void sd_kallsyms_destroy(struct sd_kallsyms *ks)
{
	if (!ks)
		return;
	free(ks->names);
	free(ks->name_off);
	free(ks->tokens);
	free(ks->addrs);
	free(ks);
}
