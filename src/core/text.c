#include <concord/text.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include <concord/alloc.h>

#include "banned.h"

static bool is_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/*
 * The same rules as the Unicode path, for pure ASCII (most names and activity texts): letters
 * and digits kept and lowercased, apostrophes dropped, anything else one separating space.
 * About ten times faster than decomposing with utf8proc.
 */
static int norm_ascii(const char *s, size_t len, struct cc_buf *out)
{
	bool space = false;
	int ret = cc_buf_grow(out, len);

	for (size_t i = 0; i < len && ret == 0; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) {
			if (space && out->len > 0)
				out->buf[out->len++] = ' ';
			space = false;
			out->buf[out->len++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
		} else if (c != '\'') {
			space = true;
		}
	}
	if (ret == 0)
		out->buf[out->len] = '\0';
	return ret;
}

/*
 * Arabic-script letters that Dari, Pashto and Arabic texts write differently for the same word
 * (the keyboard or the font decides), folded to the Persian form after decomposition: Arabic yeh
 * ي and alef maksura ى to Persian yeh ی, Arabic kaf ك to keheh ک, teh marbuta ة to heh ه, ae ە
 * (what heh with yeh above ۀ decomposes to) to heh, and the Arabic-Indic and Persian digits to
 * ASCII. Harakat and the hamza above or below are marks, stripped already. Returns 0 for a
 * character that vanishes without separating words (tatweel ـ, which only stretches a line).
 * Pashto's ې and ۍ stay distinct; Pashto's ي and ی merge, which is a loss only for matching.
 */
static utf8proc_int32_t fold_arabic(utf8proc_int32_t cp)
{
	if (cp < 0x0629 || cp > 0x06F9)
		return cp;
	if (cp >= 0x0660 && cp <= 0x0669)
		return '0' + (cp - 0x0660);
	if (cp >= 0x06F0)
		return '0' + (cp - 0x06F0);
	switch (cp) {
	case 0x064A: /* ي */
	case 0x0649: /* ى */
		return 0x06CC;
	case 0x0643: /* ك */
		return 0x06A9;
	case 0x0629: /* ة */
	case 0x06D5: /* ە */
		return 0x0647;
	case 0x0640: /* tatweel */
		return 0;
	default:
		return cp;
	}
}

int cc_text_norm(const char *s, struct cc_buf *out)
{
	utf8proc_int32_t stack[256], *cps = stack;
	utf8proc_ssize_t n, cap = (utf8proc_ssize_t)(sizeof(stack) / sizeof(stack[0]));
	const int opts = UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |
	                 UTF8PROC_IGNORE | UTF8PROC_DECOMPOSE;
	size_t len = strlen(s);
	bool space = false;
	int ret = 0;

	cc_buf_clear(out);
	if (is_ascii(s, len))
		return norm_ascii(s, len, out);
	/* decompose into our own buffer: utf8proc_map() would allocate with the C library */
	n = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, cps, cap, opts);
	if (n > cap) {
		cps = cc_alloc_array((size_t)n, sizeof(*cps));
		if (!cps)
			return CC_ENOMEM;
		cap = n;
		n = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, cps, cap,
		                       opts);
	}
	if (n < 0) {
		ret = n == UTF8PROC_ERROR_NOMEM ? CC_ENOMEM : CC_EPARSE;
		goto out_free;
	}
	for (utf8proc_ssize_t i = 0; i < n && ret == 0; i++) {
		utf8proc_int32_t cp = fold_arabic(cps[i]);
		utf8proc_category_t cat = utf8proc_category(cp);
		utf8proc_uint8_t enc[4];

		if (cp == 0)
			continue;
		if (cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL ||
		    cat == UTF8PROC_CATEGORY_LT || cat == UTF8PROC_CATEGORY_LM ||
		    cat == UTF8PROC_CATEGORY_LO || cat == UTF8PROC_CATEGORY_ND ||
		    cat == UTF8PROC_CATEGORY_NL || cat == UTF8PROC_CATEGORY_NO) {
			if (space && out->len > 0)
				ret = cc_buf_addch(out, ' ');
			space = false;
			if (ret == 0)
				ret = cc_buf_add(out, enc, (size_t)utf8proc_encode_char(cp, enc));
		} else if (cat != UTF8PROC_CATEGORY_MN && cat != UTF8PROC_CATEGORY_MC &&
		           cat != UTF8PROC_CATEGORY_ME && cp != '\'' && cp != 0x2019) {
			/* apostrophes vanish (Tajura' → tajura); other separators become one space */
			space = true;
		}
	}
out_free:
	if (cps != stack)
		cc_free(cps);
	return ret;
}

bool cc_text_valid_utf8(const char *s, size_t len, size_t *bad_off_out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k;

		if (p[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (k <= 0) {
			if (bad_off_out)
				*bad_off_out = i;
			return false;
		}
		i += (size_t)k;
	}
	return true;
}

char *cc_text_trim(char *s)
{
	size_t n = strlen(s), a = 0;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	while (a < n && (s[a] == ' ' || s[a] == '\t'))
		a++;
	memmove(s, s + a, n - a);
	s[n - a] = '\0';
	return s;
}

int cc_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out, struct cc_err *err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0')
		return cc_err_set(err, CC_EPARSE, "'%s' is not a whole number", s);
	if (errno == ERANGE || v < min || v > max)
		return cc_err_set(err, CC_EINVALID, "%s is out of range %lld..%lld", s, (long long)min,
		                  (long long)max);
	*out = v;
	return 0;
}

int cc_parse_double(const char *s, double *out, struct cc_err *err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || !isfinite(v))
		return cc_err_set(err, CC_EPARSE, "'%s' is not a number", s);
	if (errno == ERANGE)
		return cc_err_set(err, CC_EINVALID, "%s is out of range", s);
	*out = v;
	return 0;
}

void cc_hex(const unsigned char *bytes, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * len] = '\0';
}

/* ---- map ---- */

struct cc_map_slot {
	char *key; /* owned; NULL: empty */
	uint64_t hash;
	int64_t value;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211u;
	}
	return h;
}

int cc_map_get(const struct cc_map *m, const char *key, int64_t *value_out)
{
	uint64_t h;

	if (!m->cap)
		return CC_ENOTFOUND;
	h = hash_str(key);
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		const struct cc_map_slot *sl = &m->slots[i];

		if (!sl->key)
			return CC_ENOTFOUND;
		if (sl->hash == h && strcmp(sl->key, key) == 0) {
			*value_out = sl->value;
			return 0;
		}
	}
}

static void place(struct cc_map_slot *slots, size_t cap, struct cc_map_slot s)
{
	size_t i = s.hash & (cap - 1);

	while (slots[i].key)
		i = (i + 1) & (cap - 1);
	slots[i] = s;
}

int cc_map_put(struct cc_map *m, const char *key, int64_t value)
{
	uint64_t h = hash_str(key);
	char *k;

	if (m->cap) {
		for (size_t i = h & (m->cap - 1); m->slots[i].key; i = (i + 1) & (m->cap - 1)) {
			if (m->slots[i].hash == h && strcmp(m->slots[i].key, key) == 0) {
				m->slots[i].value = value;
				return 0;
			}
		}
	}
	if ((m->len + 1) * 4 > m->cap * 3) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct cc_map_slot *slots = cc_alloc_array(cap, sizeof(*slots));

		if (!slots)
			return CC_ENOMEM;
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].key)
				place(slots, cap, m->slots[i]);
		cc_free(m->slots);
		m->slots = slots;
		m->cap = cap;
	}
	k = cc_strdup(key);
	if (!k)
		return CC_ENOMEM;
	place(m->slots, m->cap, (struct cc_map_slot){ .key = k, .hash = h, .value = value });
	m->len++;
	return 0;
}

void cc_map_release(struct cc_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++)
		cc_free(m->slots[i].key);
	cc_free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}
