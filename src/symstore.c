// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "elfutils.h"
#include "pe.h"
#include "symstore.h"
#include "util.h"

static size_t fd_read(void *arg, uint64_t off, void *buf, size_t len)
{
	ssize_t n = sd_pread_full(*(const int *)arg, buf, len, (off_t)off);
	return n < 0 ? 0 : (size_t)n;
}

static uint64_t fd_size(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size : 0;
}

/* Add symbols/KEY (key owned, may be NULL: no key) to the item's aliases. */
static struct sd_error *add_key(struct sd_item *it, char *key, bool oom)
{
	if (oom)
		return &sd_enomem;
	if (!key)
		return NULL;
	char *alias;
	int r = asprintf(&alias, SD_SYMSTORE_DIR "/%s", key);
	free(key);
	if (r < 0)
		return &sd_enomem;
	struct sd_error *err = NULL;
	if (!sd_strv_contains(&it->aliases, alias))
		err = sd_strv_add(&it->aliases, alias);
	free(alias);
	return err;
}

static const char *file_name(const struct sd_item *it)
{
	return sd_basename(it->orig_path ? it->orig_path : it->name ? it->name : "");
}

static bool is_elf_role(enum sd_role role)
{
	return role == SD_ROLE_EXECUTABLE || role == SD_ROLE_LIBRARY ||
	       role == SD_ROLE_DOTNET_RUNTIME || role == SD_ROLE_THREAD_DB;
}

/* A PDB must carry the id its assembly's CodeView entry names. */
static struct sd_error *check_pdb(struct sd_plan *plan, const struct sd_files *files, size_t i,
				  const uint8_t id[SD_PDB_ID_SIZE])
{
	struct sd_item *it = &plan->items[i];
	size_t p = it->parent;
	int pfd = p < plan->n_items ? sd_files_fd(files, p) : -1;
	if (pfd < 0 || plan->items[p].status != SD_STATUS_FOUND)
		return NULL;
	struct sd_pe_info pe;
	struct sd_error *err = sd_pe_parse(fd_read, &pfd, fd_size(pfd), &pe);
	if (err) {
		sd_error_destroy(err);
		return NULL;
	}
	if (!pe.has_codeview || !memcmp(pe.guid, id, 16))
		return NULL;
	char want[33], got[33];
	sd_guid_n(pe.guid, want);
	sd_guid_n(id, got);
	it->status = SD_STATUS_MISMATCH;
	return sd_item_reason(it, "its PDB id %s differs from %s's CodeView entry (%s); not packed",
			      got, file_name(&plan->items[p]), want);
}

static struct sd_error *keys_of(struct sd_plan *plan, const struct sd_files *files, size_t i,
				const struct sd_build_id *coreclr)
{
	struct sd_item *it = &plan->items[i];
	int fd = sd_files_fd(files, i);
	bool oom;
	struct sd_error *err;
	if (it->status != SD_STATUS_FOUND || fd < 0)
		return NULL;
	if (it->role == SD_ROLE_MANAGED) {
		struct sd_pe_info pe;
		if ((err = sd_pe_parse(fd_read, &fd, fd_size(fd), &pe))) {
			sd_error_destroy(err);
			return NULL;	/* not a PE file: no key */
		}
		if (it->pe_known && (pe.timestamp != it->pe_timestamp ||
				     pe.size_of_image != it->pe_size_of_image)) {
			it->status = SD_STATUS_MISMATCH;
			return sd_item_reason(it, "its PE header says TimeDateStamp %08X, SizeOfImage "
					      "0x%x; the dump's copy %08X, 0x%x; not packed",
					      pe.timestamp, pe.size_of_image, it->pe_timestamp,
					      it->pe_size_of_image);
		}
		if (it->pe_known && !it->reason &&
		    (err = sd_item_reason(it, "verified by its PE header (TimeDateStamp %08X, "
					  "SizeOfImage 0x%x, as in the dump)", pe.timestamp,
					  pe.size_of_image)))
			return err;
		char *k = sd_ssqp_pe_key(file_name(it), &pe, &oom);
		return add_key(it, k, oom);
	}
	if (it->role == SD_ROLE_MANAGED_PDB) {
		uint8_t id[SD_PDB_ID_SIZE];
		if ((err = sd_pdb_portable_id(fd_read, &fd, fd_size(fd), id))) {
			sd_error_destroy(err);
			return NULL;	/* a Windows PDB: SOS on Linux reads portable ones only */
		}
		if ((err = check_pdb(plan, files, i, id)))
			return err;
		if (it->status != SD_STATUS_FOUND)
			return NULL;
		char *k = sd_ssqp_pdb_key(file_name(it), id, &oom);
		return add_key(it, k, oom);
	}
	char *k;
	if (sd_role_is_debug(it->role) && it->role != SD_ROLE_DWZ) {
		k = sd_ssqp_elf_debug_key(&it->build_id, &oom);
		return add_key(it, k, oom);
	}
	if (!is_elf_role(it->role))
		return NULL;
	/* The runtime's files beside libcoreclr.so are not in the core: their id is the file's. */
	if (!it->build_id.len && it->role == SD_ROLE_DOTNET_RUNTIME)
		sd_elf_build_id(fd, &it->build_id);
	k = sd_ssqp_elf_key(file_name(it), &it->build_id, &oom);
	if ((err = add_key(it, k, oom)))
		return err;
	if (it->has_debug_info) {
		k = sd_ssqp_elf_debug_key(&it->build_id, &oom);
		if ((err = add_key(it, k, oom)))
			return err;
	}
	const char *base = file_name(it);
	if (it->role == SD_ROLE_DOTNET_RUNTIME && coreclr &&
	    (!strcmp(base, "libmscordaccore.so") || !strcmp(base, "libmscordbi.so"))) {
		k = sd_ssqp_coreclr_key(base, coreclr, &oom);
		return add_key(it, k, oom);
	}
	return NULL;
}

/*
 * The runtime version of a libcoreclr.so outside a versioned directory (a
 * self-contained app): its "@(#)Version M.N.FFFF.BBBBB" file version gives
 * "M.N.", and the runtime carries its product version as a string of its
 * own, "\0M.N.P\0" (measured on 10.0.12). Empty when not both are found.
 */
enum { VERSION_SCAN_MAX = 64 << 20 };

static void coreclr_version(int fd, char *ret, size_t size)
{
	static const char tag[] = "@(#)Version ";
	ret[0] = 0;
	uint64_t len = fd_size(fd);
	if (fd < 0 || !len || len > VERSION_SCAN_MAX)
		return;
	_cleanup_free_ char *buf = malloc(len + 1);
	if (!buf || fd_read(&fd, 0, buf, len) != len)
		return;
	buf[len] = 0;
	const char *v = memmem(buf, len, tag, sizeof(tag) - 1);
	if (!v)
		return;
	v += sizeof(tag) - 1;
	char prefix[24] = { 0 };	/* "\0M.N." */
	size_t n = 1, dots = 0;
	for (; n < sizeof(prefix) - 1 && v + n - 1 < buf + len && dots < 2; n++) {
		char c = v[n - 1];
		if (c == '.')
			dots++;
		else if (c < '0' || c > '9')
			return;
		prefix[n] = c;
	}
	if (dots < 2)
		return;
	for (const char *p = buf; (p = memmem(p, (size_t)(buf + len - p), prefix, n));) {
		const char *d = p + n, *e = d;
		while (e < buf + len && *e >= '0' && *e <= '9' && e - d < 4)
			e++;
		if (e > d && e < buf + len && !*e && (size_t)(e - p) < size) {
			memcpy(ret, p + 1, (size_t)(e - p - 1));
			ret[e - p - 1] = 0;
			return;
		}
		p++;
	}
}

/* Say in the manifest which DAC the debuggers need, and whether the archive has it. */
static struct sd_error *note_dac(struct sd_plan *plan, const struct sd_files *files,
				 const struct sd_item *coreclr)
{
	char hex[2 * SD_BUILD_ID_MAX + 1];
	const struct sd_item *dac = NULL;
	for (size_t i = 0; i < plan->n_items && !dac; i++) {
		const struct sd_item *it = &plan->items[i];
		if (it->role == SD_ROLE_DOTNET_RUNTIME && !strcmp(file_name(it), "libmscordaccore.so"))
			dac = it;
	}
	_cleanup_free_ char *dir = sd_dirname(coreclr->orig_path);
	if (!dir)
		return &sd_enomem;
	size_t managed = 0, found = 0;
	for (size_t i = 0; i < plan->n_items; i++) {
		const struct sd_item *it = &plan->items[i];
		if (it->role == SD_ROLE_MANAGED && !it->omit) {
			managed++;
			found += it->status == SD_STATUS_FOUND;
		}
	}
	const char *version = sd_basename(dir);
	char found_version[24];
	if (!sd_str_has_prefix(dir, "/") || !strchr(version, '.')) {
		coreclr_version(sd_files_fd(files, (size_t)(coreclr - plan->items)),
				found_version, sizeof(found_version));
		version = found_version[0] ? found_version
			  : "unknown (libcoreclr.so is not in a versioned runtime directory)";
	}
	/*
	 * createdump's heap and mini dumps hold no image bytes of the assemblies
	 * beyond their headers: SOS then needs each one as a file.
	 */
	return sd_plan_note(plan, ".NET runtime %s; its DAC is keyed %s/libmscordaccore.so/"
			    "elf-buildid-coreclr-%s/libmscordaccore.so: %s; %zu of %zu mapped "
			    "managed assemblies collected%s", version,
			    SD_SYMSTORE_DIR, sd_build_id_hex(&coreclr->build_id, hex),
			    !dac ? "not looked for"
			    : dac->status == SD_STATUS_FOUND ? "collected"
			    : "NOT collected: SOS and dotnet-dump cannot read the managed state",
			    found, managed, found == managed ? ""
			    : " (a heap or mini dump needs every one as a file for SOS to name "
			      "its frames and types)");
}

/*
 * A single-file app's DAC, looked for by build-id (dotnet.c): the runtime
 * version is that of the directory it was found in, .../Microsoft.NETCore.App/V/
 * or a runtime pack's .../microsoft.netcore.app.runtime.RID/V/.
 */
static struct sd_error *note_single_file_dac(struct sd_plan *plan)
{
	const struct sd_item *dac = NULL;
	for (size_t i = 0; i < plan->n_items && !dac; i++) {
		const struct sd_item *it = &plan->items[i];
		if (it->role == SD_ROLE_DOTNET_RUNTIME && !it->orig_path && it->name &&
		    !strcmp(it->name, "libmscordaccore.so"))
			dac = it;
	}
	if (!dac)
		return NULL;
	char hex[2 * SD_BUILD_ID_MAX + 1], version[32] = "unknown";
	const char *path = dac->status == SD_STATUS_FOUND ? dac->root_path : NULL;
	static const char *const parents[] = { "/Microsoft.NETCore.App/",
					       "/microsoft.netcore.app.runtime." };
	for (size_t i = 0; path && i < ARRAY_SIZE(parents); i++) {
		const char *v = strstr(path, parents[i]);
		if (!v)
			continue;
		v += strlen(parents[i]);
		if (i == 1 && !(v = strchr(v, '/')))
			continue;
		v += i == 1;
		size_t n = strcspn(v, "/");
		if (n && n < sizeof(version) && v[n] == '/') {
			memcpy(version, v, n);
			version[n] = 0;
			break;
		}
	}
	return sd_plan_note(plan, ".NET runtime %s (single-file); its DAC is keyed %s/"
			    "libmscordaccore.so/elf-buildid-%s/libmscordaccore.so: %s", version,
			    SD_SYMSTORE_DIR, sd_build_id_hex(&dac->build_id, hex),
			    dac->status == SD_STATUS_FOUND ? "collected"
			    : "NOT collected (not on this machine: no shared runtime or NuGet "
			      "runtime pack of that build): SOS and dotnet-dump cannot read the "
			      "managed state; put the DAC of that runtime build at that key");
}

struct sd_error *sd_symstore_add(struct sd_plan *plan, const struct sd_files *files)
{
	bool dotnet = false;
	const struct sd_item *coreclr = NULL;
	for (size_t i = 0; i < plan->n_items; i++) {
		const struct sd_item *it = &plan->items[i];
		dotnet |= it->role == SD_ROLE_DOTNET_RUNTIME || it->role == SD_ROLE_MANAGED ||
			  it->role == SD_ROLE_MANAGED_PDB;
		if (!coreclr && it->orig_path && it->build_id.len &&
		    !strcmp(sd_basename(it->orig_path), "libcoreclr.so") &&
		    (it->role == SD_ROLE_LIBRARY || it->role == SD_ROLE_DOTNET_RUNTIME))
			coreclr = it;
	}
	if (!dotnet)
		return NULL;
	struct sd_build_id clr_id;
	if (coreclr)
		clr_id = coreclr->build_id;
	struct sd_error *err;
	for (size_t i = 0; i < plan->n_items; i++)
		if ((err = keys_of(plan, files, i, coreclr ? &clr_id : NULL)))
			return err;
	/* Once: sd_resolve_plan() may run twice. */
	for (size_t i = 0; i < plan->notes.n; i++)
		if (sd_str_has_prefix(plan->notes.v[i], ".NET runtime "))
			return NULL;
	return coreclr ? note_dac(plan, files, coreclr) : note_single_file_dac(plan);
}
