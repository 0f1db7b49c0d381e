/* hash.c: SHA-256 (see hash.h). A thin wrapper over EVP_Digest*, reading files in 1 MiB
 * chunks. */
#include "hash.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sha256 {
	EVP_MD_CTX *ctx;
};

struct sha256 *mksha256(void)
{
	struct sha256 *h = xmalloc(sizeof(*h));

	h->ctx = EVP_MD_CTX_new();
	if (!h->ctx || EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
		fatal("EVP_DigestInit_ex failed");
	return h;
}

void sha256_update(struct sha256 *h, const void *p, size_t n)
{
	if (n && EVP_DigestUpdate(h->ctx, p, n) != 1)
		fatal("EVP_DigestUpdate failed");
}

void sha256_final(struct sha256 *h, char hex[HEXLEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1)
		fatal("EVP_DigestFinal_ex failed");
	for (unsigned int i = 0; i < n && i < 32; i++) {
		static const char digits[] = "0123456789abcdef";
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

void sha256_buf(const void *p, size_t n, char hex[HEXLEN])
{
	struct sha256 *h = mksha256();

	sha256_update(h, p, n);
	sha256_final(h, hex);
}

void sha256_str(const char *s, char hex[HEXLEN])
{
	sha256_buf(s, strlen(s), hex);
}

int sha256_file(const char *path, char hex[HEXLEN])
{
	static char chunk[1 << 20];
	struct sha256 *h;
	ssize_t n;
	int fd = openreg(path, O_RDONLY);

	if (fd < 0)
		return -1;
	h = mksha256();
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			errorf("read %s:", path);
			sha256_final(h, hex);
			close(fd);
			return -1;
		}
		sha256_update(h, chunk, (size_t)n);
	}
	close(fd);
	sha256_final(h, hex);
	return 0;
}

int ishex64(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 64;
}
