// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's BTF as btf.c reads it from a dump and parses it with libbpf,
 * and the member lookups the module-list walker makes through it. Input:
 * the BTF blob (__start_BTF to __stop_BTF).
 */
#include <linux/btf.h>

#include "btf.h"
#include "fuzz.h"
#include "kmodules.h"

const char fuzz_name[] = "btf";

enum { BTF_ADDR = 0xffffffff82000000 };

/* What kmodules.c asks, and paths that must fail cleanly. */
static const char *const members[][2] = {
	{ "module", "list" }, { "module", "name" }, { "module", "state" }, { "module", "mem" },
	{ "module", "core_layout.base" }, { "module", "core_layout.size" },
	{ "module", "module_core" }, { "module", "core_size" }, { "module", "notes_attrs" },
	{ "module", "sig_ok" }, { "module", "list.next" }, { "module", "list.next.prev" },
	{ "module", "name.x" }, { "module", "" }, { "module", "." }, { "module", "list..next" },
	{ "module", "list." }, { "module_memory", "base" }, { "module_memory", "size" },
	{ "module_notes_attrs", "notes" }, { "module_notes_attrs", "attrs" },
	{ "bin_attribute", "attr.name" }, { "bin_attribute", "private" },
	{ "bin_attribute", "size" }, { "nosuch", "list" },
};
static const char *const structs[] = { "module", "bin_attribute", "list_head", "module_state",
				       "nosuch", "" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_mem m = { .base = BTF_ADDR, .bytes = data, .len = size };
	struct sd_kmem km = { .read = fuzz_mem_read, .arg = &m, .ptr_size = 8 };
	struct sd_btf *btf;
	uint64_t at;
	struct sd_error *err = sd_btf_find(&km, BTF_ADDR, BTF_ADDR + size, 0, "module", &btf, &at);
	fuzz_assert(err || (at >= BTF_ADDR && at < BTF_ADDR + size && at % 4 == 0));
	if (!err)
		sd_btf_destroy(btf);
	sd_error_destroy(err);
	err = sd_btf_load(&km, BTF_ADDR, BTF_ADDR + size, &btf);
	if (err) {
		sd_error_destroy(err);
		return 0;
	}
	struct sd_ktypes types;
	sd_btf_ktypes(btf, &types);
	for (size_t i = 0; i < sizeof(members) / sizeof(*members); i++) {
		uint64_t off, msize;
		types.member(types.arg, members[i][0], members[i][1], &off, &msize);
	}
	for (size_t i = 0; i < sizeof(structs) / sizeof(*structs); i++) {
		uint64_t ssize;
		types.size(types.arg, structs[i], &ssize);
	}
	/* The walker's own lookups; no memory, so it stops at the list head. */
	struct fuzz_mem none = { 0 };
	km.arg = &none;
	struct sd_kmodule *v;
	size_t n;
	err = sd_kmodules_walk(&km, &types, BTF_ADDR, &v, &n);
	fuzz_assert(err);
	sd_error_destroy(err);
	sd_btf_destroy(btf);
	return 0;
}

/* --- seeds: a small BTF with struct module as 6.1 and 6.4 lay it out ---------------------- */

struct enc {
	struct fuzz_buf types, strs;
	uint32_t next_id;
};

static uint32_t str(struct enc *e, const char *s)
{
	if (!s)
		return 0;
	uint32_t off = (uint32_t)e->strs.len;
	fuzz_buf_text(&e->strs, s);
	return off;
}

/* Append a btf_type; returns its id. Kind-specific data follows through u32(). */
static uint32_t type(struct enc *e, const char *name, unsigned kind, unsigned vlen, bool kflag,
		     uint32_t size_or_type)
{
	uint32_t info = (uint32_t)kind << 24 | vlen | (kflag ? 1u << 31 : 0);
	fuzz_buf_uint(&e->types, str(e, name), 4);
	fuzz_buf_uint(&e->types, info, 4);
	fuzz_buf_uint(&e->types, size_or_type, 4);
	return e->next_id++;
}

static void u32(struct enc *e, uint32_t v)
{
	fuzz_buf_uint(&e->types, v, 4);
}

static void member(struct enc *e, const char *name, uint32_t type_id, uint32_t bit_off)
{
	u32(e, str(e, name));
	u32(e, type_id);
	u32(e, bit_off);
}

static void btf_seed(struct fuzz_buf *out, bool v64)
{
	struct enc e = { .next_id = 1 };
	fuzz_buf_uint(&e.strs, 0, 1);	/* offset 0 is the empty name */
	uint32_t u32_t = type(&e, "unsigned int", BTF_KIND_INT, 0, false, 4);
	u32(&e, 32);
	uint32_t ulong_t = type(&e, "long unsigned int", BTF_KIND_INT, 0, false, 8);
	u32(&e, 64);
	uint32_t char_t = type(&e, "char", BTF_KIND_INT, 0, false, 1);
	u32(&e, BTF_INT_SIGNED << 24 | 8);
	uint32_t voidp = type(&e, NULL, BTF_KIND_PTR, 0, false, 0);
	uint32_t cchar = type(&e, NULL, BTF_KIND_CONST, 0, false, char_t);
	uint32_t cstr = type(&e, NULL, BTF_KIND_PTR, 0, false, cchar);
	uint32_t size_t_t = type(&e, "size_t", BTF_KIND_TYPEDEF, 0, false, ulong_t);

	uint32_t list_head = e.next_id, list_head_p = list_head + 1;
	type(&e, "list_head", BTF_KIND_STRUCT, 2, false, 16);
	member(&e, "next", list_head_p, 0);
	member(&e, "prev", list_head_p, 64);
	type(&e, NULL, BTF_KIND_PTR, 0, false, list_head);

	uint32_t name_arr = type(&e, NULL, BTF_KIND_ARRAY, 0, false, 0);
	u32(&e, char_t);
	u32(&e, u32_t);
	u32(&e, 56);

	uint32_t state = type(&e, "module_state", BTF_KIND_ENUM, 4, false, 4);
	static const char *const states[] = { "MODULE_STATE_LIVE", "MODULE_STATE_COMING",
					      "MODULE_STATE_GOING", "MODULE_STATE_UNFORMED" };
	for (uint32_t i = 0; i < 4; i++) {
		u32(&e, str(&e, states[i]));
		u32(&e, i);
	}

	/* struct module_memory (>= 6.4) or struct module_layout (< 6.4): base, size. */
	uint32_t layout = type(&e, v64 ? "module_memory" : "module_layout", BTF_KIND_STRUCT, 2,
			       false, 32);
	member(&e, "base", voidp, 0);
	member(&e, "size", u32_t, 64);
	uint32_t mem_arr = 0;
	if (v64) {
		mem_arr = type(&e, NULL, BTF_KIND_ARRAY, 0, false, 0);
		u32(&e, layout);
		u32(&e, u32_t);
		u32(&e, 7);
	}

	uint32_t attribute = type(&e, "attribute", BTF_KIND_STRUCT, 2, false, 16);
	member(&e, "name", cstr, 0);
	member(&e, "mode", u32_t, 64);
	uint32_t bin_attr = type(&e, "bin_attribute", BTF_KIND_STRUCT, 3, false, 48);
	member(&e, "attr", attribute, 0);
	member(&e, "size", size_t_t, 128);
	member(&e, "private", voidp, 192);
	uint32_t attrs = type(&e, NULL, BTF_KIND_ARRAY, 0, false, 0);
	u32(&e, bin_attr);
	u32(&e, u32_t);
	u32(&e, 0);
	uint32_t notes = type(&e, "module_notes_attrs", BTF_KIND_STRUCT, 3, false, 16);
	member(&e, "dir", voidp, 0);
	member(&e, "notes", u32_t, 64);
	member(&e, "attrs", attrs, 128);
	uint32_t notes_p = type(&e, NULL, BTF_KIND_PTR, 0, false, notes);

	/* list inside an anonymous union, as a lookup must find it; a bitfield after notes. */
	uint32_t anon = type(&e, NULL, BTF_KIND_UNION, 2, false, 16);
	member(&e, "list", list_head, 0);
	member(&e, "pad", ulong_t, 0);
	type(&e, "module", BTF_KIND_STRUCT, 6, true, 512);
	member(&e, "state", state, 0);
	member(&e, NULL, anon, 64);
	member(&e, "name", name_arr, 192);
	member(&e, v64 ? "mem" : "core_layout", v64 ? mem_arr : layout, 640);
	member(&e, "notes_attrs", notes_p, 3200);
	member(&e, "sig_ok", u32_t, 1u << 24 | 3264);

	struct btf_header h = {
		.magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(h),
		.type_off = 0, .type_len = (uint32_t)e.types.len,
		.str_off = (uint32_t)e.types.len, .str_len = (uint32_t)e.strs.len,
	};
	fuzz_buf_bytes(out, &h, sizeof(h));
	fuzz_buf_bytes(out, e.types.data, e.types.len);
	fuzz_buf_bytes(out, e.strs.data, e.strs.len);
	free(e.types.data);
	free(e.strs.data);
}

void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	struct fuzz_buf b = { 0 };
	btf_seed(&b, true);
	fuzz_buf_emit(&b, emit, arg, "module-6.4");
	btf_seed(&b, false);
	fuzz_buf_emit(&b, emit, arg, "module-6.1");
}
