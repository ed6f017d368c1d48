// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kallsyms decoder (kallsyms.c) over dump memory. Input: the memory
 * header of fuzz.h, u16 the size of the name buffer, VMCOREINFO (which
 * locates the tables), then the memory.
 */
#include "fuzz.h"
#include "kallsyms.h"
#include "layouts.h"
#include "vmcoreinfo.h"

const char fuzz_name[] = "kallsyms";

/* Symbols expanded one by one per input: the lookups below go through all of them. */
enum { MAX_LISTED = 4096 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct fuzz_mem m;
	struct sd_kmem km = { .read = fuzz_mem_read, .arg = &m };
	fuzz_mem_header(&in, &m, &km);
	size_t bufsize = (size_t)fuzz_uint(&in, 2) % 1024 + 1;
	size_t tlen;
	const char *text = fuzz_text(&in, &tlen);
	fuzz_mem_rest(&in, &m);

	struct sd_vmcoreinfo vi;
	struct sd_error *err = sd_vmcoreinfo_parse(text, tlen, &vi);
	if (err) {
		sd_error_destroy(err);
		return 0;
	}
	struct sd_kallsyms *ks;
	err = sd_kallsyms_load(&km, &vi, &ks);
	sd_vmcoreinfo_deinit(&vi);
	if (err) {
		sd_error_destroy(err);
		return 0;
	}
	uint64_t addr;
	sd_kallsyms_lookup(ks, "modules", &addr);
	sd_kallsyms_lookup(ks, "", &addr);
	/* A buffer of exactly bufsize bytes: ASan sees a write past it. */
	char *buf = malloc(bufsize);
	if (!buf)
		abort();
	uint32_t n = sd_kallsyms_count(ks);
	for (uint32_t i = 0; i < n && i < MAX_LISTED; i++)
		if (sd_kallsyms_symbol(ks, i, buf, bufsize, &addr))
			fuzz_assert(strlen(buf) > 0 && strlen(buf) < bufsize);
	fuzz_assert(!sd_kallsyms_symbol(ks, n, buf, bufsize, &addr));
	free(buf);
	sd_kallsyms_destroy(ks);
	return 0;
}

/* The tables of test-kernel.c: absolute per-cpu and plain relative offsets. */
void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	for (int abs = 1; abs >= 0; abs--) {
		struct fuzz_buf b = { 0 };
		struct mem m = kallsyms_mem(abs);
		fuzz_buf_mem_header(&b, 0, m.base);
		fuzz_buf_uint(&b, 511, 2);
		fuzz_buf_text(&b, ks_vmcoreinfo);
		fuzz_buf_bytes(&b, m.bytes, m.len);
		free(m.bytes);
		fuzz_buf_emit(&b, emit, arg, abs ? "absolute-percpu" : "relative");
	}
}
