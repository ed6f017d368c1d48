/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel log, read from a dump's memory the way VMCOREINFO describes
 * it (kernel/printk/printk.c, log_buf_vmcoreinfo_setup()):
 *  - Linux >= 5.10: the lockless printk ringbuffer (printk_ringbuffer.h):
 *    a descriptor ring (state + text position) with an info array (seq,
 *    timestamp, text length) and a data ring of text blocks, each block
 *    starting with its descriptor id;
 *  - older kernels: the variable-length struct printk_log records in log_buf.
 * The output is "[seconds.micros] text" per record, like dmesg. All sizes
 * come from VMCOREINFO and the dump, and are capped.
 */
#ifndef SAVEDUMP_PRINTK_H
#define SAVEDUMP_PRINTK_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "kmem.h"
#include "vmcoreinfo.h"

/* log_buf_len is at most 32 MiB (CONFIG_LOG_BUF_SHIFT <= 25); descriptors fewer than 2^22. */
enum {
	SD_PRINTK_MAX_DATA_BITS = 26,
	SD_PRINTK_MAX_DATA = 1 << SD_PRINTK_MAX_DATA_BITS,
	SD_PRINTK_MAX_DESC_BITS = 22,
	/* Each ring of descriptors or infos: Linux's are at most 2^20 of 24 and 88 bytes. */
	SD_PRINTK_MAX_RING = 256 * 1024 * 1024,
};

struct sd_error *sd_printk_write(const struct sd_kmem *mem, const struct sd_vmcoreinfo *vi,
				 FILE *out, size_t *ret_records);

#endif
