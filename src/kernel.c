// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btf.h"
#include "cleanup.h"
#include "elfutils.h"
#include "kallsyms.h"
#include "kernel.h"
#include "kmodules.h"
#include "output.h"
#include "printk.h"
#include "util.h"
#include "vmcoreinfo.h"

/* Bounds on what we read from the root for module lookup. */
enum {
	MAX_MODULES_DEP = 32 << 20,	/* modules.dep of a distribution kernel is < 1 MB */
	MAX_TREE_ENTRIES = 200000,
	MAX_TREE_DEPTH = 16,
	MAX_MODULE_SIZE = 256 << 20,	/* decompressed .ko */
};

static const char *const ko_suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };

struct kinspect {
	struct sd_kdump *k;
	struct sd_resolver *r;
	struct sd_plan *plan;
	struct sd_vmcoreinfo vi;
	struct sd_kmem mem;
	const char *rel;
	size_t vmlinux;		/* index of the vmlinux item, or SIZE_MAX */
	/* module files under /lib/modules/REL: normalised name -> path relative to it */
	char **mod_names, **mod_paths;
	size_t n_mod, cap_mod;
};

void sd_kmod_normalize(char *name)
{
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
}

static struct sd_error *read_vmcoreinfo(struct kinspect *in)
{
	struct sd_plan *plan = in->plan;
	const char *raw = sd_kdump_vmcoreinfo(in->k);
	struct sd_error *err;
	if (!raw) {
		return sd_plan_damage(plan, "the dump has no VMCOREINFO: release, build-id and "
					    "module list cannot be read from it");
	}
	if ((err = sd_vmcoreinfo_parse(raw, strlen(raw), &in->vi)))
		return err;
	char *copy = strdup(in->vi.raw);
	if (!copy || (err = sd_plan_add_generated(plan, "vmcoreinfo.txt", copy, strlen(in->vi.raw),
						  "VMCOREINFO as the kernel wrote it")))
		return copy ? err : &sd_enomem;

	const char *rel = sd_vmcoreinfo_get(&in->vi, "OSRELEASE");
	if (!rel)
		rel = sd_kdump_release(in->k);
	if (rel && (err = sd_item_set(&plan->release, rel)))
		return err;
	const char *id = sd_vmcoreinfo_get(&in->vi, "BUILD-ID");
	if (id && !sd_unhex(id, plan->kernel_build_id.bytes, SD_BUILD_ID_MAX,
			    &plan->kernel_build_id.len))
		plan->kernel_build_id.len = 0;
	sd_vmcoreinfo_hex(&in->vi, "KERNELOFFSET", &plan->kernel_offset);
	int64_t t;
	if (sd_vmcoreinfo_dec(&in->vi, "CRASHTIME", &t))
		plan->crash_time = t;
	if (!plan->release)
		return sd_plan_damage(plan, "VMCOREINFO has no OSRELEASE");
	return NULL;
}

/* An item found by path (and build-id when known), placed at archive_path. */
static struct sd_error *add_kernel_file(struct kinspect *in, enum sd_role role, const char *name,
					const char *archive_path, const char *const *paths,
					size_t n_paths, const struct sd_build_id *id,
					unsigned strategies, struct sd_item **ret)
{
	struct sd_item *item;
	struct sd_error *err = sd_plan_add(in->plan, role, SD_STATUS_MISSING, &item);
	if (err)
		return err;
	if (id)
		item->build_id = *id;
	if ((err = sd_item_set(&item->name, name)) ||
	    (n_paths && (err = sd_item_set(&item->orig_path, paths[0]))))
		return err;
	if ((err = sd_resolve_binary(in->r, item, paths, n_paths, strategies)))
		return err;
	if (item->fd >= 0 && (err = sd_item_set(&item->archive_path, archive_path)))
		return err;
	*ret = item;
	return NULL;
}

/* Keep the in-root path the file was found at as an alias, as "boot/System.map-REL". */
static struct sd_error *alias_source(struct kinspect *in, struct sd_item *item)
{
	if (!item->source_path || item->fd < 0 || sd_str_has_prefix(item->source_path, "debuginfod:"))
		return NULL;
	const char *p = item->source_path;
	size_t rl = strlen(in->r->root->path);
	if (strcmp(in->r->root->path, "/") != 0 && strncmp(p, in->r->root->path, rl) == 0)
		p += rl;
	const char *ap = sd_archive_path_of(p);
	if (!*ap || strcmp(ap, item->archive_path) == 0 || sd_strv_contains(&item->aliases, ap))
		return NULL;
	return sd_strv_add(&item->aliases, ap);
}

static struct sd_error *add_vmlinux(struct kinspect *in)
{
	const char *rel = in->rel;
	struct sd_plan *plan = in->plan;
	struct sd_error *err;
	char *paths[5] = {0};
	if (asprintf(&paths[0], "/usr/lib/debug/boot/vmlinux-%s", rel) < 0 ||
	    asprintf(&paths[1], "/usr/lib/debug/lib/modules/%s/vmlinux", rel) < 0 ||
	    asprintf(&paths[2], "/boot/vmlinux-%s", rel) < 0 ||
	    asprintf(&paths[3], "/lib/modules/%s/build/vmlinux", rel) < 0 ||
	    asprintf(&paths[4], "/lib/modules/%s/vmlinux", rel) < 0) {
		for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
			free(paths[i]);
		return &sd_enomem;
	}
	struct sd_item *item;
	err = add_kernel_file(in, SD_ROLE_VMLINUX, "vmlinux", "vmlinux",
			      (const char *const *)paths, ARRAY_SIZE(paths), &plan->kernel_build_id,
			      SD_FIND_PATHS | SD_FIND_BUILD_ID | SD_FIND_DEBUGINFOD, &item);
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		free(paths[i]);
	if (err)
		return err;
	in->vmlinux = (size_t)(item - plan->items);
	if (!plan->kernel_build_id.len && item->fd >= 0)
		if ((err = sd_item_reason(item, "VMCOREINFO has no BUILD-ID; not verified")))
			return err;
	if (item->status == SD_STATUS_MISSING && plan->kernel_build_id.len) {
		char hex[2 * SD_BUILD_ID_MAX + 1];
		if (asprintf(&item->hint,
			     "install the kernel's debug symbols: linux-image-%s-dbg (Debian, Ubuntu) "
			     "or kernel-debuginfo-%s (Fedora, RHEL); build-id %s",
			     rel, rel, sd_build_id_hex(&plan->kernel_build_id, hex)) < 0)
			item->hint = NULL;
	}
	if ((err = alias_source(in, item)))
		return err;
	if (item->fd >= 0 && item->build_id.len) {
		_cleanup_free_ char *id = NULL;
		if ((err = sd_build_id_archive_path(&item->build_id, "", &id)) ||
		    (err = sd_strv_add(&item->aliases, id)))
			return err;
	}
	/* A vmlinux without DWARF (stripped /boot/vmlinux): look for its debug file. */
	return sd_resolve_debuginfo(in->r, plan, in->vmlinux, SD_ROLE_VMLINUX_DEBUG);
}

/* Debian's System.map without the dbg package is a one-line pointer to it. */
static bool is_stub_system_map(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size > 512)
		return false;
	char buf[513];
	ssize_t n = sd_pread_full(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, "The real System.map is in") != NULL || !strchr(buf, '\n') ||
	       strchr(buf, '\n') == buf + n - 1;
}

static struct sd_error *add_boot_files(struct kinspect *in)
{
	const char *rel = in->rel;
	struct sd_error *err;
	struct sd_item *item;
	_cleanup_free_ char *zpath = NULL;	/* before the first goto: freed at every exit */

	char *map[3] = {0}, *cfg[2] = {0}, *vmlinuz[1] = {0};
	bool ok = asprintf(&map[0], "/boot/System.map-%s", rel) >= 0 &&
		  asprintf(&map[1], "/usr/lib/debug/boot/System.map-%s", rel) >= 0 &&
		  asprintf(&map[2], "/lib/modules/%s/build/System.map", rel) >= 0 &&
		  asprintf(&cfg[0], "/boot/config-%s", rel) >= 0 &&
		  asprintf(&cfg[1], "/lib/modules/%s/build/.config", rel) >= 0 &&
		  asprintf(&vmlinuz[0], "/boot/vmlinuz-%s", rel) >= 0;
	if (!ok) {
		err = &sd_enomem;
		goto out;
	}
	/* System.map: the first real one; a stub is skipped, and said so. */
	const char *map_path = NULL, *stub_path = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(map) && !map_path; i++) {
		int fd = sd_root_open(in->r->root, map[i]);
		if (fd < 0)
			continue;
		if (is_stub_system_map(fd))
			stub_path = stub_path ? stub_path : map[i];
		else
			map_path = map[i];
		close(fd);
	}
	if (map_path) {
		const char *const one[] = { map_path };
		if ((err = add_kernel_file(in, SD_ROLE_SYSTEM_MAP, "System.map", "System.map", one, 1,
					   NULL, SD_FIND_PATHS, &item)))
			goto out;
		free(item->reason);
		item->reason = NULL;
		if ((err = alias_source(in, item)))
			goto out;
	} else {
		/* Not worth an incomplete archive: vmlinux carries the same symbols. */
		if ((err = sd_plan_add(in->plan, SD_ROLE_SYSTEM_MAP, SD_STATUS_SKIPPED, &item)) ||
		    (err = sd_item_set(&item->name, "System.map")) ||
		    (err = sd_item_set(&item->orig_path, stub_path ? stub_path : map[0])) ||
		    (err = sd_item_reason(item, stub_path
					  ? "a one-line stub (Debian without the -dbg package), not the real System.map"
					  : "not found (vmlinux carries the same symbols)")))
			goto out;
	}

	if ((err = add_kernel_file(in, SD_ROLE_KCONFIG, "config", "config",
				   (const char *const *)cfg, ARRAY_SIZE(cfg), NULL, SD_FIND_PATHS,
				   &item)))
		goto out;
	free(item->reason);
	item->reason = NULL;
	if (item->fd < 0) {
		item->status = SD_STATUS_SKIPPED;
		item->reason = strdup("no kernel config found; not needed by debuggers");
	} else if ((err = alias_source(in, item))) {
		goto out;
	}

	if (asprintf(&zpath, "boot/vmlinuz-%s", rel) < 0) {
		err = &sd_enomem;
		goto out;
	}
	if ((err = add_kernel_file(in, SD_ROLE_VMLINUZ, "vmlinuz", zpath,
				   (const char *const *)vmlinuz, 1, NULL, SD_FIND_PATHS, &item)))
		goto out;
	item->optional = true;
	free(item->reason);
	item->reason = NULL;
	if (item->fd < 0) {
		item->status = SD_STATUS_SKIPPED;
		item->reason = strdup("no /boot/vmlinuz for this release; not needed by debuggers");
	} else {
		item->reason = strdup("the boot image; not verifiable by build-id");
	}
out:
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		free(map[i]);
	for (size_t i = 0; i < ARRAY_SIZE(cfg); i++)
		free(cfg[i]);
	free(vmlinuz[0]);
	return err;
}

/* --- Module files under /lib/modules/REL ---------------------------------------------- */

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

static struct sd_error *index_add(struct kinspect *in, const char *relpath)
{
	char *name = module_name_of(relpath);
	if (!name)
		return NULL;
	for (size_t i = 0; i < in->n_mod; i++) {
		if (strcmp(in->mod_names[i], name) == 0) {
			free(name);
			return NULL;	/* first wins: depmod's priority, or updates/ first */
		}
	}
	size_t cap = in->cap_mod;
	if (!sd_grow(&in->mod_names, &in->cap_mod, in->n_mod + 1, sizeof(char *))) {
		free(name);
		return &sd_enomem;
	}
	if (cap != in->cap_mod) {
		char **np = realloc(in->mod_paths, in->cap_mod * sizeof(char *));
		if (!np) {
			free(name);
			return &sd_enomem;
		}
		in->mod_paths = np;
	}
	char *path = strdup(relpath);
	if (!path) {
		free(name);
		return &sd_enomem;
	}
	in->mod_names[in->n_mod] = name;
	in->mod_paths[in->n_mod] = path;
	in->n_mod++;
	return NULL;
}

/* modules.dep lines: "kernel/lib/crc-itu-t.ko: deps..." (paths relative since kmod). */
static struct sd_error *index_modules_dep(struct kinspect *in, const char *moddir, bool *ret_ok)
{
	*ret_ok = false;
	_cleanup_free_ char *path = sd_path_join(moddir, "modules.dep");
	if (!path)
		return &sd_enomem;
	int fd = sd_root_open(in->r->root, path);
	if (fd < 0)
		return NULL;
	char *text = NULL;
	struct sd_error *err = sd_read_small_fd(fd, MAX_MODULES_DEP, &text, NULL);
	close(fd);
	if (err) {
		struct sd_error *e2 = sd_plan_note(in->plan, "%s: %s", path, err->message);
		sd_error_destroy(err);
		return e2;
	}
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		const char *rel = line;
		/* Old depmod wrote absolute paths. */
		size_t ml = strlen(moddir);
		if (strncmp(rel, moddir, ml) == 0 && rel[ml] == '/')
			rel += ml + 1;
		_cleanup_free_ char *norm = NULL;
		_cleanup_free_ char *abs = sd_path_join("/", rel);
		if (!abs || sd_path_normalize(abs, &norm) || (err = index_add(in, norm + 1)))
			break;
	}
	free(text);
	*ret_ok = err == NULL;
	return err;
}

static int strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct sd_error *walk_tree(struct kinspect *in, int parent, const char *rel, int depth,
				  size_t *count)
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
				err = walk_tree(in, sub, child, depth + 1, count);
				close(sub);
			}
		} else if (S_ISREG(st.st_mode)) {
			err = index_add(in, child);
		}
	}
	sd_strv_deinit(&names);
	closedir(d);
	return err;
}

static struct sd_error *index_modules(struct kinspect *in)
{
	_cleanup_free_ char *moddir = NULL;
	if (asprintf(&moddir, "/lib/modules/%s", in->rel) < 0)
		return &sd_enomem;
	bool ok;
	struct sd_error *err = index_modules_dep(in, moddir, &ok);
	if (err || ok)
		return err;
	/* No modules.dep: walk the tree, updates/ and extra/ first as depmod would. */
	int dfd = sd_root_open_dir(in->r->root, moddir);
	if (dfd < 0)
		return NULL;
	size_t count = 0;
	static const char *const first[] = { "updates", "extra", "weak-updates", "dkms" };
	for (size_t i = 0; i < ARRAY_SIZE(first) && !err; i++) {
		int sub = openat(dfd, first[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0) {
			err = walk_tree(in, sub, first[i], 1, &count);
			close(sub);
		}
	}
	if (!err)
		err = walk_tree(in, dfd, "", 0, &count);
	close(dfd);
	return err;
}

/* Build-id of a module file, compressed or not. */
static bool module_file_build_id(int fd, const char *path, struct sd_build_id *ret,
				 bool *ret_has_debug)
{
	*ret_has_debug = false;
	if (sd_str_has_suffix(path, ".ko")) {
		struct sd_elf_info info;
		if (sd_elf_file_info(fd, &info))
			return false;
		*ret = info.build_id;
		*ret_has_debug = info.has_debug_info;
		sd_elf_info_deinit(&info);
		return ret->len > 0;
	}
	void *buf;
	size_t len;
	struct sd_error *err = sd_decompress_fd(fd, MAX_MODULE_SIZE, &buf, &len);
	if (err) {
		sd_error_destroy(err);
		return false;
	}
	struct sd_elf_info info;
	bool ok = sd_elf_mem_info(buf, len, &info) == NULL;
	if (ok) {
		*ret = info.build_id;
		*ret_has_debug = info.has_debug_info;
	}
	free(buf);
	return ok && ret->len > 0;
}

/* The module path without a compression suffix: "kernel/lib/crc-itu-t.ko". */
static char *plain_ko(const char *relpath)
{
	const char *ko = strstr(relpath, ".ko");
	return ko ? strndup(relpath, (size_t)(ko - relpath) + 3) : strdup(relpath);
}

static struct sd_error *add_module(struct kinspect *in, const struct sd_kmodule *km)
{
	struct sd_plan *plan = in->plan;
	struct sd_error *err;
	char norm[sizeof(km->name)];
	memcpy(norm, km->name, sizeof(norm));
	sd_kmod_normalize(norm);
	const char *relpath = NULL;
	for (size_t i = 0; i < in->n_mod && !relpath; i++)
		if (strcmp(in->mod_names[i], norm) == 0)
			relpath = in->mod_paths[i];

	struct sd_item *item;
	if ((err = sd_plan_add(plan, SD_ROLE_MODULE, SD_STATUS_MISSING, &item)))
		return err;
	size_t index = (size_t)(item - plan->items);
	item->build_id = km->build_id;
	if ((err = sd_item_set(&item->name, km->name)))
		return err;
	if (!relpath) {
		return sd_item_reason(item, "no %s.ko under /lib/modules/%s (out-of-tree or removed "
					    "module?)", km->name, in->rel);
	}
	_cleanup_free_ char *path = NULL, *archive = NULL;
	if (asprintf(&path, "/lib/modules/%s/%s", in->rel, relpath) < 0 ||
	    asprintf(&archive, "lib/modules/%s/%s", in->rel, relpath) < 0)
		return &sd_enomem;
	if ((err = sd_item_set(&item->orig_path, path)))
		return err;
	int fd = sd_root_open(in->r->root, path);
	if (fd < 0)
		return sd_item_reason(item, "%s: %s", path, strerror(-fd));
	struct sd_build_id got = {0};
	bool has_debug = false;
	module_file_build_id(fd, path, &got, &has_debug);
	if (km->build_id.len && !sd_build_id_eq(&got, &km->build_id)) {
		char have[2 * SD_BUILD_ID_MAX + 1], want[2 * SD_BUILD_ID_MAX + 1];
		item->status = SD_STATUS_MISMATCH;
		item->found_build_id = got;
		err = sd_item_reason(item, "%s has build-id %s, the dump expects %s%s", path,
				     got.len ? sd_build_id_hex(&got, have) : "(none)",
				     sd_build_id_hex(&km->build_id, want),
				     in->r->allow_mismatch ? "; packed anyway (--allow-mismatch)"
							   : "; not packed");
		if (err || !in->r->allow_mismatch) {
			close(fd);
			return err;
		}
	} else {
		item->status = SD_STATUS_FOUND;
		if (!km->build_id.len) {
			item->build_id = got;
			if ((err = sd_item_reason(item, "the dump keeps no module notes; not verified"))) {
				close(fd);
				return err;
			}
		}
	}
	struct stat st;
	fstat(fd, &st);
	item->fd = fd;
	item->size = (uint64_t)st.st_size;
	if ((err = sd_item_set(&item->archive_path, archive)))
		return err;
	char *sp = strcmp(in->r->root->path, "/") ? sd_path_join(in->r->root->path, path)
						   : strdup(path);
	if (!sp)
		return &sd_enomem;
	free(item->source_path);
	item->source_path = sp;

	/* Debuginfo: the module itself, or Debian's/Fedora's debug trees, or build-id. */
	_cleanup_free_ char *plain = plain_ko(relpath);
	_cleanup_free_ char *dbg_archive = NULL;
	if (!plain || asprintf(&dbg_archive, "usr/lib/debug/lib/modules/%s/%s", in->rel, plain) < 0)
		return &sd_enomem;
	if (has_debug) {
		/* One tree for crash's "mod -S": the module itself stands in for its debug file. */
		if (sd_str_has_suffix(relpath, ".ko"))
			return sd_strv_add(&item->aliases, dbg_archive);
		return NULL;
	}
	struct sd_item *dbg;
	if ((err = sd_plan_add(plan, SD_ROLE_MODULE_DEBUG, SD_STATUS_MISSING, &dbg)))
		return err;
	item = &plan->items[index];
	dbg->parent = index;
	dbg->optional = true;
	dbg->build_id = item->build_id;
	if ((err = sd_item_set(&dbg->name, km->name)))
		return err;
	struct sd_strv cands = {0};
	for (size_t i = 0; i < in->r->debug_dirs.n && !err; i++) {
		char *c1 = NULL, *c2 = NULL;
		if (asprintf(&c1, "%s/lib/modules/%s/%s", in->r->debug_dirs.v[i], in->rel, plain) < 0 ||
		    asprintf(&c2, "%s/lib/modules/%s/%s.debug", in->r->debug_dirs.v[i], in->rel,
			     plain) < 0)
			err = &sd_enomem;
		if (!err)
			err = sd_strv_add(&cands, c1);
		if (!err)
			err = sd_strv_add(&cands, c2);
		free(c1);
		free(c2);
	}
	if (!err)
		err = sd_resolve_binary(in->r, dbg, (const char *const *)cands.v, cands.n,
					SD_FIND_PATHS | SD_FIND_BUILD_ID | SD_FIND_DEBUGINFOD);
	sd_strv_deinit(&cands);
	if (err)
		return err;
	if (dbg->fd >= 0) {
		if ((err = sd_item_set(&dbg->archive_path, dbg_archive)))
			return err;
		if (dbg->build_id.len) {
			_cleanup_free_ char *id = NULL;
			if ((err = sd_build_id_archive_path(&dbg->build_id, ".debug", &id)) ||
			    (err = sd_strv_add(&dbg->aliases, id)))
				return err;
		}
	} else if (dbg->status == SD_STATUS_MISSING) {
		if (asprintf(&dbg->hint, "install linux-image-%s-dbg (Debian, Ubuntu) or "
					 "kernel-debuginfo-%s (Fedora, RHEL)", in->rel, in->rel) < 0)
			dbg->hint = NULL;
	}
	return NULL;
}

/* --- The module list from the dump ------------------------------------------------------- */

static struct sd_error *list_modules(struct kinspect *in, struct sd_kmodule **ret, size_t *ret_n,
				     const char **ret_how)
{
	struct sd_error *err, *why = NULL;
	struct sd_kallsyms *ks = NULL;
	*ret_how = NULL;
	/* Primary: kallsyms (VMCOREINFO, Linux >= 6.0) for the addresses, BTF for the layouts. */
	err = sd_kallsyms_load(&in->mem, &in->vi, &ks);
	if (err == &sd_enomem)
		return err;
	if (!err) {
		uint64_t modules, start, stop;
		struct sd_btf *btf = NULL;
		if (!sd_kallsyms_lookup(ks, "modules", &modules)) {
			why = sd_error_create(SD_ERROR_INPUT, "kallsyms has no 'modules' symbol");
		} else if (!sd_kallsyms_lookup(ks, "__start_BTF", &start) ||
			   !sd_kallsyms_lookup(ks, "__stop_BTF", &stop)) {
			why = sd_error_create(SD_ERROR_INPUT, "the kernel has no BTF");
		} else if (!(why = sd_btf_load(&in->mem, start, stop, &btf))) {
			struct sd_ktypes types;
			sd_btf_ktypes(btf, &types);
			why = sd_kmodules_walk(&in->mem, &types, modules, ret, ret_n);
			sd_btf_destroy(btf);
			if (!why)
				*ret_how = "kallsyms and BTF from the dump";
		}
		sd_kallsyms_destroy(ks);
		if (why == &sd_enomem)
			return why;
		if (!why)
			return NULL;
	} else {
		why = err;
	}
	/* Fallback: vmlinux DWARF for the layouts, its symbol table for 'modules'. */
	const struct sd_item *vm = in->vmlinux != SIZE_MAX ? &in->plan->items[in->vmlinux] : NULL;
	int dfd = -1;
	if (vm && vm->fd >= 0 && vm->status == SD_STATUS_FOUND)
		dfd = vm->fd;
	for (size_t i = 0; dfd < 0 && i < in->plan->n_items; i++)
		if (in->plan->items[i].role == SD_ROLE_VMLINUX_DEBUG &&
		    in->plan->items[i].fd >= 0)
			dfd = in->plan->items[i].fd;
	if (dfd < 0) {
		err = sd_error_create(SD_ERROR_INPUT, "%s, and no verified vmlinux debuginfo to fall "
						      "back on", why->message);
		sd_error_destroy(why);
		return err;
	}
	uint64_t modules;
	struct sd_dwarf_types *dw = NULL;
	if (!sd_elf_symbol(dfd, "modules", &modules)) {
		err = sd_error_create(SD_ERROR_INPUT, "%s, and vmlinux has no 'modules' symbol",
				      why->message);
	} else if (!(err = sd_dwarf_types_open(dfd, &dw))) {
		struct sd_ktypes types;
		sd_dwarf_types_ktypes(dw, &types);
		err = sd_kmodules_walk(&in->mem, &types, modules + in->plan->kernel_offset, ret,
				       ret_n);
		sd_dwarf_types_destroy(dw);
		if (!err)
			*ret_how = "vmlinux DWARF and symbols (the dump's own tables were unusable)";
	}
	if (!err) {
		struct sd_error *e2 = sd_plan_note(in->plan, "module list: %s", why->message);
		sd_error_destroy(why);
		return e2;
	}
	sd_error_destroy(why);
	return err;
}

static struct sd_error *add_dmesg(struct kinspect *in)
{
	char *text = NULL;
	size_t len = 0, records = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return &sd_enomem;
	struct sd_error *err = sd_printk_write(&in->mem, &in->vi, f, &records);
	fclose(f);
	if (err) {
		free(text);
		if (err == &sd_enomem)
			return err;
		struct sd_error *e2 = sd_plan_note(in->plan, "no dmesg.txt: %s", err->message);
		sd_error_destroy(err);
		return e2;
	}
	char what[64];
	snprintf(what, sizeof(what), "the kernel log from the dump (%zu records)", records);
	return sd_plan_add_generated(in->plan, "dmesg.txt", text, len, what);
}

struct sd_error *sd_kernel_inspect(struct sd_kdump *k, struct sd_resolver *r,
				   struct sd_plan *plan)
{
	struct kinspect in = { .k = k, .r = r, .plan = plan, .vmlinux = SIZE_MAX };
	struct sd_error *err;
	plan->kind = SD_DUMP_KERNEL;
	sd_kdump_kmem(k, &in.mem);
	if ((err = read_vmcoreinfo(&in)))
		goto out;
	if (!plan->release)
		goto out;	/* nothing more can be found without it */
	in.rel = plan->release;
	/* A release is a path component below: refuse anything that is not a plain name. */
	if (strchr(in.rel, '/') || !strcmp(in.rel, ".") || !strcmp(in.rel, "..") ||
	    strlen(in.rel) > 64) {
		err = sd_plan_damage(plan, "OSRELEASE in VMCOREINFO is not a usable release name");
		goto out;
	}
	if ((err = add_vmlinux(&in)) || (err = add_boot_files(&in)))
		goto out;
	if ((err = add_dmesg(&in)))
		goto out;

	struct sd_kmodule *mods = NULL;
	size_t n_mods = 0;
	const char *how = NULL;
	err = list_modules(&in, &mods, &n_mods, &how);
	if (err) {
		if (err == &sd_enomem)
			goto out;
		struct sd_error *why = err;
		err = sd_plan_damage(plan, "the module list could not be read: %s", why->message);
		sd_error_destroy(why);
		goto out;
	}
	if ((err = sd_plan_note(plan, "%zu modules loaded, listed from %s", n_mods, how)))
		goto out_mods;
	if ((err = index_modules(&in)))
		goto out_mods;
	for (size_t i = 0; i < n_mods && !err; i++)
		err = add_module(&in, &mods[i]);
out_mods:
	free(mods);
out:
	for (size_t i = 0; i < in.n_mod; i++) {
		free(in.mod_names[i]);
		free(in.mod_paths[i]);
	}
	free(in.mod_names);
	free(in.mod_paths);
	sd_vmcoreinfo_deinit(&in.vi);
	return err;
}
