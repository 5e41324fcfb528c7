/*
 * The steps every row importer shares (internal): finding the mission, recognising a file
 * already imported, and reporting a rejected row — to the caller's callback and to the rejects
 * file — so that all importers report, reject and skip files the same way and each keeps only
 * what is its own: its columns and its rows.
 */
#ifndef CC_IO_IMPORT_UTIL_H
#define CC_IO_IMPORT_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <concord/import.h>

#include "io/csv.h"
#include "io/hxl.h"

/* The part of path after its last '/'. */
const char *cc__base_name(const char *path);
/* The current UTC time as ISO 8601 ("2021-10-05T12:00:00Z"). */
void cc__now_iso(char out[static 32]);

/*
 * Prepares an import of path: loads the mission (o->mission, or the store's only one), hashes
 * the file into digest_out ("" for standard input, "-") and rep->digest, and loads the source
 * named o->source or the file's base name, or fills *src as a new one (id 0, dates unknown).
 * Returns 0, 1 when the file equals the source's last import (rep->same_file is set: nothing
 * to do), or < 0 with err set.
 */
int cc__import_source(struct cc_store *st, const char *path, const struct cc_import_opts *o,
                      struct cc_mission *mission, struct cc_source *src,
                      char digest_out[static 65], struct cc_import_report *rep,
                      struct cc_err *err);

/* An import's marking, resolved against the mission (see struct cc_import_marking). */
struct cc__marking {
	const char *rel;     /* "public", "partners", "org" (static) */
	const char *geo;     /* NULL: the record's */
	const char *figures; /* NULL: the record's */
	int64_t owner_id;    /* 0: the coordination cell */
	unsigned deny;
};

/* Resolves o->marking for the mission; CC_EUSAGE naming the option ("--owner") otherwise. */
int cc__import_marking(struct cc_store *st, const struct cc_mission *mission,
                       const struct cc_import_opts *o, struct cc__marking *out,
                       struct cc_err *err);

/* Writes fields as one CSV record, then extra as a last field (NULL: none), then a newline. */
int cc__csv_write_record(FILE *f, char *const *fields, size_t n_fields, const char *extra);

/* Opens (truncates) the rejects file at path; CC_EIO naming it. */
int cc__rejects_open(const char *path, FILE **out, struct cc_err *err);

/*
 * One rejected row: adds fname and the row's line to why, counts it in rep, hands it to
 * o->on_reject and writes the row with "field: reason" as last field to rejects (when not
 * NULL). Returns 0, or CC_EIO / CC_ENOMEM when the rejects file cannot be written.
 */
int cc__import_reject(const struct cc_import_opts *o, struct cc_import_report *rep,
                      FILE *rejects, const char *fname, const struct cc_csv_row *row,
                      struct cc_err *why);

/*
 * A row wider than its header: CC_EINVALID in why ("7 fields; the header has 6") when a field
 * past the first n_header is not empty (empty ones, as spreadsheets add, lose nothing), else 0.
 * Every CSV importer checks its rows with it, so that no value is ever dropped unseen.
 */
int cc__row_width(const struct cc_csv_row *row, size_t n_header, struct cc_err *why);

/*
 * A header naming one column twice: CC_EPARSE in err, at fname and line, with the column's name
 * as field ("column 'Organisation' appears twice (columns 1 and 9)"), else 0. Names compare
 * case-insensitively, spaces around ignored; empty names are not compared.
 */
int cc__header_unique(char *const *fields, size_t n_fields, const char *fname, long line,
                      struct cc_err *err);
/* The same for a hashtag row: two columns with one tag and the same attributes. */
int cc__hxl_unique(const struct cc_hxl *h, const char *fname, long line, struct cc_err *err);

/* What an import did, for its change-log entries. */
struct cc__import_end {
	const char *table;   /* the records' table: "activity", "incident", "need", … */
	int64_t mission_id;
	int64_t batch;       /* the import's change-log batch */
	int64_t first_added; /* id range of the added records, 0 when none */
	int64_t last_added;
};

/*
 * Ends an import inside its transaction: one change-log entry per operation that happened
 * (insert with the id range, update, delete, with their counts from rep), the source recorded
 * (its digest only when no row was rejected, so that a partial import is never "the same file";
 * its batch when anything changed; rows read and rejected; the time), then --strict
 * (CC_EREJECTED: nothing stored), --dry-run (0: nothing stored) or the commit, which clears
 * *in_tx and sets rep->stored and rep->batch. The caller rolls back while *in_tx is still set.
 */
int cc__import_finish(struct cc_store *st, const struct cc_import_opts *o,
                      struct cc_import_report *rep, const struct cc__import_end *e,
                      struct cc_source *src, bool *in_tx, struct cc_err *err);

#endif
