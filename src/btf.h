/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel's BTF, read out of a dump and parsed with libbpf (the only file that includes it). */
#ifndef SAVEDUMP_BTF_H
#define SAVEDUMP_BTF_H

#include "error.h"
#include "kmem.h"
#include "ktypes.h"

/* vmlinux BTF is ~5 MB for a distribution kernel; refuse absurd sizes. */
enum { SD_BTF_MAX = 64 << 20 };

/* How much of the kernel image sd_btf_find() reads, at most, and how many headers it tries. */
enum { SD_BTF_SCAN_MAX_BYTES = 64 << 20, SD_BTF_SCAN_MAX_TRIES = 64 };

struct sd_btf;

/* Read [start, stop) (__start_BTF, __stop_BTF) from the dump and parse it. */
struct sd_error *sd_btf_load(const struct sd_kmem *mem, uint64_t start, uint64_t stop,
			     struct sd_btf **ret);
/*
 * Find the kernel's BTF in [lo, hi) of the kernel image by its header, when
 * no symbol gives __start_BTF: a struct btf_header (include/uapi/linux/btf.h:
 * magic 0xeB9F in the dump's byte order, version 1, hdr_len 24, sections
 * 4-byte aligned, inside [lo, hi) and at most SD_BTF_MAX), 4-byte aligned as
 * the linker places .BTF (include/asm-generic/vmlinux.lds.h), that libbpf
 * parses and that defines struct must_have. The search reads at most
 * max_bytes (0: SD_BTF_SCAN_MAX_BYTES) from hi down, where .BTF lies (near
 * the end of .rodata), and tries at most SD_BTF_SCAN_MAX_TRIES headers.
 * *ret_addr gets where it starts. An SD_ERROR_INPUT error says what was
 * searched.
 */
struct sd_error *sd_btf_find(const struct sd_kmem *mem, uint64_t lo, uint64_t hi,
			     uint64_t max_bytes, const char *must_have, struct sd_btf **ret,
			     uint64_t *ret_addr);
void sd_btf_destroy(struct sd_btf *b);
void sd_btf_ktypes(struct sd_btf *b, struct sd_ktypes *ret);

#endif
