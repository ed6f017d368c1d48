// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "plan.h"

void sd_plan_init(struct sd_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->pid = -1;
	plan->signal = -1;
}

static void item_deinit(struct sd_item *item)
{
	free(item->name);
	free(item->orig_path);
	free(item->source_path);
	free(item->archive_path);
	sd_strv_deinit(&item->aliases);
	free(item->reason);
	free(item->hint);
	free(item->content);
	if (item->fd >= 0)
		close(item->fd);
}

void sd_plan_deinit(struct sd_plan *plan)
{
	for (size_t i = 0; i < plan->n_items; i++)
		item_deinit(&plan->items[i]);
	free(plan->items);
	free(plan->dump_path);
	free(plan->dump_format);
	free(plan->arch);
	free(plan->executable);
	free(plan->command_line);
	free(plan->release);
	sd_strv_deinit(&plan->notes);
	free(plan->damage);
	memset(plan, 0, sizeof(*plan));
}

struct sd_error *sd_plan_add(struct sd_plan *plan, enum sd_role role, enum sd_status status,
			     struct sd_item **ret)
{
	if (!sd_grow(&plan->items, &plan->cap_items, plan->n_items + 1, sizeof(*plan->items)))
		return &sd_enomem;
	struct sd_item *item = &plan->items[plan->n_items++];
	memset(item, 0, sizeof(*item));
	item->role = role;
	item->status = status;
	item->fd = -1;
	item->parent = SIZE_MAX;
	*ret = item;
	return NULL;
}

struct sd_error *sd_plan_add_generated(struct sd_plan *plan, const char *name, char *content,
				       size_t len, const char *reason)
{
	struct sd_item *item;
	struct sd_error *err = sd_plan_add(plan, SD_ROLE_GENERATED, SD_STATUS_FOUND, &item);
	if (err) {
		free(content);
		return err;
	}
	item->content = content;
	item->content_len = len;
	item->size = len;
	if ((err = sd_item_set(&item->name, name)) || (err = sd_item_set(&item->archive_path, name)))
		return err;
	return sd_item_reason(item, "%s", reason);
}

struct sd_error *sd_item_set(char **field, const char *value)
{
	char *copy = NULL;
	if (value && !(copy = strdup(value)))
		return &sd_enomem;
	free(*field);
	*field = copy;
	return NULL;
}

struct sd_error *sd_item_reason(struct sd_item *item, const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return &sd_enomem;
	free(item->reason);
	item->reason = s;
	return NULL;
}

struct sd_item *sd_plan_find_archive_path(struct sd_plan *plan, const char *archive_path)
{
	for (size_t i = 0; i < plan->n_items; i++) {
		struct sd_item *it = &plan->items[i];
		if (it->archive_path && strcmp(it->archive_path, archive_path) == 0)
			return it;
		if (sd_strv_contains(&it->aliases, archive_path))
			return it;
	}
	return NULL;
}

static bool role_is_debug(enum sd_role role)
{
	return role == SD_ROLE_DEBUGINFO || role == SD_ROLE_DWZ ||
	       role == SD_ROLE_VMLINUX_DEBUG || role == SD_ROLE_MODULE_DEBUG;
}

struct sd_item *sd_plan_find_build_id(struct sd_plan *plan, const struct sd_build_id *id,
				      bool debug)
{
	if (!id->len)
		return NULL;
	for (size_t i = 0; i < plan->n_items; i++) {
		struct sd_item *it = &plan->items[i];
		if (it->fd >= 0 && role_is_debug(it->role) == debug &&
		    sd_build_id_eq(&it->build_id, id))
			return it;
	}
	return NULL;
}

const char *sd_role_name(enum sd_role role)
{
	static const char *const names[] = {
		[SD_ROLE_DUMP] = "dump",
		[SD_ROLE_EXECUTABLE] = "executable",
		[SD_ROLE_LIBRARY] = "library",
		[SD_ROLE_MAPPED_FILE] = "mapped-file",
		[SD_ROLE_VDSO] = "vdso",
		[SD_ROLE_DEBUGINFO] = "debuginfo",
		[SD_ROLE_DWZ] = "dwz",
		[SD_ROLE_THREAD_DB] = "thread-db",
		[SD_ROLE_DOTNET_RUNTIME] = "dotnet-runtime",
		[SD_ROLE_MANAGED] = "managed-assembly",
		[SD_ROLE_MANAGED_PDB] = "managed-pdb",
		[SD_ROLE_VMLINUX] = "vmlinux",
		[SD_ROLE_VMLINUX_DEBUG] = "vmlinux-debuginfo",
		[SD_ROLE_VMLINUZ] = "vmlinuz",
		[SD_ROLE_SYSTEM_MAP] = "system-map",
		[SD_ROLE_KCONFIG] = "kernel-config",
		[SD_ROLE_MODULE] = "module",
		[SD_ROLE_MODULE_DEBUG] = "module-debuginfo",
		[SD_ROLE_GENERATED] = "generated",
	};
	return (size_t)role < ARRAY_SIZE(names) && names[role] ? names[role] : "unknown";
}

const char *sd_status_name(enum sd_status status)
{
	switch (status) {
	case SD_STATUS_FOUND:
		return "found";
	case SD_STATUS_MISSING:
		return "missing";
	case SD_STATUS_MISMATCH:
		return "mismatch";
	case SD_STATUS_SKIPPED:
		return "skipped";
	}
	return "unknown";
}

const char *sd_build_id_hex(const struct sd_build_id *id, char *buf)
{
	sd_hex(id->bytes, id->len, buf);
	return buf;
}

bool sd_build_id_eq(const struct sd_build_id *a, const struct sd_build_id *b)
{
	return a->len && a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

struct sd_plan_counts sd_plan_count(const struct sd_plan *plan)
{
	struct sd_plan_counts c = {0};
	for (size_t i = 0; i < plan->n_items; i++) {
		switch (plan->items[i].status) {
		case SD_STATUS_FOUND:
			c.found++;
			break;
		case SD_STATUS_MISSING:
			c.missing++;
			break;
		case SD_STATUS_MISMATCH:
			c.mismatch++;
			break;
		case SD_STATUS_SKIPPED:
			c.skipped++;
			break;
		}
	}
	return c;
}

static int order_cmp(const void *pa, const void *pb, void *arg)
{
	const struct sd_plan *plan = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int r = strcmp(plan->items[a].archive_path, plan->items[b].archive_path);
	return r ? r : (a > b) - (a < b);
}

struct sd_error *sd_plan_order(const struct sd_plan *plan, size_t **ret, size_t *ret_n)
{
	size_t *idx = malloc((plan->n_items + 1) * sizeof(*idx));
	if (!idx)
		return &sd_enomem;
	size_t n = 0;
	for (size_t i = 0; i < plan->n_items; i++)
		if (plan->items[i].archive_path)
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), order_cmp, (void *)plan);
	*ret = idx;
	*ret_n = n;
	return NULL;
}

struct sd_error *sd_plan_note(struct sd_plan *plan, const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return &sd_enomem;
	struct sd_error *err = sd_strv_add(&plan->notes, s);
	free(s);
	return err;
}

enum { TAR_ENTRY_OVERHEAD = 1536 };	/* a pax header, the ustar header, padding */

static bool packed(const struct sd_item *it)
{
	return it->archive_path && (it->fd >= 0 || it->content);
}

static uint64_t entry_size(const struct sd_item *it)
{
	return TAR_ENTRY_OVERHEAD + it->size + it->aliases.n * (uint64_t)TAR_ENTRY_OVERHEAD;
}

uint64_t sd_plan_packed_size(const struct sd_plan *plan)
{
	uint64_t total = 0;
	for (size_t i = 0; i < plan->n_items; i++)
		if (packed(&plan->items[i]))
			total += entry_size(&plan->items[i]);
	return total;
}

/* 0: never dropped; 1 first (debuginfo) .. 3 last. */
static int drop_class(const struct sd_item *it)
{
	switch (it->role) {
	case SD_ROLE_DUMP:
	case SD_ROLE_GENERATED:
		return 0;
	case SD_ROLE_DEBUGINFO:
	case SD_ROLE_DWZ:
	case SD_ROLE_VMLINUX_DEBUG:
	case SD_ROLE_MODULE_DEBUG:
	case SD_ROLE_MANAGED_PDB:
		return 1;
	default:
		return it->optional ? 2 : 3;
	}
}

struct sd_error *sd_plan_fit(struct sd_plan *plan, uint64_t limit, const char *why)
{
	uint64_t total = sd_plan_packed_size(plan), kept = 0;
	for (size_t i = 0; i < plan->n_items; i++)
		if (packed(&plan->items[i]) && drop_class(&plan->items[i]) == 0)
			kept += entry_size(&plan->items[i]);
	if (kept > limit)
		return sd_error_create(SD_ERROR_OTHER, "the dump alone needs %" PRIu64 " bytes, more "
				       "than %s allows (%" PRIu64 ")", kept, why, limit);
	for (int class = 1; class <= 3 && total > limit; class++) {
		while (total > limit) {
			struct sd_item *big = NULL;
			for (size_t i = 0; i < plan->n_items; i++) {
				struct sd_item *it = &plan->items[i];
				if (packed(it) && drop_class(it) == class &&
				    (!big || it->size > big->size))
					big = it;
			}
			if (!big)
				break;
			total -= entry_size(big);
			free(big->archive_path);
			big->archive_path = NULL;
			sd_strv_deinit(&big->aliases);
			if (big->fd >= 0)
				close(big->fd);
			big->fd = -1;
			big->status = SD_STATUS_SKIPPED;
			plan->dropped++;
			struct sd_error *err = sd_item_reason(big, "left out to stay within %s", why);
			if (err)
				return err;
		}
	}
	return NULL;
}

struct sd_error *sd_plan_damage(struct sd_plan *plan, const char *fmt, ...)
{
	char *s, *joined;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return &sd_enomem;
	if (!plan->damage) {
		plan->damage = s;
		return NULL;
	}
	r = asprintf(&joined, "%s; %s", plan->damage, s);
	free(s);
	if (r < 0)
		return &sd_enomem;
	free(plan->damage);
	plan->damage = joined;
	return NULL;
}
