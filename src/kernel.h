/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inspecting a kernel dump: what VMCOREINFO says (release, build-id,
 * KASLR offset, crash time), which modules were loaded (from the dump's own
 * memory: kallsyms + BTF), the kernel log, and from those the needs in the
 * plan: vmlinux with debuginfo, System.map, config, vmlinuz, each module
 * and its debuginfo. Reads the dump only.
 *
 * Kernels whose dumps carry no kallsyms or BTF need vmlinux DWARF for the
 * module list: then inspection has a second step, run once the resolver
 * has found (and verified) a vmlinux.
 */
#ifndef SAVEDUMP_KERNEL_H
#define SAVEDUMP_KERNEL_H

#include <stdbool.h>

#include "kdump.h"
#include "plan.h"

struct sd_kernel;

/* Step 1, from the dump alone. *ret keeps k (borrowed) for step 2. */
struct sd_error *sd_kernel_inspect(struct sd_kdump *k, struct sd_plan *plan,
				   struct sd_kernel **ret);
/* Whether the module list still needs vmlinux DWARF (step 2). */
bool sd_kernel_needs_dwarf(const struct sd_kernel *kin);
/*
 * Step 2: the module list from the DWARF and symbols of a verified vmlinux
 * (or its debug file), fd; -1 when none was found.
 */
struct sd_error *sd_kernel_inspect_dwarf(struct sd_kernel *kin, struct sd_plan *plan, int fd);
void sd_kernel_destroy(struct sd_kernel *kin);

#endif
