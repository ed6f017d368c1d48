// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * .NET (CoreCLR) cores. The debugger's SOS extension needs, besides the
 * native files the core maps, the runtime's data access component (DAC,
 * libmscordaccore.so) and debugger interface (DBI, libmscordbi.so) of the
 * exact runtime build, from the directory libcoreclr.so was loaded from,
 * and the managed assemblies (.dll, mapped as plain files) with their .pdb
 * files. Anonymous double-mapped JIT memory (/memfd:doublemapper) is in the
 * core itself and is skipped with the other memfds.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cleanup.h"
#include "fillcore.h"
#include "pe.h"
#include "userland.h"
#include "util.h"

enum { PE_HEADERS_READ = 4096 };

bool sd_dotnet_is_managed_path(const char *path)
{
	size_t n = strlen(path);
	return n > 4 && (strcasecmp(path + n - 4, ".dll") == 0 ||
			 strcasecmp(path + n - 4, ".exe") == 0);
}

/* Runtime files next to libcoreclr.so that SOS and dotnet-dump need. */
static const struct {
	const char *name, *what;
} runtime_files[] = {
	{ "libmscordaccore.so", "the DAC (data access component) SOS reads the runtime with" },
	{ "libmscordbi.so", "the DBI (debugger interface)" },
	{ "libclrjit.so", "the JIT" },
	{ "libcoreclr.so", "the runtime" },
	{ "createdump", "createdump" },
};

static bool listed(const struct sd_plan *plan, const char *path)
{
	for (size_t i = 0; i < plan->n_items; i++)
		if (plan->items[i].orig_path && strcmp(plan->items[i].orig_path, path) == 0)
			return true;
	return false;
}

static struct sd_error *runtime_need(struct sd_plan *plan, const char *path, const char *what,
				     enum sd_if_missing if_missing)
{
	if (listed(plan, path))
		return NULL;	/* mapped, so collected already */
	struct sd_item *item;
	struct sd_error *err;
	if ((err = sd_plan_need(plan, SD_ROLE_DOTNET_RUNTIME, sd_basename(path), path,
				SD_FIND_PATHS, SD_VERIFY_EXISTS, &item)) ||
	    (err = sd_strv_add(&item->candidates, path)) ||
	    (err = sd_item_set(&item->archive_path, sd_archive_path_of(path))))
		return err;
	item->if_missing = if_missing;
	item->want_debug = true;
	/* These are not in the core, so there is no build-id to check them against. */
	if (asprintf(&item->why, "%s, from the runtime directory of the dump's libcoreclr.so",
		     what) < 0) {
		item->why = NULL;
		return &sd_enomem;
	}
	return NULL;
}

/* The .pdb beside an assembly, if there is one: most ship without. */
static struct sd_error *pdb_need(struct sd_plan *plan, size_t dll_index)
{
	const char *dll = plan->items[dll_index].orig_path;
	size_t n = strlen(dll);
	_cleanup_free_ char *pdb = strdup(dll);
	if (!pdb)
		return &sd_enomem;
	memcpy(pdb + n - 4, isupper((unsigned char)pdb[n - 3]) ? ".PDB" : ".pdb", 4);
	if (listed(plan, pdb))
		return NULL;
	struct sd_item *item;
	struct sd_error *err;
	if ((err = sd_plan_need(plan, SD_ROLE_MANAGED_PDB, sd_basename(pdb), pdb, SD_FIND_PATHS,
				SD_VERIFY_EXISTS, &item)) ||
	    (err = sd_strv_add(&item->candidates, pdb)) ||
	    (err = sd_item_set(&item->archive_path, sd_archive_path_of(pdb))))
		return err;
	item->parent = dll_index;
	item->optional = true;
	item->if_missing = SD_MISSING_OMIT;
	return NULL;
}

struct mem {
	const uint8_t *p;
	size_t len;
};

static size_t mem_read(void *arg, uint64_t off, void *buf, size_t len)
{
	const struct mem *m = arg;
	if (off >= m->len)
		return 0;
	size_t n = len < m->len - off ? len : m->len - (size_t)off;
	memcpy(buf, m->p + off, n);
	return n;
}

/*
 * What a managed assembly's file must say: the TimeDateStamp and SizeOfImage
 * of the PE header mapped from its offset 0, when the dump holds that page
 * (createdump dumps do; a kernel core without file-backed mappings in its
 * coredump_filter does not, and the file is then taken as found).
 */
static void pe_expect(struct sd_core *core, struct sd_item *it)
{
	const struct sd_file_note *fn = sd_core_files(core);
	for (size_t i = 0; i < fn->n; i++) {
		const struct sd_file_mapping *m = &fn->maps[i];
		if (m->pgoff != 0 || m->end <= m->start || strcmp(m->path, it->orig_path) != 0)
			continue;
		uint8_t buf[PE_HEADERS_READ];
		size_t want = m->end - m->start < sizeof(buf) ? (size_t)(m->end - m->start)
							      : sizeof(buf);
		struct mem mem = { buf, sd_core_read(core, m->start, buf, want) };
		struct sd_pe_info pe;
		struct sd_error *err = sd_pe_parse(mem_read, &mem, mem.len, &pe);
		if (err) {
			sd_error_destroy(err);
			continue;
		}
		it->pe_known = true;
		it->pe_timestamp = pe.timestamp;
		it->pe_size_of_image = pe.size_of_image;
		return;
	}
}

/*
 * A single-file app links the runtime into its executable, which exports
 * DotNetRuntimeInfo (dotnet/runtime src/coreclr/debug/runtimeinfo):
 * "DotNetRuntimeInfo\0" padded to 20 bytes, an int version, then the
 * build-ids of the runtime, the DAC and the DBI, each as a length byte and
 * up to 23 bytes. It is looked for in the executable's mappings in the
 * core, at most SCAN_MAX bytes of them (a full dump has them all).
 */
enum {
	SCAN_MAX = 64 << 20,
	SCAN_CHUNK = 1 << 20,
	RUNTIME_INFO_SIZE = 24 + 3 * 24,
	RUNTIME_INFO_VERSION_MAX = 64,
};

static bool runtime_info_at(const uint8_t *p, struct sd_build_id *ids)
{
	static const char sig[] = "DotNetRuntimeInfo";
	if (memcmp(p, sig, sizeof(sig)) != 0 || p[18] || p[19])
		return false;
	uint32_t version = p[20] | (uint32_t)p[21] << 8 | (uint32_t)p[22] << 16 |
			   (uint32_t)p[23] << 24;
	if (version == 0 || version > RUNTIME_INFO_VERSION_MAX)
		return false;
	for (int i = 0; i < 3; i++) {
		const uint8_t *idx = p + 24 + 24 * i;
		if (idx[0] < 8 || idx[0] > 23)
			return false;
		ids[i].len = idx[0];
		memcpy(ids[i].bytes, idx + 1, idx[0]);
	}
	return true;
}

/*
 * A NativeAOT app exports DotNetRuntimeDebugHeader (dotnet/runtime
 * src/coreclr/nativeaot/Runtime/DebugHeader.cpp): the cookie "DNDH", then
 * 16-bit major and minor versions (5.0 in .NET 10).
 */
static bool aot_header_at(const uint8_t *p, struct sd_build_id *unused)
{
	(void)unused;
	unsigned major = p[4] | (unsigned)p[5] << 8, minor = p[6] | (unsigned)p[7] << 8;
	return memcmp(p, "DNDH", 4) == 0 && major >= 1 && major <= RUNTIME_INFO_VERSION_MAX &&
	       minor <= RUNTIME_INFO_VERSION_MAX;
}

/* The first structure match() accepts in buf[0, len) (each has up to RUNTIME_INFO_SIZE bytes). */
static bool scan(const uint8_t *buf, size_t len, bool (*match)(const uint8_t *, struct sd_build_id *),
		 struct sd_build_id *ids)
{
	if (len < RUNTIME_INFO_SIZE)
		return false;
	size_t last = len - RUNTIME_INFO_SIZE;
	for (size_t k = 0; k <= last; k++) {
		const uint8_t *hit = memchr(buf + k, 'D', last + 1 - k);
		if (!hit)
			return false;
		k = (size_t)(hit - buf);
		if (match(hit, ids))
			return true;
	}
	return false;
}

static bool find_in_exe(struct sd_core *core, const char *exe,
			bool (*match)(const uint8_t *, struct sd_build_id *), struct sd_build_id *ids)
{
	enum { WINDOW = SCAN_CHUNK + RUNTIME_INFO_SIZE };	/* chunks overlap by a structure */
	const struct sd_file_note *fn = sd_core_files(core);
	_cleanup_free_ uint8_t *buf = malloc(WINDOW);
	uint64_t budget = SCAN_MAX;
	if (!buf || !exe)
		return false;
	for (size_t i = 0; i < fn->n && budget; i++) {
		const struct sd_file_mapping *m = &fn->maps[i];
		if (strcmp(m->path, exe) != 0 || m->end <= m->start)
			continue;
		for (uint64_t at = m->start; at < m->end && budget;) {
			uint64_t left = m->end - at;
			size_t want = left < WINDOW ? (size_t)left : WINDOW;
			if (scan(buf, sd_core_read(core, at, buf, want), match, ids))
				return true;
			uint64_t step = left < SCAN_CHUNK ? left : SCAN_CHUNK;
			at += step;
			budget = budget > step ? budget - step : 0;
		}
	}
	return false;
}

/*
 * createdump writes a page headed "DIAGINFOHEADER" at this address; kernel
 * and gdb cores have none.
 */
#define DIAGINFO_ADDR 0x7ffffff10000ULL

static bool has_diaginfo(struct sd_core *core)
{
	static const char sig[] = "DIAGINFOHEADER";
	char buf[sizeof(sig)];
	return sd_core_read(core, DIAGINFO_ADDR, buf, sizeof(buf)) == sizeof(buf) &&
	       memcmp(buf, sig, sizeof(sig) - 1) == 0;
}

/* Whether every byte of path's file mappings is in the core (at most SCAN_MAX read). */
static bool mapped_in_core(struct sd_core *core, const char *path)
{
	const struct sd_file_note *fn = sd_core_files(core);
	_cleanup_free_ uint8_t *buf = malloc(SCAN_CHUNK);
	uint64_t budget = SCAN_MAX;
	if (!buf)
		return true;	/* cannot tell: say nothing */
	for (size_t i = 0; i < fn->n; i++) {
		const struct sd_file_mapping *m = &fn->maps[i];
		if (strcmp(m->path, path) != 0 || m->end <= m->start)
			continue;
		for (uint64_t at = m->start; at < m->end && budget;) {
			uint64_t left = m->end - at;
			size_t want = left < SCAN_CHUNK ? (size_t)left : SCAN_CHUNK;
			if (sd_core_read(core, at, buf, want) != want)
				return false;
			at += want;
			budget = budget > want ? budget - want : 0;
		}
	}
	return true;
}

/*
 * A kernel core with the default coredump_filter (0x33) holds only the first
 * page of each file mapping (p_filesz 0x1000, p_memsz the whole mapping), and
 * gdb's gcore none of the read-only ones. dotnet-dump (clrmd) and lldb read
 * the rest as zeros, not from the module files: the DAC then finds no
 * g_dacTable in libcoreclr ("Failed to load data access module"), or, for
 * gcore, the stack walk and the types fail. No file or key in the archive
 * can make up for it, only a rewritten core (fillcore.c, made by the parent
 * when this note is there): say so.
 */
static struct sd_error *note_unreadable(struct sd_core *core, struct sd_plan *plan,
					const char *coreclr)
{
	if (has_diaginfo(core) || mapped_in_core(core, coreclr))
		return NULL;
	return sd_plan_note(plan, SD_FILL_UNREADABLE_NOTE " (%s is not all in the core: "
			    "coredump_filter without bits 2-3, or gcore): dotnet-dump and SOS read "
			    "module images from the core only and cannot use this dump as it is "
			    "(\"Failed to load data access module\", or failed stack walks and "
			    "unknown types); savedump adds a derived core filled from the collected "
			    "files when it can check them (see the note that follows); better, dump "
			    ".NET processes with createdump (DOTNET_DbgEnableMiniDump=1) or set "
			    "/proc/PID/coredump_filter to 0x3f", coreclr);
}

/*
 * Where a DAC or DBI of a given build can be on the machine, for a
 * single-file app that carries none: the shared runtimes of the usual
 * dotnet roots and the runtime packs in NuGet caches. A component "*" or
 * "prefix*" is matched against the directory's entries (resolve.c); the
 * build-id from DotNetRuntimeInfo picks the right one.
 */
static const char *const runtime_dirs[] = {
	"/usr/share/dotnet/shared/Microsoft.NETCore.App/*",
	"/usr/lib/dotnet/shared/Microsoft.NETCore.App/*",
	"/usr/local/share/dotnet/shared/Microsoft.NETCore.App/*",
	"/opt/dotnet/shared/Microsoft.NETCore.App/*",
	"/root/.dotnet/shared/Microsoft.NETCore.App/*",
	"/home/*/.dotnet/shared/Microsoft.NETCore.App/*",
	"/root/.nuget/packages/microsoft.netcore.app.runtime.linux*/*/runtimes/linux*/native",
	"/home/*/.nuget/packages/microsoft.netcore.app.runtime.linux*/*/runtimes/linux*/native",
};

static struct sd_error *single_file_need(struct sd_plan *plan, const char *name,
					 const struct sd_build_id *id, const char *what)
{
	struct sd_item *item;
	struct sd_error *err;
	if ((err = sd_plan_need(plan, SD_ROLE_DOTNET_RUNTIME, name, NULL,
				SD_FIND_PATHS | SD_FIND_GLOB, SD_VERIFY_BUILD_ID, &item)))
		return err;
	item->build_id = *id;
	item->if_missing = SD_MISSING_REPORT;
	/* Packed where it was found (resolve.c): it has no path in the dump. */
	free(item->archive_path);
	item->archive_path = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(runtime_dirs); i++) {
		_cleanup_free_ char *path = sd_path_join(runtime_dirs[i], name);
		if (!path || (err = sd_strv_add(&item->candidates, path)))
			return path ? err : &sd_enomem;
	}
	if (asprintf(&item->why, "%s of the runtime linked into the single-file app, found by "
		     "its build-id in a shared runtime or a NuGet runtime pack", what) < 0) {
		item->why = NULL;
		return &sd_enomem;
	}
	return NULL;
}

/* What a single-file app needs that savedump cannot find by itself, and its .pdb. */
static struct sd_error *single_file(struct sd_core *core, struct sd_plan *plan)
{
	struct sd_build_id ids[3];
	const struct sd_item *exe = NULL;
	for (size_t i = 0; i < plan->n_items && !exe; i++)
		if (plan->items[i].role == SD_ROLE_EXECUTABLE && plan->items[i].orig_path)
			exe = &plan->items[i];
	if (!exe || !plan->executable)
		return NULL;
	if (!find_in_exe(core, plan->executable, runtime_info_at, ids)) {
		if (!find_in_exe(core, plan->executable, aot_header_at, NULL))
			return NULL;
		return sd_plan_note(plan, "a NativeAOT .NET app (%s exports DotNetRuntimeDebugHeader): "
				    "its managed code is compiled into it and it has no DAC, so "
				    "dotnet-dump and SOS cannot read it; debug it natively with "
				    "run-gdb.sh (the app and its .dbg debug file are collected when "
				    "found)", exe->orig_path);
	}
	size_t exe_index = (size_t)(exe - plan->items);
	char rt[2 * SD_BUILD_ID_MAX + 1], dac[2 * SD_BUILD_ID_MAX + 1], dbi[2 * SD_BUILD_ID_MAX + 1];
	struct sd_error *err = sd_plan_note(plan, "a single-file .NET app: the runtime (build-id %s) "
					    "is linked into %s; its DAC has build-id %s (symbols key "
					    "libmscordaccore.so/elf-buildid-%s/libmscordaccore.so), its "
					    "DBI %s. Neither ships with the app: savedump looks for them "
					    "by build-id in the machine's shared runtimes and NuGet "
					    "runtime packs (microsoft.netcore.app.runtime.RID)",
					    sd_build_id_hex(&ids[0], rt), exe->orig_path,
					    sd_build_id_hex(&ids[1], dac), dac,
					    sd_build_id_hex(&ids[2], dbi));
	if (err || (err = single_file_need(plan, "libmscordaccore.so", &ids[1], "the DAC")) ||
	    (err = single_file_need(plan, "libmscordbi.so", &ids[2], "the DBI")))
		return err;
	exe = &plan->items[exe_index];	/* plan->items moved */
	/* Its own .pdb beside it; those of the bundled assemblies are not named in the dump. */
	size_t n = strlen(exe->orig_path);
	_cleanup_free_ char *pdb = malloc(n + 5);
	if (!pdb)
		return &sd_enomem;
	memcpy(pdb, exe->orig_path, n);
	memcpy(pdb + n, ".pdb", 5);
	if (listed(plan, pdb))
		return NULL;
	struct sd_item *item;
	if ((err = sd_plan_need(plan, SD_ROLE_MANAGED_PDB, sd_basename(pdb), pdb, SD_FIND_PATHS,
				SD_VERIFY_EXISTS, &item)) ||
	    (err = sd_strv_add(&item->candidates, pdb)) ||
	    (err = sd_item_set(&item->archive_path, sd_archive_path_of(pdb))))
		return err;
	item->parent = exe_index;
	item->optional = true;
	item->if_missing = SD_MISSING_OMIT;
	return NULL;
}

struct sd_error *sd_dotnet_inspect(struct sd_core *core, struct sd_plan *plan, bool has_coreclr)
{
	if (!has_coreclr)
		return single_file(core, plan);
	for (size_t i = 0; i < plan->n_items; i++) {
		struct sd_item *it = &plan->items[i];
		if (it->role == SD_ROLE_MANAGED && it->status == SD_STATUS_WANTED && it->orig_path)
			pe_expect(core, it);
	}
	struct sd_error *err;
	const char *coreclr = NULL;
	for (size_t i = 0; i < plan->n_items && !coreclr; i++) {
		const struct sd_item *it = &plan->items[i];
		if (it->orig_path && strcmp(sd_basename(it->orig_path), "libcoreclr.so") == 0 &&
		    it->orig_path[0] == '/' && it->status != SD_STATUS_SKIPPED)
			coreclr = it->orig_path;
	}
	if (!coreclr)
		return NULL;
	_cleanup_free_ char *dir = sd_dirname(coreclr);
	if (!dir)
		return &sd_enomem;
	if ((err = sd_strv_add(&plan->notes, "a .NET core: collected the runtime's DAC, DBI and "
					      "managed assemblies for SOS")) ||
	    (err = note_unreadable(core, plan, coreclr)))
		return err;
	for (size_t i = 0; i < ARRAY_SIZE(runtime_files); i++) {
		_cleanup_free_ char *path = sd_path_join(dir, runtime_files[i].name);
		if (!path)
			return &sd_enomem;
		if ((err = runtime_need(plan, path, runtime_files[i].what, SD_MISSING_REPORT)))
			return err;
	}
	/*
	 * The host: DOTNET_ROOT/dotnet, three levels above
	 * DOTNET_ROOT/shared/Microsoft.NETCore.App/X.Y.Z. An apphost
	 * executable is the core's executable and is collected already.
	 */
	_cleanup_free_ char *up = NULL, *host = NULL;
	if (asprintf(&up, "%s/../../../dotnet", dir) < 0) {
		up = NULL;
		return &sd_enomem;
	}
	if ((err = sd_path_normalize(up, &host))) {
		if (err == &sd_enomem)
			return err;
		sd_error_destroy(err);	/* the runtime is not in a DOTNET_ROOT layout */
	} else if ((err = runtime_need(plan, host, "the dotnet host", SD_MISSING_OMIT))) {
		return err;
	}
	size_t n = plan->n_items;
	for (size_t i = 0; i < n; i++) {
		const struct sd_item *it = &plan->items[i];
		if (it->role == SD_ROLE_MANAGED && it->orig_path && it->status == SD_STATUS_WANTED &&
		    (err = pdb_need(plan, i)))
			return err;
	}
	return NULL;
}
