// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "hash.h"
#include "reader.h"
#include "util.h"

/*
 * Four 2 MiB slots: enough to keep one read ahead of the consumer while
 * another is hashed, small enough for a capture kernel.
 *
 * A regular file is mapped, a slot at a time, with MAP_POPULATE: the pages
 * are read in this thread, and compressing and hashing read them where
 * they are, without the copy that read() makes (a sixth of all the CPU
 * time when packing a vmcore). Anything else, and /proc/vmcore (whose
 * mmap() is for page-aligned old memory only), is read() into buffers.
 * A mapped file that shrinks under us raises SIGBUS: main() catches it.
 */
enum { NBUF = 4, BUFSZ = 2 << 20 };

struct sd_reader {
	int fd;
	const char *path;
	const struct sd_extent *ext;
	size_t n_ext;
	uint64_t size;
	struct sd_sha256 *h;
	bool hash_holes;

	pthread_t reader, hasher;	/* the hasher runs when h is set */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint8_t *mem;			/* NBUF * BUFSZ, when reading */
	bool use_mmap;
	struct {
		void *addr;
		size_t len;
		uint64_t off;
	} map[NBUF];			/* the mapping behind each slot */
	struct sd_reader_chunk slot[NBUF];
	/* Slots ever filled, hashed and released by the consumer. */
	uint64_t produced, hashed, consumed;
	bool holding;			/* the consumer holds slot[consumed % NBUF] */
	bool done, stop;
	bool hash_done;			/* the hasher has finished (or never ran) */
	struct sd_error *err;		/* the reader's, reported after its data */
};

static const uint8_t zeros[1 << 16];

static bool stopped(struct sd_reader *r)
{
	pthread_mutex_lock(&r->lock);
	bool stop = r->stop;
	pthread_mutex_unlock(&r->lock);
	return stop;
}

/* Feed len zeros to the digest; false if told to stop meanwhile. */
static bool hash_zeros(struct sd_reader *r, uint64_t len)
{
	for (unsigned i = 1; len; i++) {
		size_t n = len > sizeof(zeros) ? sizeof(zeros) : (size_t)len;
		sd_sha256_update(r->h, zeros, n);
		len -= n;
		/* Holes can be large: look up now and then. */
		if (i % 1024 == 0 && stopped(r))
			return false;
	}
	return true;
}

static void unmap(struct sd_reader *r, size_t i)
{
	if (!r->map[i].addr)
		return;
	munmap(r->map[i].addr, r->map[i].len);
	/* Dumps are read once: leave the page cache to others. */
	posix_fadvise(r->fd, (off_t)r->map[i].off, (off_t)r->map[i].len, POSIX_FADV_DONTNEED);
	r->map[i].addr = NULL;
}

/* Map [pos, pos + want) into slot i; NULL if mapping does not work here. */
static const void *map_chunk(struct sd_reader *r, size_t i, uint64_t pos, size_t want)
{
	uint64_t off = pos & ~(uint64_t)(sysconf(_SC_PAGESIZE) - 1);
	size_t len = want + (size_t)(pos - off);
	void *p = mmap(NULL, len, PROT_READ, MAP_SHARED | MAP_POPULATE, r->fd, (off_t)off);
	if (p == MAP_FAILED)
		return NULL;
	r->map[i].addr = p;
	r->map[i].len = len;
	r->map[i].off = off;
	return (const uint8_t *)p + (pos - off);
}

/* Fill the next free slot from pos; wait for one first. */
static struct sd_error *read_chunk(struct sd_reader *r, uint64_t pos, size_t want)
{
	pthread_mutex_lock(&r->lock);
	for (;;) {
		uint64_t released = r->consumed;
		if (r->h && r->hashed < released)
			released = r->hashed;
		if (r->produced - released < NBUF || r->stop)
			break;
		pthread_cond_wait(&r->cond, &r->lock);
	}
	bool stop = r->stop;
	size_t i = r->produced % NBUF;
	pthread_mutex_unlock(&r->lock);
	if (stop)
		return sd_error_create(SD_ERROR_OTHER, "%s: reading stopped", r->path);

	unmap(r, i);
	const void *data = NULL;
	if (r->use_mmap) {
		data = map_chunk(r, i, pos, want);
		struct stat st;
		if (data && (fstat(r->fd, &st) < 0 || (uint64_t)st.st_size < pos + want))
			return sd_error_create(SD_ERROR_INPUT, "%s shrank while it was being read",
					       r->path);
		if (!data)
			r->use_mmap = false;
	}
	if (!data) {
		if (!r->mem && !(r->mem = malloc((size_t)NBUF * BUFSZ)))
			return &sd_enomem;
		uint8_t *buf = r->mem + i * BUFSZ;
		ssize_t got = sd_pread_full(r->fd, buf, want, (off_t)pos);
		if (got < 0)
			return sd_error_errno(errno, "read %s", r->path);
		if ((size_t)got < want)
			return sd_error_create(SD_ERROR_INPUT, "%s shrank while it was being read",
					       r->path);
		posix_fadvise(r->fd, (off_t)pos, (off_t)want, POSIX_FADV_DONTNEED);
		data = buf;
	}

	pthread_mutex_lock(&r->lock);
	r->slot[i] = (struct sd_reader_chunk){ pos, data, want };
	r->produced++;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* The hasher thread: the slots in order, and the holes as zeros if asked. */
static void *hash(void *arg)
{
	struct sd_reader *r = arg;
	uint64_t pos = 0;
	for (;;) {
		pthread_mutex_lock(&r->lock);
		while (r->hashed == r->produced && !r->done && !r->stop)
			pthread_cond_wait(&r->cond, &r->lock);
		bool more = r->hashed < r->produced && !r->stop;
		/* The reader got to the end of the file (not stopped by an error). */
		bool end = !more && r->done && !r->err && !r->stop;
		struct sd_reader_chunk c = r->slot[r->hashed % NBUF];
		pthread_mutex_unlock(&r->lock);
		if (!more) {
			if (end && r->hash_holes)
				hash_zeros(r, r->size - pos);
			break;
		}
		if (r->hash_holes && !hash_zeros(r, c.off - pos))
			break;
		sd_sha256_update(r->h, c.data, c.len);
		pos = c.off + c.len;
		pthread_mutex_lock(&r->lock);
		r->hashed++;
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->lock);
	}
	pthread_mutex_lock(&r->lock);
	r->hash_done = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static void *produce(void *arg)
{
	struct sd_reader *r = arg;
	struct sd_error *err = NULL;
	uint64_t pos = 0;
	posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	for (size_t i = 0; i <= r->n_ext && !err; i++) {
		uint64_t off = i < r->n_ext ? r->ext[i].off : r->size;
		uint64_t len = i < r->n_ext ? r->ext[i].len : 0;
		if (off < pos || len > r->size - off) {
			err = sd_error_create(SD_ERROR_OTHER, "%s: bad extent", r->path);
			break;
		}
		for (pos = off; len && !err;) {
			size_t want = len > BUFSZ ? BUFSZ : (size_t)len;
			err = read_chunk(r, pos, want);
			pos += want;
			len -= want;
		}
	}
	pthread_mutex_lock(&r->lock);
	r->err = err;
	r->done = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

struct sd_error *sd_reader_start(int fd, const char *path, const struct sd_extent *ext,
				 size_t n_ext, uint64_t size, struct sd_sha256 *h,
				 bool hash_holes, struct sd_reader **ret)
{
	struct sd_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return &sd_enomem;
	*r = (struct sd_reader){
		.fd = fd, .path = path, .ext = ext, .n_ext = n_ext, .size = size,
		.h = h, .hash_holes = hash_holes,
	};
	struct stat st;
	struct statfs fs;
	r->use_mmap = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fstatfs(fd, &fs) == 0 &&
		      fs.f_type != PROC_SUPER_MAGIC;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	r->hash_done = !h;
	int e = h ? pthread_create(&r->hasher, NULL, hash, r) : 0;
	if (!e && (e = pthread_create(&r->reader, NULL, produce, r)) && h) {
		pthread_mutex_lock(&r->lock);
		r->stop = true;
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->lock);
		pthread_join(r->hasher, NULL);
	}
	if (e) {
		pthread_cond_destroy(&r->cond);
		pthread_mutex_destroy(&r->lock);
		free(r->mem);
		free(r);
		return sd_error_errno(e, "cannot start a reader thread");
	}
	*ret = r;
	return NULL;
}

struct sd_error *sd_reader_next(struct sd_reader *r, struct sd_reader_chunk *ret)
{
	pthread_mutex_lock(&r->lock);
	if (r->holding) {
		r->consumed++;
		r->holding = false;
		pthread_cond_broadcast(&r->cond);
	}
	while (r->consumed == r->produced && !r->done)
		pthread_cond_wait(&r->cond, &r->lock);
	struct sd_error *err = NULL;
	if (r->consumed < r->produced) {
		*ret = r->slot[r->consumed % NBUF];
		r->holding = true;
	} else {
		/* The end: the digest is complete once the hasher is done too. */
		while (!r->err && !r->hash_done)
			pthread_cond_wait(&r->cond, &r->lock);
		err = r->err;
		r->err = NULL;
		*ret = (struct sd_reader_chunk){ r->size, NULL, 0 };
	}
	pthread_mutex_unlock(&r->lock);
	return err;
}

void sd_reader_destroy(struct sd_reader *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->reader, NULL);
	if (r->h)
		pthread_join(r->hasher, NULL);
	sd_error_destroy(r->err);
	for (size_t i = 0; i < NBUF; i++)
		unmap(r, i);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(r->mem);
	free(r);
}
