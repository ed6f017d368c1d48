/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VMCOREINFO: the "KEY=VALUE" lines the kernel leaves for dump tools
 * (kernel/crash_core.c, crash_save_vmcoreinfo_init()). Values are strings;
 * SYMBOL() and KERNELOFFSET are hex, OFFSET()/SIZE()/LENGTH()/NUMBER() and
 * the rest decimal.
 */
#ifndef SAVEDUMP_VMCOREINFO_H
#define SAVEDUMP_VMCOREINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* The kernel's buffer is one page; accept a few more. */
enum { SD_VMCOREINFO_MAX = 64 * 1024 };

struct sd_vmcoreinfo_line {
	char *key, *value;
};

struct sd_vmcoreinfo {
	char *raw;		/* the text as found, NUL-terminated */
	size_t raw_len;
	struct sd_vmcoreinfo_line *lines;	/* in the order of the text */
	size_t n, cap;
};

/* Parse text (not necessarily NUL-terminated); lines without '=' are ignored. */
struct sd_error *sd_vmcoreinfo_parse(const char *text, size_t len, struct sd_vmcoreinfo *ret);
void sd_vmcoreinfo_deinit(struct sd_vmcoreinfo *vi);

/*
 * Refuse VMCOREINFO text (a whole note, as found) that libkdumpfile 0.5.1
 * cannot take safely: SD_ERROR_INPUT naming the line. is_linux: a Linux
 * VMCOREINFO note (PAGESIZE is checked), not VMCOREINFO_XEN.
 */
struct sd_error *sd_vmcoreinfo_check(const char *text, size_t len, bool is_linux);

/* The value of key ("OSRELEASE", "SYMBOL(modules)", "OFFSET(module.list)"), or NULL. */
const char *sd_vmcoreinfo_get(const struct sd_vmcoreinfo *vi, const char *key);
/* Parse a value as hex (SYMBOL, KERNELOFFSET) or decimal; false if absent or malformed. */
bool sd_vmcoreinfo_hex(const struct sd_vmcoreinfo *vi, const char *key, uint64_t *ret);
bool sd_vmcoreinfo_dec(const struct sd_vmcoreinfo *vi, const char *key, int64_t *ret);
/* SYMBOL(name), hex. */
bool sd_vmcoreinfo_symbol(const struct sd_vmcoreinfo *vi, const char *name, uint64_t *ret);

#endif
