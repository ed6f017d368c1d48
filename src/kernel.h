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

/*
 * Step 1, from the dump alone. When the dump's own tables cannot list the
 * modules, plan->modules_pending says why.
 */
struct sd_error *sd_kernel_inspect(struct sd_kdump *k, struct sd_plan *plan);
/*
 * Step 2, when plan->modules_pending: the module list from the DWARF and
 * symbols of a verified vmlinux (or its debug file), fd; -1 when none was
 * found, which leaves the list unknown, said so in the plan.
 */
struct sd_error *sd_kernel_inspect_dwarf(struct sd_kdump *k, struct sd_plan *plan, int fd);

#endif
