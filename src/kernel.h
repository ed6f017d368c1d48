/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inspecting a kernel dump: what VMCOREINFO says (release, build-id,
 * KASLR offset, crash time), which modules were loaded (from the dump's own
 * memory: kallsyms + BTF), the kernel log, and from those the needs in the
 * plan: vmlinux with debuginfo, System.map, config, vmlinuz, each module
 * and its debuginfo. Reads the dump only.
 *
 * The module list needs a second step when VMCOREINFO does not locate the
 * kernel's kallsyms (Linux < 6.0: then a System.map from the root, verified,
 * or a search of the kernel image), or when the dump's tables are unusable
 * (then vmlinux DWARF): it runs once the resolver has found those files.
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
/* What step 2 reads besides the dump: files the resolver found in the root. */
struct sd_kernel_files {
	int vmlinux_fd;		/* a vmlinux (or its debug file) with DWARF, verified; or -1 */
	int system_map_fd;	/* a System.map that is not a stub (unverified); or -1 */
	/* Step 1's plan, when it listed the modules: they are cross-checked with DWARF. */
	const struct sd_plan *listed;
};

/*
 * Step 2, once the resolver has run: a System.map is verified against
 * VMCOREINFO (plan->system_map_refused says why one is not this kernel's),
 * and when plan->modules_pending, the module list comes from the first of:
 * the verified System.map with the dump's BTF, kallsyms found in the kernel
 * image (when VMCOREINFO does not locate it), vmlinux DWARF and symbols.
 * A list made from the dump's tables (now or by step 1, files->listed) is
 * cross-checked with vmlinux DWARF when there is one; a note says how they
 * compare.
 */
struct sd_error *sd_kernel_inspect_files(struct sd_kdump *k, struct sd_plan *plan,
					 const struct sd_kernel_files *files);

#endif
