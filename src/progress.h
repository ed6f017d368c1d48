/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Progress reporting while packing: a bar on a TTY, or JSON lines for hooks. */
#ifndef SAVEDUMP_PROGRESS_H
#define SAVEDUMP_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct sd_progress;

/* NULL (a valid, silent reporter) when neither bar nor json is wanted. */
struct sd_progress *sd_progress_create(uint64_t total, bool bar, bool json);
void sd_progress_add(void *progress, uint64_t bytes);
void sd_progress_done(struct sd_progress *p);
void sd_progress_destroy(struct sd_progress *p);

#endif
