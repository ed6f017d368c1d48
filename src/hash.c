// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <unistd.h>

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
