// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The whole --list path on one input file: probe, inspection (run in this
 * process, so that libFuzzer sees its coverage; savedump itself runs it in
 * a sandboxed child), the plan's encoding and decoding, resolution in an
 * empty root, decisions and launchers. Input: a whole dump file.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "pipeline.h"
#include "seed-dumps.h"

const char fuzz_name[] = "list";

static const char *empty_root(void)
{
	static char dir[] = "/tmp/savedump-fuzz-root.XXXXXX";
	static bool made;
	if (!made) {
		fuzz_assert(mkdtemp(dir) != NULL);
		made = true;
	}
	return dir;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("dump", MFD_CLOEXEC);
	fuzz_assert(fd >= 0);
	fuzz_assert(size == 0 || write(fd, data, size) == (ssize_t)size);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct sd_options o = {
		.dump = path,
		.root = empty_root(),
		.list = true,
		.compression = SD_COMPRESS_ZSTD,
		.inspect_in_process = true,
	};
	struct sd_plan plan;
	sd_plan_init(&plan);
	char *output = NULL;
	struct sd_error *err = sd_pipeline_run(&o, &plan, &output);
	fuzz_assert(output == NULL);
	if (err) {
		fuzz_assert(err->message && err->code != SD_ERROR_USAGE);
		sd_error_destroy(err);
	} else {
		for (size_t i = 0; i < plan.n_items; i++) {
			const struct sd_item *it = &plan.items[i];
			fuzz_assert(it->status != SD_STATUS_WANTED);
			fuzz_assert(it->parent == SIZE_MAX || it->parent < plan.n_items);
			if (it->pack)
				fuzz_assert(it->archive_path && it->archive_path[0] != '/' &&
					    !strstr(it->archive_path, "../"));
		}
	}
	sd_plan_deinit(&plan);
	close(fd);
	return 0;
}

void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	seed_dumps(emit, arg);
}
