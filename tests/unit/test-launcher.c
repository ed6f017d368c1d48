// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The launchers with hostile names: plans built in memory whose paths (and
 * kernel release) hold "$(...)", backquotes, quotes, ";", newlines, a
 * leading "-", blanks, bytes that are not UTF-8, globs, ":" and a 4 KiB path.
 * Each generated script is run (by sh and by bash) from a scratch directory
 * with a debugger stand-in that records its arguments: they must be exactly
 * the archive's paths, and debugger commands must carry no hostile name. Run
 * with GDB=true etc., no script may create a file. shellcheck must pass.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "launcher.h"
#include "plan.h"
#include "tap.h"

static char tmp[PATH_MAX];	/* the test's directory */
static char here[PATH_MAX];	/* where the scripts are written: their "$here" */
static char scratch[PATH_MAX];	/* the directory they run from */
static size_t n_kept;		/* scripts kept in tmp/sc for shellcheck */

#define USER_ARG "user arg $(touch PWNED) '\""

/* Run argv (argv[0] a path) in cwd with env; the exit status, or 128 + signal. */
static int run(const char *const argv[], const char *const env[], const char *cwd)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(2, 1) < 0 || chdir(cwd) < 0)
			_exit(126);
		execve(argv[0], (char *const *)argv, (char *const *)env);
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The names in dir, sorted, one per line (malloc'ed). */
static char *listing(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return strdup("(cannot list)");
	char *names[256];
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < 256)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			names[n++] = strdup(de->d_name);
	closedir(d);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\n", names[i]);
		free(names[i]);
	}
	fclose(f);
	return buf;
}

static char *read_all(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	*ret_len = len;
	return buf;
}

static char *cat(const char *a, const char *b, const char *c)
{
	char *s;
	if (asprintf(&s, "%s%s%s", a, b, c ? c : "") < 0)
		abort();
	return s;
}

/* Expected arguments: a list of strings, NULL for "any value" (crash's temporary file). */
struct args {
	char *v[64];
	size_t n;
};

static void add(struct args *a, char *s)
{
	a->v[a->n++] = s;
}

static void args_free(struct args *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	a->n = 0;
}

/* Printable form of s for a TAP comment. */
static void show(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			printf("\\x%02x", *p);
		else
			putchar(*p);
}

/* The recorded arguments (NUL-separated in tmp/argv) must be want. */
static bool check_args(const struct args *want, const char *what)
{
	char *path = cat(tmp, "/argv", NULL);
	size_t len = 0;
	char *got = read_all(path, &len);
	free(path);
	bool same = got != NULL;
	size_t i = 0;
	for (size_t off = 0; same && off < len; i++) {
		const char *arg = got + off;
		off += strlen(arg) + 1;
		if (i >= want->n || (want->v[i] && strcmp(arg, want->v[i]) != 0)) {
			printf("# %s: argument %zu is '", what, i);
			show(arg);
			printf("', want '");
			show(i < want->n && want->v[i] ? want->v[i] : "(none)");
			printf("'\n");
			same = false;
		}
	}
	if (same && i != want->n) {
		printf("# %s: %zu arguments, want %zu\n", what, i, want->n);
		same = false;
	}
	free(got);
	return ok(same, "%s: the debugger gets exactly the archive's paths", what);
}

/* Write the launcher name from plan to here/name; its content (malloc'ed) or NULL. */
static char *write_script(const struct sd_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->n_items; i++) {
		const struct sd_item *it = &plan->items[i];
		if (it->role != SD_ROLE_GENERATED || strcmp(it->archive_path, name) != 0)
			continue;
		char *path = cat(here, "/", name);
		FILE *f = fopen(path, "w");
		if (f) {
			fwrite(it->content, 1, it->content_len, f);
			fclose(f);
			chmod(path, 0755);
		}
		free(path);
		char *copy = malloc(it->content_len + 1);
		memcpy(copy, it->content, it->content_len);
		copy[it->content_len] = '\0';
		return copy;
	}
	return NULL;
}

/*
 * Run here/name with sh and bash: with the recorder as every debugger (the
 * arguments must be want; crash's command file must hold want_cmds), then
 * with "true" (no file may appear in here, scratch or TMPDIR); shellcheck it.
 */
static void check_script(const char *name, const char *label, const struct args *want,
			 const char *want_cmds)
{
	char *script = cat(here, "/", name);
	char *rec = cat(tmp, "/rec.sh", NULL);
	char *tmpdir = cat(tmp, "/tmp", NULL);
	const char *shells[] = { "/bin/sh", "/bin/bash" };
	char what[160];
	for (size_t s = 0; s < 2; s++) {
		snprintf(what, sizeof(what), "%s %s (%s)", shells[s], name, label);
		const char *env_rec[] = {
			"PATH=/usr/bin:/bin", "HOME=/nonexistent", cat("TMPDIR=", tmpdir, NULL),
			cat("GDB=", rec, NULL), cat("LLDB=", rec, NULL), cat("CRASH=", rec, NULL),
			cat("DRGN=", rec, NULL), cat("ARGV_OUT=", tmp, "/argv"),
			"SOS_PLUGIN=/opt/sos dir/libsosplugin.so", cat("DOTNET_DUMP=", rec, NULL), NULL,
		};
		const char *argv[] = { shells[s], script, USER_ARG, NULL };
		char *argv_file = cat(tmp, "/argv", NULL);
		unlink(argv_file);
		int status = run(argv, env_rec, scratch);
		ok(status == 0, "%s: runs (status %d)", what, status);
		check_args(want, what);
		if (want_cmds) {
			char *cmds_file = cat(tmp, "/argv.cmds", NULL);
			size_t len;
			char *cmds = read_all(cmds_file, &len);
			is_str(cmds, want_cmds, "crash's command file");
			free(cmds);
			unlink(cmds_file);
			free(cmds_file);
		}
		unlink(argv_file);
		free(argv_file);
		for (size_t i = 2; i <= 7; i++)
			free((char *)env_rec[i]);
		free((char *)env_rec[9]);

		char *before_here = listing(here), *before_scratch = listing(scratch);
		const char *env_true[] = {
			"PATH=/usr/bin:/bin", "HOME=/nonexistent", cat("TMPDIR=", tmpdir, NULL),
			"GDB=true", "LLDB=true", "CRASH=true", "DRGN=true", "DOTNET_DUMP=true", NULL,
		};
		status = run(argv, env_true, scratch);
		free((char *)env_true[2]);
		char *after_here = listing(here), *after_scratch = listing(scratch);
		char *after_tmp = listing(tmpdir);
		ok(status == 0 && strcmp(before_here, after_here) == 0 &&
		   strcmp(before_scratch, after_scratch) == 0 && !after_tmp[0],
		   "%s: with GDB=true etc., no file is created (status %d)", what, status);
		if (strcmp(before_scratch, after_scratch) != 0 || after_tmp[0])
			printf("# scratch now:\n%s# TMPDIR now:\n%s", after_scratch, after_tmp);
		free(before_here);
		free(before_scratch);
		free(after_here);
		free(after_scratch);
		free(after_tmp);
	}
	/* Kept for one shellcheck run over all of them at the end (it is slow to start). */
	char kept[PATH_MAX + 64];
	snprintf(kept, sizeof(kept), "%s/sc/%03zu-%s", tmp, n_kept++, name);
	if (rename(script, kept) < 0)
		ok(false, "keep %s: %s", name, strerror(errno));
	free(script);
	free(rec);
	free(tmpdir);
}

static struct sd_item *add_item(struct sd_plan *plan, enum sd_role role, const char *archive_path)
{
	struct sd_item *it;
	if (sd_plan_add(plan, role, SD_STATUS_FOUND, &it))
		abort();
	it->archive_path = strdup(archive_path);
	it->pack = true;
	return it;
}

static void userland(const char *label, const char *h, bool auto_load)
{
	_cleanup_free_ char *exe = cat("opt/", h, "/bin/prog");
	_cleanup_free_ char *tdb_dir = cat("opt/", h, "/lib");
	_cleanup_free_ char *tdb = cat(tdb_dir, "/libthread_db.so.1", NULL);
	_cleanup_free_ char *rt = cat("usr/share/dotnet/", h, "/8.0");
	_cleanup_free_ char *clr = cat(rt, "/libcoreclr.so", NULL);
	_cleanup_free_ char *dump = strchr(h, '/') ? strdup("core.1") : cat("core.", h, NULL);
	struct sd_plan plan;
	sd_plan_init(&plan);
	plan.kind = SD_DUMP_USERLAND;
	add_item(&plan, SD_ROLE_DUMP, dump);
	add_item(&plan, SD_ROLE_EXECUTABLE, exe);
	add_item(&plan, SD_ROLE_LIBRARY, clr);
	add_item(&plan, SD_ROLE_THREAD_DB, tdb);
	/* Relative library names implied this working directory: the executable is under it. */
	plan.cwd = cat("/opt/", h, NULL);
	_cleanup_free_ char *src = cat("opt/", h, "/src/prog.c");
	add_item(&plan, SD_ROLE_SOURCE, src);
	struct sd_launcher_options opts = { .gdb_auto_load = auto_load };
	struct sd_error *err = sd_launchers_add(&plan, dump, &opts);
	ok(!err, "%s: launchers made", label);
	sd_error_destroy(err);
	bool safe = sd_debugger_word_safe(tdb_dir);

	char *gdb = write_script(&plan, "run-gdb.sh");
	ok(gdb != NULL, "%s: run-gdb.sh made", label);
	ok(!gdb || (strstr(gdb, "-iex \"set libthread-db-search-path") != NULL) == safe,
	   "%s: libthread_db's directory is in a gdb command only if safe (%s)", label,
	   safe ? "safe" : "not safe");
	ok(!gdb || (strstr(gdb, "auto-load safe-path $here") != NULL) == auto_load,
	   "%s: gdb trusts the archive only with --gdb-auto-load", label);
	free(gdb);
	struct args a = { .n = 0 };
	add(&a, cat("--cd=", here, plan.cwd));
	add(&a, strdup("-iex"));
	add(&a, cat("set sysroot ", here, NULL));
	add(&a, strdup("-iex"));
	add(&a, cat("set debug-file-directory ", here, "/usr/lib/debug"));
	add(&a, strdup("-iex"));
	add(&a, auto_load ? cat("set auto-load safe-path ", here, NULL)
			  : strdup("set auto-load safe-path $datadir/auto-load"));
	if (safe) {
		add(&a, strdup("-iex"));
		char *p = cat(here, "/", tdb_dir);
		add(&a, cat(auto_load ? "set libthread-db-search-path " :
			    "set libthread-db-search-path $sdir:", p, NULL));
		free(p);
	}
	add(&a, strdup("-iex"));
	add(&a, strdup("set debuginfod enabled off"));
	add(&a, strdup("-d"));
	add(&a, strdup(here));
	add(&a, strdup(USER_ARG));
	add(&a, cat(here, "/", exe));
	add(&a, strdup("-c"));
	add(&a, cat(here, "/", dump));
	check_script("run-gdb.sh", label, &a, NULL);
	args_free(&a);

	char *lldb = write_script(&plan, "run-lldb.sh");
	ok(lldb != NULL, "%s: run-lldb.sh made", label);
	free(lldb);
	safe = sd_debugger_word_safe(rt);
	_cleanup_free_ char *rt_full = cat(here, "/", rt);
	add(&a, strdup("-O"));
	add(&a, strdup("plugin load '/opt/sos dir/libsosplugin.so'"));
	if (safe) {
		add(&a, strdup("-o"));
		add(&a, cat("setclrpath ", rt_full, NULL));
	}
	add(&a, strdup("-O"));
	add(&a, cat("platform select remote-linux --sysroot '", here, "'"));
	add(&a, strdup("-O"));
	add(&a, cat("settings append target.debug-file-search-paths '", here, "/usr/lib/debug'"));
	add(&a, strdup("--core"));
	add(&a, cat(here, "/", dump));
	add(&a, cat(here, "/", exe));
	add(&a, strdup(USER_ARG));
	check_script("run-lldb.sh", label, &a, NULL);
	args_free(&a);

	char *dd = write_script(&plan, "run-dotnet-dump.sh");
	ok(dd != NULL, "%s: run-dotnet-dump.sh made", label);
	free(dd);
	add(&a, strdup("analyze"));
	add(&a, cat(here, "/", dump));
	add(&a, strdup("-c"));
	add(&a, strdup("setsymbolserver -disable"));
	add(&a, strdup("-c"));
	add(&a, cat("setsymbolserver -cache \"", here, "/symbols\""));
	add(&a, strdup(USER_ARG));
	check_script("run-dotnet-dump.sh", label, &a, NULL);
	args_free(&a);
	sd_plan_deinit(&plan);
}

static void kernel(const char *label, const char *h)
{
	_cleanup_free_ char *vm = cat("usr/lib/debug/boot/", h, "/vmlinux");
	_cleanup_free_ char *vmdbg = cat("usr/lib/debug/", h, "/vmlinux.debug");
	_cleanup_free_ char *mod1 = cat("lib/modules/", h, "/a.ko");
	_cleanup_free_ char *mod1dbg = cat("usr/lib/debug/lib/modules/", h, "/a.ko");
	_cleanup_free_ char *mod2 = cat("lib/modules/", h, "/-b.ko");
	_cleanup_free_ char *dump = strchr(h, '/') ? strdup("vmcore") : cat("vmcore.", h, NULL);
	struct sd_plan plan;
	sd_plan_init(&plan);
	plan.kind = SD_DUMP_KERNEL;
	plan.release = strdup(h);
	plan.dump_format = strdup("elf");
	add_item(&plan, SD_ROLE_DUMP, dump);
	add_item(&plan, SD_ROLE_VMLINUX, vm);
	add_item(&plan, SD_ROLE_VMLINUX_DEBUG, vmdbg)->parent = 1;
	add_item(&plan, SD_ROLE_MODULE, mod1);
	add_item(&plan, SD_ROLE_MODULE_DEBUG, mod1dbg)->parent = 3;
	add_item(&plan, SD_ROLE_MODULE, mod2);
	struct sd_error *err = sd_launchers_add(&plan, dump, NULL);
	ok(!err, "%s: kernel launchers made", label);
	sd_error_destroy(err);
	bool safe = sd_debugger_word_safe(h);

	char *crash = write_script(&plan, "run-crash.sh");
	ok(crash != NULL && (strstr(crash, "printf 'mod -S") != NULL) == safe,
	   "%s: run-crash.sh made; mod -S only with a safe release (%s)", label,
	   safe ? "safe" : "not safe");
	free(crash);
	struct args a = { .n = 0 };
	add(&a, strdup("-i"));
	add(&a, NULL);	/* the temporary command file */
	add(&a, strdup(USER_ARG));
	add(&a, cat(here, "/", vm));
	add(&a, cat(here, "/", vmdbg));
	add(&a, cat(here, "/", dump));
	_cleanup_free_ char *cmds = safe ? cat("mod -S ", here, "/usr/lib/debug/lib/modules/")
					 : strdup("");
	_cleanup_free_ char *want_cmds = safe ? cat(cmds, h, "\n") : strdup("");
	check_script("run-crash.sh", label, &a, want_cmds);
	args_free(&a);

	char *drgn = write_script(&plan, "run-drgn.sh");
	ok(drgn != NULL, "%s: run-drgn.sh made", label);
	free(drgn);
	add(&a, strdup("--no-default-symbols"));
	add(&a, strdup("-c"));
	add(&a, cat(here, "/", dump));
	add(&a, strdup("-s"));
	add(&a, cat(here, "/", vmdbg));
	add(&a, strdup("-s"));
	add(&a, cat(here, "/", mod1dbg));
	add(&a, strdup("-s"));
	add(&a, cat(here, "/", mod2));
	add(&a, strdup(USER_ARG));
	check_script("run-drgn.sh", label, &a, NULL);
	args_free(&a);
	sd_plan_deinit(&plan);
}

/* This test program's own GNU build-id (it stands for the kernel's vmlinux), or len 0. */
static struct sd_build_id self_build_id;
static char self_path[PATH_MAX];

static void read_self_build_id(void)
{
	ssize_t n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n <= 0)
		return;
	self_path[n] = '\0';
	char cmd[PATH_MAX + 128];
	snprintf(cmd, sizeof(cmd), "readelf -n '%s' 2>/dev/null | sed -n 's/^ *Build ID: *//p'",
		 self_path);
	FILE *p = popen(cmd, "r");
	char hex[2 * SD_BUILD_ID_MAX + 2] = "";
	if (!p)
		return;
	if (!fgets(hex, sizeof(hex), p))
		hex[0] = '\0';
	pclose(p);
	size_t len = 0;
	for (const char *c = hex; c[0] && c[1] && c[0] != '\n' && len < SD_BUILD_ID_MAX; c += 2) {
		unsigned byte;
		if (sscanf(c, "%2x", &byte) != 1)
			return;
		self_build_id.bytes[len++] = (uint8_t)byte;
	}
	self_build_id.len = len;
}

/*
 * Kernel launchers of an archive without vmlinux: they look for it by the
 * dump's build-id at run time. VMLINUX= of the same build (this program) is
 * used; another build (/bin/sh) is refused, as is nothing found; no hostile
 * release runs anything or makes a file.
 */
static void kernel_no_vmlinux(const char *label, const char *h)
{
	_cleanup_free_ char *mod = cat("lib/modules/", h, "/a.ko");
	_cleanup_free_ char *dump = strchr(h, '/') ? strdup("vmcore") : cat("vmcore.", h, NULL);
	struct sd_plan plan;
	sd_plan_init(&plan);
	plan.kind = SD_DUMP_KERNEL;
	plan.release = strdup(h);
	plan.dump_format = strdup("kdump-compressed");
	plan.kernel_build_id = self_build_id;
	add_item(&plan, SD_ROLE_DUMP, dump);
	add_item(&plan, SD_ROLE_MODULE, mod);
	struct sd_error *err = sd_launchers_add(&plan, dump, NULL);
	ok(!err, "%s: kernel launchers made without vmlinux", label);
	sd_error_destroy(err);
	static const char *const names[] = { "run-crash.sh", "run-drgn.sh" };
	char *rec = cat(tmp, "/rec.sh", NULL);
	char *tmpdir = cat(tmp, "/tmp", NULL);
	for (size_t n = 0; n < 2; n++) {
		free(write_script(&plan, names[n]));
		char *script = cat(here, "/", names[n]);
		const struct {
			const char *vmlinux;
			int status;
		} cases[] = { { self_path, 0 }, { "/bin/sh", 1 }, { NULL, 1 } };
		for (size_t c = 0; c < 3; c++) {
			char *before = listing(scratch);
			const char *env[] = {
				"PATH=/usr/bin:/bin", "HOME=/nonexistent", cat("TMPDIR=", tmpdir, NULL),
				cat("CRASH=", rec, NULL), cat("DRGN=", rec, NULL),
				cat("ARGV_OUT=", tmp, "/argv"),
				cases[c].vmlinux ? cat("VMLINUX=", cases[c].vmlinux, NULL) : NULL,
				NULL,
			};
			const char *argv[] = { "/bin/sh", script, USER_ARG, NULL };
			char *argv_file = cat(tmp, "/argv", NULL);
			unlink(argv_file);
			int status = run(argv, env, scratch);
			size_t len = 0;
			char *got = read_all(argv_file, &len);
			/* The recorder ran as the debugger (not only for --version) with the file. */
			bool used = got && memmem(got, len, self_path, strlen(self_path)) != NULL;
			char *after = listing(scratch), *after_tmp = listing(tmpdir);
			ok(status == cases[c].status && used == (cases[c].status == 0) &&
			   strcmp(before, after) == 0 && !after_tmp[0],
			   "%s: %s with VMLINUX=%s: status %d (want %d), %s", label, names[n],
			   cases[c].vmlinux ? cases[c].vmlinux : "(unset)", status, cases[c].status,
			   used ? "used" : "not used");
			free(got);
			free(before);
			free(after);
			free(after_tmp);
			unlink(argv_file);
			free(argv_file);
			char *cmds_file = cat(tmp, "/argv.cmds", NULL);
			unlink(cmds_file);
			free(cmds_file);
			for (size_t i = 2; i <= 6; i++)
				free((char *)env[i]);
		}
		char kept[PATH_MAX + 64];
		snprintf(kept, sizeof(kept), "%s/sc/%03zu-%s", tmp, n_kept++, names[n]);
		if (rename(script, kept) < 0)
			ok(false, "keep %s: %s", names[n], strerror(errno));
		free(script);
	}
	free(rec);
	free(tmpdir);
	sd_plan_deinit(&plan);
}

static void quote_tests(void)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "", "''" },
		{ "plain", "'plain'" },
		{ "it's", "'it'\\''s'" },
		{ "$(x)`y`", "\\$'(x)'\\`'y'\\`" },
		{ "a\\", "'a'\\\\" },
		{ "''", "\\'\\'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		sd_shell_quote(f, cases[i].in);
		fclose(f);
		is_str(buf, cases[i].want, cases[i].want);
		free(buf);
	}
	ok(sd_debugger_word_safe("usr/lib/x86_64-linux-gnu") &&
	   sd_debugger_word_safe("6.1.0-18+deb12@x") && !sd_debugger_word_safe("") &&
	   !sd_debugger_word_safe("a b") && !sd_debugger_word_safe("a:b") &&
	   !sd_debugger_word_safe("a\nb") && !sd_debugger_word_safe("~a") &&
	   !sd_debugger_word_safe("a'b") && !sd_debugger_word_safe("a\"b") &&
	   !sd_debugger_word_safe("a\\b") && !sd_debugger_word_safe("a$b") &&
	   !sd_debugger_word_safe("caf\xc3\xa9"),
	   "sd_debugger_word_safe: file-name characters only");
}

int main(void)
{
	snprintf(tmp, sizeof(tmp), "%s/sd-test-launcher.XXXXXX",
		 getenv("TMPDIR") && strlen(getenv("TMPDIR")) < 200 ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	/* "$here" is what the script's pwd -P prints: the real path. */
	char real[PATH_MAX];
	if (!realpath(tmp, real)) {
		printf("Bail out! realpath: %s\n", strerror(errno));
		return 1;
	}
	snprintf(here, sizeof(here), "%.4000s/x", real);
	snprintf(scratch, sizeof(scratch), "%.4000s/cwd", real);
	char path[PATH_MAX + 16];
	mkdir(here, 0755);
	mkdir(scratch, 0755);
	snprintf(path, sizeof(path), "%s/tmp", tmp);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/rec.sh", tmp);
	FILE *f = fopen(path, "w");
	fputs("#!/bin/sh\n"
	      ": >\"$ARGV_OUT\"\n"
	      "for a; do printf '%s\\0' \"$a\" >>\"$ARGV_OUT\"; done\n"
	      "if [ \"$1\" = -i ]; then cat -- \"$2\" >\"$ARGV_OUT.cmds\"; fi\n", f);
	fclose(f);
	chmod(path, 0755);
	snprintf(path, sizeof(path), "%s/sc", tmp);
	mkdir(path, 0755);

	quote_tests();
	read_self_build_id();
	ok(self_build_id.len > 0, "this program has a GNU build-id (readelf -n)");

	/* A 4 KiB path: components stay within NAME_MAX. */
	char long_name[4200] = "";
	for (int i = 0; i < 16; i++) {
		size_t n = strlen(long_name);
		snprintf(long_name + n, sizeof(long_name) - n, "%s%.250s", i ? "/" : "",
			 "d$(touch PWNED)'\"`;\n xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	}
	const struct { const char *label, *name; } names[] = {
		{ "safe name", "safe-dir_1.2+x@y" },
		{ "$()", "$(touch PWNED)" },
		{ "backquotes", "`touch PWNED`" },
		{ "quotes", "both 'single' and \"double\" quotes" },
		{ "lone quote", "'" },
		{ "semicolon", "x;touch PWNED;" },
		{ "newlines", "new\nline\n" },
		{ "leading dash", "-rf" },
		{ "blanks", " spaces\tand tabs  " },
		{ "not UTF-8", "\xff\xfe\x80 not utf-8 \xc3" },
		{ "backslashes", "back\\slash\\" },
		{ "expansions", "${HOME}~:*?[x]!#%" },
		{ "4 KiB", long_name },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		userland(names[i].label, names[i].name, false);
		userland(names[i].label, names[i].name, true);
		kernel(names[i].label, names[i].name);
		if (self_build_id.len)
			kernel_no_vmlinux(names[i].label, names[i].name);
	}

	/* shellcheck every script kept, in one run: they were made from hostile names. */
	snprintf(path, sizeof(path), "%s/sc", tmp);
	if (access("/usr/bin/shellcheck", X_OK) == 0) {
		char cmd[PATH_MAX + 64];
		snprintf(cmd, sizeof(cmd), "cd '%s' && /usr/bin/shellcheck -s sh ./* >&2", path);
		int status = system(cmd);
		ok(status == 0, "shellcheck passes on all %zu scripts (status %d)", n_kept, status);
	} else {
		ok(true, "shellcheck # SKIP shellcheck not installed");
	}
	char *kept = listing(path);
	for (char *line = kept, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		char file[PATH_MAX + 300];
		snprintf(file, sizeof(file), "%s/%s", path, line);
		unlink(file);
	}
	free(kept);
	rmdir(path);

	char *left = listing(scratch);
	ok(left[0] == '\0', "the scratch directory is still empty");
	free(left);
	const char *const files[] = { "rec.sh", "argv", "argv.cmds" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp, files[i]);
		unlink(path);
	}
	rmdir(here);
	rmdir(scratch);
	snprintf(path, sizeof(path), "%s/tmp", tmp);
	rmdir(path);
	rmdir(tmp);
	return tap_done();
}
