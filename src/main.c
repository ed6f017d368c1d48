// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * savedump: turn a Linux crash dump or core file into a self-contained
 * archive. main() parses the command line into one config, runs the
 * pipeline (probe -> inspect -> resolve -> plan -> pack) and is the only
 * place that prints errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "coredump.h"
#include "debuginfod.h"
#include "input.h"
#include "manifest.h"
#include "output.h"
#include "pipeline.h"
#include "util.h"
#include "verify.h"

/* Exit codes (documented in --help, the man page and README). */
enum {
	EXIT_OK = 0,		/* archive complete */
	EXIT_ERROR = 1,		/* operational error: output, I/O, memory */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_INCOMPLETE = 3,	/* written (or listed), every binary there, debug info lacking */
	EXIT_BAD_INPUT = 4,	/* the dump is not a dump, or too damaged to use */
	EXIT_NOT_SELF_CONTAINED = 5,	/* written (or listed), but a binary is lacking */
};

enum progress_mode { PROGRESS_AUTO, PROGRESS_BAR, PROGRESS_JSON, PROGRESS_NONE };

struct config {
	struct sd_options o;	/* what the pipeline needs, for the dump being archived */
	char **dumps;		/* DUMP... */
	size_t n_dumps;
	char **names;		/* the default name of each (savedump-NAME.tar.EXT), or NULL */
	const char *coredump;	/* --coredump MATCH */
	char *coredump_dump[1];	/* its DUMP */
	bool json;
	bool verify;		/* --verify: savedump verify the archive written */
	enum progress_mode progress;
	int verbose;		/* -1 quiet, 0 normal, 1+ verbose */
};

static const char *progname = "savedump";

static void usage(FILE *f)
{
	fprintf(f,
"Usage: %s [OPTION]... DUMP...\n"
"  or:  %s [OPTION]... --coredump MATCH\n"
"  or:  %s verify [OPTION]... ARCHIVE|DIR   (see savedump verify --help)\n"
"Turn a Linux crash dump or core file into a self-contained archive: the dump,\n"
"the binaries and debug information it needs (verified by build-id), launchers\n"
"for gdb/lldb (cores) or crash/drgn (kernel dumps) and a JSON manifest.\n"
"\n"
"DUMP is a userland ELF core, or a kernel dump (/proc/vmcore, ELF, kdump-compressed\n"
"or flattened), maybe compressed as a whole (zstd, xz, lz4, gzip: decompressed\n"
"into an unnamed temporary file); - reads standard input. Each DUMP gets its own\n"
"archive, savedump-NAME.tar.zst: NAME is the crash directory's name (its time\n"
"stamp) for DIR/vmcore and DIR/dump.*, else the file name without .zst, .xz,\n"
".lz4, .gz; other characters than letters, digits and ._+- become _.\n"
"\n"
"Output:\n"
"  -o, --output=FILE        archive to write (default: ./savedump-NAME.tar.zst);\n"
"                           - writes it to standard output; an existing directory\n"
"                           gets savedump-NAME.tar.zst (needed for several DUMPs)\n"
"      --beside             write savedump-NAME.tar.zst in each DUMP's directory\n"
"      --output-dir=DIR     write a plain directory instead of an archive\n"
"      --coredump=MATCH     the core systemd-coredump stored last for MATCH (anything\n"
"                           coredumpctl accepts: PID, COMM, EXE, FIELD=VALUE), found\n"
"                           with coredumpctl; the journal's executable and command\n"
"                           line are recorded, and used when the core lacks them\n"
"  -F, --format=FMT         compression: zstd (default), gzip, xz, none\n"
"  -l, --level=N            compression level (default: the compressor's own)\n"
"  -j, --jobs=N             compression threads (default: number of CPUs)\n"
"      --force              replace an existing output\n"
"      --max-size=SIZE      keep the archive within SIZE bytes (suffixes K, M, G, T):\n"
"                           debuginfo is left out first, the dump never; the free\n"
"                           space of the output's file system is a limit too\n"
"      --max-mapped-file=SIZE  pack a non-ELF file the process had mapped (locale\n"
"                           data, caches, data files) only up to SIZE (default 16M;\n"
"                           0: none)\n"
"      --max-mapped-total=SIZE  and such files up to SIZE in all (default 128M)\n"
"\n"
"Finding files:\n"
"      --root=DIR           resolve every path inside DIR, as in a chroot (default: /)\n"
"      --debug-dir=DIR      debug file directory inside the root (repeatable;\n"
"                           default: /usr/lib/debug)\n"
"      --allow-mismatch     pack files whose build-id differs from the dump's,\n"
"                           marked as mismatch in the manifest\n"
"      --no-debuginfod      do not query debuginfod even if DEBUGINFOD_URLS is set\n"
"      --gdb-auto-load      let run-gdb.sh trust the archive (gdb auto-load safe-path)\n"
"      --verify             then check the archive opens in its debuggers, with the\n"
"                           originals hidden (savedump verify; exit 3 if it does not)\n"
"      --sources            pack the program's own source files its DWARF names\n"
"                           (not those under /usr but /usr/local, /lib*, /bin, /etc)\n"
"\n"
"Listing:\n"
"  -L, --list               print what would be collected and write nothing\n"
"      --json               with --list: print the manifest as JSON\n"
"\n"
"General:\n"
"      --progress=WHEN      auto (bar on a terminal), bar, json (lines on stderr), none\n"
"  -q, --quiet              print errors only\n"
"  -v, --verbose            print every item and the peak memory used\n"
"  -h, --help               show this help\n"
"  -V, --version            show the version\n"
"\n"
"Exit status (with several DUMPs, the worst of theirs: 2, 1, 4, 5, 3, 0 in that order):\n"
"  0  archive complete\n"
"  1  error (output exists, I/O error, out of memory, ...)\n"
"  2  usage error\n"
"  3  archive written (or list printed), every binary in it, but some debug\n"
"     information is missing, or the dump is damaged\n"
"  4  DUMP is not a usable dump (unknown format, truncated, corrupt)\n"
"  5  archive written (or list printed), but not self-contained: a binary (the\n"
"     executable, a library, vmlinux, a module, a .NET runtime file) is missing\n"
"     or mismatched\n"
"  6  with --verify: a debugger the check needs is not installed\n",
		progname, progname, progname);
}

enum {
	OPT_OUTPUT_DIR = 256,
	OPT_FORCE,
	OPT_ROOT,
	OPT_DEBUG_DIR,
	OPT_ALLOW_MISMATCH,
	OPT_NO_DEBUGINFOD,
	OPT_GDB_AUTO_LOAD,
	OPT_JSON,
	OPT_PROGRESS,
	OPT_MAX_SIZE,
	OPT_VERIFY,
	OPT_MAX_MAPPED_FILE,
	OPT_MAX_MAPPED_TOTAL,
	OPT_SOURCES,
	OPT_BESIDE,
	OPT_COREDUMP,
};

static const struct option long_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "output-dir", required_argument, NULL, OPT_OUTPUT_DIR },
	{ "beside", no_argument, NULL, OPT_BESIDE },
	{ "coredump", required_argument, NULL, OPT_COREDUMP },
	{ "format", required_argument, NULL, 'F' },
	{ "level", required_argument, NULL, 'l' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "debug-dir", required_argument, NULL, OPT_DEBUG_DIR },
	{ "allow-mismatch", no_argument, NULL, OPT_ALLOW_MISMATCH },
	{ "no-debuginfod", no_argument, NULL, OPT_NO_DEBUGINFOD },
	{ "gdb-auto-load", no_argument, NULL, OPT_GDB_AUTO_LOAD },
	{ "list", no_argument, NULL, 'L' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "max-mapped-file", required_argument, NULL, OPT_MAX_MAPPED_FILE },
	{ "max-mapped-total", required_argument, NULL, OPT_MAX_MAPPED_TOTAL },
	{ "sources", no_argument, NULL, OPT_SOURCES },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", progname);
	return EXIT_USAGE;
}

static bool parse_int(const char *s, long min, long max, int *ret)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*ret = (int)v;
	return true;
}

/* "123", "64M", "2G": a size in bytes (powers of 1024). */
static bool parse_size(const char *s, uint64_t *ret)
{
	char *end;
	errno = 0;
	if (!(*s >= '0' && *s <= '9'))
		return false;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	static const char units[] = "KMGT";
	const char *u = *end ? strchr(units, *end == 'k' ? 'K' : *end) : NULL;
	if (*end && (!u || (end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))))
		return false;
	for (int i = u ? (int)(u - units) + 1 : 0; i > 0; i--) {
		if (v > UINT64_MAX / 1024)
			return false;
		v *= 1024;
	}
	*ret = v;
	return true;
}

/* Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, struct config *cfg)
{
	int c;
	const char *output_dir = NULL;
	while ((c = getopt_long(argc, argv, "o:F:l:j:Lqvh V", long_options, NULL)) != -1) {
		switch (c) {
		case 'o':
			cfg->o.output = optarg;
			break;
		case OPT_OUTPUT_DIR:
			output_dir = optarg;
			break;
		case OPT_BESIDE:
			cfg->o.beside = true;
			break;
		case OPT_COREDUMP:
			if (!optarg[0])
				return usage_error("%s", "empty --coredump MATCH");
			cfg->coredump = optarg;
			break;
		case 'F':
			if (!strcmp(optarg, "zstd") || !strcmp(optarg, "zst"))
				cfg->o.compression = SD_COMPRESS_ZSTD;
			else if (!strcmp(optarg, "gzip") || !strcmp(optarg, "gz"))
				cfg->o.compression = SD_COMPRESS_GZIP;
			else if (!strcmp(optarg, "xz"))
				cfg->o.compression = SD_COMPRESS_XZ;
			else if (!strcmp(optarg, "none") || !strcmp(optarg, "tar"))
				cfg->o.compression = SD_COMPRESS_NONE;
			else
				return usage_error("invalid --format '%s' (zstd, gzip, xz or none)",
						   optarg);
			break;
		case 'l':
			if (!parse_int(optarg, 1, 22, &cfg->o.level))
				return usage_error("invalid --level '%s' (1 to 22 for zstd, 1 to 9 "
						   "for gzip and xz)", optarg);
			break;
		case 'j':
			if (!parse_int(optarg, 0, 256, &cfg->o.jobs))
				return usage_error("invalid --jobs '%s' (0 to 256; 0: all CPUs)",
						   optarg);
			break;
		case OPT_FORCE:
			cfg->o.force = true;
			break;
		case OPT_MAX_SIZE:
			if (!parse_size(optarg, &cfg->o.max_size) || cfg->o.max_size < 1024 * 1024)
				return usage_error("invalid --max-size '%s' (a size of at least 1M, "
						   "with an optional K, M, G or T suffix)", optarg);
			break;
		case OPT_MAX_MAPPED_FILE:
		case OPT_MAX_MAPPED_TOTAL:
			if (!parse_size(optarg, c == OPT_MAX_MAPPED_FILE ? &cfg->o.max_mapped_file
									 : &cfg->o.max_mapped_total))
				return usage_error("invalid --%s '%s' (a size, with an optional K, M, "
						   "G or T suffix)", c == OPT_MAX_MAPPED_FILE ?
						   "max-mapped-file" : "max-mapped-total", optarg);
			break;
		case OPT_ROOT:
			cfg->o.root = optarg;
			break;
		case OPT_DEBUG_DIR:
			if (optarg[0] != '/')
				return usage_error("--debug-dir '%s' must be an absolute path (inside "
						   "--root)", optarg);
			if (sd_strv_add(&cfg->o.debug_dirs, optarg)) {
				fprintf(stderr, "%s: out of memory\n", progname);
				return EXIT_ERROR;
			}
			break;
		case OPT_ALLOW_MISMATCH:
			cfg->o.allow_mismatch = true;
			break;
		case OPT_NO_DEBUGINFOD:
			cfg->o.debuginfod = false;
			break;
		case OPT_GDB_AUTO_LOAD:
			cfg->o.gdb_auto_load = true;
			break;
		case OPT_SOURCES:
			cfg->o.sources = true;
			break;
		case 'L':
			cfg->o.list = true;
			break;
		case OPT_JSON:
			cfg->json = true;
			break;
		case OPT_VERIFY:
			cfg->verify = true;
			break;
		case OPT_PROGRESS:
			if (!strcmp(optarg, "auto"))
				cfg->progress = PROGRESS_AUTO;
			else if (!strcmp(optarg, "bar"))
				cfg->progress = PROGRESS_BAR;
			else if (!strcmp(optarg, "json"))
				cfg->progress = PROGRESS_JSON;
			else if (!strcmp(optarg, "none"))
				cfg->progress = PROGRESS_NONE;
			else
				return usage_error("invalid --progress '%s' (auto, bar, json or none)",
						   optarg);
			break;
		case 'q':
			cfg->verbose = -1;
			break;
		case 'v':
			cfg->verbose++;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("savedump %s\n", PACKAGE_VERSION);
			printf("debuginfod support: %s\n", sd_debuginfod_compiled_in() ? "yes" : "no");
			return EXIT_OK;
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n", progname);
			return EXIT_USAGE;
		}
	}
	if (cfg->coredump && optind < argc)
		return usage_error("unexpected argument '%s' (--coredump names the dump)",
				   argv[optind]);
	if (!cfg->coredump && optind >= argc)
		return usage_error("%s", "missing DUMP argument");
	if (cfg->coredump) {
		/* Its name is known once coredumpctl has found it. */
		cfg->coredump_dump[0] = (char *)cfg->coredump;
		cfg->dumps = cfg->coredump_dump;
		cfg->n_dumps = 1;
	} else {
		cfg->dumps = argv + optind;
		cfg->n_dumps = (size_t)(argc - optind);
	}
	cfg->o.dump = cfg->dumps[0];
	bool many = cfg->n_dumps > 1;
	if (output_dir && cfg->o.output)
		return usage_error("%s", "--output and --output-dir are exclusive");
	if (cfg->o.beside && (output_dir || cfg->o.output))
		return usage_error("%s", "--beside excludes --output and --output-dir");
	if ((output_dir && !output_dir[0]) || (cfg->o.output && !cfg->o.output[0]))
		return usage_error("%s", "empty output name");
	if (output_dir && !strcmp(output_dir, "-"))
		return usage_error("%s", "--output-dir cannot be standard output (use -o -)");
	if (output_dir && many)
		return usage_error("%s", "--output-dir takes one DUMP (for several, -o DIR or "
				   "--beside)");
	size_t stdin_dumps = 0;
	for (size_t i = 0; i < cfg->n_dumps; i++)
		stdin_dumps += !strcmp(cfg->dumps[i], "-");
	if (stdin_dumps > 1)
		return usage_error("%s", "standard input (-) can be read only once");
	if (cfg->o.output && !strcmp(cfg->o.output, "-")) {
		/* Nothing but the archive ever goes to standard output. */
		if (many)
			return usage_error("%s", "-o - takes one DUMP");
		if (cfg->o.list)
			return usage_error("%s", "--list prints on standard output: no -o - with it");
		if (cfg->verify)
			return usage_error("%s", "--verify needs the archive as a file: no -o - with it");
		if (isatty(STDOUT_FILENO))
			return usage_error("%s", "standard output is a terminal: refusing to write "
					   "an archive there (redirect it, or use -o FILE)");
	} else if (cfg->o.output && !cfg->o.list) {
		struct stat st;
		if (stat(cfg->o.output, &st) == 0 && S_ISDIR(st.st_mode))
			cfg->o.output_in = true;	/* the archives go in it */
		else if (many)
			return usage_error("-o '%s' with several DUMPs must be an existing directory",
					   cfg->o.output);
	}
	if (output_dir) {
		cfg->o.output = output_dir;
		cfg->o.output_is_dir = true;
	}
	if (cfg->json && !cfg->o.list)
		return usage_error("%s", "--json needs --list");
	if (cfg->verify && cfg->o.list)
		return usage_error("%s", "--verify and --list are exclusive");
	return -1;
}

/* "savedump: " + a message that may hold dump-derived names, made printable. */
static void print_line(const char *what, const char *msg)
{
	fprintf(stderr, "%s: %s", progname, what);
	sd_fputs_printable(msg, stderr);
	fputc('\n', stderr);
}

/* The directory a dump's archive goes in with --beside, to compare two dumps' by. */
static char *beside_dir(const char *dump)
{
	_cleanup_free_ char *dir = sd_dirname(dump);
	char *real = dir ? realpath(dir, NULL) : NULL;
	return real ? real : take_ptr(dir);
}

/*
 * The default name of each dump (sd_input_default_name()); dumps that
 * would write the same file get a tag made from their paths.
 */
static int default_names(struct config *cfg)
{
	size_t n = cfg->n_dumps;
	_cleanup_free_ bool *clash = calloc(n, sizeof(*clash));
	if (!clash || !(cfg->names = calloc(n, sizeof(*cfg->names))))
		goto oom;
	for (size_t i = 0; i < n; i++)
		if (!(cfg->names[i] = sd_input_default_name(cfg->dumps[i], false)))
			goto oom;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = i + 1; j < n; j++) {
			if (strcmp(cfg->names[i], cfg->names[j]))
				continue;
			if (cfg->o.beside) {
				_cleanup_free_ char *a = beside_dir(cfg->dumps[i]);
				_cleanup_free_ char *b = beside_dir(cfg->dumps[j]);
				if (!a || !b)
					goto oom;
				if (strcmp(a, b))
					continue;
			}
			clash[i] = clash[j] = true;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!clash[i])
			continue;
		free(cfg->names[i]);
		if (!(cfg->names[i] = sd_input_default_name(cfg->dumps[i], true)))
			goto oom;
	}
	return -1;
oom:
	fprintf(stderr, "%s: out of memory\n", progname);
	return EXIT_ERROR;
}

/* With several dumps, each line says which one it is about. */
static void print_error(const struct sd_error *err, const char *dump, bool many)
{
	size_t n = strlen(dump);
	if (many && !(strncmp(err->message, dump, n) == 0 && err->message[n] == ':')) {
		fprintf(stderr, "%s: ", progname);
		sd_fputs_printable(dump, stderr);
		print_line(": ", err->message);
	} else {
		print_line("", err->message);
	}
}

/* How bad an exit status is, to report the worst of several dumps'. */
static int badness(int status)
{
	switch (status) {
	case EXIT_OK:
		return 0;
	case EXIT_INCOMPLETE:
		return 1;
	case EXIT_NOT_SELF_CONTAINED:
		return 2;
	case EXIT_BAD_INPUT:
		return 3;
	case EXIT_ERROR:
		return 4;
	default:
		return 5;	/* EXIT_USAGE */
	}
}

static int exit_for_error(const struct sd_error *err)
{
	switch (err->code) {
	case SD_ERROR_INPUT:
		return EXIT_BAD_INPUT;
	case SD_ERROR_USAGE:
		return EXIT_USAGE;
	default:
		return EXIT_ERROR;
	}
}

/*
 * --coredump: find the core with coredumpctl; it is the stored file, or
 * coredumpctl dump's output on a pipe (*ret_pid). -1 to go on, or an exit status.
 */
static int find_coredump(struct config *cfg, struct sd_coredump *cd, pid_t *ret_pid)
{
	if (!cfg->coredump)
		return -1;
	struct sd_error *err = sd_coredump_find(cfg->coredump, cd);
	if (!err && !cd->storage)
		err = sd_coredump_dump(cd, &cfg->o.dump_fd, ret_pid);
	if (err) {
		print_error(err, cfg->coredump, false);
		int status = exit_for_error(err);
		sd_error_destroy(err);
		return status;
	}
	cfg->o.use_dump_fd = !cd->storage;
	cfg->o.coredump = cd;
	cfg->coredump_dump[0] = cd->name;
	return -1;
}

static void print_vmhwm(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return;
	char line[256];
	while (fgets(line, sizeof(line), f))
		if (sd_str_has_prefix(line, "VmHWM:"))
			fprintf(stderr, "%s: peak memory %s", progname, line + 6 + strspn(line + 6, " \t"));
	fclose(f);
}

/* Without -v, at most this many missing or mismatched items per role are listed. */
enum { REPORT_PER_ROLE = 3 };

static void report_items(const struct sd_plan *plan, int verbose)
{
	char hex[2 * SD_BUILD_ID_MAX + 1];
	size_t shown[SD_ROLE_LAST + 1][SD_STATUS_WANTED + 1] = {{0}};
	size_t total[SD_ROLE_LAST + 1][SD_STATUS_WANTED + 1] = {{0}};
	for (size_t i = 0; i < plan->notes.n; i++)
		print_line("note: ", plan->notes.v[i]);
	for (size_t i = 0; i < plan->n_items; i++)
		total[plan->items[i].role][plan->items[i].status]++;
	for (size_t i = 0; i < plan->n_items; i++) {
		const struct sd_item *it = &plan->items[i];
		if (it->omit)
			continue;
		bool bad = it->status == SD_STATUS_MISSING || it->status == SD_STATUS_MISMATCH;
		if (!bad && verbose < 1)
			continue;
		size_t *n = &shown[it->role][it->status];
		if (verbose < 1 && ++*n > REPORT_PER_ROLE) {
			if (*n == REPORT_PER_ROLE + 1)
				fprintf(stderr, "%s: %s: ... and %zu more %s items (see manifest.json, "
					"or -v)\n", progname, sd_status_name(it->status),
					total[it->role][it->status] - REPORT_PER_ROLE,
					sd_role_name(it->role));
			continue;
		}
		const char *what = it->orig_path ? it->orig_path : it->name ? it->name : "?";
		fprintf(stderr, "%s: %s: %s ", progname, sd_status_name(it->status),
			sd_role_name(it->role));
		sd_fputs_printable(what, stderr);
		if (it->parent != SIZE_MAX) {
			const struct sd_item *p = &plan->items[it->parent];
			fputs(" (for ", stderr);
			sd_fputs_printable(p->orig_path ? p->orig_path : p->name ? p->name : "?", stderr);
			fputc(')', stderr);
		}
		if (it->build_id.len)
			fprintf(stderr, " [%s]", sd_build_id_hex(&it->build_id, hex));
		/* The full list of places tried is for -v and the manifest. */
		if (it->reason && (verbose >= 1 || it->status != SD_STATUS_MISSING)) {
			fputs(": ", stderr);
			sd_fputs_printable(it->reason, stderr);
		}
		if (it->hint && it->status == SD_STATUS_MISSING) {
			fputs("; ", stderr);
			sd_fputs_printable(it->hint, stderr);
		}
		fputc('\n', stderr);
	}
}

static int run(struct config *cfg, bool many)
{
	struct sd_plan plan;
	_cleanup_free_ char *output = NULL;
	int status;
	sd_plan_init(&plan);
	cfg->o.progress_bar = cfg->progress == PROGRESS_BAR ||
			      (cfg->progress == PROGRESS_AUTO && cfg->verbose >= 0 && isatty(2));
	cfg->o.progress_json = cfg->progress == PROGRESS_JSON;

	struct sd_error *err = sd_pipeline_run(&cfg->o, &plan, &output);
	if (err) {
		print_error(err, cfg->o.dump, many);
		status = exit_for_error(err);
		sd_error_destroy(err);
		goto out;
	}
	struct sd_plan_counts counts = sd_plan_count(&plan);
	struct sd_plan_verdict verdict = sd_plan_judge(&plan);
	status = !verdict.self_contained ? EXIT_NOT_SELF_CONTAINED
		 : !verdict.complete	 ? EXIT_INCOMPLETE
					 : EXIT_OK;
	if (plan.damage && cfg->verbose >= 0) {
		fprintf(stderr, "%s: warning: ", progname);
		sd_fputs_printable(cfg->o.dump, stderr);
		fputs(": ", stderr);
		sd_fputs_printable(plan.damage, stderr);
		fputc('\n', stderr);
	}
	if (cfg->o.list) {
		struct sd_manifest_info minfo = { .root = cfg->o.root };
		if (cfg->json)
			sd_manifest_write(stdout, &plan, &minfo);
		else
			sd_plan_print_table(stdout, &plan);
	} else if (cfg->verbose >= 0) {
		/* With several dumps, one line each: what is missing is in the manifests (or -v). */
		if (!many || cfg->verbose >= 1)
			report_items(&plan, cfg->verbose);
		fprintf(stderr, "%s: %s%swrote %s: %zu found, %zu missing, %zu mismatch, "
			"%zu skipped\n", progname, many ? cfg->o.dump : "", many ? ": " : "",
			strcmp(output, "-") ? output : "the archive to standard output",
			counts.found, counts.missing, counts.mismatch, counts.skipped);
	}
	if (cfg->verify && output) {
		/* The archive's own verdict stands; verify can only make it worse. */
		struct sd_verify_options vo = { .verbose = cfg->verbose };
		fflush(stderr);
		int v = sd_verify(output, &vo);
		if (v != SD_VERIFY_EXIT_OK && status == EXIT_OK)
			status = v;
		else if (v != SD_VERIFY_EXIT_OK && v != SD_VERIFY_EXIT_DEGRADED)
			status = v;
	}
out:
	if (cfg->verbose >= 1)
		print_vmhwm();
	sd_plan_deinit(&plan);
	return status;
}

static void put(const char *s)
{
	if (s && write(STDERR_FILENO, s, strlen(s)) < 0)
		return;
}

/*
 * Interrupted (or SIGBUS: a mapped input shrank or hit an I/O error): remove
 * the temporary archive or directory, so nothing partial is left, and say
 * why. Async-signal-safe calls only.
 */
static void on_fatal_signal(int sig)
{
	sd_out_signal_cleanup();
	if (sig == SIGBUS) {
		const char *in = sd_out_signal_input;
		put("savedump: ");
		put(in ? in : "input");
		put(": read failed while archiving it (the file shrank, or an I/O error);"
		    " no archive written\n");
		_exit(EXIT_ERROR);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_fatal_signals(void)
{
	struct sigaction sa = { .sa_handler = on_fatal_signal };
	sigemptyset(&sa.sa_mask);
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGBUS };
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

int main(int argc, char **argv)
{
	struct config cfg = {
		.o = {
			.compression = SD_COMPRESS_ZSTD,
			.root = "/",
			.debuginfod = true,
			.max_mapped_file = SD_MAPPED_FILE_MAX_DEFAULT,
			.max_mapped_total = SD_MAPPED_TOTAL_MAX_DEFAULT,
		},
		.progress = PROGRESS_AUTO,
	};
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return sd_verify_main(argc - 1, argv + 1);
	int status = parse_args(argc, argv, &cfg), worst = EXIT_OK;
	struct sd_coredump cd = { .pid = -1 };
	pid_t cd_pid = -1;
	if (status < 0) {
		/* Many files stay open between resolving and packing. */
		struct rlimit rl;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		catch_fatal_signals();
		/* A reader gone away is an error message (EPIPE), not a silent death. */
		if (cfg.o.output && !strcmp(cfg.o.output, "-"))
			signal(SIGPIPE, SIG_IGN);
		status = find_coredump(&cfg, &cd, &cd_pid);
		if (status < 0)
			status = default_names(&cfg);
	}
	for (size_t i = 0; status < 0 && i < cfg.n_dumps; i++) {
		cfg.o.dump = cfg.dumps[i];
		cfg.o.name = cfg.names[i];
		int st = run(&cfg, cfg.n_dumps > 1);
		if (badness(st) > badness(worst))
			worst = st;
	}
	if (cd_pid > 0) {
		/* coredumpctl dump has ended (its pipe was read to the end, or given up on). */
		close(cfg.o.dump_fd);
		struct sd_error *err = sd_coredump_wait(cd_pid);
		if (err) {
			print_error(err, cfg.o.dump, false);
			if (badness(exit_for_error(err)) > badness(worst))
				worst = exit_for_error(err);
			sd_error_destroy(err);
		}
	}
	sd_coredump_deinit(&cd);
	if (status < 0)
		status = worst;
	for (size_t i = 0; cfg.names && i < cfg.n_dumps; i++)
		free(cfg.names[i]);
	free(cfg.names);
	sd_strv_deinit(&cfg.o.debug_dirs);
	return status;
}
