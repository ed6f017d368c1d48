// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planio.h"

/*
 * The format: a magic and version, then fields in a fixed order. Integers
 * are 8-byte little-endian; a string is its length (UINT64_MAX for NULL)
 * and its bytes; a string vector is its count and its strings.
 */
static const char magic[8] = "SDPLAN\0\2";

enum {
	MAX_ITEMS = 1 << 20,
	MAX_STRV = 1 << 16,
	MAX_STRING = 64 << 20,	/* generated content (dmesg) is the largest */
};

static void put_u64(FILE *f, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	fwrite(b, 1, 8, f);
}

static void put_bytes(FILE *f, const void *p, size_t n)
{
	put_u64(f, n);
	fwrite(p, 1, n, f);
}

static void put_str(FILE *f, const char *s)
{
	if (!s)
		put_u64(f, UINT64_MAX);
	else
		put_bytes(f, s, strlen(s));
}

static void put_strv(FILE *f, const struct sd_strv *sv)
{
	put_u64(f, sv->n);
	for (size_t i = 0; i < sv->n; i++)
		put_str(f, sv->v[i]);
}

static void put_id(FILE *f, const struct sd_build_id *id)
{
	put_bytes(f, id->bytes, id->len);
}

static void put_item(FILE *f, const struct sd_item *it)
{
	put_u64(f, it->role);
	put_u64(f, it->status);
	put_str(f, it->name);
	put_str(f, it->orig_path);
	put_strv(f, &it->candidates);
	put_u64(f, it->find);
	put_u64(f, it->verify);
	put_u64(f, it->debuglink_crc);
	put_u64(f, it->if_missing);
	put_u64(f, it->alias_flags);
	put_u64(f, (uint64_t)it->check_crc | (uint64_t)it->want_debug << 1 |
		   (uint64_t)it->compressed << 2 | (uint64_t)it->has_debug_info << 3 |
		   (uint64_t)it->pack << 4 | (uint64_t)it->optional << 5 | (uint64_t)it->omit << 6 |
		   (uint64_t)it->packed << 7 | (uint64_t)it->pe_known << 8);
	put_u64(f, it->pe_timestamp);
	put_u64(f, it->pe_size_of_image);
	put_str(f, it->why);
	put_str(f, it->root_path);
	put_str(f, it->source_path);
	put_str(f, it->archive_path);
	put_strv(f, &it->aliases);
	put_id(f, &it->build_id);
	put_id(f, &it->found_build_id);
	put_str(f, it->reason);
	put_str(f, it->hint);
	put_u64(f, it->size);
	put_str(f, it->sha256);
	put_str(f, it->sha256_data);
	put_u64(f, it->data_size);
	put_u64(f, it->parent);
	if (it->content)
		put_bytes(f, it->content, it->content_len);
	else
		put_u64(f, UINT64_MAX);
}

struct sd_error *sd_plan_encode(const struct sd_plan *plan, char **ret, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return &sd_enomem;
	fwrite(magic, 1, sizeof(magic), f);
	put_u64(f, plan->kind);
	put_str(f, plan->dump_path);
	put_str(f, plan->dump_format);
	put_str(f, plan->arch);
	put_str(f, plan->executable);
	put_str(f, plan->command_line);
	put_str(f, plan->cwd);
	put_u64(f, (uint64_t)(int64_t)plan->pid);
	put_u64(f, (uint64_t)(int64_t)plan->signal);
	put_str(f, plan->release);
	put_id(f, &plan->kernel_build_id);
	put_u64(f, plan->kernel_offset);
	put_u64(f, (uint64_t)plan->crash_time);
	put_strv(f, &plan->notes);
	put_str(f, plan->damage);
	put_str(f, plan->modules_pending);
	put_str(f, plan->system_map_refused);
	put_u64(f, plan->n_items);
	for (size_t i = 0; i < plan->n_items; i++)
		put_item(f, &plan->items[i]);
	if (ferror(f) || fclose(f) != 0) {
		free(buf);
		return &sd_enomem;
	}
	*ret = buf;
	*ret_len = len;
	return NULL;
}

/* --- Reading, bounded ------------------------------------------------------------------- */

struct reader {
	const uint8_t *p;
	size_t left;
	bool bad;
	bool oom;
};

static uint64_t get_u64(struct reader *r)
{
	if (r->bad || r->left < 8) {
		r->bad = true;
		return 0;
	}
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += 8;
	r->left -= 8;
	return v;
}

static uint64_t get_max(struct reader *r, uint64_t max)
{
	uint64_t v = get_u64(r);
	if (v > max)
		r->bad = true;
	return r->bad ? 0 : v;
}

static const uint8_t *get_raw(struct reader *r, uint64_t n)
{
	if (r->bad || n > r->left) {
		r->bad = true;
		return NULL;
	}
	const uint8_t *p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

/* A string, or NULL; *ret_len its length (strings with a NUL inside are malformed). */
static char *get_str_len(struct reader *r, size_t *ret_len, bool binary)
{
	uint64_t n = get_u64(r);
	if (r->bad || n == UINT64_MAX)
		return NULL;
	const uint8_t *p = n <= MAX_STRING ? get_raw(r, n) : NULL;
	if (!p || (!binary && memchr(p, '\0', n))) {
		r->bad = true;
		return NULL;
	}
	char *s = malloc(n + 1);
	if (!s) {
		r->oom = r->bad = true;
		return NULL;
	}
	memcpy(s, p, n);
	s[n] = '\0';
	if (ret_len)
		*ret_len = n;
	return s;
}

static char *get_str(struct reader *r)
{
	return get_str_len(r, NULL, false);
}

static void get_strv(struct reader *r, struct sd_strv *sv)
{
	uint64_t n = get_max(r, MAX_STRV);
	for (uint64_t i = 0; i < n && !r->bad; i++) {
		char *s = get_str(r);
		if (!s) {
			r->bad = true;
			break;
		}
		struct sd_error *err = sd_strv_add(sv, s);
		free(s);
		if (err)
			r->oom = r->bad = true;
	}
}

static void get_id(struct reader *r, struct sd_build_id *id)
{
	uint64_t n = get_max(r, SD_BUILD_ID_MAX);
	const uint8_t *p = get_raw(r, n);
	if (p) {
		memcpy(id->bytes, p, n);
		id->len = n;
	}
}

static void get_hex(struct reader *r, char out[65])
{
	char *s = get_str(r);
	if (s && strlen(s) < 65)
		strcpy(out, s);
	else if (s)
		r->bad = true;
	free(s);
}

/* Replace *field with s (owned). */
static void set(char **field, char *s)
{
	free(*field);
	*field = s;
}

static void get_item(struct reader *r, struct sd_item *it, size_t base, size_t n_items)
{
	it->role = (enum sd_role)get_max(r, SD_ROLE_GENERATED);
	it->status = (enum sd_status)get_max(r, SD_STATUS_WANTED);
	set(&it->name, get_str(r));
	set(&it->orig_path, get_str(r));
	get_strv(r, &it->candidates);
	it->find = (unsigned)get_max(r, 0xff);
	it->verify = (enum sd_verify)get_max(r, SD_VERIFY_SYSTEM_MAP);
	it->debuglink_crc = (uint32_t)get_max(r, UINT32_MAX);
	it->if_missing = (enum sd_if_missing)get_max(r, SD_MISSING_OMIT);
	it->alias_flags = (unsigned)get_max(r, 0xff);
	uint64_t flags = get_max(r, 0x1ff);
	it->check_crc = flags & 1;
	it->want_debug = flags & 2;
	it->compressed = flags & 4;
	it->has_debug_info = flags & 8;
	it->pack = flags & 16;
	it->optional = flags & 32;
	it->omit = flags & 64;
	it->packed = flags & 128;
	it->pe_known = flags & 256;
	it->pe_timestamp = (uint32_t)get_max(r, UINT32_MAX);
	it->pe_size_of_image = (uint32_t)get_max(r, UINT32_MAX);
	set(&it->why, get_str(r));
	set(&it->root_path, get_str(r));
	set(&it->source_path, get_str(r));
	set(&it->archive_path, get_str(r));
	get_strv(r, &it->aliases);
	get_id(r, &it->build_id);
	get_id(r, &it->found_build_id);
	set(&it->reason, get_str(r));
	set(&it->hint, get_str(r));
	it->size = get_u64(r);
	get_hex(r, it->sha256);
	get_hex(r, it->sha256_data);
	it->data_size = get_u64(r);
	uint64_t parent = get_u64(r);
	if (parent == SIZE_MAX || parent == UINT64_MAX)
		it->parent = SIZE_MAX;
	else if (parent < n_items)
		it->parent = base + (size_t)parent;
	else
		r->bad = true;
	size_t clen = 0;
	char *content = get_str_len(r, &clen, true);
	free(it->content);
	it->content = content;
	it->content_len = content ? clen : 0;
}

/* A working directory as the inspector derives it: absolute and normalised. */
static bool cwd_ok(const char *cwd)
{
	char *norm = NULL;
	struct sd_error *err = sd_path_normalize(cwd, &norm);
	bool ok = !err && strcmp(norm, cwd) == 0;
	sd_error_destroy(err);
	free(norm);
	return ok;
}

struct sd_error *sd_plan_decode(const void *buf, size_t len, struct sd_plan *plan)
{
	struct reader r = { .p = buf, .left = len };
	const uint8_t *m = get_raw(&r, sizeof(magic));
	if (!m || memcmp(m, magic, sizeof(magic)) != 0)
		return sd_error_create(SD_ERROR_INPUT, "the inspection's result is malformed");
	size_t base = plan->n_items;
	struct sd_plan in;
	sd_plan_init(&in);
	in.kind = (enum sd_dump_kind)get_max(&r, SD_DUMP_KERNEL);
	in.dump_path = get_str(&r);
	in.dump_format = get_str(&r);
	in.arch = get_str(&r);
	in.executable = get_str(&r);
	in.command_line = get_str(&r);
	in.cwd = get_str(&r);
	in.pid = (int)(int64_t)get_u64(&r);
	in.signal = (int)(int64_t)get_u64(&r);
	in.release = get_str(&r);
	get_id(&r, &in.kernel_build_id);
	in.kernel_offset = get_u64(&r);
	in.crash_time = (int64_t)get_u64(&r);
	get_strv(&r, &in.notes);
	in.damage = get_str(&r);
	in.modules_pending = get_str(&r);
	in.system_map_refused = get_str(&r);
	uint64_t n = get_max(&r, MAX_ITEMS);
	for (uint64_t i = 0; i < n && !r.bad; i++) {
		struct sd_item *it;
		if (sd_plan_add(plan, SD_ROLE_DUMP, SD_STATUS_FOUND, &it)) {
			r.oom = r.bad = true;
			break;
		}
		get_item(&r, it, base, (size_t)n);
	}
	if (!r.bad && r.left)
		r.bad = true;	/* trailing bytes */
	struct sd_error *err = NULL;
	for (size_t i = 0; !r.bad && i < in.notes.n && !err; i++)
		err = sd_strv_add(&plan->notes, in.notes.v[i]);
	if (!r.bad && !err && in.damage)
		err = sd_plan_damage(plan, "%s", in.damage);
	if (!r.bad && !err && in.cwd && !cwd_ok(in.cwd))
		r.bad = true;
	if (r.bad || err) {
		sd_plan_truncate(plan, base);	/* drop what was appended */
		sd_plan_deinit(&in);
		if (err)
			return err;
		return r.oom ? &sd_enomem
			     : sd_error_create(SD_ERROR_INPUT, "the inspection's result is malformed");
	}
	/* What the encoded plan leaves at its initial value keeps the value it has here. */
	if (in.kind == SD_DUMP_KERNEL)
		plan->kind = in.kind;
	if (in.pid >= 0)
		plan->pid = in.pid;
	if (in.signal >= 0)
		plan->signal = in.signal;
	if (in.kernel_offset)
		plan->kernel_offset = in.kernel_offset;
	if (in.crash_time)
		plan->crash_time = in.crash_time;
	if (in.kernel_build_id.len)
		plan->kernel_build_id = in.kernel_build_id;
#define TAKE(field) \
	do { \
		if (in.field) { \
			free(plan->field); \
			plan->field = in.field; \
			in.field = NULL; \
		} \
	} while (0)
	TAKE(dump_path);
	TAKE(dump_format);
	TAKE(arch);
	TAKE(executable);
	TAKE(command_line);
	TAKE(cwd);
	TAKE(release);
	TAKE(modules_pending);
	TAKE(system_map_refused);
#undef TAKE
	sd_plan_deinit(&in);
	return NULL;
}
