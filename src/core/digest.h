/* Hashes: SHA-256 for file digests and the change-log chain, BLAKE2b-128 for natural keys. */
#ifndef CC_CORE_DIGEST_H
#define CC_CORE_DIGEST_H

#include <stddef.h>

#include <sodium.h>

struct cc_sha256 {
	crypto_hash_sha256_state st;
};

void cc_sha256_init(struct cc_sha256 *h);
void cc_sha256_update(struct cc_sha256 *h, const void *data, size_t len);
/* Writes 64 hex digits and a NUL. */
void cc_sha256_final_hex(struct cc_sha256 *h, char out[static 65]);

struct cc_hash128 {
	crypto_generichash_state st;
};

void cc_hash128_init(struct cc_hash128 *h);
/* Adds a string and a separator, so ("ab","c") and ("a","bc") differ. NULL adds as "". */
void cc_hash128_str(struct cc_hash128 *h, const char *s);
void cc_hash128_i64(struct cc_hash128 *h, long long v);
void cc_hash128_double(struct cc_hash128 *h, double v);
void cc_hash128_final(struct cc_hash128 *h, unsigned char out[static 16]);

#endif
