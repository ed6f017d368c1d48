// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "hash.h"
#include "resolve.h"
#include "util.h"

struct sd_error *sd_resolver_init(struct sd_resolver *r, const struct sd_root *root,
				  const struct sd_strv *debug_dirs, bool use_debuginfod,
				  bool allow_mismatch)
{
	memset(r, 0, sizeof(*r));
	r->root = root;
	r->allow_mismatch = allow_mismatch;
	struct sd_error *err;
	/* The given directories first, then the standard one. */
	for (size_t i = 0; debug_dirs && i <= debug_dirs->n; i++) {
		const char *dir = i < debug_dirs->n ? debug_dirs->v[i] : "/usr/lib/debug";
		_cleanup_free_ char *norm = NULL;
		if ((err = sd_path_normalize(dir, &norm)))
			return sd_error_prefix(err, "--debug-dir %s", dir);
		if (!sd_strv_contains(&r->debug_dirs, norm) &&
		    (err = sd_strv_add(&r->debug_dirs, norm)))
			return err;
	}
	if (!debug_dirs && (err = sd_strv_add(&r->debug_dirs, "/usr/lib/debug")))
		return err;
	if (use_debuginfod)
		r->debuginfod = sd_debuginfod_create();
	return NULL;
}

void sd_resolver_deinit(struct sd_resolver *r)
{
	sd_strv_deinit(&r->debug_dirs);
	sd_debuginfod_destroy(r->debuginfod);
	memset(r, 0, sizeof(*r));
}

const char *sd_archive_path_of(const char *abs_path)
{
	while (*abs_path == '/')
		abs_path++;
	return abs_path;
}

static char *build_id_rel(const struct sd_build_id *id, const char *dir, const char *suffix)
{
	char hex[2 * SD_BUILD_ID_MAX + 1];
	sd_hex(id->bytes, id->len, hex);
	char *out;
	if (asprintf(&out, "%s/.build-id/%.2s/%s%s", dir, hex, hex + 2, suffix) < 0)
		return NULL;
	return out;
}

struct sd_error *sd_build_id_archive_path(const struct sd_build_id *id, const char *suffix,
					  char **ret)
{
	char *p = build_id_rel(id, "usr/lib/debug", suffix);
	if (!p)
		return &sd_enomem;
	*ret = p;
	return NULL;
}

/* What we tried, for the reason of a missing item. */
struct attempts {
	char *text;
	size_t len;
	FILE *f;
};

static void attempts_init(struct attempts *a)
{
	a->text = NULL;
	a->len = 0;
	a->f = open_memstream(&a->text, &a->len);
}

static void attempt(struct attempts *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void attempt(struct attempts *a, const char *fmt, ...)
{
	if (!a->f)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (ftell(a->f) > 0)
		fputs(", ", a->f);
	vfprintf(a->f, fmt, ap);
	va_end(ap);
}

static const char *attempts_text(struct attempts *a)
{
	if (a->f) {
		fclose(a->f);
		a->f = NULL;
	}
	return a->text ? a->text : "";
}

static void attempts_deinit(struct attempts *a)
{
	attempts_text(a);
	free(a->text);
}

/* The host path of an in-root path, for the manifest and messages. */
static char *host_path(const struct sd_resolver *r, const char *path)
{
	if (strcmp(r->root->path, "/") == 0)
		return strdup(path);
	return sd_path_join(r->root->path, path);
}

/* Candidate being considered: accepted, remembered as a mismatch, or closed. */
struct pick {
	int fd;
	char *path;	/* in-root path or "debuginfod:..." */
	struct sd_build_id id;
	int mismatch_fd;
	char *mismatch_path;
	struct sd_build_id mismatch_id;
	char *notreg_path;	/* first candidate that was not a regular file (never opened) */
	int notreg;		/* what it was: SD_ENOTREG_* */
};

static void pick_deinit(struct pick *p)
{
	if (p->fd >= 0)
		close(p->fd);
	if (p->mismatch_fd >= 0)
		close(p->mismatch_fd);
	free(p->path);
	free(p->mismatch_path);
	free(p->notreg_path);
}

typedef bool verify_fn(int fd, const struct sd_build_id *expected, const void *arg,
		       struct sd_build_id *got);

static bool verify_build_id(int fd, const struct sd_build_id *expected, const void *arg,
			    struct sd_build_id *got)
{
	got->len = 0;
	sd_elf_build_id(fd, got);
	if (!expected->len)
		return true;
	return sd_build_id_eq(expected, got);
}

/* Offer fd (owned) found at path; returns true if accepted. */
static bool offer(struct pick *p, int fd, const char *path, const struct sd_build_id *expected,
		  verify_fn *verify, const void *arg)
{
	struct sd_build_id got = {0};
	if (verify(fd, expected, arg, &got)) {
		p->fd = fd;
		p->path = strdup(path);
		p->id = got;
		return true;
	}
	if (p->mismatch_fd < 0) {
		p->mismatch_fd = fd;
		p->mismatch_path = strdup(path);
		p->mismatch_id = got;
	} else {
		close(fd);
	}
	return false;
}

static bool try_path(struct sd_resolver *r, struct pick *p, struct attempts *a, const char *path,
		     const struct sd_build_id *expected, verify_fn *verify, const void *arg)
{
	int fd = sd_root_open(r->root, path);
	if (fd < 0) {
		attempt(a, "%s (%s)", path, sd_root_strerror(-fd));
		if (sd_root_is_notreg(-fd) && !p->notreg_path) {
			p->notreg = -fd;
			p->notreg_path = strdup(path);
		}
		return false;
	}
	if (offer(p, fd, path, expected, verify, arg))
		return true;
	attempt(a, "%s (build-id differs)", path);
	return false;
}

static bool try_debuginfod(struct sd_resolver *r, struct pick *p, struct attempts *a,
			   enum sd_debuginfod_kind kind, const struct sd_build_id *id,
			   verify_fn *verify, const void *arg)
{
	if (!r->debuginfod || !id->len)
		return false;
	char *cached = NULL;
	int fd = sd_debuginfod_find(r->debuginfod, kind, id, &cached);
	if (fd < 0) {
		attempt(a, "debuginfod (%s)", strerror(-fd));
		free(cached);
		return false;
	}
	_cleanup_free_ char *label = NULL;
	if (asprintf(&label, "debuginfod:%s", cached ? cached : "") < 0)
		label = NULL;
	free(cached);
	bool ok = offer(p, fd, label ? label : "debuginfod", id, verify, arg);
	if (!ok)
		attempt(a, "debuginfod (build-id differs)");
	return ok;
}

static struct sd_error *finish_pick(struct sd_resolver *r, struct sd_item *item, struct pick *p,
				    struct attempts *a)
{
	char have[2 * SD_BUILD_ID_MAX + 1], want[2 * SD_BUILD_ID_MAX + 1];
	struct sd_error *err = NULL;
	int fd = -1;
	const char *path = NULL;

	if (p->fd >= 0) {
		if (!p->path)
			return &sd_enomem;
		item->status = SD_STATUS_FOUND;
		if (!item->build_id.len && p->id.len) {
			item->build_id = p->id;
			err = sd_item_reason(item, "the dump records no build-id; not verified");
		} else if (!item->build_id.len) {
			err = sd_item_reason(item, "no build-id in the dump or the file; not verified");
		}
		fd = take_fd(p->fd);
		path = p->path;
	} else if (p->mismatch_fd >= 0) {
		item->status = SD_STATUS_MISMATCH;
		item->found_build_id = p->mismatch_id;
		err = sd_item_reason(item, "%s has build-id %s, the dump expects %s%s",
				     p->mismatch_path ? p->mismatch_path : "file",
				     p->mismatch_id.len ? sd_build_id_hex(&p->mismatch_id, have)
							: "(none)",
				     sd_build_id_hex(&item->build_id, want),
				     r->allow_mismatch ? "; packed anyway (--allow-mismatch)"
						       : "; not packed");
		if (r->allow_mismatch) {
			fd = take_fd(p->mismatch_fd);
			path = p->mismatch_path;
		}
	} else if (p->notreg_path) {
		item->status = SD_STATUS_SKIPPED;
		err = sd_item_reason(item, "%s: %s; not opened", p->notreg_path,
				     sd_root_strerror(p->notreg));
	} else {
		item->status = SD_STATUS_MISSING;
		err = sd_item_reason(item, "not found: tried %s", attempts_text(a));
	}
	if (err)
		return err;
	if (fd >= 0) {
		struct stat st;
		if (fstat(fd, &st) < 0) {
			int e = errno;
			close(fd);
			return sd_error_errno(e, "%s", path);
		}
		item->fd = fd;
		item->size = (uint64_t)st.st_size;
		free(item->source_path);
		item->source_path = sd_str_has_prefix(path, "debuginfod:") ? strdup(path)
									 : host_path(r, path);
		if (!item->source_path)
			return &sd_enomem;
	}
	return NULL;
}

struct sd_error *sd_resolve_binary(struct sd_resolver *r, struct sd_item *item,
				   const char *const *paths, size_t n_paths, unsigned strategies)
{
	struct pick p = { .fd = -1, .mismatch_fd = -1 };
	struct attempts a;
	attempts_init(&a);
	const struct sd_build_id *want = &item->build_id;
	bool found = false;

	for (size_t i = 0; !found && (strategies & SD_FIND_PATHS) && i < n_paths; i++) {
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			dup |= strcmp(paths[i], paths[j]) == 0;
		if (!dup)
			found = try_path(r, &p, &a, paths[i], want, verify_build_id, NULL);
	}
	for (size_t i = 0; !found && (strategies & SD_FIND_BUILD_ID) && want->len &&
			   i < r->debug_dirs.n; i++) {
		_cleanup_free_ char *path = build_id_rel(want, r->debug_dirs.v[i], "");
		if (!path) {
			pick_deinit(&p);
			attempts_deinit(&a);
			return &sd_enomem;
		}
		found = try_path(r, &p, &a, path, want, verify_build_id, NULL);
	}
	if (!found && (strategies & SD_FIND_DEBUGINFOD))
		found = try_debuginfod(r, &p, &a, SD_DEBUGINFOD_EXECUTABLE, want, verify_build_id,
				       NULL);
	struct sd_error *err = finish_pick(r, item, &p, &a);
	pick_deinit(&p);
	attempts_deinit(&a);
	return err;
}

/* A debuglink candidate without build-ids to compare must match the recorded CRC. */
struct debuglink_check {
	uint32_t crc;
};

static bool verify_debug(int fd, const struct sd_build_id *expected, const void *arg,
			 struct sd_build_id *got)
{
	got->len = 0;
	sd_elf_build_id(fd, got);
	if (expected->len && got->len)
		return sd_build_id_eq(expected, got);
	const struct debuglink_check *check = arg;
	if (!check)
		return !expected->len;
	uint32_t crc;
	return sd_crc32_fd(fd, &crc) == 0 && crc == check->crc;
}

/* Find a debug item for plan->items[index] and add it. */
static struct sd_error *add_dwz(struct sd_resolver *r, struct sd_plan *plan, size_t index,
				const struct sd_elf_info *info);

static struct sd_error *add_debug_item(struct sd_plan *plan, size_t parent, enum sd_role role,
				       struct sd_item **ret)
{
	struct sd_item *item;
	struct sd_error *err = sd_plan_add(plan, role, SD_STATUS_MISSING, &item);
	if (err)
		return err;
	struct sd_item *bin = &plan->items[parent];
	item->parent = parent;
	item->optional = true;
	item->build_id = bin->build_id;
	if (bin->name && (err = sd_item_set(&item->name, bin->name)))
		return err;
	*ret = item;
	return NULL;
}

/* Archive path (and alias) for a debug file found at in-root path found_at. */
static struct sd_error *place_debug(struct sd_resolver *r, struct sd_item *item,
				    const char *fallback_path, const char *found_at)
{
	struct sd_error *err;
	if (item->build_id.len) {
		if ((err = sd_build_id_archive_path(&item->build_id, ".debug", &item->archive_path)))
			return err;
	} else if ((err = sd_item_set(&item->archive_path, sd_archive_path_of(fallback_path)))) {
		return err;
	}
	if (!found_at || found_at[0] != '/')
		return NULL;
	/*
	 * Keep the name it had on the system too. A file from a --debug-dir is
	 * known by its place in that directory, so it goes to the same place
	 * under usr/lib/debug, where the launchers point the debugger.
	 */
	_cleanup_free_ char *alias = NULL;
	for (size_t i = 0; i < r->debug_dirs.n && !alias; i++) {
		const char *d = r->debug_dirs.v[i];
		size_t n = strlen(d);
		if (strncmp(found_at, d, n) == 0 && found_at[n] == '/' &&
		    asprintf(&alias, "usr/lib/debug%s", found_at + n) < 0)
			return &sd_enomem;
	}
	if (!alias && !(alias = strdup(sd_archive_path_of(found_at))))
		return &sd_enomem;
	if (strcmp(alias, item->archive_path) != 0 && !sd_strv_contains(&item->aliases, alias))
		return sd_strv_add(&item->aliases, alias);
	return NULL;
}

struct sd_error *sd_resolve_debuginfo(struct sd_resolver *r, struct sd_plan *plan,
				      size_t bin_index, enum sd_role debug_role)
{
	struct sd_item *bin = &plan->items[bin_index];
	struct sd_elf_info info = {0};
	struct sd_error *err = NULL;
	bool have_info = false;
	if (bin->fd >= 0 && bin->status == SD_STATUS_FOUND) {
		if (sd_elf_file_info(bin->fd, &info) == NULL)
			have_info = true;
	}
	if (have_info && info.has_debug_info) {
		/* The binary carries its own DWARF; it may still use a dwz file. */
		if (info.altlink)
			err = add_dwz(r, plan, bin_index, &info);
		sd_elf_info_deinit(&info);
		return err;
	}
	struct sd_build_id want = bin->build_id;
	if (!want.len && !(have_info && info.debuglink)) {
		sd_elf_info_deinit(&info);
		return NULL;	/* nothing to look a debug file up by */
	}
	if (sd_plan_find_build_id(plan, &want, true)) {
		sd_elf_info_deinit(&info);
		return NULL;	/* already collected for another name of the same file */
	}

	struct pick p = { .fd = -1, .mismatch_fd = -1 };
	struct attempts a;
	attempts_init(&a);
	bool found = false;
	_cleanup_free_ char *fallback = NULL;

	for (size_t i = 0; !found && want.len && i < r->debug_dirs.n; i++) {
		_cleanup_free_ char *path = build_id_rel(&want, r->debug_dirs.v[i], ".debug");
		if (!path) {
			err = &sd_enomem;
			goto out;
		}
		found = try_path(r, &p, &a, path, &want, verify_debug, NULL);
	}
	if (have_info && info.debuglink && !strchr(info.debuglink, '/')) {
		struct debuglink_check check = { info.debuglink_crc };
		_cleanup_free_ char *dir = sd_dirname(bin->orig_path ? bin->orig_path : "/");
		if (!dir) {
			err = &sd_enomem;
			goto out;
		}
		char *cands[2 + 16] = {0};
		size_t n = 0;
		if (asprintf(&cands[n], "%s/%s", dir, info.debuglink) >= 0)
			n++;
		if (asprintf(&cands[n], "%s/.debug/%s", dir, info.debuglink) >= 0)
			n++;
		for (size_t i = 0; i < r->debug_dirs.n && n < ARRAY_SIZE(cands); i++) {
			if (asprintf(&cands[n], "%s%s/%s", r->debug_dirs.v[i],
				     strcmp(dir, "/") ? dir : "", info.debuglink) >= 0)
				n++;
		}
		if (n > 2)
			fallback = strdup(cands[2]);
		for (size_t i = 0; i < n; i++) {
			if (!found)
				found = try_path(r, &p, &a, cands[i], &want, verify_debug, &check);
			free(cands[i]);
		}
	}
	if (!found)
		found = try_debuginfod(r, &p, &a, SD_DEBUGINFOD_DEBUGINFO, &want, verify_debug,
				       NULL);

	struct sd_item *dbg;
	if ((err = add_debug_item(plan, bin_index, debug_role, &dbg)))
		goto out;
	bin = &plan->items[bin_index];
	if (!want.len)
		dbg->build_id.len = 0;
	if ((err = finish_pick(r, dbg, &p, &a)))
		goto out;
	size_t dbg_index = (size_t)(dbg - plan->items);
	if (dbg->fd >= 0) {
		_cleanup_free_ char *fb = NULL;
		if (!fallback && asprintf(&fb, "/usr/lib/debug%s.debug", bin->orig_path) < 0) {
			err = &sd_enomem;
			goto out;
		}
		if ((err = place_debug(r, dbg, fallback ? fallback : fb, p.path)))
			goto out;
		struct sd_elf_info dinfo;
		if (sd_elf_file_info(dbg->fd, &dinfo) == NULL) {
			if (dinfo.altlink)
				err = add_dwz(r, plan, dbg_index, &dinfo);
			sd_elf_info_deinit(&dinfo);
		}
	} else if (dbg->status == SD_STATUS_MISSING) {
		char hex[2 * SD_BUILD_ID_MAX + 1];
		if (want.len) {
			sd_hex(want.bytes, want.len, hex);
			if (asprintf(&dbg->hint,
				     "install the debug symbols package that provides /usr/lib/debug/.build-id/%.2s/%s.debug",
				     hex, hex + 2) < 0)
				dbg->hint = NULL;
		}
		if (have_info && info.has_symtab) {
			char *r2;
			if (asprintf(&r2, "%s (the binary still has a symbol table)", dbg->reason) >= 0) {
				free(dbg->reason);
				dbg->reason = r2;
			}
		}
	}
out:
	pick_deinit(&p);
	attempts_deinit(&a);
	sd_elf_info_deinit(&info);
	return err;
}

static struct sd_error *add_dwz(struct sd_resolver *r, struct sd_plan *plan, size_t index,
				const struct sd_elf_info *info)
{
	if (sd_plan_find_build_id(plan, &info->alt_build_id, true))
		return NULL;	/* shared by many debug files; collect once */
	/* Already listed as missing? */
	for (size_t i = 0; i < plan->n_items; i++) {
		const struct sd_item *it = &plan->items[i];
		if (it->role == SD_ROLE_DWZ && sd_build_id_eq(&it->build_id, &info->alt_build_id))
			return NULL;
	}
	struct pick p = { .fd = -1, .mismatch_fd = -1 };
	struct attempts a;
	attempts_init(&a);
	bool found = false;
	struct sd_error *err = NULL;
	const struct sd_build_id *want = &info->alt_build_id;
	_cleanup_free_ char *link_path = NULL;

	for (size_t i = 0; !found && want->len && i < r->debug_dirs.n; i++) {
		_cleanup_free_ char *path = build_id_rel(want, r->debug_dirs.v[i], ".debug");
		if (!path) {
			err = &sd_enomem;
			goto out;
		}
		found = try_path(r, &p, &a, path, want, verify_debug, NULL);
	}
	if (info->altlink) {
		/* A relative altlink is relative to the debug file's own directory. */
		const struct sd_item *from = &plan->items[index];
		const char *from_path = from->source_path && from->source_path[0] == '/'
					? from->source_path : from->orig_path;
		if (info->altlink[0] == '/') {
			sd_path_normalize(info->altlink, &link_path);
		} else if (from_path) {
			_cleanup_free_ char *dir = sd_dirname(from_path);
			_cleanup_free_ char *joined = dir ? sd_path_join(dir, info->altlink) : NULL;
			if (joined)
				sd_path_normalize(joined, &link_path);
		}
		if (!found && link_path)
			found = try_path(r, &p, &a, link_path, want, verify_debug, NULL);
	}
	if (!found)
		found = try_debuginfod(r, &p, &a, SD_DEBUGINFOD_DEBUGINFO, want, verify_debug,
				       NULL);

	struct sd_item *dwz;
	if ((err = sd_plan_add(plan, SD_ROLE_DWZ, SD_STATUS_MISSING, &dwz)))
		goto out;
	dwz->parent = index;
	dwz->optional = true;
	dwz->build_id = *want;
	if (info->altlink && (err = sd_item_set(&dwz->name, sd_basename(info->altlink))))
		goto out;
	if (link_path && (err = sd_item_set(&dwz->orig_path, link_path)))
		goto out;
	if ((err = finish_pick(r, dwz, &p, &a)))
		goto out;
	if (dwz->fd >= 0)
		err = place_debug(r, dwz, link_path ? link_path : "/usr/lib/debug/.dwz/unknown",
				  p.path);
out:
	pick_deinit(&p);
	attempts_deinit(&a);
	return err;
}
