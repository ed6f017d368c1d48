/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The collection plan: what the archive will hold. Inspecting a dump and
 * resolving its files fill it in; the writer (pack.c) executes it. The plan
 * does no I/O itself. A file that is not found is an item with status
 * SD_STATUS_MISSING and a reason, not an error.
 */
#ifndef SAVEDUMP_PLAN_H
#define SAVEDUMP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "util.h"

enum sd_role {
	SD_ROLE_DUMP,
	SD_ROLE_EXECUTABLE,
	SD_ROLE_LIBRARY,	/* shared object from the link_map or NT_FILE */
	SD_ROLE_MAPPED_FILE,	/* other mapped file (non-ELF, not needed by debuggers) */
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
	SD_ROLE_GENERATED,	/* vmcoreinfo.txt, dmesg.txt: made from the dump */
};

enum sd_status {
	SD_STATUS_FOUND,
	SD_STATUS_MISSING,
	SD_STATUS_MISMATCH,	/* found, but its build-id differs from the dump's */
	SD_STATUS_SKIPPED,	/* deliberately not collected (vdso, deleted, memfd, size limit) */
};

enum { SD_BUILD_ID_MAX = 64 };

struct sd_build_id {
	uint8_t bytes[SD_BUILD_ID_MAX];
	size_t len;	/* 0: unknown */
};

struct sd_item {
	enum sd_role role;
	enum sd_status status;
	char *name;		/* module or file name for display */
	char *orig_path;	/* path the dump knows the file by; NULL for generated items */
	char *source_path;	/* path opened on this machine (inside --root), if any */
	char *archive_path;	/* relative path inside the archive; NULL when not packed */
	struct sd_strv aliases;	/* other archive paths, stored as symlinks to archive_path */
	struct sd_build_id build_id;	/* expected (from the dump), or of the file if unknown */
	struct sd_build_id found_build_id;	/* of the file found, when it differs */
	char *reason;		/* why missing/mismatch/skipped, or a note */
	char *hint;		/* which package/build-id would provide a missing file */
	int fd;			/* open, verified source; -1 if none. Owned. */
	uint64_t size;
	char sha256[65];	/* filled in by the writer */
	/* A sparse file mostly holes: sha256 of its data extents, and their size. */
	char sha256_data[65];
	uint64_t data_size;
	bool optional;		/* may be dropped first under --max-size */
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
	int pid;
	int signal;
	/* Kernel */
	char *release;
	struct sd_build_id kernel_build_id;
	uint64_t kernel_offset;
	int64_t crash_time;
	struct sd_strv notes;	/* human-readable remarks for the manifest */
	char *damage;		/* the dump is damaged but usable: why (makes the result incomplete) */
	size_t dropped;		/* items left out by sd_plan_fit() (makes the result incomplete) */

	struct sd_item *items;
	size_t n_items, cap_items;
};

void sd_plan_init(struct sd_plan *plan);
void sd_plan_deinit(struct sd_plan *plan);

/*
 * Append a zeroed item (fd -1, parent SIZE_MAX) with role and status set;
 * *ret points into plan->items and is valid until the next append.
 */
struct sd_error *sd_plan_add(struct sd_plan *plan, enum sd_role role, enum sd_status status,
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

/* Record that the dump is damaged (appended to plan->damage, "; "-separated). */
struct sd_error *sd_plan_damage(struct sd_plan *plan, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Add a line to plan->notes (what the manifest and -v report about the dump). */
struct sd_error *sd_plan_note(struct sd_plan *plan, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Leave items out until what is packed fits in limit bytes (file sizes plus
 * a tar header each; compression only makes it smaller). Debuginfo goes
 * first, then other optional files, then the rest, largest first in each
 * class; the dump and generated files always stay. Dropped items become
 * SD_STATUS_SKIPPED with why as their reason. SD_ERROR_OTHER if even the
 * dump does not fit.
 */
struct sd_error *sd_plan_fit(struct sd_plan *plan, uint64_t limit, const char *why);
/* What the packed items add up to, as sd_plan_fit() counts. */
uint64_t sd_plan_packed_size(const struct sd_plan *plan);

/* Find a packed item by archive path or alias; NULL if none. */
struct sd_item *sd_plan_find_archive_path(struct sd_plan *plan, const char *archive_path);
/* Find an item with a found file of this build-id and role class; NULL if none. */
struct sd_item *sd_plan_find_build_id(struct sd_plan *plan, const struct sd_build_id *id,
				      bool debug);

const char *sd_role_name(enum sd_role role);
const char *sd_status_name(enum sd_status status);
/* Lower-case hex, or "" when unknown. Writes into buf (2 * SD_BUILD_ID_MAX + 1). */
const char *sd_build_id_hex(const struct sd_build_id *id, char *buf);
bool sd_build_id_eq(const struct sd_build_id *a, const struct sd_build_id *b);

struct sd_plan_counts {
	size_t found, missing, mismatch, skipped;
};
struct sd_plan_counts sd_plan_count(const struct sd_plan *plan);

/*
 * The order the writer packs items in: archive paths in byte order, so that
 * archives are reproducible. Returns indices of the items that have an
 * archive path; items are never moved, so parent indices stay valid.
 */
struct sd_error *sd_plan_order(const struct sd_plan *plan, size_t **ret, size_t *ret_n);

#endif
