/*
 * A growable, capped byte buffer. buf is never NULL and always NUL-terminated, so it can be
 * used as a C string at any time. Its maximum is set at init: growing past it releases the
 * buffer and returns CC_ETOOBIG, so half-built output never escapes.
 *
 * Lifecycle: CC_BUF_INIT(max) or cc_buf_init(); cc_buf_add*(); cc_buf_release() frees the
 * memory (then only init or discard); cc_buf_clear() empties it for reuse keeping the memory;
 * cc_buf_detach() hands the memory (owned, cc_free) to the caller and re-inits the buffer.
 */
#ifndef CONCORD_BUF_H
#define CONCORD_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <concord/error.h>

extern char cc__buf_empty[1];

struct cc_buf {
	char *buf;    /* NUL-terminated; cc__buf_empty while nothing is allocated */
	size_t len;   /* bytes used, not counting the NUL */
	size_t alloc; /* bytes allocated, 0 while buf is cc__buf_empty */
	size_t max;   /* cap on len; 0 means CC_LIMIT_BUF_DEFAULT */
};

#define CC_BUF_INIT(maximum) { .buf = cc__buf_empty, .len = 0, .alloc = 0, .max = (maximum) }

CC_API void cc_buf_init(struct cc_buf *b, size_t max);
CC_API void cc_buf_release(struct cc_buf *b);
CC_API void cc_buf_clear(struct cc_buf *b);
/* Returns the owned string (cc_free) or NULL on allocation failure; b is re-initialised. */
CC_API char *cc_buf_detach(struct cc_buf *b, size_t *len_out);

/* Each returns 0, CC_ENOMEM or CC_ETOOBIG; on error the buffer is released. */
CC_API int cc_buf_grow(struct cc_buf *b, size_t extra);
CC_API int cc_buf_add(struct cc_buf *b, const void *data, size_t len);
CC_API int cc_buf_adds(struct cc_buf *b, const char *s);
CC_API int cc_buf_addch(struct cc_buf *b, char c);
CC_API int cc_buf_addf(struct cc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
CC_API int cc_buf_vaddf(struct cc_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/*
 * Appends s escaped for HTML and XML text and attribute values (& < > " '); characters XML
 * cannot carry (C0 controls but tab and line ends, DEL, invalid UTF-8) become U+FFFD, so the
 * output always parses. The _n form takes len bytes.
 */
CC_API int cc_buf_add_html(struct cc_buf *b, const char *s);
CC_API int cc_buf_add_html_n(struct cc_buf *b, const char *s, size_t len);
/* Appends s as a JSON string literal, quotes included. */
CC_API int cc_buf_add_json_str(struct cc_buf *b, const char *s);
/*
 * Writes v with `decimals` digits after the point (0..9), exactly as snprintf's "%.*f" does
 * (the same digits, sign and rounding), into out (size bytes); returns the length snprintf
 * would. Much faster than snprintf for the coordinates and figures that outputs carry in their
 * thousands: it falls back to snprintf only for values it cannot settle exactly (NaN,
 * infinities, huge values, and halves that the decimal expansion would have to decide).
 */
CC_API int cc_fmt_fixed(char *out, size_t size, double v, int decimals);
/* Appends v as cc_fmt_fixed writes it. */
CC_API int cc_buf_add_fixed(struct cc_buf *b, double v, int decimals);
/* Appends s as one CSV field (RFC 4180: quoted when it holds , " CR or LF). */
CC_API int cc_buf_add_csv(struct cc_buf *b, const char *s);

#endif
