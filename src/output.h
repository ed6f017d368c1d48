/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where the collection goes: a tar archive (archive.c, libarchive) or a
 * plain directory (outdir.c). Both are written under a temporary name next
 * to the final one and renamed into place only by sd_out_commit(), so a
 * failed or interrupted run never leaves a partial result under the final
 * name.
 */
#ifndef SAVEDUMP_OUTPUT_H
#define SAVEDUMP_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <signal.h>
#include <time.h>

#include "error.h"

enum sd_compression {
	SD_COMPRESS_ZSTD,
	SD_COMPRESS_GZIP,
	SD_COMPRESS_XZ,
	SD_COMPRESS_NONE,
};

struct sd_out_config {
	const char *path;	/* final archive file or directory */
	bool to_stdout;		/* write the archive on standard output, not to path */
	bool directory;		/* --output-dir */
	enum sd_compression compression;
	int level;		/* compression level; 0: the compressor's default */
	int threads;		/* compression threads */
	bool force;		/* replace an existing output */
	time_t mtime;		/* for every entry */
	const char *top;	/* top-level directory inside a tar archive */
};

/* Called as bytes of file data are written; may be NULL. */
typedef void sd_progress_fn(void *arg, uint64_t bytes);

/* A data extent of a file being streamed. */
struct sd_extent {
	uint64_t off, len;
};

struct sd_reader;

/* A file to stream into the output. */
struct sd_file_src {
	int fd;				/* the file; the writer may look at its first bytes */
	uint64_t size;
	mode_t mode;
	const struct sd_extent *ext;	/* its data extents; the rest are holes */
	size_t n_ext;
	struct sd_reader *reader;	/* reads ext, in order (reader.h) */
};

struct sd_out_ops {
	struct sd_error *(*add_dir)(void *impl, const char *path);
	/* Stream src into path, taking its data from src->reader; holes stay holes. */
	struct sd_error *(*add_file)(void *impl, const char *path, const struct sd_file_src *src,
				     sd_progress_fn *progress, void *progress_arg);
	struct sd_error *(*add_data)(void *impl, const char *path, const void *buf, size_t len,
				     mode_t mode);
	struct sd_error *(*add_symlink)(void *impl, const char *path, const char *target);
	struct sd_error *(*commit)(void *impl);
	void (*destroy)(void *impl);	/* removes the temporary output unless committed */
};

struct sd_out {
	const struct sd_out_ops *ops;
	void *impl;
};

struct sd_error *sd_out_open(const struct sd_out_config *cfg, struct sd_out *ret);
void sd_out_destroy(struct sd_out *out);

/* Backends */
struct sd_error *sd_archive_open(const struct sd_out_config *cfg, struct sd_out *ret);
struct sd_error *sd_outdir_open(const struct sd_out_config *cfg, struct sd_out *ret);

/* Shared by the backends */

/*
 * Data extents of fd (lseek SEEK_DATA/SEEK_HOLE); a file system without
 * hole reporting gives one extent. At most SD_MAX_EXTENTS extents are kept:
 * past that the rest of the file is one extent.
 */
enum { SD_MAX_EXTENTS = 1 << 16 };
struct sd_error *sd_file_extents(int fd, uint64_t size, struct sd_extent **ret, size_t *ret_n);

/*
 * For a fatal signal's handler: the temporary archive file being written
 * (to remove), and the file being read into it (to name).
 */
extern const char *volatile sd_out_signal_tmp;
extern volatile sig_atomic_t sd_out_signal_tmp_is_dir;	/* --output-dir: a tree */
extern const char *volatile sd_out_signal_input;
/* Remove the temporary output (file or tree); async-signal-safe. */
void sd_out_signal_cleanup(void);

/* Read buffer size for streaming. */
enum { SD_IO_BUFSZ = 4 << 20 };

/*
 * Create a unique temporary name next to final ("DIR/.NAME.XXXXXX") and
 * open/create it: a file (O_WRONLY) or, with directory, a directory.
 * Returns the fd (a directory fd for directories) and the name.
 */
struct sd_error *sd_out_tmpname(const char *final, bool directory, int *ret_fd,
				char **ret_name);
/* fsync the directory that contains path. */
void sd_fsync_parent(const char *path);
/* rename tmp to final; without force, fail with SD_ERROR_EXISTS if final exists. */
struct sd_error *sd_out_rename(const char *tmp, const char *final, bool force);

/*
 * Decompress a whole xz/zstd/gzip/bzip2 file (or copy a plain one) into
 * memory, at most max bytes (archive.c); free *ret with sd_big_free(). Does
 * not move fd's offset.
 */
struct sd_error *sd_decompress_fd(int fd, size_t max, void **ret, size_t *ret_len);

/*
 * Extract the tar archive at path into the existing directory dir, as an
 * untrusted archive: only regular files, directories and symlinks that stay
 * inside it, no absolute or ".." names, nothing written through a symlink,
 * at most max_bytes of file data (archive.c). SD_ERROR_INPUT if the archive
 * breaks any of that.
 */
struct sd_error *sd_archive_extract(const char *path, const char *dir, uint64_t max_bytes);

#endif
