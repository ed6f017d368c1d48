/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 (OpenSSL libcrypto) and CRC-32 (zlib); the only file that includes either. */
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

/* The CRC-32 that .gnu_debuglink records (the zlib/IEEE 802.3 one). */
uint32_t sd_crc32_update(uint32_t crc, const void *buf, size_t len);
/* CRC-32 of a whole file; returns false with errno set on read errors. */
int sd_crc32_fd(int fd, uint32_t *ret);

#endif
