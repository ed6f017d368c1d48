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

/* Identify fd's format. SD_ERROR_INPUT with a one-line reason if it is no dump. */
struct sd_error *sd_dump_probe(int fd, const char *name, enum sd_dump_format *ret);
const char *sd_dump_format_name(enum sd_dump_format format);

#endif
