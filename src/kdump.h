/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel dumps through libkdumpfile (ELF vmcores, kdump-compressed and
 * diskdump files). The only file that includes libkdumpfile.
 */
#ifndef SAVEDUMP_KDUMP_H
#define SAVEDUMP_KDUMP_H

#include "error.h"
#include "kmem.h"

struct sd_kdump;

/*
 * Open a kernel dump. Does not take ownership of fd, which must stay open
 * while k is used. arch_hint ("x86_64",
 * ...) is used when the dump does not name its architecture (QEMU leaves
 * the kdump header's utsname empty); NULL: guess from VMCOREINFO.
 */
struct sd_error *sd_kdump_open(int fd, const char *name, const char *arch_hint,
			       struct sd_kdump **ret);
void sd_kdump_destroy(struct sd_kdump *k);

/* libkdumpfile's name of the format ("elf", "diskdump", ...). */
const char *sd_kdump_format(struct sd_kdump *k);
const char *sd_kdump_arch(struct sd_kdump *k);
/* The raw VMCOREINFO text (owned by k), or NULL. */
const char *sd_kdump_vmcoreinfo(struct sd_kdump *k);
/* UTS release from the dump header or memory, or NULL. */
const char *sd_kdump_release(struct sd_kdump *k);
/*
 * Whether a read through the memory reader found the file's bytes damaged
 * (a page cut off by truncation, data that does not decompress, an I/O
 * error): what and where, or NULL. A filtered-out page or an unmapped
 * address is no damage.
 */
const char *sd_kdump_damage(const struct sd_kdump *k);
/* Memory reader by kernel virtual address, valid while k lives. */
void sd_kdump_kmem(struct sd_kdump *k, struct sd_kmem *ret);

#endif
