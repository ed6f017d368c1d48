/* SPDX-License-Identifier: GPL-2.0-or-later */
/* manifest.json and the --list views of a plan. */
#ifndef SAVEDUMP_MANIFEST_H
#define SAVEDUMP_MANIFEST_H

#include <stdio.h>

#include "plan.h"

struct sd_manifest_info {
	const char *root;		/* --root */
	const char *archive_top;	/* top-level directory inside the archive, or NULL */
};

/* Write the plan as JSON (manifest.json, and --list --json). */
void sd_manifest_write(FILE *f, const struct sd_plan *plan, const struct sd_manifest_info *info);

/* Write the plan as a table for people (--list). */
void sd_plan_print_table(FILE *f, const struct sd_plan *plan);

#endif
