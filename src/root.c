// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Root-confined path resolution. openat2(RESOLVE_IN_ROOT) (Linux 5.6) does
 * exactly what we need; older kernels, such as the capture kernel of an
 * older distribution, get a small resolver that walks the path one
 * component at a time with O_NOFOLLOW and expands symlinks itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "root.h"
#include "util.h"

/* The kernel's own limit on nested symlinks (MAXSYMLINKS). */
enum { MAX_SYMLINKS = 40 };

static bool force_fallback;

void sd_root_force_fallback(bool on)
{
	force_fallback = on;
}

struct sd_error *sd_root_create(const char *path, struct sd_root **ret)
{
	struct sd_root *root = calloc(1, sizeof(*root));
	if (!root)
		return &sd_enomem;
	root->path = strdup(path);
	if (!root->path) {
		free(root);
		return &sd_enomem;
	}
	root->dirfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root->dirfd < 0) {
		int e = errno;
		sd_root_destroy(root);
		return sd_error_errno(e, "root directory %s", path);
	}
	/* sd_root_open() opens files through /proc/self/fd: say so now if it cannot. */
	if (access("/proc/self/fd", X_OK) < 0) {
		int e = errno;
		sd_root_destroy(root);
		return sd_error_errno(e, "/proc/self/fd (savedump needs /proc mounted)");
	}
	*ret = root;
	return NULL;
}

void sd_root_destroy(struct sd_root *root)
{
	if (!root)
		return;
	if (root->dirfd >= 0)
		close(root->dirfd);
	free(root->path);
	free(root);
}

/*
 * Resolve path inside rootfd by hand. Returns an O_PATH fd of the final
 * component (symlinks followed, confined to the root) or -errno.
 */
static int resolve_fallback(int rootfd, const char *path)
{
	_cleanup_free_ char *rest = strdup(path);
	if (!rest)
		return -ENOMEM;
	int cur = dup(rootfd);
	if (cur < 0)
		return -errno;
	int links = 0;
	char *p = rest;

	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return cur;
		char *end = strchrnul(p, '/');
		bool last = !*end;
		char name[NAME_MAX + 1];
		size_t n = (size_t)(end - p);
		if (n > NAME_MAX) {
			close(cur);
			return -ENAMETOOLONG;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		p = end;

		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			struct stat a, b;
			/* ".." of the root is the root, as in a chroot. */
			if (fstat(cur, &a) == 0 && fstat(rootfd, &b) == 0 &&
			    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
				continue;
		}
		int next = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			int e = errno;
			close(cur);
			return -e;
		}
		struct stat st;
		if (fstat(next, &st) < 0) {
			int e = errno;
			close(next);
			close(cur);
			return -e;
		}
		if (S_ISLNK(st.st_mode)) {
			if (++links > MAX_SYMLINKS) {
				close(next);
				close(cur);
				return -ELOOP;
			}
			char target[SD_PATH_MAX];
			ssize_t tl = readlinkat(next, "", target, sizeof(target) - 1);
			close(next);
			if (tl < 0) {
				close(cur);
				return -errno;
			}
			target[tl] = '\0';
			/* New path = target + remaining components. */
			char *nrest;
			if (asprintf(&nrest, "%s%s", target, p) < 0) {
				close(cur);
				return -ENOMEM;
			}
			free(rest);
			rest = nrest;
			p = rest;
			if (target[0] == '/') {
				close(cur);
				cur = dup(rootfd);
				if (cur < 0)
					return -errno;
			}
			continue;
		}
		if (!last && !S_ISDIR(st.st_mode)) {
			close(next);
			close(cur);
			return -ENOTDIR;
		}
		close(cur);
		cur = next;
	}
}

/* Resolve path inside the root to an O_PATH fd (flags may add O_DIRECTORY), or -errno. */
static int root_resolve(const struct sd_root *root, const char *path, int flags)
{
	if (!force_fallback) {
		struct open_how how = {
			.flags = (uint64_t)(flags | O_PATH | O_CLOEXEC),
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		long fd = syscall(SYS_openat2, root->dirfd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno != ENOSYS && errno != EPERM)
			return -errno;
		/* ENOSYS: old kernel; EPERM: seccomp filters that do not know openat2. */
	}
	int fd = resolve_fallback(root->dirfd, path);
	if (fd < 0 || !(flags & O_DIRECTORY))
		return fd;
	struct stat st;
	int e = fstat(fd, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
	if (e) {
		close(fd);
		return -e;
	}
	return fd;
}

static int notreg_code(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return SD_ENOTREG_DIR;
	case S_IFCHR:
		return SD_ENOTREG_CHR;
	case S_IFBLK:
		return SD_ENOTREG_BLK;
	case S_IFIFO:
		return SD_ENOTREG_FIFO;
	case S_IFSOCK:
		return SD_ENOTREG_SOCK;
	default:
		return SD_ENOTREG_OTHER;
	}
}

bool sd_root_is_notreg(int e)
{
	return e >= SD_ENOTREG_DIR && e <= SD_ENOTREG_OTHER;
}

const char *sd_root_strerror(int e)
{
	switch (e) {
	case SD_ENOTREG_DIR:
		return "not a regular file (directory)";
	case SD_ENOTREG_CHR:
		return "not a regular file (character device)";
	case SD_ENOTREG_BLK:
		return "not a regular file (block device)";
	case SD_ENOTREG_FIFO:
		return "not a regular file (FIFO)";
	case SD_ENOTREG_SOCK:
		return "not a regular file (socket)";
	case SD_ENOTREG_OTHER:
		return "not a regular file";
	default:
		return strerror(e);
	}
}

int sd_root_open(const struct sd_root *root, const char *path)
{
	int pfd = root_resolve(root, path, 0);
	if (pfd < 0)
		return pfd;
	/*
	 * An O_PATH fd opens nothing: fstat() it and open only a regular file.
	 * Opening a device has effects (/dev/watchdog arms it), a FIFO blocks.
	 */
	struct stat st;
	if (fstat(pfd, &st) < 0) {
		int e = errno;
		close(pfd);
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(pfd);
		return -notreg_code(st.st_mode);
	}
	/*
	 * Reopening through /proc/self/fd opens the inode the O_PATH fd holds,
	 * not the path again: what was checked is what gets opened. O_NONBLOCK
	 * as a second guard, cleared below.
	 */
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	int fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int e = errno;
	close(pfd);
	if (fd < 0)
		return -e;
	e = fstat(fd, &st) < 0 ? errno : S_ISREG(st.st_mode) ? 0 : notreg_code(st.st_mode);
	if (e) {
		close(fd);
		return -e;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

int sd_root_open_dir(const struct sd_root *root, const char *path)
{
	return root_resolve(root, path, O_DIRECTORY);
}
