/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inspecting a userland ELF core: which executable and files the process
 * had mapped (NT_FILE), which ELF objects the loader had loaded (link_map,
 * through libdwfl) and their build-ids, and, from those, the needs in the
 * plan. Reads the core only: no file outside it is opened here.
 */
#ifndef SAVEDUMP_USERLAND_H
#define SAVEDUMP_USERLAND_H

#include "elfutils.h"
#include "plan.h"

struct sd_error *sd_userland_inspect(struct sd_core *core, struct sd_plan *plan);

/*
 * .NET (dotnet.c): the runtime files SOS needs when the core maps
 * libcoreclr.so (coreclr), or what can be said of a single-file app, whose
 * executable holds the runtime.
 */
bool sd_dotnet_is_managed_path(const char *path);
struct sd_error *sd_dotnet_inspect(struct sd_core *core, struct sd_plan *plan, bool coreclr);

#endif
