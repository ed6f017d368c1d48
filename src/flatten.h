/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The flattened dump format (makedumpfile -F, and QEMU's dump-guest-memory
 * -z/-l/-s, which is always flattened): a 4 KiB header, then records of
 * (offset, size, data) that place data in the real dump file, ending with
 * an (-1, -1) record. libkdumpfile 0.5.1 cannot read it, so savedump writes
 * the real file back (what makedumpfile -R does), streaming, with bounded
 * memory. Layout from makedumpfile's makedumpfile.h (struct
 * makedumpfile_header, struct makedumpfile_data_header; big-endian).
 */
#ifndef SAVEDUMP_FLATTEN_H
#define SAVEDUMP_FLATTEN_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* Caps on what one record may claim. */
enum {
	SD_FLAT_HEADER_SIZE = 4096,
};
#define SD_FLAT_MAX_RECORD (UINT64_C(1) << 30)
#define SD_FLAT_MAX_OFFSET (UINT64_C(1) << 46)

/*
 * Read the flattened dump in fd (from its start) and write the dump it
 * describes into out_fd (a new, empty file; holes stay holes). A missing
 * end record is reported through *ret_truncated, not as an error: what was
 * read is still a usable, partial dump.
 */
struct sd_sha256;
/* Every byte read from fd is also fed to h (if not NULL): the original's checksum. */
struct sd_error *sd_flattened_reassemble(int fd, const char *name, int out_fd,
					 struct sd_sha256 *h, uint64_t *ret_size,
					 bool *ret_truncated);

#endif
