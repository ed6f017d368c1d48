// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel log decoders (printk.c: the printk ringbuffer and log_buf)
 * over dump memory. Input: the memory header of fuzz.h, VMCOREINFO (which
 * gives the layout and the addresses), then the memory.
 */
#include "fuzz.h"
#include "layouts.h"
#include "printk.h"
#include "vmcoreinfo.h"

const char fuzz_name[] = "printk";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct fuzz_mem m;
	struct sd_kmem km = { .read = fuzz_mem_read, .arg = &m };
	fuzz_mem_header(&in, &m, &km);
	size_t tlen;
	const char *text = fuzz_text(&in, &tlen);
	fuzz_mem_rest(&in, &m);

	struct sd_vmcoreinfo vi;
	struct sd_error *err = sd_vmcoreinfo_parse(text, tlen, &vi);
	if (err) {
		sd_error_destroy(err);
		return 0;
	}
	char *out = NULL;
	size_t out_len = 0, records = 0;
	FILE *f = open_memstream(&out, &out_len);
	if (!f)
		abort();
	err = sd_printk_write(&km, &vi, f, &records);
	fclose(f);
	if (!err) {
		/* One line per record at least (a record may hold newlines). */
		size_t lines = 0;
		for (size_t i = 0; i < out_len; i++)
			lines += out[i] == '\n';
		fuzz_assert(lines >= records);
	}
	sd_error_destroy(err);
	free(out);
	sd_vmcoreinfo_deinit(&vi);
	return 0;
}

/* The ringbuffer (>= 5.10) and log_buf (< 5.10) of test-kernel.c. */
void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	static const struct {
		const char *name, *vmcoreinfo;
		struct mem (*mem)(void);
	} seeds[] = {
		{ "ringbuffer", prb_vmcoreinfo, prb_mem },
		{ "log-buf", log_buf_vmcoreinfo, log_buf_mem },
	};
	for (size_t i = 0; i < sizeof(seeds) / sizeof(*seeds); i++) {
		struct fuzz_buf b = { 0 };
		struct mem m = seeds[i].mem();
		fuzz_buf_mem_header(&b, 0, m.base);
		fuzz_buf_text(&b, seeds[i].vmcoreinfo);
		fuzz_buf_bytes(&b, m.bytes, m.len);
		free(m.bytes);
		fuzz_buf_emit(&b, emit, arg, seeds[i].name);
	}
}
