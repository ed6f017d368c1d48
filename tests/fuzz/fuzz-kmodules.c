// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The walk of the kernel's module list (kmodules.c) over dump memory, with
 * struct layouts from a table standing in for BTF or DWARF. Input: the
 * memory header of fuzz.h, u64 the address of `modules`, the table as text
 * (a line per member: "TYPE PATH OFFSET SIZE", PATH "-" for the struct's
 * own size), then the memory.
 */
#include <inttypes.h>

#include "fuzz.h"
#include "kmodules.h"
#include "layouts.h"

const char fuzz_name[] = "kmodules";

enum { MAX_FIELDS = 64, NAME_MAX_LEN = 64 };

struct table {
	struct {
		char type[NAME_MAX_LEN], path[NAME_MAX_LEN];
		uint64_t off, size;
	} f[MAX_FIELDS];
	size_t n;
};

static bool t_member(void *arg, const char *type, const char *path, uint64_t *off,
		     uint64_t *size)
{
	const struct table *t = arg;
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->f[i].type, type) && !strcmp(t->f[i].path, path)) {
			*off = t->f[i].off;
			*size = t->f[i].size;
			return true;
		}
	return false;
}

static bool t_size(void *arg, const char *type, uint64_t *ret)
{
	uint64_t off;
	return t_member(arg, type, "", &off, ret);
}

static void parse_table(const char *text, size_t len, struct table *t)
{
	char *copy = strndup(text, len);
	if (!copy)
		abort();
	t->n = 0;
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line && t->n < MAX_FIELDS;
	     line = strtok_r(NULL, "\n", &save)) {
		char type[NAME_MAX_LEN], path[NAME_MAX_LEN];
		uint64_t off, size;
		if (sscanf(line, "%63s %63s %" SCNu64 " %" SCNu64, type, path, &off, &size) != 4)
			continue;
		strcpy(t->f[t->n].type, type);
		strcpy(t->f[t->n].path, strcmp(path, "-") ? path : "");
		t->f[t->n].off = off;
		t->f[t->n].size = size;
		t->n++;
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct fuzz_mem m;
	struct sd_kmem km = { .read = fuzz_mem_read, .arg = &m };
	fuzz_mem_header(&in, &m, &km);
	uint64_t modules = fuzz_uint(&in, 8);
	size_t tlen;
	const char *text = fuzz_text(&in, &tlen);
	fuzz_mem_rest(&in, &m);
	static struct table table;
	parse_table(text, tlen, &table);
	struct sd_ktypes types = { .member = t_member, .size = t_size, .arg = &table,
				   .source = "fuzz" };

	struct sd_kmodule *v;
	size_t n;
	struct sd_error *err = sd_kmodules_walk(&km, &types, modules, &v, &n);
	if (!err) {
		fuzz_assert(n <= SD_KMODULES_MAX);
		for (size_t i = 0; i < n; i++) {
			fuzz_assert(v[i].name[0] && strlen(v[i].name) < sizeof(v[i].name));
			fuzz_assert(v[i].build_id.len <= SD_BUILD_ID_MAX);
		}
		free(v);
	}
	sd_error_destroy(err);
	return 0;
}

/* --- seeds: the lists of test-kernel.c, >= 6.4 (with a build-id note) and < 6.4 ---------- */

static void table_text(struct fuzz_buf *b, const struct field *f)
{
	for (; f->type; f++) {
		char line[256];
		int n = snprintf(line, sizeof(line), "%s %s %" PRIu64 " %" PRIu64 "\n", f->type,
				 *f->path ? f->path : "-", f->off, f->size);
		fuzz_buf_bytes(b, line, (size_t)n);
	}
	fuzz_buf_uint(b, 0, 1);
}

void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	const char *names[] = { "crc_itu_t", "lz4", "dummy" };
	for (int layout = 0; layout < 2; layout++) {
		struct fuzz_buf b = { 0 };
		struct mem m = modules_mem(3, names);
		if (!layout)
			module_notes(&m);
		fuzz_buf_mem_header(&b, 0, m.base);
		fuzz_buf_uint(&b, M_HEAD, 8);
		table_text(&b, layout ? old_layout : new_layout);
		fuzz_buf_bytes(&b, m.bytes, m.len);
		free(m.bytes);
		fuzz_buf_emit(&b, emit, arg, layout ? "core-layout" : "mem-notes");
	}
}
