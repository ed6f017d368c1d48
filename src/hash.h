/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 (OpenSSL libcrypto; the only file that includes it). */
#ifndef SAVEDUMP_HASH_H
#define SAVEDUMP_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct sd_sha256;

struct sd_error *sd_sha256_create(struct sd_sha256 **ret);
void sd_sha256_update(struct sd_sha256 *h, const void *buf, size_t len);
/* Writes 64 hex digits and a NUL to out, and resets h for reuse. */
void sd_sha256_final(struct sd_sha256 *h, char out[65]);
void sd_sha256_destroy(struct sd_sha256 *h);

#endif
