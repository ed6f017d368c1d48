// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "modindex.h"
#include "util.h"

/* Bounds on what we read from the root for module lookup. */
enum {
	MAX_MODULES_DEP = 32 << 20,	/* modules.dep of a distribution kernel is < 1 MB */
	MAX_TREE_ENTRIES = 200000,
	MAX_TREE_DEPTH = 16,
};

static const char *const ko_suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };

void sd_kmod_normalize(char *name)
{
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
}

static char *module_name_of(const char *path)
{
	const char *base = sd_basename(path);
	for (size_t i = 0; i < ARRAY_SIZE(ko_suffixes); i++) {
		if (sd_str_has_suffix(base, ko_suffixes[i])) {
			char *name = strndup(base, strlen(base) - strlen(ko_suffixes[i]));
			if (name)
				sd_kmod_normalize(name);
			return name;
		}
	}
	return NULL;
}

/* FNV-1a */
static size_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return (size_t)h;
}

/* The slot of normalised name: where it is, or the empty one where it would go. */
static size_t *slot_of(const struct sd_modindex *idx, const char *norm)
{
	size_t mask = idx->n_slots - 1;
	for (size_t i = name_hash(norm) & mask;; i = (i + 1) & mask)
		if (!idx->slots[i] || strcmp(idx->v[idx->slots[i] - 1].name, norm) == 0)
			return &idx->slots[i];
}

const char *sd_modindex_find(const struct sd_modindex *idx, const char *name)
{
	char norm[256];
	if (!idx->n_slots || snprintf(norm, sizeof(norm), "%s", name) >= (int)sizeof(norm))
		return NULL;
	sd_kmod_normalize(norm);
	size_t *slot = slot_of(idx, norm);
	return *slot ? idx->v[*slot - 1].relpath : NULL;
}

static bool rehash(struct sd_modindex *idx, size_t n_slots)
{
	size_t *slots = calloc(n_slots, sizeof(*slots));
	if (!slots)
		return false;
	free(idx->slots);
	idx->slots = slots;
	idx->n_slots = n_slots;
	for (size_t i = 0; i < idx->n; i++)
		*slot_of(idx, idx->v[i].name) = i + 1;
	return true;
}

static struct sd_error *index_add(struct sd_modindex *idx, const char *relpath)
{
	char *name = module_name_of(relpath);
	if (!name)
		return NULL;
	if ((idx->n + 1) * 2 > idx->n_slots &&
	    !rehash(idx, idx->n_slots ? idx->n_slots * 2 : 256)) {
		free(name);
		return &sd_enomem;
	}
	size_t *slot = slot_of(idx, name);
	if (*slot) {
		free(name);
		return NULL;	/* first wins: depmod's priority, or updates/ first */
	}
	char *path = strdup(relpath);
	if (!path || !sd_grow(&idx->v, &idx->cap, idx->n + 1, sizeof(*idx->v))) {
		free(path);
		free(name);
		return &sd_enomem;
	}
	idx->v[idx->n++] = (struct sd_modfile){ name, path };
	*slot = idx->n;
	return NULL;
}

/* modules.dep lines: "kernel/lib/crc-itu-t.ko: deps..." (paths relative since kmod). */
static struct sd_error *index_modules_dep(const struct sd_root *root, const char *moddir,
					  struct sd_modindex *idx, bool *ret_ok)
{
	*ret_ok = false;
	_cleanup_free_ char *path = sd_path_join(moddir, "modules.dep");
	if (!path)
		return &sd_enomem;
	int fd = sd_root_open(root, path);
	if (fd < 0)
		return NULL;
	char *text = NULL;
	struct sd_error *err = sd_read_small_fd(fd, MAX_MODULES_DEP, &text, NULL);
	close(fd);
	if (err) {
		if (err == &sd_enomem)
			return err;
		int r = asprintf(&idx->problem, "%s: %s", path, err->message);
		sd_error_destroy(err);
		return r < 0 ? &sd_enomem : NULL;
	}
	char *save = NULL;
	size_t ml = strlen(moddir);
	for (char *line = strtok_r(text, "\n", &save); line && !err;
	     line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		const char *rel = line;
		/* Old depmod wrote absolute paths. */
		if (strncmp(rel, moddir, ml) == 0 && rel[ml] == '/')
			rel += ml + 1;
		_cleanup_free_ char *abs = sd_path_join("/", rel);
		if (!abs) {
			err = &sd_enomem;
			break;
		}
		char *norm = NULL;
		struct sd_error *bad = sd_path_normalize(abs, &norm);
		if (bad) {
			sd_error_destroy(bad);	/* an unusable line: skip it */
			continue;
		}
		err = index_add(idx, norm + 1);
		free(norm);
	}
	free(text);
	*ret_ok = err == NULL;
	return err;
}

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct sd_error *walk_tree(struct sd_modindex *idx, int parent, const char *rel,
				  int depth, size_t *count)
{
	if (depth > MAX_TREE_DEPTH)
		return NULL;
	int fd = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return NULL;
	}
	/* Sorted, so the result does not depend on directory order. */
	struct sd_strv names = {0};
	struct dirent *e;
	struct sd_error *err = NULL;
	while ((e = readdir(d)) && !err) {
		if (++*count > MAX_TREE_ENTRIES)
			break;
		if (e->d_name[0] == '.' || strcmp(e->d_name, "build") == 0 ||
		    strcmp(e->d_name, "source") == 0)
			continue;
		err = sd_strv_add(&names, e->d_name);
	}
	if (!err && names.n)
		qsort(names.v, names.n, sizeof(*names.v), strp_cmp);
	for (size_t i = 0; i < names.n && !err; i++) {
		_cleanup_free_ char *child = rel[0] ? sd_path_join(rel, names.v[i]) : strdup(names.v[i]);
		if (!child) {
			err = &sd_enomem;
			break;
		}
		struct stat st;
		if (fstatat(dirfd(d), names.v[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), names.v[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				err = walk_tree(idx, sub, child, depth + 1, count);
				close(sub);
			}
		} else if (S_ISREG(st.st_mode)) {
			err = index_add(idx, child);
		}
	}
	sd_strv_deinit(&names);
	closedir(d);
	return err;
}

struct sd_error *sd_modindex_load(const struct sd_root *root, const char *release,
				  struct sd_modindex *ret)
{
	struct sd_modindex idx = {0};
	_cleanup_free_ char *moddir = NULL;
	if (asprintf(&moddir, "/lib/modules/%s", release) < 0)
		return &sd_enomem;
	bool ok;
	struct sd_error *err = index_modules_dep(root, moddir, &idx, &ok);
	if (!err && !ok) {
		/* No modules.dep: walk the tree, updates/ and extra/ first as depmod would. */
		int dfd = sd_root_open_dir(root, moddir);
		if (dfd >= 0) {
			size_t count = 0;
			static const char *const first[] = { "updates", "extra", "weak-updates",
							     "dkms" };
			for (size_t i = 0; i < ARRAY_SIZE(first) && !err; i++) {
				int sub = openat(dfd, first[i],
						 O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (sub >= 0) {
					err = walk_tree(&idx, sub, first[i], 1, &count);
					close(sub);
				}
			}
			if (!err)
				err = walk_tree(&idx, dfd, "", 0, &count);
			close(dfd);
		}
	}
	if (err) {
		sd_modindex_deinit(&idx);
		return err;
	}
	*ret = idx;
	return NULL;
}

void sd_modindex_deinit(struct sd_modindex *idx)
{
	for (size_t i = 0; i < idx->n; i++) {
		free(idx->v[i].name);
		free(idx->v[i].relpath);
	}
	free(idx->v);
	free(idx->slots);
	free(idx->problem);
	memset(idx, 0, sizeof(*idx));
}
