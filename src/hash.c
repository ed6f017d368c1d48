// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include "hash.h"
#include "util.h"

struct sd_sha256 {
	EVP_MD_CTX *ctx;
};

struct sd_error *sd_sha256_create(struct sd_sha256 **ret)
{
	struct sd_sha256 *h = malloc(sizeof(*h));
	if (!h)
		return &sd_enomem;
	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || !EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL)) {
		if (h->ctx)
			EVP_MD_CTX_free(h->ctx);
		free(h);
		return sd_error_create(SD_ERROR_LIBRARY, "cannot initialise SHA-256");
	}
	*ret = h;
	return NULL;
}

void sd_sha256_update(struct sd_sha256 *h, const void *buf, size_t len)
{
	EVP_DigestUpdate(h->ctx, buf, len);
}

void sd_sha256_final(struct sd_sha256 *h, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_DigestFinal_ex(h->ctx, md, &len);
	sd_hex(md, len, out);
	EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL);
}

void sd_sha256_destroy(struct sd_sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

uint32_t sd_crc32_update(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	while (len) {
		uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;
		crc = (uint32_t)crc32(crc, p, n);
		p += n;
		len -= n;
	}
	return crc;
}

int sd_crc32_fd(int fd, uint32_t *ret)
{
	enum { BUFSZ = 1 << 20 };
	unsigned char *buf = malloc(BUFSZ);
	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	uint32_t crc = 0;
	off_t off = 0;
	for (;;) {
		ssize_t n = sd_pread_full(fd, buf, BUFSZ, off);
		if (n < 0) {
			free(buf);
			return -1;
		}
		crc = sd_crc32_update(crc, buf, (size_t)n);
		if (n < BUFSZ)
			break;	/* EOF */
		off += n;
	}
	free(buf);
	*ret = crc;
	return 0;
}
