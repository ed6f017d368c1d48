// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "dump.h"
#include "elfutils.h"
#include "flatten.h"
#include "hash.h"
#include "kdump.h"
#include "kernel.h"
#include "launcher.h"
#include "pack.h"
#include "pipeline.h"
#include "resolve.h"
#include "root.h"
#include "userland.h"
#include "util.h"

/* The dump, opened: the file given, its reassembled form, and the reader of its format. */
struct dump {
	int fd;			/* as given */
	int flat_fd;		/* reassembled from the flattened format, or -1 */
	struct stat st;		/* of the file given */
	struct sd_core *core;	/* an ELF core (userland), or NULL */
	struct sd_kdump *kdump;	/* a kernel dump, or NULL */
	struct sd_kernel *kernel;	/* kernel inspection state */
};

static void dump_close_readers(struct dump *d)
{
	sd_kernel_destroy(d->kernel);
	sd_kdump_destroy(d->kdump);
	sd_core_destroy(d->core);
	d->kernel = NULL;
	d->kdump = NULL;
	d->core = NULL;
}

static void dump_deinit(struct dump *d)
{
	dump_close_readers(d);
	if (d->flat_fd >= 0)
		close(d->flat_fd);
	if (d->fd >= 0)
		close(d->fd);
}

static const char *compression_ext(enum sd_compression c)
{
	switch (c) {
	case SD_COMPRESS_ZSTD:
		return ".tar.zst";
	case SD_COMPRESS_GZIP:
		return ".tar.gz";
	case SD_COMPRESS_XZ:
		return ".tar.xz";
	case SD_COMPRESS_NONE:
		return ".tar";
	}
	return ".tar";
}

/* The archive's top directory: the output's name without its extension. */
static char *top_name(const char *output)
{
	const char *base = sd_basename(output);
	static const char *const exts[] = { ".tar.zst", ".tar.gz", ".tar.xz", ".tgz", ".tar",
					    ".tzst", ".txz" };
	size_t n = strlen(base);
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		if (sd_str_has_suffix(base, exts[i]) && n > strlen(exts[i])) {
			n -= strlen(exts[i]);
			break;
		}
	}
	return strndup(base, n);
}

/* The output's name: --output/--output-dir, else ./savedump-DUMP.tar.EXT. */
static struct sd_error *output_name(const struct sd_options *o, char **ret_output, char **ret_top)
{
	char *output = NULL;
	if (o->output)
		output = strdup(o->output);
	else if (asprintf(&output, "savedump-%s%s", sd_basename(o->dump),
			  compression_ext(o->compression)) < 0)
		output = NULL;
	char *top = output ? (o->output_is_dir ? strdup("") : top_name(output)) : NULL;
	if (!output || !top) {
		free(output);
		return &sd_enomem;
	}
	if (!o->force && access(output, F_OK) == 0) {
		struct sd_error *err = sd_error_create(
			SD_ERROR_EXISTS, "%s already exists (use --force to replace it)", output);
		free(output);
		free(top);
		return err;
	}
	*ret_output = output;
	*ret_top = top;
	return NULL;
}

/* The directory the output goes into (for its free space and temporary files). */
static char *output_parent(const char *output)
{
	char *dir = strdup(output);
	if (!dir)
		return NULL;
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')	/* --output-dir DIR/ */
		dir[--n] = '\0';
	char *slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	return dir;
}

/*
 * A flattened dump is written back into a real one, in an unnamed file next
 * to the output (the capture kernel's /tmp is RAM), or in $TMPDIR for --list.
 */
static struct sd_error *unflatten(const struct sd_options *o, const char *output, int fd,
				  struct sd_plan *plan, int *ret_fd)
{
	_cleanup_free_ char *dir = NULL;
	if (output) {
		dir = output_parent(output);
	} else {
		const char *t = getenv("TMPDIR");
		dir = strdup(t && *t ? t : "/var/tmp");
	}
	if (!dir)
		return &sd_enomem;
	int out = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (out < 0)
		return sd_error_errno(errno, "%s: cannot create a temporary file to reassemble the "
				      "flattened dump", dir);
	struct sd_sha256 *h = NULL;
	uint64_t size;
	bool truncated = false;
	char hex[65];
	struct sd_error *err = sd_sha256_create(&h);
	if (!err)
		err = sd_flattened_reassemble(fd, o->dump, out, h, &size, &truncated);
	if (!err) {
		sd_sha256_final(h, hex);
		err = sd_plan_note(plan, "%s is in the flattened format (sha256 %s); the archive "
				   "holds the dump it describes, reassembled", o->dump, hex);
	}
	sd_sha256_destroy(h);
	if (!err && truncated)
		err = sd_plan_damage(plan, "the flattened dump ends without its end marker "
				     "(truncated)");
	if (err) {
		close(out);
		return err;
	}
	*ret_fd = out;
	return NULL;
}

/* Stage 1: open the dump, identify it, and add it to the plan as item 0. */
static struct sd_error *open_dump(const struct sd_options *o, const char *output,
				  struct sd_plan *plan, struct sd_files *files, struct dump *d)
{
	struct sd_error *err;
	/* O_NOATIME: reading evidence should not even change its atime (when allowed). */
	d->fd = open(o->dump, O_RDONLY | O_CLOEXEC | O_NOATIME);
	if (d->fd < 0 && errno == EPERM)
		d->fd = open(o->dump, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0) {
		err = sd_error_errno(errno, "%s", o->dump);
		if (errno == ENOENT || errno == EISDIR)
			err->code = SD_ERROR_INPUT;
		return err;
	}
	if (fstat(d->fd, &d->st) < 0)
		return sd_error_errno(errno, "%s", o->dump);
	enum sd_dump_format format;
	if ((err = sd_dump_probe(d->fd, o->dump, &format)))
		return err;
	int fd = d->fd;
	if (format == SD_FORMAT_FLATTENED) {
		if ((err = unflatten(o, output, d->fd, plan, &d->flat_fd)))
			return err;
		fd = d->flat_fd;
		if ((err = sd_dump_probe(fd, o->dump, &format)))
			return err;
	}
	bool kernel = format != SD_FORMAT_ELF;
	const char *arch_hint = NULL;
	if (format == SD_FORMAT_ELF) {
		if ((err = sd_core_open(fd, o->dump, &d->core)))
			return err;
		if (!sd_core_has_process_notes(d->core)) {
			if (!sd_core_vmcoreinfo(d->core, NULL))
				return sd_error_create(SD_ERROR_INPUT, "%s: ELF core without process "
						       "notes (NT_FILE/NT_PRPSINFO) or VMCOREINFO: "
						       "not a Linux core or crash dump", o->dump);
			kernel = true;
			arch_hint = sd_elf_machine_name(sd_core_machine(d->core));
		}
	}
	if (kernel && (err = sd_kdump_open(fd, o->dump, arch_hint, &d->kdump)))
		return err;

	const char *arch = d->kdump ? sd_kdump_arch(d->kdump)
				    : sd_elf_machine_name(sd_core_machine(d->core));
	const char *fmt_name = d->kdump ? sd_kdump_format(d->kdump) : "elf-core";
	if (!(plan->dump_path = strdup(o->dump)) ||
	    asprintf(&plan->dump_format, "%s%s", fmt_name,
		     d->flat_fd >= 0 ? " (from flattened)" : "") < 0 ||
	    (arch && !(plan->arch = strdup(arch)))) {
		plan->dump_format = NULL;
		return &sd_enomem;
	}
	struct sd_item *item;
	struct stat st;
	if ((err = sd_plan_add(plan, SD_ROLE_DUMP, SD_STATUS_FOUND, &item)))
		return err;
	if (fstat(fd, &st) < 0)
		return sd_error_errno(errno, "%s", o->dump);
	item->size = (uint64_t)st.st_size;
	item->compressed = sd_fd_is_compressed(fd);
	if ((err = sd_item_set(&item->orig_path, o->dump)) ||
	    (err = sd_item_set(&item->name, sd_basename(o->dump))) ||
	    (err = sd_item_set(&item->source_path, o->dump)))
		return err;
	int dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dup < 0)
		return sd_error_errno(errno, "dup");
	return sd_files_set(files, 0, dup);
}

/*
 * Stages 2 and 3: inspect the dump, resolve its needs. A kernel dump
 * without its own symbol tables is inspected again with the vmlinux found.
 */
static struct sd_error *inspect_and_resolve(struct dump *d, struct sd_resolver *r,
					    struct sd_plan *plan, struct sd_files *files)
{
	struct sd_error *err;
	if (d->kdump)
		err = sd_kernel_inspect(d->kdump, plan, &d->kernel);
	else
		err = sd_userland_inspect(d->core, plan);
	if (err || (err = sd_resolve_plan(r, plan, files)))
		return err;
	if (!sd_kernel_needs_dwarf(d->kernel))
		return NULL;
	/* The DWARF of the verified vmlinux, or of its debug file. */
	int fd = -1;
	for (size_t i = 0; i < plan->n_items && fd < 0; i++) {
		const struct sd_item *it = &plan->items[i];
		if ((it->role == SD_ROLE_VMLINUX || it->role == SD_ROLE_VMLINUX_DEBUG) &&
		    it->status == SD_STATUS_FOUND && it->has_debug_info)
			fd = sd_files_fd(files, i);
	}
	if ((err = sd_kernel_inspect_dwarf(d->kernel, plan, fd)))
		return err;
	return sd_resolve_plan(r, plan, files);
}

/*
 * Keep what is packed within --max-size (counted uncompressed: compression
 * can only make the archive smaller) and within the output file system's
 * free space. There, already-compressed files count in full and the others
 * not at all: if they do not compress enough, the write fails with ENOSPC
 * and removes what it wrote. The reserve left free is 1% of the file system,
 * at most 16 MiB.
 */
static struct sd_error *fit_output(const struct sd_options *o, const char *output,
				   struct sd_plan *plan)
{
	struct sd_error *err;
	if (o->max_size) {
		char why[64];
		snprintf(why, sizeof(why), "--max-size %" PRIu64, o->max_size);
		if ((err = sd_plan_fit(plan, o->max_size, 100, why)))
			return err;
	}
	_cleanup_free_ char *dir = output_parent(output);
	if (!dir)
		return &sd_enomem;
	struct statvfs vfs;
	if (statvfs(dir, &vfs) < 0)
		return NULL;	/* the writer reports an unusable directory */
	uint64_t avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	uint64_t reserve = (uint64_t)vfs.f_blocks * vfs.f_frsize / 100;
	if (reserve > 16 << 20)
		reserve = 16 << 20;
	bool compressing = !o->output_is_dir && o->compression != SD_COMPRESS_NONE;
	unsigned ratio = compressing ? 0 : 100;
	if (sd_plan_packed_size(plan, ratio) + reserve <= avail)
		return NULL;
	_cleanup_free_ char *why = NULL;
	if (asprintf(&why, "the free space on %s (%" PRIu64 " bytes, less a reserve of %" PRIu64
		     ")", dir, avail, reserve) < 0)
		return &sd_enomem;
	return sd_plan_fit(plan, avail > reserve ? avail - reserve : 0, ratio, why);
}

/* Stage 5: write the archive (or directory) the plan describes. */
static struct sd_error *write_output(const struct sd_options *o, const char *output,
				     const char *top, const struct dump *d, struct sd_plan *plan,
				     const struct sd_files *files)
{
	struct sd_pack_options popts = {
		.out = {
			.path = output,
			.directory = o->output_is_dir,
			.compression = o->compression,
			.level = o->level,
			.threads = o->jobs ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN),
			.force = o->force,
			.top = top,
		},
		.manifest = { .root = o->root, .archive_top = o->output_is_dir ? NULL : top },
		.progress = o->progress_bar,
		.progress_json = o->progress_json,
	};
	if (popts.out.threads < 1)
		popts.out.threads = 1;
	/* Reproducible: every entry gets SOURCE_DATE_EPOCH, else the dump's mtime. */
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	popts.out.mtime = sde && *sde ? (time_t)strtoll(sde, NULL, 10) : d->st.st_mtime;
	return sd_pack(plan, files, &popts);
}

struct sd_error *sd_pipeline_run(const struct sd_options *o, struct sd_plan *plan,
				 char **ret_output)
{
	struct dump d = { .fd = -1, .flat_fd = -1 };
	struct sd_files files = {0};
	struct sd_resolver resolver = {0};
	struct sd_root *root = NULL;
	_cleanup_free_ char *output = NULL, *top = NULL;
	struct sd_error *err;

	/* Fail before reading a byte of a large dump if the output is taken. */
	if (!o->list && (err = output_name(o, &output, &top)))
		goto out;
	if ((err = open_dump(o, output, plan, &files, &d)))
		goto out;
	if ((err = sd_root_create(o->root, &root)) ||
	    (err = sd_resolver_init(&resolver, root, &o->debug_dirs, o->debuginfod,
				    o->allow_mismatch)))
		goto out;
	if ((err = inspect_and_resolve(&d, &resolver, plan, &files)))
		goto out;
	/* Inspection is over: drop the readers' caches and mappings before packing. */
	dump_close_readers(&d);

	struct sd_decide_options dopts = {
		.dump_name = sd_basename(o->dump),
		.debug_dirs = &resolver.debug_dirs,
		.allow_mismatch = o->allow_mismatch,
	};
	if ((err = sd_plan_decide(plan, &dopts)))
		goto out;
	if (!o->list && (err = fit_output(o, output, plan)))
		goto out;
	struct sd_launcher_options lopts = { .gdb_auto_load = o->gdb_auto_load };
	if ((err = sd_launchers_add(plan, plan->items[0].archive_path, &lopts)))
		goto out;
	if (!o->list && (err = write_output(o, output, top, &d, plan, &files)))
		goto out;
	if (!o->list)
		*ret_output = take_ptr(output);
out:
	sd_files_deinit(&files);
	sd_resolver_deinit(&resolver);
	sd_root_destroy(root);
	dump_deinit(&d);
	return err;
}
