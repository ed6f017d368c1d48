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
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cleanup.h"
#include "userland.h"
#include "util.h"

bool sd_dotnet_is_managed_path(const char *path)
{
	size_t n = strlen(path);
	return n > 4 && (strcasecmp(path + n - 4, ".dll") == 0 ||
			 strcasecmp(path + n - 4, ".exe") == 0);
}

/* Runtime files next to libcoreclr.so that SOS and dotnet-dump need. */
static const char *const runtime_files[] = {
	"libmscordaccore.so",	/* DAC */
	"libmscordbi.so",	/* DBI */
	"libclrjit.so",
	"libcoreclr.so",
	"createdump",
};

static struct sd_error *add_runtime_file(struct sd_resolver *r, struct sd_plan *plan,
					 const char *path, const char *what)
{
	if (sd_plan_find_archive_path(plan, sd_archive_path_of(path)))
		return NULL;	/* mapped, so already collected */
	for (size_t i = 0; i < plan->n_items; i++)
		if (plan->items[i].orig_path && strcmp(plan->items[i].orig_path, path) == 0)
			return NULL;	/* listed (perhaps as missing or mismatch) */
	struct sd_item *item;
	struct sd_error *err = sd_plan_add(plan, SD_ROLE_DOTNET_RUNTIME, SD_STATUS_MISSING, &item);
	if (err)
		return err;
	if ((err = sd_item_set(&item->orig_path, path)) ||
	    (err = sd_item_set(&item->name, sd_basename(path))))
		return err;
	const char *const paths[] = { path };
	if ((err = sd_resolve_binary(r, item, paths, 1, SD_FIND_PATHS)))
		return err;
	if (item->fd < 0)
		return sd_item_reason(item, "%s: not found in the runtime directory of the dump's "
					    "libcoreclr.so", what);
	if ((err = sd_item_set(&item->archive_path, sd_archive_path_of(path))))
		return err;
	/* These are not in the core, so there is no build-id to check against. */
	return sd_item_reason(item, "%s, from the runtime directory of the dump's libcoreclr.so",
			      what);
}

static struct sd_error *add_pdb(struct sd_resolver *r, struct sd_plan *plan, size_t dll_index)
{
	const struct sd_item *dll = &plan->items[dll_index];
	size_t n = strlen(dll->orig_path);
	_cleanup_free_ char *pdb = strdup(dll->orig_path);
	if (!pdb)
		return &sd_enomem;
	memcpy(pdb + n - 4, isupper((unsigned char)pdb[n - 3]) ? ".PDB" : ".pdb", 4);
	int fd = sd_root_open(r->root, pdb);
	if (fd < 0)
		return NULL;	/* most assemblies ship without one */
	close(fd);
	struct sd_item *item;
	struct sd_error *err = sd_plan_add(plan, SD_ROLE_MANAGED_PDB, SD_STATUS_MISSING, &item);
	if (err)
		return err;
	item->parent = dll_index;
	item->optional = true;
	if ((err = sd_item_set(&item->orig_path, pdb)) ||
	    (err = sd_item_set(&item->name, sd_basename(pdb))))
		return err;
	const char *const paths[] = { pdb };
	if ((err = sd_resolve_binary(r, item, paths, 1, SD_FIND_PATHS)))
		return err;
	free(item->reason);
	item->reason = NULL;
	if (item->fd >= 0)
		return sd_item_set(&item->archive_path, sd_archive_path_of(pdb));
	return NULL;
}

struct sd_error *sd_dotnet_inspect(struct sd_core *core, struct sd_resolver *r,
				   struct sd_plan *plan)
{
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
	static const char *const what[] = {
		"DAC", "DBI", "JIT", "runtime", "createdump",
	};
	for (size_t i = 0; i < ARRAY_SIZE(runtime_files); i++) {
		_cleanup_free_ char *path = sd_path_join(dir, runtime_files[i]);
		if (!path)
			return &sd_enomem;
		if ((err = add_runtime_file(r, plan, path, what[i])))
			return err;
	}
	/*
	 * The host: DOTNET_ROOT/dotnet, three levels above
	 * DOTNET_ROOT/shared/Microsoft.NETCore.App/X.Y.Z. An apphost
	 * executable is the core's executable and is collected already.
	 */
	_cleanup_free_ char *up = NULL;
	if (asprintf(&up, "%s/../../../dotnet", dir) >= 0) {
		_cleanup_free_ char *host = NULL;
		if (sd_path_normalize(up, &host) == NULL) {
			int fd = sd_root_open(r->root, host);
			if (fd >= 0) {
				close(fd);
				if ((err = add_runtime_file(r, plan, host, "host")))
					return err;
			}
		}
	}
	size_t n = plan->n_items;
	for (size_t i = 0; i < n; i++) {
		const struct sd_item *it = &plan->items[i];
		if (it->role == SD_ROLE_MANAGED && it->orig_path && it->status == SD_STATUS_FOUND &&
		    (err = add_pdb(r, plan, i)))
			return err;
	}
	return NULL;
}
