// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "config.h"
#include "json.h"
#include "util.h"
#include "manifest.h"

/* Bump when the manifest's meaning changes incompatibly. */
enum { MANIFEST_FORMAT = 1 };

static void build_id(struct sd_json *j, const char *key, const struct sd_build_id *id)
{
	char hex[2 * SD_BUILD_ID_MAX + 1];
	if (id->len)
		sd_json_string(j, key, sd_build_id_hex(id, hex));
	else
		sd_json_null(j, key);
}

static void item(struct sd_json *j, const struct sd_plan *plan, const struct sd_item *it)
{
	sd_json_begin_object(j, NULL);
	sd_json_string(j, "role", sd_role_name(it->role));
	sd_json_string(j, "name", it->name);
	sd_json_string(j, "status", sd_status_name(it->status));
	sd_json_string(j, "original_path", it->orig_path);
	sd_json_string(j, "source_path", it->source_path);
	sd_json_string(j, "archive_path",
		       it->packed || it->pack ? it->archive_path : NULL);
	sd_json_begin_array(j, "aliases");
	for (size_t i = 0; i < it->aliases.n; i++)
		sd_json_string(j, NULL, it->aliases.v[i]);
	sd_json_end_array(j);
	build_id(j, "build_id", &it->build_id);
	if (it->status == SD_STATUS_MISMATCH)
		build_id(j, "found_build_id", &it->found_build_id);
	if (it->sha256[0])
		sd_json_string(j, "sha256", it->sha256);
	else
		sd_json_null(j, "sha256");
	if (it->sha256_data[0]) {
		sd_json_string(j, "sha256_data", it->sha256_data);
		sd_json_uint(j, "data_size", it->data_size);
	}
	if (it->pack || it->packed || it->status == SD_STATUS_FOUND)
		sd_json_uint(j, "size", it->size);
	else
		sd_json_null(j, "size");
	sd_json_bool(j, "packed", it->packed);
	sd_json_string(j, "reason", it->reason);
	if (it->hint && it->status == SD_STATUS_MISSING)
		sd_json_string(j, "hint", it->hint);
	if (it->parent != SIZE_MAX && it->parent < plan->n_items) {
		const struct sd_item *p = &plan->items[it->parent];
		sd_json_string(j, "for", p->orig_path ? p->orig_path : p->name);
	}
	sd_json_end_object(j);
}

/*
 * The items that make the verdict what it is: the dump's names for them (for
 * a debug file, the name of the file it serves).
 */
static void lacking(struct sd_json *j, const char *key, const struct sd_plan *plan, bool binary)
{
	sd_json_begin_array(j, key);
	for (size_t i = 0; i < plan->n_items; i++) {
		const struct sd_item *it = &plan->items[i];
		if (!sd_item_lacking(it) || sd_role_is_binary(it->role) != binary)
			continue;
		/* A debug file has no path of its own in the dump: it is that of its binary. */
		const struct sd_item *p = it->parent < plan->n_items ? &plan->items[it->parent] : NULL;
		sd_json_string(j, NULL, it->orig_path ? it->orig_path
				       : p && p->orig_path ? p->orig_path
				       : it->name ? it->name : "?");
	}
	sd_json_end_array(j);
}

void sd_manifest_write(FILE *f, const struct sd_plan *plan, const struct sd_manifest_info *info)
{
	struct sd_json j;
	char hex[2 * SD_BUILD_ID_MAX + 1];
	sd_json_init(&j, f, true);
	sd_json_begin_object(&j, NULL);

	sd_json_begin_object(&j, "savedump");
	sd_json_string(&j, "version", PACKAGE_VERSION);
	sd_json_uint(&j, "manifest_format", MANIFEST_FORMAT);
	sd_json_end_object(&j);

	sd_json_begin_object(&j, "dump");
	sd_json_string(&j, "type", plan->kind == SD_DUMP_KERNEL ? "kernel" : "userland");
	sd_json_string(&j, "format", plan->dump_format);
	sd_json_string(&j, "path", plan->dump_path);
	if (plan->given_copied) {
		/* The file given; the archive holds what it decompresses to (or its copy). */
		sd_json_begin_object(&j, "given");
		sd_json_string(&j, "compression", plan->given_compression);
		sd_json_uint(&j, "size", plan->given_size);
		sd_json_string(&j, "sha256", plan->given_sha256);
		sd_json_end_object(&j);
	}
	if (plan->journal_match) {
		/* systemd-coredump's entry, as coredumpctl gave it. */
		sd_json_begin_object(&j, "journal");
		sd_json_string(&j, "match", plan->journal_match);
		if (plan->journal_pid > 0)
			sd_json_int(&j, "pid", plan->journal_pid);
		else
			sd_json_null(&j, "pid");
		sd_json_string(&j, "executable", plan->journal_executable);
		sd_json_string(&j, "command_line", plan->journal_command_line);
		sd_json_end_object(&j);
	}
	sd_json_string(&j, "arch", plan->arch);
	if (plan->kind == SD_DUMP_USERLAND) {
		sd_json_string(&j, "executable", plan->executable);
		sd_json_string(&j, "command_line", plan->command_line);
		sd_json_string(&j, "cwd", plan->cwd);
		if (plan->pid >= 0)
			sd_json_int(&j, "pid", plan->pid);
		else
			sd_json_null(&j, "pid");
		if (plan->signal >= 0)
			sd_json_int(&j, "signal", plan->signal);
		else
			sd_json_null(&j, "signal");
	} else {
		sd_json_string(&j, "release", plan->release);
		if (plan->kernel_build_id.len)
			sd_json_string(&j, "build_id", sd_build_id_hex(&plan->kernel_build_id, hex));
		else
			sd_json_null(&j, "build_id");
		sd_json_uint(&j, "kernel_offset", plan->kernel_offset);
		/* CRASHTIME is written by the kernel's crash path; QEMU dumps have none. */
		if (plan->crash_time > 0)
			sd_json_int(&j, "crash_time", plan->crash_time);
		else
			sd_json_null(&j, "crash_time");
	}
	sd_json_end_object(&j);

	sd_json_string(&j, "root", info->root);
	if (info->archive_top)
		sd_json_string(&j, "archive_top", info->archive_top);

	struct sd_plan_counts c = sd_plan_count(plan);
	sd_json_begin_object(&j, "summary");
	sd_json_uint(&j, "found", c.found);
	sd_json_uint(&j, "missing", c.missing);
	sd_json_uint(&j, "mismatch", c.mismatch);
	sd_json_uint(&j, "skipped", c.skipped);
	struct sd_plan_verdict v = sd_plan_judge(plan);
	sd_json_bool(&j, "complete", v.complete);
	sd_json_bool(&j, "self_contained", v.self_contained);
	sd_json_bool(&j, "debuginfo_complete", v.debuginfo_complete);
	lacking(&j, "binaries_lacking", plan, true);
	lacking(&j, "debuginfo_lacking", plan, false);
	sd_json_string(&j, "damage", plan->damage);
	sd_json_end_object(&j);

	sd_json_begin_array(&j, "notes");
	for (size_t i = 0; i < plan->notes.n; i++)
		sd_json_string(&j, NULL, plan->notes.v[i]);
	sd_json_end_array(&j);

	sd_json_begin_array(&j, "items");
	for (size_t i = 0; i < plan->n_items; i++)
		if (!plan->items[i].omit)
			item(&j, plan, &plan->items[i]);
	sd_json_end_array(&j);
	sd_json_end_object(&j);
}

void sd_plan_print_table(FILE *f, const struct sd_plan *plan)
{
	char hex[2 * SD_BUILD_ID_MAX + 1];
	fprintf(f, "%-8s %-17s %-40s %s\n", "STATUS", "ROLE", "BUILD-ID", "FILE");
	for (size_t i = 0; i < plan->n_items; i++) {
		const struct sd_item *it = &plan->items[i];
		if (it->omit)
			continue;
		const char *file = it->orig_path ? it->orig_path : it->name ? it->name : "-";
		fprintf(f, "%-8s %-17s %-40s ", sd_status_name(it->status), sd_role_name(it->role),
			it->build_id.len ? sd_build_id_hex(&it->build_id, hex) : "-");
		sd_fputs_printable(file, f);
		if (it->pack) {
			fputs(" -> ", f);
			sd_fputs_printable(it->archive_path, f);
		}
		if (it->source_path && (!it->orig_path || strcmp(it->source_path, it->orig_path))) {
			fputs(" (from ", f);
			sd_fputs_printable(it->source_path, f);
			fputc(')', f);
		}
		if (it->reason && it->status != SD_STATUS_FOUND) {
			fprintf(f, "\n%8s ", "");
			sd_fputs_printable(it->reason, f);
		}
		fputc('\n', f);
	}
	struct sd_plan_counts c = sd_plan_count(plan);
	fprintf(f, "%zu found, %zu missing, %zu mismatch, %zu skipped\n", c.found, c.missing,
		c.mismatch, c.skipped);
}
