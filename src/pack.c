// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "hash.h"
#include "pack.h"
#include "progress.h"
#include "reader.h"
#include "util.h"

enum entry_type { ENTRY_DIR, ENTRY_FILE, ENTRY_SYMLINK };

struct entry {
	char *path;
	enum entry_type type;
	size_t item;		/* ENTRY_FILE: the item; ENTRY_SYMLINK: the item linked to */
};

struct entries {
	struct entry *v;
	size_t n, cap;
};

static struct sd_error *add_entry(struct entries *e, const char *path, enum entry_type type,
				  size_t item)
{
	if (!sd_grow(&e->v, &e->cap, e->n + 1, sizeof(*e->v)))
		return &sd_enomem;
	char *copy = strdup(path);
	if (!copy)
		return &sd_enomem;
	e->v[e->n++] = (struct entry){ copy, type, item };
	return NULL;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int r = strcmp(a->path, b->path);
	/* Equal paths: directories first, then files, then symlinks; then by item. */
	if (!r)
		r = (int)a->type - (int)b->type;
	if (!r)
		r = (a->item > b->item) - (a->item < b->item);
	return r;
}

static void entries_deinit(struct entries *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i].path);
	free(e->v);
}

/*
 * Every packed item and alias, plus the directories that hold them, sorted.
 * The plan has settled every name (sd_plan_decide()): two claims of one
 * path here would be a bug, and fail.
 */
static struct sd_error *build_entries(const struct sd_plan *plan, struct entries *e)
{
	struct sd_error *err;
	for (size_t i = 0; i < plan->n_items; i++) {
		const struct sd_item *it = &plan->items[i];
		if (!it->pack)
			continue;
		if ((err = add_entry(e, it->archive_path, ENTRY_FILE, i)))
			return err;
		for (size_t a = 0; a < it->aliases.n; a++)
			if ((err = add_entry(e, it->aliases.v[a], ENTRY_SYMLINK, i)))
				return err;
	}
	size_t n = e->n;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *p = strdup(e->v[i].path);
		if (!p)
			return &sd_enomem;
		for (char *s = strrchr(p, '/'); s; s = strrchr(p, '/')) {
			*s = '\0';
			if ((err = add_entry(e, p, ENTRY_DIR, SIZE_MAX)))
				return err;
		}
	}
	qsort(e->v, e->n, sizeof(*e->v), entry_cmp);
	size_t out = 0;
	for (size_t i = 0; i < e->n; i++) {
		if (out > 0 && strcmp(e->v[out - 1].path, e->v[i].path) == 0) {
			if (e->v[i].type != ENTRY_DIR || e->v[out - 1].type != ENTRY_DIR)
				return sd_error_create(SD_ERROR_OTHER, "internal error: archive path "
						       "%s planned twice", e->v[i].path);
			free(e->v[i].path);
			continue;
		}
		e->v[out++] = e->v[i];
	}
	e->n = out;
	return NULL;
}

/*
 * Holes are hashed as zeros (for the sha256 of the whole file) only while
 * they are no larger than the data, or this: beyond that, the time would go
 * into hashing zeros that are neither read nor written, and the manifest
 * has the sha256 of the data extents instead (sha256_data).
 */
enum { HOLES_HASHED_MAX = 64 << 20 };

static struct sd_error *write_file(struct sd_out *out, struct sd_item *it, int fd,
				   struct sd_sha256 *h, struct sd_progress *progress)
{
	struct stat st;
	if (fd < 0)
		return sd_error_create(SD_ERROR_OTHER, "internal error: no open file for %s",
				       it->archive_path);
	if (fstat(fd, &st) < 0)
		return sd_error_errno(errno, "%s", it->source_path ? it->source_path : it->name);
	/* Re-read the size: the one planned may be stale for a live file. */
	it->size = (uint64_t)st.st_size;
	_cleanup_free_ struct sd_extent *ext = NULL;
	size_t n_ext;
	struct sd_error *err = sd_file_extents(fd, it->size, &ext, &n_ext);
	if (err)
		return err;
	uint64_t data = 0;
	for (size_t i = 0; i < n_ext; i++)
		data += ext[i].len;
	uint64_t holes = it->size - data;
	bool whole = holes <= data || holes <= HOLES_HASHED_MAX;

	struct sd_reader *reader;
	const char *name = it->source_path ? it->source_path : it->archive_path;
	if ((err = sd_reader_start(fd, name, ext, n_ext, it->size, h, whole, &reader)))
		return err;
	struct sd_file_src src = {
		.fd = fd, .size = it->size, .mode = st.st_mode,
		.ext = ext, .n_ext = n_ext, .reader = reader,
	};
	sd_out_signal_input = name;
	err = out->ops->add_file(out->impl, it->archive_path, &src, sd_progress_add, progress);
	sd_reader_destroy(reader);
	sd_out_signal_input = NULL;
	if (err)
		return err;
	if (whole) {
		sd_sha256_final(h, it->sha256);
	} else {
		sd_sha256_final(h, it->sha256_data);
		it->data_size = data;
	}
	return NULL;
}

static struct sd_error *write_item(struct sd_out *out, struct sd_plan *plan,
				   const struct sd_files *files, size_t index, struct sd_sha256 *h,
				   struct sd_progress *progress)
{
	struct sd_item *it = &plan->items[index];
	struct sd_error *err;
	if (it->content) {
		sd_sha256_update(h, it->content, it->content_len);
		err = out->ops->add_data(out->impl, it->archive_path, it->content, it->content_len,
					 sd_str_has_suffix(it->archive_path, ".sh") ? 0755 : 0644);
		sd_sha256_final(h, it->sha256);
	} else {
		err = write_file(out, it, sd_files_fd(files, index), h, progress);
	}
	if (err)
		return err;
	it->packed = true;
	return NULL;
}

struct sd_error *sd_pack(struct sd_plan *plan, const struct sd_files *files,
			 const struct sd_pack_options *opts)
{
	struct entries e = {0};
	struct sd_out out = {0};
	struct sd_sha256 *h = NULL;
	struct sd_progress *progress = NULL;
	char *manifest = NULL;
	size_t manifest_len = 0;
	struct sd_error *err;

	if ((err = build_entries(plan, &e)))
		goto out;
	if ((err = sd_sha256_create(&h)))
		goto out;
	uint64_t total = 0;
	for (size_t i = 0; i < e.n; i++)
		if (e.v[i].type == ENTRY_FILE && !plan->items[e.v[i].item].content)
			total += plan->items[e.v[i].item].size;
	progress = sd_progress_create(total, opts->progress, opts->progress_json);

	if ((err = sd_out_open(&opts->out, &out)))
		goto out;
	if (opts->out.directory || opts->out.top) {
		/* The top directory itself (tar) */
		if (!opts->out.directory && (err = out.ops->add_dir(out.impl, "")))
			goto out;
	}
	for (size_t i = 0; i < e.n; i++) {
		const struct entry *en = &e.v[i];
		switch (en->type) {
		case ENTRY_DIR:
			err = out.ops->add_dir(out.impl, en->path);
			break;
		case ENTRY_FILE:
			err = write_item(&out, plan, files, en->item, h, progress);
			if (err)
				err = sd_error_prefix(err, "%s", plan->items[en->item].archive_path);
			break;
		case ENTRY_SYMLINK: {
			_cleanup_free_ char *target = NULL;
			err = sd_path_relative(en->path, plan->items[en->item].archive_path, &target);
			if (!err)
				err = out.ops->add_symlink(out.impl, en->path, target);
			break;
		}
		}
		if (err)
			goto out;
	}
	sd_progress_done(progress);

	FILE *mf = open_memstream(&manifest, &manifest_len);
	if (!mf) {
		err = &sd_enomem;
		goto out;
	}
	sd_manifest_write(mf, plan, &opts->manifest);
	if (fclose(mf) != 0) {
		err = &sd_enomem;
		goto out;
	}
	if ((err = out.ops->add_data(out.impl, "manifest.json", manifest, manifest_len, 0644)))
		goto out;
	err = out.ops->commit(out.impl);
out:
	sd_out_destroy(&out);
	sd_progress_destroy(progress);
	sd_sha256_destroy(h);
	entries_deinit(&e);
	free(manifest);
	return err;
}
