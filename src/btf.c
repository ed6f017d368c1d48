// SPDX-License-Identifier: GPL-2.0-or-later
#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btf.h"
#include "util.h"

enum { STRUCT_CACHE = 8 };

struct sd_btf {
	struct btf *btf;
	/*
	 * libbpf finds a type by name by going through all of them (over 100000
	 * in a distro kernel), and the module walk asks for a few structs
	 * again and again: the last ones found, by name.
	 */
	struct {
		char name[SD_KTYPES_NAME_MAX];
		__s32 id;
	} cache[STRUCT_CACHE];
	unsigned n_cache;
};

static __s32 find_struct(struct sd_btf *b, const char *name)
{
	unsigned n = b->n_cache < STRUCT_CACHE ? b->n_cache : STRUCT_CACHE;
	for (unsigned i = 0; i < n; i++)
		if (strcmp(b->cache[i].name, name) == 0)
			return b->cache[i].id;
	__s32 id = btf__find_by_name_kind(b->btf, name, BTF_KIND_STRUCT);
	if (strlen(name) < SD_KTYPES_NAME_MAX) {
		strcpy(b->cache[b->n_cache % STRUCT_CACHE].name, name);
		b->cache[b->n_cache % STRUCT_CACHE].id = id;
		b->n_cache++;
	}
	return id;
}

struct sd_error *sd_btf_load(const struct sd_kmem *mem, uint64_t start, uint64_t stop,
			     struct sd_btf **ret)
{
	if (stop <= start || stop - start > SD_BTF_MAX)
		return sd_error_create(SD_ERROR_INPUT, "BTF bounds %#llx-%#llx are not plausible",
				       (unsigned long long)start, (unsigned long long)stop);
	size_t len = (size_t)(stop - start);
	uint8_t *data = sd_big_alloc(len);
	if (!data)
		return &sd_enomem;
	/* In large pieces: libkdumpfile reads page by page underneath anyway. */
	size_t done = 0;
	while (done < len) {
		size_t want = len - done > (1 << 20) ? (1 << 20) : len - done;
		size_t got = mem->read(mem->arg, start + done, data + done, want);
		done += got;
		if (got < want)
			break;
	}
	if (done < len) {
		sd_big_free(data);
		return sd_error_create(SD_ERROR_INPUT,
				       "BTF is not fully in the dump (%zu of %zu bytes readable)", done,
				       len);
	}
	/*
	 * libbpf 1.1 accepts a type section at any offset, and then reads its
	 * struct btf_type records misaligned (UBSan, found by fuzzing): the
	 * kernel's are 4-byte aligned (include/uapi/linux/btf.h), so refuse others.
	 */
	if (len >= 24) {
		uint16_t magic;
		uint32_t hdr_len, type_off;
		memcpy(&magic, data, 2);
		memcpy(&hdr_len, data + 4, 4);
		memcpy(&type_off, data + 8, 4);
		if (magic == 0x9feb) {
			hdr_len = __builtin_bswap32(hdr_len);
			type_off = __builtin_bswap32(type_off);
		}
		if ((magic == 0xeb9f || magic == 0x9feb) && (hdr_len % 4 || type_off % 4)) {
			sd_big_free(data);
			return sd_error_create(SD_ERROR_INPUT, "the kernel's BTF does not parse: its "
					       "type section is not 4-byte aligned");
		}
	}
	struct btf *btf = btf__new(data, (__u32)len);
	int e = errno;
	sd_big_free(data);	/* btf__new copies */
	if (!btf)
		return sd_error_create(SD_ERROR_INPUT, "the kernel's BTF does not parse: %s",
				       strerror(e));
	struct sd_btf *b = calloc(1, sizeof(*b));
	if (!b) {
		btf__free(btf);
		return &sd_enomem;
	}
	b->btf = btf;
	*ret = b;
	return NULL;
}

/* A struct btf_header at p (24 bytes, the dump's byte order) that may be vmlinux BTF: its size. */
static bool plausible_header(const struct sd_kmem *mem, const uint8_t *p, uint64_t *ret_size)
{
	/* include/uapi/linux/btf.h: BTF_MAGIC 0xeB9F, BTF_VERSION 1; no flags are defined. */
	if (sd_kmem_uint(mem, p, 2) != BTF_MAGIC || p[2] != BTF_VERSION || p[3] != 0)
		return false;
	uint64_t hdr_len = sd_kmem_uint(mem, p + 4, 4);
	uint64_t type_off = sd_kmem_uint(mem, p + 8, 4), type_len = sd_kmem_uint(mem, p + 12, 4);
	uint64_t str_off = sd_kmem_uint(mem, p + 16, 4), str_len = sd_kmem_uint(mem, p + 20, 4);
	/* pahole writes the types, then the strings (tools/lib/bpf/btf.c, btf__raw_data()). */
	if (hdr_len != sizeof(struct btf_header) || type_off % 4 || type_len % 4 || !str_len ||
	    type_off + type_len > str_off)
		return false;
	uint64_t size = hdr_len + str_off + str_len;
	if (size > SD_BTF_MAX)
		return false;
	*ret_size = size;
	return true;
}

enum { SCAN_CHUNK = 1 << 20, HDR = sizeof(struct btf_header) };

struct sd_error *sd_btf_find(const struct sd_kmem *mem, uint64_t lo, uint64_t hi,
			     uint64_t max_bytes, const char *must_have, struct sd_btf **ret,
			     uint64_t *ret_addr)
{
	if (!max_bytes)
		max_bytes = SD_BTF_SCAN_MAX_BYTES;
	if (hi <= lo)
		return sd_error_create(SD_ERROR_INPUT, "no kernel image to search for BTF in");
	lo = (lo + 3) & ~(uint64_t)3;
	if (hi - lo > max_bytes)
		lo = (hi - max_bytes + 3) & ~(uint64_t)3;
	uint8_t *buf = malloc(SCAN_CHUNK + HDR);
	if (!buf)
		return &sd_enomem;
	unsigned tries = 0, unreadable = 0;
	struct sd_error *err = NULL;
	/* Chunks from hi down; each also holds the header bytes that run into the one above. */
	for (uint64_t end = hi; end > lo && tries < SD_BTF_SCAN_MAX_TRIES;) {
		uint64_t start = end - lo > SCAN_CHUNK ? end - SCAN_CHUNK : lo;
		start &= ~(uint64_t)3;
		if (start < lo)
			start = lo;
		size_t len = (size_t)(end - start);
		size_t want = len + (hi - end < HDR ? (size_t)(hi - end) : HDR);
		size_t got = mem->read(mem->arg, start, buf, want);
		if (got < HDR)
			unreadable++;
		for (size_t off = 0; off + HDR <= got && off < len && tries < SD_BTF_SCAN_MAX_TRIES;
		     off += 4) {
			uint64_t size;
			if (!plausible_header(mem, buf + off, &size) || size > hi - (start + off))
				continue;
			tries++;
			struct sd_btf *b;
			err = sd_btf_load(mem, start + off, start + off + size, &b);
			if (err == &sd_enomem)
				goto out;
			if (err) {
				sd_error_destroy(err);
				err = NULL;
				continue;
			}
			if (btf__find_by_name_kind(b->btf, must_have, BTF_KIND_STRUCT) < 0) {
				sd_btf_destroy(b);
				continue;
			}
			*ret = b;
			*ret_addr = start + off;
			goto out;
		}
		end = start;
	}
	err = sd_error_create(SD_ERROR_INPUT, "no BTF found by its header in %#llx-%#llx "
			      "(%u plausible headers tried%s)", (unsigned long long)lo,
			      (unsigned long long)hi, tries, unreadable ? ", parts not in the dump"
									 : "");
out:
	free(buf);
	return err;
}

void sd_btf_destroy(struct sd_btf *b)
{
	if (!b)
		return;
	btf__free(b->btf);
	free(b);
}

/* Skip typedefs and qualifiers. */
static const struct btf_type *resolve(const struct btf *btf, __u32 id, __u32 *ret_id)
{
	int rid = btf__resolve_type(btf, id);
	if (rid < 0)
		return NULL;
	if (ret_id)
		*ret_id = (__u32)rid;
	return btf__type_by_id(btf, (__u32)rid);
}

/* Find member name in composite t (recursing into anonymous members); bit offset and type. */
static bool find_member(const struct btf *btf, const struct btf_type *t, const char *name,
			int depth, __u64 *ret_bits, __u32 *ret_type)
{
	if (depth > 8 || !btf_is_composite(t))
		return false;
	const struct btf_member *m = btf_members(t);
	for (__u16 i = 0; i < btf_vlen(t); i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		__u32 bits = btf_member_bit_offset(t, i);
		if (mname && *mname) {
			if (strcmp(mname, name) == 0) {
				*ret_bits = bits;
				*ret_type = m->type;
				return true;
			}
			continue;
		}
		const struct btf_type *inner = resolve(btf, m->type, NULL);
		__u64 ib;
		if (inner && find_member(btf, inner, name, depth + 1, &ib, ret_type)) {
			*ret_bits = bits + ib;
			return true;
		}
	}
	return false;
}

static bool btf_member(void *arg, const char *type, const char *path, uint64_t *ret_offset,
		       uint64_t *ret_size)
{
	const struct btf *btf = ((struct sd_btf *)arg)->btf;
	__s32 id = find_struct(arg, type);
	if (id < 0)
		return false;
	const struct btf_type *t = btf__type_by_id(btf, (__u32)id);
	__u64 bits = 0;
	__u32 mtype = 0;
	char part[SD_KTYPES_NAME_MAX];
	const char *p = path;
	while (*p) {
		__u64 b;
		if (!sd_ktypes_next_member(&p, part) || !t ||
		    !find_member(btf, t, part, 0, &b, &mtype))
			return false;
		bits += b;
		t = resolve(btf, mtype, NULL);
	}
	if (bits % 8)
		return false;	/* bitfields are not what we read */
	__s64 size = btf__resolve_size(btf, mtype);
	if (size < 0)
		return false;
	*ret_offset = bits / 8;
	*ret_size = (uint64_t)size;
	return true;
}

static bool btf_size(void *arg, const char *type, uint64_t *ret)
{
	const struct btf *btf = ((struct sd_btf *)arg)->btf;
	__s32 id = find_struct(arg, type);
	if (id < 0)
		return false;
	__s64 size = btf__resolve_size(btf, (__u32)id);
	if (size < 0)
		return false;
	*ret = (uint64_t)size;
	return true;
}

void sd_btf_ktypes(struct sd_btf *b, struct sd_ktypes *ret)
{
	ret->member = btf_member;
	ret->size = btf_size;
	ret->arg = b;
	ret->source = "btf";
}
