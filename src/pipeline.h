/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pipeline, stage by stage (sd_pipeline_run() reads as this list):
 *
 *   open     the dump: probe its format, reassemble a flattened one
 *   inspect  read the dump alone and state its needs   (userland.c, dotnet.c, kernel.c)
 *   resolve  find and verify each needed file in --root (resolve.c)
 *   decide   archive paths, names, size limits         (plan.c, pure)
 *   write    archive or directory, manifest, launchers (pack.c, manifest.c, launcher.c)
 */
#ifndef SAVEDUMP_PIPELINE_H
#define SAVEDUMP_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "output.h"
#include "plan.h"

#define SD_MAPPED_FILE_MAX_DEFAULT ((uint64_t)16 << 20)
#define SD_MAPPED_TOTAL_MAX_DEFAULT ((uint64_t)128 << 20)

struct sd_options {
	const char *dump;	/* "-": standard input */
	/*
	 * NULL: savedump-NAME.tar.EXT in the current directory (or beside the
	 * dump); "-": standard output; with output_in, the directory it goes in.
	 */
	const char *output;
	bool output_in;		/* output is an existing directory to write savedump-NAME.tar.EXT in */
	bool beside;		/* default name, in the dump's directory */
	const char *name;	/* NAME in the default name; NULL: sd_input_default_name(dump) */
	bool use_dump_fd;	/* read the dump from dump_fd (a pipe), named dump */
	int dump_fd;
	/* --coredump: the journal's entry; its executable and command line fill in the core's */
	const struct sd_coredump *coredump;
	bool output_is_dir;
	enum sd_compression compression;
	int level;
	int jobs;		/* 0: all CPUs */
	const char *root;
	struct sd_strv debug_dirs;
	bool list;		/* inspect, resolve and decide; write nothing */
	bool allow_mismatch;
	bool force;
	bool debuginfod;
	bool gdb_auto_load;	/* run-gdb.sh trusts the archive (auto-load safe-path) */
	bool sources;		/* pack the program's own source files (userland) */
	bool progress_bar;
	bool progress_json;
	uint64_t max_size;	/* 0: no limit but the free space */
	/* Non-ELF mapped files are packed up to this size each, and this much in all. */
	uint64_t max_mapped_file;
	uint64_t max_mapped_total;
	/*
	 * Inspect in this process, unconfined, for the --list fuzz target
	 * (libFuzzer sees the coverage of its own process only). Never set
	 * by savedump itself.
	 */
	bool inspect_in_process;
};

/*
 * Run the pipeline on o->dump. The plan (initialised by the caller) holds
 * the outcome, also when an error stops it part way; *ret_output is the
 * output written (NULL with o->list).
 */
struct sd_error *sd_pipeline_run(const struct sd_options *o, struct sd_plan *plan,
				 char **ret_output);

#endif
