#include <concord/buf.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <utf8proc.h>

#include <concord/alloc.h>

#include "limits.h"

#include "banned.h"

char cc__buf_empty[1];

void cc_buf_init(struct cc_buf *b, size_t max)
{
	b->buf = cc__buf_empty;
	b->len = 0;
	b->alloc = 0;
	b->max = max;
}

void cc_buf_release(struct cc_buf *b)
{
	if (!b)
		return;
	if (b->alloc)
		cc_free(b->buf);
	cc_buf_init(b, b->max);
}

void cc_buf_clear(struct cc_buf *b)
{
	b->len = 0;
	if (b->alloc)
		b->buf[0] = '\0';
}

char *cc_buf_detach(struct cc_buf *b, size_t *len_out)
{
	char *s;

	if (len_out)
		*len_out = b->len;
	if (b->alloc) {
		s = b->buf;
	} else {
		s = cc_malloc(1);
		if (s)
			s[0] = '\0';
	}
	cc_buf_init(b, b->max);
	return s;
}

int cc_buf_grow(struct cc_buf *b, size_t extra)
{
	size_t max = b->max ? b->max : CC_LIMIT_BUF_DEFAULT;
	size_t need, n;
	char *p;

	if (extra > max || b->len > max - extra) {
		cc_buf_release(b);
		return CC_ETOOBIG;
	}
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return 0;
	n = b->alloc ? b->alloc : 64;
	while (n < need)
		n = n < SIZE_MAX / 2 ? n * 2 : need;
	p = cc_realloc(b->alloc ? b->buf : NULL, n);
	if (!p) {
		cc_buf_release(b);
		return CC_ENOMEM;
	}
	if (!b->alloc)
		p[0] = '\0';
	b->buf = p;
	b->alloc = n;
	return 0;
}

int cc_buf_add(struct cc_buf *b, const void *data, size_t len)
{
	int ret = cc_buf_grow(b, len);

	if (ret < 0)
		return ret;
	if (len)
		memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return 0;
}

int cc_buf_adds(struct cc_buf *b, const char *s)
{
	return cc_buf_add(b, s, strlen(s));
}

int cc_buf_addch(struct cc_buf *b, char c)
{
	return cc_buf_add(b, &c, 1);
}

int cc_buf_vaddf(struct cc_buf *b, const char *fmt, va_list ap)
{
	size_t max = b->max ? b->max : CC_LIMIT_BUF_DEFAULT;
	size_t room = b->alloc ? b->alloc - b->len : 0; /* with the NUL's byte */
	va_list cp;
	int n, ret;

	/* Formats into the room already there, so most calls format once; a second time only
	 * when the buffer has to grow. */
	va_copy(cp, ap);
	n = room ? vsnprintf(b->buf + b->len, room, fmt, cp) : vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		if (room)
			b->buf[b->len] = '\0';
		return CC_EINVALID;
	}
	if ((size_t)n < room && (size_t)n <= max && b->len <= max - (size_t)n) {
		b->len += (size_t)n; /* it fitted, NUL and all */
		return 0;
	}
	if (room)
		b->buf[b->len] = '\0';
	ret = cc_buf_grow(b, (size_t)n); /* the cap (releasing the buffer past it), then room */
	if (ret < 0)
		return ret;
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int cc_buf_addf(struct cc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = cc_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return ret;
}

int cc_fmt_fixed(char *out, size_t size, double v, int decimals)
{
	static const double p10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
	char tmp[40], *d = tmp + sizeof(tmp);
	double a = fabs(v), scaled, whole, frac;
	uint64_t r;
	int len;

	if (decimals < 0 || decimals > 9 || !isfinite(v))
		return snprintf(out, size, "%.*f", decimals, v);
	scaled = a * p10[decimals]; /* p10 exact, so off the true product by half an ulp at most */
	if (scaled >= 0x1p52)
		return snprintf(out, size, "%.*f", decimals, v);
	whole = floor(scaled);
	frac = scaled - whole; /* exact */
	/* Near a half the true product could lie on the other side: let snprintf decide. */
	if (fabs(frac - 0.5) <= scaled * 0x1p-51 + 0x1p-60)
		return snprintf(out, size, "%.*f", decimals, v);
	r = (uint64_t)whole + (frac > 0.5);
	*--d = '\0';
	for (int i = 0; i < decimals; i++) {
		*--d = (char)('0' + r % 10);
		r /= 10;
	}
	if (decimals)
		*--d = '.';
	do {
		*--d = (char)('0' + r % 10);
		r /= 10;
	} while (r);
	if (signbit(v))
		*--d = '-';
	len = (int)(tmp + sizeof(tmp) - 1 - d);
	if (size) {
		size_t n = (size_t)len < size ? (size_t)len : size - 1;
		memcpy(out, d, n);
		out[n] = '\0';
	}
	return len;
}

int cc_buf_add_fixed(struct cc_buf *b, double v, int decimals)
{
	char s[400]; /* "%.9f" of DBL_MAX: 309 digits, the point and nine more */
	int n = cc_fmt_fixed(s, sizeof(s), v, decimals);

	if (n < 0 || (size_t)n >= sizeof(s))
		return cc_buf_addf(b, "%.*f", decimals, v);
	return cc_buf_add(b, s, (size_t)n);
}

/*
 * Length of the valid UTF-8 character at s (n bytes left) that XML allows, or 0: C0 controls
 * other than tab, LF and CR, DEL, U+FFFE/U+FFFF and malformed sequences are not allowed.
 */
static size_t xml_char_len(const char *s, size_t n)
{
	unsigned char c = (unsigned char)*s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t k;

	if (c < 0x80)
		return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f ? 0 : 1;
	k = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &cp);
	if (k <= 0 || cp == 0xfffe || cp == 0xffff)
		return 0;
	return (size_t)k;
}

int cc_buf_add_html_n(struct cc_buf *b, const char *s, size_t len)
{
	size_t i = 0, run = 0;
	int ret = 0;

	while (i < len && ret == 0) {
		const char *rep = NULL;
		size_t k = xml_char_len(s + i, len - i);

		switch (k ? s[i] : 0) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		case 0:
			rep = "\xef\xbf\xbd"; /* U+FFFD for what XML cannot carry */
			k = 1;
			break;
		default:
			i += k;
			continue;
		}
		if ((ret = cc_buf_add(b, s + run, i - run)) == 0)
			ret = cc_buf_adds(b, rep);
		i += k;
		run = i;
	}
	return ret < 0 ? ret : cc_buf_add(b, s + run, i - run);
}

int cc_buf_add_html(struct cc_buf *b, const char *s)
{
	return cc_buf_add_html_n(b, s, strlen(s));
}

int cc_buf_add_json_str(struct cc_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int ret = cc_buf_addch(b, '"');

	for (; ret == 0 && *p; p++) {
		switch (*p) {
		case '"':
			ret = cc_buf_adds(b, "\\\"");
			break;
		case '\\':
			ret = cc_buf_adds(b, "\\\\");
			break;
		case '\n':
			ret = cc_buf_adds(b, "\\n");
			break;
		case '\r':
			ret = cc_buf_adds(b, "\\r");
			break;
		case '\t':
			ret = cc_buf_adds(b, "\\t");
			break;
		default:
			if (*p < 0x20)
				ret = cc_buf_addf(b, "\\u%04x", *p);
			else
				ret = cc_buf_addch(b, (char)*p);
		}
	}
	return ret < 0 ? ret : cc_buf_addch(b, '"');
}

int cc_buf_add_csv(struct cc_buf *b, const char *s)
{
	int ret;

	if (!strpbrk(s, ",\"\r\n"))
		return cc_buf_adds(b, s);
	ret = cc_buf_addch(b, '"');
	for (; ret == 0 && *s; s++)
		ret = *s == '"' ? cc_buf_adds(b, "\"\"") : cc_buf_addch(b, *s);
	return ret < 0 ? ret : cc_buf_addch(b, '"');
}
