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

struct sd_error *sd_dotnet_inspect(struct sd_core *core, struct sd_plan *plan)
{
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
					      "managed assemblies for SOS")))
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
