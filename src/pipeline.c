// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "coredump.h"
#include "dump.h"
#include "elfutils.h"
#include "fillcore.h"
#include "flatten.h"
#include "hash.h"
#include "input.h"
#include "kdump.h"
#include "kernel.h"
#include "launcher.h"
#include "pack.h"
#include "pipeline.h"
#include "resolve.h"
#include "planio.h"
#include "root.h"
#include "sandbox.h"
#include "userland.h"
#include "util.h"

/* The dump, opened: the file given, its copy or decompressed form, and its reassembled form. */
struct dump {
	const char *name;	/* as given */
	int fd;			/* as given */
	struct sd_input in;	/* in.fd: a copy of it, decompressed or read from a pipe, or -1 */
	char *archive_name;	/* its name in the archive when not its file name, or NULL */
	int flat_fd;		/* reassembled from the flattened format, or -1 */
	int parse_fd;		/* the one to read: fd, in.fd or flat_fd */
	enum sd_dump_format format;	/* of parse_fd */
	struct stat st;		/* of the file given */
	char *jail;		/* an empty directory the parsers are shut in, or NULL */
};

static void dump_deinit(struct dump *d)
{
	if (d->flat_fd >= 0)
		close(d->flat_fd);
	if (d->in.fd >= 0)
		close(d->in.fd);
	free(d->archive_name);
	if (d->fd >= 0)
		close(d->fd);
	if (d->jail)
		rmdir(d->jail);
	free(d->jail);
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

static bool to_stdout(const char *output)
{
	return output && !strcmp(output, "-");
}

/*
 * The output's name: --output/--output-dir, else savedump-NAME.tar.EXT in
 * the current directory, in the directory -o names, or beside the dump.
 */
static struct sd_error *output_name(const struct sd_options *o, char **ret_output, char **ret_top)
{
	char *output = NULL, *top = NULL;
	_cleanup_free_ char *name = o->name ? strdup(o->name) : sd_input_default_name(o->dump, false);
	_cleanup_free_ char *dir = o->output_in ? strdup(o->output)
				   : o->beside && strcmp(o->dump, "-") ? sd_dirname(o->dump) : NULL;
	if (!name || ((o->output_in || o->beside) && strcmp(o->dump, "-") && !dir))
		return &sd_enomem;
	if (o->output && !o->output_in)
		output = strdup(o->output);
	else if (asprintf(&output, "%s%ssavedump-%s%s", dir ? dir : "", dir ? "/" : "", name,
			  compression_ext(o->compression)) < 0)
		output = NULL;
	if (output && to_stdout(output)) {
		if (asprintf(&top, "savedump-%s", name) < 0)
			top = NULL;
	} else if (output) {
		top = o->output_is_dir ? strdup("") : top_name(output);
	}
	if (!output || !top) {
		free(output);
		return &sd_enomem;
	}
	if (!o->force && !to_stdout(output) && access(output, F_OK) == 0) {
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
 * Where the unnamed files that hold a dump's other forms go: next to the
 * output (the capture kernel's /tmp is RAM), or in $TMPDIR (else /var/tmp)
 * for --list and standard output.
 */
static char *work_dir(const char *output)
{
	if (output && !to_stdout(output))
		return output_parent(output);
	const char *t = getenv("TMPDIR");
	return strdup(t && *t ? t : "/var/tmp");
}

/* What the file system holding dir has free, less a reserve of 1% of it, at most 16 MiB. */
static bool free_space(const char *dir, uint64_t *ret_avail, uint64_t *ret_reserve)
{
	struct statvfs vfs;
	if (statvfs(dir, &vfs) < 0)
		return false;
	uint64_t avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	uint64_t reserve = (uint64_t)vfs.f_blocks * vfs.f_frsize / 100;
	if (reserve > 16 << 20)
		reserve = 16 << 20;
	*ret_avail = avail;
	*ret_reserve = reserve;
	return true;
}

/*
 * A dump on a pipe is copied, a compressed one decompressed, into an
 * unnamed file in work_dir(): at most what that file system has free (less
 * its reserve), and at most --max-size. The archive holds the copy; the
 * manifest also has the size and sha256 of what was given.
 */
static struct sd_error *prepare_input(const struct sd_options *o, const char *output,
				      struct sd_plan *plan, struct dump *d)
{
	_cleanup_free_ char *dir = work_dir(output);
	if (!dir)
		return &sd_enomem;
	uint64_t avail = 0, reserve = 0;
	_cleanup_free_ char *why_data = NULL, *why_size = NULL;
	struct sd_input_limits limits = {0};
	if (free_space(dir, &avail, &reserve)) {
		limits.max_data = avail > reserve ? avail - reserve : 1;
		if (asprintf(&why_data, "the free space on %s (%" PRIu64 " bytes, less a reserve of "
			     "%" PRIu64 ")", dir, avail, reserve) < 0)
			return &sd_enomem;
		limits.why_data = why_data;
	}
	if (o->max_size) {
		limits.max_size = o->max_size;
		if (asprintf(&why_size, "--max-size %" PRIu64, o->max_size) < 0)
			return &sd_enomem;
		limits.why_size = why_size;
	}
	const char *shown = strcmp(o->dump, "-") ? o->dump : "standard input";
	struct sd_error *err = sd_input_prepare(d->fd, shown, dir, &limits, &d->in);
	if (err || d->in.fd < 0)
		return err;
	d->parse_fd = d->in.fd;
	plan->given_copied = true;
	plan->given_compression = sd_compressed_as_name(d->in.compressed);
	plan->given_size = d->in.given_size;
	memcpy(plan->given_sha256, d->in.given_sha256, sizeof(plan->given_sha256));
	if (d->in.compressed != SD_COMPRESSED_NONE) {
		d->archive_name = sd_input_archive_name(o->dump, d->in.compressed);
		return sd_plan_note(plan, "%s is compressed with %s (%" PRIu64 " bytes, sha256 %s); "
				    "the archive holds the dump it decompresses to", shown,
				    plan->given_compression, d->in.given_size, d->in.given_sha256);
	}
	return sd_plan_note(plan, "%s is not seekable (a pipe): the archive holds a copy of what "
			    "was read from it (%" PRIu64 " bytes)", shown, d->in.given_size);
}

/*
 * A flattened dump is written back into a real one, in an unnamed file in
 * work_dir().
 */
static struct sd_error *unflatten(const struct sd_options *o, const char *output, int fd,
				  struct sd_plan *plan, int *ret_fd)
{
	_cleanup_free_ char *dir = work_dir(output);
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
	d->name = o->dump;
	if (o->use_dump_fd || !strcmp(o->dump, "-")) {
		d->fd = fcntl(o->use_dump_fd ? o->dump_fd : STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	} else {
		/* O_NOATIME: reading evidence should not even change its atime (when allowed). */
		d->fd = open(o->dump, O_RDONLY | O_CLOEXEC | O_NOATIME);
		if (d->fd < 0 && errno == EPERM)
			d->fd = open(o->dump, O_RDONLY | O_CLOEXEC);
	}
	if (d->fd < 0) {
		err = sd_error_errno(errno, "%s", o->dump);
		if (errno == ENOENT || errno == EISDIR)
			err->code = SD_ERROR_INPUT;
		return err;
	}
	if (fstat(d->fd, &d->st) < 0)
		return sd_error_errno(errno, "%s", o->dump);
	d->parse_fd = d->fd;
	if (S_ISDIR(d->st.st_mode))
		return sd_error_create(SD_ERROR_INPUT, "%s: %s", o->dump, strerror(EISDIR));
	if ((err = prepare_input(o, output, plan, d)))
		return err;
	if ((err = sd_dump_probe(d->parse_fd, o->dump, &d->format)))
		return err;
	if (d->format == SD_FORMAT_FLATTENED) {
		if ((err = unflatten(o, output, d->parse_fd, plan, &d->flat_fd)))
			return err;
		d->parse_fd = d->flat_fd;
		if ((err = sd_dump_probe(d->parse_fd, o->dump, &d->format)))
			return err;
	}
	if (!(plan->dump_path = strdup(o->dump)))
		return &sd_enomem;
	struct sd_item *item;
	struct stat st;
	if ((err = sd_plan_add(plan, SD_ROLE_DUMP, SD_STATUS_FOUND, &item)))
		return err;
	if (fstat(d->parse_fd, &st) < 0)
		return sd_error_errno(errno, "%s", o->dump);
	item->size = (uint64_t)st.st_size;
	item->compressed = sd_fd_is_compressed(d->parse_fd);
	if ((err = sd_item_set(&item->orig_path, o->dump)) ||
	    (err = sd_item_set(&item->name, sd_basename(o->dump))) ||
	    (err = sd_item_set(&item->source_path, o->dump)))
		return err;
	int dup = fcntl(d->parse_fd, F_DUPFD_CLOEXEC, 3);
	if (dup < 0)
		return sd_error_errno(errno, "dup");
	/* Where the parsers are shut in: nothing to open there (see confine()). */
	const char *t = getenv("TMPDIR");
	if (asprintf(&d->jail, "%s/savedump-jail.XXXXXX", t && *t ? t : "/tmp") < 0)
		d->jail = NULL;
	else if (!mkdtemp(d->jail)) {
		free(d->jail);
		d->jail = NULL;
	}
	return sd_files_set(files, 0, dup);
}

/* --- Inspection, in a sandboxed child --------------------------------------------------- */

/*
 * What a child inspects: the whole dump (step 1), or, for a kernel dump,
 * what step 1 left to the files the resolver found (step 2: the System.map
 * checked, the module list).
 */
struct inspect_job {
	const struct dump *d;
	bool in_process;		/* struct sd_options.inspect_in_process */
	bool step2;
	struct sd_kernel_files files;	/* step 2 */
	const char *modules_pending;	/* step 2: why step 1 could not list the modules */
	uint64_t kernel_offset;		/* step 2 */
};

/*
 * Shut the child in an empty directory: libdwfl opens the link_map names
 * of a core by itself (elfutils 0.188 has no sysroot), and a dump must not
 * make savedump open a device, a FIFO or a host file. As root, chroot; as
 * a user, in a new user namespace where that is allowed; else stay (the
 * wall-clock limit still ends a child blocked on a FIFO).
 */
static void confine(const char *jail)
{
	if (!jail || chdir(jail) < 0)
		return;
	if (chroot(".") == 0)
		return;
	if (unshare(CLONE_NEWUSER) == 0 && chroot(".") == 0)
		return;
}

static struct sd_error *inspect(const struct inspect_job *job, struct sd_plan *plan)
{
	const struct dump *d = job->d;
	struct sd_core *core = NULL;
	struct sd_kdump *kdump = NULL;
	struct sd_error *err;
	bool kernel = d->format != SD_FORMAT_ELF;
	const char *arch_hint = NULL;
	if (d->format == SD_FORMAT_ELF) {
		if ((err = sd_core_open(d->parse_fd, d->name, &core)))
			goto out;
		if (!sd_core_has_process_notes(core)) {
			if (!sd_core_vmcoreinfo(core, NULL)) {
				err = sd_error_create(SD_ERROR_INPUT, "%s: ELF core without process "
						      "notes (NT_FILE/NT_PRPSINFO) or VMCOREINFO: "
						      "not a Linux core or crash dump", d->name);
				goto out;
			}
			kernel = true;
			arch_hint = sd_elf_machine_name(sd_core_machine(core));
		}
	}
	if (kernel && (err = sd_kdump_open(d->parse_fd, d->name, arch_hint, &kdump)))
		goto out;
	if (job->step2) {
		plan->kernel_offset = job->kernel_offset;
		if (job->modules_pending && !(plan->modules_pending = strdup(job->modules_pending))) {
			err = &sd_enomem;
			goto out;
		}
		err = kdump ? sd_kernel_inspect_files(kdump, plan, &job->files) : NULL;
		goto out;
	}
	const char *arch = kdump ? sd_kdump_arch(kdump) : sd_elf_machine_name(sd_core_machine(core));
	if (asprintf(&plan->dump_format, "%s%s", kdump ? sd_kdump_format(kdump) : "elf-core",
		     d->flat_fd >= 0 ? " (from flattened)" : "") < 0 ||
	    (arch && !(plan->arch = strdup(arch)))) {
		plan->dump_format = NULL;
		err = &sd_enomem;
		goto out;
	}
	err = kdump ? sd_kernel_inspect(kdump, plan) : sd_userland_inspect(core, plan);
out:
	/*
	 * A sandboxed child exits right after: its readers are not freed there,
	 * since libkdumpfile 0.5.1's kdump_free() reads and writes freed memory
	 * on kdump-compressed files (valgrind), which could kill the child after
	 * its work is done.
	 */
	if (job->in_process) {
		sd_kdump_destroy(kdump);
		sd_core_destroy(core);
	}
	return err;
}

/* The child: inspect, then send 'P' and the plan, or 'E', the error's code and message. */
static int inspect_child(void *arg, int out_fd)
{
	const struct inspect_job *job = arg;
	confine(job->d->jail);
	struct sd_plan plan;
	sd_plan_init(&plan);
	char *buf = NULL;
	size_t len = 0;
	struct sd_error *err = inspect(job, &plan);
	if (!err)
		err = sd_plan_encode(&plan, &buf, &len);
	sd_plan_deinit(&plan);
	if (err == &sd_enomem)
		return SD_SANDBOX_EXIT_NOMEM;
	bool ok;
	if (err) {
		uint8_t head[2] = { 'E', (uint8_t)err->code };
		ok = sd_write_full(out_fd, head, 2) &&
		     sd_write_full(out_fd, err->message, strlen(err->message));
		sd_error_destroy(err);
	} else {
		ok = sd_write_full(out_fd, "P", 1) && sd_write_full(out_fd, buf, len);
	}
	free(buf);
	return ok ? 0 : 1;
}

/* The same, here, through the same encoding (the fuzz target's way). */
static struct sd_error *inspect_here(const struct inspect_job *job, struct sd_plan *plan)
{
	struct sd_plan mine;
	sd_plan_init(&mine);
	char *buf = NULL;
	size_t len = 0;
	struct sd_error *err = inspect(job, &mine);
	if (!err)
		err = sd_plan_encode(&mine, &buf, &len);
	sd_plan_deinit(&mine);
	if (!err)
		err = sd_plan_decode(buf, len, plan);
	free(buf);
	return err;
}

/* Run job in a sandboxed child and merge what it found into plan. */
static struct sd_error *run_inspection(const struct inspect_job *job, struct sd_plan *plan)
{
	const struct dump *d = job->d;
	if (job->in_process)
		return inspect_here(job, plan);
	/* An ELF file is a core or a vmcore: which parser it was is known only in the child. */
	const char *parser = job->files.vmlinux_fd >= 0 ? "libkdumpfile and libdw"
			     : d->format != SD_FORMAT_ELF || plan->kind == SD_DUMP_KERNEL
			     ? "libkdumpfile" : "libkdumpfile or libelf/libdwfl";
	_cleanup_free_ char *who = NULL;
	if (asprintf(&who, "%s: %s", d->name, parser) < 0)
		return &sd_enomem;
	struct stat st;
	uint64_t extra = 0, dump_size = (uint64_t)d->st.st_size;
	if (job->files.vmlinux_fd >= 0 && fstat(job->files.vmlinux_fd, &st) == 0)
		extra = (uint64_t)st.st_size * 2;
	if (fstat(d->parse_fd, &st) == 0)
		dump_size = (uint64_t)st.st_size;	/* a copy, decompressed or reassembled */
	/* The parsers map the dump (and vmlinux): room for those, and a bound on the rest. */
	struct sd_sandbox sb = {
		.who = who,
		.doing = "reading the dump",
		.address_space = dump_size + extra + ((uint64_t)2 << 30),
		.cpu_seconds = job->files.vmlinux_fd >= 0 ? 300 : 60,
	};
	void *data = NULL;
	size_t size = 0;
	struct sd_error *err = sd_sandbox_run(&sb, inspect_child, (void *)job, &data, &size);
	if (err)
		return err;
	const char *p = data;
	if (size >= 2 && p[0] == 'E') {
		unsigned code = (uint8_t)p[1];
		err = sd_error_create(code <= SD_ERROR_LIBRARY ? (enum sd_error_code)code
							   : SD_ERROR_INPUT,
				      "%.*s", (int)(size - 2 < 4096 ? size - 2 : 4096), p + 2);
	} else if (size >= 1 && p[0] == 'P') {
		err = sd_plan_decode(p + 1, size - 1, plan);
	} else {
		err = sd_error_create(SD_ERROR_INPUT, "%s: the inspection gave no result", d->name);
	}
	free(data);
	return err;
}

/* What step 2 found wrong with the System.map: not packed, and why. */
static struct sd_error *refuse_system_map(struct sd_plan *plan, struct sd_files *files)
{
	for (size_t i = 0; i < plan->n_items; i++) {
		struct sd_item *it = &plan->items[i];
		if (it->role != SD_ROLE_SYSTEM_MAP || it->status != SD_STATUS_FOUND)
			continue;
		it->status = SD_STATUS_SKIPPED;
		struct sd_error *err = sd_item_reason(it, "%s; not packed", plan->system_map_refused);
		if (!err)
			err = sd_files_set(files, i, -1);
		if (err)
			return err;
	}
	return NULL;
}

/*
 * Stages 2 and 3: inspect the dump, resolve its needs. A kernel dump is
 * inspected again with the files found, when step 1 left something to
 * them: a System.map to verify, a module list to make.
 */
static struct sd_error *inspect_and_resolve(const struct dump *d, bool in_process,
					    struct sd_resolver *r, struct sd_plan *plan,
					    struct sd_files *files)
{
	struct inspect_job job = {
		.d = d, .in_process = in_process,
		.files = { .vmlinux_fd = -1, .system_map_fd = -1 },
	};
	struct sd_error *err;
	if ((err = run_inspection(&job, plan)) || (err = sd_resolve_plan(r, plan, files)))
		return err;
	if (plan->kind != SD_DUMP_KERNEL)
		return NULL;
	for (size_t i = 0; i < plan->n_items; i++) {
		const struct sd_item *it = &plan->items[i];
		if (it->status != SD_STATUS_FOUND)
			continue;
		/* The DWARF of the verified vmlinux, or of its debug file. */
		if ((it->role == SD_ROLE_VMLINUX || it->role == SD_ROLE_VMLINUX_DEBUG) &&
		    it->has_debug_info && job.files.vmlinux_fd < 0)
			job.files.vmlinux_fd = sd_files_fd(files, i);
		if (it->role == SD_ROLE_SYSTEM_MAP && job.files.system_map_fd < 0)
			job.files.system_map_fd = sd_files_fd(files, i);
	}
	if (!plan->modules_pending && job.files.system_map_fd < 0 && job.files.vmlinux_fd < 0)
		return NULL;
	/* Listed already: step 2 cross-checks that list (read in the child's copy of plan). */
	if (!plan->modules_pending)
		job.files.listed = plan;
	_cleanup_free_ char *why = take_ptr(plan->modules_pending);
	job.step2 = true;
	job.modules_pending = why;
	job.kernel_offset = plan->kernel_offset;
	if ((err = run_inspection(&job, plan)))
		return err;
	if (plan->system_map_refused && (err = refuse_system_map(plan, files)))
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
	if (to_stdout(output))
		return NULL;	/* where it goes is not ours to know */
	_cleanup_free_ char *dir = output_parent(output);
	if (!dir)
		return &sd_enomem;
	uint64_t avail, reserve;
	if (!free_space(dir, &avail, &reserve))
		return NULL;	/* the writer reports an unusable directory */
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

/*
 * --coredump: record the journal's entry, and take its executable and
 * command line where the core has none (a core without NT_PRPSINFO or
 * NT_FILE notes).
 */
static struct sd_error *journal_entry(const struct sd_coredump *c, struct sd_plan *plan)
{
	struct sd_error *err;
	plan->journal_pid = c->pid;
	if ((err = sd_item_set(&plan->journal_match, c->match)) ||
	    (err = sd_item_set(&plan->journal_executable, c->executable)) ||
	    (err = sd_item_set(&plan->journal_command_line, c->command_line)))
		return err;
	if (plan->kind != SD_DUMP_USERLAND)
		return NULL;
	if (!plan->executable && c->executable &&
	    ((err = sd_item_set(&plan->executable, c->executable)) ||
	     (err = sd_plan_note(plan, "the executable is the journal's (coredumpctl): the core "
				 "does not name it"))))
		return err;
	if (!plan->command_line && c->command_line &&
	    ((err = sd_item_set(&plan->command_line, c->command_line)) ||
	     (err = sd_plan_note(plan, "the command line is the journal's (coredumpctl): the "
				 "core does not have it"))))
		return err;
	if (plan->pid < 0 && c->pid > 0)
		plan->pid = c->pid;
	return NULL;
}

/*
 * A .NET core SOS cannot read (a kernel or gdb core): a derived core filled
 * from the files found (fillcore.c), in an unnamed file in work_dir(), at
 * most what its file system has free (less the reserve) and --max-size.
 */
static struct sd_error *derived_core(const struct sd_options *o, const char *output,
				     struct sd_plan *plan, struct sd_files *files, int core_fd)
{
	_cleanup_free_ char *dir = work_dir(output), *why = NULL;
	if (!dir)
		return &sd_enomem;
	struct sd_fill_options fo = { .work_dir = dir };
	uint64_t avail, reserve;
	if (free_space(dir, &avail, &reserve)) {
		fo.max_bytes = avail > reserve ? avail - reserve : 1;
		if (asprintf(&why, "the free space on %s (%" PRIu64 " bytes, less a reserve of "
			     "%" PRIu64 ")", dir, avail, reserve) < 0) {
			why = NULL;
			return &sd_enomem;
		}
	}
	if (o->max_size && (!fo.max_bytes || o->max_size < fo.max_bytes)) {
		free(why);
		fo.max_bytes = o->max_size;
		if (asprintf(&why, "--max-size %" PRIu64, o->max_size) < 0) {
			why = NULL;
			return &sd_enomem;
		}
	}
	fo.why_max = why;
	return sd_fill_core_add(plan, files, core_fd, &fo);
}

/* Stage 5: write the archive (or directory) the plan describes. */
static struct sd_error *write_output(const struct sd_options *o, const char *output,
				     const char *top, const struct dump *d, struct sd_plan *plan,
				     const struct sd_files *files)
{
	struct sd_pack_options popts = {
		.out = {
			.path = output,
			.to_stdout = to_stdout(output),
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
	struct dump d = { .fd = -1, .in.fd = -1, .flat_fd = -1, .parse_fd = -1 };
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
	if ((err = inspect_and_resolve(&d, o->inspect_in_process, &resolver, plan, &files)))
		goto out;
	if (o->sources && plan->kind == SD_DUMP_USERLAND &&
	    (err = sd_resolve_sources(&resolver, plan, &files)))
		goto out;
	if (o->coredump && (err = journal_entry(o->coredump, plan)))
		goto out;
	if (!o->list && (err = derived_core(o, output, plan, &files, d.parse_fd)))
		goto out;

	/*
	 * Standard input has no name, nor has a pipe opened as /dev/stdin or
	 * /proc/self/fd/N: the dump is called what it is.
	 */
	bool nameless = !strcmp(o->dump, "-") ||
			(d.in.spooled && (sd_str_has_prefix(o->dump, "/dev/") ||
					  sd_str_has_prefix(o->dump, "/proc/")));
	const char *dump_name = d.archive_name ? d.archive_name
				: !nameless ? sd_basename(o->dump)
				: plan->kind == SD_DUMP_KERNEL ? "vmcore" : "core";
	struct sd_decide_options dopts = {
		.dump_name = dump_name,
		.debug_dirs = &resolver.debug_dirs,
		.allow_mismatch = o->allow_mismatch,
		.mapped_file_max = o->max_mapped_file,
		.mapped_total_max = o->max_mapped_total,
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
