// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flatten.h"
#include "hash.h"
#include "output.h"
#include "util.h"

static int64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

struct sd_error *sd_flattened_reassemble(int fd, const char *name, int out_fd,
					 struct sd_sha256 *h, uint64_t *ret_size,
					 bool *ret_truncated)
{
	uint8_t hdr[SD_FLAT_HEADER_SIZE];
	if (lseek(fd, 0, SEEK_SET) < 0)
		return sd_error_errno(errno, "%s", name);
	ssize_t n = sd_read_full(fd, hdr, sizeof(hdr));
	if (n < 0)
		return sd_error_errno(errno, "%s", name);
	if (n < 32 || memcmp(hdr, "makedumpfile", 12) != 0)
		return sd_error_create(SD_ERROR_INPUT, "%s: not a flattened dump", name);
	if (n < (ssize_t)sizeof(hdr))
		return sd_error_create(SD_ERROR_INPUT, "%s: truncated flattened dump header", name);
	if (h)
		sd_sha256_update(h, hdr, sizeof(hdr));
	int64_t type = be64(hdr + 16), version = be64(hdr + 24);
	if (type != 1)
		return sd_error_create(SD_ERROR_INPUT,
				       "%s: flattened dump of unknown type %lld (version %lld)", name,
				       (long long)type, (long long)version);

	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	void *buf = malloc(SD_IO_BUFSZ);
	if (!buf)
		return &sd_enomem;
	struct sd_error *err = NULL;
	uint64_t size = 0, records = 0;
	bool ended = false;
	for (;;) {
		uint8_t rec[16];
		n = sd_read_full(fd, rec, sizeof(rec));
		if (n < 0) {
			err = sd_error_errno(errno, "%s", name);
			break;
		}
		if (h)
			sd_sha256_update(h, rec, (size_t)n);
		if (n < (ssize_t)sizeof(rec))
			break;	/* no end record: truncated */
		int64_t off = be64(rec), len = be64(rec + 8);
		if (off == -1 && len == -1) {
			ended = true;
			break;
		}
		if (off < 0 || len < 0 || (uint64_t)off > SD_FLAT_MAX_OFFSET ||
		    (uint64_t)len > SD_FLAT_MAX_RECORD) {
			err = sd_error_create(SD_ERROR_INPUT,
					      "%s: flattened record %llu is corrupt (offset %lld, size %lld)",
					      name, (unsigned long long)records, (long long)off,
					      (long long)len);
			break;
		}
		records++;
		uint64_t pos = (uint64_t)off, left = (uint64_t)len;
		while (left) {
			size_t want = left > SD_IO_BUFSZ ? SD_IO_BUFSZ : (size_t)left;
			ssize_t got = sd_read_full(fd, buf, want);
			if (got < 0) {
				err = sd_error_errno(errno, "%s", name);
				break;
			}
			if (got == 0)
				break;
			if (h)
				sd_sha256_update(h, buf, (size_t)got);
			if (pwrite(out_fd, buf, (size_t)got, (off_t)pos) != got) {
				err = sd_error_errno(errno ? errno : EIO,
						     "cannot write the reassembled dump");
				break;
			}
			pos += (uint64_t)got;
			left -= (uint64_t)got;
			if ((size_t)got < want)
				break;
		}
		if (pos > size)
			size = pos;
		if (err || left)
			break;
	}
	/* Whatever follows the end record still belongs to the file's checksum. */
	while (!err && ended && h) {
		ssize_t got = sd_read_full(fd, buf, SD_IO_BUFSZ);
		if (got < 0)
			err = sd_error_errno(errno, "%s", name);
		if (got <= 0)
			break;
		sd_sha256_update(h, buf, (size_t)got);
	}
	free(buf);
	if (err)
		return err;
	if (ftruncate(out_fd, (off_t)size) < 0)
		return sd_error_errno(errno, "cannot write the reassembled dump");
	*ret_size = size;
	*ret_truncated = !ended;
	return NULL;
}
