/* hash.h: SHA-256 through OpenSSL's EVP interface, as lowercase hex. */
#ifndef GILBENCH_HASH_H
#define GILBENCH_HASH_H

#include <stddef.h>

#define HEXLEN 65 /* 64 hex digits and a NUL */

struct sha256;
struct sha256 *mksha256(void);                                    /* start a digest */
void sha256_update(struct sha256 *h, const void *p, size_t n);    /* feed bytes */
void sha256_final(struct sha256 *h, char hex[HEXLEN]);            /* finish and free */
void sha256_buf(const void *p, size_t n, char hex[HEXLEN]);       /* one buffer */
void sha256_str(const char *s, char hex[HEXLEN]);                 /* one string */
int sha256_file(const char *path, char hex[HEXLEN]);              /* a file; -1 with the error */
int ishex64(const char *s);                                       /* 64 lowercase hex digits */

#endif
