// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VMCOREINFO parser (vmcoreinfo.c) and its lookups. Input: the note's
 * text as a dump holds it (not NUL-terminated, any bytes).
 */
#include "fuzz.h"
#include "layouts.h"
#include "vmcoreinfo.h"

const char fuzz_name[] = "vmcoreinfo";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sd_vmcoreinfo vi;
	struct sd_error *err = sd_vmcoreinfo_parse((const char *)data, size, &vi);
	if (err) {
		fuzz_assert(size > SD_VMCOREINFO_MAX || err->code == SD_ERROR_NOMEM);
		sd_error_destroy(err);
		return 0;
	}
	fuzz_assert(vi.raw_len <= size && strlen(vi.raw) == vi.raw_len);
	fuzz_assert(!memcmp(vi.raw, data, vi.raw_len));
	for (size_t i = 0; i < vi.n; i++) {
		const char *k = vi.lines[i].key;
		fuzz_assert(*k && !strchr(k, '=') && !strchr(k, '\n') && !strchr(vi.lines[i].value, '\n'));
		fuzz_assert(sd_vmcoreinfo_get(&vi, k) != NULL);
		uint64_t x;
		int64_t d;
		sd_vmcoreinfo_hex(&vi, k, &x);
		sd_vmcoreinfo_dec(&vi, k, &d);
		size_t kl = strlen(k);
		/* SYMBOL(name) is the same lookup as its key, when the key fits. */
		if (kl > 8 && kl < 128 && !strncmp(k, "SYMBOL(", 7) && k[kl - 1] == ')') {
			char name[128];
			memcpy(name, k + 7, kl - 8);
			name[kl - 8] = '\0';
			uint64_t a = 0, b = 0;
			bool found = sd_vmcoreinfo_symbol(&vi, name, &a);
			fuzz_assert(found == sd_vmcoreinfo_hex(&vi, k, &b) && a == b);
		}
	}
	uint64_t x;
	int64_t d;
	sd_vmcoreinfo_hex(&vi, "KERNELOFFSET", &x);
	sd_vmcoreinfo_dec(&vi, "PAGESIZE", &d);
	sd_vmcoreinfo_symbol(&vi, "prb", &x);
	sd_vmcoreinfo_deinit(&vi);
	return 0;
}

/* --- seeds -------------------------------------------------------------------------------- */

/* What Debian's 6.1 kernel writes, shortened; the values are made up. */
static const char debian_like[] =
	"OSRELEASE=6.1.0-28-amd64\n"
	"BUILD-ID=3f4e1ac8a1e2b3c4d5e6f708192a3b4c5d6e7f80\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_uts_ns)=ffffffff8aa13700\n"
	"OFFSET(uts_namespace.name)=0\n"
	"SYMBOL(node_online_map)=ffffffff8ab0a3c0\n"
	"SYMBOL(swapper_pg_dir)=ffffffff8a80a000\n"
	"SYMBOL(_stext)=ffffffff89e00000\n"
	"SYMBOL(vmap_area_list)=ffffffff8aa35170\n"
	"SYMBOL(mem_section)=ffff8fd6bfffc000\n"
	"LENGTH(mem_section)=2048\n"
	"SIZE(mem_section)=16\n"
	"OFFSET(mem_section.section_mem_map)=0\n"
	"NUMBER(SECTION_SIZE_BITS)=27\n"
	"NUMBER(MAX_PHYSMEM_BITS)=46\n"
	"SIZE(page)=64\n"
	"OFFSET(page.flags)=0\n"
	"OFFSET(page.compound_head)=8\n"
	"NUMBER(PG_lru)=4\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"SYMBOL(kallsyms_names)=ffffffff8a5c6278\n"
	"SYMBOL(kallsyms_num_syms)=ffffffff8a5c6270\n"
	"SYMBOL(kallsyms_token_table)=ffffffff8a7a1f38\n"
	"SYMBOL(kallsyms_token_index)=ffffffff8a7a22d8\n"
	"SYMBOL(kallsyms_offsets)=ffffffff8a4e0700\n"
	"SYMBOL(kallsyms_relative_base)=ffffffff8a5c6268\n"
	"SYMBOL(prb)=ffffffff8a6a6f98\n"
	"KERNELOFFSET=8e00000\n"
	"KERNELPAGES=41184\n"
	"NUMBER(phys_base)=0\n"
	"CRASHTIME=1733070000\n";

void fuzz_seeds(fuzz_emit_fn *emit, void *arg)
{
	emit(arg, "debian-6.1", debian_like, sizeof(debian_like) - 1);
	emit(arg, "kallsyms", ks_vmcoreinfo, sizeof(ks_vmcoreinfo) - 1);
	emit(arg, "prb", prb_vmcoreinfo, sizeof(prb_vmcoreinfo) - 1);
	emit(arg, "log-buf", log_buf_vmcoreinfo, sizeof(log_buf_vmcoreinfo) - 1);
	static const char garbage[] = "\x01\x02=\xff\n==\nKEY\nSYMBOL(x)=zz\nKERNELOFFSET=1f000000\n"
				      "PAGESIZE=4096\nOSRELEASE=";
	emit(arg, "garbage", garbage, sizeof(garbage) - 1);
}
