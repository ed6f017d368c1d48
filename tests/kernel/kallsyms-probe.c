// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kallsyms-probe: run the kallsyms search (sd_kallsyms_scan) on a real kernel
 * and compare what it finds with the real System.map. Not part of savedump;
 * built on demand (make tests/kernel/kallsyms-probe) for the fixture kernels.
 *
 *   kallsyms-probe vmlinux VMLINUX SYSTEM.MAP
 *	the image's PT_LOAD segments stand in for the dump's memory (link
 *	addresses, no KASLR); VMCOREINFO's SYMBOL()s are taken from the map.
 *   kallsyms-probe dump VMCORE [SYSTEM.MAP]
 *	the dump itself (libkdumpfile), its own VMCOREINFO; the map, when
 *	given, is relocated by KERNELOFFSET and verified (sd_sysmap_load).
 *
 * Prints how the tables were found, the time and peak RSS, the addresses of
 * modules/__start_BTF/__stop_BTF, and how many symbols agree with the map.
 * Exit status 0 only when the tables were found, the three symbols resolve
 * and every symbol the map has agrees.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "btf.h"
#include "kallsyms.h"
#include "kdump.h"
#include "kmodules.h"
#include "sysmap.h"
#include "util.h"
#include "vmcoreinfo.h"

struct seg {
	uint64_t vaddr, size;
	const uint8_t *data;
};

struct image {
	struct seg segs[32];
	int n;
};

static size_t image_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	const struct image *im = arg;
	for (int i = 0; i < im->n; i++) {
		const struct seg *s = &im->segs[i];
		if (addr >= s->vaddr && addr - s->vaddr < s->size) {
			uint64_t off = addr - s->vaddr;
			size_t n = len < s->size - off ? len : (size_t)(s->size - off);
			memcpy(buf, s->data + off, n);
			return n;
		}
	}
	return 0;
}

static bool load_image(const char *path, struct image *im)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return false;
	const uint8_t *f = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (f == MAP_FAILED || (size_t)st.st_size < sizeof(Elf64_Ehdr) ||
	    memcmp(f, ELFMAG, SELFMAG) || f[EI_CLASS] != ELFCLASS64)
		return false;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)f;
	for (int i = 0; i < eh->e_phnum && im->n < 32; i++) {
		const Elf64_Phdr *ph =
			(const Elf64_Phdr *)(f + eh->e_phoff + (size_t)i * eh->e_phentsize);
		if (ph->p_type != PT_LOAD || ph->p_offset + ph->p_filesz > (uint64_t)st.st_size)
			continue;
		im->segs[im->n++] = (struct seg){ ph->p_vaddr, ph->p_filesz, f + ph->p_offset };
	}
	return im->n > 0;
}

/* Every "name address" pair of the map (relocated as sd_sysmap does), sorted, to look up exactly. */
struct pair {
	const char *name;
	uint64_t addr;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : x->addr < y->addr ? -1 : x->addr > y->addr;
}

static struct pair *map_pairs(char *text, uint64_t offset, size_t *ret_n)
{
	size_t n = 0, cap = 0;
	struct pair *v = NULL;
	uint64_t text_addr = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long long a;
		char type, name[1100];
		if (sscanf(line, "%llx %c %1099s", &a, &type, name) != 3)
			continue;
		if (!text_addr && !strcmp(name, "_text"))
			text_addr = a;
		if (!sd_grow(&v, &cap, n + 1, sizeof(*v)))
			exit(2);
		v[n].name = strdup(name);
		v[n++].addr = a;
	}
	for (size_t i = 0; i < n; i++)
		if (v[i].addr >= text_addr)
			v[i].addr += offset;
	qsort(v, n, sizeof(*v), cmp_pair);
	*ret_n = n;
	return v;
}

static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	char *buf = NULL;
	if (fd < 0)
		return NULL;
	struct sd_error *err = sd_read_small_fd(fd, SD_SYSMAP_MAX_BYTES + 1, &buf, len);
	close(fd);
	if (err) {
		sd_error_destroy(err);
		return NULL;
	}
	return buf;
}

/* VMCOREINFO as a kernel would write it, from the link-time map. */
static const char *const vmcoreinfo_names[] = {
	"_stext", "init_uts_ns", "node_online_map", "swapper_pg_dir", "vmap_area_list",
	"mem_map", "contig_page_data", "mem_section", "init_top_pgt", "node_data", "prb",
	"printk_rb_static", "clear_seq", "log_buf", "log_buf_len", NULL,
};

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long maxrss_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "vmlinux") && strcmp(argv[1], "dump"))) {
		fprintf(stderr, "usage: kallsyms-probe vmlinux VMLINUX SYSTEM.MAP\n"
				"       kallsyms-probe dump VMCORE [SYSTEM.MAP]\n");
		return 2;
	}
	bool dump = !strcmp(argv[1], "dump");
	const char *map_path = argc > 3 ? argv[3] : NULL;
	size_t map_len = 0;
	char *map_text = map_path ? slurp(map_path, &map_len) : NULL;
	if (map_path && !map_text) {
		fprintf(stderr, "cannot read %s\n", map_path);
		return 2;
	}
	struct sd_error *err;
	struct sd_vmcoreinfo vi;
	struct sd_kmem mem = { .ptr_size = 8 };
	static struct image im;
	struct sd_kdump *k = NULL;
	int fd = -1;
	long rss0 = maxrss_kb();
	if (dump) {
		fd = open(argv[2], O_RDONLY);
		if (fd < 0 || (err = sd_kdump_open(fd, argv[2], NULL, &k))) {
			fprintf(stderr, "cannot open %s\n", argv[2]);
			return 2;
		}
		sd_kdump_kmem(k, &mem);
		const char *raw = sd_kdump_vmcoreinfo(k);
		if (!raw || (err = sd_vmcoreinfo_parse(raw, strlen(raw), &vi))) {
			fprintf(stderr, "no VMCOREINFO\n");
			return 2;
		}
	} else {
		if (!map_text || !load_image(argv[2], &im)) {
			fprintf(stderr, "cannot load %s\n", argv[2]);
			return 2;
		}
		mem.read = image_read;
		mem.arg = &im;
		struct sd_sysmap *m0;
		if ((err = sd_sysmap_parse(map_text, map_len, 0, &m0))) {
			fprintf(stderr, "%s\n", err->message);
			return 2;
		}
		char text[4096] = "OSRELEASE=probe\nKERNELOFFSET=0\n";
		for (int i = 0; vmcoreinfo_names[i]; i++) {
			uint64_t a;
			if (sd_sysmap_lookup(m0, vmcoreinfo_names[i], &a))
				snprintf(text + strlen(text), sizeof(text) - strlen(text),
					 "SYMBOL(%s)=%llx\n", vmcoreinfo_names[i],
					 (unsigned long long)a);
		}
		sd_sysmap_destroy(m0);
		if ((err = sd_vmcoreinfo_parse(text, strlen(text), &vi)))
			return 2;
	}
	uint64_t offset = 0;
	sd_vmcoreinfo_hex(&vi, "KERNELOFFSET", &offset);

	/* The first run also pays for page faults (or decompression): run it twice. */
	struct sd_kallsyms *ks = NULL;
	double t0 = now(), first_run = 0, c0 = 0;
	int runs = getenv("PROBE_RUNS") ? atoi(getenv("PROBE_RUNS")) : 2;
	for (int run = 0; run < runs; run++) {
		sd_kallsyms_destroy(ks);
		ks = NULL;
		t0 = now();
		c0 = cpu();
		err = sd_kallsyms_scan(&mem, &vi, NULL, &ks);
		if (!run)
			first_run = now() - t0;
		if (err)
			break;
	}
	double t1 = now(), c1 = cpu();
	if (err) {
		printf("scan: %s (%.3f s)\n", err->message, t1 - t0);
		return 1;
	}
	printf("scan: %s\n", sd_kallsyms_describe(ks));
	uint64_t modules = 0, start = 0, stop = 0;
	bool ok = sd_kallsyms_lookup(ks, "modules", &modules) &&
		  sd_kallsyms_lookup(ks, "__start_BTF", &start) &&
		  sd_kallsyms_lookup(ks, "__stop_BTF", &stop);
	double t2 = now();
	printf("scan: %.3f s (%.3f s CPU; first run %.3f s), lookups %.3f s, peak RSS %ld KiB "
	       "(%ld KiB before)\n", t1 - t0, c1 - c0, first_run, t2 - t1, maxrss_kb(), rss0);
	printf("modules=%#llx __start_BTF=%#llx __stop_BTF=%#llx (%s)\n",
	       (unsigned long long)modules, (unsigned long long)start, (unsigned long long)stop,
	       ok ? "all found" : "NOT all found");

	/*
	 * A dump: the whole module list from it alone, as savedump walks it (BTF
	 * between the bounds found, struct module through libbpf), printed as
	 * "name build-id" lines like the fixtures' truth/buildids.
	 */
	if (dump && ok) {
		double t4 = now(), c4 = cpu();
		struct sd_btf *btf = NULL;
		struct sd_kmodule *mods = NULL;
		size_t n_mods = 0;
		struct sd_ktypes types;
		if ((err = sd_btf_load(&mem, start, stop, &btf))) {
			printf("BTF: %s\n", err->message);
			return 1;
		}
		sd_btf_ktypes(btf, &types);
		if ((err = sd_kmodules_walk(&mem, &types, modules, &mods, &n_mods))) {
			printf("modules: %s\n", err->message);
			return 1;
		}
		printf("module list: %zu modules, BTF and walk %.3f s (%.3f s CPU); scan, BTF and "
		       "walk %.3f s; peak RSS %ld KiB\n", n_mods, now() - t4, cpu() - c4,
		       now() - t4 + (t1 - t0), maxrss_kb());
		for (size_t i = 0; i < n_mods; i++) {
			char hex[2 * SD_BUILD_ID_MAX + 1];
			sd_hex(mods[i].build_id.bytes, mods[i].build_id.len, hex);
			printf("module %s %s\n", mods[i].name, hex);
		}
		free(mods);
		sd_btf_destroy(btf);
	}

	/* Linux >= 6.0: the same tables through VMCOREINFO must be what the search found. */
	struct sd_kallsyms *loaded = NULL;
	if (dump && !(err = sd_kallsyms_load(&mem, &vi, &loaded))) {
		uint32_t n = sd_kallsyms_count(ks), same = 0;
		for (uint32_t i = 0; i < n && n == sd_kallsyms_count(loaded); i++) {
			char a[1100], b[1100];
			uint64_t x, y;
			same += sd_kallsyms_symbol(ks, i, a, sizeof(a), &x) &&
				sd_kallsyms_symbol(loaded, i, b, sizeof(b), &y) && !strcmp(a, b) &&
				x == y;
		}
		printf("VMCOREINFO's kallsyms: %u symbols, %u equal to the search's\n",
		       sd_kallsyms_count(loaded), same);
		ok = ok && same == n && n == sd_kallsyms_count(loaded);
		sd_kallsyms_destroy(loaded);
	} else if (dump) {
		printf("VMCOREINFO's kallsyms: %s\n", err->message);
		sd_error_destroy(err);
	}

	if (map_text) {
		struct sd_sysmap *map;
		unsigned matches = 0;
		double t3 = now(), c3 = cpu();
		if ((err = sd_sysmap_parse(map_text, map_len, offset, &map)) ||
		    (err = sd_sysmap_verify(map, &vi, 0, &matches))) {
			printf("System.map: %s\n", err->message);
			return 1;
		}
		printf("System.map: %zu symbols, %u VMCOREINFO symbols confirm it (%.3f s, "
		       "%.3f s CPU)\n", sd_sysmap_count(map), matches, now() - t3, cpu() - c3);
		size_t n_pairs, same = 0, other = 0, absent = 0, shown = 0;
		char *copy = strndup(map_text, map_len);
		struct pair *pairs = map_pairs(copy, offset, &n_pairs);
		for (uint32_t i = 0; i < sd_kallsyms_count(ks); i++) {
			char name[1100];
			uint64_t a, b;
			if (!sd_kallsyms_symbol(ks, i, name, sizeof(name), &a))
				continue;
			struct pair key = { name + 1, a };
			if (bsearch(&key, pairs, n_pairs, sizeof(*pairs), cmp_pair)) {
				same++;
			} else if (sd_sysmap_lookup(map, name + 1, &b)) {
				other++;
				if (shown++ < 5)
					printf("  differs: %s at %#llx, map %#llx\n", name,
					       (unsigned long long)a, (unsigned long long)b);
			} else {
				absent++;
				if (shown++ < 10)
					printf("  not in the map: %s\n", name);
			}
		}
		free(copy);
		uint64_t m2;
		bool mods_ok = sd_sysmap_lookup(map, "modules", &m2) && m2 == modules &&
			       sd_sysmap_lookup(map, "__start_BTF", &m2) && m2 == start &&
			       sd_sysmap_lookup(map, "__stop_BTF", &m2) && m2 == stop;
		printf("kallsyms vs System.map: %zu in the map at that address, %zu at another, "
		       "%zu not in the map; modules and BTF bounds %s\n",
		       same, other, absent, mods_ok ? "equal" : "DIFFER");
		ok = ok && mods_ok && other == 0;
		sd_sysmap_destroy(map);
	}
	sd_kallsyms_destroy(ks);
	sd_vmcoreinfo_deinit(&vi);
	if (k)
		sd_kdump_destroy(k);
	free(map_text);
	return ok ? 0 : 1;
}
