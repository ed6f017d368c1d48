// SPDX-License-Identifier: GPL-2.0-or-later
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "linkmap.h"
#include "userland.h"
#include "util.h"

/* One file the core refers to, under all of its names. */
struct mapped {
	const char *raw;	/* NT_FILE name as written (owned by the core) */
	char *path;		/* normalised absolute path; NULL if unusable */
	const char *problem;	/* why path is unusable, or why the file is skipped */
	uint64_t start;		/* lowest address mapped from file offset 0 */
	bool has_start;
	size_t module;		/* index into mods, or SIZE_MAX */
	const char *lm_name;	/* the loader's name for it (link_map l_name), or NULL */
};

struct inspect {
	struct sd_core *core;
	struct sd_plan *plan;
	struct sd_core_module *mods;
	size_t n_mods;
	struct mapped *files;
	size_t n_files, cap_files;
	struct sd_link_map_entry *lm;
	size_t n_lm;
	bool dotnet;
	char *cwd;	/* the process's working directory, as relative loader names imply */
};

static const char deleted_suffix[] = " (deleted)";

/*
 * The kernel writes NT_FILE names with d_path(): always absolute, never
 * with "." or ".." components. Anything else came from a corrupt or
 * crafted core and must not be used as a path.
 */
static const char *classify(const char *raw, char **ret_path)
{
	*ret_path = NULL;
	if (sd_str_has_prefix(raw, "/memfd:"))
		return "anonymous memory file (memfd): its contents are in the core";
	if (sd_str_has_suffix(raw, deleted_suffix))
		return "the file was deleted or replaced while mapped";
	if (raw[0] != '/')
		return "unusable path in the dump: not absolute";
	if (strlen(raw) >= SD_PATH_MAX)
		return "unusable path in the dump: too long";
	for (const char *p = raw; *p; p++) {
		if (*p == '/' && p[1] == '.' &&
		    (p[2] == '/' || !p[2] || (p[2] == '.' && (p[3] == '/' || !p[3]))))
			return "unusable path in the dump: has . or .. components";
	}
	if (sd_str_has_prefix(raw, "/dev/") || sd_str_has_prefix(raw, "/proc/") ||
	    sd_str_has_prefix(raw, "/sys/") || sd_str_has_prefix(raw, "/SYSV") ||
	    strcmp(raw, "/dev") == 0)
		return "not a regular file";
	struct sd_error *err = sd_path_normalize(raw, ret_path);
	if (err) {
		sd_error_destroy(err);
		return "unusable path in the dump";
	}
	return NULL;
}

static struct mapped *find_file(struct inspect *in, const char *raw)
{
	for (size_t i = 0; i < in->n_files; i++)
		if (strcmp(in->files[i].raw, raw) == 0)
			return &in->files[i];
	return NULL;
}

static struct sd_error *collect_files(struct inspect *in)
{
	const struct sd_file_note *fn = sd_core_files(in->core);
	for (size_t i = 0; i < fn->n; i++) {
		const struct sd_file_mapping *m = &fn->maps[i];
		struct mapped *f = find_file(in, m->path);
		if (!f) {
			if (!sd_grow(&in->files, &in->cap_files, in->n_files + 1, sizeof(*in->files)))
				return &sd_enomem;
			f = &in->files[in->n_files++];
			memset(f, 0, sizeof(*f));
			f->module = SIZE_MAX;
			f->raw = m->path;	/* borrowed from the core */
			f->problem = classify(m->path, &f->path);
		}
		if (m->pgoff == 0 && (!f->has_start || m->start < f->start)) {
			f->start = m->start;
			f->has_start = true;
		}
	}
	return NULL;
}

static bool is_vdso(const char *name)
{
	return sd_str_has_prefix(name, "[vdso") || strcmp(name, "linux-vdso.so.1") == 0 ||
	       strcmp(name, "linux-gate.so.1") == 0 || strcmp(name, "[vsyscall]") == 0;
}

/* Match libdwfl's modules to NT_FILE files by the address they are loaded at. */
static void match_modules(struct inspect *in)
{
	const struct sd_file_note *fn = sd_core_files(in->core);
	for (size_t mi = 0; mi < in->n_mods; mi++) {
		const struct sd_core_module *mod = &in->mods[mi];
		struct mapped *best = NULL;
		for (size_t i = 0; i < fn->n && !best; i++) {
			const struct sd_file_mapping *m = &fn->maps[i];
			if (m->start >= mod->low && m->start < mod->high && m->pgoff == 0)
				best = find_file(in, m->path);
		}
		/* By name, when the headers' page was not where NT_FILE says. */
		for (size_t i = 0; i < in->n_files && !best; i++)
			if (strcmp(in->files[i].raw, mod->name) == 0)
				best = &in->files[i];
		if (best && best->module == SIZE_MAX)
			best->module = mi;
	}
}

static size_t read_core(void *arg, uint64_t addr, void *buf, size_t len)
{
	return sd_core_read(arg, addr, buf, len);
}

/* The file whose mapping holds addr, or NULL. */
static struct mapped *file_at(struct inspect *in, uint64_t addr)
{
	const struct sd_file_note *fn = sd_core_files(in->core);
	for (size_t i = 0; i < fn->n; i++)
		if (addr >= fn->maps[i].start && addr < fn->maps[i].end)
			return find_file(in, fn->maps[i].path);
	return NULL;
}

/*
 * The loader opens a relative name (LD_LIBRARY_PATH=./lib, a relative
 * DT_RUNPATH, dlopen("plugins/x.so")) against the process's working
 * directory, and the kernel records the absolute path of what it opened in
 * NT_FILE. So a relative link_map name R whose dynamic section lies in the
 * mapping of NT_FILE path P = D/R tells that the working directory was D.
 * The first such name decides (a process that changed directory between
 * two loads gets an alias for the other, see add_file_item()); names with
 * ".." say too little (D/x/../R fits any x) and are not used for it.
 */
static char *cwd_from(const char *name, const char *path)
{
	if (!path || name[0] == '/' || !name[0])
		return NULL;
	for (const char *p = name; *p; p++) {
		bool start = p == name || p[-1] == '/';
		if (start && p[0] == '.' && p[1] == '.' && (p[2] == '/' || !p[2]))
			return NULL;
	}
	_cleanup_free_ char *abs = sd_path_join("/", name);
	char *suffix = NULL;
	struct sd_error *err = abs ? sd_path_normalize(abs, &suffix) : NULL;
	sd_error_destroy(err);
	if (!suffix || strcmp(suffix, "/") == 0 || !sd_str_has_suffix(path, suffix)) {
		free(suffix);
		return NULL;
	}
	size_t n = strlen(path) - strlen(suffix);
	free(suffix);
	return n ? strndup(path, n) : strdup("/");
}

static struct sd_error *derive_cwd(struct inspect *in)
{
	for (size_t i = 0; i < in->n_lm; i++) {
		const char *name = in->lm[i].name;
		struct mapped *f = file_at(in, in->lm[i].l_ld);
		if (!f || f->problem || name[0] == '/' || !name[0])
			continue;
		_cleanup_free_ char *cwd = cwd_from(name, f->path);
		if (!cwd)
			continue;
		if (!in->cwd) {
			in->cwd = take_ptr(cwd);
		} else if (strcmp(cwd, in->cwd) != 0) {
			struct sd_error *err = sd_plan_note(in->plan, "relative library name '%.200s' "
							    "implies the working directory %.200s, "
							    "another one %.200s", name, cwd, in->cwd);
			if (err)
				return err;
		}
	}
	return in->cwd ? sd_item_set(&in->plan->cwd, in->cwd) : NULL;
}

/* Learn the loader's name of every file from link_map (by its dynamic section's address). */
static struct sd_error *walk_link_map(struct inspect *in)
{
	uint64_t phdr, phnum;
	if (!sd_core_auxv(in->core, AT_PHDR, &phdr) || !sd_core_auxv(in->core, AT_PHNUM, &phnum))
		return sd_plan_note(in->plan, "no AT_PHDR/AT_PHNUM in the core's auxv: loader names unknown");
	struct sd_error *err = sd_link_map_walk(read_core, in->core, sd_core_layout(in->core), phdr,
						phnum, &in->lm, &in->n_lm);
	if (err) {
		if (err == &sd_enomem)
			return err;
		struct sd_error *e2 = err->code == SD_ERROR_INPUT && strstr(err->message, "statically")
				      ? NULL : sd_plan_note(in->plan, "link_map: %s", err->message);
		sd_error_destroy(err);
		return e2;
	}
	for (size_t i = 0; i < in->n_lm; i++) {
		struct mapped *f = file_at(in, in->lm[i].l_ld);
		if (f && !f->lm_name && in->lm[i].name[0])
			f->lm_name = in->lm[i].name;
	}
	return derive_cwd(in);
}

static const char *exe_raw_path(struct inspect *in)
{
	/* The file mapped at the entry point is the executable (AT_ENTRY). */
	uint64_t entry;
	const struct sd_file_note *fn = sd_core_files(in->core);
	if (sd_core_auxv(in->core, AT_ENTRY, &entry)) {
		for (size_t i = 0; i < fn->n; i++)
			if (entry >= fn->maps[i].start && entry < fn->maps[i].end)
				return fn->maps[i].path;
	}
	/* Else the first mapping whose name matches pr_fname (at most 15 chars). */
	const struct sd_prpsinfo *ps = sd_core_prpsinfo(in->core);
	if (ps && ps->fname[0]) {
		for (size_t i = 0; i < fn->n; i++)
			if (strncmp(sd_basename(fn->maps[i].path), ps->fname, 15) == 0)
				return fn->maps[i].path;
	}
	return fn->n ? fn->maps[0].path : NULL;
}

static bool core_has_elf_header(struct inspect *in, const struct mapped *f)
{
	uint8_t magic[SELFMAG];
	return f->has_start && sd_core_read(in->core, f->start, magic, SELFMAG) == SELFMAG &&
	       memcmp(magic, ELFMAG, SELFMAG) == 0;
}

/* The need for an ELF object the process had loaded (or a managed assembly). */
static struct sd_error *add_file_item(struct inspect *in, struct mapped *f, bool is_exe)
{
	struct sd_plan *plan = in->plan;
	const struct sd_core_module *mod = f->module != SIZE_MAX ? &in->mods[f->module] : NULL;
	bool known_elf = mod || core_has_elf_header(in, f);
	enum sd_role role = is_exe ? SD_ROLE_EXECUTABLE : SD_ROLE_LIBRARY;
	const char *path = f->problem ? f->raw : f->path;
	bool managed = !known_elf && in->dotnet && sd_dotnet_is_managed_path(path);
	if (managed)
		role = SD_ROLE_MANAGED;
	else if (!known_elf && !is_exe)
		role = SD_ROLE_MAPPED_FILE;
	struct sd_item *item;
	struct sd_error *err;

	if (!f->problem && role == SD_ROLE_MAPPED_FILE) {
		/*
		 * A data file (locale, cache, font, shared memory file): its pages
		 * are not in the core unless written to, and gdb reads them from
		 * the file NT_FILE names, under the sysroot. Packed when small
		 * (sd_plan_decide() applies the bounds), and nice to have.
		 */
		if ((err = sd_plan_need(plan, role, sd_basename(f->path), f->path, SD_FIND_PATHS,
					SD_VERIFY_EXISTS, &item)) ||
		    (err = sd_strv_add(&item->candidates, f->path)) ||
		    (err = sd_item_set(&item->archive_path, sd_archive_path_of(f->path))) ||
		    (err = sd_item_set(&item->why, "a data file the process had mapped; gdb "
					"reads its pages from it")))
			return err;
		item->if_missing = SD_MISSING_SKIP;
		item->optional = true;
		return NULL;
	}
	if (f->problem) {
		/* Deleted files and memfds are normal; bad paths mean a damaged core. */
		bool bad = f->problem && sd_str_has_prefix(f->problem, "unusable");
		if (bad && !managed)
			role = is_exe ? SD_ROLE_EXECUTABLE : SD_ROLE_LIBRARY;
		if ((err = sd_plan_add(plan, role, bad ? SD_STATUS_MISSING : SD_STATUS_SKIPPED,
				       &item)))
			return err;
		if ((err = sd_item_set(&item->orig_path, path)) ||
		    (err = sd_item_set(&item->name, sd_basename(path))) ||
		    (err = sd_item_reason(item, "%s", f->problem)))
			return err;
		if (mod)
			item->build_id = mod->build_id;
		if (bad)
			return sd_plan_note(plan, "NT_FILE entry '%.200s': %s; skipped", f->raw, f->problem);
		return NULL;
	}

	if ((err = sd_plan_need(plan, role, sd_basename(f->path), f->path,
				managed ? SD_FIND_PATHS
					: SD_FIND_PATHS | SD_FIND_BUILD_ID | SD_FIND_DEBUGINFOD,
				managed ? SD_VERIFY_EXISTS : SD_VERIFY_BUILD_ID, &item)) ||
	    (err = sd_strv_add(&item->candidates, f->path)) ||
	    (err = sd_item_set(&item->archive_path, sd_archive_path_of(f->path))))
		return err;
	if (mod)
		item->build_id = mod->build_id;
	if (managed)
		return NULL;	/* assemblies have no build-id: found is found */
	item->want_debug = true;
	item->alias_flags = SD_ALIAS_BUILD_ID;
	/*
	 * The loader's name for it, when it differs (e.g. /lib vs /usr/lib); a
	 * relative one against the working directory, where gdb opens it.
	 */
	_cleanup_free_ char *lm = NULL, *joined = NULL;
	const char *lm_abs = f->lm_name && f->lm_name[0] == '/' ? f->lm_name : NULL;
	if (f->lm_name && f->lm_name[0] && !lm_abs && in->cwd) {
		if (!(joined = sd_path_join(in->cwd, f->lm_name)))
			return &sd_enomem;
		lm_abs = joined;
	}
	if (lm_abs) {
		struct sd_error *bad = sd_path_normalize(lm_abs, &lm);
		if (bad) {
			if (bad == &sd_enomem)
				return bad;
			sd_error_destroy(bad);
		}
	}
	if (lm && strcmp(lm, f->path) != 0 &&
	    ((err = sd_strv_add(&item->candidates, lm)) ||
	     (err = sd_strv_add(&item->aliases, sd_archive_path_of(lm)))))
		return err;
	return NULL;
}

/* A module libdwfl found in memory that NT_FILE does not name (or no NT_FILE at all). */
static struct sd_error *add_module_item(struct inspect *in, size_t mi, bool is_exe)
{
	const struct sd_core_module *mod = &in->mods[mi];
	struct sd_item *item;
	struct sd_error *err;
	if (is_vdso(mod->name)) {
		if ((err = sd_plan_add(in->plan, SD_ROLE_VDSO, SD_STATUS_SKIPPED, &item)))
			return err;
		item->build_id = mod->build_id;
		if ((err = sd_item_set(&item->name, mod->name)))
			return err;
		return sd_item_reason(item, "provided by the kernel; its image is in the core");
	}
	const char *name = mod->name;
	for (size_t i = 0; i < in->n_lm; i++)
		if (in->lm[i].l_ld >= mod->low && in->lm[i].l_ld < mod->high && in->lm[i].name[0])
			name = in->lm[i].name;
	_cleanup_free_ char *path = NULL;
	struct sd_error *bad = name[0] == '/' ? sd_path_normalize(name, &path) : NULL;
	if (bad == &sd_enomem)
		return bad;
	sd_error_destroy(bad);
	if (!path) {
		if ((err = sd_plan_add(in->plan, SD_ROLE_LIBRARY, SD_STATUS_MISSING, &item)))
			return err;
		item->build_id = mod->build_id;
		if ((err = sd_item_set(&item->name, mod->name)))
			return err;
		return sd_item_reason(item, "loaded object with no usable file name; "
					    "look it up by build-id");
	}
	struct mapped f = { .raw = name, .path = path, .module = mi, .lm_name = name };
	_cleanup_free_ char *unused = NULL;
	f.problem = classify(name, &unused);
	return add_file_item(in, &f, is_exe);
}

/* libthread_db from the directory of the core's libc, so gdb can list threads. */
static struct sd_error *add_thread_db(struct inspect *in)
{
	struct sd_plan *plan = in->plan;
	const struct sd_item *libc = NULL;
	for (size_t i = 0; i < plan->n_items && !libc; i++) {
		const struct sd_item *it = &plan->items[i];
		if (it->role == SD_ROLE_LIBRARY && it->orig_path &&
		    (sd_str_has_prefix(sd_basename(it->orig_path), "libc.so") ||
		     sd_str_has_prefix(sd_basename(it->orig_path), "libc-2.")))
			libc = it;
	}
	if (!libc || libc->orig_path[0] != '/')
		return NULL;	/* static or non-glibc program */
	_cleanup_free_ char *dir = sd_dirname(libc->orig_path);
	_cleanup_free_ char *path = dir ? sd_path_join(dir, "libthread_db.so.1") : NULL;
	if (!path)
		return &sd_enomem;
	size_t libc_index = (size_t)(libc - plan->items);
	struct sd_item *item;
	struct sd_error *err;
	if ((err = sd_plan_need(plan, SD_ROLE_THREAD_DB, "libthread_db.so.1", path, SD_FIND_PATHS,
				SD_VERIFY_EXISTS, &item)) ||
	    (err = sd_strv_add(&item->candidates, path)) ||
	    (err = sd_item_set(&item->archive_path, sd_archive_path_of(path))) ||
	    (err = sd_item_set(&item->why, "from the directory of the dump's libc; it carries no "
				"trace in the core to verify it by")))
		return err;
	item->parent = libc_index;
	return NULL;
}

struct sd_error *sd_userland_inspect(struct sd_core *core, struct sd_plan *plan)
{
	struct inspect in = { .core = core, .plan = plan };
	struct sd_error *err;

	plan->kind = SD_DUMP_USERLAND;
	const struct sd_prpsinfo *ps = sd_core_prpsinfo(core);
	if (ps) {
		plan->pid = ps->pid;
		if ((err = sd_item_set(&plan->command_line, ps->psargs)))
			return err;
	}
	plan->signal = sd_core_signal(core);
	if (sd_core_damage(core) && sd_plan_damage(plan, "%s", sd_core_damage(core)))
		return &sd_enomem;

	err = sd_core_modules(core, &in.mods, &in.n_mods);
	if (err) {
		struct sd_error *e2 = sd_plan_note(plan, "%s; using NT_FILE only", err->message);
		sd_error_destroy(err);
		if (e2)
			return e2;
	}
	if ((err = collect_files(&in)))
		goto out;
	if (!sd_core_files(core)->n)
		if ((err = sd_plan_note(plan, "the core has no usable NT_FILE note; files come "
				      "from the loader's link_map only")))
			goto out;
	match_modules(&in);
	if ((err = walk_link_map(&in)))
		goto out;

	for (size_t i = 0; i < in.n_files && !in.dotnet; i++)
		in.dotnet = strcmp(sd_basename(in.files[i].raw), "libcoreclr.so") == 0;

	const char *exe = exe_raw_path(&in);
	if (exe && (err = sd_item_set(&plan->executable, exe)))
		goto out;
	for (size_t i = 0; i < in.n_files; i++) {
		bool is_exe = exe && strcmp(in.files[i].raw, exe) == 0;
		if ((err = add_file_item(&in, &in.files[i], is_exe)))
			goto out;
	}
	/* Modules NT_FILE does not name: the vdso, or everything in a core without NT_FILE. */
	for (size_t mi = 0; mi < in.n_mods; mi++) {
		bool named = false;
		for (size_t i = 0; i < in.n_files && !named; i++)
			named = in.files[i].module == mi;
		if (!named && (err = add_module_item(&in, mi, !exe && mi == 0)))
			goto out;
	}
	if ((err = add_thread_db(&in)))
		goto out;
	if ((err = sd_dotnet_inspect(core, plan, in.dotnet)))
		goto out;
out:
	for (size_t i = 0; i < in.n_files; i++)
		free(in.files[i].path);
	free(in.files);
	sd_core_modules_free(in.mods, in.n_mods);
	sd_link_map_free(in.lm, in.n_lm);
	free(in.cwd);
	return err;
}
