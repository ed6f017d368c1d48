/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inspecting a kernel dump: what VMCOREINFO says (release, build-id,
 * KASLR offset, crash time), which modules were loaded (from the dump's own
 * memory: kallsyms + BTF, or vmlinux DWARF as a fallback), the kernel log,
 * and from those the plan: vmlinux with debuginfo, System.map, config,
 * vmlinuz, each module and its debuginfo, all verified by build-id.
 */
#ifndef SAVEDUMP_KERNEL_H
#define SAVEDUMP_KERNEL_H

#include "kdump.h"
#include "plan.h"
#include "resolve.h"

struct sd_error *sd_kernel_inspect(struct sd_kdump *k, struct sd_resolver *r,
				   struct sd_plan *plan);

/* Normalise a module name the way the kernel does ('-' and '_' are the same). */
void sd_kmod_normalize(char *name);

#endif
