/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scope-based cleanup helpers built on GCC's cleanup attribute.
 *
 *	_cleanup_free_ char *p = strdup("x");
 *	...
 *	return_ptr(p);	// hand ownership to the caller, skipping the cleanup
 */
#ifndef SAVEDUMP_CLEANUP_H
#define SAVEDUMP_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(fn) __attribute__((cleanup(fn)))

static inline void sd_freep(void *p)
{
	free(*(void **)p);
}

static inline void sd_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void sd_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_free_ _cleanup_(sd_freep)
#define _cleanup_close_ _cleanup_(sd_closep)
#define _cleanup_fclose_ _cleanup_(sd_fclosep)

/* Return *p and set it to NULL so the cleanup handler does nothing. */
#define take_ptr(p) ({ __typeof__(p) _tp = (p); (p) = NULL; _tp; })
#define return_ptr(p) return take_ptr(p)
#define take_fd(fd) ({ int _tfd = (fd); (fd) = -1; _tfd; })

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
