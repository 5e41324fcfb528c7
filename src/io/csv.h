/*
 * A streaming CSV reader over libcsv: one record at a time, memory bounded by the largest
 * record (CC_LIMIT_CSV_RECORD), never by the file.
 *
 * Handles a UTF-8 byte-order mark, LF and CRLF line ends, quoted fields with commas, quotes
 * and line breaks inside. Each record carries the physical line where it starts (1-based), so
 * errors can name it. Input that is not valid UTF-8 is refused (CC_EPARSE naming the line and
 * byte) unless opts->encoding names the input's encoding, which is then converted (iconv).
 * A NUL byte in UTF-8 input is refused the same way (it would cut its field short).
 * Blank lines are skipped. The file is hashed (BLAKE2b-256) as it is read.
 *
 * Details (libcsv's rules): spaces and tabs around an unquoted field are trimmed, inside quotes
 * they are kept; a line of nothing but spaces is blank; a bare CR also ends a line (old Mac
 * Excel exports). Lines count CR LF, LF and a bare CR as one line end each, so they match what
 * an editor shows. Error columns count characters, not bytes.
 */
#ifndef CC_IO_CSV_H
#define CC_IO_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/import.h>

struct cc_csv;

struct cc_csv_opts {
	char delimiter;       /* 0: ',' */
	const char *encoding; /* NULL or "utf-8": UTF-8 required; else an iconv name ("latin1") */
	const char *display_name; /* name used in error messages; NULL: the path */
	bool no_digest;       /* skip hashing: cc_csv_digest() stays "" (the caller hashed the file) */
	/*
	 * --map: applied to the first record (the header). A field that is a name replaces the
	 * mapped column's header text; fields that are hashtags make a hashtag row, returned as
	 * the record after the header (same line), with the mapped columns tagged and the others
	 * empty — so HXL readers read a file without hashtags. Each field must match an entry of
	 * map_fields (a name, case-insensitive; or "#tag", matching any hashtag with that tag):
	 * else cc_csv_open() fails with CC_EUSAGE; a mapped column missing from the header is
	 * CC_EUSAGE from cc_csv_next(). Strings borrowed until cc_csv_close().
	 */
	const struct cc_import_map *map;
	size_t n_map;
	const char *const *map_fields; /* NULL-ended */
};

/* One record. fields[i] are NUL-terminated, owned by the reader, valid until the next call. */
struct cc_csv_row {
	char **fields;
	size_t n_fields;
	long line;     /* physical line where the record starts */
	long end_line; /* physical line where it ends (> line for multi-line fields) */
};

/* Field col of row, "" when col is negative or past the row's end (a short row). */
static inline const char *cc__csv_cell(const struct cc_csv_row *row, long col)
{
	return col >= 0 && (size_t)col < row->n_fields ? row->fields[col] : "";
}

/*
 * Opens path for reading ("-" is standard input, named "<stdin>" in messages). CC_EIO names the
 * file and the reason; CC_EINVALID for an encoding iconv does not know; CC_ENOMEM.
 */
int cc_csv_open(struct cc_csv **out, const char *path, const struct cc_csv_opts *opts,
                struct cc_err *err);
/*
 * Reads the next record: returns 0 with *row filled, > 0 at the end of the file, < 0 on error
 * (CC_EIO, CC_EPARSE for bad encoding or an unterminated quote at the end, CC_ETOOBIG, CC_ENOMEM;
 * err has file and line).
 */
int cc_csv_next(struct cc_csv *c, struct cc_csv_row *row, struct cc_err *err);
/* Bytes read so far and the file's size (0 when unknown, e.g. a pipe). */
uint64_t cc_csv_bytes_read(const struct cc_csv *c);
uint64_t cc_csv_bytes_total(const struct cc_csv *c);
/*
 * After the end: the hex BLAKE2b-256 of the whole file's bytes (as read, before conversion); ""
 * until cc_csv_next() has returned > 0. Borrowed until cc_csv_close().
 */
const char *cc_csv_digest(const struct cc_csv *c);
/* Closes; accepts NULL. */
void cc_csv_close(struct cc_csv *c);

/*
 * CC_EPARSE with err set ("no rows after the header", at file name) when path is a header row and
 * nothing else; 0 otherwise, also when it cannot be read as CSV (the importer then says why) and
 * for "-" (standard input cannot be read twice). An import of nothing is never what was meant.
 */
int cc_csv_header_only(const char *path, const char *encoding, const char *name,
                       struct cc_err *err);

/* BLAKE2b-256 of a whole file, hex (used by importers that do not read through cc_csv). */
int cc_file_digest(const char *path, char out[static 65], struct cc_err *err);

/*
 * Test hook: true sends every line through libcsv; false (the default) lets lines without a
 * quote take a faster path that gives the same records. Not for use outside tests.
 */
extern bool cc__csv_libcsv_only;

#endif
