// SPDX-License-Identifier: GPL-2.0-or-later
/* --output-dir: the collection as a plain directory tree, holes kept as holes. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "cleanup.h"
#include "output.h"
#include "reader.h"
#include "util.h"

struct dir_out {
	int dirfd;
	char *tmp;
	char *final;
	bool force;
	bool committed;
	time_t mtime;
};

static void set_mtime(struct dir_out *d, const char *path)
{
	struct timespec ts[2] = { { d->mtime, 0 }, { d->mtime, 0 } };
	utimensat(d->dirfd, path, ts, AT_SYMLINK_NOFOLLOW);
}

static struct sd_error *dir_add_dir(void *impl, const char *path)
{
	struct dir_out *d = impl;
	if (mkdirat(d->dirfd, path, 0755) < 0 && errno != EEXIST)
		return sd_error_errno(errno, "%s/%s", d->tmp, path);
	return NULL;
}

/* Create path's file; paths come from the plan, relative and normalised. */
static int create_file(struct dir_out *d, const char *path, mode_t mode)
{
	return openat(d->dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      mode & 0111 ? 0755 : 0644);
}

static struct sd_error *dir_add_file(void *impl, const char *path, const struct sd_file_src *src,
				     sd_progress_fn *progress, void *progress_arg)
{
	struct dir_out *d = impl;
	struct sd_error *err;
	_cleanup_close_ int out = create_file(d, path, src->mode);
	if (out < 0)
		return sd_error_errno(errno, "%s/%s", d->tmp, path);
	for (uint64_t pos = 0;;) {
		struct sd_reader_chunk c;
		if ((err = sd_reader_next(src->reader, &c)))
			return err;
		/* Holes are left unwritten; ftruncate() below sets the size. */
		if (progress && c.off > pos)
			progress(progress_arg, c.off - pos);
		if (!c.len)
			break;
		if (!sd_pwrite_full(out, c.data, c.len, (off_t)c.off))
			return sd_error_errno(errno ? errno : EIO, "write %s/%s", d->tmp, path);
		if (progress)
			progress(progress_arg, c.len);
		pos = c.off + c.len;
	}
	if (ftruncate(out, (off_t)src->size) < 0 || fsync(out) < 0)
		return sd_error_errno(errno, "%s/%s", d->tmp, path);
	set_mtime(d, path);
	return NULL;
}

static struct sd_error *dir_add_data(void *impl, const char *path, const void *buf, size_t len,
				     mode_t mode)
{
	struct dir_out *d = impl;
	_cleanup_close_ int out = create_file(d, path, mode);
	if (out < 0 || !sd_write_full(out, buf, len) || fsync(out) < 0)
		return sd_error_errno(errno, "%s/%s", d->tmp, path);
	set_mtime(d, path);
	return NULL;
}

static struct sd_error *dir_add_symlink(void *impl, const char *path, const char *target)
{
	struct dir_out *d = impl;
	if (symlinkat(target, d->dirfd, path) < 0)
		return sd_error_errno(errno, "%s/%s", d->tmp, path);
	set_mtime(d, path);
	return NULL;
}

static int mtime_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw);
static time_t walk_mtime;

static int mtime_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_DP) {
		struct timespec ts[2] = { { walk_mtime, 0 }, { walk_mtime, 0 } };
		utimensat(AT_FDCWD, path, ts, 0);
	}
	return 0;
}

static struct sd_error *dir_commit(void *impl)
{
	struct dir_out *d = impl;
	/* Directory mtimes last: creating entries changed them. */
	walk_mtime = d->mtime;
	nftw(d->tmp, mtime_entry, 16, FTW_DEPTH | FTW_PHYS);
	fsync(d->dirfd);
	sd_out_signal_tmp = NULL;
	struct sd_error *err = sd_out_rename(d->tmp, d->final, d->force);
	if (err)
		return err;
	d->committed = true;
	return NULL;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

static void dir_destroy(void *impl)
{
	struct dir_out *d = impl;
	if (!d)
		return;
	if (d->dirfd >= 0)
		close(d->dirfd);
	sd_out_signal_tmp = NULL;
	sd_out_signal_tmp_is_dir = 0;
	if (!d->committed && d->tmp)
		nftw(d->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(d->tmp);
	free(d->final);
	free(d);
}

static const struct sd_out_ops dir_ops = {
	.add_dir = dir_add_dir,
	.add_file = dir_add_file,
	.add_data = dir_add_data,
	.add_symlink = dir_add_symlink,
	.commit = dir_commit,
	.destroy = dir_destroy,
};

struct sd_error *sd_outdir_open(const struct sd_out_config *cfg, struct sd_out *ret)
{
	struct dir_out *d = calloc(1, sizeof(*d));
	if (!d)
		return &sd_enomem;
	d->dirfd = -1;
	d->force = cfg->force;
	d->mtime = cfg->mtime;
	d->final = strdup(cfg->path);
	struct sd_error *err = NULL;
	if (!d->final) {
		err = &sd_enomem;
		goto fail;
	}
	if ((err = sd_out_tmpname(cfg->path, true, &d->dirfd, &d->tmp)))
		goto fail;
	fchmod(d->dirfd, 0755);
	/* An interrupted run removes the tree (sd_out_signal_cleanup()). */
	sd_out_signal_tmp_is_dir = 1;
	sd_out_signal_tmp = d->tmp;
	ret->ops = &dir_ops;
	ret->impl = d;
	return NULL;
fail:
	dir_destroy(d);
	return err;
}
