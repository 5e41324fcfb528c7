#include "io/csv.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>

#include <concord/alloc.h>
#include <concord/text.h>

#include "core/digest.h"
#include "core/limits.h"

#include "core/banned.h"

/*
 * How it works. Input is read in CSV_CHUNK pieces (converted by iconv when an encoding is
 * given) and handed to libcsv one physical line at a time: a "segment" ends after the first
 * CR, LF or CR LF, or at the end of the buffer. A record can only end on a line break, so at
 * most one record completes per segment and the line of every event is the line of the
 * segment: that is how records learn their first and last physical lines although libcsv
 * itself knows nothing of lines. The parser state is read after each segment to see whether a
 * record or a field has begun.
 *
 * A whole line met between records is first offered to split_line(), which reads lines
 * without multi-line or doubled-quote fields with memchr() and gives exactly libcsv's result;
 * only the other lines go through libcsv, whose per-byte loop is the slow part.
 *
 * libcsv's own entry buffer holds the field being parsed; finished fields are copied into
 * one record buffer (rec, NUL-separated) that is reused, so the hot path does not allocate.
 * glibc's iconv cannot be routed through cc_malloc (it allocates in iconv_open only).
 */

#define CSV_CHUNK (64u << 10)  /* bytes per read(2) */
#define CONV_OUT  (256u << 10) /* iconv output per step: latin1 at most doubles */

/* libcsv 3.0.3 parser states (libcsv.c; struct csv_parser is public, these names are not) */
#define LIBCSV_ROW_NOT_BEGUN          0
#define LIBCSV_FIELD_BEGUN            2
#define LIBCSV_FIELD_MIGHT_HAVE_ENDED 3

enum cb_fail {
	CB_OK,
	CB_ENOMEM,
	CB_FIELD,  /* a field over CC_LIMIT_CSV_FIELD */
	CB_FIELDS, /* more than CC_LIMIT_CSV_FIELDS fields */
	CB_RECORD, /* a record over CC_LIMIT_CSV_RECORD */
};

struct cc_csv {
	int fd;
	bool own_fd;
	char name[256]; /* for messages */
	struct csv_parser p;

	iconv_t cd;    /* (iconv_t)-1 when the input is read as UTF-8 */
	char enc[32];  /* opts->encoding, for messages */
	bool conv_err; /* iconv stopped at a byte it cannot convert (conv_bad) or at EOF */
	bool conv_eof; /* ... because the file ends inside a character */
	unsigned char conv_bad;

	unsigned char *raw;  /* owned, CSV_CHUNK: bytes as read */
	size_t raw_len;      /* bytes in raw */
	size_t raw_pos;      /* with iconv: bytes of raw already converted */
	size_t held;         /* without iconv: raw[data_len..+held) is a split UTF-8 sequence */
	unsigned char *conv; /* owned, CONV_OUT: iconv output; NULL without iconv */

	const unsigned char *data; /* UTF-8 being parsed: raw or conv */
	size_t data_len, data_pos;
	size_t bad_off; /* offset in data of the first invalid UTF-8 byte, SIZE_MAX if none */
	size_t next_cr; /* offset in data of the next CR, data_len if none, SIZE_MAX unknown */
	bool eof, at_start, done;

	long line;         /* physical line of data[data_pos], 1-based */
	long seg_line;     /* line of the segment being parsed */
	bool prev_cr;      /* the last segment ended with a CR (a following LF ends no line) */
	size_t line_off;   /* offset in data where the current line starts, 0 if before data */
	size_t line_chars; /* characters of the current line in earlier buffers */

	char *rec; /* owned: fields of the current record, each NUL-terminated */
	size_t rec_len, rec_cap;
	size_t rec_bytes; /* field bytes, NULs not counted (CC_LIMIT_CSV_RECORD) */
	size_t *offs;     /* owned: offset of each field in rec */
	size_t offs_cap;
	char **ptrs; /* owned: the row handed out */
	size_t ptrs_cap;
	size_t n_fields;
	long rec_start, rec_end, field_start; /* lines; 0 while unknown */
	bool ready;                           /* a whole record is in rec */
	enum cb_fail cb_fail;
	long cb_line;

	struct cc_digest sha;
	char digest[65]; /* "" until the end of the file */
	bool no_digest;  /* the caller hashes the file itself */
	uint64_t bytes_read, bytes_total;

	int failed; /* an error code returned again by every later call */
	struct cc_err saved;

	/* --map (opts->map): applied to the first record */
	const struct cc_import_map *map;
	size_t n_map;
	bool header_seen;
	char **syn;        /* owned: the hashtag row made from the map (cells borrowed) */
	size_t n_syn;
	long syn_line;
	bool syn_pending;  /* returned by the next call */
};

bool cc__csv_libcsv_only;

#define fail(c, err, code, line, field, ...) \
	fail_at((c), (err), (code), (line), (field), __FILE__ ":" CC__STR(__LINE__), __VA_ARGS__)

__attribute__((format(printf, 7, 8))) static int fail_at(struct cc_csv *c, struct cc_err *err,
                                                         int code, long line, const char *field,
                                                         const char *src, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cc_err_clear(&c->saved);
	cc__err_set(&c->saved, code, src, "%s", msg);
	cc_err_at(&c->saved, c->name, line, field);
	c->failed = code;
	if (err)
		*err = c->saved;
	return code;
}

/* strerror, lowercased as our messages are */
static const char *errno_text(int e, char *buf, size_t n)
{
	const char *s = strerror_r(e, buf, n);

	if (s != buf) {
		snprintf(buf, n, "%s", s);
		s = buf;
	}
	if (buf[0] >= 'A' && buf[0] <= 'Z' && (buf[1] < 'A' || buf[1] > 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return s;
}

/* Characters (UTF-8 lead bytes) in s[0..n): columns in messages count characters. */
static size_t count_chars(const unsigned char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += (s[i] & 0xc0) != 0x80;
	return k;
}

/* Offset of the first byte >= 0x80 in s[0..n), or n; a word at a time. */
static size_t ascii_prefix(const unsigned char *s, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, s + i, 8);
		if (w & UINT64_C(0x8080808080808080))
			break;
	}
	while (i < n && s[i] < 0x80)
		i++;
	return i;
}

/* Bytes at the end of s[0..n) that start a UTF-8 sequence completed only by later input. */
static size_t utf8_split_tail(const unsigned char *s, size_t n)
{
	for (size_t i = 1; i <= 3 && i <= n; i++) {
		unsigned char b = s[n - i];
		size_t need;

		if ((b & 0xc0) == 0x80)
			continue;
		if (b < 0xc0)
			return 0;
		need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
		return need > i ? i : 0;
	}
	return 0;
}

static void on_field(void *s, size_t len, void *data)
{
	struct cc_csv *c = data;
	size_t need;

	if (c->cb_fail)
		return;
	if (!c->field_start)
		c->field_start = c->seg_line;
	if (c->n_fields == CC_LIMIT_CSV_FIELDS) {
		c->cb_fail = CB_FIELDS;
		goto out_fail;
	}
	if (len > CC_LIMIT_CSV_FIELD) {
		c->cb_fail = CB_FIELD;
		goto out_fail;
	}
	if (c->rec_bytes + len > CC_LIMIT_CSV_RECORD) {
		c->cb_fail = CB_RECORD;
		goto out_fail;
	}
	need = c->rec_len + len + 1;
	if (need > c->rec_cap) {
		size_t cap = c->rec_cap ? c->rec_cap : 4096;
		char *p;

		while (cap < need)
			cap *= 2;
		p = cc_realloc(c->rec, cap);
		if (!p) {
			c->cb_fail = CB_ENOMEM;
			goto out_fail;
		}
		c->rec = p;
		c->rec_cap = cap;
	}
	if (c->n_fields == c->offs_cap) {
		size_t cap = c->offs_cap ? c->offs_cap * 2 : 32;
		size_t *p = cc_realloc(c->offs, cap * sizeof(*p));

		if (!p) {
			c->cb_fail = CB_ENOMEM;
			goto out_fail;
		}
		c->offs = p;
		c->offs_cap = cap;
	}
	if (len)
		memcpy(c->rec + c->rec_len, s, len);
	c->rec[c->rec_len + len] = '\0';
	c->offs[c->n_fields++] = c->rec_len;
	c->rec_len += len + 1;
	c->rec_bytes += len;
	c->field_start = 0;
	return;
out_fail:
	c->cb_line = c->field_start;
}

static void on_record(int term, void *data)
{
	struct cc_csv *c = data;

	(void)term;
	if (c->cb_fail)
		return;
	if (!c->rec_start)
		c->rec_start = c->seg_line;
	c->rec_end = c->seg_line;
	c->ready = true;
}

static int cb_error(struct cc_csv *c, struct cc_err *err)
{
	char col[32];

	snprintf(col, sizeof(col), "column %zu", c->n_fields + 1);
	switch (c->cb_fail) {
	case CB_OK:
		break;
	case CB_ENOMEM:
		return fail(c, err, CC_ENOMEM, c->cb_line, NULL, "out of memory reading a record");
	case CB_FIELD:
		return fail(c, err, CC_ETOOBIG, c->cb_line, col,
		            "field is longer than %u bytes (a quote left open?)",
		            CC_LIMIT_CSV_FIELD);
	case CB_FIELDS:
		return fail(c, err, CC_ETOOBIG, c->rec_start ? c->rec_start : c->cb_line, NULL,
		            "record has more than %d fields", CC_LIMIT_CSV_FIELDS);
	case CB_RECORD:
		return fail(c, err, CC_ETOOBIG, c->rec_start ? c->rec_start : c->cb_line, NULL,
		            "record is longer than %u bytes", CC_LIMIT_CSV_RECORD);
	}
	return 0;
}

static int read_some(struct cc_csv *c, unsigned char *buf, size_t cap, size_t *n_out,
                     struct cc_err *err)
{
	ssize_t n;
	char ebuf[128];

	do {
		n = read(c->fd, buf, cap);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return fail(c, err, CC_EIO, 0, NULL, "cannot read: %s",
		            errno_text(errno, ebuf, sizeof(ebuf)));
	*n_out = (size_t)n;
	if (n == 0) {
		if (!c->eof)
			cc_digest_final_hex(&c->sha, c->digest);
		c->eof = true;
		return 0;
	}
	if (!c->no_digest)
		cc_digest_update(&c->sha, buf, (size_t)n);
	c->bytes_read += (uint64_t)n;
	return 0;
}

/* Refills data with UTF-8 read as is. Returns 0, > 0 at the end, < 0 on error. */
static int fill_plain(struct cc_csv *c, struct cc_err *err)
{
	size_t have = c->held, n;
	int ret;

	if (c->eof)
		return 1;
	memmove(c->raw, c->raw + c->data_len, have);
	c->held = 0;
	/* at least 4 bytes, so that a BOM is seen whole and a split tail leaves something */
	while (have < 4) {
		ret = read_some(c, c->raw + have, CSV_CHUNK - have, &n, err);
		if (ret < 0)
			return ret;
		if (n == 0)
			break;
		have += n;
	}
	c->raw_len = have;
	c->held = c->eof ? 0 : utf8_split_tail(c->raw, have);
	c->data = c->raw;
	c->data_len = have - c->held;
	c->data_pos = 0;
	if (c->data_len == 0)
		return 1;
	c->bad_off = ascii_prefix(c->data, c->data_len);
	if (c->bad_off < c->data_len) {
		size_t bad;

		if (cc_text_valid_utf8((const char *)c->data + c->bad_off, c->data_len - c->bad_off,
		                       &bad))
			c->bad_off = SIZE_MAX;
		else
			c->bad_off += bad;
	} else {
		c->bad_off = SIZE_MAX;
	}
	/* a NUL byte would silently cut its field short: refuse it like a bad byte */
	const unsigned char *nul = memchr(c->data, '\0', c->data_len);

	if (nul && (size_t)(nul - c->data) < c->bad_off)
		c->bad_off = (size_t)(nul - c->data);
	return 0;
}

/* Refills data with iconv's UTF-8 output. Returns 0, > 0 at the end, < 0 on error. */
static int fill_conv(struct cc_csv *c, struct cc_err *err)
{
	for (;;) {
		size_t n, left;
		int ret;

		if (c->raw_pos < c->raw_len) {
			char *in = (char *)c->raw + c->raw_pos, *out = (char *)c->conv;
			size_t in_left = c->raw_len - c->raw_pos, out_left = CONV_OUT;
			size_t r = iconv(c->cd, &in, &in_left, &out, &out_left);
			int e = errno;

			c->raw_pos = c->raw_len - in_left;
			c->data = c->conv;
			c->data_len = CONV_OUT - out_left;
			c->data_pos = 0;
			if (r == (size_t)-1 && e == EILSEQ) {
				c->conv_err = true;
				c->conv_bad = c->raw[c->raw_pos];
				return 0;
			}
			if (r == (size_t)-1 && e != E2BIG && e != EINVAL)
				return fail(c, err, CC_EIO, 0, NULL, "cannot convert from %s",
				            c->enc);
			if (c->data_len > 0)
				return 0;
			/* EINVAL: the buffer ends inside a character; read on */
		}
		left = c->raw_len - c->raw_pos;
		memmove(c->raw, c->raw + c->raw_pos, left);
		c->raw_len = left;
		c->raw_pos = 0;
		if (c->eof)
			n = 0;
		else if ((ret = read_some(c, c->raw + left, CSV_CHUNK - left, &n, err)) < 0)
			return ret;
		if (n == 0) {
			if (left == 0)
				return 1;
			c->conv_err = c->conv_eof = true;
			c->data_len = c->data_pos = 0;
			return 0;
		}
		c->raw_len += n;
	}
}

static int fill(struct cc_csv *c, struct cc_err *err)
{
	int ret;

	/* the current line goes on into the next buffer: keep its width for columns */
	if (c->data && c->line_off < c->data_len)
		c->line_chars += count_chars(c->data + c->line_off, c->data_len - c->line_off);
	c->line_off = 0;
	ret = c->conv ? fill_conv(c, err) : fill_plain(c, err);
	if (ret != 0)
		return ret;
	if (c->at_start) {
		c->at_start = false;
		if (c->data_len >= 3 && memcmp(c->data, "\xef\xbb\xbf", 3) == 0)
			c->data_pos = c->line_off = 3;
	}
	c->next_cr = SIZE_MAX; /* not searched yet */
	return 0;
}

static int encoding_error(struct cc_csv *c, size_t bad, struct cc_err *err)
{
	size_t col = c->line_chars + count_chars(c->data + c->line_off, bad - c->line_off) + 1;

	if (c->data[bad] == '\0')
		return fail(c, err, CC_EPARSE, c->line, NULL,
		            "NUL byte at line %ld, column %zu: not a text file", c->line, col);
	return fail(c, err, CC_EPARSE, c->line, NULL,
	            "file is not UTF-8 (byte 0x%02x at line %ld, column %zu); give --encoding "
	            "latin1 or convert it",
	            c->data[bad], c->line, col);
}

static int conv_error(struct cc_csv *c, struct cc_err *err)
{
	size_t col =
	        c->line_chars + count_chars(c->data + c->line_off, c->data_len - c->line_off) + 1;

	if (c->conv_eof)
		return fail(c, err, CC_EPARSE, c->line, NULL,
		            "file ends inside a %s character (line %ld, column %zu)", c->enc,
		            c->line, col);
	return fail(c, err, CC_EPARSE, c->line, NULL,
	            "file is not %s (byte 0x%02x at line %ld, column %zu); check --encoding",
	            c->enc, c->conv_bad, c->line, col);
}

/* Hands the record in rec to the caller and gets ready for the next one. */
static int emit(struct cc_csv *c, struct cc_csv_row *row, struct cc_err *err)
{
	if (c->n_fields > c->ptrs_cap) {
		size_t cap = c->ptrs_cap ? c->ptrs_cap : 32;
		char **p;

		while (cap < c->n_fields)
			cap *= 2;
		p = cc_realloc(c->ptrs, cap * sizeof(*p));
		if (!p)
			return fail(c, err, CC_ENOMEM, c->rec_start, NULL,
			            "out of memory reading a record");
		c->ptrs = p;
		c->ptrs_cap = cap;
	}
	for (size_t i = 0; i < c->n_fields; i++)
		c->ptrs[i] = c->rec + c->offs[i];
	row->fields = c->ptrs;
	row->n_fields = c->n_fields;
	row->line = c->rec_start;
	row->end_line = c->rec_end;
	/* the text stays in rec until the next call */
	c->ready = false;
	c->rec_len = c->rec_bytes = c->n_fields = 0;
	c->rec_start = c->rec_end = c->field_start = 0;
	return 0;
}

static int finish(struct cc_csv *c, struct cc_csv_row *row, struct cc_err *err)
{
	int ret;

	if (c->done)
		return 1;
	c->done = true;
	if (c->p.pstate == LIBCSV_FIELD_BEGUN && c->p.quoted)
		return fail(c, err, CC_EPARSE, c->field_start, NULL,
		            "quoted field opened at line %ld is never closed", c->field_start);
	c->seg_line = c->line;
	csv_fini(&c->p, on_field, on_record, c);
	ret = cb_error(c, err);
	if (ret < 0)
		return ret;
	if (c->ready)
		return emit(c, row, err);
	return 1;
}

/* Length of the segment at data_pos: up to and including the next line break. */
static size_t next_segment(struct cc_csv *c)
{
	const unsigned char *s = c->data + c->data_pos;
	size_t avail = c->data_len - c->data_pos, seg;
	const unsigned char *lf = memchr(s, '\n', avail);

	seg = lf ? (size_t)(lf - s) + 1 : avail;
	if (c->next_cr == SIZE_MAX || c->next_cr < c->data_pos) {
		const unsigned char *cr = memchr(s, '\r', avail);

		c->next_cr = cr ? (size_t)(cr - c->data) : c->data_len;
	}
	if (c->next_cr < c->data_pos + seg) {
		seg = c->next_cr - c->data_pos + 1;
		if (seg < avail && s[seg] == '\n')
			seg++;
	}
	return seg;
}

static bool is_blank(unsigned char ch, unsigned char delim)
{
	return (ch == ' ' || ch == '\t') && ch != delim;
}

/*
 * Reads a whole line without libcsv, exactly as libcsv would: split at the delimiter, spaces
 * and tabs trimmed around unquoted fields, a quote in the middle of an unquoted field taken
 * literally, nothing but spaces a blank line. Handles quoted fields whose closing quote is on
 * the same line with nothing but blanks before the next delimiter, and no doubled quote inside;
 * for anything else it emits nothing and returns false, and libcsv reads the line. Most lines of
 * real files qualify, and memchr() is several times faster than libcsv's byte-at-a-time state
 * machine. t-csv checks on random input that both give the same records.
 */
static bool split_line(struct cc_csv *c, const unsigned char *s, size_t n)
{
	unsigned char delim = c->p.delim_char, quote = c->p.quote_char;
	size_t i = 0;

	while (i < n && is_blank(s[i], delim))
		i++;
	if (i == n)
		return true; /* blank */
	for (;;) {
		const unsigned char *hit;
		size_t f, t, e; /* the field is s[f..t), its delimiter (or the end) at e */

		if (i < n && s[i] == quote) {
			f = i + 1;
			hit = memchr(s + f, quote, n - f);
			if (!hit)
				goto out_libcsv; /* the field goes on to the next line */
			t = (size_t)(hit - s);
			e = t + 1;
			while (e < n && is_blank(s[e], delim))
				e++;
			if (e < n && s[e] != delim)
				goto out_libcsv; /* a doubled quote, or text after the closing one
				                  */
		} else {
			f = i;
			hit = memchr(s + f, delim, n - f);
			e = hit ? (size_t)(hit - s) : n;
			t = e;
			while (t > f && is_blank(s[t - 1], delim))
				t--;
		}
		on_field((void *)(s + f), t - f, c);
		if (e == n)
			break;
		i = e + 1;
		while (i < n && is_blank(s[i], delim))
			i++;
	}
	on_record('\n', c);
	return true;
out_libcsv:
	/* in ROW_NOT_BEGUN the record was empty: forget the fields of this line */
	c->n_fields = c->rec_len = c->rec_bytes = 0;
	c->field_start = 0;
	return false;
}

static int parse_segment(struct cc_csv *c, const unsigned char *s, size_t seg, struct cc_err *err)
{
	size_t n = seg;

	if (c->p.pstate == LIBCSV_ROW_NOT_BEGUN && !cc__csv_libcsv_only) {
		if (n && s[n - 1] == '\n')
			n--;
		if (n && s[n - 1] == '\r')
			n--;
		/* only a whole line, with its line break */
		if (n < seg && split_line(c, s, n))
			return 0;
	}
	n = csv_parse(&c->p, s, seg, on_field, on_record, c);
	if (n < seg) {
		if (csv_error(&c->p) == CSV_ENOMEM)
			return fail(c, err, CC_ENOMEM, c->line, NULL,
			            "out of memory reading a field");
		return fail(c, err, CC_ETOOBIG, c->line, NULL, "field too large");
	}
	return 0;
}

/* Counts the line break that ends s[0..seg), if any. */
static void count_line(struct cc_csv *c, const unsigned char *s, size_t seg)
{
	unsigned char last = s[seg - 1];

	if (last == '\n' && seg == 1 && c->prev_cr) {
		/* the LF of a CR LF split between two reads: counted with the CR */
		c->line_off = c->data_pos;
	} else if (last == '\n' || last == '\r') {
		c->line++;
		c->line_off = c->data_pos;
		c->line_chars = 0;
	}
	c->prev_cr = last == '\r';
}

static int next_record(struct cc_csv *c, struct cc_csv_row *row, struct cc_err *err);

/* Header text s equal to name, case and outer spaces aside. */
static bool same_column(const char *s, const char *name)
{
	size_t ns, nn;

	while (*s == ' ' || *s == '\t')
		s++;
	while (*name == ' ' || *name == '\t')
		name++;
	ns = strlen(s);
	nn = strlen(name);
	while (ns && (s[ns - 1] == ' ' || s[ns - 1] == '\t'))
		ns--;
	while (nn && (name[nn - 1] == ' ' || name[nn - 1] == '\t'))
		nn--;
	return ns == nn && strncasecmp(s, name, ns) == 0;
}

/* Applies the map to the header in row (see struct cc_csv_opts). */
static int apply_map(struct cc_csv *c, struct cc_csv_row *row, struct cc_err *err)
{
	bool tags = false;

	for (size_t m = 0; m < c->n_map; m++) {
		size_t i = 0;

		while (i < row->n_fields && !same_column(row->fields[i], c->map[m].column))
			i++;
		if (i == row->n_fields)
			return fail(c, err, CC_EUSAGE, row->line, "--map",
			            "--map %s=%s: no column '%s' in the header", c->map[m].column,
			            c->map[m].field, c->map[m].column);
		if (c->map[m].field[0] == '#')
			tags = true;
		else
			row->fields[i] = (char *)c->map[m].field; /* the reader's name for it */
	}
	if (!tags)
		return 0;
	c->syn = cc_calloc(row->n_fields ? row->n_fields : 1, sizeof(*c->syn));
	if (!c->syn)
		return fail(c, err, CC_ENOMEM, row->line, NULL, "out of memory reading a record");
	c->n_syn = row->n_fields;
	for (size_t i = 0; i < row->n_fields; i++) {
		c->syn[i] = (char *)"";
		for (size_t m = 0; m < c->n_map; m++)
			if (c->map[m].field[0] == '#' && same_column(row->fields[i], c->map[m].column))
				c->syn[i] = (char *)c->map[m].field;
	}
	c->syn_line = row->line;
	c->syn_pending = true;
	return 0;
}

int cc_csv_next(struct cc_csv *c, struct cc_csv_row *row, struct cc_err *err)
{
	int ret;

	if (c->syn_pending && !c->failed) {
		c->syn_pending = false;
		row->fields = c->syn;
		row->n_fields = c->n_syn;
		row->line = row->end_line = c->syn_line;
		return 0;
	}
	ret = next_record(c, row, err);
	if (ret == 0 && !c->header_seen) {
		c->header_seen = true;
		if (c->n_map)
			return apply_map(c, row, err);
	}
	return ret;
}

static int next_record(struct cc_csv *c, struct cc_csv_row *row, struct cc_err *err)
{
	int ret;

	if (c->failed) {
		if (err)
			*err = c->saved;
		return c->failed;
	}
	for (;;) {
		const unsigned char *s;
		size_t seg;
		int st;

		if (c->data_pos == c->data_len) {
			if (c->conv_err)
				return conv_error(c, err);
			ret = c->done ? 1 : fill(c, err);
			if (ret < 0)
				return ret;
			if (ret > 0)
				return finish(c, row, err);
			continue;
		}
		s = c->data + c->data_pos;
		seg = next_segment(c);
		if (c->bad_off < c->data_pos + seg)
			return encoding_error(c, c->bad_off, err);
		c->seg_line = c->line;
		ret = parse_segment(c, s, seg, err);
		if (ret < 0)
			return ret;
		if (c->cb_fail)
			return cb_error(c, err);
		c->data_pos += seg;
		count_line(c, s, seg);

		st = c->p.pstate;
		if (st != LIBCSV_ROW_NOT_BEGUN) {
			if (!c->rec_start)
				c->rec_start = c->seg_line;
			if ((st == LIBCSV_FIELD_BEGUN || st == LIBCSV_FIELD_MIGHT_HAVE_ENDED) &&
			    !c->field_start)
				c->field_start = c->seg_line;
			/* libcsv holds the open field: cap it before it grows further */
			if (c->p.entry_pos > CC_LIMIT_CSV_FIELD) {
				c->cb_fail = CB_FIELD;
				c->cb_line = c->field_start;
				return cb_error(c, err);
			}
			if (c->rec_bytes + c->p.entry_pos > CC_LIMIT_CSV_RECORD) {
				c->cb_fail = CB_RECORD;
				return cb_error(c, err);
			}
			/* grow libcsv's buffer geometrically, not by a fixed block */
			if (c->p.entry_size > c->p.blk_size)
				csv_set_blk_size(&c->p, c->p.entry_size);
		}
		if (c->ready)
			return emit(c, row, err);
	}
}

/* The tag of a hashtag ("#org +acronym" → "org") into out; false when s is none. */
static bool tag_of(const char *s, char *out, size_t n)
{
	size_t k = 0;

	if (*s++ != '#')
		return false;
	while (*s == ' ')
		s++;
	for (; *s && *s != '+' && *s != '-' && *s != ' ' && k + 1 < n; s++)
		out[k++] = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
	out[k] = '\0';
	return k > 0;
}

/* 0 when field is one the reader reads (fields: NULL-ended; NULL: any), else CC_EUSAGE. */
static int map_field_known(struct cc_csv *c, const char *field, const char *const *fields,
                           struct cc_err *err)
{
	char want[64], have[64], list[512];
	size_t off = 0;

	if (!fields)
		return 0;
	for (size_t i = 0; fields[i]; i++) {
		if (fields[i][0] == '#' ? tag_of(field, want, sizeof(want)) &&
		                                  tag_of(fields[i], have, sizeof(have)) &&
		                                  strcmp(want, have) == 0
		                        : same_column(field, fields[i]))
			return 0;
		if (off < sizeof(list))
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "",
			                        fields[i]);
	}
	return fail(c, err, CC_EUSAGE, 0, "--map",
	            "--map: '%s' is not a field of this import; the fields are: %s", field,
	            list);
}

static bool is_utf8_name(const char *enc)
{
	return strcasecmp(enc, "utf-8") == 0 || strcasecmp(enc, "utf8") == 0;
}

static int open_fd(struct cc_csv *c, const char *path, struct cc_err *err)
{
	struct stat sb;
	char ebuf[128];

	if (strcmp(path, "-") == 0) {
		c->fd = STDIN_FILENO;
	} else {
		c->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (c->fd < 0)
			return fail(c, err, CC_EIO, 0, NULL, "cannot open: %s",
			            errno_text(errno, ebuf, sizeof(ebuf)));
		c->own_fd = true;
	}
	if (fstat(c->fd, &sb) == 0 && S_ISREG(sb.st_mode))
		c->bytes_total = (uint64_t)sb.st_size;
	return 0;
}

int cc_csv_open(struct cc_csv **out, const char *path, const struct cc_csv_opts *opts,
                struct cc_err *err)
{
	struct cc_csv_opts o = opts ? *opts : (struct cc_csv_opts){ 0 };
	struct cc_csv *c;
	char ebuf[128];
	int ret;

	*out = NULL;
	c = cc_calloc(1, sizeof(*c));
	if (!c) {
		cc_err_clear(err);
		cc_err_set(err, CC_ENOMEM, "out of memory opening the file");
		cc_err_at(err, path, 0, NULL);
		return CC_ENOMEM;
	}
	c->fd = -1;
	c->cd = (iconv_t)-1;
	c->line = 1;
	c->at_start = true;
	c->bad_off = SIZE_MAX;
	snprintf(c->name, sizeof(c->name), "%s",
	         o.display_name           ? o.display_name
	         : strcmp(path, "-") == 0 ? "<stdin>"
	                                  : path);
	csv_init(&c->p, 0);
	csv_set_delim(&c->p, (unsigned char)(o.delimiter ? o.delimiter : ','));
	csv_set_realloc_func(&c->p, cc_realloc);
	csv_set_free_func(&c->p, cc_free);
	csv_set_blk_size(&c->p, 4096);
	cc_digest_init(&c->sha);
	c->no_digest = o.no_digest;
	c->map = o.map;
	c->n_map = o.n_map;
	for (size_t m = 0; m < o.n_map; m++)
		if ((ret = map_field_known(c, o.map[m].field, o.map_fields, err)) < 0)
			goto out_close;

	c->raw = cc_malloc(CSV_CHUNK);
	if (!c->raw) {
		ret = fail(c, err, CC_ENOMEM, 0, NULL, "out of memory opening the file");
		goto out_close;
	}
	if (o.encoding && !is_utf8_name(o.encoding)) {
		snprintf(c->enc, sizeof(c->enc), "%s", o.encoding);
		/* glibc's iconv allocates with malloc: it cannot be routed through cc_malloc */
		c->cd = iconv_open("UTF-8", o.encoding);
		if (c->cd == (iconv_t)-1) {
			if (errno == EINVAL)
				ret = fail(c, err, CC_EINVALID, 0, NULL, "unknown encoding '%s'",
				           o.encoding);
			else
				ret = fail(c, err, errno == ENOMEM ? CC_ENOMEM : CC_EIO, 0, NULL,
				           "cannot convert from '%s': %s", o.encoding,
				           errno_text(errno, ebuf, sizeof(ebuf)));
			goto out_close;
		}
		c->conv = cc_malloc(CONV_OUT);
		if (!c->conv) {
			ret = fail(c, err, CC_ENOMEM, 0, NULL, "out of memory opening the file");
			goto out_close;
		}
	}
	ret = open_fd(c, path, err);
	if (ret < 0)
		goto out_close;
	*out = c;
	return 0;
out_close:
	cc_csv_close(c);
	return ret;
}

uint64_t cc_csv_bytes_read(const struct cc_csv *c)
{
	return c->bytes_read;
}

uint64_t cc_csv_bytes_total(const struct cc_csv *c)
{
	return c->bytes_total;
}

const char *cc_csv_digest(const struct cc_csv *c)
{
	return c->digest;
}

int cc_csv_header_only(const char *path, const char *encoding, const char *name,
                       struct cc_err *err)
{
	struct cc_csv *csv = NULL;
	struct cc_csv_row row;
	int ret = 0;

	if (!strcmp(path, "-") ||
	    cc_csv_open(&csv, path, &(struct cc_csv_opts){ .encoding = encoding, .no_digest = true },
	                NULL) < 0)
		return 0;
	if (cc_csv_next(csv, &row, NULL) == 0 && cc_csv_next(csv, &row, NULL) > 0)
		ret = CC_EPARSE;
	cc_csv_close(csv);
	if (ret < 0) {
		cc_err_set(err, ret, "no rows after the header");
		cc_err_at(err, name, 0, NULL);
	}
	return ret;
}

void cc_csv_close(struct cc_csv *c)
{
	if (!c)
		return;
	if (c->own_fd)
		close(c->fd);
	if (c->cd != (iconv_t)-1)
		iconv_close(c->cd);
	csv_free(&c->p);
	cc_free(c->raw);
	cc_free(c->conv);
	cc_free(c->rec);
	cc_free(c->offs);
	cc_free(c->ptrs);
	cc_free(c->syn);
	cc_free(c);
}

int cc_file_digest(const char *path, char out[static 65], struct cc_err *err)
{
	struct cc_digest sha;
	unsigned char *buf;
	char ebuf[128];
	int fd, ret = 0;
	bool own_fd = false;
	ssize_t n = 0;

	out[0] = '\0';
	buf = cc_malloc(CSV_CHUNK);
	if (!buf) {
		cc_err_clear(err);
		cc_err_set(err, CC_ENOMEM, "out of memory hashing the file");
		cc_err_at(err, path, 0, NULL);
		return CC_ENOMEM;
	}
	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			cc_err_clear(err);
			ret = cc_err_set(err, CC_EIO, "cannot open: %s",
			                 errno_text(errno, ebuf, sizeof(ebuf)));
			cc_err_at(err, path, 0, NULL);
			goto out_free;
		}
		own_fd = true;
	}
	cc_digest_init(&sha);
	for (;;) {
		n = read(fd, buf, CSV_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		cc_digest_update(&sha, buf, (size_t)n);
	}
	if (n < 0) {
		cc_err_clear(err);
		ret = cc_err_set(err, CC_EIO, "cannot read: %s",
		                 errno_text(errno, ebuf, sizeof(ebuf)));
		cc_err_at(err, path, 0, NULL);
		goto out_close;
	}
	cc_digest_final_hex(&sha, out);
out_close:
	if (own_fd)
		close(fd);
out_free:
	cc_free(buf);
	return ret;
}
