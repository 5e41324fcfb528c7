/*
 * Hashes: BLAKE2b-256 for file digests (about 2.5 times faster than SHA-256 here, and a file's
 * digest only has to tell files apart), SHA-256 for the change-log chain, BLAKE2b-128 for
 * natural keys and row digests.
 */
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

struct cc_digest {
	crypto_generichash_state st;
};

/* BLAKE2b-256 of a stream, as 64 hex digits (what `b2sum -l 256` prints). */
void cc_digest_init(struct cc_digest *h);
void cc_digest_update(struct cc_digest *h, const void *data, size_t len);
void cc_digest_final_hex(struct cc_digest *h, char out[static 65]);

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
