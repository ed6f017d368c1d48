/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel's BTF, read out of a dump and parsed with libbpf (the only file that includes it). */
#ifndef SAVEDUMP_BTF_H
#define SAVEDUMP_BTF_H

#include "error.h"
#include "kmem.h"
#include "ktypes.h"

/* vmlinux BTF is ~5 MB for a distribution kernel; refuse absurd sizes. */
enum { SD_BTF_MAX = 64 << 20 };

struct sd_btf;

/* Read [start, stop) (__start_BTF, __stop_BTF) from the dump and parse it. */
struct sd_error *sd_btf_load(const struct sd_kmem *mem, uint64_t start, uint64_t stop,
			     struct sd_btf **ret);
void sd_btf_destroy(struct sd_btf *b);
void sd_btf_ktypes(struct sd_btf *b, struct sd_ktypes *ret);

#endif
