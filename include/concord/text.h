/*
 * Text helpers shared by the importers: normalisation of names for matching, UTF-8 checks and a
 * string-keyed hash map used as a per-import cache.
 */
#ifndef CONCORD_TEXT_H
#define CONCORD_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/buf.h>
#include <concord/error.h>

/*
 * Normalises a name for matching: Unicode case fold, accents stripped (NFKD, marks removed),
 * punctuation and runs of white space collapsed to one space, trimmed. "  Kosovska  Mitrovica"
 * and "kosovska-mitrovica" both give "kosovska mitrovica"; "Uroševac" gives "urosevac".
 * Arabic-script variants fold to one form (Arabic yeh and alef maksura to Persian yeh, Arabic
 * kaf to keheh, teh marbuta to heh; tatweel dropped; Arabic-Indic and Persian digits to ASCII),
 * so a name written with Arabic or with Persian letters matches itself. Appends to out (cleared first). Returns 0, CC_ENOMEM, or CC_EPARSE for invalid UTF-8.
 */
CC_API int cc_text_norm(const char *s, struct cc_buf *out);

/* True when s[0..len) is valid UTF-8; *bad_off_out gets the offset of the first bad byte. */
CC_API bool cc_text_valid_utf8(const char *s, size_t len, size_t *bad_off_out);

/* Trims ASCII white space at both ends in place; returns s. */
CC_API char *cc_text_trim(char *s);

/* Parses a whole string as a number; 0 or CC_EPARSE/CC_EINVALID (with a message). */
CC_API int cc_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out, struct cc_err *err);
CC_API int cc_parse_double(const char *s, double *out, struct cc_err *err);

/* Hex of len bytes into out (2*len+1 bytes). */
CC_API void cc_hex(const unsigned char *bytes, size_t len, char *out);

/* ---- a string → int64 map (open addressing; keys copied) ---- */

struct cc_map {
	struct cc_map_slot *slots; /* owned */
	size_t cap, len;
};
#define CC_MAP_INIT { 0 }

/* 0 found (*value_out set), CC_ENOTFOUND. */
CC_API int cc_map_get(const struct cc_map *m, const char *key, int64_t *value_out);
/* Inserts or replaces; 0 or CC_ENOMEM. */
CC_API int cc_map_put(struct cc_map *m, const char *key, int64_t value);
CC_API void cc_map_release(struct cc_map *m);

#endif
