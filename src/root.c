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

static int root_openat(const struct sd_root *root, const char *path, int flags)
{
	if (!force_fallback) {
		struct open_how how = {
			.flags = (uint64_t)(flags | O_CLOEXEC),
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		long fd = syscall(SYS_openat2, root->dirfd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno != ENOSYS && errno != EPERM)
			return -errno;
		/* ENOSYS: old kernel; EPERM: seccomp filters that do not know openat2. */
	}
	int pfd = resolve_fallback(root->dirfd, path);
	if (pfd < 0)
		return pfd;
	if (flags & O_PATH)
		return pfd;
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	/* Reopen the resolved O_PATH fd with the access we want. */
	int fd = open(proc, flags | O_CLOEXEC);
	int e = errno;
	close(pfd);
	return fd >= 0 ? fd : -e;
}

int sd_root_open(const struct sd_root *root, const char *path)
{
	/* O_NONBLOCK: never hang on a FIFO that a hostile path points at. */
	int fd = root_openat(root, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

int sd_root_open_dir(const struct sd_root *root, const char *path)
{
	return root_openat(root, path, O_PATH | O_DIRECTORY);
}
