// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * savedump verify: extract an archive (or take a directory), open it with
 * the debuggers its launchers run, in batch, with the original files hidden,
 * and check what the debuggers really loaded.
 *
 * The archive is untrusted. Extraction (archive.c) keeps everything inside a
 * scratch directory. The launchers are shell scripts and could have been
 * edited: verify never runs the archive's own. It makes them again from the
 * manifest with launcher.c, the code that wrote them, says whether the
 * archive's are byte for byte the same, and runs its own copy
 * (sh -c SCRIPT DIR/run-X.sh ARGS: the script finds the archive through $0).
 * The manifest is read by jsonread.c, bounded; nothing else in the archive
 * is parsed here: the debuggers open the dump and the binaries.
 *
 * The originals are hidden in a private mount namespace (root only): an
 * empty tmpfs over each directory the manifest's files came from, except the
 * system directories the debugger itself runs from (/usr, /lib, ...), where
 * only /usr/lib/debug is hidden; the archive and the scratch directory are
 * bound back if they were under a hidden one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "json.h"
#include "jsonread.h"
#include "launcher.h"
#include "output.h"
#include "plan.h"
#include "util.h"
#include "verify.h"

enum {
	MANIFEST_MAX = 64 << 20,
	OUTPUT_MAX = 16 << 20,		/* debugger output kept per run */
	RUN_TIMEOUT_S = 600,
	DETAIL_NAMES = 5,		/* names listed per failed check */
};
static const uint64_t EXTRACT_MAX = UINT64_C(1) << 40;

enum verdict { V_OK, V_FAIL, V_SKIP, V_NOTOOL };

static const char *verdict_name(enum verdict v)
{
	static const char *const names[] = { "ok", "FAIL", "skipped", "no-debugger" };
	return names[v];
}

struct check {
	char *name;
	enum verdict verdict;
	char *detail;
};

struct verify {
	const struct sd_verify_options *opts;
	char *scratch;		/* our own directory: extraction, command files */
	char *top;		/* the archive's directory (realpath) */
	struct sd_jv *manifest;
	struct sd_plan plan;	/* rebuilt from the manifest */
	size_t plan_items;	/* items from the manifest; launchers come after */
	const char *dump_archive_path;
	/* Hiding the originals */
	bool can_hide;
	char *not_hidden;	/* why not */
	struct sd_strv hide;	/* directories to hide */
	struct sd_strv visible;	/* directories of originals left visible */
	struct check *checks;
	size_t n_checks, cap_checks;
	bool need_tool;
};

static const char *progname = "savedump verify";

static void vdeinit(struct verify *v)
{
	for (size_t i = 0; i < v->n_checks; i++) {
		free(v->checks[i].name);
		free(v->checks[i].detail);
	}
	free(v->checks);
	sd_strv_deinit(&v->hide);
	sd_strv_deinit(&v->visible);
	free(v->not_hidden);
	sd_plan_deinit(&v->plan);
	sd_jv_destroy(v->manifest);
	free(v->top);
	free(v->scratch);
}

static struct sd_error *add_check(struct verify *v, const char *name, enum verdict verdict,
				  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static struct sd_error *add_check(struct verify *v, const char *name, enum verdict verdict,
				  const char *fmt, ...)
{
	if (!sd_grow(&v->checks, &v->cap_checks, v->n_checks + 1, sizeof(*v->checks)))
		return &sd_enomem;
	struct check *c = &v->checks[v->n_checks];
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&c->detail, fmt, ap);
	va_end(ap);
	if (r < 0 || !(c->name = strdup(name))) {
		if (r >= 0)
			free(c->detail);
		return &sd_enomem;
	}
	c->verdict = verdict;
	v->n_checks++;
	if (verdict == V_NOTOOL)
		v->need_tool = true;
	return NULL;
}

/* --- A growing list of names for a check's detail ----------------------------------- */

struct names {
	char *buf;
	size_t len;
	FILE *f;
	size_t n;
};

static bool names_open(struct names *nm)
{
	memset(nm, 0, sizeof(*nm));
	nm->f = open_memstream(&nm->buf, &nm->len);
	return nm->f != NULL;
}

static void names_add(struct names *nm, const char *s)
{
	if (nm->n < DETAIL_NAMES)
		fprintf(nm->f, "%s%s", nm->n ? ", " : "", s);
	nm->n++;
}

/* Close; returns the list (", ... and N more"), or NULL on failure. */
static char *names_close(struct names *nm)
{
	if (nm->n > DETAIL_NAMES)
		fprintf(nm->f, " and %zu more", nm->n - DETAIL_NAMES);
	if (fclose(nm->f) != 0) {
		free(nm->buf);
		return NULL;
	}
	return nm->buf;
}

/* --- The manifest, back into a plan ----------------------------------------------------- */

static bool role_from_name(const char *name, enum sd_role *ret)
{
	for (int r = 0; r <= SD_ROLE_LAST; r++) {
		if (name && strcmp(sd_role_name((enum sd_role)r), name) == 0) {
			*ret = (enum sd_role)r;
			return true;
		}
	}
	return false;
}

static bool status_from_name(const char *name, enum sd_status *ret)
{
	for (int s = 0; s <= SD_STATUS_SKIPPED; s++) {
		if (name && strcmp(sd_status_name((enum sd_status)s), name) == 0) {
			*ret = (enum sd_status)s;
			return true;
		}
	}
	return false;
}

static struct sd_error *not_manifest(const char *what)
{
	return sd_error_create(SD_ERROR_INPUT, "manifest.json: %s", what);
}

/* "a/b/c": no leading '/', no empty, "." or ".." component. */
static bool plain_relative(const char *p)
{
	if (!*p)
		return false;
	for (;;) {
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (!p[n])
			return true;
		p += n + 1;
	}
}

static struct sd_error *plan_from_manifest(struct verify *v)
{
	const struct sd_jv *m = v->manifest;
	const struct sd_jv *sd = sd_jv_get(m, "savedump");
	const struct sd_jv *fmt = sd_jv_get(sd, "manifest_format");
	if (!fmt || fmt->type != SD_JV_NUMBER || fmt->number != 1)
		return not_manifest("not a savedump manifest of format 1");
	const struct sd_jv *dump = sd_jv_get(m, "dump");
	const char *type = sd_jv_get_string(dump, "type");
	const struct sd_jv *items = sd_jv_get(m, "items");
	if (!type || !items || items->type != SD_JV_ARRAY)
		return not_manifest("no dump type or items");
	struct sd_plan *plan = &v->plan;
	struct sd_error *err;
	plan->kind = strcmp(type, "kernel") == 0 ? SD_DUMP_KERNEL : SD_DUMP_USERLAND;
	if ((err = sd_item_set(&plan->release, sd_jv_get_string(dump, "release"))) ||
	    (err = sd_item_set(&plan->dump_format, sd_jv_get_string(dump, "format"))) ||
	    (err = sd_item_set(&plan->executable, sd_jv_get_string(dump, "executable"))))
		return err;
	for (size_t i = 0; i < items->n; i++) {
		const struct sd_jv *j = &items->values[i];
		enum sd_role role;
		enum sd_status status;
		if (!role_from_name(sd_jv_get_string(j, "role"), &role) ||
		    !status_from_name(sd_jv_get_string(j, "status"), &status))
			return not_manifest("an item with an unknown role or status");
		struct sd_item *it;
		if ((err = sd_plan_add(plan, role, status, &it)))
			return err;
		const char *ap = sd_jv_get_string(j, "archive_path");
		if ((err = sd_item_set(&it->name, sd_jv_get_string(j, "name"))) ||
		    (err = sd_item_set(&it->orig_path, sd_jv_get_string(j, "original_path"))) ||
		    (err = sd_item_set(&it->source_path, sd_jv_get_string(j, "source_path"))) ||
		    (err = sd_item_set(&it->archive_path, ap)) ||
		    (err = sd_item_set(&it->reason, sd_jv_get_string(j, "for"))))
			return err;
		if (ap && !plain_relative(ap))
			return not_manifest("an archive path that is not a plain relative path");
		it->pack = ap && sd_jv_get_bool(j, "packed", false);
		const struct sd_jv *size = sd_jv_get(j, "size");
		if (size && size->type == SD_JV_NUMBER && size->number >= 0)
			it->size = (uint64_t)size->number;
		const struct sd_jv *al = sd_jv_get(j, "aliases");
		for (size_t k = 0; al && al->type == SD_JV_ARRAY && k < al->n; k++)
			if (al->values[k].type == SD_JV_STRING &&
			    (err = sd_strv_add(&it->aliases, al->values[k].string)))
				return err;
		if (role == SD_ROLE_DUMP && it->pack)
			v->dump_archive_path = it->archive_path;
	}
	/* "for": the item a debug file serves (reason holds it until here). */
	for (size_t i = 0; i < plan->n_items; i++) {
		struct sd_item *it = &plan->items[i];
		for (size_t k = 0; it->reason && k < plan->n_items; k++) {
			const struct sd_item *p = &plan->items[k];
			const char *pname = p->orig_path ? p->orig_path : p->name;
			if (k != i && !sd_role_is_debug(p->role) && pname &&
			    sd_role_debug_of(p->role) == it->role && strcmp(pname, it->reason) == 0) {
				it->parent = k;
				break;
			}
		}
		free(it->reason);
		it->reason = NULL;
	}
	v->plan_items = plan->n_items;
	if (!v->dump_archive_path)
		return not_manifest("no packed dump");
	return NULL;
}

/* --- Files ------------------------------------------------------------------------------ */

static char *in_top(const struct verify *v, const char *rel)
{
	return sd_path_join(v->top, rel);
}

/* The part of path inside the archive, or NULL if it is outside. */
static const char *rel_in_top(const struct verify *v, const char *path)
{
	size_t n = strlen(v->top);
	return strncmp(path, v->top, n) == 0 && path[n] == '/' ? path + n + 1 : NULL;
}

static struct sd_error *check_files(struct verify *v)
{
	struct names nm;
	size_t packed = 0;
	if (!names_open(&nm))
		return &sd_enomem;
	for (size_t i = 0; i < v->plan_items; i++) {
		const struct sd_item *it = &v->plan.items[i];
		if (!it->pack || it->role == SD_ROLE_GENERATED)
			continue;
		packed++;
		_cleanup_free_ char *p = in_top(v, it->archive_path);
		struct stat st;
		if (!p) {
			free(names_close(&nm));
			return &sd_enomem;
		}
		if (lstat(p, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != it->size)
			names_add(&nm, it->archive_path);
		/* A directory is used as it is: its links must not lead out of it. */
		for (size_t k = 0; k < it->aliases.n; k++) {
			_cleanup_free_ char *a = in_top(v, it->aliases.v[k]);
			_cleanup_free_ char *real = a ? realpath(a, NULL) : NULL;
			if (a && (!real || !rel_in_top(v, real)))
				names_add(&nm, it->aliases.v[k]);
		}
	}
	size_t bad = nm.n;
	_cleanup_free_ char *list = names_close(&nm);
	if (!list)
		return &sd_enomem;
	if (bad)
		return add_check(v, "files", V_FAIL, "%zu of %zu packed files (or their links) "
				 "absent, of another size or leading out of the archive: %s", bad, packed,
				 list);
	return add_check(v, "files", V_OK, "all %zu packed files present", packed);
}

/* --- Launchers -------------------------------------------------------------------------- */

static struct sd_error *read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return sd_error_errno(errno, "%s", path);
	return sd_read_small_fd(fd, max, ret, ret_len);
}

/* The launcher name as savedump makes it (from the plan), or NULL if it makes none. */
static const struct sd_item *launcher(const struct verify *v, const char *name)
{
	for (size_t i = v->plan_items; i < v->plan.n_items; i++)
		if (strcmp(v->plan.items[i].name, name) == 0)
			return &v->plan.items[i];
	return NULL;
}

static struct sd_error *check_launchers(struct verify *v)
{
	struct sd_error *err;
	struct sd_plan *plan = &v->plan;
	/* The --gdb-auto-load variant, for comparison only. */
	static const struct sd_launcher_options trusting = { .gdb_auto_load = true };
	if ((err = sd_launchers_add(plan, v->dump_archive_path, &trusting)))
		return err;
	size_t trusting_end = plan->n_items;
	if ((err = sd_launchers_add(plan, v->dump_archive_path, NULL)))
		return err;
	for (size_t i = trusting_end; i < plan->n_items; i++) {
		const struct sd_item *ours = &plan->items[i];
		const struct sd_item *alt = NULL;
		for (size_t k = v->plan_items; k < trusting_end; k++)
			if (strcmp(plan->items[k].name, ours->name) == 0)
				alt = &plan->items[k];
		_cleanup_free_ char *path = in_top(v, ours->name);
		_cleanup_free_ char *name = NULL;
		_cleanup_free_ char *theirs = NULL;
		size_t len = 0;
		if (!path || asprintf(&name, "launcher %s", ours->name) < 0)
			return &sd_enomem;
		err = read_file(path, 1 << 20, &theirs, &len);
		if (err) {
			err = add_check(v, name, V_FAIL, "not in the archive (%s); ran the one savedump "
					"makes from the manifest", err->message);
		} else if (len == ours->content_len && !memcmp(theirs, ours->content, len)) {
			err = add_check(v, name, V_OK, "as savedump " PACKAGE_VERSION " makes it");
		} else if (alt && len == alt->content_len && !memcmp(theirs, alt->content, len)) {
			err = add_check(v, name, V_OK, "as savedump " PACKAGE_VERSION " makes it with "
					"--gdb-auto-load; checked without (nothing from the archive "
					"is trusted)");
		} else {
			err = add_check(v, name, V_FAIL, "differs from what savedump " PACKAGE_VERSION
					" makes from the manifest (edited, or another version): not "
					"run; ran the one savedump makes");
		}
		if (err)
			return err;
	}
	/* The comparison copies go; the launchers verify runs stay. */
	for (size_t i = v->plan_items; i < trusting_end; i++)
		plan->items[i].name[0] = '\0';
	return NULL;
}

/* --- Hiding the originals --------------------------------------------------------------- */

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 1 && dir[0] == '/')
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* The system the debugger runs from: never hidden, but for its debug directory. */
static bool system_dir(const char *dir)
{
	static const char *const sys[] = { "/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin",
					   "/sbin", "/etc", "/proc", "/sys", "/dev", "/run" };
	if (strcmp(dir, "/") == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(sys); i++)
		if (under(dir, sys[i]))
			return true;
	return false;
}

static int by_length(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
	return la < lb ? -1 : la > lb;
}

static struct sd_error *plan_hiding(struct verify *v)
{
	struct sd_strv dirs = {0};
	struct sd_error *err = NULL;
	for (size_t i = 0; i < v->plan_items && !err; i++) {
		const struct sd_item *it = &v->plan.items[i];
		/* Where the files were found: source paths, not the in-root original paths. */
		const char *paths[] = { it->source_path };
		for (size_t k = 0; k < ARRAY_SIZE(paths) && !err; k++) {
			const char *p = paths[k];
			if (!p || p[0] != '/' || it->role == SD_ROLE_DUMP || it->role == SD_ROLE_VDSO)
				continue;
			_cleanup_free_ char *norm = NULL;
			struct sd_error *e = sd_path_normalize(p, &norm);
			if (e) {
				sd_error_destroy(e);
				continue;
			}
			_cleanup_free_ char *dir = sd_dirname(norm);
			if (!dir)
				err = &sd_enomem;
			else if (under(dir, "/usr/lib/debug"))
				err = sd_strv_contains(&dirs, "/usr/lib/debug") ? NULL
					: sd_strv_add(&dirs, "/usr/lib/debug");
			else if (!sd_strv_contains(&dirs, dir))
				err = sd_strv_add(&dirs, dir);
		}
	}
	if (!err && dirs.n)
		qsort(dirs.v, dirs.n, sizeof(*dirs.v), by_length);
	for (size_t i = 0; i < dirs.n && !err; i++) {
		const char *d = dirs.v[i];
		bool covered = false;
		for (size_t k = 0; k < v->hide.n; k++)
			covered |= under(d, v->hide.v[k]);
		struct stat st;
		if (covered || stat(d, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;	/* hidden with its parent, or not on this machine */
		if (system_dir(d) && strcmp(d, "/usr/lib/debug") != 0)
			err = sd_strv_contains(&v->visible, d) ? NULL : sd_strv_add(&v->visible, d);
		else
			err = sd_strv_add(&v->hide, d);
	}
	sd_strv_deinit(&dirs);
	if (err)
		return err;
	if (geteuid() != 0) {
		v->not_hidden = strdup("not root: a private mount namespace needs CAP_SYS_ADMIN");
		return v->not_hidden ? NULL : &sd_enomem;
	}
	v->can_hide = true;
	return NULL;
}

static void child_fail(const char *what)
{
	dprintf(STDOUT_FILENO, "savedump-verify: originals not hidden: %s: %s\n", what,
		strerror(errno));
}

/* mkdir -p, for the way back to a directory inside a tmpfs. */
static int mkdirs(const char *path)
{
	char buf[PATH_MAX];
	if (strlen(path) >= sizeof(buf))
		return -1;
	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* In the child: a private mount namespace, the originals under empty tmpfs. */
static bool hide_originals(const struct verify *v)
{
	const char *keep[] = { v->scratch, v->top };
	int keep_fd[2] = { -1, -1 };
	for (size_t i = 0; i < 2; i++)
		if (keep[i] && (keep_fd[i] = open(keep[i], O_PATH | O_DIRECTORY)) < 0) {
			child_fail(keep[i]);
			return false;
		}
	if (unshare(CLONE_NEWNS) < 0) {
		child_fail("unshare");
		return false;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		child_fail("mount --make-rprivate /");
		return false;
	}
	for (size_t i = 0; i < v->hide.n; i++) {
		if (mount("none", v->hide.v[i], "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
			child_fail(v->hide.v[i]);
			return false;
		}
		for (size_t k = 0; k < 2; k++) {
			char proc[64];
			if (!keep[k] || !under(keep[k], v->hide.v[i]))
				continue;
			snprintf(proc, sizeof(proc), "/proc/self/fd/%d", keep_fd[k]);
			if (mkdirs(keep[k]) < 0 || mount(proc, keep[k], NULL, MS_BIND | MS_REC, NULL) < 0) {
				child_fail(keep[k]);
				return false;
			}
		}
	}
	return true;
}

/* --- Running a launcher ----------------------------------------------------------------- */

struct run {
	char *out;	/* stdout and stderr, NUL-terminated */
	size_t len;
	int status;	/* exit status, or 128 + signal */
};

/*
 * Run the launcher script (the one savedump makes) as if it were
 * TOP/name, with args, in the hiding namespace when possible.
 */
static struct sd_error *run_launcher(const struct verify *v, const struct sd_item *script,
				     const char *const *args, size_t n_args, struct run *ret)
{
	_cleanup_free_ char *as = in_top(v, script->name);
	_cleanup_free_ char *text = strndup(script->content, script->content_len);
	_cleanup_free_ char **argv = calloc(n_args + 5, sizeof(*argv));
	if (!as || !text || !argv)
		return &sd_enomem;
	size_t n = 0;
	argv[n++] = (char *)"sh";
	argv[n++] = (char *)"-c";
	argv[n++] = text;
	argv[n++] = as;
	for (size_t i = 0; i < n_args; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return sd_error_errno(errno, "pipe");
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return sd_error_errno(errno, "fork");
	}
	if (pid == 0) {
		setpgid(0, 0);
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(pfd[1], STDOUT_FILENO) < 0 ||
		    dup2(pfd[1], STDERR_FILENO) < 0)
			_exit(127);
		if (v->can_hide && v->hide.n && !hide_originals(v))
			_exit(125);
		if (chdir("/") < 0)
			_exit(127);
		unsetenv("DEBUGINFOD_URLS");
		execv("/bin/sh", argv);
		_exit(127);
	}
	close(pfd[1]);
	setpgid(pid, pid);	/* as the child does: no race with kill(-pid) */
	char *out = NULL;
	size_t len = 0, cap = 0;
	struct sd_error *err = NULL;
	time_t deadline = time(NULL) + RUN_TIMEOUT_S;
	bool timed_out = false;
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int left = (int)(deadline - time(NULL));
		if (left <= 0 || poll(&p, 1, left * 1000) == 0) {
			timed_out = true;
			kill(-pid, SIGKILL);
			break;
		}
		if (!sd_grow(&out, &cap, len + 65537, 1)) {
			err = &sd_enomem;
			kill(-pid, SIGKILL);
			break;
		}
		ssize_t r = read(pfd[0], out + len, 65536);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (len + (size_t)r <= OUTPUT_MAX)
			len += (size_t)r;	/* past the cap: read, but not kept */
	}
	close(pfd[0]);
	int ws = 0;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (err || timed_out) {
		free(out);
		return err ? err : sd_error_create(SD_ERROR_OTHER, "%s did not finish in %d s",
						   script->name, RUN_TIMEOUT_S);
	}
	if (!out && !(out = malloc(1)))
		return &sd_enomem;
	out[len] = '\0';
	ret->out = out;
	ret->len = len;
	ret->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	return NULL;
}

/* The program a launcher runs: $VAR if set, else name; whether it is in PATH. */
static bool have_program(const char *var, const char *name)
{
	const char *prog = getenv(var);
	if (!prog || !*prog)
		prog = name;
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		char buf[PATH_MAX];
		if (n && (size_t)snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, prog) < sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return true;
		p += n;
		p += *p == ':';
	}
	return false;
}

/* Each line of out, in place (out is modified: lines are NUL-terminated). */
#define for_each_line(line, save, out) \
	for (char *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save))

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* The item packed at archive path rel (or an alias of it), of one of the plan's items. */
static const struct sd_item *item_at(const struct verify *v, const char *rel)
{
	for (size_t i = 0; i < v->plan_items; i++) {
		const struct sd_item *it = &v->plan.items[i];
		if (it->pack && (strcmp(it->archive_path, rel) == 0 ||
				 sd_strv_contains(&it->aliases, rel)))
			return it;
	}
	return NULL;
}


static bool warning_line(const char *line)
{
	static const char *const pats[] = { "Could not load", "Can't open", "can't open",
					    "No such file", "not match", "cannot find",
					    "cannot open", "no debugging data" };
	/*
	 * "35\t/src/prog.c: No such file or directory.": gdb showing the
	 * frame's source line. Sources are packed only with --sources; a
	 * source it cannot show says nothing about what was loaded.
	 */
	size_t digits = strspn(line, "0123456789");
	if (digits && line[digits] == '\t')
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(pats); i++)
		if (strstr(line, pats[i]))
			return true;
	return false;
}

/*
 * gdb on a core's NT_FILE note: "warning: Can't open file /memfd:doublemapper
 * (deleted) during file-backed mapping note processing". A memfd, or a file
 * deleted before the crash, was gone already: no archive can hold it.
 */
static bool gone_file_warning(const char *line)
{
	const char *p = strstr(line, "Can't open file ");
	const char *end = strstr(line, " during file-backed mapping note processing");
	if (!p || !end || end < p)
		return false;
	p += strlen("Can't open file ");
	size_t n = (size_t)(end - p);
	static const char deleted[] = " (deleted)";
	return strncmp(p, "/memfd:", 7) == 0 ||
	       (n > sizeof(deleted) - 1 &&
		memcmp(end - (sizeof(deleted) - 1), deleted, sizeof(deleted) - 1) == 0);
}

static struct sd_error *tool_missing(struct verify *v, const char *check, const char *var,
				     const char *prog)
{
	return add_check(v, check, V_NOTOOL, "%s is not installed (not in PATH, nor $%s): "
			 "cannot check", prog, var);
}

static struct sd_error *run_failed(struct verify *v, const char *check, struct sd_error *err)
{
	struct sd_error *e = add_check(v, check, V_FAIL, "%s", err->message);
	sd_error_destroy(err);
	return e;
}

/* --- gdb -------------------------------------------------------------------------------- */

struct range {
	uint64_t from, to;
	const struct sd_item *lib;	/* the manifest's item, or NULL */
	bool named;			/* in the list of stripped libraries */
};

/* The manifest lists its debug file as not packed (missing, mismatched, skipped). */
static bool debug_not_packed(const struct verify *v, const struct sd_item *lib)
{
	size_t index = (size_t)(lib - v->plan.items);
	for (size_t i = 0; i < v->plan_items; i++) {
		const struct sd_item *it = &v->plan.items[i];
		if (it->parent == index && sd_role_is_debug(it->role) && !it->pack)
			return true;
	}
	return false;
}

static struct sd_error *check_gdb(struct verify *v)
{
	const struct sd_item *script = launcher(v, "run-gdb.sh");
	if (!script)
		return add_check(v, "gdb", V_FAIL, "savedump makes no run-gdb.sh from this manifest");
	if (!have_program("GDB", "gdb"))
		return tool_missing(v, "gdb", "GDB", "gdb");
	static const char *const args[] = {
		"-nx", "-batch", "-iex", "set pagination off", "-iex", "set width 0",
		"-ex", "echo savedump-verify: libraries\\n", "-ex", "info sharedlibrary",
		"-ex", "echo savedump-verify: frames\\n", "-ex", "thread apply all bt",
	};
	struct run run = {0};
	struct sd_error *err = run_launcher(v, script, args, ARRAY_SIZE(args), &run);
	if (err)
		return run_failed(v, "gdb", err);
	_cleanup_free_ char *out = run.out;
	if (v->opts->verbose >= 1)
		fprintf(stderr, "%s", out);
	struct names outside, notloaded, warnings, unknown_frames, stripped;
	if (!names_open(&outside) || !names_open(&notloaded) || !names_open(&warnings) ||
	    !names_open(&unknown_frames) || !names_open(&stripped))
		return &sd_enomem;
	size_t n_stripped_frames = 0, n_gone = 0;
	bool *seen = calloc(v->plan_items + 1, sizeof(*seen));
	struct range *ranges = NULL;
	size_t n_ranges = 0, cap_ranges = 0, libs = 0;
	enum { NONE, LIBS, FRAMES } section = NONE;
	bool started = false;
	char *save;
	for_each_line(line, save, out) {
		if (strcmp(line, "savedump-verify: libraries") == 0) {
			section = LIBS;
			started = true;
			continue;
		}
		if (strcmp(line, "savedump-verify: frames") == 0) {
			section = FRAMES;
			continue;
		}
		if (gone_file_warning(line)) {
			n_gone++;
			continue;
		}
		if (warning_line(line)) {
			names_add(&warnings, skip_blanks(line));
			continue;
		}
		if (section == LIBS) {
			/* "0xFROM  0xTO  Yes (*)  PATH", or "  No  PATH" */
			const char *s = skip_blanks(line);
			uint64_t from = 0, to = 0;
			bool addr = sscanf(s, "0x%" SCNx64 " 0x%" SCNx64, &from, &to) == 2;
			const char *yes = strstr(s, "Yes");
			const char *no = strstr(s, "No ");
			const char *mark = yes ? yes : no;
			if (!mark || (addr && !yes && !no))
				continue;
			const char *path = skip_blanks(mark + (yes ? 3 : 2));
			if (strncmp(path, "(*)", 3) == 0)
				path = skip_blanks(path + 3);
			if (*path != '/')
				continue;
			libs++;
			const char *rel = rel_in_top(v, path);
			const struct sd_item *it = rel ? item_at(v, rel) : NULL;
			if (!yes)
				names_add(&notloaded, rel ? rel : path);
			else if (!rel)
				names_add(&outside, path);
			if (it && seen)
				seen[it - v->plan.items] = true;
			if (addr && yes && sd_grow(&ranges, &cap_ranges, n_ranges + 1, sizeof(*ranges)))
				ranges[n_ranges++] = (struct range){ from, to, it, false };
		} else if (section == FRAMES && line[0] == '#') {
			/* "#3  0x00007f... in ?? ()" or "#0  ?? ()" */
			const char *q = strstr(line, "?? (");
			uint64_t pc = 0;
			const char *in = strstr(line, "0x");
			if (!q || !in || in > q || sscanf(in, "0x%" SCNx64, &pc) != 1)
				continue;
			/* In a packed library's text, or anywhere once one did not load. */
			bool in_lib = notloaded.n > 0;
			struct range *r = NULL;
			for (size_t k = 0; k < n_ranges && !in_lib; k++)
				if ((in_lib = pc >= ranges[k].from && pc < ranges[k].to))
					r = &ranges[k];
			/*
			 * A stripped library (libcoreclr.so) whose debug file the manifest
			 * already lists as not packed: gdb had no symbol to show there, on
			 * the original machine either. Said, not failed.
			 */
			if (r && r->lib && debug_not_packed(v, r->lib)) {
				n_stripped_frames++;
				if (!r->named)
					names_add(&stripped, r->lib->name ? r->lib->name : "?");
				r->named = true;
			} else if (in_lib) {
				names_add(&unknown_frames, skip_blanks(line));
			}
		}
	}
	struct names missing;
	if (!names_open(&missing)) {
		free(seen);
		free(ranges);
		return &sd_enomem;
	}
	for (size_t i = 0; i < v->plan_items; i++) {
		const struct sd_item *it = &v->plan.items[i];
		if (it->role != SD_ROLE_LIBRARY)
			continue;
		if (!it->pack || !seen || !seen[i])
			names_add(&missing, it->archive_path ? it->archive_path
							      : it->orig_path ? it->orig_path
							      : it->name ? it->name : "?");
	}
	free(seen);
	free(ranges);
	size_t n_out = outside.n, n_nl = notloaded.n, n_w = warnings.n, n_f = unknown_frames.n;
	size_t n_m = missing.n;
	_cleanup_free_ char *l_out = names_close(&outside);
	_cleanup_free_ char *l_nl = names_close(&notloaded);
	_cleanup_free_ char *l_w = names_close(&warnings);
	_cleanup_free_ char *l_f = names_close(&unknown_frames);
	_cleanup_free_ char *l_m = names_close(&missing);
	_cleanup_free_ char *l_s = names_close(&stripped);
	if (!l_out || !l_nl || !l_w || !l_f || !l_m || !l_s)
		return &sd_enomem;
	if (!started)
		return add_check(v, "gdb", V_FAIL, "gdb did not run the commands (exit %d): %.200s",
				 run.status, out);
	if (n_out || n_nl || n_m)
		err = add_check(v, "gdb libraries", V_FAIL, "%zu libraries in gdb%s%s%s%s%s%s",
				libs, n_m ? "; of the manifest's not loaded from the archive: " : "",
				n_m ? l_m : "", n_out ? "; loaded from outside the archive: " : "",
				n_out ? l_out : "", n_nl ? "; not loaded: " : "",
				n_nl ? l_nl : "");
	else
		err = add_check(v, "gdb libraries", V_OK, "all %zu libraries loaded from the archive",
				libs);
	if (!err)
		err = n_f ? add_check(v, "gdb frames", V_FAIL, "%zu frames without a function in a "
				      "packed library: %s", n_f, l_f)
			  : n_stripped_frames
			  ? add_check(v, "gdb frames", V_OK, "no ?? frame in a packed library but %zu in "
				      "libraries whose debug file the manifest lists as missing: %s",
				      n_stripped_frames, l_s)
			  : add_check(v, "gdb frames", V_OK, "no ?? frame in a packed library");
	if (!err)
		err = n_w ? add_check(v, "gdb warnings", V_FAIL, "%zu: %s", n_w, l_w)
			  : add_check(v, "gdb warnings", V_OK, "no \"Could not load\" or \"Can't "
				      "open\" warning%s", n_gone ? " but for mappings of files gone "
				      "before the crash (memfd, deleted)" : "");
	return err;
}

/* --- dotnet-dump ------------------------------------------------------------------------ */

/* dotnet-dump as run-dotnet-dump.sh finds it: $DOTNET_DUMP, PATH, ~/.dotnet/tools. */
static bool have_dotnet_dump(void)
{
	if (have_program("DOTNET_DUMP", "dotnet-dump"))
		return true;
	const char *home = getenv("HOME");
	char buf[PATH_MAX];
	return home && *home &&
	       (size_t)snprintf(buf, sizeof(buf), "%s/.dotnet/tools/dotnet-dump", home) <
		       sizeof(buf) && access(buf, X_OK) == 0;
}

/*
 * dotnet-dump on the archive: the DAC loads from it and every module has a
 * name. SOS prints what it could not do rather than failing, so its own
 * messages are the verdict.
 */
static struct sd_error *check_dotnet_dump(struct verify *v)
{
	const struct sd_item *script = launcher(v, "run-dotnet-dump.sh");
	if (!script)
		return NULL;
	if (!have_dotnet_dump())
		return tool_missing(v, "dotnet-dump", "DOTNET_DUMP", "dotnet-dump");
	static const char *const args[] = { "-c", "clrmodules", "-c", "clrstack", "-c", "exit" };
	struct run run = {0};
	struct sd_error *err = run_launcher(v, script, args, ARRAY_SIZE(args), &run);
	if (err)
		return run_failed(v, "dotnet-dump", err);
	_cleanup_free_ char *out = run.out;
	if (v->opts->verbose >= 1)
		fprintf(stderr, "%s", out);
	static const char *const bad[] = { "is not in this archive", "did not collect the DAC",
					   "Failed to load data access module",
					   "No CLR runtime found", "Can not load or initialize",
					   "UNKNOWN", "Failed to find runtime module" };
	struct names problems;
	if (!names_open(&problems))
		return &sd_enomem;
	size_t assemblies = 0;
	char *save;
	for_each_line(line, save, out) {
		bool hit = false;
		for (size_t i = 0; i < ARRAY_SIZE(bad) && !hit; i++)
			hit = strstr(line, bad[i]) != NULL;
		if (hit)
			names_add(&problems, skip_blanks(line));
		else if (sd_str_has_suffix(line, ".dll"))
			assemblies++;
	}
	size_t n = problems.n;
	_cleanup_free_ char *list = names_close(&problems);
	if (!list)
		return &sd_enomem;
	if (n)
		return add_check(v, "dotnet-dump", V_FAIL, "%s", list);
	if (run.status != 0 || !assemblies)
		return add_check(v, "dotnet-dump", V_FAIL, "clrmodules listed %zu assemblies "
				 "(exit %d): %.200s", assemblies, run.status, out);
	return add_check(v, "dotnet-dump", V_OK, "the DAC loaded from the archive; %zu "
			 "assemblies by name", assemblies);
}

/* --- lldb ------------------------------------------------------------------------------- */

static struct sd_error *check_lldb(struct verify *v)
{
	const struct sd_item *script = launcher(v, "run-lldb.sh");
	if (!script)
		return NULL;
	if (!have_program("LLDB", "lldb"))
		return tool_missing(v, "lldb", "LLDB", "lldb");
	static const char *const args[] = { "--batch", "-o", "image list" };
	struct run run = {0};
	struct sd_error *err = run_launcher(v, script, args, ARRAY_SIZE(args), &run);
	if (err)
		return run_failed(v, "lldb", err);
	_cleanup_free_ char *out = run.out;
	if (v->opts->verbose >= 1)
		fprintf(stderr, "%s", out);
	struct names outside;
	if (!names_open(&outside))
		return &sd_enomem;
	size_t images = 0;
	char *save;
	for_each_line(line, save, out) {
		/* "[  0] UUID 0xADDR /path" */
		const char *s = skip_blanks(line);
		if (s[0] != '[')
			continue;
		const char *path = strchr(s, '/');
		if (!path)
			continue;
		images++;
		if (!rel_in_top(v, path))
			names_add(&outside, path);
	}
	size_t n = outside.n;
	_cleanup_free_ char *list = names_close(&outside);
	if (!list)
		return &sd_enomem;
	if (!images)
		return add_check(v, "lldb images", V_FAIL, "lldb listed no image (exit %d)",
				 run.status);
	if (n)
		return add_check(v, "lldb images", V_FAIL, "%zu of %zu images from outside the "
				 "archive: %s", n, images, list);
	return add_check(v, "lldb images", V_OK, "all %zu images from the archive", images);
}

/* --- crash and drgn --------------------------------------------------------------------- */

static void module_name_norm(char *s)
{
	for (; *s; s++)
		if (*s == '-')
			*s = '_';
}

static bool same_module(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (*a != *b && !((*a == '-' || *a == '_') && (*b == '-' || *b == '_')))
			return false;
	return *a == *b;
}

static struct sd_error *write_scratch(const struct verify *v, const char *name, const char *text,
				      char **ret)
{
	_cleanup_free_ char *path = sd_path_join(v->scratch, name);
	if (!path)
		return &sd_enomem;
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || !sd_write_full(fd, text, strlen(text)))
		return sd_error_errno(errno, "%s", path);
	*ret = take_ptr(path);
	return NULL;
}

static struct sd_error *check_release(struct verify *v, const char *check, const char *got)
{
	const char *want = v->plan.release;
	if (!got)
		return add_check(v, check, V_FAIL, "no release in the output");
	if (!want || strcmp(got, want))
		return add_check(v, check, V_FAIL, "%s, the manifest says %s", got,
				 want ? want : "nothing");
	return add_check(v, check, V_OK, "%s, as the manifest says", got);
}

static struct sd_error *check_crash(struct verify *v)
{
	const struct sd_item *script = launcher(v, "run-crash.sh");
	if (!script)
		return add_check(v, "crash", V_FAIL, "savedump makes no run-crash.sh from this "
				 "manifest (no vmlinux packed)");
	if (!have_program("CRASH", "crash"))
		return tool_missing(v, "crash", "CRASH", "crash");
	_cleanup_free_ char *cmds = NULL;
	struct sd_error *err = write_scratch(v, "crash.cmds",
					     "sys\nmod\nquit\n", &cmds);
	if (err)
		return err;
	const char *args[] = { "-s", "-i", cmds };
	struct run run = {0};
	if ((err = run_launcher(v, script, args, ARRAY_SIZE(args), &run)))
		return run_failed(v, "crash", err);
	_cleanup_free_ char *out = run.out;
	if (v->opts->verbose >= 1)
		fprintf(stderr, "%s", out);
	_cleanup_free_ char *release = NULL;
	struct names notarchive, warnings;
	if (!names_open(&notarchive) || !names_open(&warnings))
		return &sd_enomem;
	bool *seen = calloc(v->plan_items + 1, sizeof(*seen));
	bool in_mod = false;
	size_t mods = 0;
	char *save;
	for_each_line(line, save, out) {
		const char *s = skip_blanks(line);
		if (sd_str_has_prefix(s, "MODULE ") && strstr(s, " NAME ")) {
			in_mod = true;	/* the header of mod's table */
			continue;
		}
		if (sd_str_has_prefix(s, "RELEASE: ") && !release) {
			release = strdup(skip_blanks(s + 9));
			continue;
		}
		if (warning_line(line)) {
			names_add(&warnings, s);
			continue;
		}
		if (!in_mod)
			continue;
		/* "ADDR  NAME  TEXT_BASE  SIZE  OBJECT-FILE" */
		char name[256], object[PATH_MAX];
		uint64_t a, b;
		unsigned long size;
		int n = sscanf(s, "%" SCNx64 " %255s %" SCNx64 " %lu %4095[^\n]", &a, name, &b, &size,
			       object);
		if (n < 4)
			continue;
		const struct sd_item *it = NULL;
		for (size_t i = 0; i < v->plan_items && !it; i++)
			if (v->plan.items[i].role == SD_ROLE_MODULE && v->plan.items[i].name &&
			    same_module(v->plan.items[i].name, name))
				it = &v->plan.items[i];
		/* The launcher's "mod -S" lists them too: count each once. */
		if (it && seen && seen[it - v->plan.items])
			continue;
		if (it && seen)
			seen[it - v->plan.items] = true;
		else
			mods++;
		if (n < 5 || !rel_in_top(v, object))
			names_add(&notarchive, name);
	}
	struct names missing;
	if (!names_open(&missing)) {
		free(seen);
		return &sd_enomem;
	}
	for (size_t i = 0; i < v->plan_items; i++) {
		const struct sd_item *it = &v->plan.items[i];
		if (it->role == SD_ROLE_MODULE && seen && seen[i])
			mods++;
		else if (it->role == SD_ROLE_MODULE)
			names_add(&missing, it->name ? it->name : "?");
	}
	free(seen);
	size_t n_na = notarchive.n, n_w = warnings.n, n_m = missing.n;
	_cleanup_free_ char *l_na = names_close(&notarchive);
	_cleanup_free_ char *l_w = names_close(&warnings);
	_cleanup_free_ char *l_m = names_close(&missing);
	if (!l_na || !l_w || !l_m)
		return &sd_enomem;
	if (!release && !mods) {
		/* crash did not open the dump: its last words say why. */
		size_t tail = run.len > 300 ? run.len - 300 : 0;
		return add_check(v, "crash", V_FAIL, "did not open the dump (exit %d): %s",
				 run.status, l_w[0] ? l_w : out + tail);
	}
	if ((err = check_release(v, "crash release", release)))
		return err;
	if (n_na || n_m)
		err = add_check(v, "crash modules", V_FAIL, "%zu modules in crash%s%s%s%s", mods,
				n_na ? "; symbols not from the archive: " : "", n_na ? l_na : "",
				n_m ? "; of the manifest's not listed: " : "", n_m ? l_m : "");
	else
		err = add_check(v, "crash modules", V_OK, "all %zu modules loaded from the archive",
				mods);
	if (!err)
		err = n_w ? add_check(v, "crash warnings", V_FAIL, "%zu: %s", n_w, l_w)
			  : add_check(v, "crash warnings", V_OK, "none");
	return err;
}

static const char drgn_script[] =
	"from drgn.helpers.linux.list import list_for_each_entry\n"
	"print('savedump-verify: release', prog['init_uts_ns'].name.release.string_().decode())\n"
	"for mod in list_for_each_entry('struct module', prog['modules'].address_of_(), 'list'):\n"
	"    print('savedump-verify: module', mod.name.string_().decode())\n";

static struct sd_error *check_drgn(struct verify *v)
{
	const struct sd_item *script = launcher(v, "run-drgn.sh");
	if (!script)
		return add_check(v, "drgn", V_FAIL, "savedump makes no run-drgn.sh from this "
				 "manifest (no vmlinux packed)");
	if (!have_program("DRGN", "drgn"))
		return tool_missing(v, "drgn", "DRGN", "drgn");
	_cleanup_free_ char *py = NULL;
	struct sd_error *err = write_scratch(v, "modules.py", drgn_script, &py);
	if (err)
		return err;
	const char *args[] = { py };
	struct run run = {0};
	if ((err = run_launcher(v, script, args, ARRAY_SIZE(args), &run)))
		return run_failed(v, "drgn", err);
	_cleanup_free_ char *out = run.out;
	if (v->opts->verbose >= 1)
		fprintf(stderr, "%s", out);
	_cleanup_free_ char *release = NULL;
	struct sd_strv mods = {0};
	char *save;
	for_each_line(line, save, out) {
		if (sd_str_has_prefix(line, "savedump-verify: release ") && !release)
			release = strdup(line + 25);
		else if (sd_str_has_prefix(line, "savedump-verify: module ") &&
			 (err = sd_strv_add(&mods, line + 24)))
			break;
	}
	if (err) {
		sd_strv_deinit(&mods);
		return err;
	}
	if (!release) {
		sd_strv_deinit(&mods);
		size_t tail = run.len > 300 ? run.len - 300 : 0;
		return add_check(v, "drgn", V_FAIL, "did not open the dump (exit %d): %s", run.status,
				 out + tail);
	}
	struct names extra, missing;
	if (!names_open(&extra) || !names_open(&missing)) {
		sd_strv_deinit(&mods);
		return &sd_enomem;
	}
	size_t want = 0;
	for (size_t i = 0; i < v->plan_items; i++) {
		const struct sd_item *it = &v->plan.items[i];
		if (it->role != SD_ROLE_MODULE || !it->name)
			continue;
		want++;
		bool found = false;
		for (size_t k = 0; k < mods.n && !found; k++)
			found = same_module(mods.v[k], it->name);
		if (!found)
			names_add(&missing, it->name);
	}
	for (size_t k = 0; k < mods.n; k++) {
		bool found = false;
		for (size_t i = 0; i < v->plan_items && !found; i++)
			found = v->plan.items[i].role == SD_ROLE_MODULE && v->plan.items[i].name &&
				same_module(mods.v[k], v->plan.items[i].name);
		if (!found) {
			module_name_norm(mods.v[k]);
			names_add(&extra, mods.v[k]);
		}
	}
	size_t n_mods = mods.n, n_e = extra.n, n_m = missing.n;
	sd_strv_deinit(&mods);
	_cleanup_free_ char *l_e = names_close(&extra);
	_cleanup_free_ char *l_m = names_close(&missing);
	if (!l_e || !l_m)
		return &sd_enomem;
	if ((err = check_release(v, "drgn release", release)))
		return err;
	if (n_e || n_m)
		return add_check(v, "drgn modules", V_FAIL, "%zu modules in drgn, %zu in the "
				 "manifest%s%s%s%s", n_mods, want, n_m ? "; not in drgn: " : "",
				 n_m ? l_m : "", n_e ? "; not in the manifest: " : "",
				 n_e ? l_e : "");
	return add_check(v, "drgn modules", V_OK, "the manifest's %zu modules", want);
}

/* --- The whole run ---------------------------------------------------------------------- */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 ? -1 : 0;
	return unlink(path) < 0 ? -1 : 0;
}

/* The archive's directory inside dir: dir itself if it holds manifest.json, else its one subdirectory. */
static struct sd_error *find_top(const char *dir, char **ret)
{
	_cleanup_free_ char *m = sd_path_join(dir, "manifest.json");
	if (!m)
		return &sd_enomem;
	struct stat st;
	if (lstat(m, &st) == 0 && S_ISREG(st.st_mode)) {
		char *r = realpath(dir, NULL);
		if (!r)
			return sd_error_errno(errno, "%s", dir);
		*ret = r;
		return NULL;
	}
	_cleanup_free_ char *glob_dir = NULL;
	DIR *d = opendir(dir);
	if (!d)
		return sd_error_errno(errno, "%s", dir);
	struct dirent *e;
	size_t n = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n++;
		free(glob_dir);
		glob_dir = sd_path_join(dir, e->d_name);
	}
	closedir(d);
	if (n != 1 || !glob_dir)
		return sd_error_create(SD_ERROR_INPUT, "%s: no manifest.json (not an archive "
				       "savedump wrote)", dir);
	_cleanup_free_ char *m2 = sd_path_join(glob_dir, "manifest.json");
	if (!m2)
		return &sd_enomem;
	if (lstat(glob_dir, &st) < 0 || !S_ISDIR(st.st_mode) || lstat(m2, &st) < 0 ||
	    !S_ISREG(st.st_mode))
		return sd_error_create(SD_ERROR_INPUT, "%s: no manifest.json (not an archive "
				       "savedump wrote)", dir);
	char *r = realpath(glob_dir, NULL);
	if (!r)
		return sd_error_errno(errno, "%s", glob_dir);
	*ret = r;
	return NULL;
}

static struct sd_error *prepare(struct verify *v, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return sd_error_errno(errno, "%s", path);
	const char *tmp = getenv("TMPDIR");
	_cleanup_free_ char *tmpl = NULL;
	if (asprintf(&tmpl, "%s/savedump-verify.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
		return &sd_enomem;
	if (!mkdtemp(tmpl))
		return sd_error_errno(errno, "cannot create a scratch directory %s", tmpl);
	if (!(v->scratch = realpath(tmpl, NULL)))
		return sd_error_errno(errno, "%s", tmpl);
	struct sd_error *err;
	if (S_ISDIR(st.st_mode)) {
		if ((err = find_top(path, &v->top)))
			return err;
	} else {
		_cleanup_free_ char *x = sd_path_join(v->scratch, "x");
		if (!x)
			return &sd_enomem;
		if (mkdir(x, 0755) < 0)
			return sd_error_errno(errno, "%s", x);
		if ((err = sd_archive_extract(path, x, EXTRACT_MAX)) || (err = find_top(x, &v->top)))
			return err;
	}
	_cleanup_free_ char *mpath = sd_path_join(v->top, "manifest.json");
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (!mpath)
		return &sd_enomem;
	if ((err = read_file(mpath, MANIFEST_MAX, &text, &len)))
		return err->code == SD_ERROR_OS ? sd_error_prefix(err, "not an archive savedump wrote")
						: err;
	if ((err = sd_jv_parse(text, len, &v->manifest)))
		return sd_error_prefix(err, "manifest.json");
	return plan_from_manifest(v);
}

static void print_text(const struct verify *v, const char *path, int status)
{
	if (v->opts->verbose < 0 && status == SD_VERIFY_EXIT_OK)
		return;
	printf("%s: %s (in %s)\n", progname, path, v->top);
	if (v->can_hide) {
		printf("originals hidden (private mount namespace, empty tmpfs over):");
		for (size_t i = 0; i < v->hide.n; i++) {
			putchar(' ');
			sd_fputs_printable(v->hide.v[i], stdout);
		}
		printf("%s\n", v->hide.n ? "" : " nothing: no original is on this machine");
	} else {
		printf("originals NOT hidden: %s; the debuggers could have read them\n",
		       v->not_hidden);
	}
	if (v->visible.n) {
		printf("left visible (the debuggers run from them):");
		for (size_t i = 0; i < v->visible.n; i++) {
			putchar(' ');
			sd_fputs_printable(v->visible.v[i], stdout);
		}
		printf("\n");
	}
	for (size_t i = 0; i < v->n_checks; i++) {
		const struct check *c = &v->checks[i];
		if (v->opts->verbose < 0 && c->verdict == V_OK)
			continue;
		/* Details name files from the manifest, untrusted as the dump. */
		printf("%-11s %-20s ", verdict_name(c->verdict), c->name);
		sd_fputs_printable(c->detail ? c->detail : "", stdout);
		putchar('\n');
	}
	if (v->opts->keep)
		printf("scratch directory kept: %s\n", v->scratch);
}

static void print_json(const struct verify *v, const char *path, int status)
{
	struct sd_json j;
	sd_json_init(&j, stdout, true);
	sd_json_begin_object(&j, NULL);
	sd_json_string(&j, "archive", path);
	sd_json_string(&j, "directory", v->top);
	sd_json_bool(&j, "originals_hidden", v->can_hide);
	sd_json_string(&j, "not_hidden_reason", v->not_hidden);
	sd_json_begin_array(&j, "hidden");
	for (size_t i = 0; v->can_hide && i < v->hide.n; i++)
		sd_json_string(&j, NULL, v->hide.v[i]);
	sd_json_end_array(&j);
	sd_json_begin_array(&j, "visible");
	for (size_t i = 0; i < v->visible.n; i++)
		sd_json_string(&j, NULL, v->visible.v[i]);
	sd_json_end_array(&j);
	sd_json_begin_array(&j, "checks");
	for (size_t i = 0; i < v->n_checks; i++) {
		sd_json_begin_object(&j, NULL);
		sd_json_string(&j, "check", v->checks[i].name);
		sd_json_string(&j, "verdict", verdict_name(v->checks[i].verdict));
		sd_json_string(&j, "detail", v->checks[i].detail);
		sd_json_end_object(&j);
	}
	sd_json_end_array(&j);
	sd_json_int(&j, "status", status);
	sd_json_string(&j, "scratch", v->opts->keep ? v->scratch : NULL);
	sd_json_end_object(&j);
	fputc('\n', stdout);
}

int sd_verify(const char *path, const struct sd_verify_options *opts)
{
	struct verify v = { .opts = opts };
	sd_plan_init(&v.plan);
	int status;
	struct sd_error *err = prepare(&v, path);
	if (!err)
		err = check_files(&v);
	if (!err)
		err = check_launchers(&v);
	if (!err)
		err = plan_hiding(&v);
	if (!err && v.plan.kind == SD_DUMP_USERLAND) {
		err = check_gdb(&v);
		if (!err)
			err = check_lldb(&v);
		if (!err)
			err = check_dotnet_dump(&v);
	} else if (!err) {
		err = check_crash(&v);
		if (!err)
			err = check_drgn(&v);
	}
	if (err) {
		fprintf(stderr, "%s: ", progname);
		sd_fputs_printable(err->message, stderr);
		fputc('\n', stderr);
		status = err->code == SD_ERROR_INPUT ? SD_VERIFY_EXIT_NOT_ARCHIVE
						     : SD_VERIFY_EXIT_ERROR;
		sd_error_destroy(err);
	} else {
		bool failed = false;
		for (size_t i = 0; i < v.n_checks; i++)
			failed |= v.checks[i].verdict == V_FAIL;
		status = failed ? SD_VERIFY_EXIT_DEGRADED
			 : v.need_tool ? SD_VERIFY_EXIT_NO_DEBUGGER : SD_VERIFY_EXIT_OK;
		if (opts->json)
			print_json(&v, path, status);
		else
			print_text(&v, path, status);
	}
	if (v.scratch && !opts->keep)
		nftw(v.scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	vdeinit(&v);
	return status;
}

static void verify_usage(FILE *f)
{
	fprintf(f,
"Usage: savedump verify [OPTION]... ARCHIVE|DIR\n"
"Open an archive savedump wrote (or its extracted directory) with the debuggers\n"
"its launchers run, in batch, with the original files hidden (a private mount\n"
"namespace; root only), and check what they loaded: gdb (every library of the\n"
"manifest from the archive, no ?? frame in a packed library, no \"Could not\n"
"load\" or \"Can't open\" warning), lldb (every image from the archive),\n"
"dotnet-dump (the DAC from the archive, every assembly by name), crash\n"
"(the release, every module from the archive), drgn (the release, the modules).\n"
"The archive's launchers are not run: savedump makes them again from the\n"
"manifest, says whether the archive's are the same, and runs its own.\n"
"\n"
"  --json          print the verdicts as one JSON document\n"
"  --keep          keep the scratch directory (extracted archive, command files)\n"
"  -q, --quiet     print only what failed\n"
"  -v, --verbose   print the debuggers' output too (on stderr)\n"
"  -h, --help      show this help\n"
"\n"
"Exit status:\n"
"  0  every check passed\n"
"  1  error (scratch directory, I/O, memory)\n"
"  2  usage error\n"
"  3  degraded: a check failed (the verdict lines say which and why)\n"
"  4  not an archive savedump wrote (no manifest, or an entry that would leave\n"
"     the scratch directory)\n"
"  6  a debugger a check needs (gdb, lldb, crash, drgn) is not installed\n");
}

int sd_verify_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ "keep", no_argument, NULL, 'K' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sd_verify_options o = {0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'J':
			o.json = true;
			break;
		case 'K':
			o.keep = true;
			break;
		case 'q':
			o.verbose = -1;
			break;
		case 'v':
			o.verbose++;
			break;
		case 'h':
			verify_usage(stdout);
			return SD_VERIFY_EXIT_OK;
		default:
			fprintf(stderr, "Try 'savedump verify --help' for more information.\n");
			return SD_VERIFY_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "%s: %s\nTry 'savedump verify --help' for more information.\n",
			progname, optind >= argc ? "missing ARCHIVE|DIR argument"
						 : "one ARCHIVE or DIR at a time");
		return SD_VERIFY_EXIT_USAGE;
	}
	return sd_verify(argv[optind], &o);
}
