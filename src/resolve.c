// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "elfutils.h"
#include "codecs.h"
#include "hash.h"
#include "output.h"
#include "resolve.h"
#include "symstore.h"
#include "util.h"

enum { MAX_MODULE_SIZE = 256 << 20 };	/* a decompressed .ko */

/* --- The file table ------------------------------------------------------------------- */

int sd_files_fd(const struct sd_files *f, size_t item)
{
	return item < f->n ? f->fd[item] : -1;
}

struct sd_error *sd_files_set(struct sd_files *f, size_t item, int fd)
{
	if (item >= f->n) {
		if (!sd_grow(&f->fd, &f->cap, item + 1, sizeof(*f->fd))) {
			if (fd >= 0)
				close(fd);
			return &sd_enomem;
		}
		for (size_t i = f->n; i <= item; i++)
			f->fd[i] = -1;
		f->n = item + 1;
	}
	if (f->fd[item] >= 0)
		close(f->fd[item]);
	f->fd[item] = fd;
	return NULL;
}

void sd_files_deinit(struct sd_files *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->fd[i] >= 0)
			close(f->fd[i]);
	free(f->fd);
	memset(f, 0, sizeof(*f));
}

/* --- The resolver --------------------------------------------------------------------- */

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
	sd_modindex_deinit(&r->modules);
	free(r->modules_release);
	free(r->kmod_ids);
	memset(r, 0, sizeof(*r));
}

static char *build_id_path(const struct sd_build_id *id, const char *dir, const char *suffix)
{
	char hex[2 * SD_BUILD_ID_MAX + 1];
	sd_hex(id->bytes, id->len, hex);
	char *out;
	if (asprintf(&out, "%s/.build-id/%.2s/%s%s", dir, hex, hex + 2, suffix) < 0)
		return NULL;
	return out;
}

/* What was tried, for the reason of a missing item. */
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

static void attempt(struct attempts *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
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

/* The best candidate so far: an accepted file, or the first mismatching one. */
struct pick {
	int fd;
	char *path;	/* in-root path, or "debuginfod:CACHE" */
	struct sd_build_id id;
	bool has_debug;
	char *note;	/* what the verification could not check */
	int mismatch_fd;
	char *mismatch_path;
	struct sd_build_id mismatch_id;
	bool mismatch_has_debug;
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
	free(p->note);
	free(p->mismatch_path);
	free(p->notreg_path);
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

/* Build-id of a module file, compressed or not. */
static bool module_build_id(int fd, const char *path, struct sd_build_id *ret, bool *ret_has_debug)
{
	*ret_has_debug = false;
	struct sd_elf_info info;
	struct sd_error *err;
	if (sd_str_has_suffix(path, ".ko")) {
		if ((err = sd_elf_file_info(fd, &info))) {
			sd_error_destroy(err);
			return false;
		}
	} else {
		void *buf;
		size_t len;
		if ((err = sd_decompress_fd(fd, MAX_MODULE_SIZE, &buf, &len))) {
			sd_error_destroy(err);
			return false;
		}
		err = sd_elf_mem_info(buf, len, &info);
		sd_big_free(buf);
		if (err) {
			sd_error_destroy(err);
			return false;
		}
	}
	*ret = info.build_id;
	*ret_has_debug = info.has_debug_info;
	sd_elf_info_deinit(&info);
	return ret->len > 0;
}

/*
 * A compressed .ko is verified by decompressing it whole (its section headers
 * come last), and that is most of the time a module list takes: a distro
 * system has 50-150 modules loaded. So before the items are settled one by
 * one, the module files they will try are read in a few threads
 * (prefetch_module_ids); verify() takes a result only for the same file
 * (device, inode, size, mtime) and reads any other file itself.
 */
struct sd_kmod_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	int fd;			/* while being read */
	char *path;		/* while being read */
	bool ok, has_debug;
	struct sd_build_id id;
};

static const struct sd_kmod_id *kmod_id_of(const struct sd_resolver *r, int fd)
{
	struct stat st;
	if (!r->n_kmod_ids || fstat(fd, &st) < 0)
		return NULL;
	for (size_t i = 0; i < r->n_kmod_ids; i++) {
		const struct sd_kmod_id *k = &r->kmod_ids[i];
		if (k->dev == st.st_dev && k->ino == st.st_ino && k->size == st.st_size &&
		    k->mtime.tv_sec == st.st_mtim.tv_sec && k->mtime.tv_nsec == st.st_mtim.tv_nsec)
			return k;
	}
	return NULL;
}

enum verdict { ACCEPT, MISMATCH, REJECT };

/* Check a candidate for it. *ret_why says why a REJECT, or what an ACCEPT could not check. */
static enum verdict verify(const struct sd_resolver *r, const struct sd_item *it, int fd,
			   const char *path, struct sd_build_id *got, bool *has_debug,
			   const char **ret_why)
{
	const struct sd_build_id *want = &it->build_id;
	got->len = 0;
	*has_debug = false;
	*ret_why = NULL;
	switch (it->verify) {
	case SD_VERIFY_EXISTS:
		return ACCEPT;
	case SD_VERIFY_SYSTEM_MAP:
		if (is_stub_system_map(fd)) {
			*ret_why = "a one-line stub (Debian without the -dbg package), not the real "
				   "System.map";
			return REJECT;
		}
		return ACCEPT;
	case SD_VERIFY_KMOD: {
		const struct sd_kmod_id *k = kmod_id_of(r, fd);
		if (!k)
			module_build_id(fd, path, got, has_debug);
		else if (k->ok)
			*got = k->id, *has_debug = k->has_debug;
		if (!want->len) {
			*ret_why = "the dump keeps no module notes; not verified";
			return ACCEPT;
		}
		return sd_build_id_eq(want, got) ? ACCEPT : MISMATCH;
	}
	case SD_VERIFY_BUILD_ID:
	case SD_VERIFY_DEBUG: {
		struct sd_elf_info info;
		struct sd_error *err = sd_elf_file_info(fd, &info);
		if (err) {
			sd_error_destroy(err);
		} else {
			*got = info.build_id;
			*has_debug = info.has_debug_info;
			sd_elf_info_deinit(&info);
		}
		if (want->len && got->len)
			return sd_build_id_eq(want, got) ? ACCEPT : MISMATCH;
		if (it->verify == SD_VERIFY_DEBUG && it->check_crc) {
			uint32_t crc;
			if (sd_crc32_fd(fd, &crc) == 0 && crc == it->debuglink_crc)
				return ACCEPT;
			*ret_why = "debuglink CRC differs";
			return REJECT;
		}
		if (want->len)
			return MISMATCH;
		*ret_why = got->len ? "the dump records no build-id; not verified"
				    : "no build-id in the dump or the file; not verified";
		return ACCEPT;
	}
	}
	return REJECT;
}

/* Offer fd (owned) found at path; true if accepted. */
static bool offer(const struct sd_resolver *r, struct pick *p, struct attempts *a,
		  const struct sd_item *it, int fd, const char *path)
{
	struct sd_build_id got;
	bool has_debug;
	const char *why;
	switch (verify(r, it, fd, path, &got, &has_debug, &why)) {
	case ACCEPT:
		p->fd = fd;
		p->path = strdup(path);
		p->id = got;
		p->has_debug = has_debug;
		p->note = why ? strdup(why) : NULL;
		return true;
	case MISMATCH:
		attempt(a, "%s (build-id differs)", path);
		if (p->mismatch_fd < 0) {
			p->mismatch_fd = fd;
			p->mismatch_path = strdup(path);
			p->mismatch_id = got;
			p->mismatch_has_debug = has_debug;
			return false;
		}
		break;
	case REJECT:
		attempt(a, "%s (%s)", path, why);
		break;
	}
	close(fd);
	return false;
}

static bool try_path(struct sd_resolver *r, struct pick *p, struct attempts *a,
		     const struct sd_item *it, const char *path)
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
	return offer(r, p, a, it, fd, path);
}

static bool try_build_id_dirs(struct sd_resolver *r, struct pick *p, struct attempts *a,
			      const struct sd_item *it, bool *oom)
{
	const char *suffix = it->verify == SD_VERIFY_DEBUG ? ".debug" : "";
	for (size_t i = 0; it->build_id.len && i < r->debug_dirs.n; i++) {
		_cleanup_free_ char *path = build_id_path(&it->build_id, r->debug_dirs.v[i], suffix);
		if (!path) {
			*oom = true;
			return false;
		}
		if (try_path(r, p, a, it, path))
			return true;
	}
	return false;
}

static int cmp_version_desc(const void *x, const void *y)
{
	return strverscmp(*(char *const *)y, *(char *const *)x);
}

/*
 * A candidate with a wildcard component ("*", "prefix*": fnmatch, no
 * slashes): every entry of that directory inside the root that matches,
 * newest version first, each tried as a path (so verified as any
 * candidate). At most GLOB_ENTRIES entries a directory, GLOB_DEPTH
 * wildcard components.
 */
enum { GLOB_ENTRIES = 64, GLOB_DEPTH = 4 };

static bool try_glob(struct sd_resolver *r, struct pick *p, struct attempts *a,
		     const struct sd_item *it, const char *pattern, int depth)
{
	const char *star = strchr(pattern, '*');
	if (!star)
		return try_path(r, p, a, it, pattern);
	const char *comp = star;
	while (comp > pattern && comp[-1] != '/')
		comp--;
	const char *rest = strchrnul(star, '/');
	if (depth >= GLOB_DEPTH || comp == pattern)
		return false;
	_cleanup_free_ char *dir = strndup(pattern, (size_t)(comp - pattern));
	_cleanup_free_ char *match = strndup(comp, (size_t)(rest - comp));
	if (!dir || !match)
		return false;
	int dfd = sd_root_open_dir(r->root, dir);
	if (dfd < 0) {
		attempt(a, "%s (%s)", dir, sd_root_strerror(-dfd));
		return false;
	}
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(dfd);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	char *names[GLOB_ENTRIES];
	size_t n = 0;
	struct dirent *e;
	while (n < GLOB_ENTRIES && (e = readdir(d)))
		if (e->d_name[0] != '.' && fnmatch(match, e->d_name, 0) == 0 &&
		    (names[n] = strdup(e->d_name)))
			n++;
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_version_desc);
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		char *path;
		if (!found && asprintf(&path, "%s%s%s", dir, names[i], rest) >= 0) {
			found = try_glob(r, p, a, it, path, depth + 1);
			free(path);
		}
		free(names[i]);
	}
	return found;
}

static bool try_candidates(struct sd_resolver *r, struct pick *p, struct attempts *a,
			   const struct sd_item *it)
{
	for (size_t i = 0; i < it->candidates.n; i++) {
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = strcmp(it->candidates.v[i], it->candidates.v[j]) == 0;
		if (!dup && ((it->find & SD_FIND_GLOB) ? try_glob(r, p, a, it, it->candidates.v[i], 0)
						       : try_path(r, p, a, it, it->candidates.v[i])))
			return true;
	}
	return false;
}

static bool try_debuginfod(struct sd_resolver *r, struct pick *p, struct attempts *a,
			   const struct sd_plan *plan, const struct sd_item *it)
{
	/* A source file is asked for by the build-id of the object whose DWARF names it. */
	const struct sd_build_id *id = it->role == SD_ROLE_SOURCE && it->parent < plan->n_items
				       ? &plan->items[it->parent].build_id : &it->build_id;
	if (!r->debuginfod || !id->len)
		return false;
	enum sd_debuginfod_kind kind = it->verify == SD_VERIFY_DEBUG || sd_role_is_debug(it->role)
				       ? SD_DEBUGINFOD_DEBUGINFO : SD_DEBUGINFOD_EXECUTABLE;
	char *cached = NULL;
	int fd = it->role == SD_ROLE_SOURCE
		 ? sd_debuginfod_find_source(r->debuginfod, id, it->orig_path, &cached)
		 : sd_debuginfod_find(r->debuginfod, kind, id, &cached);
	if (fd < 0) {
		attempt(a, "debuginfod (%s)", strerror(-fd));
		free(cached);
		return false;
	}
	_cleanup_free_ char *label = NULL;
	if (asprintf(&label, "debuginfod:%s", cached ? cached : "") < 0)
		label = NULL;
	free(cached);
	return offer(r, p, a, it, fd, label ? label : "debuginfod:");
}

/* The module file of a kernel module need: its path below /lib/modules/REL, or NULL. */
static struct sd_error *find_module(struct sd_resolver *r, struct sd_plan *plan,
				    struct sd_item *it, const char **ret_relpath)
{
	*ret_relpath = NULL;
	if (!plan->release)
		return NULL;
	struct sd_error *err;
	if (!r->modules_release || strcmp(r->modules_release, plan->release) != 0) {
		sd_modindex_deinit(&r->modules);
		free(r->modules_release);
		r->modules_release = NULL;
		if ((err = sd_modindex_load(r->root, plan->release, &r->modules)))
			return err;
		if (!(r->modules_release = strdup(plan->release)))
			return &sd_enomem;
		if (r->modules.problem && (err = sd_plan_note(plan, "%s", r->modules.problem)))
			return err;
	}
	*ret_relpath = sd_modindex_find(&r->modules, it->name);
	return NULL;
}

/* The host path of an in-root path, for the manifest and messages. */
static char *host_path(const struct sd_resolver *r, const char *path)
{
	if (strcmp(r->root->path, "/") == 0)
		return strdup(path);
	return sd_path_join(r->root->path, path);
}

/* Record the file picked (fd owned) for plan->items[index]. */
static struct sd_error *take(struct sd_resolver *r, struct sd_plan *plan, struct sd_files *files,
			     size_t index, int fd, const char *path, bool has_debug)
{
	struct sd_item *it = &plan->items[index];
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return sd_error_errno(e, "%s", path);
	}
	it->size = (uint64_t)st.st_size;
	it->compressed = sd_fd_is_compressed(fd);
	it->has_debug_info = has_debug;
	free(it->root_path);
	free(it->source_path);
	it->root_path = NULL;
	if (sd_str_has_prefix(path, "debuginfod:")) {
		it->source_path = strdup(path);
	} else {
		it->source_path = host_path(r, path);
		it->root_path = strdup(path);
		if (!it->root_path) {
			close(fd);
			return &sd_enomem;
		}
	}
	if (!it->source_path) {
		close(fd);
		return &sd_enomem;
	}
	return sd_files_set(files, index, fd);
}

static struct sd_error *resolve_one(struct sd_resolver *r, struct sd_plan *plan,
				    struct sd_files *files, size_t index)
{
	struct sd_item *it = &plan->items[index];
	struct pick p = { .fd = -1, .mismatch_fd = -1 };
	struct attempts a;
	struct sd_error *err = NULL;
	char have[2 * SD_BUILD_ID_MAX + 1], want[2 * SD_BUILD_ID_MAX + 1];
	_cleanup_free_ char *kmod_miss = NULL;
	bool found = false, oom = false;
	attempts_init(&a);

	if ((it->find & SD_FIND_BUILD_ID) && (it->find & SD_FIND_BUILD_ID_FIRST))
		found = try_build_id_dirs(r, &p, &a, it, &oom);
	if (!found && !oom && (it->find & SD_FIND_PATHS))
		found = try_candidates(r, &p, &a, it);
	if (!found && !oom && (it->find & SD_FIND_KMOD)) {
		const char *relpath;
		if ((err = find_module(r, plan, it, &relpath)))
			goto out;
		if (relpath) {
			_cleanup_free_ char *path = NULL, *ap = NULL;
			if (asprintf(&path, "/lib/modules/%s/%s", plan->release, relpath) < 0 ||
			    asprintf(&ap, "lib/modules/%s/%s", plan->release, relpath) < 0) {
				err = &sd_enomem;
				goto out;
			}
			if ((!it->orig_path && (err = sd_item_set(&it->orig_path, path))) ||
			    (!it->archive_path && (err = sd_item_set(&it->archive_path, ap))))
				goto out;
			found = try_path(r, &p, &a, it, path);
		} else if (asprintf(&kmod_miss, "no %s.ko under /lib/modules/%s (out-of-tree or "
				    "removed module?)", it->name, plan->release ? plan->release
										 : "?") < 0) {
			err = &sd_enomem;
			goto out;
		}
	}
	if (!found && !oom && (it->find & SD_FIND_BUILD_ID) && !(it->find & SD_FIND_BUILD_ID_FIRST))
		found = try_build_id_dirs(r, &p, &a, it, &oom);
	if (!found && !oom && (it->find & SD_FIND_DEBUGINFOD))
		found = try_debuginfod(r, &p, &a, plan, it);
	if (oom || (found && !p.path)) {
		err = &sd_enomem;
		goto out;
	}

	if (found) {
		it->status = SD_STATUS_FOUND;
		/* An item with no path of its own (a single-file app's DAC) is packed as found. */
		if (!it->archive_path && p.path[0] == '/' &&
		    (err = sd_item_set(&it->archive_path, sd_archive_path_of(p.path))))
			goto out;
		if (!it->build_id.len && p.id.len)
			it->build_id = p.id;
		err = p.note ? sd_item_reason(it, "%s", p.note)
			     : it->why ? sd_item_reason(it, "%s", it->why) : NULL;
		if (!err)
			err = take(r, plan, files, index, take_fd(p.fd), p.path, p.has_debug);
	} else if (p.mismatch_fd >= 0) {
		it->status = SD_STATUS_MISMATCH;
		it->found_build_id = p.mismatch_id;
		err = sd_item_reason(it, "%s has build-id %s, the dump expects %s%s",
				     p.mismatch_path ? p.mismatch_path : "file",
				     p.mismatch_id.len ? sd_build_id_hex(&p.mismatch_id, have) : "(none)",
				     sd_build_id_hex(&it->build_id, want),
				     r->allow_mismatch ? "; packed anyway (--allow-mismatch)"
						       : "; not packed");
		if (!err && r->allow_mismatch)
			err = take(r, plan, files, index, take_fd(p.mismatch_fd),
				   p.mismatch_path ? p.mismatch_path : "?", p.mismatch_has_debug);
	} else if (p.notreg_path) {
		it->status = SD_STATUS_SKIPPED;
		err = sd_item_reason(it, "%s: %s; not opened", p.notreg_path,
				     sd_root_strerror(p.notreg));
	} else {
		it->status = it->if_missing == SD_MISSING_REPORT ? SD_STATUS_MISSING
								 : SD_STATUS_SKIPPED;
		it->omit = it->if_missing == SD_MISSING_OMIT;
		const char *tried = attempts_text(&a);
		if (kmod_miss && !tried[0])
			err = sd_item_reason(it, "%s", kmod_miss);
		else if (kmod_miss)
			err = sd_item_reason(it, "%s; tried %s", kmod_miss, tried);
		else
			err = sd_item_reason(it, "not found: tried %s", tried[0] ? tried : "nothing");
		if (!err && it->if_missing == SD_MISSING_SKIP && it->why) {
			char *r2;
			if (asprintf(&r2, "%s (%s)", it->reason, it->why) < 0) {
				err = &sd_enomem;
			} else {
				free(it->reason);
				it->reason = r2;
			}
		}
	}
out:
	pick_deinit(&p);
	attempts_deinit(&a);
	return err;
}

/* --- Needs that found files add: debug files and dwz files --------------------------- */

/* A debug file with this build-id is in the plan already (found, wanted or missing). */
static bool have_debug(const struct sd_plan *plan, const struct sd_build_id *id, enum sd_role role)
{
	for (size_t i = 0; id->len && i < plan->n_items; i++) {
		const struct sd_item *it = &plan->items[i];
		if (sd_role_is_debug(it->role) && (role == SD_ROLE_DWZ) == (it->role == SD_ROLE_DWZ) &&
		    sd_build_id_eq(&it->build_id, id))
			return true;
	}
	return false;
}

static struct sd_error *debug_need(struct sd_plan *plan, size_t parent, enum sd_role role,
				   const struct sd_build_id *id, struct sd_item **ret)
{
	const struct sd_item *bin = &plan->items[parent];
	_cleanup_free_ char *name = bin->name ? strdup(bin->name) : NULL;
	if (bin->name && !name)
		return &sd_enomem;
	struct sd_item *it;
	struct sd_error *err = sd_plan_need(plan, role, name, NULL,
					    SD_FIND_BUILD_ID | SD_FIND_BUILD_ID_FIRST | SD_FIND_PATHS |
					    SD_FIND_DEBUGINFOD, SD_VERIFY_DEBUG, &it);
	if (err)
		return err;
	it->parent = parent;
	it->optional = true;
	it->alias_flags = SD_ALIAS_FOUND_AT;
	it->build_id = *id;
	*ret = it;
	return NULL;
}

static struct sd_error *add_dwz(struct sd_resolver *r, struct sd_plan *plan, struct sd_files *files,
				size_t index, const struct sd_elf_info *info)
{
	(void)r;
	(void)files;
	if (have_debug(plan, &info->alt_build_id, SD_ROLE_DWZ))
		return NULL;	/* shared by many debug files; collect once */
	_cleanup_free_ char *link_path = NULL;
	const struct sd_item *from = &plan->items[index];
	const char *from_path = from->root_path ? from->root_path : from->orig_path;
	struct sd_error *err = NULL;
	if (info->altlink[0] == '/') {
		err = sd_path_normalize(info->altlink, &link_path);
	} else if (from_path) {
		/* A relative altlink is relative to the debug file's own directory. */
		_cleanup_free_ char *dir = sd_dirname(from_path);
		_cleanup_free_ char *joined = dir ? sd_path_join(dir, info->altlink) : NULL;
		if (!joined)
			return &sd_enomem;
		err = sd_path_normalize(joined, &link_path);
	}
	if (err) {
		if (err == &sd_enomem)
			return err;
		sd_error_destroy(err);	/* an unusable name: look it up by build-id only */
		link_path = NULL;
	}
	struct sd_item *dwz;
	if ((err = debug_need(plan, index, SD_ROLE_DWZ, &info->alt_build_id, &dwz)))
		return err;
	if ((err = sd_item_set(&dwz->name, sd_basename(info->altlink))) ||
	    (link_path && (err = sd_item_set(&dwz->orig_path, link_path))) ||
	    (link_path && (err = sd_strv_add(&dwz->candidates, link_path))))
		return err;
	dwz->want_debug = false;
	if (dwz->build_id.len) {
		char hex[2 * SD_BUILD_ID_MAX + 1];
		sd_build_id_hex(&dwz->build_id, hex);
		if (asprintf(&dwz->archive_path, "usr/lib/debug/.build-id/%.2s/%s.debug", hex,
			     hex + 2) < 0)
			dwz->archive_path = NULL;
	} else {
		dwz->archive_path = strdup(sd_archive_path_of(link_path ? link_path
								     : "/usr/lib/debug/.dwz/unknown"));
	}
	return dwz->archive_path ? NULL : &sd_enomem;
}

/* The separate debug file of a binary, and the dwz file of one that has its own DWARF. */
static struct sd_error *derive_debug(struct sd_resolver *r, struct sd_plan *plan,
				     struct sd_files *files, size_t index)
{
	struct sd_item *bin = &plan->items[index];
	int fd = sd_files_fd(files, index);
	struct sd_elf_info info = {0};
	struct sd_error *err = NULL;
	bool have_info = false;
	if (fd >= 0 && bin->status == SD_STATUS_FOUND) {
		if ((err = sd_elf_file_info(fd, &info)))
			sd_error_destroy(err);
		else
			have_info = true;
		err = NULL;
	}
	if (sd_role_is_debug(bin->role) || (have_info && info.has_debug_info)) {
		/* Carries its DWARF: it may still use a dwz file. */
		if (have_info && info.altlink)
			err = add_dwz(r, plan, files, index, &info);
		sd_elf_info_deinit(&info);
		return err;
	}
	struct sd_build_id want = bin->build_id;
	enum sd_role role = sd_role_debug_of(bin->role);
	if ((!want.len && !(have_info && info.debuglink)) || have_debug(plan, &want, role)) {
		sd_elf_info_deinit(&info);
		return NULL;	/* nothing to look it up by, or collected for another name */
	}
	bool symtab = have_info && info.has_symtab;
	struct sd_item *dbg;
	_cleanup_free_ char *fallback = NULL;
	if ((err = debug_need(plan, index, role, &want, &dbg)))
		goto out;
	bin = &plan->items[index];
	size_t dbg_index = (size_t)(dbg - plan->items);
	dbg->want_debug = true;	/* for its dwz file */
	if (have_info && info.debuglink && !strchr(info.debuglink, '/')) {
		dbg->check_crc = true;
		dbg->debuglink_crc = info.debuglink_crc;
		_cleanup_free_ char *dir = sd_dirname(bin->orig_path ? bin->orig_path : "/");
		if (!dir) {
			err = &sd_enomem;
			goto out;
		}
		const char *d = strcmp(dir, "/") ? dir : "";
		if ((err = sd_strv_addf(&dbg->candidates, "%s/%s", d, info.debuglink)) ||
		    (err = sd_strv_addf(&dbg->candidates, "%s/.debug/%s", d, info.debuglink)))
			goto out;
		for (size_t i = 0; i < r->debug_dirs.n; i++)
			if ((err = sd_strv_addf(&dbg->candidates, "%s%s/%s", r->debug_dirs.v[i], d,
						info.debuglink)))
				goto out;
		if (!(fallback = strdup(dbg->candidates.v[2])))
			goto oom;
	}
	if (want.len) {
		char hex[2 * SD_BUILD_ID_MAX + 1];
		sd_build_id_hex(&want, hex);
		if (asprintf(&dbg->archive_path, "usr/lib/debug/.build-id/%.2s/%s.debug", hex,
			     hex + 2) < 0 ||
		    asprintf(&dbg->hint, "install the debug symbols package that provides "
				       "/usr/lib/debug/.build-id/%.2s/%s.debug", hex, hex + 2) < 0)
			goto oom;
	} else if (fallback) {
		if (!(dbg->archive_path = strdup(sd_archive_path_of(fallback))))
			goto oom;
	} else if (asprintf(&dbg->archive_path, "usr/lib/debug%s.debug",
			    bin->orig_path ? bin->orig_path : "/unknown") < 0) {
		goto oom;
	}
	if ((err = resolve_one(r, plan, files, dbg_index)))
		goto out;
	dbg = &plan->items[dbg_index];
	if (dbg->status == SD_STATUS_MISSING && symtab) {
		char *r2;
		if (asprintf(&r2, "%s (the binary still has a symbol table)", dbg->reason) < 0)
			goto oom;
		free(dbg->reason);
		dbg->reason = r2;
	}
	goto out;
oom:
	err = &sd_enomem;
out:
	sd_elf_info_deinit(&info);
	return err;
}

/* "kernel/lib/crc-itu-t.ko.xz" -> "kernel/lib/crc-itu-t.ko" */
static char *plain_ko(const char *relpath)
{
	const char *ko = strstr(relpath, ".ko");
	return ko ? strndup(relpath, (size_t)(ko - relpath) + 3) : strdup(relpath);
}

/* A module's debug file: the module itself, Debian's and Fedora's debug trees, or by build-id. */
static struct sd_error *derive_module_debug(struct sd_resolver *r, struct sd_plan *plan,
					    size_t index)
{
	struct sd_item *mod = &plan->items[index];
	if (!mod->root_path || !plan->release)
		return NULL;
	_cleanup_free_ char *prefix = NULL;
	if (asprintf(&prefix, "/lib/modules/%s/", plan->release) < 0)
		return &sd_enomem;
	if (!sd_str_has_prefix(mod->root_path, prefix))
		return NULL;
	const char *relpath = mod->root_path + strlen(prefix);
	_cleanup_free_ char *plain = plain_ko(relpath);
	_cleanup_free_ char *dbg_archive = NULL;
	if (!plain || asprintf(&dbg_archive, "usr/lib/debug/lib/modules/%s/%s", plan->release,
			       plain) < 0)
		return &sd_enomem;
	if (mod->has_debug_info) {
		/* One tree for crash's "mod -S": the module itself stands in for its debug file. */
		if (sd_str_has_suffix(relpath, ".ko") && !sd_strv_contains(&mod->aliases, dbg_archive))
			return sd_strv_add(&mod->aliases, dbg_archive);
		return NULL;
	}
	struct sd_item *dbg;
	struct sd_error *err = sd_plan_need(plan, SD_ROLE_MODULE_DEBUG, plan->items[index].name,
					    NULL, SD_FIND_PATHS | SD_FIND_BUILD_ID |
					    SD_FIND_DEBUGINFOD, SD_VERIFY_BUILD_ID, &dbg);
	if (err)
		return err;
	dbg->parent = index;
	dbg->optional = true;
	dbg->build_id = plan->items[index].build_id;
	dbg->alias_flags = SD_ALIAS_BUILD_ID;
	for (size_t i = 0; i < r->debug_dirs.n; i++) {
		const char *d = r->debug_dirs.v[i];
		if ((err = sd_strv_addf(&dbg->candidates, "%s/lib/modules/%s/%s", d, plan->release,
					plain)) ||
		    (err = sd_strv_addf(&dbg->candidates, "%s/lib/modules/%s/%s.debug", d,
					plan->release, plain)))
			return err;
	}
	if (asprintf(&dbg->hint, "install linux-image-%s-dbg (Debian, Ubuntu) or "
				 "kernel-debuginfo-%s (Fedora, RHEL)", plan->release, plan->release) < 0) {
		dbg->hint = NULL;
		return &sd_enomem;
	}
	dbg->archive_path = dbg_archive;
	dbg_archive = NULL;
	return NULL;
}

/* --- Module files read ahead (see struct sd_kmod_id) ----------------------------------- */

enum { KMOD_THREADS_MAX = 4 };

struct kmod_work {
	struct sd_kmod_id *v;
	size_t n, next;
};

static void *kmod_worker(void *arg)
{
	struct kmod_work *w = arg;
	for (;;) {
		size_t i = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED);
		if (i >= w->n)
			return NULL;
		struct sd_kmod_id *k = &w->v[i];
		k->ok = module_build_id(k->fd, k->path, &k->id, &k->has_debug);
	}
}

/* Largest first: the threads then end at about the same time. */
static int cmp_kmod_size_desc(const void *x, const void *y)
{
	const struct sd_kmod_id *a = x, *b = y;
	return (a->size < b->size) - (a->size > b->size);
}

static bool is_kmod_need(const struct sd_item *it)
{
	return it->status == SD_STATUS_WANTED && it->verify == SD_VERIFY_KMOD &&
	       (it->find & SD_FIND_KMOD);
}

/* The build-ids of the module files the WANTED module items will try, in up to 4 threads. */
static struct sd_error *prefetch_module_ids(struct sd_resolver *r, struct sd_plan *plan)
{
	free(r->kmod_ids);
	r->kmod_ids = NULL;
	r->n_kmod_ids = 0;
	size_t n = 0;
	for (size_t i = 0; i < plan->n_items; i++)
		n += is_kmod_need(&plan->items[i]);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 2 || cpus < 2 || !plan->release)
		return NULL;
	struct sd_kmod_id *v = calloc(n, sizeof(*v));
	if (!v)
		return &sd_enomem;
	struct sd_error *err = NULL;
	size_t m = 0;
	for (size_t i = 0; i < plan->n_items && m < n; i++) {
		struct sd_item *it = &plan->items[i];
		const char *relpath;
		if (!is_kmod_need(it))
			continue;
		if ((err = find_module(r, plan, it, &relpath)))
			break;
		char *path;
		if (!relpath)
			continue;
		if (asprintf(&path, "/lib/modules/%s/%s", plan->release, relpath) < 0) {
			err = &sd_enomem;
			break;
		}
		struct stat st;
		int fd = sd_root_open(r->root, path);
		if (fd < 0 || fstat(fd, &st) < 0) {
			if (fd >= 0)
				close(fd);
			free(path);
			continue;
		}
		v[m++] = (struct sd_kmod_id){ .dev = st.st_dev, .ino = st.st_ino, .size = st.st_size,
					      .mtime = st.st_mtim, .fd = fd, .path = path };
	}
	if (!err) {
		qsort(v, m, sizeof(*v), cmp_kmod_size_desc);
		struct kmod_work w = { .v = v, .n = m };
		pthread_t t[KMOD_THREADS_MAX - 1];
		size_t want = (size_t)cpus < m ? (size_t)cpus : m, started = 0;
		if (want > KMOD_THREADS_MAX)
			want = KMOD_THREADS_MAX;
		/* This thread is one of them; if no other starts, it reads them all. */
		for (size_t k = 1; k < want; k++)
			if (pthread_create(&t[started], NULL, kmod_worker, &w) == 0)
				started++;
		kmod_worker(&w);
		for (size_t k = 0; k < started; k++)
			pthread_join(t[k], NULL);
	}
	for (size_t i = 0; i < m; i++) {
		close(v[i].fd);
		v[i].fd = -1;
		free(v[i].path);
		v[i].path = NULL;
	}
	if (err) {
		free(v);
		return err;
	}
	r->kmod_ids = v;
	r->n_kmod_ids = m;
	return NULL;
}

struct sd_error *sd_resolve_plan(struct sd_resolver *r, struct sd_plan *plan,
				 struct sd_files *files)
{
	struct sd_error *err;
	if ((err = prefetch_module_ids(r, plan)))
		return err;
	/* Needs added on the way (debug files, dwz files) are settled in the same pass. */
	for (size_t i = 0; i < plan->n_items; i++) {
		if (plan->items[i].status == SD_STATUS_WANTED &&
		    (err = resolve_one(r, plan, files, i)))
			return err;
		struct sd_item *it = &plan->items[i];
		if (!it->want_debug || it->status == SD_STATUS_SKIPPED)
			continue;
		it->want_debug = false;
		if (it->role == SD_ROLE_MODULE)
			err = sd_files_fd(files, i) >= 0 ? derive_module_debug(r, plan, i) : NULL;
		else if (it->status == SD_STATUS_FOUND || it->build_id.len)
			err = derive_debug(r, plan, files, i);
		else
			err = NULL;
		if (err)
			return err;
	}
	return sd_symstore_add(plan, files);
}

/* --- Source files (--sources) ------------------------------------------------------- */

/* Installed by the system, not the program's own: /usr (but /usr/local), /lib*, /bin, ... */
static bool system_path(const char *path)
{
	static const char *const prefixes[] = { "/usr/", "/lib/", "/lib32/", "/lib64/", "/libx32/",
						"/bin/", "/sbin/", "/etc/" };
	if (sd_str_has_prefix(path, "/usr/local/"))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (sd_str_has_prefix(path, prefixes[i]))
			return true;
	return false;
}

/* The item whose DWARF describes item index: itself, or its debug file; SIZE_MAX if none. */
static size_t dwarf_item(const struct sd_plan *plan, const struct sd_files *files, size_t index)
{
	const struct sd_item *it = &plan->items[index];
	if (it->has_debug_info && sd_files_fd(files, index) >= 0)
		return index;
	for (size_t i = 0; i < plan->n_items; i++) {
		const struct sd_item *d = &plan->items[i];
		if (d->role == SD_ROLE_DEBUGINFO && d->parent == index &&
		    d->status == SD_STATUS_FOUND && d->has_debug_info && sd_files_fd(files, i) >= 0)
			return i;
	}
	return SIZE_MAX;
}

struct source {
	char *path;
	size_t parent;
};

static int cmp_source(const void *a, const void *b)
{
	const struct source *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : x->parent < y->parent ? -1 : x->parent > y->parent;
}

struct sd_error *sd_resolve_sources(struct sd_resolver *r, struct sd_plan *plan,
				    struct sd_files *files)
{
	struct source *v = NULL;
	size_t n = 0, cap = 0, objects = plan->n_items;
	struct sd_error *err = NULL;
	for (size_t i = 0; i < objects && !err && n < SD_SOURCES_MAX_FILES * 4; i++) {
		const struct sd_item *it = &plan->items[i];
		if (it->status != SD_STATUS_FOUND || !it->orig_path ||
		    !(it->role == SD_ROLE_EXECUTABLE ||
		      (it->role == SD_ROLE_LIBRARY && !system_path(it->orig_path))))
			continue;
		size_t d = dwarf_item(plan, files, i);
		if (d == SIZE_MAX)
			continue;
		struct sd_strv names = {0};
		err = sd_dwarf_source_files(sd_files_fd(files, d), SD_SOURCES_MAX_FILES * 4, &names);
		if (err && err != &sd_enomem) {
			sd_error_destroy(err);	/* unreadable DWARF: no sources from it */
			err = NULL;
		}
		for (size_t k = 0; k < names.n && !err; k++) {
			if (system_path(names.v[k]))
				continue;
			if (!sd_grow(&v, &cap, n + 1, sizeof(*v))) {
				err = &sd_enomem;
				break;
			}
			v[n].path = take_ptr(names.v[k]);
			v[n++].parent = i;
		}
		sd_strv_deinit(&names);
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_source);
	size_t added = 0, over = 0;
	for (size_t k = 0; k < n && !err; k++) {
		if (k && strcmp(v[k].path, v[k - 1].path) == 0)
			continue;
		if (added >= SD_SOURCES_MAX_FILES) {
			over++;
			continue;
		}
		_cleanup_free_ char *norm = NULL;
		struct sd_error *bad = sd_path_normalize(v[k].path, &norm);
		if (bad) {
			if (bad == &sd_enomem) {
				err = bad;
				break;
			}
			sd_error_destroy(bad);
			continue;
		}
		struct sd_item *it;
		if ((err = sd_plan_need(plan, SD_ROLE_SOURCE, sd_basename(norm), norm,
					SD_FIND_PATHS | SD_FIND_DEBUGINFOD, SD_VERIFY_EXISTS, &it)) ||
		    (err = sd_strv_add(&it->candidates, norm)) ||
		    (err = sd_item_set(&it->archive_path, sd_archive_path_of(norm))) ||
		    (err = sd_item_set(&it->why, "a source file its DWARF names (--sources)")))
			break;
		it->parent = v[k].parent;
		it->if_missing = SD_MISSING_OMIT;
		it->optional = true;
		added++;
	}
	for (size_t k = 0; k < n; k++)
		free(v[k].path);
	free(v);
	if (!err && over)
		err = sd_plan_note(plan, "--sources: %zu more source files named in DWARF were not "
				   "looked for (at most %d are)", over, SD_SOURCES_MAX_FILES);
	if (!err)
		err = sd_resolve_plan(r, plan, files);
	return err;
}
