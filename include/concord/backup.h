/*
 * Backup, restore and copy of a whole store, for either backend (docs/postgres.md, "Backup,
 * restore and copy").
 *
 * An archive is one portable file, the same for SQLite and PostgreSQL: zlib-compressed, it holds
 * the source's backend and schema version, then every table the store's digest covers (and the
 * store's counters), each as its name, its columns and its rows of typed values (integer, real as
 * its exact bits, text, blob, null) in the digest's key order, with the table's digest and row
 * count after its rows, and the store's digest at the end. Rows are streamed: memory stays flat
 * whatever the store's size.
 *
 * Restoring loads an archive into a store of either backend in one transaction, then reads every
 * loaded table back and compares its digest with the archive's: any difference rolls everything
 * back. What the digest does not cover (spatial and full-text indexes, PostgreSQL's partitions,
 * key table and sequences) is rebuilt by the target.
 */
#ifndef CONCORD_BACKUP_H
#define CONCORD_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <concord/error.h>
#include <concord/store.h>

/* Called after each 100,000 rows of a table (done false) and at its end (done true). */
typedef void cc_backup_progress_fn(void *ctx, const char *table, int64_t rows, bool done);

struct cc_backup_opts {
	bool force;                      /* restore, copy: replace what the target holds */
	cc_backup_progress_fn *progress; /* NULL: quiet */
	void *ctx;
};

struct cc_backup_report {
	char scheme[16];   /* the source's backend: "sqlite", "postgresql" */
	int version;       /* the source's schema version */
	size_t n_tables;   /* tables written or loaded */
	int64_t n_rows;    /* rows written or loaded */
	size_t n_skipped;  /* tables of the source this store lacks (empty, or as its schema made
	                      them), skipped */
	char digest[65];   /* the source's digest, as recorded in the archive */
	char loaded[65];   /* restore, copy: the target's digest after the load */
};

/*
 * Writes the whole store st to the archive path ("-": standard output). The file appears only
 * once complete (written beside it, then renamed).
 */
CC_API int cc_backup(struct cc_store *st, const char *path, const struct cc_backup_opts *opts,
                     struct cc_backup_report *rep, struct cc_err *err);

/*
 * Loads the archive path ("-": standard input) into st, in one transaction. st must hold no
 * records unless opts->force (then they are replaced). Refused: an archive of the same backend
 * from a newer schema (CC_ESCHEMA), a table of the archive that st lacks while it holds rows
 * (CC_ENOTFOUND naming it), a truncated or damaged archive (CC_EPARSE), a table whose digest
 * differs once loaded (CC_ESTORE). On any error nothing is stored.
 */
CC_API int cc_restore(struct cc_store *st, const char *path, const struct cc_backup_opts *opts,
                      struct cc_backup_report *rep, struct cc_err *err);

/* cc_backup of from piped into cc_restore of to, without a file. */
CC_API int cc_store_copy(struct cc_store *from, struct cc_store *to,
                         const struct cc_backup_opts *opts, struct cc_backup_report *rep,
                         struct cc_err *err);

#endif
