#include "core/digest.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <concord/text.h>

#include "banned.h"

/* sodium_init() is idempotent and picks the fastest implementation; its result only says
 * whether it ran before, and the hash functions work either way. */
static void init_sodium(void)
{
	if (sodium_init() < 0)
		return;
}

void cc_sha256_init(struct cc_sha256 *h)
{
	init_sodium();
	crypto_hash_sha256_init(&h->st);
}

void cc_sha256_update(struct cc_sha256 *h, const void *data, size_t len)
{
	crypto_hash_sha256_update(&h->st, data, len);
}

void cc_sha256_final_hex(struct cc_sha256 *h, char out[static 65])
{
	unsigned char d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_final(&h->st, d);
	cc_hex(d, sizeof(d), out);
}

void cc_digest_init(struct cc_digest *h)
{
	init_sodium();
	crypto_generichash_init(&h->st, NULL, 0, 32);
}

void cc_digest_update(struct cc_digest *h, const void *data, size_t len)
{
	crypto_generichash_update(&h->st, data, len);
}

void cc_digest_final_hex(struct cc_digest *h, char out[static 65])
{
	unsigned char d[32];

	crypto_generichash_final(&h->st, d, sizeof(d));
	cc_hex(d, sizeof(d), out);
}

void cc_hash128_init(struct cc_hash128 *h)
{
	init_sodium();
	crypto_generichash_init(&h->st, NULL, 0, 16);
}

void cc_hash128_str(struct cc_hash128 *h, const char *s)
{
	static const unsigned char sep = 0x1f;

	if (s)
		crypto_generichash_update(&h->st, (const unsigned char *)s, strlen(s));
	crypto_generichash_update(&h->st, &sep, 1);
}

void cc_hash128_i64(struct cc_hash128 *h, long long v)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)((unsigned long long)v >> (8 * i));
	crypto_generichash_update(&h->st, b, sizeof(b));
}

void cc_hash128_double(struct cc_hash128 *h, double v)
{
	uint64_t u;

	if (isnan(v))
		v = NAN; /* one NaN pattern */
	memcpy(&u, &v, sizeof(u));
	cc_hash128_i64(h, (long long)u);
}

void cc_hash128_final(struct cc_hash128 *h, unsigned char out[static 16])
{
	crypto_generichash_final(&h->st, out, 16);
}
