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
#include "sysmap.h"
#include "util.h"
#include "vmcoreinfo.h"

struct kinspect {
	struct sd_kdump *k;
	struct sd_vmcoreinfo vi;
	struct sd_kmem mem;
	const char *rel;
};

static struct sd_error *read_vmcoreinfo(struct kinspect *in, struct sd_plan *plan)
{
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

/* path with each "%s" replaced by the release (the templates below are ours, not the dump's). */
static char *expand(const char *tmpl, const char *rel)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	for (const char *p = tmpl; *p; p++) {
		if (p[0] == '%' && p[1] == 's') {
			fputs(rel, f);
			p++;
		} else {
			fputc(*p, f);
		}
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* A need for a kernel file of this release, looked for at the paths given (templates). */
static struct sd_error *kernel_need(struct sd_plan *plan, enum sd_role role, const char *name,
				    const char *archive_path, const char *const *fmts, size_t n,
				    unsigned find, enum sd_verify verify, struct sd_item **ret)
{
	struct sd_item *item;
	struct sd_error *err = sd_plan_need(plan, role, name, NULL, find, verify, &item);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		char *path = expand(fmts[i], plan->release);
		if (!path)
			return &sd_enomem;
		err = sd_strv_add(&item->candidates, path);
		if (!err && i == 0)
			err = sd_item_set(&item->orig_path, path);
		free(path);
		if (err)
			return err;
	}
	if ((err = sd_item_set(&item->archive_path, archive_path)))
		return err;
	item->alias_flags = SD_ALIAS_FOUND_AT;
	*ret = item;
	return NULL;
}

static struct sd_error *add_vmlinux(struct sd_plan *plan)
{
	static const char *const paths[] = {
		"/usr/lib/debug/boot/vmlinux-%s", "/usr/lib/debug/lib/modules/%s/vmlinux",
		"/boot/vmlinux-%s", "/lib/modules/%s/build/vmlinux", "/lib/modules/%s/vmlinux",
	};
	struct sd_item *item;
	struct sd_error *err = kernel_need(plan, SD_ROLE_VMLINUX, "vmlinux", "vmlinux", paths,
					   ARRAY_SIZE(paths), SD_FIND_PATHS | SD_FIND_BUILD_ID |
					   SD_FIND_DEBUGINFOD, SD_VERIFY_BUILD_ID, &item);
	if (err)
		return err;
	item->build_id = plan->kernel_build_id;
	item->alias_flags |= SD_ALIAS_BUILD_ID;
	/* A vmlinux without DWARF (stripped /boot/vmlinux): the resolver looks for its debug file. */
	item->want_debug = true;
	if (plan->kernel_build_id.len) {
		char hex[2 * SD_BUILD_ID_MAX + 1];
		if (asprintf(&item->hint,
			     "install the kernel's debug symbols: linux-image-%s-dbg (Debian, Ubuntu) "
			     "or kernel-debuginfo-%s (Fedora, RHEL); build-id %s", plan->release,
			     plan->release, sd_build_id_hex(&plan->kernel_build_id, hex)) < 0) {
			item->hint = NULL;
			return &sd_enomem;
		}
	}
	return NULL;
}

static struct sd_error *add_boot_files(struct sd_plan *plan)
{
	static const char *const map[] = {
		"/boot/System.map-%s", "/usr/lib/debug/boot/System.map-%s",
		"/lib/modules/%s/build/System.map",
	};
	static const char *const cfg[] = { "/boot/config-%s", "/lib/modules/%s/build/.config" };
	static const char *const vmlinuz[] = { "/boot/vmlinuz-%s" };
	struct sd_item *item;
	struct sd_error *err;
	/* System.map: the first real one. Not worth an incomplete archive: vmlinux has its symbols. */
	if ((err = kernel_need(plan, SD_ROLE_SYSTEM_MAP, "System.map", "System.map", map,
			       ARRAY_SIZE(map), SD_FIND_PATHS, SD_VERIFY_SYSTEM_MAP, &item)))
		return err;
	item->if_missing = SD_MISSING_SKIP;
	if ((err = sd_item_set(&item->why, "vmlinux carries the same symbols")))
		return err;
	if ((err = kernel_need(plan, SD_ROLE_KCONFIG, "config", "config", cfg, ARRAY_SIZE(cfg),
			       SD_FIND_PATHS, SD_VERIFY_EXISTS, &item)))
		return err;
	item->if_missing = SD_MISSING_SKIP;
	if ((err = sd_item_set(&item->why, "the kernel config; not needed by debuggers")))
		return err;
	_cleanup_free_ char *zpath = NULL;
	if (asprintf(&zpath, "boot/vmlinuz-%s", plan->release) < 0)
		return &sd_enomem;
	if ((err = kernel_need(plan, SD_ROLE_VMLINUZ, "vmlinuz", zpath, vmlinuz, 1, SD_FIND_PATHS,
			       SD_VERIFY_EXISTS, &item)))
		return err;
	item->alias_flags = 0;
	item->optional = true;
	item->if_missing = SD_MISSING_SKIP;
	return sd_item_set(&item->why, "the boot image; not verifiable by build-id, not needed "
			   "by debuggers");
}

static struct sd_error *add_modules(struct sd_plan *plan, const struct sd_kmodule *mods, size_t n)
{
	struct sd_error *err;
	for (size_t i = 0; i < n; i++) {
		struct sd_item *item;
		if ((err = sd_plan_need(plan, SD_ROLE_MODULE, mods[i].name, NULL, SD_FIND_KMOD,
					SD_VERIFY_KMOD, &item)))
			return err;
		item->build_id = mods[i].build_id;
		item->want_debug = true;
	}
	return NULL;
}

/* --- The module list from the dump ------------------------------------------------------- */

/*
 * The module list from a symbol table (kallsyms from the dump, or a verified
 * System.map) and the dump's BTF: "modules" is the list head,
 * __start_BTF/__stop_BTF bound the kernel's .BTF section
 * (include/asm-generic/vmlinux.lds.h, CONFIG_DEBUG_INFO_BTF).
 */
static struct sd_error *list_with(struct kinspect *in, const struct sd_ksyms *syms,
				  struct sd_kmodule **ret, size_t *ret_n, uint64_t *ret_btf_found)
{
	uint64_t modules, start, stop;
	struct sd_btf *btf = NULL;
	struct sd_error *err;
	if (!syms->lookup(syms->arg, "modules", &modules))
		return sd_error_create(SD_ERROR_INPUT, "%s has no 'modules' symbol", syms->source);
	if (syms->lookup(syms->arg, "__start_BTF", &start) &&
	    syms->lookup(syms->arg, "__stop_BTF", &stop)) {
		if ((err = sd_btf_load(&in->mem, start, stop, &btf)))
			return err;
	} else {
		/*
		 * Without KALLSYMS_ALL kallsyms has no __start_BTF: .BTF is
		 * in .rodata (include/asm-generic/vmlinux.lds.h), found by its
		 * header between the symbols that bound it, or else between
		 * _stext and init_uts_ns (in .data) as VMCOREINFO gives them.
		 */
		uint64_t lo, hi;
		if (!syms->lookup(syms->arg, "__start_rodata", &lo) ||
		    !syms->lookup(syms->arg, "__end_rodata", &hi)) {
			if (!sd_vmcoreinfo_symbol(&in->vi, "_stext", &lo) &&
			    !syms->lookup(syms->arg, "_stext", &lo))
				lo = 0;
			if (!sd_vmcoreinfo_symbol(&in->vi, "init_uts_ns", &hi))
				hi = 0;
		}
		if ((err = sd_btf_find(&in->mem, lo, hi, 0, "module", &btf, &start)))
			return sd_error_prefix(err, "%s has no __start_BTF", syms->source);
		*ret_btf_found = start;
	}
	struct sd_ktypes types;
	sd_btf_ktypes(btf, &types);
	err = sd_kmodules_walk(&in->mem, &types, modules, ret, ret_n);
	sd_btf_destroy(btf);
	return err;
}

/* "BTF", or where its header was found when no symbol said. */
static void btf_how(char *buf, size_t size, uint64_t found_at)
{
	if (found_at)
		snprintf(buf, size, "BTF (found by its header at %#llx)",
			 (unsigned long long)found_at);
	else
		snprintf(buf, size, "BTF");
}

/* Does VMCOREINFO locate kallsyms (Linux >= 6.0)? */
static bool vmcoreinfo_has_kallsyms(const struct kinspect *in)
{
	return sd_vmcoreinfo_get(&in->vi, "SYMBOL(kallsyms_names)") != NULL;
}

/*
 * The module list from the dump's own kallsyms, and BTF. located: through
 * VMCOREINFO (Linux >= 6.0); else found in the kernel image by their
 * structure. *ret_how says which.
 */
static struct sd_error *list_kallsyms(struct kinspect *in, bool located, struct sd_kmodule **ret,
				      size_t *ret_n, char **ret_how)
{
	struct sd_kallsyms *ks = NULL;
	struct sd_error *err = located ? sd_kallsyms_load(&in->mem, &in->vi, &ks)
				       : sd_kallsyms_scan(&in->mem, &in->vi, NULL, &ks);
	if (err)
		return err;
	struct sd_ksyms syms;
	sd_kallsyms_ksyms(ks, &syms);
	uint64_t btf_at = 0;
	char btf[64];
	err = list_with(in, &syms, ret, ret_n, &btf_at);
	btf_how(btf, sizeof(btf), btf_at);
	if (!err && asprintf(ret_how, "%s, and %s, from the dump (%s)",
			     located ? "kallsyms (located by VMCOREINFO)"
				     : "kallsyms found in the kernel image", btf,
			     sd_kallsyms_describe(ks)) < 0) {
		*ret_how = NULL;
		free(*ret);
		err = &sd_enomem;
	}
	sd_kallsyms_destroy(ks);
	return err;
}
static struct sd_error *add_dmesg(struct kinspect *in, struct sd_plan *plan)
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
		struct sd_error *e2 = sd_plan_note(plan, "no dmesg.txt: %s", err->message);
		sd_error_destroy(err);
		return e2;
	}
	char what[64];
	snprintf(what, sizeof(what), "the kernel log from the dump (%zu records)", records);
	return sd_plan_add_generated(plan, "dmesg.txt", text, len, what);
}

static struct sd_error *modules_found(struct sd_plan *plan, struct sd_kmodule *mods, size_t n,
				      const char *how)
{
	struct sd_error *err = sd_plan_note(plan, "%zu modules loaded, listed from %s", n, how);
	if (!err)
		err = add_modules(plan, mods, n);
	free(mods);
	return err;
}

/* The bytes of the dump that reading found damaged (kdump.h): only those make it damaged. */
static struct sd_error *dump_damage(struct sd_kdump *k, struct sd_plan *plan)
{
	const char *why = sd_kdump_damage(k);
	return why ? sd_plan_damage(plan, "%s", why) : NULL;
}

struct sd_error *sd_kernel_inspect(struct sd_kdump *k, struct sd_plan *plan)
{
	struct kinspect in = { .k = k };
	_cleanup_free_ char *how = NULL;
	struct sd_error *err;
	plan->kind = SD_DUMP_KERNEL;
	sd_kdump_kmem(k, &in.mem);
	if ((err = read_vmcoreinfo(&in, plan)))
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
	if ((err = add_vmlinux(plan)) || (err = add_boot_files(plan)) ||
	    (err = add_dmesg(&in, plan)))
		goto out;

	if (!vmcoreinfo_has_kallsyms(&in)) {
		/*
		 * Before Linux 6.0 VMCOREINFO does not say where kallsyms is: a
		 * System.map from the root comes first, once verified, then a
		 * search of the kernel image (step 2).
		 */
		plan->modules_pending = strdup("VMCOREINFO does not locate kallsyms (Linux < 6.0)");
		err = plan->modules_pending ? NULL : &sd_enomem;
		goto out;
	}
	struct sd_kmodule *mods = NULL;
	size_t n_mods = 0;
	err = list_kallsyms(&in, true, &mods, &n_mods, &how);
	if (err && err != &sd_enomem) {
		/*
		 * VMCOREINFO says where kallsyms is and it is not there: the
		 * dump is damaged, or lies; step 2 tries vmlinux DWARF.
		 */
		plan->modules_pending = strdup(err->message);
		sd_error_destroy(err);
		err = plan->modules_pending ? NULL : &sd_enomem;
	} else if (!err) {
		err = modules_found(plan, mods, n_mods, how);
	}
out:
	if (!err)
		err = dump_damage(k, plan);
	sd_vmcoreinfo_deinit(&in.vi);
	return err;
}

/* --- Step 2: with the files the resolver found --------------------------------------------- */

/*
 * The System.map, read from fd (the resolver found it in the root and it is
 * no stub) and checked against VMCOREINFO's own SYMBOL()s after relocation
 * by KERNELOFFSET (sysmap.h). A map of another build is refused: *ret stays
 * NULL, and plan->system_map_refused and a note say why.
 */
static struct sd_error *load_system_map(struct kinspect *in, struct sd_plan *plan, int fd,
					struct sd_sysmap **ret)
{
	struct stat st;
	struct sd_error *err;
	_cleanup_free_ char *buf = NULL;
	struct sd_sysmap *map = NULL;
	unsigned matches = 0;
	*ret = NULL;
	if (fstat(fd, &st) < 0)
		return sd_error_errno(errno, "System.map");
	if (st.st_size > SD_SYSMAP_MAX_BYTES) {	/* sd_sysmap_parse() would refuse it too */
		err = sd_error_create(SD_ERROR_INPUT, "System.map is %lld bytes, more than %d",
				      (long long)st.st_size, SD_SYSMAP_MAX_BYTES);
	} else if (!(buf = malloc((size_t)st.st_size + 1))) {
		return &sd_enomem;
	} else {
		ssize_t n = sd_pread_full(fd, buf, (size_t)st.st_size, 0);
		if (n < 0)	/* unusable, like a map of another build: the run goes on */
			err = sd_error_create(SD_ERROR_INPUT, "System.map cannot be read: %s",
					      strerror(errno));
		else
			err = sd_sysmap_parse(buf, (size_t)n, plan->kernel_offset, &map);
		if (!err && (err = sd_sysmap_verify(map, &in->vi, 0, &matches))) {
			sd_sysmap_destroy(map);
			map = NULL;
		}
	}
	if (err == &sd_enomem)
		return err;
	if (err) {
		plan->system_map_refused = strdup(err->message);
		struct sd_error *e2 = plan->system_map_refused
			? sd_plan_note(plan, "System.map refused: %s", err->message) : &sd_enomem;
		sd_error_destroy(err);
		return e2;
	}
	if ((err = sd_plan_note(plan, "System.map verified: %u of VMCOREINFO's symbols are at its "
				"addresses (relocated by KERNELOFFSET %#llx)", matches,
				(unsigned long long)plan->kernel_offset))) {
		sd_sysmap_destroy(map);
		return err;
	}
	*ret = map;
	return NULL;
}

/* The module list from vmlinux DWARF and its symbol table (fd: a verified vmlinux). */
static struct sd_error *list_dwarf(struct kinspect *in, uint64_t kernel_offset, int fd,
				   struct sd_kmodule **ret, size_t *ret_n)
{
	uint64_t modules;
	struct sd_dwarf_types *dw = NULL;
	if (!sd_elf_symbol(fd, "modules", &modules))
		return sd_error_create(SD_ERROR_INPUT, "vmlinux has no 'modules' symbol");
	struct sd_error *err = sd_dwarf_types_open(fd, &dw);
	if (err)
		return err;
	struct sd_ktypes types;
	sd_dwarf_types_ktypes(dw, &types);
	err = sd_kmodules_walk(&in->mem, &types, modules + kernel_offset, ret, ret_n);
	sd_dwarf_types_destroy(dw);
	return err;
}

/* Append "; what: err's message" to *text, and destroy err (not sd_enomem: returned). */
static struct sd_error *tried(char **text, const char *what, struct sd_error *err)
{
	if (err == &sd_enomem)
		return err;
	char *t;
	int n = asprintf(&t, "%s%s%s%s", *text ? *text : "", *text ? "; " : "", what ? what : "",
			 err->message);
	sd_error_destroy(err);
	if (n < 0)
		return &sd_enomem;
	free(*text);
	*text = t;
	return NULL;
}

/*
 * The list step 1 could not make: from a verified System.map and BTF, from
 * kallsyms found in the kernel image (when VMCOREINFO does not locate it),
 * or from vmlinux DWARF, in this order.
 */
static struct sd_error *list_pending(struct kinspect *in, struct sd_plan *plan,
				     const struct sd_kernel_files *files,
				     const struct sd_sysmap *map, bool *ret_dwarf)
{
	_cleanup_free_ char *why = take_ptr(plan->modules_pending);
	_cleanup_free_ char *how = NULL;
	struct sd_kmodule *mods = NULL;
	size_t n_mods = 0;
	struct sd_error *err = NULL, *e;
	bool listed = false;
	if (map) {
		struct sd_ksyms syms;
		sd_sysmap_ksyms(map, &syms);
		uint64_t btf_at = 0;
		char btf[64];
		if (!(e = list_with(in, &syms, &mods, &n_mods, &btf_at))) {
			listed = true;
			btf_how(btf, sizeof(btf), btf_at);
			if (asprintf(&how, "the verified System.map, and %s from the dump", btf) < 0) {
				how = NULL;
				free(mods);
				return &sd_enomem;
			}
		} else if ((err = tried(&why, "System.map: ", e))) {
			return err;
		}
	} else if (!vmcoreinfo_has_kallsyms(in) &&
		   (err = tried(&why, NULL, sd_error_create(SD_ERROR_INPUT, "%s",
							      files->system_map_fd < 0
							      ? "no real System.map in the root"
							      : "the System.map was refused")))) {
		return err;
	}
	if (!listed && !vmcoreinfo_has_kallsyms(in)) {
		if (!(e = list_kallsyms(in, false, &mods, &n_mods, &how)))
			listed = true;
		else if ((err = tried(&why, NULL, e)))
			return err;
	}
	if (!listed && files->vmlinux_fd >= 0) {
		if (!(e = list_dwarf(in, plan->kernel_offset, files->vmlinux_fd, &mods, &n_mods))) {
			listed = true;
			*ret_dwarf = true;
			if (!(how = strdup("vmlinux DWARF and symbols (the dump's own tables were "
					   "unusable)")))
				err = &sd_enomem;
		} else if ((err = tried(&why, "vmlinux DWARF: ", e))) {
			return err;
		}
	} else if (!listed && (err = tried(&why, NULL, sd_error_create(SD_ERROR_INPUT, "no "
						"verified vmlinux debuginfo to fall back on")))) {
		return err;
	}
	if (err) {
		free(mods);
		return err;
	}
	/*
	 * Not damage: an intact dump of a kernel without BTF, say, with no
	 * vmlinux debuginfo in the root. Damage is what the reads found
	 * (dump_damage()).
	 */
	if (!listed) {
		*ret_dwarf = true;	/* nothing to cross-check */
		return sd_plan_note(plan, "the module list could not be read: %s", why);
	}
	if ((err = sd_plan_note(plan, "module list: %s", why))) {
		free(mods);
		return err;
	}
	return modules_found(plan, mods, n_mods, how);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_strv(struct sd_strv *sv)
{
	if (sv->n)
		qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
}

/* The module items of plan (the list made), sorted by name then build-id: "NAME HEXID". */
static struct sd_error *listed_modules(const struct sd_plan *plan, struct sd_strv *ret)
{
	char hex[2 * SD_BUILD_ID_MAX + 1];
	struct sd_error *err;
	for (size_t i = 0; i < plan->n_items; i++) {
		const struct sd_item *it = &plan->items[i];
		if (it->role == SD_ROLE_MODULE && it->name &&
		    (err = sd_strv_addf(ret, "%s %s", it->name, sd_build_id_hex(&it->build_id, hex))))
			return err;
	}
	sort_strv(ret);
	return NULL;
}

/* "a, b, c" of the entries of a that are not in b (both sorted), at most a few. */
static char *missing_from(const struct sd_strv *a, const struct sd_strv *b, size_t *ret_n)
{
	char *out = NULL;
	size_t len = 0, n = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	for (size_t i = 0, j = 0; i < a->n;) {
		int c = j < b->n ? strcmp(a->v[i], b->v[j]) : -1;
		if (c == 0) {
			i++;
			j++;
		} else if (c > 0) {
			j++;
		} else {
			if (n++ < 8)
				fprintf(f, "%s%s", n > 1 ? ", " : "", a->v[i]);
			i++;
		}
	}
	if (n > 8)
		fprintf(f, ", ... (%zu in all)", n);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	*ret_n = n;
	return out;
}

/*
 * Compare the list made from the dump's tables (the module items of with)
 * with the one vmlinux DWARF gives (names and build-ids), and say how they
 * compare in a note: a disagreement means one source misread the dump.
 */
static struct sd_error *cross_check(struct kinspect *in, struct sd_plan *plan,
				    const struct sd_plan *with, int vmlinux_fd)
{
	struct sd_kmodule *mods = NULL;
	size_t n = 0;
	struct sd_error *err = list_dwarf(in, plan->kernel_offset, vmlinux_fd, &mods, &n);
	if (err) {
		if (err == &sd_enomem)
			return err;
		struct sd_error *e2 = sd_plan_note(plan, "module list not cross-checked: vmlinux "
						   "DWARF gives none: %s", err->message);
		sd_error_destroy(err);
		return e2;
	}
	struct sd_strv mine = { 0 }, dwarf = { 0 };
	char hex[2 * SD_BUILD_ID_MAX + 1];
	err = listed_modules(with, &mine);
	for (size_t i = 0; i < n && !err; i++)
		err = sd_strv_addf(&dwarf, "%s %s", mods[i].name,
				   sd_build_id_hex(&mods[i].build_id, hex));
	free(mods);
	if (!err) {
		sort_strv(&dwarf);
		size_t n_mine = 0, n_dwarf = 0;
		_cleanup_free_ char *only_mine = missing_from(&mine, &dwarf, &n_mine);
		_cleanup_free_ char *only_dwarf = missing_from(&dwarf, &mine, &n_dwarf);
		if (!only_mine || !only_dwarf)
			err = &sd_enomem;
		else if (!n_mine && !n_dwarf)
			err = sd_plan_note(plan, "module list cross-checked: vmlinux DWARF lists the "
					   "same %zu modules and build-ids", dwarf.n);
		else
			err = sd_plan_note(plan, "module lists disagree: from the dump's tables %zu, "
					   "from vmlinux DWARF %zu; only in the first: %s; only in "
					   "DWARF: %s", mine.n, dwarf.n, n_mine ? only_mine : "none",
					   n_dwarf ? only_dwarf : "none");
	}
	sd_strv_deinit(&mine);
	sd_strv_deinit(&dwarf);
	return err;
}

struct sd_error *sd_kernel_inspect_files(struct sd_kdump *k, struct sd_plan *plan,
					 const struct sd_kernel_files *files)
{
	struct kinspect in = { .k = k };
	struct sd_sysmap *map = NULL;
	struct sd_error *err;
	sd_kdump_kmem(k, &in.mem);
	const char *raw = sd_kdump_vmcoreinfo(k);
	if (!raw)
		return NULL;	/* step 1 said so */
	if ((err = sd_vmcoreinfo_parse(raw, strlen(raw), &in.vi)))
		return err;
	if (files->system_map_fd >= 0 &&
	    (err = load_system_map(&in, plan, files->system_map_fd, &map)))
		goto out;
	const struct sd_plan *listed = files->listed;
	if (plan->modules_pending) {
		bool dwarf = false;
		if ((err = list_pending(&in, plan, files, map, &dwarf)))
			goto out;
		listed = dwarf ? NULL : plan;
	}
	if (listed && files->vmlinux_fd >= 0)
		err = cross_check(&in, plan, listed, files->vmlinux_fd);
out:
	if (!err)
		err = dump_damage(k, plan);
	sd_sysmap_destroy(map);
	sd_vmcoreinfo_deinit(&in.vi);
	return err;
}
