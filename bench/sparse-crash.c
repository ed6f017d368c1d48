/*
 * sparse-crash: the sparse userland core of bench/run's case 4.
 *
 *   sparse-crash MAP_MIB TOUCH_MIB
 *
 * Maps MAP_MIB of anonymous memory (MAP_NORESERVE, nothing allocated yet),
 * writes TOUCH_MIB of it in 128 KiB pieces spread evenly over the mapping
 * (half log-like text, half pseudo-random bytes, so it compresses about 2:1),
 * then aborts.  The kernel's core writer skips the pages that were never
 * touched, so the core is as large as the mapping but holds only the touched
 * data: holes, not zeros.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

enum { PIECE = 128 * 1024 };

/* xorshift64: reproducible bytes without a syscall per page. */
static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: sparse-crash MAP_MIB TOUCH_MIB\n");
		return 2;
	}
	size_t map = strtoull(argv[1], NULL, 10) << 20;
	size_t touch = strtoull(argv[2], NULL, 10) << 20;
	size_t pieces = touch / PIECE;
	if (!map || !pieces || touch > map) {
		fprintf(stderr, "sparse-crash: bad sizes\n");
		return 2;
	}
	unsigned char *p = mmap(NULL, map, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		perror("sparse-crash: mmap");
		return 1;
	}
	size_t stride = map / pieces / PIECE * PIECE;
	uint64_t seed = 0x9e3779b97f4a7c15u;
	for (size_t i = 0; i < pieces; i++) {
		unsigned char *q = p + i * stride;
		if (i % 2) {
			for (size_t j = 0; j < PIECE; j += 8) {
				uint64_t v = next(&seed);
				memcpy(q + j, &v, 8);
			}
		} else {
			size_t off = 0;
			while (off < PIECE) {
				char line[128];
				int n = snprintf(line, sizeof(line),
						 "piece %zu line at %zu: value %llu, state ok\n", i, off,
						 (unsigned long long)(next(&seed) % 100000));
				if (off + (size_t)n > PIECE)
					n = (int)(PIECE - off);
				memcpy(q + off, line, (size_t)n);
				off += (size_t)n;
			}
		}
	}
	printf("sparse-crash: mapped %zu MiB at %p, touched %zu MiB\n", map >> 20, (void *)p,
	       touch >> 20);
	fflush(stdout);
	abort();
}
