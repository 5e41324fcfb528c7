/*
 * The CSV reader: line ends, quoting, blank lines, BOM, encodings, caps, digests and the real
 * OCHA 3W file of Afghanistan. Expected digests come from `b2sum -l 256` (BLAKE2b-256); expected fields and
 * lines were worked out by hand from the bytes written in tests/data/csv (see README.md there)
 * and, for the Afghanistan file, from Python's csv module.
 */
#include "tap.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <unistd.h>

#include <concord/alloc.h>

#include "core/limits.h"
#include "io/csv.h"

static const char *data_path(const char *rel)
{
	static char buf[4096];
	const char *dir = getenv("CC_TEST_DATA");

	snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "tests/data", rel);
	return buf;
}

__attribute__((returns_nonnull, malloc)) static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		perror("t-csv");
		exit(2);
	}
	return p;
}

/* Growing text for dumps; the tests may use the C library directly. */
struct text {
	char *s;
	size_t len, cap;
};

static void text_add(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		if (!t->s) {
			perror("t-csv");
			exit(2);
		}
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void text_addf(struct text *t, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	text_add(t, buf, (size_t)n);
}

/*
 * Reads a whole file: each record as "line-end_line:field|field", records joined by newlines.
 * Returns what cc_csv_next() returned last (> 0 at a clean end); *out is malloc'ed.
 */
static int dump_file(const char *path, const struct cc_csv_opts *opts, char **out,
                     struct cc_err *err)
{
	struct text t = { 0 };
	struct cc_csv *csv;
	struct cc_csv_row row;
	int ret;

	text_add(&t, "", 0);
	ret = cc_csv_open(&csv, path, opts, err);
	if (ret < 0) {
		*out = t.s;
		return ret;
	}
	while ((ret = cc_csv_next(csv, &row, err)) == 0) {
		if (t.len)
			text_add(&t, "\n", 1);
		text_addf(&t, "%ld-%ld:", row.line, row.end_line);
		for (size_t i = 0; i < row.n_fields; i++) {
			if (i)
				text_add(&t, "|", 1);
			text_add(&t, row.fields[i], strlen(row.fields[i]));
		}
	}
	cc_csv_close(csv);
	*out = t.s;
	return ret;
}

static void check_dump(const char *rel, const struct cc_csv_opts *opts, const char *want)
{
	struct cc_err err = { 0 };
	char *got;
	int ret = dump_file(data_path(rel), opts, &got, &err);

	if (!check_int(ret, >, 0))
		printf("# %s: %s\n", rel, err.msg);
	check_str(got, want);
	free(got);
}

static const char *write_tmp(const void *data, size_t len)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/t-csv-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		perror("t-csv: temporary file");
		exit(2);
	}
	close(fd);
	return path;
}

TEST(lf)
{
	check_dump("csv/lf.csv", NULL,
	           "1-1:pcode|name|reached\n2-2:AF01|Kabul|4500\n3-3:AF23|Ghor|120");
}

TEST(crlf_and_blank_crlf_line)
{
	check_dump("csv/crlf.csv", NULL,
	           "1-1:pcode|name|reached\n2-2:AF01|Kabul|4500\n4-4:AF23|Ghor|120");
}

TEST(bom_is_stripped)
{
	check_dump("csv/bom.csv", NULL, "1-1:pcode|name\n2-2:AF01|Kabul");
}

TEST(quoted_fields)
{
	/* commas, doubled quotes, LF and CR LF inside quotes; unquoted spaces trimmed by libcsv */
	check_dump("csv/quoted.csv", NULL,
	           "1-1:org|activity|note\n"
	           "2-2:UNICEF|Water, sanitation|says \"hello\"\n"
	           "3-5:NRC|Shelter\nrepair\nkits|end\n"
	           "6-7:WFP|two\r\nlines|\n"
	           "8-8:IRC|spaced|  kept  ");
}

TEST(blank_lines_skipped_and_counted)
{
	check_dump("csv/blank.csv", NULL, "3-3:a|b\n6-6:1|2\n9-9:3|4");
}

TEST(no_trailing_newline)
{
	check_dump("csv/no-newline.csv", NULL, "1-1:a|b\n2-2:1|2\n3-4:3|x\ny");
}

TEST(bare_cr_line_ends)
{
	check_dump("csv/cr.csv", NULL, "1-1:a|b\n2-2:1|2\n3-4:x\ry|3");
}

TEST(utf8_accepted)
{
	check_dump("csv/utf8.csv", NULL,
	           "1-1:name|place\n2-2:Uro\xc5\xa1"
	           "evac|Kosov\xc3\xab\n"
	           "3-3:\xd9\x85\xd8\xb2\xd8\xa7\xd8\xb1 \xd8\xb4\xd8\xb1\xdb\x8c\xd9\x81|AF21");
}

TEST(delimiter_option)
{
	check_dump("csv/semicolon.csv", &(struct cc_csv_opts){ .delimiter = ';' },
	           "1-1:a|b|c\n2-2:1|2;3|4");
}

TEST(unterminated_quote)
{
	struct cc_err err = { 0 };
	char *got;
	int ret = dump_file(data_path("csv/unterminated.csv"), NULL, &got, &err);

	check_int(ret, ==, CC_EPARSE);
	check_str(got, "1-1:a|b\n2-2:1|2");
	check_int(err.line, ==, 3);
	check_str(err.msg, "quoted field opened at line 3 is never closed");
	check_str(err.file, data_path("csv/unterminated.csv"));
	free(got);
}

TEST(latin1_rejected_without_encoding)
{
	struct cc_err err = { 0 };
	char *got;
	int ret = dump_file(data_path("csv/latin1.csv"), NULL, &got, &err);

	check_int(ret, ==, CC_EPARSE);
	check_str(got, "1-1:region|name\n2-2:Kosovo|Prishtina");
	check_int(err.line, ==, 3);
	check_str(err.msg, "file is not UTF-8 (byte 0xeb at line 3, column 16); give --encoding "
	                   "latin1 or convert it");
	check_str(err.file, data_path("csv/latin1.csv"));
	free(got);
}

TEST(bad_utf8_column_counts_characters)
{
	struct cc_err err = { 0 };
	char *got;
	int ret = dump_file(data_path("csv/bad-utf8.csv"),
	                    &(struct cc_csv_opts){ .display_name = "upload.csv" }, &got, &err);

	check_int(ret, ==, CC_EPARSE);
	check_int(err.line, ==, 3);
	check_str(err.file, "upload.csv");
	check_str(err.msg, "file is not UTF-8 (byte 0xeb at line 3, column 11); give --encoding "
	                   "latin1 or convert it");
	free(got);
}

TEST(latin1_converted)
{
	struct cc_csv *csv;
	struct cc_err err = { 0 };
	char *got;
	int ret;

	check_dump("csv/latin1.csv", &(struct cc_csv_opts){ .encoding = "latin1" },
	           "1-1:region|name\n2-2:Kosovo|Prishtina\n3-3:Kosovo|Prishtin\xc3\xab\n"
	           "4-4:Kosovo|Pej\xc3\xab");
	check_dump("csv/latin1.csv", &(struct cc_csv_opts){ .encoding = "ISO-8859-1" },
	           "1-1:region|name\n2-2:Kosovo|Prishtina\n3-3:Kosovo|Prishtin\xc3\xab\n"
	           "4-4:Kosovo|Pej\xc3\xab");
	/* the digest is of the bytes as read, before conversion (b2sum -l 256 csv/latin1.csv) */
	ret = cc_csv_open(&csv, data_path("csv/latin1.csv"),
	                  &(struct cc_csv_opts){ .encoding = "latin1" }, &err);
	check_int(ret, ==, 0);
	if (ret == 0) {
		struct cc_csv_row row;

		while ((ret = cc_csv_next(csv, &row, &err)) == 0)
			;
		check_int(ret, >, 0);
		check_str(cc_csv_digest(csv),
		          "89df42233a5a51151b198b5693a2d02bd77823ef4383662c86fd654d8880baf9");
		check_int(cc_csv_bytes_read(csv), ==, 58);
		cc_csv_close(csv);
	}
	/* "utf-8" named explicitly is the default: no conversion, still checked */
	ret = dump_file(data_path("csv/latin1.csv"), &(struct cc_csv_opts){ .encoding = "UTF-8" },
	                &got, &err);
	check_int(ret, ==, CC_EPARSE);
	free(got);
}

TEST(cp1252_converted_and_undefined_byte)
{
	struct cc_err err = { 0 };
	char *got;
	int ret;

	check_dump("csv/cp1252.csv", &(struct cc_csv_opts){ .encoding = "windows-1252" },
	           "1-1:item|cost\n2-2:fuel|\xe2\x82\xac 120\n"
	           "3-3:note|\xe2\x80\x9cquoted\xe2\x80\x9d");
	check_dump("csv/cp1252.csv", &(struct cc_csv_opts){ .encoding = "cp1252" },
	           "1-1:item|cost\n2-2:fuel|\xe2\x82\xac 120\n"
	           "3-3:note|\xe2\x80\x9cquoted\xe2\x80\x9d");
	/* 0x81 has no character in windows-1252 */
	ret = dump_file(data_path("csv/cp1252-bad.csv"),
	                &(struct cc_csv_opts){ .encoding = "windows-1252" }, &got, &err);
	check_int(ret, ==, CC_EPARSE);
	check_str(got, "1-1:item|cost\n2-2:fuel|12");
	check_int(err.line, ==, 3);
	check_str(err.msg, "file is not windows-1252 (byte 0x81 at line 3, column 6); check "
	                   "--encoding");
	free(got);
}

TEST(unknown_encoding)
{
	struct cc_csv *csv = (struct cc_csv *)1;
	struct cc_err err = { 0 };

	check_int(cc_csv_open(&csv, data_path("csv/lf.csv"),
	                      &(struct cc_csv_opts){ .encoding = "klingon-8" }, &err),
	          ==, CC_EINVALID);
	check(csv == NULL);
	check_str(err.msg, "unknown encoding 'klingon-8'");
}

TEST(missing_file)
{
	struct cc_csv *csv;
	struct cc_err err = { 0 };
	char digest[65];

	check_int(cc_csv_open(&csv, "/nonexistent/x.csv", NULL, &err), ==, CC_EIO);
	check_str(err.file, "/nonexistent/x.csv");
	check_str(err.msg, "cannot open: no such file or directory");
	check_int(cc_file_digest("/nonexistent/x.csv", digest, &err), ==, CC_EIO);
	check_str(err.file, "/nonexistent/x.csv");
}

TEST(digest_and_progress)
{
	struct cc_csv *csv;
	struct cc_csv_row row;
	struct cc_err err = { 0 };
	char digest[65];
	int ret;

	/* b2sum -l 256 tests/data/csv/lf.csv */
	const char *want = "b771dec9f3d3800aeaac272e4568c88d5264dc7c686d156ddde5b34e2c086ab9";

	check_int(cc_file_digest(data_path("csv/lf.csv"), digest, &err), ==, 0);
	check_str(digest, want);
	ret = cc_csv_open(&csv, data_path("csv/lf.csv"), NULL, &err);
	if (!check_int(ret, ==, 0))
		return;
	check_int(cc_csv_bytes_total(csv), ==, 49);
	check_int(cc_csv_bytes_read(csv), ==, 0);
	check_str(cc_csv_digest(csv), ""); /* not before the end */
	check_int(cc_csv_next(csv, &row, &err), ==, 0);
	check_int(cc_csv_bytes_read(csv), ==, 49);
	while ((ret = cc_csv_next(csv, &row, &err)) == 0)
		;
	check_int(ret, ==, 1);
	check_int(cc_csv_next(csv, &row, &err), ==, 1); /* the end stays the end */
	check_str(cc_csv_digest(csv), want);
	cc_csv_close(csv);
}

TEST(empty_file)
{
	struct cc_csv *csv;
	struct cc_csv_row row;
	struct cc_err err = { 0 };
	const char *path = write_tmp("", 0);

	if (!check_int(cc_csv_open(&csv, path, NULL, &err), ==, 0))
		return;
	check_int(cc_csv_next(csv, &row, &err), ==, 1);
	/* printf '' | b2sum -l 256 */
	check_str(cc_csv_digest(csv),
	          "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
	cc_csv_close(csv);
	unlink(path);
}

TEST(stdin_dash)
{
	int saved = dup(STDIN_FILENO), fd = open(data_path("csv/crlf.csv"), O_RDONLY);
	struct cc_err err = { 0 };
	char *got;
	int ret;

	if (!check(saved >= 0 && fd >= 0))
		return;
	dup2(fd, STDIN_FILENO);
	close(fd);
	ret = dump_file("-", NULL, &got, &err);
	dup2(saved, STDIN_FILENO);
	close(saved);
	check_int(ret, ==, 1);
	check_str(got, "1-1:pcode|name|reached\n2-2:AF01|Kabul|4500\n4-4:AF23|Ghor|120");
	free(got);
}

TEST(error_is_sticky)
{
	struct cc_csv *csv;
	struct cc_csv_row row;
	struct cc_err err = { 0 };
	int ret;

	if (!check_int(cc_csv_open(&csv, data_path("csv/unterminated.csv"), NULL, &err), ==, 0))
		return;
	while ((ret = cc_csv_next(csv, &row, &err)) == 0)
		;
	check_int(ret, ==, CC_EPARSE);
	cc_err_clear(&err);
	check_int(cc_csv_next(csv, &row, &err), ==, CC_EPARSE);
	check_int(err.line, ==, 3);
	cc_csv_close(csv);
}

/* Reads a generated file; returns the last code and fills err. */
static int read_generated(const char *data, size_t len, long *n_rows, struct cc_err *err)
{
	const char *path = write_tmp(data, len);
	struct cc_csv *csv;
	struct cc_csv_row row;
	int ret;

	*n_rows = 0;
	ret = cc_csv_open(&csv, path, NULL, err);
	if (ret == 0) {
		while ((ret = cc_csv_next(csv, &row, err)) == 0)
			(*n_rows)++;
		cc_csv_close(csv);
	}
	unlink(path);
	return ret;
}

TEST(field_cap)
{
	size_t n = CC_LIMIT_CSV_FIELD + 16;
	char *buf = xmalloc(n + 64);
	struct cc_err err = { 0 };
	long rows;
	int ret;

	/* exactly the cap: accepted */
	memcpy(buf, "a,b\nx,", 6);
	memset(buf + 6, 'y', CC_LIMIT_CSV_FIELD);
	buf[6 + CC_LIMIT_CSV_FIELD] = '\n';
	ret = read_generated(buf, 7 + CC_LIMIT_CSV_FIELD, &rows, &err);
	check_int(ret, ==, 1);
	check_int(rows, ==, 2);

	/* one byte over, unquoted */
	memset(buf + 6, 'y', CC_LIMIT_CSV_FIELD + 1);
	buf[7 + CC_LIMIT_CSV_FIELD] = '\n';
	ret = read_generated(buf, 8 + CC_LIMIT_CSV_FIELD, &rows, &err);
	check_int(ret, ==, CC_ETOOBIG);
	check_int(rows, ==, 1);
	check_int(err.line, ==, 2);
	check_str(err.field, "column 2");

	/* an open quote swallowing the rest of the file stops at the cap, naming its line */
	memcpy(buf, "a,b\n\n1,2\nx,\"", 12);
	for (size_t i = 12; i < n; i++)
		buf[i] = i % 80 == 0 ? '\n' : 'z';
	ret = read_generated(buf, n, &rows, &err);
	check_int(ret, ==, CC_ETOOBIG);
	check_int(rows, ==, 2);
	check_int(err.line, ==, 4);
	free(buf);
}

TEST(fields_cap)
{
	char *buf = xmalloc(3 * (CC_LIMIT_CSV_FIELDS + 1) + 16);
	struct cc_err err = { 0 };
	size_t len = 0;
	long rows;
	int ret;

	len += (size_t)sprintf(buf, "h\n");
	for (int i = 0; i < CC_LIMIT_CSV_FIELDS; i++)
		len += (size_t)sprintf(buf + len, i ? ",x" : "x");
	buf[len++] = '\n';
	ret = read_generated(buf, len, &rows, &err);
	check_int(ret, ==, 1);
	check_int(rows, ==, 2);

	len--;
	len += (size_t)sprintf(buf + len, ",x\n");
	ret = read_generated(buf, len, &rows, &err);
	check_int(ret, ==, CC_ETOOBIG);
	check_int(err.line, ==, 2);
	check_str(err.msg, "record has more than 4096 fields");
	free(buf);
}

TEST(record_cap)
{
	size_t field = CC_LIMIT_CSV_FIELD - 1, n_fields = CC_LIMIT_CSV_RECORD / field + 1;
	char *buf = xmalloc(n_fields * (field + 1) + 16);
	struct cc_err err = { 0 };
	size_t len = 0;
	long rows;
	int ret;

	len += (size_t)sprintf(buf, "\n\nh\n");
	for (size_t i = 0; i < n_fields; i++) {
		memset(buf + len, 'r', field);
		len += field;
		buf[len++] = i + 1 < n_fields ? ',' : '\n';
	}
	ret = read_generated(buf, len, &rows, &err);
	check_int(ret, ==, CC_ETOOBIG);
	check_int(rows, ==, 1);
	check_int(err.line, ==, 4);
	free(buf);
}

/* The reader works in 64 KiB pieces: line ends and characters split between two reads. */
TEST(chunk_boundaries)
{
	size_t chunk = 64 * 1024, len;
	char *buf = xmalloc(3 * chunk);
	struct cc_csv *csv;
	struct cc_csv_row row;
	struct cc_err err = { 0 };
	const char *path;
	long rows;
	int ret;

	/* CR at the last byte of the first read, LF at the first of the second */
	memset(buf, 'a', chunk - 1);
	len = chunk - 1;
	len += (size_t)sprintf(buf + len, "\r\nb,c\r\n\"q\r\nq\",d\r\n");
	path = write_tmp(buf, len);
	check_int(cc_csv_open(&csv, path, NULL, &err), ==, 0);
	check_int(cc_csv_next(csv, &row, &err), ==, 0);
	check_int(row.line, ==, 1);
	check_int(strlen(row.fields[0]), ==, chunk - 1);
	if (check_int(cc_csv_next(csv, &row, &err), ==, 0)) {
		check_int(row.line, ==, 2);
		check_str(row.fields[1], "c");
	}
	if (check_int(cc_csv_next(csv, &row, &err), ==, 0)) {
		check_int(row.line, ==, 3);
		check_int(row.end_line, ==, 4);
		check_str(row.fields[0], "q\r\nq");
	}
	check_int(cc_csv_next(csv, &row, &err), ==, 1);
	cc_csv_close(csv);
	unlink(path);

	/* a two-byte character split between the reads is valid */
	memset(buf, 'a', chunk - 1);
	len = chunk - 1;
	len += (size_t)sprintf(buf + len, "\xc3\xa9,x\nnext,line\n");
	path = write_tmp(buf, len);
	check_int(cc_csv_open(&csv, path, NULL, &err), ==, 0);
	if (check_int(cc_csv_next(csv, &row, &err), ==, 0))
		check_str(row.fields[0] + chunk - 1, "\xc3\xa9");
	else
		printf("# %s\n", err.msg);
	check_int(cc_csv_next(csv, &row, &err), ==, 0);
	check_int(row.line, ==, 2);
	check_int(cc_csv_next(csv, &row, &err), ==, 1);
	cc_csv_close(csv);
	unlink(path);

	/* a bad byte in the second read of a long line: column counts characters from line start */
	len = (size_t)sprintf(buf, "h\n\xc3\xa9");
	memset(buf + len, 'a', chunk + 100);
	len += chunk + 100;
	len += (size_t)sprintf(buf + len, "\xff\n");
	ret = read_generated(buf, len, &rows, &err);
	check_int(ret, ==, CC_EPARSE);
	check_int(rows, ==, 1);
	check_int(err.line, ==, 2);
	snprintf(buf, 128,
	         "file is not UTF-8 (byte 0xff at line 2, column %zu); give --encoding "
	         "latin1 or convert it",
	         chunk + 102);
	check_str(err.msg, buf);
	free(buf);
}

TEST(latin1_long_file_converted)
{
	/* more than one read and more than one iconv step; latin1 0xe9 becomes two bytes */
	size_t n_rows = 20000, len = 0;
	char *buf = xmalloc(n_rows * 16 + 16);
	struct cc_csv *csv;
	struct cc_csv_row row;
	struct cc_err err = { 0 };
	const char *path;
	size_t got = 0;
	bool ok = true;
	int ret;

	for (size_t i = 0; i < n_rows; i++)
		len += (size_t)sprintf(buf + len, "%05zu,caf\xe9\r\n", i);
	path = write_tmp(buf, len);
	ret = cc_csv_open(&csv, path, &(struct cc_csv_opts){ .encoding = "latin1" }, &err);
	check_int(ret, ==, 0);
	while (ret == 0 && (ret = cc_csv_next(csv, &row, &err)) == 0) {
		char want[8];

		snprintf(want, sizeof(want), "%05zu", got);
		ok = ok && row.n_fields == 2 && strcmp(row.fields[0], want) == 0 &&
		     strcmp(row.fields[1], "caf\xc3\xa9") == 0 && row.line == (long)got + 1 &&
		     row.end_line == row.line;
		got++;
	}
	check_int(ret, ==, 1);
	check_int(got, ==, n_rows);
	check(ok);
	check_int(cc_csv_bytes_read(csv), ==, len);
	cc_csv_close(csv);
	unlink(path);
	free(buf);
}

TEST(afghanistan_3w)
{
	char path[4096];
	const char *root = getenv("CC_SOURCE_ROOT");
	struct cc_csv *csv;
	struct cc_csv_row row;
	struct cc_err err = { 0 };
	long n = 0, bad_lines = 0, bad_width = 0, unicef = 0;
	int ret;

	snprintf(path, sizeof(path),
	         "%s/data/cases/afghanistan/"
	         "afg_3w_operational_presence_2021q3.csv",
	         root ? root : ".");
	ret = cc_csv_open(&csv, path, NULL, &err);
	if (!check_int(ret, ==, 0)) {
		printf("# %s\n", err.msg);
		return;
	}
	while ((ret = cc_csv_next(csv, &row, &err)) == 0) {
		n++;
		bad_lines += row.line != n || row.end_line != n;
		bad_width += row.n_fields != 11;
		if (n == 1) {
			check_str(row.fields[0], "REGION"); /* the BOM is gone */
			check_str(row.fields[10], "Question");
		} else if (n == 2) {
			check_str(row.fields[5], "#org +acronym");
			check_str(row.fields[10], "");
		} else if (n == 3) {
			check_str(row.fields[1], "Ghor");
			check_str(row.fields[6], "Afghan Amputee Bicyclist for Rehabilitation and "
			                         "Recreation");
		} else if (n == 1000) {
			check_str(row.fields[3], "Lashkargah");
			check_str(row.fields[4], "AF3001");
			check_str(row.fields[8], "HEALTH_OP");
		} else if (n == 2416) {
			check_str(row.fields[5], "ZOA");
			check_str(row.fields[9],
			          "Operatioanl Presence: Water, Sanitation & Hygiene");
		}
		unicef += n > 2 && strcmp(row.fields[5], "UNICEF") == 0;
	}
	if (!check_int(ret, ==, 1))
		printf("# %s\n", err.msg);
	check_int(n - 2, ==, 2414); /* data rows after the header and hashtag rows */
	check_int(bad_lines, ==, 0);
	check_int(bad_width, ==, 0);
	check_int(unicef, ==, 64);
	check_int(cc_csv_bytes_read(csv), ==, 372265);
	check_int(cc_csv_bytes_total(csv), ==, 372265);
	check_str(cc_csv_digest(csv),
	          "7768455a60ccd23fb8410e163820132c552f165b8dc2add16dca6d5ccee495a9");
	cc_csv_close(csv);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static unsigned rng(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

/*
 * Lines without quotes skip libcsv; random files made of the characters that matter must give
 * the same records, lines and errors either way.
 */
TEST(fast_path_matches_libcsv)
{
	static const char *const atoms[] = { "a",    "bc", " ",  "\t",   ",",  ",",        "\"",
		                             "\"\"", "\n", "\n", "\r\n", "\r", "\xc3\xa9", ";" };
	size_t n_atoms = sizeof(atoms) / sizeof(atoms[0]);
	char *buf = xmalloc(300 * 1024);
	int mismatches = 0;

	for (int round = 0; round < 3000 && mismatches < 3; round++) {
		/* mostly small files; some over two 64 KiB reads */
		size_t want = round % 100 == 99 ? 150000 + rng(50000) : rng(120), len = 0;
		char delim = round % 7 == 0 ? ';' : round % 11 == 0 ? '\t' : 0;
		struct cc_err err_fast = { 0 }, err_lib = { 0 };
		char *fast, *lib;
		int ret_fast, ret_lib;
		const char *path;

		while (len < want) {
			const char *a = atoms[rng((unsigned)n_atoms)];

			memcpy(buf + len, a, strlen(a));
			len += strlen(a);
		}
		path = write_tmp(buf, len);
		cc__csv_libcsv_only = false;
		ret_fast = dump_file(path, &(struct cc_csv_opts){ .delimiter = delim }, &fast,
		                     &err_fast);
		cc__csv_libcsv_only = true;
		ret_lib = dump_file(path, &(struct cc_csv_opts){ .delimiter = delim }, &lib,
		                    &err_lib);
		cc__csv_libcsv_only = false;
		if (ret_fast != ret_lib || strcmp(fast, lib) != 0 ||
		    err_fast.line != err_lib.line || strcmp(err_fast.msg, err_lib.msg) != 0) {
			mismatches++;
			printf("# round %d (%s): %d vs %d\n", round, path, ret_fast, ret_lib);
			check_str(fast, lib);
			check_str(err_fast.msg, err_lib.msg);
		} else {
			unlink(path);
		}
		free(fast);
		free(lib);
	}
	check_int(mismatches, ==, 0);
	free(buf);
}

/* Every allocation failure ends in CC_ENOMEM, leaks nothing (ASan) and a retry succeeds. */
static void alloc_failures(const char *rel, const struct cc_csv_opts *opts, const char *want)
{
	long n;

	for (n = 0; n < 1000; n++) {
		struct cc_err err = { 0 };
		char *got;
		int ret;

		cc_test_fail_alloc_after(n);
		ret = dump_file(data_path(rel), opts, &got, &err);
		cc_test_fail_alloc_after(-1);
		if (ret > 0) {
			check_str(got, want);
			free(got);
			break;
		}
		free(got);
		if (!check_int(ret, ==, CC_ENOMEM))
			break;
	}
	check_int(n, >=, 3); /* handle, read buffer, record: at least that many were failed */
	check_int(n, <, 1000);
}

TEST(allocation_failures)
{
	alloc_failures("csv/quoted.csv", NULL,
	               "1-1:org|activity|note\n"
	               "2-2:UNICEF|Water, sanitation|says \"hello\"\n"
	               "3-5:NRC|Shelter\nrepair\nkits|end\n"
	               "6-7:WFP|two\r\nlines|\n"
	               "8-8:IRC|spaced|  kept  ");
	alloc_failures("csv/latin1.csv", &(struct cc_csv_opts){ .encoding = "latin1" },
	               "1-1:region|name\n2-2:Kosovo|Prishtina\n3-3:Kosovo|Prishtin\xc3\xab\n"
	               "4-4:Kosovo|Pej\xc3\xab");
}
