// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The resolver on its own, inside a fake root made per test: each strategy
 * (candidate paths, build-id directories, .gnu_debuglink with CRC, dwz
 * files, the kernel module index, System.map stubs) and what it reports when
 * a file is missing or of another build. The ELF files are written here:
 * just the sections the resolver reads.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "plan.h"
#include "resolve.h"
#include "root.h"
#include "tap.h"

static char root_dir[] = "/tmp/savedump-resolve.XXXXXX";

struct section {
	const char *name;
	uint32_t type;
	const void *data;
	size_t size;
};

static void mkdirs(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	}
}

/* Write root_dir/path with content; returns the full path (static buffer). */
static const char *put(const char *path, const void *data, size_t size)
{
	static char full[4096];
	snprintf(full, sizeof(full), "%s%s", root_dir, path);
	mkdirs(full);
	FILE *f = fopen(full, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	return full;
}

/* An ELF64 relocatable file with the given sections and nothing else. */
static void put_elf(const char *path, const struct section *secs, size_t n)
{
	uint8_t buf[8192] = {0};
	size_t off = sizeof(Elf64_Ehdr);
	char shstr[512] = "";
	size_t shstr_len = 1;
	Elf64_Shdr sh[16] = {{0}};
	for (size_t i = 0; i < n; i++) {
		sh[i + 1].sh_name = (uint32_t)shstr_len;
		memcpy(shstr + shstr_len, secs[i].name, strlen(secs[i].name) + 1);
		shstr_len += strlen(secs[i].name) + 1;
		sh[i + 1].sh_type = secs[i].type;
		sh[i + 1].sh_offset = off;
		sh[i + 1].sh_size = secs[i].size;
		sh[i + 1].sh_addralign = secs[i].type == SHT_NOTE ? 4 : 1;
		memcpy(buf + off, secs[i].data, secs[i].size);
		off = (off + secs[i].size + 7) & ~(size_t)7;
	}
	size_t shstrndx = n + 1;
	sh[shstrndx].sh_name = (uint32_t)shstr_len;
	memcpy(shstr + shstr_len, ".shstrtab", 10);
	shstr_len += 10;
	sh[shstrndx].sh_type = SHT_STRTAB;
	sh[shstrndx].sh_offset = off;
	sh[shstrndx].sh_size = shstr_len;
	sh[shstrndx].sh_addralign = 1;
	memcpy(buf + off, shstr, shstr_len);
	off = (off + shstr_len + 7) & ~(size_t)7;
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = (uint16_t)(n + 2);
	eh->e_shstrndx = (uint16_t)shstrndx;
	eh->e_shoff = off;
	memcpy(buf + off, sh, (n + 2) * sizeof(Elf64_Shdr));
	off += (n + 2) * sizeof(Elf64_Shdr);
	put(path, buf, off);
}

/* A .note.gnu.build-id section body for id (20 bytes of b). */
static size_t build_id_note(uint8_t b, uint8_t *out)
{
	Elf64_Nhdr nh = { .n_namesz = 4, .n_descsz = 20, .n_type = NT_GNU_BUILD_ID };
	memcpy(out, &nh, sizeof(nh));
	memcpy(out + sizeof(nh), "GNU", 4);
	memset(out + sizeof(nh) + 4, b, 20);
	return sizeof(nh) + 4 + 20;
}

static void put_binary(const char *path, uint8_t b, const char *debuglink, uint32_t crc,
		       bool debug_info, const char *altlink, uint8_t alt_b)
{
	uint8_t note[64], link[256], alt[256];
	struct section secs[4];
	size_t n = 0;
	if (b)
		secs[n++] = (struct section){ ".note.gnu.build-id", SHT_NOTE, note,
					      build_id_note(b, note) };
	if (debuglink) {
		size_t l = strlen(debuglink) + 1;
		memset(link, 0, sizeof(link));
		memcpy(link, debuglink, l);
		l = (l + 3) & ~(size_t)3;
		memcpy(link + l, &crc, 4);
		secs[n++] = (struct section){ ".gnu_debuglink", SHT_PROGBITS, link, l + 4 };
	}
	if (debug_info)
		secs[n++] = (struct section){ ".debug_info", SHT_PROGBITS, "DWARF", 5 };
	if (altlink) {
		size_t l = strlen(altlink) + 1;
		memcpy(alt, altlink, l);
		memset(alt + l, alt_b, 20);
		secs[n++] = (struct section){ ".gnu_debugaltlink", SHT_PROGBITS, alt, l + 20 };
	}
	put_elf(path, secs, n);
}

static uint32_t file_crc(const char *path)
{
	char full[4096];
	snprintf(full, sizeof(full), "%s%s", root_dir, path);
	int fd = open(full, O_RDONLY);
	uint8_t buf[8192];
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	return (uint32_t)crc32(0, buf, (uInt)n);
}

static void set_id(struct sd_build_id *id, uint8_t b)
{
	id->len = 20;
	memset(id->bytes, b, 20);
}

struct fixture {
	struct sd_root *root;
	struct sd_resolver r;
	struct sd_plan plan;
	struct sd_files files;
};

static void setup(struct fixture *fx, const char *extra_debug_dir)
{
	struct sd_strv dirs = {0};
	if (extra_debug_dir)
		sd_strv_add(&dirs, extra_debug_dir);
	if (sd_root_create(root_dir, &fx->root) ||
	    sd_resolver_init(&fx->r, fx->root, &dirs, false, false))
		abort();
	sd_strv_deinit(&dirs);
	sd_plan_init(&fx->plan);
	memset(&fx->files, 0, sizeof(fx->files));
}

static void teardown(struct fixture *fx)
{
	sd_files_deinit(&fx->files);
	sd_plan_deinit(&fx->plan);
	sd_resolver_deinit(&fx->r);
	sd_root_destroy(fx->root);
}

static struct sd_item *need(struct fixture *fx, enum sd_role role, const char *path, uint8_t b,
			    unsigned find, enum sd_verify verify)
{
	struct sd_item *it;
	if (sd_plan_need(&fx->plan, role, path ? strrchr(path, '/') + 1 : "x", path, find, verify,
			 &it) ||
	    (path && sd_strv_add(&it->candidates, path)))
		abort();
	if (b)
		set_id(&it->build_id, b);
	return it;
}

static const struct sd_item *find_role(const struct sd_plan *plan, enum sd_role role)
{
	for (size_t i = 0; i < plan->n_items; i++)
		if (plan->items[i].role == role)
			return &plan->items[i];
	return NULL;
}

static void test_paths(void)
{
	struct fixture fx;
	put_binary("/usr/lib/libok.so", 0x11, NULL, 0, true, NULL, 0);
	put_binary("/usr/lib/libold.so", 0x22, NULL, 0, true, NULL, 0);
	setup(&fx, NULL);
	need(&fx, SD_ROLE_LIBRARY, "/usr/lib/libok.so", 0x11, SD_FIND_PATHS, SD_VERIFY_BUILD_ID);
	need(&fx, SD_ROLE_LIBRARY, "/usr/lib/libold.so", 0x33, SD_FIND_PATHS, SD_VERIFY_BUILD_ID);
	need(&fx, SD_ROLE_LIBRARY, "/usr/lib/libgone.so", 0x44, SD_FIND_PATHS, SD_VERIFY_BUILD_ID);
	struct sd_item *any = need(&fx, SD_ROLE_LIBRARY, "/usr/lib/libok.so", 0, SD_FIND_PATHS,
				   SD_VERIFY_BUILD_ID);
	any->if_missing = SD_MISSING_SKIP;
	ok(sd_resolve_plan(&fx.r, &fx.plan, &fx.files) == NULL, "paths: resolve");
	const struct sd_item *it = fx.plan.items;
	ok(it[0].status == SD_STATUS_FOUND && sd_files_fd(&fx.files, 0) >= 0 &&
	   !strcmp(it[0].root_path, "/usr/lib/libok.so") &&
	   sd_str_has_prefix(it[0].source_path, root_dir), "found by path, build-id verified");
	ok(it[1].status == SD_STATUS_MISMATCH && sd_files_fd(&fx.files, 1) < 0 &&
	   it[1].found_build_id.len == 20 && strstr(it[1].reason, "build-id"),
	   "another build is a mismatch, not kept open (%s)", it[1].reason);
	ok(it[2].status == SD_STATUS_MISSING && strstr(it[2].reason, "/usr/lib/libgone.so"),
	   "missing names what was tried (%s)", it[2].reason);
	ok(it[3].status == SD_STATUS_FOUND && it[3].build_id.len == 20 &&
	   strstr(it[3].reason, "not verified"),
	   "no build-id in the dump: the file's is taken, and said so");
	teardown(&fx);
}

static void test_build_id_dir(void)
{
	struct fixture fx;
	put_binary("/usr/lib/debug/.build-id/55/55555555555555555555555555555555555555", 0x55, NULL,
		   0, true, NULL, 0);
	setup(&fx, NULL);
	struct sd_item *it = need(&fx, SD_ROLE_LIBRARY, "/nowhere/libfive.so", 0x55,
				  SD_FIND_PATHS | SD_FIND_BUILD_ID, SD_VERIFY_BUILD_ID);
	(void)it;
	ok(sd_resolve_plan(&fx.r, &fx.plan, &fx.files) == NULL, "build-id dir: resolve");
	ok(fx.plan.items[0].status == SD_STATUS_FOUND &&
	   strstr(fx.plan.items[0].root_path, "/.build-id/55/"),
	   "found through DEBUGDIR/.build-id (%s)", fx.plan.items[0].root_path);
	teardown(&fx);
}

static void test_debuglink(void)
{
	struct fixture fx;
	/* The debug file: no build-id note of its own, found by name + CRC. */
	put_binary("/usr/lib/debug/usr/lib/libdl1.so.debug", 0, NULL, 0, true, NULL, 0);
	uint32_t crc = file_crc("/usr/lib/debug/usr/lib/libdl1.so.debug");
	put_binary("/usr/lib/libdl1.so", 0, "libdl1.so.debug", crc, false, NULL, 0);
	/* A wrong CRC is refused. */
	put_binary("/usr/lib/.debug/libdl2.so.debug", 0, NULL, 0, true, NULL, 0);
	put_binary("/usr/lib/libdl2.so", 0, "libdl2.so.debug", crc + 1, false, NULL, 0);
	setup(&fx, NULL);
	struct sd_item *a = need(&fx, SD_ROLE_LIBRARY, "/usr/lib/libdl1.so", 0, SD_FIND_PATHS,
				 SD_VERIFY_BUILD_ID);
	a->want_debug = true;
	struct sd_item *b = need(&fx, SD_ROLE_LIBRARY, "/usr/lib/libdl2.so", 0, SD_FIND_PATHS,
				 SD_VERIFY_BUILD_ID);
	b->want_debug = true;
	ok(sd_resolve_plan(&fx.r, &fx.plan, &fx.files) == NULL, "debuglink: resolve");
	const struct sd_item *d1 = NULL, *d2 = NULL;
	for (size_t i = 0; i < fx.plan.n_items; i++) {
		const struct sd_item *it = &fx.plan.items[i];
		if (it->role == SD_ROLE_DEBUGINFO && it->parent == 0)
			d1 = it;
		if (it->role == SD_ROLE_DEBUGINFO && it->parent == 1)
			d2 = it;
	}
	ok(d1 && d1->status == SD_STATUS_FOUND &&
	   !strcmp(d1->root_path, "/usr/lib/debug/usr/lib/libdl1.so.debug") &&
	   !strcmp(d1->archive_path, "usr/lib/debug/usr/lib/libdl1.so.debug"),
	   "debuglink: found under the debug directory, CRC checked");
	ok(d2 && d2->status == SD_STATUS_MISSING && strstr(d2->reason, "CRC"),
	   "debuglink with another CRC: refused (%s)", d2 ? d2->reason : "no item");
	teardown(&fx);
}

static void test_dwz_and_debug_dir(void)
{
	struct fixture fx;
	put_binary("/opt/dbg/.build-id/66/66666666666666666666666666666666666666.debug", 0x66, NULL,
		   0, true, "../../.dwz/common", 0x77);
	put_binary("/opt/dbg/.dwz/common", 0x77, NULL, 0, true, NULL, 0);
	put_binary("/usr/bin/six", 0x66, NULL, 0, false, NULL, 0);
	setup(&fx, "/opt/dbg");
	struct sd_item *it = need(&fx, SD_ROLE_EXECUTABLE, "/usr/bin/six", 0x66,
				  SD_FIND_PATHS | SD_FIND_BUILD_ID, SD_VERIFY_BUILD_ID);
	it->want_debug = true;
	ok(sd_resolve_plan(&fx.r, &fx.plan, &fx.files) == NULL, "dwz: resolve");
	const struct sd_item *dbg = find_role(&fx.plan, SD_ROLE_DEBUGINFO);
	const struct sd_item *dwz = find_role(&fx.plan, SD_ROLE_DWZ);
	ok(dbg && dbg->status == SD_STATUS_FOUND && strstr(dbg->root_path, "/opt/dbg/.build-id/"),
	   "debug file from the --debug-dir's build-id tree");
	ok(dwz && dwz->status == SD_STATUS_FOUND && !strcmp(dwz->root_path, "/opt/dbg/.dwz/common"),
	   "dwz file from the debug file's relative altlink (%s)", dwz ? dwz->reason : "no item");
	struct sd_decide_options o = { .dump_name = "core", .debug_dirs = &fx.r.debug_dirs };
	struct sd_item *d;
	sd_plan_add(&fx.plan, SD_ROLE_DUMP, SD_STATUS_FOUND, &d);
	sd_item_set(&d->name, "core");
	ok(sd_plan_decide(&fx.plan, &o) == NULL, "decide");
	dwz = find_role(&fx.plan, SD_ROLE_DWZ);
	ok(dwz->pack && sd_strv_contains(&dwz->aliases, "usr/lib/debug/.dwz/common"),
	   "the dwz file keeps its place, moved under usr/lib/debug");
	teardown(&fx);
}

static void test_modules(void)
{
	struct fixture fx;
	put_binary("/lib/modules/9.9.9/kernel/lib/crc-itu-t.ko", 0x88, NULL, 0, false, NULL, 0);
	put_binary("/usr/lib/debug/lib/modules/9.9.9/kernel/lib/crc-itu-t.ko", 0x88, NULL, 0, true,
		   NULL, 0);
	put_binary("/lib/modules/9.9.9/kernel/fs/other.ko", 0x99, NULL, 0, true, NULL, 0);
	const char dep[] = "kernel/lib/crc-itu-t.ko:\nkernel/fs/other.ko:\n../../../../etc/x.ko:\n";
	put("/lib/modules/9.9.9/modules.dep", dep, sizeof(dep) - 1);
	setup(&fx, NULL);
	fx.plan.release = strdup("9.9.9");
	struct sd_item *m = need(&fx, SD_ROLE_MODULE, NULL, 0x88, SD_FIND_KMOD, SD_VERIFY_KMOD);
	sd_item_set(&m->name, "crc_itu_t");
	m->want_debug = true;
	m = need(&fx, SD_ROLE_MODULE, NULL, 0xaa, SD_FIND_KMOD, SD_VERIFY_KMOD);
	sd_item_set(&m->name, "other");
	m = need(&fx, SD_ROLE_MODULE, NULL, 0xbb, SD_FIND_KMOD, SD_VERIFY_KMOD);
	sd_item_set(&m->name, "outoftree");
	ok(sd_resolve_plan(&fx.r, &fx.plan, &fx.files) == NULL, "modules: resolve");
	const struct sd_item *it = fx.plan.items;
	ok(it[0].status == SD_STATUS_FOUND, "crc_itu_t found through modules.dep");
	is_str(it[0].archive_path, "lib/modules/9.9.9/kernel/lib/crc-itu-t.ko",
	       "... as crc-itu-t.ko, at its place in the archive");
	ok(it[1].status == SD_STATUS_MISMATCH, "a module of another build is a mismatch");
	ok(it[2].status == SD_STATUS_MISSING && strstr(it[2].reason, "out-of-tree"),
	   "a module that is not installed (%s)", it[2].reason);
	const struct sd_item *dbg = find_role(&fx.plan, SD_ROLE_MODULE_DEBUG);
	ok(dbg && dbg->status == SD_STATUS_FOUND &&
	   !strcmp(dbg->archive_path, "usr/lib/debug/lib/modules/9.9.9/kernel/lib/crc-itu-t.ko"),
	   "its debug file from Debian's debug tree");
	teardown(&fx);
}

/* Thousands of modules (the index rehashes), a name twice (the first wins), several read ahead. */
static void test_many_modules(void)
{
	struct fixture fx;
	enum { N = 3000 };
	size_t cap = N * 40 + 256, len = 0;
	char *dep = malloc(cap);
	len += (size_t)snprintf(dep + len, cap - len, "updates/mod-7.ko:\n");
	for (int i = 0; i < N; i++)
		len += (size_t)snprintf(dep + len, cap - len, "kernel/m/mod_%d.ko: kernel/m/mod_0.ko\n", i);
	put("/lib/modules/9.9.8/modules.dep", dep, len);
	free(dep);
	put_binary("/lib/modules/9.9.8/updates/mod-7.ko", 0x71, NULL, 0, false, NULL, 0);
	put_binary("/lib/modules/9.9.8/kernel/m/mod_7.ko", 0x72, NULL, 0, false, NULL, 0);
	put_binary("/lib/modules/9.9.8/kernel/m/mod_2999.ko", 0x73, NULL, 0, false, NULL, 0);
	put_binary("/lib/modules/9.9.8/kernel/m/mod_1234.ko", 0x74, NULL, 0, false, NULL, 0);
	setup(&fx, NULL);
	fx.plan.release = strdup("9.9.8");
	static const struct { const char *name; uint8_t b; } mods[] = {
		{ "mod_7", 0x71 }, { "mod-2999", 0x73 }, { "mod_1234", 0x99 }, { "mod_42", 0x42 },
	};
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		struct sd_item *m = need(&fx, SD_ROLE_MODULE, NULL, mods[i].b, SD_FIND_KMOD,
					 SD_VERIFY_KMOD);
		sd_item_set(&m->name, mods[i].name);
	}
	ok(sd_resolve_plan(&fx.r, &fx.plan, &fx.files) == NULL, "3000 modules: resolve");
	const struct sd_item *it = fx.plan.items;
	ok(it[0].status == SD_STATUS_FOUND &&
	   !strcmp(it[0].archive_path, "lib/modules/9.9.8/updates/mod-7.ko"),
	   "a name listed twice: the first line of modules.dep wins (%s)", it[0].archive_path);
	ok(it[1].status == SD_STATUS_FOUND, "the last of 3000 is found, by its name with '-'");
	ok(it[2].status == SD_STATUS_MISMATCH && it[2].found_build_id.len &&
	   it[2].found_build_id.bytes[0] == 0x74,
	   "a module of another build, read ahead: a mismatch with the file's build-id");
	ok(it[3].status == SD_STATUS_MISSING && strstr(it[3].reason, "mod_42.ko"),
	   "listed in modules.dep but absent: missing, the path tried named (%s)", it[3].reason);
	teardown(&fx);
}

static void test_system_map_and_specials(void)
{
	struct fixture fx;
	const char stub[] = "ffffffffffffffff B The real System.map is in the linux-image-9-dbg package\n";
	put("/boot/System.map-9", stub, sizeof(stub) - 1);
	const char real[] = "ffffffff81000000 T _stext\nffffffff81000010 T other\n";
	put("/usr/lib/debug/boot/System.map-9", real, sizeof(real) - 1);
	put("/boot/stubonly", stub, sizeof(stub) - 1);
	char fifo[4096];
	snprintf(fifo, sizeof(fifo), "%s/usr/lib/fifo.so", root_dir);
	mkfifo(fifo, 0600);
	setup(&fx, NULL);
	struct sd_item *m = need(&fx, SD_ROLE_SYSTEM_MAP, "/boot/System.map-9", 0, SD_FIND_PATHS,
				 SD_VERIFY_SYSTEM_MAP);
	sd_strv_add(&m->candidates, "/usr/lib/debug/boot/System.map-9");
	m = need(&fx, SD_ROLE_SYSTEM_MAP, "/boot/stubonly", 0, SD_FIND_PATHS, SD_VERIFY_SYSTEM_MAP);
	m->if_missing = SD_MISSING_SKIP;
	struct sd_item *p = need(&fx, SD_ROLE_MANAGED_PDB, "/app/none.pdb", 0, SD_FIND_PATHS,
				 SD_VERIFY_EXISTS);
	p->if_missing = SD_MISSING_OMIT;
	need(&fx, SD_ROLE_LIBRARY, "/usr/lib/fifo.so", 0, SD_FIND_PATHS, SD_VERIFY_BUILD_ID);
	need(&fx, SD_ROLE_LIBRARY, "/../../../../etc/passwd", 0, SD_FIND_PATHS, SD_VERIFY_EXISTS);
	ok(sd_resolve_plan(&fx.r, &fx.plan, &fx.files) == NULL, "specials: resolve");
	const struct sd_item *it = fx.plan.items;
	ok(it[0].status == SD_STATUS_FOUND &&
	   !strcmp(it[0].root_path, "/usr/lib/debug/boot/System.map-9"),
	   "a System.map stub is passed over for the real one");
	ok(it[1].status == SD_STATUS_SKIPPED && strstr(it[1].reason, "stub"),
	   "only a stub: skipped, and said so (%s)", it[1].reason);
	ok(it[2].status == SD_STATUS_SKIPPED && it[2].omit, "a guessed .pdb that is absent is omitted");
	ok(it[3].status != SD_STATUS_FOUND && sd_files_fd(&fx.files, 3) < 0,
	   "a FIFO is never accepted (%s)", it[3].reason);
	ok(it[4].status == SD_STATUS_MISSING || (it[4].root_path && strncmp(it[4].source_path,
									  root_dir, strlen(root_dir)) == 0),
	   "'..' never leaves the root");
	teardown(&fx);
}

int main(void)
{
	if (!mkdtemp(root_dir))
		return 99;
	test_paths();
	test_build_id_dir();
	test_debuglink();
	test_dwz_and_debug_dir();
	test_modules();
	test_many_modules();
	test_system_map_and_specials();
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root_dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", root_dir);
	return tap_done();
}
