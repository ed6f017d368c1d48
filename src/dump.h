/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Opening a dump: its type is decided from its bytes, by a probe table
 * tried in order, never from the file name or file(1).
 */
#ifndef SAVEDUMP_DUMP_H
#define SAVEDUMP_DUMP_H

#include "error.h"

enum sd_dump_format {
	SD_FORMAT_ELF,		/* an ELF core: userland core or ELF vmcore */
	SD_FORMAT_KDUMP,	/* kdump-compressed (makedumpfile -c/-l/-p/-z, "KDUMP   ") */
	SD_FORMAT_DISKDUMP,	/* old diskdump ("DISKDUMP") */
	SD_FORMAT_FLATTENED,	/* makedumpfile -F / QEMU -z/-l/-s ("makedumpfile") */
};

/*
 * Identify fd's format. SD_ERROR_INPUT with a one-line reason if it is no
 * dump, or if its ELF or kdump header points outside the file or is
 * otherwise unsafe to hand to a parser.
 */
struct sd_error *sd_dump_probe(int fd, const char *name, enum sd_dump_format *ret);
const char *sd_dump_format_name(enum sd_dump_format format);

/*
 * Before a kernel dump goes to libkdumpfile: besides the header checks of
 * sd_dump_probe() (done again here), every note it will parse (an ELF
 * vmcore's PT_NOTE segments, a kdump file's sub-header notes or VMCOREINFO)
 * must lie in the file and hold nothing it is known to crash on
 * (sd_vmcoreinfo_check(), Xen dump-core notes). SD_ERROR_INPUT naming the
 * file and the field.
 */
struct sd_error *sd_dump_check_kernel(int fd, const char *name);

#endif
