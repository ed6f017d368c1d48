// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The checks a dump passes before any third-party parser sees it (dump.c):
 * the format probe, the ELF and kdump headers, the notes and VMCOREINFO a
 * kernel dump hands to libkdumpfile. Input: a whole dump file.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "dump.h"
#include "fuzz.h"
#include "seed-dumps.h"

const char fuzz_name[] = "dumpcheck";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("dump", MFD_CLOEXEC);
	fuzz_assert(fd >= 0);
	fuzz_assert(size == 0 || write(fd, data, size) == (ssize_t)size);
	enum sd_dump_format format;
	struct sd_error *err = sd_dump_probe(fd, "dump", &format);
	if (!err) {
		fuzz_assert(format <= SD_FORMAT_FLATTENED);
		if (format != SD_FORMAT_FLATTENED)
			err = sd_dump_check_kernel(fd, "dump");
	}
	/* Refusals are input errors with a one-line message, never anything else. */
	if (err) {
		fuzz_assert(err->code == SD_ERROR_INPUT || err->code == SD_ERROR_NOMEM ||
			    err->code == SD_ERROR_OS);
		fuzz_assert(err->message && !strchr(err->message, '\n'));
		sd_error_destroy(err);
	}
	close(fd);
	return 0;
}

void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	seed_dumps(emit, arg);
}
