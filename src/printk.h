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

/*
 * Bounds on what VMCOREINFO and the dump may make us allocate, far above
 * any real kernel: log_buf_len is 32 MiB at most by CONFIG_LOG_BUF_SHIFT
 * (<= 25), the ringbuffer has 2^(shift - 5) descriptors, struct prb_desc
 * is 24 bytes (12 on 32-bit), struct printk_info 88 and struct printk_log
 * 16 or 24.
 */
enum {
	SD_PRINTK_MAX_DATA_BITS = 26,
	SD_PRINTK_MAX_DATA = 1 << SD_PRINTK_MAX_DATA_BITS,
	SD_PRINTK_MIN_DATA_BITS = 4,
	SD_PRINTK_MAX_DESC_BITS = 22,
	SD_PRINTK_MAX_DESC_SIZE = 64,
	SD_PRINTK_MAX_INFO_SIZE = 512,
	SD_PRINTK_MAX_RING = 128 << 20,	/* descriptors or infos: count * struct size */
	SD_PRINTK_MAX_LOG_HEADER = 256,
};

struct sd_error *sd_printk_write(const struct sd_kmem *mem, const struct sd_vmcoreinfo *vi,
				 FILE *out, size_t *ret_records);

#endif
