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
	sd_strv_deinit(&item->candidates);
	free(item->root_path);
	free(item->why);
}

void sd_plan_truncate(struct sd_plan *plan, size_t n)
{
	while (plan->n_items > n)
		item_deinit(&plan->items[--plan->n_items]);
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
	free(plan->journal_match);
	free(plan->journal_executable);
	free(plan->journal_command_line);
	free(plan->command_line);
	free(plan->cwd);
	free(plan->release);
	sd_strv_deinit(&plan->notes);
	free(plan->damage);
	free(plan->modules_pending);
	free(plan->system_map_refused);
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
	item->parent = SIZE_MAX;
	*ret = item;
	return NULL;
}

struct sd_error *sd_plan_need(struct sd_plan *plan, enum sd_role role, const char *name,
			      const char *orig_path, unsigned find, enum sd_verify verify,
			      struct sd_item **ret)
{
	struct sd_item *item;
	struct sd_error *err = sd_plan_add(plan, role, SD_STATUS_WANTED, &item);
	if (err)
		return err;
	item->find = find;
	item->verify = verify;
	if ((err = sd_item_set(&item->name, name)) ||
	    (orig_path && (err = sd_item_set(&item->orig_path, orig_path))))
		return err;
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
	item->pack = true;
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

bool sd_role_is_debug(enum sd_role role)
{
	return role == SD_ROLE_DEBUGINFO || role == SD_ROLE_DWZ ||
	       role == SD_ROLE_VMLINUX_DEBUG || role == SD_ROLE_MODULE_DEBUG;
}

enum sd_role sd_role_debug_of(enum sd_role role)
{
	switch (role) {
	case SD_ROLE_VMLINUX:
		return SD_ROLE_VMLINUX_DEBUG;
	case SD_ROLE_MODULE:
		return SD_ROLE_MODULE_DEBUG;
	default:
		return SD_ROLE_DEBUGINFO;
	}
}

struct sd_item *sd_plan_find_build_id(struct sd_plan *plan, const struct sd_build_id *id,
				      bool debug)
{
	if (!id->len)
		return NULL;
	for (size_t i = 0; i < plan->n_items; i++) {
		struct sd_item *it = &plan->items[i];
		if ((it->status == SD_STATUS_FOUND || it->pack) && sd_role_is_debug(it->role) == debug &&
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
		[SD_ROLE_SOURCE] = "source",
		[SD_ROLE_GENERATED] = "generated",
		[SD_ROLE_DOTNET_CORE] = "dotnet-core",
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
	case SD_STATUS_WANTED:
		return "wanted";
	}
	return "unknown";
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
			if (!plan->items[i].omit)
				c.skipped++;
			break;
		case SD_STATUS_WANTED:
			break;
		}
	}
	return c;
}

bool sd_role_is_binary(enum sd_role role)
{
	switch (role) {
	case SD_ROLE_EXECUTABLE:
	case SD_ROLE_LIBRARY:
	case SD_ROLE_VDSO:
	case SD_ROLE_DOTNET_RUNTIME:
	case SD_ROLE_MANAGED:
	case SD_ROLE_VMLINUX:
	case SD_ROLE_MODULE:
		return true;
	default:
		return false;
	}
}

bool sd_item_lacking(const struct sd_item *it)
{
	return !it->omit && (it->status == SD_STATUS_MISSING || it->status == SD_STATUS_MISMATCH ||
			     it->dropped);
}

struct sd_plan_verdict sd_plan_judge(const struct sd_plan *plan)
{
	struct sd_plan_verdict v = { .self_contained = true, .debuginfo_complete = true };
	for (size_t i = 0; i < plan->n_items; i++) {
		const struct sd_item *it = &plan->items[i];
		if (!sd_item_lacking(it))
			continue;
		if (sd_role_is_binary(it->role))
			v.self_contained = false;
		else
			v.debuginfo_complete = false;
	}
	v.complete = v.self_contained && v.debuginfo_complete && !plan->damage;
	return v;
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
	return it->pack && it->archive_path;
}

static uint64_t entry_size(const struct sd_item *it, unsigned compress_ratio)
{
	uint64_t data = it->compressed || it->content ? it->size
						       : it->size / 100 * compress_ratio +
							 it->size % 100 * compress_ratio / 100;
	return TAR_ENTRY_OVERHEAD + data + it->aliases.n * (uint64_t)TAR_ENTRY_OVERHEAD;
}

uint64_t sd_plan_packed_size(const struct sd_plan *plan, unsigned compress_ratio)
{
	uint64_t total = 0;
	for (size_t i = 0; i < plan->n_items; i++)
		if (packed(&plan->items[i]))
			total += entry_size(&plan->items[i], compress_ratio);
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

struct sd_error *sd_plan_fit(struct sd_plan *plan, uint64_t limit, unsigned compress_ratio,
			     const char *why)
{
	uint64_t total = sd_plan_packed_size(plan, compress_ratio), kept = 0;
	for (size_t i = 0; i < plan->n_items; i++)
		if (packed(&plan->items[i]) && drop_class(&plan->items[i]) == 0)
			kept += entry_size(&plan->items[i], compress_ratio);
	if (kept > limit)
		return sd_error_create(SD_ERROR_OTHER, "the dump alone needs %" PRIu64 " bytes, more "
				       "than %s allows (%" PRIu64 ")", kept, why, limit);
	for (int class = 1; class <= 3 && total > limit; class++) {
		while (total > limit) {
			struct sd_item *big = NULL;
			for (size_t i = 0; i < plan->n_items; i++) {
				struct sd_item *it = &plan->items[i];
				if (packed(it) && drop_class(it) == class &&
				    (!big || entry_size(it, compress_ratio) >
						     entry_size(big, compress_ratio)))
					big = it;
			}
			if (!big)
				break;
			total -= entry_size(big, compress_ratio);
			big->pack = false;
			sd_strv_deinit(&big->aliases);
			big->status = SD_STATUS_SKIPPED;
			big->dropped = true;
			plan->dropped++;
			struct sd_error *err = sd_item_reason(big, "left out to stay within %s", why);
			if (err)
				return err;
		}
	}
	return NULL;
}

/* --- Deciding archive paths ----------------------------------------------------------- */

bool sd_plan_name_reserved(const char *name)
{
	return strcmp(name, "manifest.json") == 0 || sd_str_has_prefix(name, "run-") ||
	       strcmp(name, "vmcoreinfo.txt") == 0 || strcmp(name, "dmesg.txt") == 0 ||
	       strcmp(name, "symbols") == 0;
}

/* The archive paths claimed so far, sorted, each with the item that holds it. */
struct claim {
	const char *path;	/* borrowed from the item */
	size_t item;
	bool alias;
};

struct claims {
	struct claim *v;
	size_t n, cap;
};

/* Index of the first claim >= path. */
static size_t claims_lower(const struct claims *c, const char *path)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(c->v[mid].path, path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Who already holds path, or a place that path cannot coexist with: the
 * same name, a parent directory that is a file, or a file below path
 * (path would have to be a directory). SIZE_MAX if it is free.
 */
static size_t claims_conflict(const struct claims *c, const char *path)
{
	size_t n = strlen(path);
	size_t i = claims_lower(c, path);
	if (i < c->n && strncmp(c->v[i].path, path, n) == 0 &&
	    (c->v[i].path[n] == '\0' || c->v[i].path[n] == '/'))
		return i;
	/* Entries with path as a prefix sort right after "path" and before "path0". */
	for (size_t j = i; j < c->n && strncmp(c->v[j].path, path, n) == 0; j++)
		if (c->v[j].path[n] == '/')
			return j;
	for (size_t len = n; len > 0; len--) {
		if (path[len - 1] != '/')
			continue;
		char parent[SD_PATH_MAX];
		if (len - 1 >= sizeof(parent))
			continue;
		memcpy(parent, path, len - 1);
		parent[len - 1] = '\0';
		size_t k = claims_lower(c, parent);
		if (k < c->n && strcmp(c->v[k].path, parent) == 0)
			return k;
	}
	return SIZE_MAX;
}

static struct sd_error *claims_add(struct claims *c, const char *path, size_t item, bool alias)
{
	if (!sd_grow(&c->v, &c->cap, c->n + 1, sizeof(*c->v)))
		return &sd_enomem;
	size_t i = claims_lower(c, path);
	memmove(&c->v[i + 1], &c->v[i], (c->n - i) * sizeof(*c->v));
	c->v[i] = (struct claim){ path, item, alias };
	c->n++;
	return NULL;
}

/* An archive path must be relative, normalised and not empty: no way out of the archive. */
static bool path_ok(const char *p)
{
	if (!p[0] || p[0] == '/' || strlen(p) >= SD_PATH_MAX)
		return false;
	for (const char *s = p; *s;) {
		size_t n = strcspn(s, "/");
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		s += n;
		if (*s == '/')
			s++;
		if (!*s && s[-1] == '/')
			return false;
	}
	return true;
}

static bool same_file(const struct sd_item *a, const struct sd_item *b)
{
	if (a->content || b->content)
		return false;
	if (a->source_path && b->source_path && strcmp(a->source_path, b->source_path) == 0)
		return true;
	const struct sd_build_id *ia = a->found_build_id.len ? &a->found_build_id : &a->build_id;
	const struct sd_build_id *ib = b->found_build_id.len ? &b->found_build_id : &b->build_id;
	return a->status == SD_STATUS_FOUND && b->status == SD_STATUS_FOUND &&
	       sd_role_is_debug(a->role) == sd_role_is_debug(b->role) && sd_build_id_eq(ia, ib);
}

static struct sd_error *add_alias(struct sd_item *it, const char *alias)
{
	if (!alias[0] || strcmp(alias, it->archive_path) == 0 || sd_strv_contains(&it->aliases, alias))
		return NULL;
	return sd_strv_add(&it->aliases, alias);
}

/* The aliases the item asked for, made concrete. */
static struct sd_error *wanted_aliases(struct sd_item *it, const struct sd_decide_options *opts)
{
	struct sd_error *err;
	if ((it->alias_flags & SD_ALIAS_FOUND_AT) && it->root_path) {
		/*
		 * The name it had on the system. A file from a --debug-dir is known by
		 * its place in that directory, so it goes to the same place under
		 * usr/lib/debug, where the launchers point the debugger.
		 */
		_cleanup_free_ char *alias = NULL;
		for (size_t i = 0; opts->debug_dirs && i < opts->debug_dirs->n && !alias; i++) {
			const char *d = opts->debug_dirs->v[i];
			size_t n = strlen(d);
			if (strncmp(it->root_path, d, n) == 0 && it->root_path[n] == '/' &&
			    asprintf(&alias, "usr/lib/debug%s", it->root_path + n) < 0)
				return &sd_enomem;
		}
		const char *a = alias ? alias : it->root_path;
		while (*a == '/')
			a++;
		if ((err = add_alias(it, a)))
			return err;
	}
	if ((it->alias_flags & SD_ALIAS_BUILD_ID) && it->build_id.len) {
		char hex[2 * SD_BUILD_ID_MAX + 1], *id;
		sd_build_id_hex(&it->build_id, hex);
		if (asprintf(&id, "usr/lib/debug/.build-id/%.2s/%s%s", hex, hex + 2,
			     sd_role_is_debug(it->role) ? ".debug" : "") < 0)
			return &sd_enomem;
		err = add_alias(it, id);
		free(id);
		if (err)
			return err;
	}
	return NULL;
}

/*
 * The dump's name in the archive: its own, unless that is not a plain name,
 * is reserved, or is the top directory of another item's path.
 */
static struct sd_error *name_dump(struct sd_plan *plan, struct sd_item *dump, const char *want)
{
	const char *base = want && want[0] && !strchr(want, '/') ? want : "core";
	size_t n = strlen(base);
	bool clash = !strcmp(base, ".") || !strcmp(base, "..") || sd_plan_name_reserved(base);
	for (size_t i = 0; i < plan->n_items && !clash; i++) {
		const char *ap = plan->items[i].archive_path;
		clash = &plan->items[i] != dump && ap && !strncmp(ap, base, n) &&
			(ap[n] == '/' || !ap[n]);
	}
	free(dump->archive_path);
	if (asprintf(&dump->archive_path, clash ? "dump-%s" : "%s", base) < 0) {
		dump->archive_path = NULL;
		return &sd_enomem;
	}
	return NULL;
}

/*
 * Skip the found items of role over their bounds, in plan order: larger than
 * file_max, or beyond total_max in all (the options that set them named).
 */
static struct sd_error *bound_role(struct sd_plan *plan, enum sd_role role, uint64_t file_max,
				   const char *file_opt, uint64_t total_max, const char *total_opt)
{
	uint64_t total = 0;
	for (size_t i = 0; i < plan->n_items; i++) {
		struct sd_item *it = &plan->items[i];
		if (it->role != role || it->status != SD_STATUS_FOUND)
			continue;
		if (it->size <= file_max && it->size <= total_max - total) {
			total += it->size;
			continue;
		}
		struct sd_error *err;
		if (it->size > file_max)
			err = sd_item_reason(it, "%" PRIu64 " bytes, more than %s (%" PRIu64 ")",
					     it->size, file_opt, file_max);
		else
			err = sd_item_reason(it, "%" PRIu64 " bytes, beyond %s (%" PRIu64 ", %" PRIu64
					     " taken)", it->size, total_opt, total_max, total);
		if (err)
			return err;
		it->status = SD_STATUS_SKIPPED;
	}
	return NULL;
}

struct sd_error *sd_plan_decide(struct sd_plan *plan, const struct sd_decide_options *opts)
{
	struct claims c = {0};
	struct sd_error *err = NULL;
	char reason[320];

	if ((err = bound_role(plan, SD_ROLE_MAPPED_FILE, opts->mapped_file_max, "--max-mapped-file",
			      opts->mapped_total_max, "--max-mapped-total")) ||
	    (err = bound_role(plan, SD_ROLE_SOURCE, SD_SOURCES_MAX_SIZE, "--sources' bound",
			      SD_SOURCES_MAX_SIZE, "--sources' bound")))
		return err;

	for (size_t i = 0; i < plan->n_items; i++) {
		struct sd_item *it = &plan->items[i];
		it->pack = false;
		if (it->role == SD_ROLE_DUMP && (err = name_dump(plan, it, opts->dump_name)))
			goto out;
	}
	/* A derived core (fillcore.c) goes beside the dump, named after it. */
	for (size_t i = 1; i < plan->n_items; i++) {
		struct sd_item *it = &plan->items[i];
		const char *dump = plan->items[0].archive_path;
		if (it->role != SD_ROLE_DOTNET_CORE || plan->items[0].role != SD_ROLE_DUMP || !dump)
			continue;
		free(it->archive_path);
		if (asprintf(&it->archive_path, "%s" SD_DERIVED_CORE_SUFFIX, dump) < 0) {
			it->archive_path = NULL;
			err = &sd_enomem;
			goto out;
		}
	}
	/* The dump and the generated files first: their names are the archive's own. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < plan->n_items; i++) {
			struct sd_item *it = &plan->items[i];
			bool own = it->role == SD_ROLE_DUMP || it->content;
			if (own != (pass == 0))
				continue;
			bool packable = it->content || it->status == SD_STATUS_FOUND ||
					(it->status == SD_STATUS_MISMATCH && opts->allow_mismatch);
			if (!packable || !it->archive_path)
				continue;
			if (!path_ok(it->archive_path)) {
				snprintf(reason, sizeof(reason), "its archive path is not usable");
				goto skip;
			}
			if (!own && !strchr(it->archive_path, '/') &&
			    sd_plan_name_reserved(it->archive_path)) {
				snprintf(reason, sizeof(reason), "its archive path '%.100s' is a name "
					 "the archive reserves for itself", it->archive_path);
				goto skip;
			}
			size_t k = claims_conflict(&c, it->archive_path);
			if (k != SIZE_MAX) {
				struct sd_item *other = &plan->items[c.v[k].item];
				if (strcmp(c.v[k].path, it->archive_path) == 0 && same_file(it, other)) {
					/* The same file under a second name: found, stored once. */
					if ((err = sd_item_set(&it->archive_path, other->archive_path)) ||
					    (err = sd_item_reason(it, "the same file as %s",
								  other->orig_path ? other->orig_path
										   : other->name)))
						goto out;
					continue;
				}
				snprintf(reason, sizeof(reason), "its archive path '%.100s' collides "
					 "with '%.100s' (%s)", it->archive_path, c.v[k].path,
					 other->orig_path ? "another file" : "the archive's own");
				goto skip;
			}
			if ((err = claims_add(&c, it->archive_path, i, false)))
				goto out;
			it->pack = true;
			if (!own && (err = wanted_aliases(it, opts)))
				goto out;
			/* Aliases are conveniences: one that cannot be stored is left out. */
			size_t kept = 0;
			for (size_t a = 0; a < it->aliases.n; a++) {
				char *al = it->aliases.v[a];
				if (path_ok(al) && !(!strchr(al, '/') && sd_plan_name_reserved(al)) &&
				    claims_conflict(&c, al) == SIZE_MAX) {
					it->aliases.v[kept++] = al;
					if ((err = claims_add(&c, al, i, true)))
						goto out;
				} else {
					free(al);
				}
			}
			it->aliases.n = kept;
			continue;
skip:
			if (own) {
				err = sd_error_create(SD_ERROR_OTHER, "%s: %s", it->archive_path, reason);
				goto out;
			}
			it->status = SD_STATUS_SKIPPED;
			if ((err = sd_item_reason(it, "%s", reason)))
				goto out;
			if ((err = sd_plan_note(plan, "%s %s not packed: %s", sd_role_name(it->role),
						it->orig_path ? it->orig_path : it->name, reason)))
				goto out;
		}
	}
out:
	free(c.v);
	return err;
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
	if (strstr(plan->damage, s)) {
		free(s);	/* said already (each inspection step reports what it read) */
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
