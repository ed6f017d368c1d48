/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The collection plan: pure data passed from stage to stage.
 *
 *   inspect (userland.c, dotnet.c, kernel.c)   adds items in status WANTED:
 *                                             needs stated from the dump alone
 *   resolve (resolve.c)                        settles every WANTED item: FOUND,
 *                                             MISMATCH or MISSING, with a reason;
 *                                             the open files go into a table
 *                                             beside the plan (struct sd_files)
 *   decide  (sd_plan_decide(), this file)      archive paths, aliases, reserved
 *                                             names, collisions, size limits
 *   write   (pack.c, manifest.c, launcher.c)   writes what the plan says
 *
 * The plan does no I/O. A file that is not found is an item with status
 * SD_STATUS_MISSING and a reason, not an error.
 */
#ifndef SAVEDUMP_PLAN_H
#define SAVEDUMP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buildid.h"
#include "error.h"
#include "util.h"

enum sd_role {
	SD_ROLE_DUMP,
	SD_ROLE_EXECUTABLE,
	SD_ROLE_LIBRARY,	/* shared object from the link_map or NT_FILE */
	SD_ROLE_MAPPED_FILE,	/* other mapped file (non-ELF: locale data, caches, data files) */
	SD_ROLE_VDSO,
	SD_ROLE_DEBUGINFO,
	SD_ROLE_DWZ,		/* supplementary debug file (.gnu_debugaltlink) */
	SD_ROLE_THREAD_DB,
	SD_ROLE_DOTNET_RUNTIME,	/* DAC, DBI, JIT, createdump, host */
	SD_ROLE_MANAGED,	/* .NET assembly (.dll) */
	SD_ROLE_MANAGED_PDB,
	SD_ROLE_VMLINUX,
	SD_ROLE_VMLINUX_DEBUG,
	SD_ROLE_VMLINUZ,
	SD_ROLE_SYSTEM_MAP,
	SD_ROLE_KCONFIG,
	SD_ROLE_MODULE,
	SD_ROLE_MODULE_DEBUG,
	SD_ROLE_SOURCE,		/* a source file the DWARF names (--sources) */
	SD_ROLE_GENERATED,	/* vmcoreinfo.txt, dmesg.txt: made from the dump */
	/*
	 * A .NET kernel or gdb core rewritten for SOS (fillcore.c), made by the
	 * parent, never by the inspection: last, so planio.c refuses it.
	 */
	SD_ROLE_DOTNET_CORE,
};
/* The last role: tables indexed by role have SD_ROLE_LAST + 1 entries. */
#define SD_ROLE_LAST SD_ROLE_DOTNET_CORE

/* The archive path of a derived core: the dump's, with this appended. */
#define SD_DERIVED_CORE_SUFFIX ".dotnet"

enum sd_status {
	SD_STATUS_FOUND,
	SD_STATUS_MISSING,
	SD_STATUS_MISMATCH,	/* found, but its build-id differs from the dump's */
	SD_STATUS_SKIPPED,	/* deliberately not collected (vdso, deleted, memfd, size limit) */
	SD_STATUS_WANTED,	/* a need not resolved yet; never reaches the writer */
};

/* Where the resolver looks for a WANTED item, in this order. */
enum {
	SD_FIND_PATHS = 1 << 0,		/* the item's candidates (absolute, inside the root) */
	SD_FIND_BUILD_ID = 1 << 1,	/* DEBUGDIR/.build-id/xx/yyyy */
	SD_FIND_KMOD = 1 << 2,		/* a module of plan->release, by name (modules.dep, tree) */
	SD_FIND_DEBUGINFOD = 1 << 3,
	SD_FIND_BUILD_ID_FIRST = 1 << 4,	/* build-id directories before the candidates */
	SD_FIND_GLOB = 1 << 5,		/* candidates may have "*" components (resolve.c) */
};

/* How the resolver accepts a candidate file. */
enum sd_verify {
	SD_VERIFY_BUILD_ID,	/* ELF with build_id (any ELF when build_id is unknown) */
	SD_VERIFY_DEBUG,	/* the same, or else the .gnu_debuglink CRC (debuglink_crc) */
	SD_VERIFY_KMOD,		/* a kernel module, maybe compressed, by build_id */
	SD_VERIFY_EXISTS,	/* any regular file: the dump holds nothing to check it by */
	SD_VERIFY_SYSTEM_MAP,	/* a System.map that is not a distribution's one-line stub */
};

/* What a need that is not found becomes. */
enum sd_if_missing {
	SD_MISSING_REPORT,	/* status missing: the archive is incomplete */
	SD_MISSING_SKIP,	/* status skipped: nice to have (config, vmlinuz) */
	SD_MISSING_OMIT,	/* left out of the manifest: a guess that did not exist (.pdb) */
};

/* Aliases sd_plan_decide() adds for a file that is packed. */
enum {
	SD_ALIAS_FOUND_AT = 1 << 0,	/* the in-root path it was found at */
	SD_ALIAS_BUILD_ID = 1 << 1,	/* usr/lib/debug/.build-id/xx/yyyy (+ .debug for debug files) */
};

struct sd_item {
	enum sd_role role;
	enum sd_status status;
	char *name;		/* module or file name for display */
	char *orig_path;	/* path the dump knows the file by; NULL for generated items */

	/* The need, as the inspector states it. */
	struct sd_strv candidates;	/* in-root paths to try (SD_FIND_PATHS), in order */
	unsigned find;		/* SD_FIND_* */
	enum sd_verify verify;
	uint32_t debuglink_crc;	/* SD_VERIFY_DEBUG without build-ids to compare ... */
	bool check_crc;		/* ... when this is set */
	/* A managed assembly whose PE header is in the dump: what the file found must say. */
	bool pe_known;
	uint32_t pe_timestamp, pe_size_of_image;
	enum sd_if_missing if_missing;
	unsigned alias_flags;	/* SD_ALIAS_* */
	bool want_debug;	/* the resolver adds a need for its debug file(s) */
	char *why;		/* what it is, for the manifest when it is found */

	/* What the resolver found. */
	char *root_path;	/* in-root path it was found at; NULL for debuginfod */
	char *source_path;	/* the file on this machine (root + root_path, or debuginfod's cache) */
	bool compressed;	/* its data is compressed already: stored, not recompressed */
	bool has_debug_info;	/* an ELF file that carries its own DWARF */

	/* What the planner decided. */
	char *archive_path;	/* relative path inside the archive (wanted, then decided) */
	struct sd_strv aliases;	/* other archive paths, stored as symlinks to archive_path */
	bool pack;		/* the writer packs it (at archive_path, with its aliases) */

	struct sd_build_id build_id;	/* expected (from the dump), or of the file if unknown */
	struct sd_build_id found_build_id;	/* of the file found, when it differs */
	char *reason;		/* why missing/mismatch/skipped, or a note */
	char *hint;		/* which package/build-id would provide a missing file */
	uint64_t size;
	char sha256[65];	/* filled in by the writer */
	/* A sparse file mostly holes: sha256 of its data extents, and their size. */
	char sha256_data[65];
	uint64_t data_size;
	bool optional;		/* may be dropped first under --max-size */
	bool dropped;		/* left out by sd_plan_fit() (status skipped) */
	bool omit;		/* SD_MISSING_OMIT applied: not in the manifest */
	bool packed;		/* set by the writer */
	size_t parent;		/* index of the item this one serves (debuginfo of ...), or SIZE_MAX */
	/* Generated content (SD_ROLE_GENERATED, launchers): written from memory. */
	char *content;
	size_t content_len;
};

enum sd_dump_kind { SD_DUMP_USERLAND, SD_DUMP_KERNEL };

struct sd_plan {
	enum sd_dump_kind kind;
	char *dump_path;	/* as given on the command line */
	char *dump_format;	/* "elf-core", "kdump-compressed", ... */
	char *arch;
	/* Userland */
	char *executable;	/* path of the executable, as the dump knows it */
	char *command_line;
	/*
	 * The working directory the process's relative library names imply
	 * (absolute, normalised), or NULL: gdb opens such names against it.
	 */
	char *cwd;
	int pid;
	int signal;
	/* Kernel */
	char *release;
	struct sd_build_id kernel_build_id;
	uint64_t kernel_offset;
	int64_t crash_time;
	struct sd_strv notes;	/* human-readable remarks for the manifest */
	char *damage;		/* the dump is damaged but usable: why (makes the result incomplete) */
	/*
	 * Why the dump's own tables could not list the kernel's modules: the
	 * list waits for the files the resolver finds (sd_kernel_inspect_files()).
	 */
	char *modules_pending;
	/* Why the System.map found is not this kernel's (sd_kernel_inspect_files()). */
	char *system_map_refused;
	size_t dropped;		/* items left out by sd_plan_fit() (makes the result incomplete) */
	/*
	 * The dump as given, when the archive holds a copy of it instead
	 * (decompressed, or read from a pipe): set by pipeline.c, never by
	 * the inspection.
	 */
	bool given_copied;
	const char *given_compression;	/* "zstd", ...; NULL: not compressed */
	uint64_t given_size;
	char given_sha256[65];
	/* --coredump: the journal's entry (coredumpctl), set by pipeline.c. */
	char *journal_match;
	int journal_pid;
	char *journal_executable;
	char *journal_command_line;

	struct sd_item *items;
	size_t n_items, cap_items;
};

void sd_plan_init(struct sd_plan *plan);
void sd_plan_deinit(struct sd_plan *plan);
/* Remove the items from index n on. */
void sd_plan_truncate(struct sd_plan *plan, size_t n);

/*
 * Append a zeroed item (parent SIZE_MAX) with role and status set; *ret
 * points into plan->items and is valid until the next append.
 */
struct sd_error *sd_plan_add(struct sd_plan *plan, enum sd_role role, enum sd_status status,
			     struct sd_item **ret);

/*
 * Append a need: a WANTED item named name (copied; orig_path too when not
 * NULL), looked for with find and accepted by verify. Candidates are added
 * with sd_strv_add(&item->candidates, ...). *ret is valid until the next append.
 */
struct sd_error *sd_plan_need(struct sd_plan *plan, enum sd_role role, const char *name,
			      const char *orig_path, unsigned find, enum sd_verify verify,
			      struct sd_item **ret);

/*
 * Append a generated file (a launcher, vmcoreinfo.txt, dmesg.txt) written
 * from memory under name at the archive's top, with reason saying what it
 * is. Takes ownership of content, also on failure.
 */
struct sd_error *sd_plan_add_generated(struct sd_plan *plan, const char *name, char *content,
				       size_t len, const char *reason);

/* Set an item's strings; each copies (or formats) its argument. */
struct sd_error *sd_item_set(char **field, const char *value);
struct sd_error *sd_item_reason(struct sd_item *item, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Record that the dump is damaged: its bytes, not what they describe (appended
 * to plan->damage, "; "-separated; a reason given already is not repeated).
 */
struct sd_error *sd_plan_damage(struct sd_plan *plan, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Add a line to plan->notes (what the manifest and -v report about the dump). */
struct sd_error *sd_plan_note(struct sd_plan *plan, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Source files (--sources) are packed up to this size in all. */
#define SD_SOURCES_MAX_SIZE ((uint64_t)64 << 20)

/* Inputs of sd_plan_decide(). */
struct sd_decide_options {
	const char *dump_name;	/* archive name wanted for the dump (its file name) */
	const struct sd_strv *debug_dirs;	/* in-root debug directories searched */
	bool allow_mismatch;	/* pack mismatching files too */
	/*
	 * Non-ELF mapped files (SD_ROLE_MAPPED_FILE) found larger than
	 * mapped_file_max, or beyond mapped_total_max in all (in plan order),
	 * are skipped with the reason. Zero packs none.
	 */
	uint64_t mapped_file_max;
	uint64_t mapped_total_max;
};

/*
 * Decide what is packed and where, from the resolved plan alone: the dump's
 * name, archive paths and aliases, and names that cannot both be stored.
 * Archive-owned names (manifest.json, run-*, the generated files) are
 * reserved; an item whose path another item or a reserved name already
 * holds is the same file (then it is recorded as found at the other's path)
 * or is skipped with the reason. Items are claimed in plan order.
 */
struct sd_error *sd_plan_decide(struct sd_plan *plan, const struct sd_decide_options *opts);

/* Whether a top-level archive name belongs to savedump (manifest, launchers, generated files). */
bool sd_plan_name_reserved(const char *name);

/*
 * Leave items out until what is packed fits in limit bytes (sizes plus a
 * tar header each; compressible items count as compress_ratio percent of
 * their size, already-compressed ones in full). Debuginfo goes first, then
 * other optional files, then the rest, largest first in each class; the
 * dump and generated files always stay. Dropped items become
 * SD_STATUS_SKIPPED with why as their reason. SD_ERROR_OTHER if even the
 * dump does not fit.
 */
struct sd_error *sd_plan_fit(struct sd_plan *plan, uint64_t limit, unsigned compress_ratio,
			     const char *why);
/* What the packed items add up to, as sd_plan_fit() counts them. */
uint64_t sd_plan_packed_size(const struct sd_plan *plan, unsigned compress_ratio);

/* Find a packed item by archive path or alias; NULL if none. */
struct sd_item *sd_plan_find_archive_path(struct sd_plan *plan, const char *archive_path);
/* Find an item found (or packed) with this build-id and role class; NULL if none. */
struct sd_item *sd_plan_find_build_id(struct sd_plan *plan, const struct sd_build_id *id,
				      bool debug);

const char *sd_role_name(enum sd_role role);
const char *sd_status_name(enum sd_status status);
/* The role of the debug file of an item of this role. */
enum sd_role sd_role_debug_of(enum sd_role role);
bool sd_role_is_debug(enum sd_role role);

struct sd_plan_counts {
	size_t found, missing, mismatch, skipped;
};
struct sd_plan_counts sd_plan_count(const struct sd_plan *plan);

/*
 * Whether an item of this role is a binary: a file the debugger maps as
 * the program's or the kernel's code (executable, library, .NET runtime
 * file or assembly, vmlinux, module). Everything else (debug files, dwz,
 * libthread_db, data files) only adds to what the debugger can show.
 */
bool sd_role_is_binary(enum sd_role role);

/*
 * What the plan is worth elsewhere. An item is lacking when it is missing,
 * mismatched (even if packed with --allow-mismatch) or left out by
 * sd_plan_fit(); deliberately skipped items (vdso, deleted files) are not.
 */
struct sd_plan_verdict {
	bool self_contained;	/* no binary lacking */
	bool debuginfo_complete;	/* nothing else lacking */
	bool complete;		/* both, and the dump is not damaged */
};
struct sd_plan_verdict sd_plan_judge(const struct sd_plan *plan);
/* Whether the item counts against the verdict (see struct sd_plan_verdict). */
bool sd_item_lacking(const struct sd_item *it);

/*
 * The order the writer packs items in: archive paths in byte order, so that
 * archives are reproducible. Returns indices of the items that have an
 * archive path; items are never moved, so parent indices stay valid.
 */
struct sd_error *sd_plan_order(const struct sd_plan *plan, size_t **ret, size_t *ret_n);

#endif
