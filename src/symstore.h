/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The archive's symbol store for .NET debuggers: symbols/KEY aliases, in
 * the SSQP key layout (pe.h), of files already found, so that dotnet-dump's
 * and SOS's `setsymbolserver -cache DIR` find the DAC, the DBI, every
 * native and managed module and the portable PDBs without the network.
 * Runs after the resolver: the keys of PE and PDB files come from the files
 * found, which it reads through their open descriptors (nothing else is
 * opened). The DAC and DBI are also keyed by libcoreclr's build-id, as SOS
 * asks for them.
 */
#ifndef SAVEDUMP_SYMSTORE_H
#define SAVEDUMP_SYMSTORE_H

#include "plan.h"
#include "resolve.h"

/* The store's top directory in the archive (a name the archive reserves). */
#define SD_SYMSTORE_DIR "symbols"

/*
 * For a plan with .NET items: add the symbol-store aliases of every found
 * file, mark a PDB whose id differs from its assembly's CodeView entry as a
 * mismatch, and note the runtime's DAC key. Idempotent.
 */
struct sd_error *sd_symstore_add(struct sd_plan *plan, const struct sd_files *files);

#endif
