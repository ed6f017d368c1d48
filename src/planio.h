/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plan as bytes, so that a stage can run in a sandboxed child process
 * (sandbox.h) and hand its result back to the parent over a pipe. The
 * reader treats the bytes as untrusted: the child parsed a hostile dump and
 * may have been subverted by it, so every length, count, enum and index is
 * checked before use.
 */
#ifndef SAVEDUMP_PLANIO_H
#define SAVEDUMP_PLANIO_H

#include <stddef.h>

#include "plan.h"

/* Encode plan into a malloc'ed buffer. */
struct sd_error *sd_plan_encode(const struct sd_plan *plan, char **ret, size_t *ret_len);

/*
 * Merge an encoded plan into plan: its items are appended (parents shifted
 * accordingly), its notes added, its damage joined, and its other fields
 * taken where it sets them (a string not NULL, a number not at its initial
 * value). SD_ERROR_INPUT for malformed bytes; plan is
 * then unchanged but for items already appended, which are dropped.
 */
struct sd_error *sd_plan_decode(const void *buf, size_t len, struct sd_plan *plan);

#endif
